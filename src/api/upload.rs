//! `upload()`: files, blobs and URLs, lists of them, multi-view sets, and cloud imports. The whole
//! input is checked before anything is sent; then the folder is resolved once; then each video
//! goes up (at most `concurrency` at a time), each optionally waited for until it is ready.

use super::cloud::{self, CloudPlan, Provider};
use super::folders::create_or_get_id;
use super::poll::{until, Schedule};
use super::validate::{
    invalid, is_cloud_uri, non_blank, positive, scope, stem, video_content_type, video_url,
};
use super::videos::{readiness, reported_status, status, Readiness};
use super::{path, Body, Call, Part, Request, Seg, Transport};
use crate::error::Error;
use crate::join::join_all;
use crate::probe::{named, probe, Source};
use crate::value::{int_text, json_text, obj, Value};
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
    /// An http(s) URL, or a gs:// or s3:// URI.
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

/// A multi-view set, `{front, left, ...}` as given (names are normalised when planning).
#[derive(Debug, Clone, PartialEq)]
pub struct ViewSet {
    pub views: Vec<(String, Video)>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Input {
    One(Item),
    Many(Vec<Item>),
    /// Multi-view sets; `true` when given as a list (the result is then a list).
    Sets(Vec<ViewSet>, bool),
}

#[derive(Debug, Clone)]
pub struct Options {
    pub name: Option<String>,
    pub folder: Option<String>,
    pub scope: Option<String>,
    pub metadata: Option<Sidecar>,
    pub integration_id: Option<String>,
    pub wait: bool,
    pub upload_timeout_ms: f64,
    pub concurrency: usize,
    pub poll: Schedule,
    /// Sent as `chunk_size` when given (API.md §3.3).
    pub chunk_size: Option<i64>,
    /// Probe every local file before anything is sent, refusing what is not MP4/MOV video.
    pub probe: bool,
    /// Abandon (and retry) an upload whose bytes stop going out for this long; 0: never.
    pub stall_timeout_ms: f64,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            name: None,
            folder: None,
            scope: None,
            metadata: None,
            integration_id: None,
            wait: true,
            upload_timeout_ms: 1_200_000.0,
            concurrency: 4,
            chunk_size: None,
            probe: true,
            stall_timeout_ms: 60_000.0,
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
    /// Where this video's bytes count in the progress table.
    index: usize,
}

/// What the input turned out to be, all checked.
enum Route {
    Files(Vec<Planned>, bool),
    Cloud(CloudPlan),
    /// Local multi-view sets: `(view, planned)`, front first.
    Views(Vec<Vec<(String, Planned)>>, bool),
}

const VIEW_NAMES_HINT: &str = "every multi-view set needs a 'front' view";

fn nth(what: &str, i: usize) -> String {
    what.to_string() + " " + &int_text(i as i64) + ": "
}

/// How a message names view `view` of multi-view set `i`.
fn view_of(i: usize, view: &str) -> String {
    nth("multi-view set", i) + "view '" + view + "': "
}

fn plan_item(item: Item, index: usize) -> Result<Planned, Error> {
    let name = match &item.name {
        Some(n) => Some(non_blank("name", n)?),
        None => None,
    };
    let (file_part, video_stem) = match &item.video {
        Video::Url(u) => {
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
        if crate::value::parse_text(text).is_none() {
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
        index,
    })
}

fn is_cloud(v: &Video) -> bool {
    matches!(v, Video::Url(u) if is_cloud_uri(u))
}

/// Cloud items: URIs only, with no per-item name or sidecar.
fn plan_cloud(items: &[Item], o: &Options) -> Result<CloudPlan, Error> {
    if o.name.is_some() || items.iter().any(|i| i.name.is_some()) {
        return Err(invalid("name is not supported for cloud imports"));
    }
    if o.metadata.is_some() || items.iter().any(|i| i.metadata.is_some()) {
        return Err(invalid(
            "metadata sidecars are not supported for cloud imports",
        ));
    }
    let mut uris = Vec::with_capacity(items.len());
    for i in items {
        match &i.video {
            Video::Url(u) if is_cloud_uri(u) => uris.push(u.clone()),
            _ => return Err(invalid("cloud URIs (gs://, s3://) cannot be mixed with files or http(s) URLs in one upload")),
        }
    }
    cloud::plan_objects(&uris)
}

/// View names trimmed and lowercased, empty URIs dropped, no duplicates, front first.
fn normalize(set: ViewSet) -> Result<Vec<(String, Video)>, Error> {
    let mut out: Vec<(String, Video)> = Vec::new();
    for (name, video) in set.views {
        let name = name.trim().to_ascii_lowercase();
        if name.is_empty() {
            return Err(invalid("multi-view view names must not be empty"));
        }
        if matches!(&video, Video::Url(u) if u.trim().is_empty()) {
            continue;
        }
        if out.iter().any(|(n, _)| *n == name) {
            return Err(invalid(
                "the view '".to_string() + &name + "' appears twice in one set",
            ));
        }
        out.push((name, video));
    }
    let front = out
        .iter()
        .position(|(n, _)| n == "front")
        .ok_or_else(|| invalid(VIEW_NAMES_HINT))?;
    let f = out.remove(front);
    out.insert(0, f);
    Ok(out)
}

fn plan_sets(sets: Vec<ViewSet>, many: bool, o: &Options) -> Result<Route, Error> {
    if sets.is_empty() {
        return Err(invalid("upload() got an empty list"));
    }
    if o.name.is_some() {
        return Err(invalid("name is not supported for multi-view uploads"));
    }
    if o.metadata.is_some() {
        return Err(invalid(
            "metadata sidecars are not supported for multi-view uploads",
        ));
    }
    let mut normalized = Vec::with_capacity(sets.len());
    for (i, s) in sets.into_iter().enumerate() {
        normalized.push(normalize(s).map_err(|e| invalid(nth("multi-view set", i) + e.message()))?);
    }
    let sets = normalized;
    let (mut cloud_views, mut all_views) = (0, 0);
    for set in &sets {
        for (_, v) in set {
            cloud_views += usize::from(is_cloud(v));
            all_views += 1;
        }
    }
    if cloud_views == all_views {
        let mut uris: Vec<Vec<(String, String)>> = Vec::with_capacity(sets.len());
        for set in sets {
            let mut views = Vec::with_capacity(set.len());
            for (n, v) in set {
                let uri = match v {
                    Video::Url(u) => u,
                    Video::Blob { .. } => String::new(),
                };
                views.push((n, uri));
            }
            uris.push(views);
        }
        return Ok(Route::Cloud(cloud::plan_sets(&uris)?));
    }
    if cloud_views > 0 {
        return Err(invalid(
            "a multi-view upload cannot mix cloud URIs with files or http(s) URLs",
        ));
    }
    let mut index = 0;
    let mut planned = Vec::with_capacity(sets.len());
    for (i, set) in sets.into_iter().enumerate() {
        let mut views = Vec::with_capacity(set.len());
        for (name, video) in set {
            let p = plan_item(
                Item {
                    video,
                    name: None,
                    metadata: None,
                },
                index,
            )
            .map_err(|e| invalid(view_of(i, &name) + e.message()))?;
            index += 1;
            views.push((name, p));
        }
        planned.push(views);
    }
    Ok(Route::Views(planned, many))
}

/// Checks the whole input and the options; nothing is sent unless this passes.
fn route(input: Input, o: &Options) -> Result<Route, Error> {
    if o.concurrency == 0 || o.concurrency > 16 {
        return Err(invalid("concurrency must be a whole number from 1 to 16"));
    }
    if !positive(o.upload_timeout_ms) {
        return Err(invalid("uploadTimeoutMs must be a positive number"));
    }
    if !(o.stall_timeout_ms == 0.0 || positive(o.stall_timeout_ms)) {
        return Err(invalid(
            "stallTimeoutMs must be a positive number of milliseconds, or 0 for no limit",
        ));
    }
    if let Some(id) = &o.integration_id {
        non_blank("integrationId", id)?;
    }
    let items = match input {
        Input::Sets(sets, many) => return plan_sets(sets, many, o),
        Input::One(item) => vec![item],
        Input::Many(items) if items.is_empty() => {
            return Err(invalid("upload() got an empty list"))
        }
        Input::Many(items) => {
            if items.iter().any(|i| is_cloud(&i.video)) {
                return Ok(Route::Cloud(plan_cloud(&items, o)?));
            }
            if o.name.is_some() {
                return Err(invalid("options.name applies to a single upload; in a list give each item its own {video, name}"));
            }
            if o.metadata.is_some() {
                return Err(invalid("options.metadataFile applies to a single upload; in a list pair each video with its metadata"));
            }
            let mut planned = Vec::with_capacity(items.len());
            for (i, it) in items.into_iter().enumerate() {
                planned.push(
                    plan_item(it, i).map_err(|e| invalid(nth("upload item", i) + e.message()))?,
                );
            }
            return Ok(Route::Files(planned, true));
        }
    };
    let mut item = items
        .into_iter()
        .next()
        .ok_or_else(|| invalid("nothing to upload"))?;
    if is_cloud(&item.video) {
        return Ok(Route::Cloud(plan_cloud(&[item], o)?));
    }
    if o.name.is_some() {
        item.name = o.name.clone();
    }
    if item.metadata.is_none() {
        item.metadata = o.metadata.clone();
    }
    Ok(Route::Files(vec![plan_item(item, 0)?], false))
}

/// `(name, bytes)` per progress slot, in the order uploads report under: one per item, or one
/// per view of each multi-view set.
pub fn progress_entries(input: &Input, o: &Options) -> Vec<(String, f64)> {
    let entry = |name: Option<&String>, v: &Video| match v {
        Video::Blob {
            file_name, size, ..
        } => (
            name.or(file_name.as_ref()).cloned().unwrap_or_default(),
            *size,
        ),
        Video::Url(u) => (name.cloned().unwrap_or_else(|| u.clone()), 0.0),
    };
    let mut entries = Vec::new();
    match input {
        Input::One(i) => entries.push(entry(i.name.as_ref().or(o.name.as_ref()), &i.video)),
        Input::Many(items) => {
            for i in items {
                entries.push(entry(i.name.as_ref(), &i.video));
            }
        }
        // Sets are reordered front first when planned; report in that order too.
        Input::Sets(sets, _) => {
            for s in sets {
                for front in [true, false] {
                    for (n, v) in &s.views {
                        let empty = matches!(v, Video::Url(u) if u.trim().is_empty());
                        if n.trim().eq_ignore_ascii_case("front") == front && !empty {
                            entries.push(entry(None, v));
                        }
                    }
                }
            }
        }
    }
    entries
}

/// Uploads and returns the result as JSON: `{video_id, status}` for one input, a list (in input
/// order, failed items as `{video_id: null, status: "failed", error}`) for a list, `{video_id,
/// status, views}` per multi-view set, and `{import_job_id, status: "importing"}` for a cloud
/// import (one job, whatever the number of URIs or sets).
pub async fn upload<T: Transport>(
    c: &Call<'_, T>,
    input: Input,
    o: &Options,
) -> Result<Value, Error> {
    let route = route(input, o)?;
    let scope = scope(o.scope.as_deref())?;
    let folder = o
        .folder
        .as_deref()
        .map(|f| non_blank("folder", f).map(|f| f.trim().to_string()))
        .transpose()?; // trimmed, as API.md §3.2 sends it
    if o.integration_id.is_some() && !matches!(route, Route::Cloud(_)) {
        return Err(invalid("integrationId applies to cloud imports only"));
    }
    if o.probe {
        probe_files(c, &route).await?;
    }
    // A GCS import may still fail its checks on the saved integrations: ask before the folder.
    let candidates = match &route {
        Route::Cloud(plan) => Some(cloud::candidates(c, plan, o.integration_id.as_deref()).await?),
        _ => None,
    };
    let folder_id = match folder {
        Some(name) => Some(create_or_get_id(c, &name, &scope).await?),
        None => None,
    };
    let s = Shared {
        scope: &scope,
        folder_id: folder_id.as_deref(),
        o,
    };
    match route {
        Route::Cloud(plan) => {
            let auto = o.integration_id.is_none() && plan.provider == Provider::Gcs;
            let cands = candidates.unwrap_or_default();
            cloud::import(c, &plan, &cands, s.folder_id, &scope, auto).await
        }
        Route::Files(planned, many) => {
            let mut items = Vec::with_capacity(planned.len());
            for p in &planned {
                items.push(p);
            }
            let results = in_lanes(c, &s, &items).await?;
            if !many {
                return results
                    .into_iter()
                    .next()
                    .unwrap_or_else(|| Err(invalid("nothing to upload")));
            }
            let mut out = Vec::with_capacity(results.len());
            for r in results {
                out.push(failed_in_place(r));
            }
            Ok(Value::Arr(out))
        }
        Route::Views(sets, many) => {
            let mut out = Vec::with_capacity(sets.len());
            for set in &sets {
                let r = upload_set(c, &s, set).await;
                if !many {
                    return r;
                }
                if let Err(e @ Error::Abort(_)) = r {
                    return Err(e);
                }
                out.push(failed_in_place(r));
            }
            Ok(Value::Arr(out))
        }
    }
}

fn failed_in_place(r: Result<Value, Error>) -> Value {
    r.unwrap_or_else(|e| {
        obj([
            ("video_id", Value::Null),
            ("status", "failed".into()),
            ("error", e.message().into()),
        ])
    })
}

/// Runs `run(0..count)` at most `lanes` at a time; results in input order. An abort ends it all.
async fn in_lanes<T: Transport>(
    c: &Call<'_, T>,
    s: &Shared<'_>,
    items: &[&Planned],
) -> Result<Vec<Result<Value, Error>>, Error> {
    let (lanes, count) = (s.o.concurrency, items.len());
    let next = Cell::new(0usize);
    let mut slots = Vec::with_capacity(count);
    for _ in 0..count {
        slots.push(None);
    }
    let results: RefCell<Vec<Option<Result<Value, Error>>>> = RefCell::new(slots);
    let lane = || async {
        loop {
            let i = next.get();
            if i >= count {
                return Ok(());
            }
            next.set(i + 1);
            let r = upload_one(c, s, items[i]).await;
            if let Err(e @ Error::Abort(_)) = &r {
                return Err(e.clone());
            }
            results.borrow_mut()[i] = Some(r);
        }
    };
    let mut running = Vec::new();
    for _ in 0..lanes.clamp(1, count.max(1)) {
        running.push(lane());
    }
    for r in join_all(running).await {
        r?;
    }
    let mut out = Vec::with_capacity(count);
    for r in results.into_inner() {
        out.push(r.unwrap_or_else(|| Err(invalid("not run"))));
    }
    Ok(out)
}

/// One local multi-view set: every view, then the stitch, then (when waiting) the front's status.
async fn upload_set<T: Transport>(
    c: &Call<'_, T>,
    s: &Shared<'_>,
    views: &[(String, Planned)],
) -> Result<Value, Error> {
    let mut planned = Vec::with_capacity(views.len());
    for (_, p) in views {
        planned.push(p);
    }
    let results = in_lanes(c, s, &planned).await?;
    let mut ids = Vec::with_capacity(views.len());
    for ((name, _), r) in views.iter().zip(results) {
        let v = r.map_err(|e| match e {
            Error::Validation(m) => invalid("view '".to_string() + name + "': " + &m),
            other => other,
        })?;
        let id = v.get_str("video_id").unwrap_or_default().to_string();
        ids.push((name.clone(), Value::from(id)));
    }
    let front = ids
        .first()
        .and_then(|(_, v)| v.str())
        .unwrap_or_default()
        .to_string();
    let views_obj = Value::Obj(ids);
    let body = obj([
        ("primary_view_id", front.as_str().into()),
        ("views", views_obj.clone()),
    ]);
    let stitched = c
        .send(Request::post(
            path(&[Seg::Lit("/api/multi-view/stitch")]),
            Body::Json(json_text(&body)),
        ))
        .await;
    // The Python client swallows a refused stitch; we keep going too, but say so in the result.
    let stitch_error = match stitched {
        Ok(_) => None,
        Err(Error::Api(f)) => Some(f.message),
        Err(e) => return Err(e),
    };
    let status = if s.o.wait {
        reported_status(&status(c, &front).await?)
    } else {
        "processing".into()
    };
    let mut out = obj([
        ("video_id", front.into()),
        ("status", status.into()),
        ("views", views_obj),
    ]);
    if let Some(m) = stitch_error {
        out.set("stitch_error", m.into());
    }
    Ok(out)
}

/// A caller's file, read through the transport.
struct Slot<'a, 'b, T: Transport> {
    c: &'a Call<'b, T>,
    slot: usize,
}

impl<T: Transport> Source for Slot<'_, '_, T> {
    fn read(&self, start: u64, end: u64) -> crate::probe::Reading<'_> {
        Box::pin(self.c.t.read_blob(self.c.ctx, self.slot, start, end))
    }
}

/// Probes every local file, in input order, before anything is sent: a file that is not an MP4
/// or MOV video is refused by name now, not after its whole upload and processing.
async fn probe_files<T: Transport>(c: &Call<'_, T>, route: &Route) -> Result<(), Error> {
    let mut files: Vec<(String, &Planned)> = Vec::new();
    match route {
        Route::Files(items, many) => {
            for (i, p) in items.iter().enumerate() {
                files.push((
                    if *many {
                        nth("upload item", i)
                    } else {
                        String::new()
                    },
                    p,
                ));
            }
        }
        Route::Views(sets, _) => {
            for (i, set) in sets.iter().enumerate() {
                for (view, p) in set {
                    files.push((view_of(i, view), p));
                }
            }
        }
        Route::Cloud(_) => {}
    }
    for (prefix, p) in files {
        let Video::Blob {
            slot,
            file_name,
            size,
        } = &p.video
        else {
            continue;
        };
        let name = file_name
            .as_ref()
            .or(p.display.as_ref())
            .map_or("", String::as_str);
        probe(&Slot { c, slot: *slot }, *size as u64)
            .await
            .map_err(|e| named(e, &(prefix + "'" + name + "'")))?;
    }
    Ok(())
}

struct Shared<'a> {
    scope: &'a str,
    folder_id: Option<&'a str>,
    o: &'a Options,
}

fn request(c_names: &super::Names, s: &Shared, p: &Planned) -> Request {
    let mut fields: Vec<(&'static str, String)> = Vec::new();
    let source = if matches!(p.video, Video::Url(_)) {
        "video_url"
    } else {
        "file"
    };
    fields.push(("source", source.into()));
    fields.push(("firebase_collection_name", c_names.collection.clone()));
    fields.push(("scope", s.scope.into()));
    if let Some(f) = s.folder_id {
        fields.push(("folder_id", f.into()));
    }
    if let Some(n) = s.o.chunk_size {
        fields.push(("chunk_size", crate::value::int_text(n)));
    }
    if let Video::Url(u) = &p.video {
        fields.push(("video_url", u.clone()));
        if let Some(n) = &p.display {
            fields.push(("custom_name", n.clone()));
        }
    }
    let mut files = Vec::new();
    if let (Video::Blob { slot, .. }, Some((filename, ct))) = (&p.video, &p.file_part) {
        files.push(Part::Blob {
            name: "file",
            slot: *slot,
            filename: filename.clone(),
            content_type: ct,
            video: true,
        });
    }
    match &p.metadata {
        Some(Sidecar::Blob {
            slot, file_name, ..
        }) => files.push(Part::Blob {
            name: "metadata_file",
            slot: *slot,
            filename: file_name.clone().unwrap_or_else(|| "metadata.json".into()),
            content_type: "application/json",
            video: false,
        }),
        Some(Sidecar::Text(t)) => files.push(Part::Data {
            name: "metadata_file",
            filename: "metadata.json".into(),
            content_type: "application/json",
            data: t.clone(),
        }),
        None => {}
    }
    let body = if files.is_empty() {
        Body::Form(fields)
    } else {
        let mut parts = Vec::with_capacity(fields.len() + files.len());
        for (name, value) in fields {
            parts.push(Part::Text { name, value });
        }
        for f in files {
            parts.push(f);
        }
        Body::Multipart(parts)
    };
    let mut req = Request::post(path(&[Seg::Lit("/api/upload-video")]), body);
    req.timeout_factor = 20;
    if matches!(p.video, Video::Blob { .. }) {
        req.progress = Some(p.index);
        req.stall_ms = Some(s.o.stall_timeout_ms).filter(|&ms| ms > 0.0);
    }
    req
}

async fn upload_one<T: Transport>(
    c: &Call<'_, T>,
    s: &Shared<'_>,
    p: &Planned,
) -> Result<Value, Error> {
    let answer = c.read::<Value>(request(c.names, s, p)).await?;
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
                ("video ".to_string() + video_id + " failed to upload: " + &reason).into(),
            )),
            Readiness::Waiting => Ok(None),
        }
    })
    .await
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::api::testing::ToJson;
    use crate::api::testing::{block_on, Fake};
    use crate::api::Names;

    fn file(name: &str) -> Video {
        Video::Blob {
            slot: 0,
            file_name: Some(name.into()),
            size: 4096.0,
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
            chunk_size: Some(8_388_608),
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
                    *name
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
                "chunk_size",
                "file",
                "metadata_file"
            ]
        );
        assert_eq!(
            parts[4],
            Part::Text {
                name: "chunk_size",
                value: "8388608".into()
            }
        );
        assert_eq!(
            parts[5],
            Part::Blob {
                name: "file",
                slot: 0,
                filename: "Morning.mp4".into(),
                content_type: "video/quicktime",
                video: true
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
        let form = |k: &'static str, v: &str| (k, v.to_string());
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
            .fail(crate::api::testing::http_error(
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
    fn cloud_uris_become_one_import() {
        let f = Fake::default();
        f.answer(200, r#"{"id": "fld"}"#)
            .answer(200, r#"{"import_job_id": "ij_9"}"#);
        let input = Input::Many(vec![
            item(Video::Url("s3://arch/a.mp4".into())),
            item(Video::Url("s3://arch/b.mp4".into())),
        ]);
        let o = Options {
            folder: Some("fleet".into()),
            integration_id: Some("aws-prod".into()),
            ..Default::default()
        };
        assert_eq!(
            run(&f, input, &o).unwrap().to_json(),
            r#"{"import_job_id": "ij_9", "status": "importing"}"#
        );
        assert_eq!(
            f.sent.borrow()[1].body,
            Body::Json(r#"{"integration_id": "aws-prod", "keys": ["a.mp4", "b.mp4"], "collection": "videos", "folder_id": "fld", "scope": "user", "bucket": "arch"}"#.into())
        );
    }

    #[test]
    fn a_local_multiview_set_uploads_each_view_then_stitches() {
        let f = Fake::default();
        f.answer(200, r#"{"video_id": "F", "status": "processing"}"#)
            .answer(200, r#"{"video_id": "L", "status": "processing"}"#)
            .fail(crate::api::testing::http_error(
                400,
                r#"{"detail": "cannot stitch"}"#,
                None,
                None,
            ));
        let set = ViewSet {
            views: vec![
                (" Left ".into(), file("l.mp4")),
                ("FRONT".into(), file("f.mp4")),
            ],
        };
        let o = Options {
            wait: true,
            concurrency: 1,
            ..Default::default()
        };
        // Waiting: each view's status is read, and the front's once more after the stitch.
        let f2 = Fake::default();
        f2.answer(200, r#"{"video_id": "F"}"#)
            .answer(200, READY)
            .answer(200, r#"{"video_id": "L"}"#)
            .answer(200, READY)
            .fail(crate::api::testing::http_error(
                400,
                r#"{"detail": "cannot stitch"}"#,
                None,
                None,
            ))
            .answer(200, READY);
        let r = run(&f2, Input::Sets(vec![set.clone()], false), &o).unwrap();
        assert_eq!(
            r.to_json(),
            r#"{"video_id": "F", "status": "uploaded", "views": {"front": "F", "left": "L"}, "stitch_error": "API error 400: cannot stitch"}"#
        );
        assert_eq!(f2.paths()[4], "POST /api/multi-view/stitch");
        assert_eq!(
            f2.sent.borrow()[4].body,
            Body::Json(r#"{"primary_view_id": "F", "views": {"front": "F", "left": "L"}}"#.into())
        );
        let r = run(
            &f,
            Input::Sets(vec![set], true),
            &Options {
                wait: false,
                concurrency: 1,
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(
            r.to_json(),
            r#"[{"video_id": "F", "status": "processing", "views": {"front": "F", "left": "L"}, "stitch_error": "API error 400: cannot stitch"}]"#
        );
        // Progress slots follow the planned order: front first.
        let entries = progress_entries(
            &Input::Sets(
                vec![ViewSet {
                    views: vec![
                        ("left".into(), file("l.mp4")),
                        ("front".into(), file("f.mp4")),
                    ],
                }],
                false,
            ),
            &Options::default(),
        );
        assert_eq!(
            entries.iter().map(|e| e.0.as_str()).collect::<Vec<_>>(),
            vec!["f.mp4", "l.mp4"]
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
                Input::One(item(Video::Url("gs://b/videos/*.mp4".into()))),
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

    #[test]
    fn files_that_are_not_video_are_refused_before_anything_is_sent() {
        let f = Fake::default();
        *f.files.borrow_mut() = vec![
            crate::probe::fixture::faststart(),
            b"these are my notes, saved as .mp4 by mistake".to_vec(),
        ];
        let notes = Video::Blob {
            slot: 1,
            file_name: Some("notes.mp4".into()),
            size: 44.0,
        };
        let two = Input::Many(vec![item(file("a.mp4")), item(notes)]);
        let o = Options {
            folder: Some("fleet".into()),
            ..Default::default()
        };
        let e = run(&f, two.clone(), &o).unwrap_err();
        assert_eq!(
            e.message(),
            "upload item 1: 'notes.mp4' is not an MP4 or MOV video: it is text"
        );
        assert!(f.sent.borrow().is_empty());
        // A multi-view set names the view.
        let set = Input::Sets(
            vec![ViewSet {
                views: vec![
                    ("front".into(), file("f.mp4")),
                    (
                        "left".into(),
                        Video::Blob {
                            slot: 1,
                            file_name: Some("l.mp4".into()),
                            size: 4096.0,
                        },
                    ),
                ],
            }],
            false,
        );
        let e = run(&f, set, &Options::default()).unwrap_err();
        assert!(
            e.message()
                .starts_with("multi-view set 0: view 'left': 'l.mp4' is not"),
            "{e:?}"
        );
        // `probe: false` sends what it is given.
        f.answer(200, r#"{"id": "fld1"}"#)
            .answer(200, r#"{"video_id": "v1", "status": "processing"}"#)
            .answer(200, r#"{"video_id": "v2", "status": "processing"}"#);
        let o = Options {
            probe: false,
            wait: false,
            concurrency: 1,
            ..o
        };
        let r = run(&f, two, &o).unwrap();
        assert_eq!(
            r.to_json().matches("processing").count(),
            2,
            "{}",
            r.to_json()
        );
    }
}
