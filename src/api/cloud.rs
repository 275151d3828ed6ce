//! Cloud imports from `gs://` and `s3://` URIs (API.md §3.8, §3.9): every URI checked before
//! anything is sent, the integration chosen (GCS buckets are matched against saved integrations,
//! trying each until one accepts), then one import request that answers with an import job.

use super::validate::invalid;
use super::{path, Body, Call, Request, Seg, Transport};
use crate::error::Error;
use crate::value::{json_text, obj, split_once, strings, Value};
use serde::Deserialize;

/// What a started import answers.
#[derive(Deserialize)]
struct Started {
    #[serde(default)]
    import_job_id: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Provider {
    Gcs,
    S3,
}

impl Provider {
    pub fn name(self) -> &'static str {
        match self {
            Provider::Gcs => "gcs",
            Provider::S3 => "s3",
        }
    }
    fn endpoint(self) -> &'static str {
        match self {
            Provider::Gcs => "/api/gcs/upload",
            Provider::S3 => "/api/s3/upload",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct CloudUri {
    pub provider: Provider,
    pub bucket: String,
    pub key: String,
}

/// `gs://bucket/key.mp4` or `s3://bucket/key.mp4`: a bucket, an object path, `.mp4`, no wildcards.
pub fn parse_uri(uri: &str) -> Result<CloudUri, Error> {
    let t = uri.trim();
    let lower = t.to_ascii_lowercase();
    let (provider, rest) = if lower.starts_with("gs://") {
        (Provider::Gcs, t.get(5..).unwrap_or(""))
    } else if lower.starts_with("s3://") {
        (Provider::S3, t.get(5..).unwrap_or(""))
    } else {
        return Err(invalid(
            "'".to_string() + uri + "' is not a gs:// or s3:// URI",
        ));
    };
    let (bucket, key) = split_once(rest, "/").unwrap_or((rest, ""));
    if bucket.is_empty() {
        return Err(invalid("'".to_string() + uri + "' names no bucket"));
    }
    // Leading slashes counted by bytes (a `char` pattern links a searcher).
    let key = &key[key.bytes().take_while(|b| *b == b'/').count()..];
    if key.is_empty() {
        return Err(invalid("'".to_string() + uri + "' names no object"));
    }
    if key.bytes().any(|b| matches!(b, b'*' | b'?' | b'[')) {
        return Err(invalid(
            "'".to_string() + uri + "': wildcards are not supported; list each object explicitly",
        ));
    }
    if !key.to_ascii_lowercase().ends_with(".mp4") {
        return Err(invalid(
            "'".to_string() + uri + "': cloud imports take .mp4 objects only",
        ));
    }
    Ok(CloudUri {
        provider,
        bucket: bucket.to_string(),
        key: key.to_string(),
    })
}

/// What one import sends: object keys, or multi-view sets of full URIs.
#[derive(Debug, Clone, PartialEq)]
pub enum Objects {
    Keys(Vec<String>),
    /// Each set: `(view, full URI)`, front first.
    Sets(Vec<Vec<(String, String)>>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct CloudPlan {
    pub provider: Provider,
    pub bucket: String,
    pub objects: Objects,
}

fn same_source(all: &[CloudUri]) -> Result<(Provider, String), Error> {
    let first = all
        .first()
        .ok_or_else(|| invalid("no cloud URIs to import"))?;
    if all.iter().any(|u| u.provider != first.provider) {
        return Err(invalid(
            "one upload imports from one provider: gs:// and s3:// cannot be mixed",
        ));
    }
    if let Some(other) = all.iter().find(|u| u.bucket != first.bucket) {
        return Err(invalid(
            "one upload imports from one bucket: '".to_string()
                + &first.bucket
                + "' and '"
                + &other.bucket
                + "'",
        ));
    }
    Ok((first.provider, first.bucket.clone()))
}

/// Single objects: checked, same provider and bucket, repeated paths removed (first kept).
pub fn plan_objects(uris: &[String]) -> Result<CloudPlan, Error> {
    let mut parsed = Vec::with_capacity(uris.len());
    for u in uris {
        parsed.push(parse_uri(u)?);
    }
    let (provider, bucket) = same_source(&parsed)?;
    let mut keys: Vec<String> = Vec::with_capacity(parsed.len());
    for u in parsed {
        if !keys.contains(&u.key) {
            keys.push(u.key);
        }
    }
    Ok(CloudPlan {
        provider,
        bucket,
        objects: Objects::Keys(keys),
    })
}

/// Multi-view sets of cloud URIs (views already named and checked by `multiview`).
pub fn plan_sets(sets: &[Vec<(String, String)>]) -> Result<CloudPlan, Error> {
    let mut all = Vec::new();
    for set in sets {
        for (_, uri) in set {
            all.push(parse_uri(uri)?);
        }
    }
    let (provider, bucket) = same_source(&all)?;
    let mut trimmed = Vec::with_capacity(sets.len());
    for set in sets {
        let mut views = Vec::with_capacity(set.len());
        for (v, u) in set {
            views.push((v.clone(), u.trim().to_string()));
        }
        trimmed.push(views);
    }
    let sets = trimmed;
    Ok(CloudPlan {
        provider,
        bucket,
        objects: Objects::Sets(sets),
    })
}

/// The integrations to try, in order: the caller's, or for GCS the saved ones for the bucket
/// (`None` = send without an id: S3 lets the server find credentials).
pub async fn candidates<T: Transport>(
    c: &Call<'_, T>,
    plan: &CloudPlan,
    explicit: Option<&str>,
) -> Result<Vec<Option<String>>, Error> {
    if let Some(id) = explicit {
        return Ok(vec![Some(id.to_string())]);
    }
    if plan.provider == Provider::S3 {
        return Ok(vec![None]);
    }
    let list = super::integrations::list_value(c).await?;
    let mut ids = Vec::new();
    for i in &list {
        if i.get_str("type") == Some("gcs") && i.get_str("bucket") == Some(plan.bucket.as_str()) {
            match i.get_str("id") {
                Some(id) => ids.push(Some(id.to_string())),
                None => return Err(Error::Network("a saved integration has no id".into())),
            }
        }
    }
    if ids.is_empty() {
        return Err(invalid(
            "no saved GCS integration for bucket '".to_string()
                + &plan.bucket
                + "': add one with cloudIntegrations.add() or pass integrationId",
        ));
    }
    Ok(ids)
}

fn body(
    c_collection: &str,
    plan: &CloudPlan,
    integration: Option<&str>,
    folder_id: Option<&str>,
    scope: &str,
) -> Value {
    let mut b = Value::Obj(Vec::new());
    if let Some(id) = integration {
        b.set("integration_id", id.into());
    }
    let send_bucket = match &plan.objects {
        Objects::Keys(keys) => {
            let list = strings(keys);
            b.set(
                if plan.provider == Provider::Gcs {
                    "files"
                } else {
                    "keys"
                },
                list,
            );
            plan.provider == Provider::S3
        }
        Objects::Sets(sets) => {
            let mut list = Vec::with_capacity(sets.len());
            for set in sets {
                let mut views = Vec::with_capacity(set.len());
                for (v, u) in set {
                    views.push((v.clone(), Value::from(u.as_str())));
                }
                list.push(obj([("views", Value::Obj(views))]));
            }
            b.set("sets", Value::Arr(list));
            true
        }
    };
    b.set("collection", c_collection.into());
    b.set("folder_id", folder_id.into());
    b.set("scope", scope.into());
    if send_bucket {
        b.set("bucket", plan.bucket.as_str().into());
    }
    b
}

/// Sends the import, trying each candidate until one accepts; `{import_job_id, status}`.
pub async fn import<T: Transport>(
    c: &Call<'_, T>,
    plan: &CloudPlan,
    candidates: &[Option<String>],
    folder_id: Option<&str>,
    scope: &str,
    auto_matched: bool,
) -> Result<Value, Error> {
    let mut last = None;
    for id in candidates {
        let b = body(&c.names.collection, plan, id.as_deref(), folder_id, scope);
        let req = Request::post(
            path(&[Seg::Lit(plan.provider.endpoint())]),
            Body::Json(json_text(&b)),
        );
        match c.read::<Started>(req).await {
            Ok(r) => {
                let job = r.import_job_id.ok_or_else(|| {
                    Error::Network("the import answer has no import_job_id".into())
                })?;
                return Ok(obj([
                    ("import_job_id", job.into()),
                    ("status", "importing".into()),
                ]));
            }
            // An integration the server refuses: try the next one.
            Err(e @ Error::Api(_)) => last = Some(e),
            Err(e) => return Err(e),
        }
    }
    match last {
        Some(e) if auto_matched => Err(invalid(
            "none of the saved GCS integrations for bucket '".to_string()
                + &plan.bucket
                + "' accepted the import (last: "
                + e.message()
                + ")",
        )),
        Some(e) => Err(e),
        None => Err(invalid("no integration to import with")),
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::api::testing::ToJson;
    use crate::api::testing::{block_on, Fake};
    use crate::api::Names;

    fn uris(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn uri_rules() {
        let u = parse_uri(" GS://drive-monitor/uploads/trip-042/front.MP4 ").unwrap();
        assert_eq!(
            (u.provider, u.bucket.as_str(), u.key.as_str()),
            (Provider::Gcs, "drive-monitor", "uploads/trip-042/front.MP4")
        );
        for bad in [
            "gs:///a.mp4",
            "s3://bucket",
            "s3://bucket/",
            "s3://b/videos/*.mp4",
            "gs://b/a?.mp4",
            "gs://b/[ab].mp4",
            "gs://b/a.mov",
            "gs://b/a.mcap",
            "https://b/a.mp4",
        ] {
            assert!(matches!(parse_uri(bad), Err(Error::Validation(_))), "{bad}");
        }
    }

    #[test]
    fn plans_dedupe_and_refuse_mixtures() {
        let p = plan_objects(&uris(&["s3://b/x.mp4", "s3://b/y.mp4", "s3://b/x.mp4"])).unwrap();
        assert_eq!(p.objects, Objects::Keys(uris(&["x.mp4", "y.mp4"])));
        assert!(plan_objects(&uris(&["s3://b/x.mp4", "gs://b/y.mp4"])).is_err());
        assert!(plan_objects(&uris(&["s3://b/x.mp4", "s3://c/y.mp4"])).is_err());
    }

    #[test]
    fn gcs_tries_matching_integrations_in_order() {
        let f = Fake::default();
        f.answer(200, r#"[{"id": "a", "type": "gcs", "bucket": "fleet"}, {"id": "s", "type": "s3", "bucket": "fleet"}, {"id": "b", "type": "gcs", "bucket": "fleet"}, {"id": "c", "type": "gcs", "bucket": "other"}]"#)
            .fail(crate::api::testing::http_error(403, r#"{"detail": "no access"}"#, None, None))
            .answer(200, r#"{"import_job_id": "ij_1"}"#);
        let names = Names::default();
        let c = Call {
            t: &f,
            ctx: &(),
            names: &names,
        };
        let plan = plan_objects(&uris(&["gs://fleet/a.mp4"])).unwrap();
        let cands = block_on(candidates(&c, &plan, None)).unwrap();
        assert_eq!(cands, vec![Some("a".to_string()), Some("b".to_string())]);
        let r = block_on(import(&c, &plan, &cands, Some("fld"), "org", true)).unwrap();
        assert_eq!(
            r.to_json(),
            r#"{"import_job_id": "ij_1", "status": "importing"}"#
        );
        let sent = f.sent.borrow();
        assert_eq!(sent[2].body, Body::Json(r#"{"integration_id": "b", "files": ["a.mp4"], "collection": "videos", "folder_id": "fld", "scope": "org"}"#.into()));
    }

    #[test]
    fn gcs_without_a_matching_integration_is_a_validation_error() {
        let f = Fake::default();
        f.answer(200, r#"[{"id": "c", "type": "gcs", "bucket": "other"}]"#);
        let names = Names::default();
        let c = Call {
            t: &f,
            ctx: &(),
            names: &names,
        };
        let plan = plan_objects(&uris(&["gs://fleet/a.mp4"])).unwrap();
        assert!(matches!(
            block_on(candidates(&c, &plan, None)),
            Err(Error::Validation(_))
        ));
    }

    #[test]
    fn s3_bodies_and_explicit_ids() {
        let f = Fake::default();
        f.answer(200, r#"{"import_job_id": "ij_2"}"#)
            .fail(crate::api::testing::http_error(404, "{}", None, None));
        let names = Names::default();
        let c = Call {
            t: &f,
            ctx: &(),
            names: &names,
        };
        let plan = plan_objects(&uris(&["s3://arch/2024/front.mp4"])).unwrap();
        let cands = block_on(candidates(&c, &plan, None)).unwrap();
        block_on(import(&c, &plan, &cands, None, "user", false)).unwrap();
        assert_eq!(f.sent.borrow()[0].body, Body::Json(r#"{"keys": ["2024/front.mp4"], "collection": "videos", "folder_id": null, "scope": "user", "bucket": "arch"}"#.into()));
        let e = block_on(import(
            &c,
            &plan,
            &[Some("aws-prod".into())],
            None,
            "user",
            false,
        ))
        .unwrap_err();
        assert!(
            matches!(e, Error::Api(ref f) if f.status == 404),
            "an explicit id re-raises its APIError"
        );
        let sets = plan_sets(&[vec![
            ("front".into(), "s3://arch/f.mp4".into()),
            ("left".into(), "s3://arch/l.mp4".into()),
        ]])
        .unwrap();
        assert_eq!(
            body("videos", &sets, None, None, "org").to_json(),
            r#"{"sets": [{"views": {"front": "s3://arch/f.mp4", "left": "s3://arch/l.mp4"}}], "collection": "videos", "folder_id": null, "scope": "org", "bucket": "arch"}"#
        );
    }
}
