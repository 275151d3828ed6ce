//! Imports, analysis, batches, structured ODD, search and thumbnails over raw HTTP: the shapes
//! the protocol documents, and their error paths.
mod common;
use common::*;
use serde_json::{json, Value};
use std::time::Duration;

fn vid(c: &Client, name: &str, secs: f64) -> String {
    upload(c, name, &synth(secs, 8, 8, 0), &[]).json()["video_id"]
        .as_str()
        .unwrap()
        .to_string()
}

/// The first page of rows of a job (as `wait_job` returned it).
fn first_page(c: &Client, job: &Value) -> Value {
    let id = job["job_id"].as_str().unwrap();
    c.get(&format!("/api/import-jobs/{id}/videos"))
        .unwrap()
        .json()
}

fn wait_job(c: &Client, id: &str) -> Value {
    for _ in 0..400 {
        let j = c.get(&format!("/api/import-jobs/{id}")).unwrap().json();
        if j["status"] != "importing" {
            return j;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    panic!("import {id} did not finish");
}

#[test]
fn gcs_imports_need_a_real_integration() {
    let bucket = TempDir::new("gcs");
    std::fs::create_dir_all(bucket.path().join("a")).unwrap();
    std::fs::write(bucket.path().join("a/x.mp4"), synth(4.0, 8, 8, 0)).unwrap();
    std::fs::write(bucket.path().join("a/notes.mp4"), b"not a video").unwrap();
    let map = format!("gs://fleet={}", bucket.path().display());
    let (_d, _e, c) = fresh(&["--bucket", &map]);
    let body = |id: &str| json!({"integration_id": id, "files": ["a/x.mp4"], "collection": "videos", "folder_id": null, "scope": "user"});
    assert_eq!(
        c.json("POST", "/api/gcs/upload", &body("int_nope"))
            .unwrap()
            .status,
        404
    );
    let s3 = c.json("POST", "/api/cloud-integrations/s3", &json!({"name": "s", "type": "s3", "access_key_id": "a", "secret_access_key": "b", "region": "r", "bucket": "fleet", "prefix": null, "session_token": null, "endpoint_url": null})).unwrap();
    assert_eq!(
        c.json(
            "POST",
            "/api/gcs/upload",
            &body(s3.json()["id"].as_str().unwrap())
        )
        .unwrap()
        .status,
        400
    );
    let missing = c
        .json(
            "POST",
            "/api/cloud-integrations/gcs",
            &json!({"name": "g", "type": "gcs", "bucket": "fleet"}),
        )
        .unwrap();
    assert_eq!(
        (missing.status, missing.json()["detail"][0]["loc"].clone()),
        (422, json!(["body", "service_account"]))
    );
    let g = c.json("POST", "/api/cloud-integrations/gcs", &json!({"name": "g", "type": "gcs", "service_account": {"type": "service_account", "private_key": "k"}, "bucket": "fleet", "prefix": null})).unwrap();
    assert_eq!(g.status, 200);
    assert!(
        !String::from_utf8_lossy(&c.get("/api/cloud-integrations").unwrap().body)
            .contains("private_key")
    );
    let gid = g.json()["id"].as_str().unwrap().to_string();
    let mut b = body(&gid);
    b["files"] = json!(["a/x.mp4", "a/notes.mp4", "a/gone.mp4", "a/x.mov"]);
    let job = c.json("POST", "/api/gcs/upload", &b).unwrap().json();
    assert_eq!(job["status"], "importing");
    let j = wait_job(&c, job["import_job_id"].as_str().unwrap());
    assert_eq!(
        (j["status"].clone(), j["total"].clone(), j["failed"].clone()),
        (json!("partial"), json!(4), json!(3))
    );
    let page = first_page(&c, &j);
    let errors: Vec<&str> = page["videos"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["error"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(errors[0], "");
    assert!(errors[1].contains("not a valid MP4"), "{errors:?}");
    assert!(errors[2].contains("object not found"), "{errors:?}");
    assert!(errors[3].contains(".mp4"), "{errors:?}");
    assert_eq!(
        c.json(
            "POST",
            "/api/gcs/upload",
            &json!({"integration_id": gid, "files": []})
        )
        .unwrap()
        .status,
        422
    );
}

#[test]
fn import_pages_validate_their_parameters() {
    let (_d, _e, c) = fresh(&[]);
    let seeded = admin(&c)
        .json(
            "POST",
            &format!("/__emulator/import-jobs?api_key={KEY}"),
            &json!({"total": 1234, "failed_every": 100}),
        )
        .unwrap()
        .json();
    let id = seeded["import_job_id"].as_str().unwrap();
    let base = format!("/api/import-jobs/{id}/videos");
    for q in [
        "?limit=0",
        "?limit=99999",
        "?limit=abc",
        "?offset=-1",
        "?cursor=x&offset=3",
    ] {
        assert_eq!(c.get(&format!("{base}{q}")).unwrap().status, 422, "{q}");
    }
    assert_eq!(
        c.get(&format!("{base}?cursor=not-a-row")).unwrap().status,
        422
    );
    let mut cursor = String::new();
    let mut seen = 0;
    let mut failed = 0;
    loop {
        let p = c.get(&format!("{base}?limit=500{cursor}")).unwrap().json();
        seen += p["video_count"].as_u64().unwrap();
        failed += p["videos"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["status"] == "UPLOADING_FAILED")
            .count();
        if p["has_more"] == false {
            assert_eq!(p["next_cursor"], Value::Null);
            break;
        }
        cursor = format!("&cursor={}", p["next_cursor"].as_str().unwrap());
    }
    assert_eq!((seen, failed), (1234, 12));
    let j = c.get(&format!("/api/import-jobs/{id}")).unwrap().json();
    assert_eq!(
        (j["status"].clone(), j["total"].clone()),
        (json!("partial"), json!(1234))
    );
    let other = Client {
        addr: c.addr.clone(),
        key: Some("someone-else".into()),
    };
    assert_eq!(other.get(&base).unwrap().status, 401);
}

#[test]
fn ask_is_accepted_then_polled_to_ui_shaped_events() {
    let (_d, _e, c) = fresh(&[]);
    let rules = json!({"rules": [{"match": {"analysis_type": "ask", "query": "sidewalk"}, "summary": "One van.",
        "events": [{"t_start": 3, "t_end": 7.5, "category": "Parking", "label": "Van", "approval": "approved", "confidence": 0.9,
                    "overlay": {"timestamp": ["08:00:03", "08:00:07"]}, "box": [0.1, 0.1, 0.2, 0.2]}]}]});
    assert_eq!(
        admin(&c)
            .json("POST", "/__emulator/rules", &rules)
            .unwrap()
            .json()["rules"],
        1
    );
    assert_eq!(
        admin(&c)
            .json(
                "POST",
                "/__emulator/rules",
                &json!({"rules": [{"match": {"analysis_type": "x"}}]})
            )
            .unwrap()
            .status,
        400
    );
    let v = vid(&c, "cam.mp4", 60.0);
    let q = "driving-----------EVENT_DESCRIPTION-----------vans on the sidewalk";
    let r = c
        .form(
            "/api/ask",
            &[
                ("question", q),
                ("video_id", &v),
                ("is_thumbnail", "False"),
                ("use_enhanced_motion_analysis", "False"),
                ("config", "default"),
                ("confidence", "low"),
                ("extract_frame_timestamps", "True"),
            ],
        )
        .unwrap();
    assert_eq!(r.status, 202);
    let aid = r.json()["analysis_id"].as_str().unwrap().to_string();
    let s = c
        .get(&format!(
            "/api/videos/{v}/analyses/{aid}/status?collection=videos"
        ))
        .unwrap()
        .json();
    assert_eq!(
        (s["status"].clone(), s["answer"].clone()),
        (json!("COMPLETED"), json!("One van."))
    );
    let e = &s["events"][0];
    assert_eq!(
        (e["type"].clone(), e["time"].clone(), e["end_time"].clone()),
        (json!("Parking"), json!("t=3"), json!("t=7.5"))
    );
    assert_eq!(
        (e["description"].clone(), e["approval"].clone()),
        (json!("Van"), json!("approved"))
    );
    assert_eq!(e["data"]["confidence"], 0.9);
    assert_eq!(e["data"]["frame_timestamp_start"], "08:00:03");
    let bad = c
        .form(
            "/api/ask",
            &[("question", q), ("video_id", &v), ("confidence", "medium")],
        )
        .unwrap();
    assert_eq!(bad.status, 422);
    // Thumbnails exist only once generated, then are real PNGs.
    let thumb = format!("/api/thumbnails/{aid}/0.png");
    assert_eq!(admin(&c).get(&thumb).unwrap().status, 404);
    let g = c
        .form(
            &format!("/api/videos/{v}/analyses/{aid}/generate-thumbnails"),
            &[("firebase_collection_name", "videos")],
        )
        .unwrap()
        .json();
    let url = g["events"][0]["annotated_thumbnail_url"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(url.ends_with(&thumb));
    let png = admin(&c).get(&thumb).unwrap();
    assert_eq!(png.header("content-type"), Some("image/png"));
    assert!(png.body.starts_with(b"\x89PNG"));
    assert_eq!(
        png.header("cross-origin-resource-policy"),
        Some("cross-origin")
    );
    assert_eq!(
        admin(&c)
            .get(&format!("/api/thumbnails/{aid}/1.png"))
            .unwrap()
            .status,
        404
    );
}

#[test]
fn analyses_finish_after_the_processing_delay() {
    let dir = TempDir::new("delay");
    let emu = start(&dir, &["--processing-delay-ms", "400"]);
    let c = emu.client(KEY);
    let v = vid(&c, "a.mp4", 10.0);
    let r = c
        .form(
            &format!("/api/analyze-video-edge/{v}"),
            &[
                ("edge_case_category", "Vehicle Turns"),
                ("mode", "assistant"),
                ("concepts_json", "[]"),
                ("assistant_edge_cases_json", "[]"),
            ],
        )
        .unwrap();
    let aid = r.json()["analysis_id"].as_str().unwrap().to_string();
    let doc = c
        .get(&format!("/api/videos/{v}/analyses/{aid}"))
        .unwrap()
        .json();
    assert_eq!(doc["analysis"]["status"], "processing");
    assert_eq!(doc["analysis"]["events"], json!([]));
    let mut done = Value::Null;
    for _ in 0..200 {
        done = c
            .get(&format!("/api/videos/{v}/analyses/{aid}"))
            .unwrap()
            .json();
        if done["analysis"]["status"] == "completed" {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(
        done["analysis"]["events"][0]["description"],
        "vehicle turns"
    );
    assert_eq!(
        done["metadata"]["visual_analysis"]["status"]["status"],
        "COMPLETED"
    );
    let bad = c
        .form(
            &format!("/api/analyze-video-edge/{v}"),
            &[
                ("edge_case_category", "Vehicle Turns"),
                ("concepts_json", "{oops"),
            ],
        )
        .unwrap();
    assert_eq!(bad.status, 422);
}

#[test]
fn batches_status_bulk_and_metadata() {
    let (_d, _e, c) = fresh(&[]);
    let a = vid(&c, "a.mp4", 10.0);
    let b = vid(&c, "b.mp4", 10.0);
    let r = c
        .form(
            "/api/create-batch",
            &[
                ("video_ids", &a),
                ("video_ids", "missing"),
                ("video_ids", &b),
                ("analysis_kind", "rapid_review"),
                ("prompt", "red car"),
                ("category", "driving"),
                ("is_thumbnail", "false"),
                ("start", "true"),
                ("client_batch_id", "0123abcd"),
            ],
        )
        .unwrap();
    let bid = r.json()["batch_id"].as_str().unwrap().to_string();
    let again = c
        .form(
            "/api/create-batch",
            &[
                ("video_ids", &a),
                ("analysis_kind", "rapid_review"),
                ("prompt", "red car"),
                ("client_batch_id", "0123abcd"),
            ],
        )
        .unwrap();
    assert_eq!(again.json()["batch_id"], bid.as_str());
    let s = c.get(&format!("/api/batch/{bid}/status")).unwrap().json();
    assert_eq!(s["status"], "completed");
    assert_eq!(
        s["aggregated_progress"],
        json!({"total": 3, "completed": 2, "failed": 1})
    );
    let rows = s["videos"].as_array().unwrap();
    assert_eq!(
        rows.iter()
            .map(|r| r["video_id"].as_str().unwrap())
            .collect::<Vec<_>>(),
        vec![a.as_str(), "missing", b.as_str()]
    );
    assert!(rows[1]["last_error"]
        .as_str()
        .unwrap()
        .contains("not found"));
    assert_eq!(s["config"]["prompt"], "red car");
    assert!(c
        .get(&format!("/api/batch/{bid}/status?include_videos=false"))
        .unwrap()
        .json()
        .get("videos")
        .is_none());
    let bulk = c
        .json(
            "POST",
            &format!("/api/batch/{bid}/analyses/bulk?include_source_uri=true"),
            &json!({"video_ids": [a, "missing"]}),
        )
        .unwrap()
        .json();
    assert_eq!(
        bulk["analyses"][0]["analysis"]["events"][0]["description"],
        "red car"
    );
    assert_eq!(bulk["unresolved_video_ids"], json!(["missing"]));
    let many: Vec<String> = (0..501).map(|i| format!("v{i}")).collect();
    assert_eq!(
        c.json(
            "POST",
            &format!("/api/batch/{bid}/analyses/bulk"),
            &json!({"video_ids": many})
        )
        .unwrap()
        .status,
        422
    );
    let m = c
        .json(
            "POST",
            &format!("/api/batch/{bid}/metadata"),
            &json!({"metadata": "{\"v\": 1, \"name\": \"x\"}"}),
        )
        .unwrap()
        .json();
    assert_eq!(m["metadata"], json!({"v": 1, "name": "x"}));
    for bad in [
        "{\"flag\": true}",
        "{\"n\": null}",
        "{\"a\": [1]}",
        "{\"o\": {}}",
        "[1]",
        "nope",
    ] {
        let r = c
            .json(
                "POST",
                &format!("/api/batch/{bid}/metadata"),
                &json!({ "metadata": bad }),
            )
            .unwrap();
        assert_eq!(r.status, 422, "{bad}");
    }
    assert_eq!(
        c.form(
            "/api/create-batch",
            &[("analysis_kind", "rapid_review"), ("prompt", "x")]
        )
        .unwrap()
        .status,
        422
    );
}

#[test]
fn structured_odd_has_exactly_the_requested_columns() {
    let (_d, _e, c) = fresh(&[]);
    let v = vid(&c, "a.mp4", 11.0);
    let cols = json!([{"name": "timestamp", "prompt": "p", "type": "YYYY-MM-DDTHH:MM:SSZ"},
        {"name": "weird, \"name\"", "prompt": "p", "type": "string"},
        {"name": "lanes", "prompt": "p", "type": "integer"}]);
    let r = c
        .form(
            "/api/ask-question",
            &[
                ("question", "odd_export"),
                ("prompt_type", "odd_export"),
                ("video_id", &v),
                ("reasoning_trace_path", "user-status/dev/x"),
                ("custom_columns", &cols.to_string()),
            ],
        )
        .unwrap()
        .json();
    let csv = r["answer"].as_str().unwrap();
    let lines: Vec<&str> = csv.split("\r\n").collect();
    assert_eq!(lines[0], "timestamp,\"weird, \"\"name\"\"\",lanes");
    assert_eq!(lines.len(), 1 + 3);
    assert_eq!(lines[3], "2024-01-01T00:00:10Z,segment 3,0");
    for bad in [
        json!([]),
        json!([{"name": "x", "type": "string"}]),
        json!([{"name": "x", "prompt": "p", "type": "t", "literals": [1]}]),
    ] {
        let r = c
            .form(
                "/api/ask-question",
                &[
                    ("prompt_type", "odd_export"),
                    ("video_id", &v),
                    ("custom_columns", &bad.to_string()),
                ],
            )
            .unwrap();
        assert_eq!(r.status, 422, "{bad}");
    }
}

#[test]
fn search_sessions_start_run_and_poll() {
    let (_d, _e, c) = fresh(&[]);
    let f = c
        .json(
            "POST",
            "/api/folders",
            &json!({"name": "fleet", "scope": "user"}),
        )
        .unwrap()
        .json();
    let fid = f["id"].as_str().unwrap();
    let v = upload(&c, "a.mp4", &synth(5.0, 8, 8, 0), &[("folder_id", fid)]).json()["video_id"]
        .as_str()
        .unwrap()
        .to_string();
    c.form(
        "/api/ask",
        &[("question", "yellow taxi at the curb"), ("video_id", &v)],
    )
    .unwrap();
    let s = c
        .json(
            "POST",
            "/api/search-sessions/start",
            &json!({"query": "yellow taxi", "folder_name": "fleet", "scope": "my"}),
        )
        .unwrap()
        .json();
    let (sid, owner) = (
        s["session_id"].as_str().unwrap(),
        s["owner_uid"].as_str().unwrap(),
    );
    let pending = c
        .get(&format!("/api/search-sessions/{owner}/{sid}"))
        .unwrap()
        .json();
    assert_eq!(pending["data"]["status"], "pending");
    let run = c
        .form(
            "/api/search?folder_collection=my",
            &[
                ("query", "yellow taxi"),
                ("folder", "fleet"),
                ("session_id", sid),
                ("session_doc_path", "p"),
                ("reasoning_trace_path", "p"),
            ],
        )
        .unwrap();
    assert_eq!(run.status, 200);
    let done = c
        .get(&format!("/api/search-sessions/{owner}/{sid}"))
        .unwrap()
        .json();
    assert_eq!(done["data"]["status"], "completed");
    assert_eq!(done["data"]["matches"][0]["video_id"], v.as_str());
    assert_eq!(
        c.json(
            "POST",
            "/api/search-sessions/start",
            &json!({"query": "", "folder_name": "fleet"})
        )
        .unwrap()
        .status,
        422
    );
}

#[test]
fn bucket_objects_never_resolve_through_a_symlink() {
    let bucket = TempDir::new("s3");
    let outside = TempDir::new("outside");
    std::fs::write(outside.path().join("secret.mp4"), synth(2.0, 8, 8, 0)).unwrap();
    std::fs::write(bucket.path().join("real.mp4"), synth(2.0, 8, 8, 0)).unwrap();
    let link = |to: &std::path::Path, name: &str| {
        std::os::unix::fs::symlink(to, bucket.path().join(name)).unwrap()
    };
    link(&outside.path().join("secret.mp4"), "link.mp4");
    link(outside.path(), "linked");
    let map = format!("s3://fleet={}", bucket.path().display());
    let (_d, _e, c) = fresh(&["--bucket", &map]);
    let keys = ["real.mp4", "link.mp4", "linked/secret.mp4"];
    let job = c.json("POST", "/api/s3/upload", &json!({"keys": keys, "bucket": "fleet", "collection": "videos", "folder_id": null, "scope": "user"})).unwrap();
    let j = wait_job(&c, job.json()["import_job_id"].as_str().unwrap());
    assert_eq!(
        (j["total"].clone(), j["failed"].clone()),
        (json!(3), json!(2))
    );
    let page = first_page(&c, &j);
    let rows = page["videos"].as_array().unwrap();
    assert_eq!(rows[0]["status"], "UPLOADED");
    for row in &rows[1..] {
        assert_eq!(row["status"], "UPLOADING_FAILED", "{row}");
        assert!(row["error"].as_str().unwrap().contains("symlink"), "{row}");
    }
    // The admin writer cannot write through a symlinked directory either.
    let put = |key: &str| {
        let path = "/__emulator/buckets/s3/fleet/".to_string() + key;
        let body = Some(("video/mp4", b"x".to_vec()));
        admin(&c).send("PUT", &path, &[], body).unwrap().status
    };
    assert_eq!(put("linked/planted.mp4"), 400);
    assert!(!outside.path().join("planted.mp4").exists());
    assert_eq!(put("new/fine.mp4"), 200);
}
