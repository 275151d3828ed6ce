//! Signed video URLs: an expiring address that serves the stored file, with Range requests.
mod common;
use common::*;
use serde_json::json;
use std::time::Duration;

#[test]
fn a_signed_url_serves_the_file_with_ranges_until_it_expires() {
    let (_d, _e, c) = fresh(&[]);
    let bytes = synth(4.0, 8, 8, 0);
    let id = upload(&c, "clip.mp4", &bytes, &[]).json()["video_id"]
        .as_str()
        .unwrap()
        .to_string();
    let signed = c
        .json(
            "POST",
            &format!("/api/video/{id}/signed-url"),
            &json!({"expires_in": 60}),
        )
        .unwrap();
    assert_eq!(signed.status, 200);
    let url = signed.json()["url"].as_str().unwrap().to_string();
    let path = &url[url.find("/api/video-files/").unwrap()..];
    // No key needed: the address is the credential (a <video> element cannot send headers).
    let open = admin(&c);
    let whole = open.get(path).unwrap();
    assert_eq!(whole.status, 200);
    assert_eq!(whole.header("content-type"), Some("video/mp4"));
    assert_eq!(whole.body, bytes);
    let part = open
        .send("GET", path, &[("Range", "bytes=10-19")], None)
        .unwrap();
    assert_eq!(part.status, 206);
    assert_eq!(
        part.header("content-range"),
        Some(format!("bytes 10-19/{}", bytes.len()).as_str())
    );
    assert_eq!(part.body, bytes[10..20]);

    assert_eq!(open.get("/api/video-files/vu_nope").unwrap().status, 404);
    for bad in [
        json!({"expires_in": 0}),
        json!({"expires_in": 1.5}),
        json!({"expires_in": "60"}),
    ] {
        let r = c
            .json("POST", &format!("/api/video/{id}/signed-url"), &bad)
            .unwrap();
        assert_eq!(r.status, 422, "{bad}");
    }
    let missing = c
        .json("POST", "/api/video/v_nope/signed-url", &json!({}))
        .unwrap();
    assert_eq!(missing.status, 404);
    let short = c
        .json(
            "POST",
            &format!("/api/video/{id}/signed-url"),
            &json!({"expires_in": 1}),
        )
        .unwrap()
        .json();
    let url = short["url"].as_str().unwrap();
    let path = &url[url.find("/api/video-files/").unwrap()..];
    assert_eq!(open.get(path).unwrap().status, 200);
    std::thread::sleep(Duration::from_millis(1100));
    assert_eq!(open.get(path).unwrap().status, 403);
}
