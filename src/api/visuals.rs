//! Thumbnails (API.md §16): `generate-thumbnails` makes missing ones and lists their URLs.

use super::validate::{id, invalid};
use super::{path, Body, Call, Request, Seg, Transport};
use crate::error::Error;
use crate::value::{int_text, Value};

/// The thumbnail URLs of an analysis's events, in event order (empty ones dropped).
pub async fn urls<T: Transport>(
    c: &Call<'_, T>,
    video_id: &str,
    analysis_id: &str,
) -> Result<Vec<String>, Error> {
    let v = id("video id", video_id)?;
    let a = id("analysis id", analysis_id)?;
    let url = path(&[
        Seg::Lit("/api/videos/"),
        Seg::Id(&v),
        Seg::Lit("/analyses/"),
        Seg::Id(&a),
        Seg::Lit("/generate-thumbnails"),
    ]);
    let form = Body::Form(vec![(
        "firebase_collection_name",
        c.names.collection.clone(),
    )]);
    let doc = c.read::<Value>(Request::post(url, form)).await?;
    let mut urls = Vec::new();
    for e in doc.get("events").and_then(Value::arr).unwrap_or(&[]) {
        match e.get_str("annotated_thumbnail_url") {
            Some(u) if !u.is_empty() => urls.push(u.to_string()),
            _ => {}
        }
    }
    Ok(urls)
}

/// One event's thumbnail URL; an index outside the list is an error naming the valid range.
pub async fn one<T: Transport>(
    c: &Call<'_, T>,
    video_id: &str,
    analysis_id: &str,
    index: f64,
) -> Result<String, Error> {
    if index.fract() != 0.0 || index < 0.0 {
        return Err(invalid("eventIdx must be a whole number, 0 or more"));
    }
    let all = urls(c, video_id, analysis_id).await?;
    match all.get(index as usize) {
        Some(u) => Ok(u.clone()),
        None if all.is_empty() => Err(invalid(
            "analysis ".to_string() + analysis_id + " has no thumbnails",
        )),
        None => Err(invalid(
            "eventIdx ".to_string()
                + &int_text(index as i64)
                + " is out of range: valid indexes are 0 to "
                + &int_text(all.len() as i64 - 1),
        )),
    }
}
