//! Uploads, status, listing, deletion, folders, auth and the protocol's error shapes.
mod common;
use common::*;
use serde_json::json;

#[test]
fn auth_accepts_either_header_and_rejects_the_rest() {
    let (_d, _e, c) = fresh(&[]);
    let anon = admin(&c);
    assert_eq!(anon.get("/api/my-videos").unwrap().status, 401);
    let wrong = Client {
        addr: c.addr.clone(),
        key: Some("nope".into()),
    };
    let r = wrong.send("POST", "/api/keys/verify", &[], None).unwrap();
    assert_eq!(r.status, 401);
    assert!(r.json()["detail"].as_str().unwrap().contains("API key"));
    let bearer = anon
        .send(
            "POST",
            "/api/keys/verify",
            &[("Authorization", &format!("Bearer {KEY}"))],
            None,
        )
        .unwrap();
    assert_eq!(bearer.status, 200);
    let v = bearer.json();
    assert_eq!(v["valid"], true);
    assert!(
        v["user_id"].as_str().unwrap().starts_with("user_")
            && !v["user_id"].as_str().unwrap().contains(KEY)
    );
    // Both forms sent: both must be valid.
    let mixed = c
        .send(
            "POST",
            "/api/keys/verify",
            &[("Authorization", "Bearer other")],
            None,
        )
        .unwrap();
    assert_eq!(mixed.status, 401);
}

#[test]
fn upload_reads_the_container_and_lists_the_video() {
    let (_d, _e, c) = fresh(&[]);
    let r = upload(&c, "clip one.mp4", &synth(42.25, 1920, 1080, 5000), &[]);
    assert_eq!(r.status, 200, "{:?}", r.json());
    let id = r.json()["video_id"].as_str().unwrap().to_string();
    let v = &my_videos(&c)[0];
    assert_eq!(v["video_id"], id.as_str());
    assert_eq!(v["video_name"], "clip one.mp4");
    assert_eq!(v["duration_s"], 42.25);
    assert_eq!(
        (v["width"].as_i64(), v["height"].as_i64()),
        (Some(1920), Some(1080))
    );
    assert_eq!(v["status"], "uploaded");
    let s = c
        .get(&format!(
            "/api/video/{id}/status?firebase_collection_name=videos"
        ))
        .unwrap()
        .json();
    assert_eq!(
        s["metadata"]["visual_analysis"]["status"]["status"],
        "UPLOADED"
    );
}

#[test]
fn a_processing_video_climbs_the_status_ladder() {
    let dir = TempDir::new("ladder");
    let emu = start(&dir, &["--processing-delay-ms", "1500"]);
    let c = emu.client(KEY);
    let id = upload(&c, "a.mp4", &synth(1.0, 8, 8, 0), &[]).json()["video_id"]
        .as_str()
        .unwrap()
        .to_string();
    let first = c.get(&format!("/api/video/{id}/status")).unwrap().json();
    assert_eq!(first["status"], "processing");
    let stage = first["metadata"]["visual_analysis"]["status"]["status"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        ["NOT_STARTED", "PREPARE_IN_PROGRESS", "PREPARE_COMPLETED"].contains(&stage.as_str()),
        "{stage}"
    );
    let mut seen = vec![stage];
    for _ in 0..100 {
        let s = c.get(&format!("/api/video/{id}/status")).unwrap().json();
        let st = s["metadata"]["visual_analysis"]["status"]["status"]
            .as_str()
            .unwrap()
            .to_string();
        if seen.last() != Some(&st) {
            seen.push(st.clone());
        }
        if st == "UPLOADED" {
            assert_eq!(s["status"], "uploaded");
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert_eq!(
        seen.last().map(String::as_str),
        Some("UPLOADED"),
        "{seen:?}"
    );
    let order = [
        "NOT_STARTED",
        "PREPARE_IN_PROGRESS",
        "PREPARE_COMPLETED",
        "UPLOADED",
    ];
    let idx: Vec<usize> = seen
        .iter()
        .map(|s| order.iter().position(|o| o == s).unwrap())
        .collect();
    assert!(idx.windows(2).all(|w| w[0] < w[1]), "{seen:?}");
}

#[test]
fn a_body_that_is_not_a_video_fails_with_a_reason() {
    let (_d, _e, c) = fresh(&[]);
    let r = upload(&c, "notes.mp4", b"just some text, not an mp4", &[]);
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["status"], "uploading_failed");
    let id = r.json()["video_id"].as_str().unwrap().to_string();
    let s = c.get(&format!("/api/video/{id}/status")).unwrap().json();
    assert_eq!(
        s["metadata"]["visual_analysis"]["status"]["status"],
        "UPLOADING_FAILED"
    );
    assert!(s["error"].as_str().unwrap().contains("MP4/MOV"));
}

#[test]
fn uploads_above_the_limit_get_413_and_leave_nothing() {
    let (d, _e, c) = fresh(&["--max-upload-bytes", "10000"]);
    let r = upload(&c, "big.mp4", &synth(1.0, 8, 8, 20_000), &[]);
    assert_eq!(r.status, 413);
    assert!(my_videos(&c).is_empty());
    let files: Vec<_> = std::fs::read_dir(d.path().join("videos"))
        .unwrap()
        .collect();
    assert!(files.is_empty(), "left {files:?}");
    assert_eq!(
        upload(&c, "small.mp4", &synth(1.0, 8, 8, 100), &[]).status,
        200
    );
}

#[test]
fn malformed_bodies_get_fastapi_style_422() {
    let (_d, _e, c) = fresh(&[]);
    let (ct, body) = multipart(
        &[("firebase_collection_name", "videos")],
        &[("file", "a.mp4", "video/mp4", b"x")],
    );
    let r = c
        .send("POST", "/api/upload-video", &[], Some((&ct, body)))
        .unwrap();
    assert_eq!(r.status, 422);
    assert_eq!(r.json()["detail"][0]["loc"], json!(["body", "source"]));
    assert_eq!(r.json()["detail"][0]["msg"], "field required");
    let r = c
        .send(
            "POST",
            "/api/upload-video",
            &[],
            Some((
                "multipart/form-data; boundary=zz",
                b"--zz\r\ngarbage".to_vec(),
            )),
        )
        .unwrap();
    assert_eq!(r.status, 422);
    let r = c
        .json("POST", "/api/folders", &json!({"scope": "user"}))
        .unwrap();
    assert_eq!(
        (r.status, r.json()["detail"][0]["loc"].clone()),
        (422, json!(["body", "name"]))
    );
    let r = c
        .send(
            "POST",
            "/api/folders",
            &[],
            Some(("application/json", b"{not json".to_vec())),
        )
        .unwrap();
    assert_eq!(r.status, 422);
    let r = c
        .json(
            "POST",
            "/api/folders",
            &json!({"name": "x", "scope": "sample"}),
        )
        .unwrap();
    assert_eq!(r.status, 422);
    assert!(upload(&c, "a.mp4", &synth(1.0, 8, 8, 0), &[("scope", "galaxy")]).status == 422);
}

#[test]
fn unknown_ids_are_404() {
    let (_d, _e, c) = fresh(&[]);
    for path in [
        "/api/video/nope/status",
        "/api/import-jobs/ij_nope",
        "/api/import-jobs/ij_nope/videos",
        "/api/batch/nope/status",
        "/api/videos/v/analyses/a",
        "/api/videos/v/analyses/a/status",
        "/api/folders/get?name=nope&scope=user",
        "/api/search-sessions/u/s",
        "/api/no-such-endpoint",
    ] {
        let r = c.get(path).unwrap();
        assert_eq!(r.status, 404, "{path}");
        assert!(r.json()["detail"].is_string(), "{path}");
    }
    assert_eq!(
        c.send("DELETE", "/api/video/nope", &[], None)
            .unwrap()
            .status,
        404
    );
    let r = c
        .form("/api/ask", &[("question", "q"), ("video_id", "nope")])
        .unwrap();
    assert_eq!(r.status, 404);
}

#[test]
fn folders_keep_scopes_apart() {
    let (_d, _e, c) = fresh(&[]);
    let a = c
        .json(
            "POST",
            "/api/folders",
            &json!({"name": " fleet ", "scope": "user", "description": "d"}),
        )
        .unwrap();
    assert_eq!(a.status, 201);
    assert_eq!(a.json()["name"], "fleet");
    assert_eq!(
        c.json(
            "POST",
            "/api/folders",
            &json!({"name": "fleet", "scope": "user"})
        )
        .unwrap()
        .status,
        409
    );
    let org = c
        .json(
            "POST",
            "/api/folders",
            &json!({"name": "fleet", "scope": "org"}),
        )
        .unwrap();
    assert_eq!(org.status, 201);
    assert_ne!(org.json()["id"], a.json()["id"]);
    assert_eq!(org.json()["org_id"], "org_emulator");
    let again = c
        .json(
            "POST",
            "/api/folders/create-or-get",
            &json!({"name": "fleet", "scope": "org"}),
        )
        .unwrap();
    assert_eq!(again.json()["id"], org.json()["id"]);
    let got = c
        .get("/api/folders/get?name=fleet&scope=user")
        .unwrap()
        .json();
    assert_eq!(
        (got["id"].clone(), got["video_count"].clone()),
        (a.json()["id"].clone(), json!(0))
    );
    // Uploading into it, and listing by folder.
    let fid = a.json()["id"].as_str().unwrap().to_string();
    upload(&c, "in.mp4", &synth(2.0, 8, 8, 0), &[("folder_id", &fid)]);
    upload(&c, "out.mp4", &synth(2.0, 8, 8, 0), &[]);
    let listed = c
        .get("/api/my-videos?folder=fleet&scope=user")
        .unwrap()
        .json();
    assert_eq!(listed["videos"].as_array().unwrap().len(), 1);
    assert_eq!(listed["videos"][0]["folder_name"], "fleet");
    assert_eq!(
        c.get("/api/my-videos?folder=fleet&scope=org")
            .unwrap()
            .json()["videos"],
        json!([])
    );
    assert_eq!(
        upload(
            &c,
            "x.mp4",
            &synth(1.0, 8, 8, 0),
            &[("folder_id", "fld_nope")]
        )
        .status,
        404
    );
}

#[test]
fn delete_removes_the_row_and_the_bytes() {
    let (d, _e, c) = fresh(&[]);
    let id = upload(&c, "a.mp4", &synth(1.0, 8, 8, 10), &[]).json()["video_id"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(d.path().join("videos").join(format!("{id}.mp4")).exists());
    let r = c
        .send(
            "DELETE",
            &format!("/api/video/{id}?firebase_collection_name=videos"),
            &[],
            None,
        )
        .unwrap();
    assert_eq!(r.json(), json!({"status": "deleted", "video_id": id}));
    assert!(!d.path().join("videos").join(format!("{id}.mp4")).exists());
    assert!(my_videos(&c).is_empty());
}

#[test]
fn url_uploads_fetch_from_loopback_only() {
    let (_d, _e, c) = fresh(&[]);
    // A one-shot HTTP server on loopback.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let video = synth(9.0, 8, 8, 100);
    let served = video.clone();
    std::thread::spawn(move || {
        use std::io::{Read, Write};
        if let Ok((mut s, _)) = listener.accept() {
            let mut buf = [0u8; 2048];
            let _ = s.read(&mut buf);
            let _ = s.write_all(
                format!(
                    "HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n",
                    served.len()
                )
                .as_bytes(),
            );
            let _ = s.write_all(&served);
        }
    });
    let url = format!("http://127.0.0.1:{port}/trips/front%20cam.mp4");
    let r = c
        .form(
            "/api/upload-video",
            &[
                ("source", "video_url"),
                ("video_url", &url),
                ("scope", "user"),
            ],
        )
        .unwrap();
    assert_eq!(r.json()["status"], "uploaded", "{:?}", r.json());
    let v = &my_videos(&c)[0];
    assert_eq!(
        (v["video_name"].clone(), v["duration_s"].clone()),
        (json!("front cam.mp4"), json!(9.0))
    );
    let r = c
        .form(
            "/api/upload-video",
            &[
                ("source", "video_url"),
                ("video_url", "https://example.com/v.mp4"),
                ("custom_name", "remote"),
            ],
        )
        .unwrap();
    assert_eq!(r.json()["status"], "uploading_failed");
    let failed = my_videos(&c)
        .into_iter()
        .find(|v| v["video_name"] == "remote")
        .unwrap();
    assert!(failed["error"].as_str().unwrap().contains("loopback"));
}

#[test]
fn multiview_stitch_records_the_views() {
    let (_d, _e, c) = fresh(&[]);
    let ids: Vec<String> = ["front.mp4", "left.mp4"]
        .iter()
        .map(|n| {
            upload(&c, n, &synth(1.0, 8, 8, 0), &[]).json()["video_id"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    let r = c
        .json(
            "POST",
            "/api/multi-view/stitch",
            &json!({"primary_view_id": ids[0], "views": {"front": ids[0], "left": ids[1]}}),
        )
        .unwrap();
    assert_eq!(r.status, 200);
    let front = my_videos(&c)
        .into_iter()
        .find(|v| v["video_id"] == ids[0].as_str())
        .unwrap();
    assert_eq!(front["views"]["left"], ids[1].as_str());
    let r = c
        .json(
            "POST",
            "/api/multi-view/stitch",
            &json!({"primary_view_id": ids[0], "views": {"left": "nope"}}),
        )
        .unwrap();
    assert_eq!(r.status, 404);
}

#[test]
fn static_files_never_shadow_the_api() {
    let site = TempDir::new("site");
    std::fs::write(site.path().join("index.html"), "<h1>dash</h1>").unwrap();
    std::fs::create_dir_all(site.path().join("api")).unwrap();
    std::fs::write(site.path().join("api").join("my-videos"), "shadow").unwrap();
    let (_d, _e, c) = fresh(&["--static", site.path().to_str().unwrap()]);
    let anon = admin(&c);
    let page = anon.get("/").unwrap();
    assert_eq!(page.status, 200);
    assert_eq!(page.body, b"<h1>dash</h1>");
    assert_eq!(anon.get("/api/my-videos").unwrap().status, 401);
    assert_eq!(
        anon.get("/__emulator/health").unwrap().json()["status"],
        "ok"
    );
    assert_eq!(anon.get("/missing.html").unwrap().status, 404);
}

#[test]
fn cors_preflight_allows_the_protocol_headers() {
    let (_d, _e, c) = fresh(&[]);
    let anon = admin(&c);
    let r = anon
        .send(
            "OPTIONS",
            "/api/upload-video",
            &[
                ("Origin", "http://localhost:5173"),
                ("Access-Control-Request-Method", "POST"),
                (
                    "Access-Control-Request-Headers",
                    "x-api-key,authorization,x-request-id,idempotency-key,x-client-type",
                ),
            ],
            None,
        )
        .unwrap();
    assert!(r.status == 200 || r.status == 204, "{}", r.status);
    assert_eq!(r.header("access-control-allow-origin"), Some("*"));
    let allowed = r
        .header("access-control-allow-headers")
        .unwrap()
        .to_ascii_lowercase();
    for h in [
        "x-api-key",
        "authorization",
        "idempotency-key",
        "x-request-id",
    ] {
        assert!(allowed.contains(h), "{allowed}");
    }
    let r = c
        .send(
            "GET",
            "/api/my-videos",
            &[
                ("Origin", "http://localhost:5173"),
                ("X-Request-ID", "rid-1"),
            ],
            None,
        )
        .unwrap();
    assert_eq!(r.header("x-request-id"), Some("rid-1"));
    let exposed = r
        .header("access-control-expose-headers")
        .unwrap()
        .to_ascii_lowercase();
    assert!(exposed.contains("x-request-id") && exposed.contains("retry-after"));
}

/// The emulator's peak resident memory so far, in KiB (Linux `VmHWM`).
fn peak_rss_kib(emu: &Running) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{}/status", emu.child.id())).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap()
}

#[test]
fn oversized_fields_are_refused_while_reading_not_after_buffering() {
    let (_d, emu, c) = fresh(&[]);
    let before = peak_rss_kib(&emu);
    // A 100 MB text field, far over the 1 MiB a text field may hold.
    let big = "x".repeat(100 << 20);
    let (ct, body) = multipart(&[("source", "file"), ("custom_name", &big)], &[]);
    let r = c
        .send("POST", "/api/upload-video", &[], Some((&ct, body)))
        .unwrap();
    assert_eq!(r.status, 413);
    assert!(r.json()["detail"].as_str().unwrap().contains("1048576"));
    let grown = peak_rss_kib(&emu).saturating_sub(before);
    assert!(
        grown < 32 << 10,
        "the emulator's peak memory grew by {grown} KiB"
    );
    // A form-encoded body is capped the same way.
    let form = "source=video_url&video_url=".to_string() + &"a".repeat(3 << 20);
    let r = c
        .send(
            "POST",
            "/api/upload-video",
            &[],
            Some(("application/x-www-form-urlencoded", form.into_bytes())),
        )
        .unwrap();
    assert_eq!(r.status, 413);
    // Fields of ordinary size still work.
    let ok = upload(
        &c,
        "fine.mp4",
        &nomadic_emulator::mp4::synth(1.0, 8, 8, 0),
        &[],
    );
    assert_eq!(ok.status, 200);
}
