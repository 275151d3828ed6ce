//! Idempotency, injected faults, the request log, admin endpoints, and durability across
//! `kill -9`.
mod common;
use common::*;
use serde_json::json;
use std::io::Write;
use std::time::{Duration, Instant};

/// A body that creates folder `f`, for requests whose answer gets replayed.
fn folder_body() -> Option<(&'static str, Vec<u8>)> {
    Some((
        "application/json",
        br#"{"name":"f","scope":"user"}"#.to_vec(),
    ))
}

/// Creates folder `f` with an `Idempotency-Key`.
fn post_folder(c: &Client, key: &str) -> Resp {
    c.send(
        "POST",
        "/api/folders",
        &[("Idempotency-Key", key)],
        folder_body(),
    )
    .unwrap()
}

fn log(c: &Client) -> Vec<serde_json::Value> {
    admin(c)
        .get("/__emulator/requests")
        .unwrap()
        .json()
        .as_array()
        .cloned()
        .unwrap()
}

fn fault(c: &Client, f: serde_json::Value) {
    let r = admin(c).json("POST", "/__emulator/faults", &f).unwrap();
    assert_eq!(r.status, 200, "{:?}", r.json());
}

#[test]
fn a_retried_mutation_returns_the_first_answer_and_creates_nothing() {
    let (_d, _e, c) = fresh(&[]);
    let key = [("Idempotency-Key", "3f0c9a56-0000-4000-8000-000000000001")];
    let video = synth(3.0, 8, 8, 100);
    let (ct, body) = multipart(
        &[("source", "file"), ("scope", "user")],
        &[("file", "a.mp4", "video/mp4", &video)],
    );
    let first = c
        .send("POST", "/api/upload-video", &key, Some((&ct, body.clone())))
        .unwrap();
    let second = c
        .send("POST", "/api/upload-video", &key, Some((&ct, body.clone())))
        .unwrap();
    assert_eq!(first.status, 200);
    assert_eq!(first.json()["video_id"], second.json()["video_id"]);
    assert_eq!(second.header("idempotent-replayed"), Some("true"));
    assert_eq!(my_videos(&c).len(), 1);
    // The same key on another endpoint is a client error, not a silent replay.
    let other = c.send("POST", "/api/folders", &key, folder_body()).unwrap();
    assert_eq!(other.status, 422);
    // A new key makes a new video.
    let third = c
        .send(
            "POST",
            "/api/upload-video",
            &[("Idempotency-Key", "k2")],
            Some((&ct, body)),
        )
        .unwrap();
    assert_ne!(third.json()["video_id"], first.json()["video_id"]);
    assert_eq!(my_videos(&c).len(), 2);
}

#[test]
fn replays_survive_a_restart() {
    let dir = TempDir::new("idem");
    let emu = start(&dir, &["--processing-delay-ms", "0"]);
    let c = emu.client(KEY);
    let key = [("Idempotency-Key", "persisted-key")];
    let r1 = c.send("POST", "/api/folders", &key, folder_body()).unwrap();
    assert_eq!(r1.status, 201);
    emu.kill9();
    let emu = start(&dir, &["--processing-delay-ms", "0"]);
    let c = emu.client(KEY);
    let r2 = c.send("POST", "/api/folders", &key, folder_body()).unwrap();
    assert_eq!(
        (r2.status, r2.json()["id"].clone()),
        (201, r1.json()["id"].clone())
    );
}

#[test]
fn status_faults_answer_then_clear() {
    let (_d, _e, c) = fresh(&[]);
    fault(
        &c,
        json!({"method": "GET", "path": "/api/my-videos", "status": 503, "retry_after_s": 2, "times": 2}),
    );
    let r = c.get("/api/my-videos").unwrap();
    assert_eq!((r.status, r.header("retry-after")), (503, Some("2")));
    assert_eq!(c.get("/api/my-videos").unwrap().status, 503);
    assert_eq!(c.get("/api/my-videos").unwrap().status, 200);
    // Other methods and paths are untouched; `*` matches a path segment run.
    fault(
        &c,
        json!({"method": "get", "path": "/api/video/*/status", "status": 429, "times": 1}),
    );
    assert_eq!(c.get("/api/my-videos").unwrap().status, 200);
    assert_eq!(c.get("/api/video/abc/status").unwrap().status, 429);
    assert_eq!(c.get("/api/video/abc/status").unwrap().status, 404);
    // A faulted upload consumed the body and created nothing.
    fault(
        &c,
        json!({"method": "POST", "path": "/api/upload-video", "status": 503, "times": 1}),
    );
    assert_eq!(
        upload(&c, "a.mp4", &synth(1.0, 8, 8, 50_000), &[]).status,
        503
    );
    assert!(my_videos(&c).is_empty());
    // DELETE clears what is pending.
    fault(
        &c,
        json!({"method": "GET", "path": "/api/my-videos", "status": 500, "times": 5}),
    );
    assert_eq!(
        admin(&c)
            .send("DELETE", "/__emulator/faults", &[], None)
            .unwrap()
            .status,
        200
    );
    assert_eq!(c.get("/api/my-videos").unwrap().status, 200);
    // Bad faults are refused.
    let bad = admin(&c)
        .json(
            "POST",
            "/__emulator/faults",
            &json!({"method": "GET", "path": "/x", "times": 1}),
        )
        .unwrap();
    assert_eq!(bad.status, 400);
}

#[test]
fn delay_faults_delay_and_then_answer_normally() {
    let (_d, _e, c) = fresh(&[]);
    fault(
        &c,
        json!({"method": "GET", "path": "/api/my-videos", "delay_ms": 300, "times": 1}),
    );
    let t = Instant::now();
    let r = c.get("/api/my-videos").unwrap();
    assert_eq!(r.status, 200);
    assert!(t.elapsed() >= Duration::from_millis(300));
    let entry = log(&c).pop().unwrap();
    assert_eq!(entry["fault"], "delay");
}

#[test]
fn dropped_connections_send_no_answer() {
    let (_d, _e, c) = fresh(&[]);
    fault(
        &c,
        json!({"method": "POST", "path": "/api/upload-video", "drop_connection": true, "times": 1}),
    );
    let (ct, body) = multipart(
        &[("source", "file")],
        &[("file", "a.mp4", "video/mp4", &synth(1.0, 8, 8, 10))],
    );
    let r = c.send("POST", "/api/upload-video", &[], Some((&ct, body.clone())));
    assert!(r.is_err(), "expected a dropped connection, got {r:?}");
    assert!(my_videos(&c).is_empty());
    let entry = log(&c)
        .into_iter()
        .find(|e| e["path"] == "/api/upload-video")
        .unwrap();
    assert_eq!(
        (entry["status"].clone(), entry["fault"].clone()),
        (json!(0), json!("drop_connection"))
    );
    // The next attempt goes through.
    assert_eq!(
        c.send("POST", "/api/upload-video", &[], Some((&ct, body)))
            .unwrap()
            .status,
        200
    );
}

#[test]
fn the_request_log_has_ids_and_never_the_key() {
    let (_d, _e, c) = fresh(&[]);
    c.send(
        "GET",
        "/api/my-videos?folder=a+b",
        &[("X-Request-ID", "rid-7")],
        None,
    )
    .unwrap();
    c.send(
        "POST",
        "/api/keys/verify",
        &[
            ("X-Request-ID", "rid-8"),
            ("Idempotency-Key", "rid-8"),
            ("Authorization", &format!("Bearer {KEY}")),
        ],
        None,
    )
    .unwrap();
    admin(&c).get("/api/my-videos").unwrap();
    let entries = log(&c);
    assert_eq!(entries.len(), 3);
    assert_eq!(entries[0]["method"], "GET");
    assert_eq!(entries[0]["path"], "/api/my-videos");
    assert_eq!(entries[0]["status"], 200);
    assert_eq!(entries[0]["request_id"], "rid-7");
    assert_eq!(entries[0]["idempotency_key"], json!(null));
    assert_eq!(entries[1]["idempotency_key"], "rid-8");
    assert_eq!(entries[2]["status"], 401);
    let text = serde_json::to_string(&entries).unwrap();
    assert!(!text.contains(KEY));
    for k in ["method", "path", "status", "request_id", "idempotency_key"] {
        assert!(entries[0].get(k).is_some(), "{k}");
    }
}

#[test]
fn reset_empties_everything() {
    let (d, _e, c) = fresh(&[]);
    upload(&c, "a.mp4", &synth(1.0, 8, 8, 10), &[]);
    c.json(
        "POST",
        "/api/folders",
        &json!({"name": "f", "scope": "user"}),
    )
    .unwrap();
    fault(
        &c,
        json!({"method": "GET", "path": "/api/my-videos", "status": 500, "times": 3}),
    );
    let r = admin(&c)
        .send("POST", "/__emulator/reset", &[], None)
        .unwrap();
    assert_eq!(r.status, 200);
    assert!(my_videos(&c).is_empty());
    assert_eq!(
        c.get("/api/folders/get?name=f&scope=user").unwrap().status,
        404
    );
    assert_eq!(
        std::fs::read_dir(d.path().join("videos")).unwrap().count(),
        0
    );
    assert_eq!(log(&c).len(), 2, "only the requests since the reset");
}

#[test]
fn completed_uploads_survive_kill_9_and_half_uploads_vanish() {
    let dir = TempDir::new("durable");
    let emu = start(&dir, &["--processing-delay-ms", "0"]);
    let c = emu.client(KEY);
    let id = upload(&c, "kept.mp4", &synth(33.0, 8, 8, 1000), &[]).json()["video_id"]
        .as_str()
        .unwrap()
        .to_string();
    c.json(
        "POST",
        "/api/folders",
        &json!({"name": "kept", "scope": "org"}),
    )
    .unwrap();
    // Half of a large upload, then kill -9 while the server is still reading it.
    let video = synth(5.0, 8, 8, 4 * 1024 * 1024);
    let (ct, body) = multipart(
        &[("source", "file")],
        &[("file", "half.mp4", "video/mp4", &video)],
    );
    let mut s = std::net::TcpStream::connect(&emu.addr).unwrap();
    write!(s, "POST /api/upload-video HTTP/1.1\r\nHost: x\r\nX-API-Key: {KEY}\r\nContent-Type: {ct}\r\nContent-Length: {}\r\n\r\n", body.len()).unwrap();
    s.write_all(&body[..body.len() / 2]).unwrap();
    std::thread::sleep(Duration::from_millis(200));
    emu.kill9();
    drop(s);

    let emu = start(&dir, &["--processing-delay-ms", "0"]);
    let c = emu.client(KEY);
    let videos = my_videos(&c);
    assert_eq!(videos.len(), 1, "{videos:?}");
    assert_eq!(
        (
            videos[0]["video_id"].clone(),
            videos[0]["duration_s"].clone()
        ),
        (json!(id), json!(33.0))
    );
    assert_eq!(videos[0]["status"], "uploaded");
    assert_eq!(
        c.get("/api/folders/get?name=kept&scope=org")
            .unwrap()
            .status,
        200
    );
    // Only the kept video's bytes remain: the half-written temporary file was removed.
    let files: Vec<String> = std::fs::read_dir(dir.path().join("videos"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(files, vec![format!("{id}.mp4")]);
}

#[test]
fn an_import_killed_midway_finishes_after_restart_without_duplicates() {
    let bucket = TempDir::new("bucket");
    let n = 60;
    for i in 0..n {
        std::fs::write(
            bucket.path().join(format!("v{i:03}.mp4")),
            synth(1.0 + i as f64, 8, 8, 200_000),
        )
        .unwrap();
    }
    let mapping = format!("s3://arch={}", bucket.path().display());
    let dir = TempDir::new("import-kill");
    let emu = start(&dir, &["--processing-delay-ms", "0", "--bucket", &mapping]);
    let c = emu.client(KEY);
    let keys: Vec<String> = (0..n).map(|i| format!("v{i:03}.mp4")).collect();
    let job = c.json("POST", "/api/s3/upload", &json!({"keys": keys, "bucket": "arch", "collection": "videos", "folder_id": null, "scope": "user"})).unwrap();
    let job_id = job.json()["import_job_id"].as_str().unwrap().to_string();
    // Kill as soon as the worker has committed its first row: the job is then part-way.
    let mut materialized = 0;
    for _ in 0..500 {
        materialized = c.get(&format!("/api/import-jobs/{job_id}")).unwrap().json()["materialized"]
            .as_u64()
            .unwrap();
        if materialized > 0 {
            break;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    emu.kill9();
    assert!(
        materialized > 0 && materialized < n as u64,
        "killed at {materialized}/{n}"
    );

    let emu = start(&dir, &["--processing-delay-ms", "0", "--bucket", &mapping]);
    let c = emu.client(KEY);
    let mut page = serde_json::Value::Null;
    for _ in 0..200 {
        page = c
            .get(&format!("/api/import-jobs/{job_id}/videos?limit=500"))
            .unwrap()
            .json();
        if page["video_count"] == n {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let rows = page["videos"].as_array().unwrap();
    assert_eq!(rows.len(), n);
    assert!(rows.iter().all(|r| r["status"] == "UPLOADED"), "{rows:?}");
    let uris: std::collections::BTreeSet<_> = rows
        .iter()
        .map(|r| r["import_source_uri"].as_str().unwrap())
        .collect();
    assert_eq!(uris.len(), n);
    assert_eq!(
        my_videos(&c).len(),
        n,
        "one video per object, none duplicated"
    );
    let job = c.get(&format!("/api/import-jobs/{job_id}")).unwrap().json();
    assert_eq!(
        (job["status"].clone(), job["total"].clone()),
        (json!("completed"), json!(n))
    );
    // Every listed video's bytes are there; nothing else is.
    let files = std::fs::read_dir(dir.path().join("videos"))
        .unwrap()
        .count();
    assert_eq!(files, n);
}

#[test]
fn a_retry_during_a_slow_first_attempt_is_told_to_come_back_and_nothing_is_doubled() {
    let (_d, _e, c) = fresh(&[]);
    let key = "9b1d0c3e-0000-4000-8000-0000000000aa";
    let body = br#"{"name":"f","scope":"user"}"#;
    // The first attempt holds the key while its body trickles in over 3 s.
    let first = {
        let addr = c.addr.clone();
        std::thread::spawn(move || {
            let mut s = std::net::TcpStream::connect(&addr).unwrap();
            write!(
                s,
                "POST /api/folders HTTP/1.1\r\nHost: x\r\nX-API-Key: {KEY}\r\nIdempotency-Key: {key}\r\n\
                 Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            )
            .unwrap();
            s.write_all(&body[..5]).unwrap();
            std::thread::sleep(Duration::from_millis(3000));
            s.write_all(&body[5..]).unwrap();
            nomadic_emulator::testkit::read_response(&mut s).unwrap()
        })
    };
    std::thread::sleep(Duration::from_millis(300));
    let t = Instant::now();
    let retry = post_folder(&c, key);
    assert_eq!(retry.status, 409, "{:?}", retry.json());
    assert_eq!(retry.header("retry-after"), Some("1"));
    assert!(
        t.elapsed() < Duration::from_millis(2700),
        "the retry waited {:?}",
        t.elapsed()
    );
    let first = first.join().unwrap();
    assert_eq!(first.status, 201);
    // Once the first attempt has answered, the retry gets that answer again: one folder.
    let again = post_folder(&c, key);
    assert_eq!(again.status, 201);
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    assert_eq!(again.json()["id"], first.json()["id"]);
}

#[test]
fn an_answer_to_a_cut_body_is_not_kept_for_the_key() {
    let (_d, emu, c) = fresh(&[]);
    let key = "5a7e2c91-0000-4000-8000-0000000000cc";
    // A body announced as 200 bytes that stops after 10: the connection ends mid-body.
    let mut s = std::net::TcpStream::connect(&c.addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(
        s,
        "POST /api/folders HTTP/1.1\r\nHost: x\r\nX-API-Key: {KEY}\r\nIdempotency-Key: {key}\r\n\
         Content-Type: application/json\r\nContent-Length: 200\r\n\r\n{{\"name\": \"f"
    )
    .unwrap();
    s.shutdown(std::net::Shutdown::Write).unwrap();
    let _ = std::io::Read::read_to_end(&mut s, &mut Vec::new());
    drop(s);
    // The complete request with the same key does the work, rather than replaying a 4xx.
    let whole = post_folder(&c, key);
    assert_eq!(whole.status, 201, "{:?}", whole.json());
    assert_eq!(whole.header("idempotent-replayed"), None);
    drop(emu);
}

#[test]
fn a_web_page_of_another_origin_cannot_use_the_admin_api() {
    let (_d, emu, c) = fresh(&["--admin-token", "tok-3c9a"]);
    let folder = c.send("POST", "/api/folders", &[], folder_body()).unwrap();
    assert_eq!(folder.status, 201);
    let a = admin(&c);
    // What a page the developer happens to visit would send.
    let evil = [("Origin", "https://evil.example")];
    for (method, path) in [
        ("POST", "/__emulator/reset"),
        ("POST", "/__emulator/faults"),
        ("GET", "/__emulator/requests"),
        ("PUT", "/__emulator/buckets/s3/x/a.mp4"),
    ] {
        let r = a.send(method, path, &evil, None).unwrap();
        assert_eq!(r.status, 403, "{method} {path}");
    }
    assert_eq!(my_videos(&c).len(), 0);
    assert_eq!(
        c.get("/api/folders/get?name=f&scope=user").unwrap().status,
        200,
        "nothing was wiped"
    );
    // The same page with the token printed at start, a page of the emulator's own origin, and a
    // script (no Origin) are all answered.
    let token = [
        ("Origin", "https://evil.example"),
        ("X-Emulator-Token", "tok-3c9a"),
    ];
    assert_eq!(
        a.send("GET", "/__emulator/requests", &token, None)
            .unwrap()
            .status,
        200
    );
    let own = format!("http://{}", c.addr);
    assert_eq!(
        a.send(
            "GET",
            "/__emulator/requests",
            &[("Origin", own.as_str())],
            None
        )
        .unwrap()
        .status,
        200
    );
    assert_eq!(a.get("/__emulator/requests").unwrap().status, 200);
    let wrong = [
        ("Origin", "https://evil.example"),
        ("X-Emulator-Token", "guess"),
    ];
    assert_eq!(
        a.send("POST", "/__emulator/reset", &wrong, None)
            .unwrap()
            .status,
        403
    );
    // Health stays open (the dashboard's header reads it).
    assert_eq!(
        a.send("GET", "/__emulator/health", &evil, None)
            .unwrap()
            .status,
        200
    );
    drop(emu);
}

#[test]
fn no_admin_turns_the_admin_api_off_but_keeps_health() {
    let (_d, _emu, c) = fresh(&["--no-admin"]);
    let a = admin(&c);
    assert_eq!(
        a.send("POST", "/__emulator/reset", &[], None)
            .unwrap()
            .status,
        404
    );
    assert_eq!(
        a.send("GET", "/__emulator/requests", &[], None)
            .unwrap()
            .status,
        404
    );
    assert_eq!(a.get("/__emulator/health").unwrap().status, 200);
}
