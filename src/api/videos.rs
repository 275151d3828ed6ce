//! Listing, deleting and checking videos, and the key check.

use super::validate::{invalid, non_blank, scope_in};
use super::{path, Call, Doc, Method, Out, Request, Seg, Transport};
use crate::error::Error;
use crate::value::Value;

/// `GET /api/my-videos`: the `videos` list as the server sent it (`[]` when absent).
pub async fn my_videos<T: Transport>(
    c: &Call<'_, T>,
    folder: Option<&str>,
    scope_: Option<&str>,
) -> Result<Out<T::Doc>, Error> {
    let mut req = Request::get(path(&[Seg::Lit("/api/my-videos")]))
        .query("firebase_collection_name", c.names.collection.clone())
        .query("folder_collection", c.names.folder_collection.clone());
    if let Some(f) = folder {
        req = req.query("folder", non_blank("folder", f)?);
    }
    if let Some(s) = scope_ {
        // `sample` too: analysing a folder of the sample scope lists it first (API.md §9).
        req = req.query("scope", scope_in(Some(s), &["user", "org", "sample"])?);
    }
    // No `videos` is an empty list, as the Python client reads it; a `videos` that is not a
    // list is an answer of the wrong shape.
    match c.doc(req).await?.field("videos") {
        Some(list) if list.is_array() => Ok(Out::Doc(list)),
        Some(_) => Err(crate::transport::shape_error("'videos' is not a list")),
        None => Ok(Out::Made(Value::Arr(Vec::new()))),
    }
}

/// `DELETE /api/video/{id}`.
pub async fn delete<T: Transport>(c: &Call<'_, T>, video_id: &str) -> Result<T::Doc, Error> {
    c.doc(delete_request(c.names, video_id)?).await
}

/// The request `delete` sends.
pub fn delete_request(names: &super::Names, video_id: &str) -> Result<Request, Error> {
    let id = super::validate::id("video id", video_id)?;
    Ok(Request::new(
        Method::Delete,
        path(&[Seg::Lit("/api/video/"), Seg::Id(&id)]),
    )
    .query("firebase_collection_name", names.collection.clone()))
}

/// The longest a signed video URL may live (7 days).
pub const MAX_URL_SECONDS: f64 = 604_800.0;

/// `POST /api/video/{id}/signed-url` `{expires_in}` (API.md §18): an address that plays the
/// video without the key (a `<video>` element cannot send one), valid for `expires_in_s`.
pub async fn video_url<T: Transport>(
    c: &Call<'_, T>,
    video_id: &str,
    expires_in_s: f64,
) -> Result<String, Error> {
    let id = super::validate::id("video id", video_id)?;
    if !(expires_in_s.fract() == 0.0 && (1.0..=MAX_URL_SECONDS).contains(&expires_in_s)) {
        return Err(invalid(
            "expiresInS must be a whole number of seconds from 1 to 604800 (7 days)",
        ));
    }
    let body = crate::value::obj([("expires_in", Value::Num(expires_in_s))]);
    let req = Request::post(
        path(&[
            Seg::Lit("/api/video/"),
            Seg::Id(&id),
            Seg::Lit("/signed-url"),
        ]),
        super::Body::Json(crate::value::json_text(&body)),
    );
    let doc: Value = c.read(req).await?;
    doc.get_str("url")
        .map(str::to_string)
        .ok_or_else(|| crate::transport::shape_error("the signed-URL answer has no url"))
}

/// `POST /api/keys/verify` (no body).
pub async fn verify<T: Transport>(c: &Call<'_, T>) -> Result<T::Doc, Error> {
    c.doc(verify_request()).await
}

/// The request `verify` sends.
pub fn verify_request() -> Request {
    Request::new(Method::Post, path(&[Seg::Lit("/api/keys/verify")]))
}

/// `GET /api/video/{id}/status`.
pub async fn status<T: Transport>(c: &Call<'_, T>, video_id: &str) -> Result<Value, Error> {
    let req = Request::get(path(&[
        Seg::Lit("/api/video/"),
        Seg::Id(video_id),
        Seg::Lit("/status"),
    ]))
    .query("firebase_collection_name", c.names.collection.clone());
    c.read(req).await
}

/// Where a status document stands (API.md §1.7).
#[derive(Debug, PartialEq)]
pub enum Readiness {
    Ready,
    Failed(String),
    Waiting,
}

pub fn readiness(doc: &Value) -> Readiness {
    let meta = doc.get("metadata");
    let state = meta
        .and_then(|m| m.at(&["visual_analysis", "status", "status"]))
        .and_then(Value::str)
        .unwrap_or("")
        .to_ascii_uppercase();
    let chunks_total = meta
        .and_then(|m| m.get("chunks_total"))
        .and_then(Value::num)
        .filter(|n| *n > 0.0);
    if let Some(total) = chunks_total {
        let done = meta
            .and_then(|m| m.get("chunks_uploaded"))
            .and_then(Value::num)
            .unwrap_or(0.0);
        if done >= total {
            return Readiness::Ready;
        }
    } else if state == "UPLOADED" {
        return Readiness::Ready;
    }
    if state == "UPLOADING_FAILED" || state == "FAILED" {
        let reason = doc
            .get_str("error")
            .or_else(|| meta.and_then(|m| m.get_str("error")))
            .unwrap_or(&state);
        return Readiness::Failed(reason.to_string());
    }
    Readiness::Waiting
}

/// The status a caller sees: the top-level `status` lowercased, else the nested one, else `unknown`.
pub fn reported_status(doc: &Value) -> String {
    doc.get_str("status")
        .or_else(|| {
            doc.at(&["visual_analysis", "status", "status"])
                .and_then(Value::str)
        })
        .unwrap_or("unknown")
        .to_ascii_lowercase()
}

/// Checks a video id argument.
pub fn video_id_arg(id: &str) -> Result<String, Error> {
    non_blank("video id", id).map_err(|_| invalid("a video id must be a non-empty string"))
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::api::testing::{block_on, Fake};
    use crate::api::testing::{parse, ToJson};
    use crate::api::Names;

    #[test]
    fn a_video_url_is_asked_for_with_its_lifetime() {
        let f = Fake::default();
        f.answer(
            200,
            r#"{"url": "https://files/v1?sig=x", "expires_at": "2026-12-01T03:00:00Z"}"#,
        );
        let names = Names::default();
        let url = block_on(video_url(&f.call(&names), "v 1", 600.0)).unwrap();
        assert_eq!(url, "https://files/v1?sig=x");
        assert_eq!(f.paths(), ["POST /api/video/v%201/signed-url"]);
        assert_eq!(
            f.sent.borrow()[0].body,
            crate::api::Body::Json(r#"{"expires_in": 600}"#.into())
        );
        for bad in [0.0, 1.5, 604_801.0, f64::NAN] {
            let f = Fake::default();
            assert!(block_on(video_url(&f.call(&names), "v1", bad)).is_err());
            assert!(f.sent.borrow().is_empty());
        }
        let f = Fake::default();
        f.answer(200, r#"{"expires_at": "x"}"#);
        assert!(matches!(
            block_on(video_url(&f.call(&names), "v1", 60.0)),
            Err(Error::Network(_))
        ));
    }

    #[test]
    fn my_videos_query_and_result() {
        let f = Fake::default();
        f.answer(200, r#"{"videos": [{"video_id": "a"}]}"#)
            .answer(200, "{}");
        let names = Names::default();
        let c = Call {
            t: &f,
            ctx: &(),
            names: &names,
        };
        assert_eq!(
            block_on(my_videos(&c, Some("fleet uploads/ü&x=1"), None))
                .unwrap()
                .to_json(),
            r#"[{"video_id": "a"}]"#
        );
        assert_eq!(
            block_on(my_videos(&c, None, Some("org")))
                .unwrap()
                .to_json(),
            "[]"
        );
        assert_eq!(
            f.paths(),
            vec![
                "GET /api/my-videos?firebase_collection_name=videos&folder_collection=videoFolders&folder=fleet+uploads%2F%C3%BC%26x%3D1",
                "GET /api/my-videos?firebase_collection_name=videos&folder_collection=videoFolders&scope=org",
            ]
        );
    }

    #[test]
    fn delete_encodes_the_id() {
        let f = Fake::default();
        f.answer(200, r#"{"status": "deleted"}"#);
        let names = Names::default();
        block_on(delete(
            &Call {
                t: &f,
                ctx: &(),
                names: &names,
            },
            "clip 01 é",
        ))
        .unwrap();
        assert_eq!(
            f.paths(),
            vec!["DELETE /api/video/clip%2001%20%C3%A9?firebase_collection_name=videos"]
        );
    }

    #[test]
    fn readiness_rules() {
        let r = |t: &str| readiness(&parse(t).unwrap());
        assert_eq!(
            r(r#"{"metadata": {"visual_analysis": {"status": {"status": "uploaded"}}}}"#),
            Readiness::Ready
        );
        assert_eq!(
            r(
                r#"{"metadata": {"visual_analysis": {"status": {"status": "PREPARE_IN_PROGRESS"}}}}"#
            ),
            Readiness::Waiting
        );
        // With chunks, only the chunk count decides.
        assert_eq!(
            r(
                r#"{"metadata": {"chunks_total": 3, "chunks_uploaded": 2, "visual_analysis": {"status": {"status": "UPLOADED"}}}}"#
            ),
            Readiness::Waiting
        );
        assert_eq!(
            r(r#"{"metadata": {"chunks_total": 3, "chunks_uploaded": 3}}"#),
            Readiness::Ready
        );
        assert_eq!(
            r(
                r#"{"error": "bad mp4", "metadata": {"visual_analysis": {"status": {"status": "UPLOADING_FAILED"}}}}"#
            ),
            Readiness::Failed("bad mp4".into())
        );
        assert_eq!(r("{}"), Readiness::Waiting);
        assert_eq!(
            reported_status(
                &parse(r#"{"visual_analysis": {"status": {"status": "UPLOADED"}}}"#).unwrap()
            ),
            "uploaded"
        );
        assert_eq!(reported_status(&parse("{}").unwrap()), "unknown");
    }
}
