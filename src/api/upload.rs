//! `upload()` for files, blobs and URLs: the whole input is checked before anything is sent,
//! then the folder is resolved once, then each video goes up (at most `concurrency` at a time),
//! each optionally waited for until it is ready.

use super::folders::create_or_get_id;
use super::poll::{until, Schedule};
use super::validate::{
    invalid, is_cloud_uri, non_blank, scope, stem, video_content_type, video_url,
};
use super::videos::{readiness, reported_status, status, Readiness};
use super::{path, Body, Call, Part, Request, Seg, Transport};
use crate::error::Error;
use crate::join::join_all;
use crate::json::{int_text, obj, Value};
use std::cell::{Cell, RefCell};

/// A video to upload, as the JS layer found it.
#[derive(Debug, Clone, PartialEq)]
pub enum Video {
    /// A `File` or `Blob` held by the caller in `slot`; `file_name` is the File's name.
    Blob {
        slot: usize,
        file_name: Option<String>,
        size: f64,
    },
    Url(String),
}

/// A metadata sidecar: a file (read as text to check it is JSON), or JSON text.
#[derive(Debug, Clone, PartialEq)]
pub enum Sidecar {
    Blob {
        slot: usize,
        file_name: Option<String>,
        text: String,
    },
    Text(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    pub video: Video,
    pub name: Option<String>,
    pub metadata: Option<Sidecar>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Input {
    One(Item),
    Many(Vec<Item>),
}

#[derive(Debug, Clone)]
pub struct Options {
    pub name: Option<String>,
    pub folder: Option<String>,
    pub scope: Option<String>,
    pub metadata: Option<Sidecar>,
    pub wait: bool,
    pub upload_timeout_ms: f64,
    pub concurrency: usize,
    pub poll: Schedule,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            name: None,
            folder: None,
            scope: None,
            metadata: None,
            wait: true,
            upload_timeout_ms: 1_200_000.0,
            concurrency: 4,
            poll: Schedule {
                first_ms: 2000.0,
                factor: 2.0,
                cap_ms: 30_000.0,
            },
        }
    }
}

/// One checked upload, ready to become a request.
#[derive(Debug, Clone, PartialEq)]
struct Planned {
    /// Display name: the multipart filename, or `custom_name` for URLs.
    display: Option<String>,
    video: Video,
    /// `(filename, content type)` of the file part.
    file_part: Option<(String, &'static str)>,
    metadata: Option<Sidecar>,
}

fn nth(i: usize) -> String {
    "upload item ".to_string() + &int_text(i as i64) + ": "
}

fn plan_item(item: Item) -> Result<Planned, Error> {
    let name = match &item.name {
        Some(n) => Some(non_blank("name", n)?),
        None => None,
    };
    let (file_part, video_stem) = match &item.video {
        Video::Url(u) => {
            if is_cloud_uri(u) {
                return Err(invalid(
                    "cloud imports (gs://, s3://) are not available in this version of the SDK",
                ));
            }
            video_url(u)?;
            (None, None)
        }
        Video::Blob {
            file_name, size, ..
        } => {
            // The content type follows the file's own name; a Blob's only name is `name`.
            let own = file_name.clone().or_else(|| name.clone()).ok_or_else(|| {
                invalid("a Blob has no file name: pass options.name (for example 'clip.mp4')")
            })?;
            let ct = video_content_type(&own)?;
            if *size <= 0.0 {
                return Err(invalid("'".to_string() + &own + "' is empty"));
            }
            let filename = name.clone().unwrap_or(own.clone());
            (Some((filename, ct)), Some(stem(&own).to_string()))
        }
    };
    if let Some(meta) = &item.metadata {
        let (text, meta_name) = match meta {
            Sidecar::Blob {
                text, file_name, ..
            } => (text, file_name.as_deref()),
            Sidecar::Text(t) => (t, None),
        };
        if crate::json::parse(text).is_err() {
            return Err(invalid("the metadata sidecar is not valid JSON"));
        }
        // The reference requires a sidecar file to share the video's base name.
        if let (Some(m), Some(v)) = (meta_name, &video_stem) {
            if stem(m) != v {
                return Err(invalid(
                    "metadata file '".to_string()
                        + m
                        + "' must share the video's base name ('"
                        + v
                        + ".json')",
                ));
            }
        }
    }
    Ok(Planned {
        display: name,
        video: item.video,
        file_part,
        metadata: item.metadata,
    })
}

/// Checks the whole input and the options; nothing is sent unless this passes.
fn plan(input: Input, o: &Options) -> Result<(Vec<Planned>, bool), Error> {
    if o.concurrency == 0 || o.concurrency > 16 {
        return Err(invalid("concurrency must be a whole number from 1 to 16"));
    }
    if o.upload_timeout_ms.is_nan() || o.upload_timeout_ms <= 0.0 {
        return Err(invalid("uploadTimeoutMs must be a positive number"));
    }
    match input {
        Input::One(mut item) => {
            if o.name.is_some() {
                item.name = o.name.clone();
            }
            if item.metadata.is_none() {
                item.metadata = o.metadata.clone();
            }
            Ok((vec![plan_item(item)?], false))
        }
        Input::Many(items) => {
            if items.is_empty() {
                return Err(invalid("upload() got an empty list"));
            }
            if o.name.is_some() {
                return Err(invalid("options.name applies to a single upload; in a list give each item its own {video, name}"));
            }
            if o.metadata.is_some() {
                return Err(invalid("options.metadataFile applies to a single upload; in a list pair each video with its metadata"));
            }
            let planned = items
                .into_iter()
                .enumerate()
                .map(|(i, it)| plan_item(it).map_err(|e| Error::Validation(nth(i) + e.message())))
                .collect::<Result<Vec<_>, _>>()?;
            Ok((planned, true))
        }
    }
}

/// Checks the input without sending anything (what `upload` does first).
pub fn check(input: Input, o: &Options) -> Result<(), Error> {
    plan(input, o).map(|_| ())?;
    if let Some(f) = &o.folder {
        non_blank("folder", f)?;
    }
    scope(o.scope.as_deref()).map(|_| ())
}

/// Uploads and returns the result as JSON: `{video_id, status}` for one input, a list (in input
/// order, failed items as `{video_id: null, status: "failed", error}`) for a list.
pub async fn upload<T: Transport>(
    c: &Call<'_, T>,
    input: Input,
    o: &Options,
) -> Result<Value, Error> {
    let (planned, many) = plan(input, o)?;
    let scope = scope(o.scope.as_deref())?;
    let folder = match &o.folder {
        Some(f) => Some(non_blank("folder", f)?),
        None => None,
    };
    let folder_id = match folder {
        Some(name) => Some(create_or_get_id(c, &name, &scope).await?),
        None => None,
    };
    let ctx = Shared {
        scope: &scope,
        folder_id: folder_id.as_deref(),
        o,
    };
    if !many {
        let p = planned
            .into_iter()
            .next()
            .ok_or_else(|| invalid("nothing to upload"))?;
        return upload_one(c, &ctx, 0, &p).await;
    }
    // `concurrency` lanes take items in order; results land in their input slots.
    let next = Cell::new(0usize);
    let results: RefCell<Vec<Value>> = RefCell::new(vec![Value::Null; planned.len()]);
    let lane = || async {
        loop {
            let i = next.get();
            let Some(p) = planned.get(i) else { break };
            next.set(i + 1);
            let out = match upload_one(c, &ctx, i, p).await {
                Ok(v) => v,
                // An abort ends the whole call rather than becoming a failed item.
                Err(e @ Error::Abort(_)) => return Err(e),
                Err(e) => obj([
                    ("video_id", Value::Null),
                    ("status", "failed".into()),
                    ("error", e.message().into()),
                ]),
            };
            results.borrow_mut()[i] = out;
        }
        Ok(())
    };
    let lanes = (0..o.concurrency.min(planned.len()))
        .map(|_| lane())
        .collect();
    for r in join_all(lanes).await {
        r?;
    }
    Ok(Value::Arr(results.into_inner()))
}

struct Shared<'a> {
    scope: &'a str,
    folder_id: Option<&'a str>,
    o: &'a Options,
}

fn request(c_names: &super::Names, s: &Shared, index: usize, p: &Planned) -> Request {
    let mut fields: Vec<(String, String)> = Vec::new();
    let source = if matches!(p.video, Video::Url(_)) {
        "video_url"
    } else {
        "file"
    };
    fields.push(("source".into(), source.into()));
    fields.push((
        "firebase_collection_name".into(),
        c_names.collection.clone(),
    ));
    fields.push(("scope".into(), s.scope.into()));
    if let Some(f) = s.folder_id {
        fields.push(("folder_id".into(), f.into()));
    }
    if let Video::Url(u) = &p.video {
        fields.push(("video_url".into(), u.clone()));
        if let Some(n) = &p.display {
            fields.push(("custom_name".into(), n.clone()));
        }
    }
    let mut files = Vec::new();
    if let (Video::Blob { slot, .. }, Some((filename, ct))) = (&p.video, &p.file_part) {
        files.push(Part::Blob {
            name: "file".into(),
            slot: *slot,
            filename: filename.clone(),
            content_type: (*ct).into(),
        });
    }
    match &p.metadata {
        Some(Sidecar::Blob {
            slot, file_name, ..
        }) => files.push(Part::Blob {
            name: "metadata_file".into(),
            slot: *slot,
            filename: file_name.clone().unwrap_or_else(|| "metadata.json".into()),
            content_type: "application/json".into(),
        }),
        Some(Sidecar::Text(t)) => files.push(Part::Data {
            name: "metadata_file".into(),
            filename: "metadata.json".into(),
            content_type: "application/json".into(),
            data: t.clone(),
        }),
        None => {}
    }
    let body = if files.is_empty() {
        Body::Form(fields)
    } else {
        let mut parts: Vec<Part> = fields
            .into_iter()
            .map(|(name, value)| Part::Text { name, value })
            .collect();
        parts.extend(files);
        Body::Multipart(parts)
    };
    let mut req = Request::post(path(&[Seg::Lit("/api/upload-video")]), body);
    req.timeout_factor = 20;
    req.progress = matches!(p.video, Video::Blob { .. }).then_some(index);
    req
}

async fn upload_one<T: Transport>(
    c: &Call<'_, T>,
    s: &Shared<'_>,
    index: usize,
    p: &Planned,
) -> Result<Value, Error> {
    let answer = c.send(request(c.names, s, index, p)).await?.json()?;
    let video_id = answer
        .get_str("video_id")
        .map(str::to_string)
        .ok_or_else(|| Error::Network("the upload answer has no video_id".into()))?;
    let status = if s.o.wait {
        wait_uploaded(c, &video_id, s.o).await?
    } else {
        reported_status(&answer)
    };
    Ok(obj([
        ("video_id", video_id.into()),
        ("status", status.into()),
    ]))
}

/// The readiness loop of API.md §1.7, bounded by `uploadTimeoutMs`.
async fn wait_uploaded<T: Transport>(
    c: &Call<'_, T>,
    video_id: &str,
    o: &Options,
) -> Result<String, Error> {
    let what = "video ".to_string() + video_id;
    until(c, o.upload_timeout_ms, o.poll, &what, || async {
        let doc = status(c, video_id).await?;
        match readiness(&doc) {
            Readiness::Ready => Ok(Some(reported_status(&doc))),
            Readiness::Failed(reason) => Err(Error::Upload(
                "video ".to_string() + video_id + " failed to upload: " + &reason,
            )),
            Readiness::Waiting => Ok(None),
        }
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::testing::{block_on, Fake};
    use crate::api::Names;

    fn file(name: &str) -> Video {
        Video::Blob {
            slot: 0,
            file_name: Some(name.into()),
            size: 100.0,
        }
    }

    fn item(v: Video) -> Item {
        Item {
            video: v,
            name: None,
            metadata: None,
        }
    }

    fn run(f: &Fake, input: Input, o: &Options) -> Result<Value, Error> {
        let names = Names::default();
        block_on(upload(
            &Call {
                t: f,
                ctx: &(),
                names: &names,
            },
            input,
            o,
        ))
    }

    const READY: &str = r#"{"status": "uploaded", "metadata": {"visual_analysis": {"status": {"status": "UPLOADED"}}}}"#;

    #[test]
    fn single_file_with_folder_name_and_sidecar() {
        let f = Fake::default();
        f.answer(200, r#"{"id": "fld1"}"#)
            .answer(200, r#"{"video_id": "v1", "status": "processing"}"#)
            .answer(200, READY);
        let o = Options {
            folder: Some(" fleet ".into()),
            scope: Some("org".into()),
            name: Some("Morning.mp4".into()),
            ..Default::default()
        };
        let input = Input::One(Item {
            video: file("dashcam.mov"),
            name: None,
            metadata: Some(Sidecar::Blob {
                slot: 1,
                file_name: Some("dashcam.json".into()),
                text: "{}".into(),
            }),
        });
        let r = run(&f, input, &o).unwrap();
        assert_eq!(r.to_json(), r#"{"video_id": "v1", "status": "uploaded"}"#);
        let sent = f.sent.borrow();
        assert_eq!(
            sent[0].body,
            Body::Json(r#"{"name": "fleet", "scope": "org"}"#.into())
        );
        let Body::Multipart(parts) = &sent[1].body else {
            panic!()
        };
        let names: Vec<&str> = parts
            .iter()
            .map(|p| match p {
                Part::Text { name, .. } | Part::Blob { name, .. } | Part::Data { name, .. } => {
                    name.as_str()
                }
            })
            .collect();
        assert_eq!(
            names,
            vec![
                "source",
                "firebase_collection_name",
                "scope",
                "folder_id",
                "file",
                "metadata_file"
            ]
        );
        assert_eq!(
            parts[4],
            Part::Blob {
                name: "file".into(),
                slot: 0,
                filename: "Morning.mp4".into(),
                content_type: "video/quicktime".into()
            }
        );
        assert_eq!((sent[1].timeout_factor, sent[1].progress), (20, Some(0)));
        assert_eq!(
            sent[2].target(),
            "/api/video/v1/status?firebase_collection_name=videos"
        );
    }

    #[test]
    fn url_upload_is_a_form_with_custom_name() {
        let f = Fake::default();
        f.answer(200, r#"{"video_id": "v1", "status": "processing"}"#);
        let input = Input::One(Item {
            video: Video::Url("https://h/a/demo.mp4".into()),
            name: Some("scene_1.mp4".into()),
            metadata: None,
        });
        let r = run(
            &f,
            input,
            &Options {
                wait: false,
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(r.get_str("status"), Some("processing"));
        let form = |k: &str, v: &str| (k.to_string(), v.to_string());
        assert_eq!(
            f.sent.borrow()[0].body,
            Body::Form(vec![
                form("source", "video_url"),
                form("firebase_collection_name", "videos"),
                form("scope", "user"),
                form("video_url", "https://h/a/demo.mp4"),
                form("custom_name", "scene_1.mp4")
            ])
        );
    }

    #[test]
    fn waits_until_ready_and_reports_failures() {
        let f = Fake::default();
        let waiting = r#"{"status": "processing", "metadata": {"visual_analysis": {"status": {"status": "PREPARE_IN_PROGRESS"}}}}"#;
        f.answer(200, r#"{"video_id": "v1"}"#)
            .answer(200, waiting)
            .answer(200, waiting)
            .answer(200, READY);
        assert_eq!(
            run(&f, Input::One(item(file("a.mp4"))), &Options::default())
                .unwrap()
                .get_str("status"),
            Some("uploaded")
        );
        assert_eq!(f.slept.borrow().len(), 2);
        let f = Fake::default();
        f.answer(200, r#"{"video_id": "v2"}"#)
            .answer(200, r#"{"error": "not a valid MP4", "metadata": {"visual_analysis": {"status": {"status": "UPLOADING_FAILED"}}}}"#);
        let e = run(&f, Input::One(item(file("a.mp4"))), &Options::default()).unwrap_err();
        assert_eq!(
            e,
            Error::Upload("video v2 failed to upload: not a valid MP4".into())
        );
        let f = Fake::default();
        f.answer(200, r#"{"video_id": "v3"}"#);
        for _ in 0..10 {
            f.answer(200, waiting);
        }
        let o = Options {
            upload_timeout_ms: 5000.0,
            ..Default::default()
        };
        assert!(matches!(
            run(&f, Input::One(item(file("a.mp4"))), &o),
            Err(Error::Timeout(_))
        ));
    }

    #[test]
    fn batches_keep_order_and_isolate_failures() {
        let f = Fake::default();
        f.answer(200, r#"{"video_id": "a"}"#)
            .fail(crate::error::from_status(
                500,
                r#"{"detail": "boom"}"#,
                None,
                None,
            ))
            .answer(200, r#"{"video_id": "c"}"#);
        let input = Input::Many(vec![
            item(file("a.mp4")),
            item(file("b.mp4")),
            item(Video::Url("http://h/c.mp4".into())),
        ]);
        let r = run(
            &f,
            input,
            &Options {
                wait: false,
                concurrency: 1,
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(
            r.to_json(),
            r#"[{"video_id": "a", "status": "unknown"}, {"video_id": null, "status": "failed", "error": "API error 500: boom"}, {"video_id": "c", "status": "unknown"}]"#
        );
    }

    #[test]
    fn every_rule_fails_before_sending() {
        let bad: Vec<(Input, Options)> = vec![
            (Input::One(item(file("a.mkv"))), Options::default()),
            (
                Input::One(item(Video::Blob {
                    slot: 0,
                    file_name: None,
                    size: 9.0,
                })),
                Options::default(),
            ),
            (
                Input::One(item(Video::Blob {
                    slot: 0,
                    file_name: Some("a.mp4".into()),
                    size: 0.0,
                })),
                Options::default(),
            ),
            (
                Input::One(item(Video::Url("https://h/page.html".into()))),
                Options::default(),
            ),
            (
                Input::One(item(Video::Url("gs://b/a.mp4".into()))),
                Options::default(),
            ),
            (
                Input::One(item(file("a.mp4"))),
                Options {
                    folder: Some("  ".into()),
                    ..Default::default()
                },
            ),
            (
                Input::One(item(file("a.mp4"))),
                Options {
                    scope: Some("sample".into()),
                    ..Default::default()
                },
            ),
            (
                Input::One(item(file("a.mp4"))),
                Options {
                    name: Some(" ".into()),
                    ..Default::default()
                },
            ),
            (
                Input::One(item(file("a.mp4"))),
                Options {
                    concurrency: 0,
                    ..Default::default()
                },
            ),
            (
                Input::One(item(file("a.mp4"))),
                Options {
                    upload_timeout_ms: f64::NAN,
                    ..Default::default()
                },
            ),
            (
                Input::One(Item {
                    video: file("trip.mp4"),
                    name: None,
                    metadata: Some(Sidecar::Text("{oops".into())),
                }),
                Options::default(),
            ),
            (
                Input::One(Item {
                    video: file("trip.mp4"),
                    name: None,
                    metadata: Some(Sidecar::Blob {
                        slot: 1,
                        file_name: Some("other.json".into()),
                        text: "{}".into(),
                    }),
                }),
                Options::default(),
            ),
            (Input::Many(vec![]), Options::default()),
            (
                Input::Many(vec![item(file("a.mp4"))]),
                Options {
                    name: Some("x.mp4".into()),
                    ..Default::default()
                },
            ),
            (
                Input::Many(vec![item(file("a.mp4")), item(file("b.txt"))]),
                Options::default(),
            ),
        ];
        for (input, o) in bad {
            let f = Fake::default();
            let r = run(&f, input.clone(), &o);
            assert!(matches!(r, Err(Error::Validation(_))), "{input:?} {r:?}");
            assert!(f.sent.borrow().is_empty(), "{input:?} sent a request");
        }
        let f = Fake::default();
        let e = run(
            &f,
            Input::Many(vec![item(file("a.mp4")), item(file("b.txt"))]),
            &Options::default(),
        )
        .unwrap_err();
        assert!(e.message().starts_with("upload item 1: 'b.txt'"), "{e:?}");
    }
}
