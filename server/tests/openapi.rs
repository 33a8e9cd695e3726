//! `docs/openapi.json` describes exactly what the server serves: the same (method, path) pairs
//! as the router, every one of them live, every `$ref` resolvable, and its examples of the
//! protocol documents accepted by the server's own types.

use std::collections::BTreeSet;

use serde_json::Value;
use tower::ServiceExt;

fn spec() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/openapi.json");
    serde_json::from_str(&std::fs::read_to_string(path).expect("docs/openapi.json exists"))
        .expect("docs/openapi.json is JSON")
}

#[test]
fn the_spec_lists_exactly_the_servers_routes() {
    let spec = spec();
    assert_eq!(spec["openapi"], "3.1.0");
    let mut documented = BTreeSet::new();
    for (path, item) in spec["paths"].as_object().expect("paths") {
        for method in item.as_object().expect("path item").keys() {
            documented.insert((method.to_uppercase(), path.clone()));
        }
    }
    let served: BTreeSet<(String, String)> = runsheet_server::route_table()
        .into_iter()
        .map(|(m, p)| (m.to_owned(), p.to_owned()))
        .collect();
    let missing: Vec<_> = served.difference(&documented).collect();
    let extra: Vec<_> = documented.difference(&served).collect();
    assert!(missing.is_empty(), "served but not documented: {missing:?}");
    assert!(extra.is_empty(), "documented but not served: {extra:?}");
}

#[test]
fn every_reference_in_the_spec_resolves() {
    let spec = spec();
    let mut refs = Vec::new();
    fn walk(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(m) => {
                if let Some(Value::String(r)) = m.get("$ref") {
                    out.push(r.clone());
                }
                m.values().for_each(|x| walk(x, out));
            }
            Value::Array(a) => a.iter().for_each(|x| walk(x, out)),
            _ => {}
        }
    }
    walk(&spec, &mut refs);
    assert!(!refs.is_empty());
    for r in refs {
        let (kind, name) = r
            .strip_prefix("#/components/")
            .and_then(|rest| rest.split_once('/'))
            .unwrap_or_else(|| panic!("unexpected $ref {r}"));
        assert!(
            matches!(kind, "schemas" | "responses") && spec["components"][kind].get(name).is_some(),
            "$ref {r} does not resolve"
        );
    }
}

#[tokio::test]
async fn every_documented_route_is_live() {
    let dir = tempfile::tempdir().unwrap();
    let state = runsheet_server::AppState::new(
        runsheet_server::Db::open_sqlite(&dir.path().join("s.db")).unwrap(),
        Some("admin".into()),
    );
    let app = runsheet_server::app(state);
    for (method, path) in runsheet_server::route_table() {
        let uri = path.replace("{id}", "some-id");
        let req = axum::http::Request::builder()
            .method(method)
            .uri(&uri)
            .header("content-type", "application/json")
            .body(axum::body::Body::from("{}"))
            .unwrap();
        let resp = app.clone().oneshot(req).await.unwrap();
        let status = resp.status().as_u16();
        let bytes = axum::body::to_bytes(resp.into_body(), 1 << 20)
            .await
            .unwrap();
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            status != 405 && !text.contains("no such route"),
            "{method} {path} is documented but not routed ({status} {text})"
        );
    }
}

#[test]
fn the_protocol_schemas_name_the_fields_the_types_use() {
    // The required fields of each documented schema are accepted by the Rust type of the same
    // document, so a renamed field breaks this test.
    let spec = spec();
    let schemas = &spec["components"]["schemas"];
    let required = |name: &str| -> Vec<String> {
        schemas[name]["required"]
            .as_array()
            .unwrap_or_else(|| panic!("{name} has required fields"))
            .iter()
            .map(|v| v.as_str().unwrap().to_owned())
            .collect()
    };
    let push = serde_json::to_value(runsheet_protocol::PushRequest {
        client_id: "c".into(),
        mutations: vec![runsheet_protocol::Mutation {
            mutation_id: 1,
            device_time: 0,
            action: runsheet_protocol::Action::delivered("t"),
            context: None,
        }],
    })
    .unwrap();
    for f in required("PushRequest") {
        assert!(push.get(&f).is_some(), "PushRequest lacks {f}");
    }
    for f in required("Mutation") {
        assert!(push["mutations"][0].get(&f).is_some(), "Mutation lacks {f}");
    }
    let pull = serde_json::to_value(runsheet_protocol::PullResponse {
        changes: vec![],
        cursor: 0,
        has_more: false,
        last_mutation_id: 0,
        server_time: 0,
        settings: None,
        checklists: vec![],
        ratings: vec![],
    })
    .unwrap();
    for f in required("PullResponse") {
        assert!(pull.get(&f).is_some(), "PullResponse lacks {f}");
    }
    let resp = serde_json::to_value(runsheet_protocol::PushResponse {
        results: vec![],
        last_mutation_id: 0,
    })
    .unwrap();
    for f in required("PushResponse") {
        assert!(resp.get(&f).is_some(), "PushResponse lacks {f}");
    }
}

/// The statuses an operation documents.
fn documented(spec: &Value, method: &str, path: &str) -> BTreeSet<u16> {
    spec["paths"][path][method.to_lowercase()]["responses"]
        .as_object()
        .unwrap_or_else(|| panic!("{method} {path} has responses"))
        .keys()
        .map(|k| {
            k.parse()
                .unwrap_or_else(|_| panic!("{method} {path}: status {k}"))
        })
        .collect()
}

async fn call(
    app: &axum::Router,
    method: &str,
    uri: &str,
    token: Option<&str>,
    content_type: Option<&str>,
    body: &str,
) -> (u16, bytes::Bytes) {
    let mut req = axum::http::Request::builder().method(method).uri(uri);
    if let Some(t) = token {
        req = req.header("authorization", format!("Bearer {t}"));
    }
    if let Some(ct) = content_type {
        req = req.header("content-type", ct);
    }
    let resp = app
        .clone()
        .oneshot(req.body(axum::body::Body::from(body.to_owned())).unwrap())
        .await
        .unwrap();
    let status = resp.status().as_u16();
    (
        status,
        axum::body::to_bytes(resp.into_body(), 1 << 20)
            .await
            .unwrap(),
    )
}

fn assert_error_body(what: &str, status: u16, bytes: &[u8]) {
    let body: runsheet_protocol::ErrorBody = serde_json::from_slice(bytes).unwrap_or_else(|e| {
        panic!(
            "{what}: {status} without a JSON error body ({e}): {:?}",
            String::from_utf8_lossy(bytes)
        )
    });
    assert!(
        !body.error.is_empty() && !body.reason.is_empty(),
        "{what}: {status} {body:?}"
    );
}

#[tokio::test]
async fn every_status_the_server_sends_is_documented_with_a_json_body() {
    let spec = spec();
    let dir = tempfile::tempdir().unwrap();
    let state = runsheet_server::AppState::new(
        runsheet_server::Db::open_sqlite(&dir.path().join("s.db")).unwrap(),
        Some("admin".into()),
    );
    let app = runsheet_server::app(state);
    let (status, created) = call(
        &app,
        "POST",
        "/v1/dispatch/couriers",
        Some("admin"),
        Some("application/json"),
        r#"{"id": "c1", "name": "Test"}"#,
    )
    .await;
    assert_eq!(status, 201);
    let courier: Value = serde_json::from_slice(&created).unwrap();
    let courier_token = courier["token"].as_str().unwrap().to_owned();
    let nul = "{\"client_id\": \"a\\u0000b\", \"id\": \"a\\u0000b\"}";
    let probes: [(&str, Option<&str>, &str); 7] = [
        ("wrong content type", Some("text/plain"), "{}"),
        ("no content type", None, "{}"),
        ("malformed JSON", Some("application/json"), "{not json"),
        ("not an object", Some("application/json"), "[]"),
        ("an empty object", Some("application/json"), "{}"),
        ("a NUL in a text", Some("application/json"), nul),
        (
            "a fractional integer",
            Some("application/json"),
            r#"{"cursor": 1.5}"#,
        ),
    ];
    let mut checked = 0;
    for (method, path) in runsheet_server::route_table() {
        let op = &spec["paths"][path][method.to_lowercase()];
        let statuses = documented(&spec, method, path);
        assert!(statuses.contains(&429), "{method} {path} does not list 429");
        assert!(statuses.contains(&503), "{method} {path} does not list 503");
        let takes_json = op["requestBody"]["content"]
            .get("application/json")
            .is_some();
        if takes_json {
            for s in [400, 413, 415, 422] {
                assert!(
                    statuses.contains(&s),
                    "{method} {path} takes JSON but does not list {s}"
                );
            }
        }
        let uri = path
            .replace("{id}", "some-id")
            .replace("{sha256}", &"0".repeat(64));
        let token = match op["security"][0].as_object().and_then(|o| o.keys().next()) {
            Some(scheme) if scheme == "adminToken" => Some("admin"),
            Some(_) => Some(courier_token.as_str()),
            None => None,
        };
        // Without a token, with a wrong one: 401, documented, with a JSON body.
        if token.is_some() {
            for bad in [None, Some("wrong-token")] {
                let (status, bytes) =
                    call(&app, method, &uri, bad, Some("application/json"), "{}").await;
                let what = format!("{method} {path} with token {bad:?}");
                assert_eq!(status, 401, "{what}");
                assert!(statuses.contains(&status), "{what}: 401 not documented");
                assert_error_body(&what, status, &bytes);
                checked += 1;
            }
        }
        for (name, content_type, body) in probes {
            let (status, bytes) = call(&app, method, &uri, token, content_type, body).await;
            let what = format!("{method} {path} with {name}");
            assert!(
                statuses.contains(&status),
                "{what}: the server sent {status}, which the spec does not list ({statuses:?}): {}",
                String::from_utf8_lossy(&bytes)
            );
            if status >= 400 {
                assert_error_body(&what, status, &bytes);
            }
            if takes_json {
                let want = match name {
                    "wrong content type" | "no content type" => Some(415),
                    "malformed JSON" => Some(400),
                    "not an object" | "a NUL in a text" => Some(422),
                    _ => None,
                };
                if let Some(want) = want {
                    assert_eq!(status, want, "{what}");
                }
            }
            checked += 1;
        }
        // A control character in an id of the path or in a query value: 422 under /v1/.
        if path.starts_with("/v1/") {
            let mut uris = vec![format!("{uri}?client_id=a%00b"), format!("{uri}?since=%FF")];
            if path.contains('{') {
                uris.push(path.replace("{id}", "a%00b").replace("{sha256}", "a%1Bb"));
                uris.push(path.replace("{id}", "a%FFb").replace("{sha256}", "%C3"));
            }
            for bad in uris {
                let (status, bytes) =
                    call(&app, method, &bad, token, Some("application/json"), "{}").await;
                let what = format!("{method} {bad}");
                assert_eq!(status, 422, "{what}: {}", String::from_utf8_lossy(&bytes));
                assert!(statuses.contains(&status), "{what}: 422 not documented");
                assert_error_body(&what, status, &bytes);
            }
        }
        // A method the path does not take: 405 with a JSON body.
        let (status, bytes) = call(&app, "DELETE", &uri, token, None, "").await;
        assert_eq!(status, 405, "DELETE {path}");
        assert_error_body(&format!("DELETE {path}"), status, &bytes);
    }
    assert!(checked > 100);
    let (status, bytes) = call(&app, "GET", "/v1/nowhere", None, None, "").await;
    assert_eq!(status, 404);
    assert_error_body("GET /v1/nowhere", status, &bytes);
}
