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
        let pointer = r
            .strip_prefix('#')
            .filter(|p| p.starts_with("/components/"))
            .unwrap_or_else(|| panic!("unexpected $ref {r}"));
        assert!(spec.pointer(pointer).is_some(), "$ref {r} does not resolve");
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
        pull: None,
        client_id: "c".into(),
        mutations: vec![runsheet_protocol::Mutation {
            mutation_id: 1,
            device_time: 0,
            action: runsheet_protocol::Action::delivered("t"),
            context: None,
        }],
        sent_at: None,
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
        cases: vec![],
        recalls: vec![],
        offers: vec![],
        vehicle: None,
        earnings: vec![],
        training: vec![],
        qualifications: vec![],
    })
    .unwrap();
    for f in required("PullResponse") {
        assert!(pull.get(&f).is_some(), "PullResponse lacks {f}");
    }
    let resp = serde_json::to_value(runsheet_protocol::PushResponse {
        pulled: None,
        results: vec![],
        last_mutation_id: 0,
        wal_lsn: None,
    })
    .unwrap();
    for f in required("PushResponse") {
        assert!(resp.get(&f).is_some(), "PushResponse lacks {f}");
    }
}
