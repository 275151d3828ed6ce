//! Folders: create, get, and the create-or-get that uploads use.

use super::validate::{non_blank, scope};
use super::{path, Body, Call, Request, Seg, Transport};
use crate::error::Error;
use crate::value::{json_text, obj, Value};
use serde::Deserialize;

/// `POST /api/folders`: fails with `APIError` (409) when the name exists in that scope.
pub async fn create<T: Transport>(
    c: &Call<'_, T>,
    name: &str,
    scope_: Option<&str>,
    description: Option<&str>,
) -> Result<T::Doc, Error> {
    c.doc(create_request(name, scope_, description)?).await
}

/// The request `create` sends.
pub fn create_request(
    name: &str,
    scope_: Option<&str>,
    description: Option<&str>,
) -> Result<Request, Error> {
    let mut body = obj([
        // The one name the protocol trims (API.md §11, §12), as the Python client does.
        ("name", non_blank("folder name", name)?.trim().into()),
        ("scope", scope(scope_)?.into()),
    ]);
    if let Some(d) = description.filter(|d| !d.is_empty()) {
        body.set("description", d.into());
    }
    Ok(Request::post(
        path(&[Seg::Lit("/api/folders")]),
        Body::Json(json_text(&body)),
    ))
}

/// `GET /api/folders/get?name=&scope=`.
pub async fn get<T: Transport>(
    c: &Call<'_, T>,
    name: &str,
    scope_: Option<&str>,
) -> Result<T::Doc, Error> {
    c.doc(get_request(name, scope_)?).await
}

/// The request `get` sends.
pub fn get_request(name: &str, scope_: Option<&str>) -> Result<Request, Error> {
    Ok(Request::get(path(&[Seg::Lit("/api/folders/get")]))
        .query("name", non_blank("folder name", name)?.trim())
        .query("scope", scope(scope_)?))
}

#[derive(Deserialize)]
struct FolderId {
    #[serde(default)]
    id: Option<String>,
}

/// `POST /api/folders/create-or-get`, for an already validated name and scope; returns its id.
pub async fn create_or_get_id<T: Transport>(
    c: &Call<'_, T>,
    name: &str,
    scope: &str,
) -> Result<String, Error> {
    let body = obj([("name", Value::from(name)), ("scope", Value::from(scope))]);
    let r: FolderId = c
        .read(Request::post(
            path(&[Seg::Lit("/api/folders/create-or-get")]),
            Body::Json(json_text(&body)),
        ))
        .await?;
    r.id.ok_or_else(|| Error::Network("the folder answer has no id".into()))
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::api::testing::{block_on, Fake};
    use crate::api::Names;

    #[test]
    fn create_sends_the_protocol_body() {
        let f = Fake::default();
        f.answer(201, r#"{"id": "f1"}"#);
        let names = Names::default();
        let c = Call {
            t: &f,
            ctx: &(),
            names: &names,
        };
        block_on(create(&c, " marketing ", None, Some("Q1 campaign"))).unwrap();
        let sent = f.sent.borrow();
        assert_eq!(
            sent[0].body,
            Body::Json(
                r#"{"name": "marketing", "scope": "user", "description": "Q1 campaign"}"#.into()
            )
        );
        drop(sent);
        assert!(matches!(
            block_on(create(&c, "  ", None, None)),
            Err(Error::Validation(_))
        ));
        assert!(matches!(
            block_on(get(&c, "x", Some("sample"))),
            Err(Error::Validation(_))
        ));
        assert_eq!(f.sent.borrow().len(), 1, "invalid input sends nothing");
    }

    #[test]
    fn get_query() {
        let f = Fake::default();
        f.answer(200, "{}");
        let names = Names::default();
        block_on(get(
            &Call {
                t: &f,
                ctx: &(),
                names: &names,
            },
            " fleet uploads ",
            Some("org"),
        ))
        .unwrap();
        let bad = block_on(get(&f.call(&names), "x", Some("ORG")));
        assert!(matches!(bad, Err(Error::Validation(ref m)) if m.contains("not 'ORG'")));
        assert_eq!(
            f.paths(),
            vec!["GET /api/folders/get?name=fleet+uploads&scope=org"]
        );
    }

    #[test]
    fn an_answer_that_is_not_an_object_is_not_a_result() {
        for garbage in ["null", "[]", "[{\"id\": \"f1\"}]", "7", "\"ok\"", "true"] {
            let f = Fake::default();
            f.answer(200, garbage);
            let names = Names::default();
            let r = block_on(get(&f.call(&names), "fleet", None));
            assert!(matches!(r, Err(Error::Network(_))), "{garbage}: {r:?}");
        }
    }
}
