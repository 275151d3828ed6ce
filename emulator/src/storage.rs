//! Video bytes on disk and video rows in the database.
//!
//! Bytes arrive in `videos/.tmp-*`, are synced and renamed to `videos/<id>.mp4`, and only then
//! is the row committed. At start-up `recover` removes what a crash left half-done.

use crate::mp4::{self, VideoFacts};
use crate::state::AppRef;
use crate::util;
use rusqlite::{params, Connection};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// The file of object `key` in a mapped bucket directory, checked so that it stays inside it:
/// the key is relative with no empty, `.` or `..` segment, and no part of the path below `dir`
/// that exists is a symlink (one could lead out of the directory, for reading or writing).
pub fn bucket_object(dir: &Path, key: &str) -> Result<PathBuf, String> {
    if key.is_empty()
        || key.starts_with('/')
        || key
            .split('/')
            .any(|s| s.is_empty() || s == "." || s == "..")
    {
        return Err(format!("invalid object key: {key}"));
    }
    let mut path = dir.to_path_buf();
    for segment in key.split('/') {
        path.push(segment);
        match fs::symlink_metadata(&path) {
            Ok(m) if m.file_type().is_symlink() => {
                return Err(format!(
                    "object key {key} goes through a symlink, which the emulator does not follow out of a bucket"
                ))
            }
            Ok(_) => {}
            Err(_) => break,
        }
    }
    Ok(dir.join(key))
}

pub fn tmp_path(app: &AppRef) -> PathBuf {
    app.videos_dir.join(format!(".tmp-{}", util::new_id("")))
}

fn final_path(app: &AppRef, video_id: &str) -> PathBuf {
    app.videos_dir.join(format!("{video_id}.mp4"))
}

/// What a stored file turned out to be.
pub struct Stored {
    pub file: Option<String>,
    pub size: u64,
    pub facts: Result<VideoFacts, String>,
}

/// Probes the bytes at `tmp`, then makes them durable under the video's id. Bytes that are not
/// a video are deleted: only the reason is kept.
pub fn store_file(app: &AppRef, tmp: &Path, video_id: &str) -> io::Result<Stored> {
    let mut f = fs::File::open(tmp)?;
    let size = f.metadata()?.len();
    let facts = mp4::probe(&mut f);
    drop(f);
    if facts.is_err() {
        let _ = fs::remove_file(tmp);
        return Ok(Stored {
            file: None,
            size,
            facts,
        });
    }
    fs::File::open(tmp)?.sync_all()?;
    let dest = final_path(app, video_id);
    fs::rename(tmp, &dest)?;
    // Make the rename itself durable.
    if let Ok(dir) = fs::File::open(&app.videos_dir) {
        let _ = dir.sync_all();
    }
    Ok(Stored {
        file: Some(format!("{video_id}.mp4")),
        size,
        facts,
    })
}

/// A video row about to be written.
pub struct NewVideo<'a> {
    pub id: &'a str,
    pub owner: &'a str,
    pub scope: &'a str,
    pub folder_id: Option<&'a str>,
    pub name: &'a str,
    pub source: &'a str,
    pub source_uri: Option<&'a str>,
    pub metadata_json: Option<&'a str>,
}

/// Inserts the row for `stored` (or, with `stored = Err(reason)`, a failed video). Returns the
/// status as `my-videos` will show it now.
pub fn insert_video(
    conn: &Connection,
    app: &AppRef,
    v: &NewVideo,
    stored: Result<&Stored, &str>,
) -> rusqlite::Result<&'static str> {
    let now = util::now_ms();
    let ready_at = now + app.cfg.processing_delay_ms as i64;
    let (status, error, facts, file, size) = match stored {
        Ok(s) => match &s.facts {
            Ok(f) => ("processing", None, Some(f), s.file.as_deref(), s.size),
            Err(e) => (
                "uploading_failed",
                Some(format!("not a valid MP4/MOV video: {e}")),
                None,
                None,
                s.size,
            ),
        },
        Err(reason) => ("uploading_failed", Some(reason.to_string()), None, None, 0),
    };
    conn.execute(
        "INSERT INTO videos (id, owner, scope, folder_id, name, status, ready_at_ms, error, duration_s, width,
         height, codec, size_bytes, file, metadata_json, source, source_uri, created_at_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)",
        params![
            v.id,
            v.owner,
            v.scope,
            v.folder_id,
            v.name,
            status,
            ready_at,
            error,
            facts.map(|f| f.duration_s),
            facts.and_then(|f| f.width),
            facts.and_then(|f| f.height),
            facts.and_then(|f| f.codec.clone()),
            size as i64,
            file,
            v.metadata_json,
            v.source,
            v.source_uri,
            now,
        ],
    )?;
    Ok(effective_status(status, ready_at, now))
}

/// A processing video counts as uploaded once its processing delay has passed.
pub fn effective_status(stored: &str, ready_at_ms: i64, now_ms: i64) -> &'static str {
    match stored {
        "uploading_failed" => "uploading_failed",
        _ if now_ms >= ready_at_ms => "uploaded",
        _ => "processing",
    }
}

pub fn remove_video_file(app: &AppRef, file: &str) {
    let _ = fs::remove_file(app.videos_dir.join(file));
}

pub fn remove_all_videos(app: &AppRef) -> io::Result<()> {
    for entry in fs::read_dir(&app.videos_dir)? {
        let _ = fs::remove_file(entry?.path());
    }
    Ok(())
}

/// After a crash: delete temporary files and files no row points at.
pub fn recover(app: &AppRef) -> io::Result<usize> {
    let known: std::collections::HashSet<String> = {
        let conn = app.db();
        let mut stmt = conn
            .prepare("SELECT file FROM videos WHERE file IS NOT NULL")
            .map_err(io::Error::other)?;
        let rows = stmt
            .query_map([], |r| r.get::<_, String>(0))
            .map_err(io::Error::other)?;
        rows.filter_map(Result::ok).collect()
    };
    let mut removed = 0;
    for entry in fs::read_dir(&app.videos_dir)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if !known.contains(&name) {
            fs::remove_file(entry.path())?;
            removed += 1;
        }
    }
    Ok(removed)
}
