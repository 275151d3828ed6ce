//! Cloud imports, import jobs (`for await` pages and rows, the readiness wait), cloud
//! integrations and multi-view uploads, against the emulator's mapped buckets
//! (`gs://sdk-gcs` and `s3://sdk-s3`, filled over its admin API).

use super::*;

#[wasm_bindgen(module = "/tests/suite/helpers.js")]
extern "C" {
    #[wasm_bindgen(js_name = putObject)]
    fn put_object(
        base: &str,
        provider: &str,
        bucket: &str,
        key: &str,
        bytes: &JsValue,
        token: &str,
    ) -> Promise;
    #[wasm_bindgen(js_name = seedJob)]
    fn seed_job(base: &str, key: &str, total: f64, token: &str) -> Promise;
    fn take(iterable: &JsValue, n: f64) -> Promise;
}

const GCS: &str = "sdk-gcs";
const S3: &str = "sdk-s3";

async fn put(provider: &str, bucket: &str, key: &str, seconds: f64) {
    wait(put_object(
        BASE,
        provider,
        bucket,
        key,
        &mp4(seconds, 100.0),
        ADMIN_TOKEN,
    ))
    .await
    .expect("put object");
}

async fn gcs_integration(c: &NomadicClient) -> JsValue {
    let creds = o(&[
        ("type", s("service_account")),
        ("client_email", s("sdk@test.iam")),
        ("private_key", s("-----BEGIN KEY-----")),
    ]);
    let opts = o(&[
        ("type", s("gcs")),
        ("name", s("sdk bucket")),
        ("bucket", s(GCS)),
        ("prefix", s("runs/")),
        ("credentials", creds),
    ]);
    wait(c.cloud_integrations().add(opts))
        .await
        .expect("add gcs integration")
}

fn wait_opts(extra: &[(&str, JsValue)]) -> JsValue {
    let mut pairs = vec![("pollIntervalMs", n(100.0)), ("timeoutMs", n(60_000.0))];
    pairs.extend(extra.iter().cloned());
    o(&pairs)
}

fn strings(v: &[JsValue], k: &str) -> Vec<String> {
    v.iter().map(|x| text(x, k)).collect()
}

#[wasm_bindgen_test]
async fn a_forty_object_gcs_import_is_waited_to_completion() {
    let c = client();
    let run = unique();
    let uris = Array::new();
    for i in 0..40 {
        let key = run.clone() + "/cam_" + &format!("{i:03}") + ".mp4";
        put("gcs", GCS, &key, 10.0 + i as f64).await;
        uris.push(&s(&("gs://".to_string() + GCS + "/" + &key)));
    }
    let integration = gcs_integration(&c).await;
    assert_eq!(text(&integration, "bucket"), GCS);
    let listed = list(
        &wait(c.cloud_integrations().list(o(&[("type", s("gcs"))])))
            .await
            .unwrap(),
    );
    assert!(listed
        .iter()
        .any(|i| text(i, "id") == text(&integration, "id")));
    assert!(
        !JSON::stringify(&JsValue::from(Array::from_iter(listed.iter())))
            .unwrap()
            .as_string()
            .unwrap()
            .contains("BEGIN KEY")
    );

    let started = wait(c.upload(uris.into(), o(&[("folder", s(&run))])))
        .await
        .expect("upload");
    assert_eq!(text(&started, "status"), "importing");
    let id = text(&started, "import_job_id");
    let rec = recorder();
    let done = wait(c.video().wait_for_import_job(
        s(&id),
        wait_opts(&[("onProgress", get(&rec, "fn")), ("limit", n(7.0))]),
    ))
    .await
    .expect("wait");
    let rows = list(&get(&done, "rows"));
    assert_eq!(rows.len(), 40);
    assert!(rows.iter().all(|r| text(r, "status") == "UPLOADED"));
    assert_eq!(list(&get(&done, "uploaded_video_ids")).len(), 40);
    assert!(list(&get(&done, "failed_rows")).is_empty());
    assert_eq!(get(&get(&done, "job"), "total").as_f64(), Some(40.0));
    let progress = list(&get(&rec, "events"));
    let last = progress.last().expect("progress after each poll");
    assert_eq!(
        (
            get(last, "materialized").as_f64(),
            get(last, "uploaded").as_f64()
        ),
        (Some(40.0), Some(40.0))
    );
    let vids = videos_in(&c, &run, "user").await;
    let mut durations: Vec<f64> = vids
        .iter()
        .map(|v| get(v, "duration_s").as_f64().unwrap())
        .collect();
    durations.sort_by(f64::total_cmp);
    assert_eq!(
        durations,
        (0..40).map(|i| 10.0 + i as f64).collect::<Vec<_>>()
    );
    // The flat proxy and the job document.
    let job = wait(c.get_import_job(s(&id), JsValue::UNDEFINED))
        .await
        .unwrap();
    assert_eq!(
        (text(&job, "source"), text(&job, "folder_name")),
        ("gcs".to_string(), run.clone())
    );
}

#[wasm_bindgen_test]
async fn for_await_gives_every_page_and_row_once() {
    let c = client();
    let id = wait(seed_job(BASE, KEY, 1234.0, ADMIN_TOKEN))
        .await
        .unwrap()
        .as_string()
        .unwrap();
    let pages = list(
        &wait(take(
            &c.video()
                .import_job_pages(s(&id), o(&[("limit", n(100.0))]))
                .unwrap(),
            -1.0,
        ))
        .await
        .unwrap(),
    );
    assert_eq!(pages.len(), 13);
    let from_pages: Vec<String> = pages
        .iter()
        .flat_map(|p| strings(&list(&get(p, "videos")), "video_id"))
        .collect();
    let rows = list(
        &wait(take(
            &c.video()
                .import_job_rows(s(&id), o(&[("limit", n(500.0))]))
                .unwrap(),
            -1.0,
        ))
        .await
        .unwrap(),
    );
    let from_rows = strings(&rows, "video_id");
    assert_eq!(from_rows.len(), 1234);
    assert_eq!(from_rows, from_pages);
    let unique: std::collections::BTreeSet<_> = from_rows.iter().collect();
    assert_eq!(unique.len(), 1234);
    // Offset pages and the deprecated alias read the same rows.
    let by_offset = wait(
        c.video()
            .get_import_job_videos(s(&id), o(&[("limit", n(100.0)), ("offset", n(100.0))])),
    )
    .await
    .unwrap();
    assert_eq!(
        strings(&list(&get(&by_offset, "videos")), "video_id"),
        from_rows[100..200].to_vec()
    );
    let alias = wait(
        c.video()
            .get_import_job_uploaded_video_ids(s(&id), o(&[("limit", n(3.0))])),
    )
    .await
    .unwrap();
    assert_eq!(
        strings(&list(&get(&alias, "videos")), "video_id"),
        from_rows[..3].to_vec()
    );
}

#[wasm_bindgen_test]
async fn leaving_a_loop_early_sends_nothing_more() {
    let c = client();
    let id = wait(seed_job(BASE, KEY, 1000.0, ADMIN_TOKEN))
        .await
        .unwrap()
        .as_string()
        .unwrap();
    let path = "/api/import-jobs/".to_string() + &id + "/videos";
    clear_log().await;
    let two = list(
        &wait(take(
            &c.video()
                .import_job_pages(s(&id), o(&[("limit", n(100.0))]))
                .unwrap(),
            2.0,
        ))
        .await
        .unwrap(),
    );
    assert_eq!(two.len(), 2);
    wait(delay(200.0)).await.unwrap();
    assert_eq!(log_for(&path).await.len(), 2);
    clear_log().await;
    let rows = list(
        &wait(take(
            &c.video()
                .import_job_rows(s(&id), o(&[("limit", n(100.0))]))
                .unwrap(),
            150.0,
        ))
        .await
        .unwrap(),
    );
    assert_eq!(rows.len(), 150);
    wait(delay(200.0)).await.unwrap();
    assert_eq!(log_for(&path).await.len(), 2);
    // An aborted iteration rejects with AbortError.
    let ctl = controller();
    let _ = js_sys::Reflect::get(&ctl, &s("abort"))
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
        .map(|f| f.call0(&ctl));
    let e = wait(take(
        &c.video()
            .import_job_rows(s(&id), o(&[("signal", get(&ctl, "signal"))]))
            .unwrap(),
        -1.0,
    ))
    .await
    .unwrap_err();
    assert_eq!(text(&e, "name"), "AbortError");
}

#[wasm_bindgen_test]
async fn a_missing_s3_object_is_one_failed_row() {
    let c = client();
    let run = unique();
    put("s3", S3, &(run.clone() + "/a.mp4"), 3.0).await;
    put("s3", S3, &(run.clone() + "/b.mp4"), 4.0).await;
    let uri = |k: &str| s(&("s3://".to_string() + S3 + "/" + &run + "/" + k));
    let uris: Array = [uri("a.mp4"), uri("missing.mp4"), uri("b.mp4")]
        .iter()
        .collect();
    let started = wait(c.upload(uris.into(), o(&[("folder", s(&run)), ("scope", s("org"))])))
        .await
        .expect("upload");
    let done = wait(
        c.video()
            .wait_for_import_job(get(&started, "import_job_id"), wait_opts(&[])),
    )
    .await
    .expect("wait");
    let failed = list(&get(&done, "failed_rows"));
    assert_eq!(failed.len(), 1);
    assert!(text(&failed[0], "import_source_uri").ends_with("/missing.mp4"));
    assert!(
        text(&failed[0], "error").contains("not found"),
        "{}",
        text(&failed[0], "error")
    );
    assert_eq!(list(&get(&done, "uploaded_video_ids")).len(), 2);
}

#[wasm_bindgen_test]
async fn a_cloud_multiview_job_counts_sets() {
    let c = client();
    let run = unique();
    for k in ["t1/front.mp4", "t1/left.mp4", "t2/front.mp4", "t2/rear.mp4"] {
        put("s3", S3, &(run.clone() + "/" + k), 5.0).await;
    }
    let uri = |k: &str| s(&("s3://".to_string() + S3 + "/" + &run + "/" + k));
    let sets = Array::of2(
        &o(&[("left", uri("t1/left.mp4")), ("front", uri("t1/front.mp4"))]),
        &o(&[("front", uri("t2/front.mp4")), ("rear", uri("t2/rear.mp4"))]),
    );
    let started = wait(c.upload(
        sets.into(),
        o(&[
            ("folder", s(&run)),
            ("scope", s("org")),
            ("waitForUploaded", JsValue::TRUE),
        ]),
    ))
    .await
    .expect("upload");
    assert_eq!(text(&started, "status"), "importing");
    let done = wait(
        c.video()
            .wait_for_import_job(get(&started, "import_job_id"), wait_opts(&[])),
    )
    .await
    .expect("wait");
    assert_eq!(get(&get(&done, "job"), "total").as_f64(), Some(2.0));
    let mut fronts = strings(&list(&get(&done, "rows")), "import_source_uri");
    fronts.sort();
    assert_eq!(
        fronts,
        vec![
            uri("t1/front.mp4").as_string().unwrap(),
            uri("t2/front.mp4").as_string().unwrap()
        ]
    );
}

#[wasm_bindgen_test]
async fn a_local_multiview_set_is_uploaded_and_stitched() {
    let c = client();
    let folder = unique();
    let set = o(&[
        ("Front", video("f.mp4", 6.0, 10.0)),
        ("left", video("l.mp4", 6.0, 10.0)),
        ("right", blob(&mp4(6.0, 10.0), "video/mp4")),
    ]);
    // A Blob view has no name: the whole set is refused before anything is sent.
    let e = wait(c.upload(set, o(&[("folder", s(&folder))])))
        .await
        .unwrap_err();
    assert_eq!(text(&e, "name"), "ValidationError");
    let set = o(&[
        ("Front", video("f.mp4", 6.0, 10.0)),
        ("left", video("l.mp4", 6.0, 10.0)),
        ("right", video("r.mp4", 6.0, 10.0)),
    ]);
    let rec = recorder();
    let r = wait(c.upload(
        set,
        o(&[
            ("folder", s(&folder)),
            ("onProgress", get(&rec, "fn")),
            fast(),
        ]),
    ))
    .await
    .expect("multi-view");
    let views = get(&r, "views");
    assert_eq!(text(&views, "front"), text(&r, "video_id"));
    assert_eq!(text(&r, "status"), "uploaded");
    assert!(get(&r, "stitch_error").is_undefined());
    let vids = videos_in(&c, &folder, "user").await;
    assert_eq!(vids.len(), 3);
    let front = vids
        .iter()
        .find(|v| text(v, "video_id") == text(&r, "video_id"))
        .expect("front listed");
    assert_eq!(text(&get(front, "views"), "left"), text(&views, "left"));
    let names: std::collections::BTreeSet<String> = list(&get(&rec, "events"))
        .iter()
        .map(|e| text(e, "name"))
        .collect();
    assert_eq!(
        names.into_iter().collect::<Vec<_>>(),
        vec!["f.mp4", "l.mp4", "r.mp4"]
    );
}

#[wasm_bindgen_test]
async fn every_cloud_rule_sends_nothing() {
    let c = client();
    clear_log().await;
    let arr = |items: &[&str]| -> JsValue { items.iter().map(|i| s(i)).collect::<Array>().into() };
    let cases: Vec<(&str, Promise)> = vec![
        (
            "two providers",
            c.upload(arr(&["gs://b/a.mp4", "s3://b/b.mp4"]), JsValue::UNDEFINED),
        ),
        (
            "two buckets",
            c.upload(arr(&["s3://b/a.mp4", "s3://c/b.mp4"]), JsValue::UNDEFINED),
        ),
        ("not mp4", c.upload(s("s3://b/a.mov"), JsValue::UNDEFINED)),
        (
            "wildcard",
            c.upload(s("s3://b/videos/*.mp4"), JsValue::UNDEFINED),
        ),
        ("no object", c.upload(s("s3://b/"), JsValue::UNDEFINED)),
        ("no bucket", c.upload(s("gs:///a.mp4"), JsValue::UNDEFINED)),
        (
            "name",
            c.upload(s("s3://b/a.mp4"), o(&[("name", s("x.mp4"))])),
        ),
        (
            "sidecar",
            c.upload(
                Array::of2(&s("s3://b/a.mp4"), &o(&[("a", n(1.0))])).into(),
                JsValue::UNDEFINED,
            ),
        ),
        (
            "mixed with a file",
            c.upload(
                Array::of2(&s("s3://b/a.mp4"), &video("x.mp4", 1.0, 1.0)).into(),
                JsValue::UNDEFINED,
            ),
        ),
        (
            "blank integration",
            c.upload(s("s3://b/a.mp4"), o(&[("integrationId", s(" "))])),
        ),
        (
            "integration for a file",
            c.upload(
                video("x.mp4", 1.0, 1.0),
                o(&[("integrationId", s("int_1"))]),
            ),
        ),
        (
            "view set without front",
            c.upload(o(&[("left", s("s3://b/l.mp4"))]), JsValue::UNDEFINED),
        ),
        (
            "view set mixing cloud and file",
            c.upload(
                o(&[
                    ("front", s("s3://b/f.mp4")),
                    ("left", video("l.mp4", 1.0, 1.0)),
                ]),
                JsValue::UNDEFINED,
            ),
        ),
        (
            "duplicate views",
            c.upload(
                o(&[("front", s("s3://b/f.mp4")), ("FRONT", s("s3://b/g.mp4"))]),
                JsValue::UNDEFINED,
            ),
        ),
        (
            "name on multi-view",
            c.upload(o(&[("front", s("s3://b/f.mp4"))]), o(&[("name", s("n"))])),
        ),
        (
            "cursor and offset",
            c.video()
                .get_import_job_videos(s("ij_x"), o(&[("cursor", s("a")), ("offset", n(1.0))])),
        ),
        (
            "limit 0",
            c.video()
                .get_import_job_videos(s("ij_x"), o(&[("limit", n(0.0))])),
        ),
        (
            "limit too big",
            c.video()
                .get_import_job_videos(s("ij_x"), o(&[("limit", n(9999.0))])),
        ),
        (
            "blank job id",
            c.video().get_import_job(s(""), JsValue::UNDEFINED),
        ),
        (
            "wait interval 0",
            c.video()
                .wait_for_import_job(s("ij_x"), o(&[("pollIntervalMs", n(0.0))])),
        ),
        (
            "integration type",
            c.cloud_integrations().add(o(&[
                ("type", s("azure")),
                ("name", s("n")),
                ("bucket", s("b")),
                ("credentials", o(&[])),
            ])),
        ),
        (
            "no credentials",
            c.cloud_integrations().add(o(&[
                ("type", s("gcs")),
                ("name", s("n")),
                ("bucket", s("b")),
            ])),
        ),
        (
            "credentials not json",
            c.cloud_integrations().add(o(&[
                ("type", s("gcs")),
                ("name", s("n")),
                ("bucket", s("b")),
                ("credentials", s("nope")),
            ])),
        ),
        (
            "s3 without region",
            c.cloud_integrations().add(o(&[
                ("type", s("s3")),
                ("name", s("n")),
                ("bucket", s("b")),
                (
                    "credentials",
                    o(&[("accessKeyId", s("a")), ("secretAccessKey", s("b"))]),
                ),
            ])),
        ),
        (
            "s3 without secret",
            c.cloud_integrations().add(o(&[
                ("type", s("s3")),
                ("name", s("n")),
                ("bucket", s("b")),
                ("region", s("r")),
                ("credentials", o(&[("accessKeyId", s("a"))])),
            ])),
        ),
        (
            "blank integration name",
            c.cloud_integrations().add(o(&[
                ("type", s("gcs")),
                ("name", s(" ")),
                ("bucket", s("b")),
                ("credentials", o(&[("k", s("v"))])),
            ])),
        ),
    ];
    all_invalid(cases).await;
    for (what, r) in [
        (
            "pages with blank id",
            c.video().import_job_pages(s(""), JsValue::UNDEFINED),
        ),
        (
            "rows with limit 0",
            c.video()
                .import_job_rows(s("ij_x"), o(&[("limit", n(0.0))])),
        ),
        (
            "rows with a bad signal",
            c.video()
                .import_job_rows(s("ij_x"), o(&[("signal", n(1.0))])),
        ),
    ] {
        let e = r.expect_err(what);
        assert_eq!(
            class_chain(&e),
            "ValidationError>NomadicMLError>Error",
            "{what}"
        );
    }
    let sent = list(&adm("GET", "requests", JsValue::UNDEFINED).await);
    assert!(sent.is_empty(), "{} request(s) were sent", sent.len());
}

#[wasm_bindgen_test]
async fn gcs_without_a_saved_integration_asks_once_and_creates_nothing() {
    let c = client();
    let folder = unique();
    clear_log().await;
    let e = wait(c.upload(
        s("gs://no-integration-bucket/a.mp4"),
        o(&[("folder", s(&folder))]),
    ))
    .await
    .unwrap_err();
    assert_eq!(text(&e, "name"), "ValidationError");
    assert!(text(&e, "message").contains("no saved GCS integration"));
    let sent: Vec<String> = list(&adm("GET", "requests", JsValue::UNDEFINED).await)
        .iter()
        .map(|r| text(r, "path"))
        .collect();
    assert_eq!(
        sent,
        vec!["/api/cloud-integrations"],
        "no folder is created for a refused import"
    );
}
