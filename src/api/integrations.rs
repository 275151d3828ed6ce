//! Saved cloud integrations (API.md §6): list (filtered on the client) and add.

use super::validate::{invalid, non_blank};
use super::{path, Body, Call, Request, Seg, Transport};
use crate::error::Error;
use crate::value::{json_text, Value};

/// `GET /api/cloud-integrations`: the objects of the array (anything else is dropped).
pub async fn list_value<T: Transport>(c: &Call<'_, T>) -> Result<Vec<Value>, Error> {
    let v = c
        .read::<Value>(Request::get(path(&[Seg::Lit("/api/cloud-integrations")])))
        .await?;
    match v {
        Value::Arr(items) => {
            let mut objects = Vec::with_capacity(items.len());
            for i in items {
                if matches!(i, Value::Obj(_)) {
                    objects.push(i);
                }
            }
            Ok(objects)
        }
        _ => Err(Error::Network(
            "the integrations answer is not a list".into(),
        )),
    }
}

/// The list, keeping only `type == kind` when given.
pub async fn list<T: Transport>(c: &Call<'_, T>, kind: Option<&str>) -> Result<Value, Error> {
    let mut kept = Vec::new();
    for i in list_value(c).await? {
        if kind.is_none_or(|k| i.get_str("type") == Some(k)) {
            kept.push(i);
        }
    }
    Ok(Value::Arr(kept))
}

/// What `add` takes; `credentials` is already a value (the JS layer reads files, text and
/// objects), and anything but an object is refused by [`plan`].
pub struct NewIntegration {
    pub kind: String,
    pub name: String,
    pub bucket: String,
    pub prefix: Option<String>,
    pub region: Option<String>,
    pub endpoint_url: Option<String>,
    pub credentials: Value,
}

/// The secret values inside credentials, to keep them out of any error.
pub fn secrets(credentials: &Value) -> Vec<String> {
    let Value::Obj(m) = credentials else {
        return Vec::new();
    };
    let mut found = Vec::new();
    for (k, v) in m {
        let secret = [
            "secret_access_key",
            "secretaccesskey",
            "session_token",
            "sessiontoken",
            "private_key",
        ]
        .contains(&normal_key(k).as_str());
        match v {
            Value::Str(s) if secret && s.len() >= 4 => found.push(s.clone()),
            _ => {}
        }
    }
    found
}

/// Credential keys match after lowercasing and turning `-` and space into `_`.
fn normal_key(k: &str) -> String {
    // A plain loop: `replace` with a `char` pattern links a searcher.
    let mut key = String::with_capacity(k.len());
    for c in k.chars() {
        key.push(match c {
            '-' | ' ' => '_',
            c => c.to_ascii_lowercase(),
        });
    }
    key
}

fn cred<'a>(m: &'a [(String, Value)], names: &[&str]) -> Option<&'a str> {
    m.iter()
        .find(|(k, _)| names.contains(&normal_key(k).as_str()))
        .and_then(|(_, v)| v.str())
        .filter(|s| !s.is_empty())
}

/// Checks everything and builds `(endpoint, JSON body)` without sending.
pub fn plan(n: &NewIntegration) -> Result<(&'static str, Value), Error> {
    let kind = n.kind.trim().to_ascii_lowercase();
    // Trimmed, as the Python client sends them (the wire comparison shows no difference).
    let name = non_blank("integration name", &n.name)?.trim().to_string();
    let bucket = non_blank("bucket", &n.bucket)?.trim().to_string();
    let Value::Obj(creds) = n.credentials.clone() else {
        return Err(invalid(
            "credentials must be a JSON object (an object, JSON text, or a .json file)",
        ));
    };
    let prefix = Value::from(n.prefix.clone());
    match kind.as_str() {
        "gcs" => {
            if creds.is_empty() {
                return Err(invalid("the GCS service-account credentials are empty"));
            }
            let body = Value::Obj(vec![
                ("name".into(), name.into()),
                ("type".into(), "gcs".into()),
                ("service_account".into(), Value::Obj(creds)),
                ("bucket".into(), bucket.into()),
                ("prefix".into(), prefix),
            ]);
            Ok(("/api/cloud-integrations/gcs", body))
        }
        "s3" => {
            let access = cred(&creds, &["access_key_id", "accesskeyid"])
                .ok_or_else(|| invalid("S3 credentials need accessKeyId"))?;
            let secret = cred(&creds, &["secret_access_key", "secretaccesskey"])
                .ok_or_else(|| invalid("S3 credentials need secretAccessKey"))?;
            let token = cred(&creds, &["session_token", "sessiontoken"]);
            let endpoint = n
                .endpoint_url
                .as_deref()
                .map(str::trim)
                .filter(|e| !e.is_empty());
            let region = match (
                n.region.as_deref().map(str::trim).filter(|r| !r.is_empty()),
                endpoint,
            ) {
                (Some(r), _) => r.to_string(),
                (None, Some(_)) => "auto".to_string(),
                (None, None) => {
                    return Err(invalid(
                        "an S3 integration needs a region (or an endpointUrl)",
                    ))
                }
            };
            let body = Value::Obj(vec![
                ("name".into(), name.into()),
                ("type".into(), "s3".into()),
                ("access_key_id".into(), access.into()),
                ("secret_access_key".into(), secret.into()),
                ("session_token".into(), token.into()),
                ("region".into(), region.into()),
                ("endpoint_url".into(), endpoint.into()),
                ("bucket".into(), bucket.into()),
                ("prefix".into(), prefix),
            ]);
            Ok(("/api/cloud-integrations/s3", body))
        }
        _ => Err(invalid(
            "integration type must be 'gcs' or 's3', not '".to_string() + &n.kind + "'",
        )),
    }
}

/// `POST /api/cloud-integrations/{gcs|s3}`: the created integration.
pub async fn add<T: Transport>(c: &Call<'_, T>, n: &NewIntegration) -> Result<Value, Error> {
    let (endpoint, body) = plan(n)?;
    let secrets = secrets(&n.credentials);
    let r = c
        .object(Request::post(
            path(&[Seg::Lit(endpoint)]),
            Body::Json(json_text(&body)),
        ))
        .await;
    let r = r.map_err(|e| secrets.iter().fold(e, |e, s| e.redact(Some(s))))?;
    match r {
        v @ Value::Obj(_) => Ok(v),
        _ => Err(Error::Network(
            "the integration answer is not an object".into(),
        )),
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::api::testing::ToJson;
    use crate::api::testing::{block_on, Fake};
    use crate::api::Names;

    fn s3(creds: &str, region: Option<&str>, endpoint: Option<&str>) -> NewIntegration {
        NewIntegration {
            kind: "S3".into(),
            name: " AWS archive ".into(),
            bucket: "drive-archive".into(),
            prefix: Some("raw/".into()),
            region: region.map(String::from),
            endpoint_url: endpoint.map(String::from),
            credentials: crate::api::testing::parse(creds).unwrap_or(Value::Str(creds.into())),
        }
    }

    #[test]
    fn s3_bodies_follow_the_protocol() {
        let (ep, b) = plan(&s3(
            r#"{"accessKeyId": "AK", "secret-access-key": "SK"}"#,
            Some(" us-east-1 "),
            None,
        ))
        .unwrap();
        assert_eq!(ep, "/api/cloud-integrations/s3");
        assert_eq!(
            b.to_json(),
            r#"{"name": "AWS archive", "type": "s3", "access_key_id": "AK", "secret_access_key": "SK", "session_token": null, "region": "us-east-1", "endpoint_url": null, "bucket": "drive-archive", "prefix": "raw/"}"#
        );
        let (_, b) = plan(&s3(
            r#"{"access_key_id": "AK", "secretAccessKey": "SK", "sessionToken": "T"}"#,
            None,
            Some("https://r2"),
        ))
        .unwrap();
        assert_eq!(b.get_str("region"), Some("auto"));
        assert_eq!(b.get_str("session_token"), Some("T"));
        for bad in [
            s3(r#"{"accessKeyId": "AK"}"#, Some("r"), None),
            s3(
                r#"{"accessKeyId": "AK", "secretAccessKey": "SK"}"#,
                None,
                None,
            ),
            s3("not json", Some("r"), None),
            s3("[1]", Some("r"), None),
            NewIntegration {
                kind: "hf".into(),
                ..s3("{}", Some("r"), None)
            },
            NewIntegration {
                name: " ".into(),
                ..s3(
                    r#"{"accessKeyId": "AK", "secretAccessKey": "SK"}"#,
                    Some("r"),
                    None,
                )
            },
        ] {
            assert!(matches!(plan(&bad), Err(Error::Validation(_))));
        }
    }

    #[test]
    fn errors_never_carry_the_secrets() {
        let f = Fake::default();
        f.fail(crate::api::testing::http_error(
            400,
            r#"{"detail": "bad secret SECRET-123 for AK"}"#,
            None,
            None,
        ));
        let names = Names::default();
        let n = s3(
            r#"{"accessKeyId": "AK", "secretAccessKey": "SECRET-123"}"#,
            Some("r"),
            None,
        );
        let e = block_on(add(
            &Call {
                t: &f,
                ctx: &(),
                names: &names,
            },
            &n,
        ))
        .unwrap_err();
        assert!(!e.message().contains("SECRET-123"), "{}", e.message());
    }

    #[test]
    fn list_filters_on_the_client() {
        let f = Fake::default();
        f.answer(
            200,
            r#"[{"id": "a", "type": "gcs"}, 7, {"id": "b", "type": "s3"}]"#,
        );
        let names = Names::default();
        assert_eq!(
            block_on(list(
                &Call {
                    t: &f,
                    ctx: &(),
                    names: &names
                },
                Some("s3")
            ))
            .unwrap()
            .to_json(),
            r#"[{"id": "b", "type": "s3"}]"#
        );
        assert_eq!(f.paths(), vec!["GET /api/cloud-integrations"]);
    }
}
