//! The OpenAPI document describes every `/api/v1` route, and the reference
//! page is served from the binary.

use serde_json::Value;

use crate::helpers::spawn_app;

async fn document() -> Value {
    let app = spawn_app().await;
    let resp = reqwest::get(app.url("/api/openapi.json")).await.unwrap();
    assert_eq!(resp.status(), 200);
    resp.json().await.unwrap()
}

#[tokio::test]
async fn every_api_route_is_described_by_the_openapi_document() {
    let doc = document().await;
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    let paths = doc["paths"].as_object().unwrap();
    let mut missing = Vec::new();
    for (method, path) in majlis::routes::API_ROUTES {
        let full = format!("/api/v1{path}");
        let op = &paths.get(&full).cloned().unwrap_or(Value::Null)[method.to_lowercase()];
        if !op.is_object() {
            missing.push(format!("{method} {full}"));
        }
    }
    assert!(missing.is_empty(), "undocumented routes: {missing:?}");
}

#[tokio::test]
async fn the_openapi_document_describes_no_route_that_does_not_exist() {
    let doc = document().await;
    let routes: Vec<(String, String)> = majlis::routes::API_ROUTES
        .iter()
        .map(|(m, p)| (m.to_lowercase(), format!("/api/v1{p}")))
        .collect();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            if ["get", "put", "post", "delete", "patch", "options", "head"]
                .contains(&method.as_str())
            {
                assert!(
                    routes.contains(&(method.clone(), path.clone())),
                    "{method} {path} is documented but not routed"
                );
            }
        }
    }
}

#[tokio::test]
async fn every_operation_documents_its_responses_and_keyed_ones_their_auth() {
    let doc = document().await;
    assert_eq!(
        doc["components"]["securitySchemes"]["api_key"]["scheme"],
        "bearer"
    );
    let error = &doc["components"]["schemas"]["ErrorBody"];
    for field in ["error", "message", "fields"] {
        assert!(error["properties"][field].is_object(), "ErrorBody.{field}");
    }
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let responses = op["responses"].as_object().unwrap();
            assert!(!responses.is_empty(), "{method} {path} has no responses");
            if op["security"].is_array() {
                for code in ["401", "403", "404"] {
                    assert!(responses.contains_key(code), "{method} {path} lacks {code}");
                }
            }
        }
    }
    // Moderation needs a key; reading comments does not.
    let queue = &doc["paths"]["/api/v1/sites/{site}/moderation/queue"]["get"];
    assert_eq!(queue["security"][0]["api_key"], serde_json::json!([]));
    let list = &doc["paths"]["/api/v1/sites/{site}/articles/{article}/comments"]["get"];
    assert!(list["security"].is_null());
}

#[tokio::test]
async fn the_interactive_reference_is_served_without_any_download() {
    let app = spawn_app().await;
    let resp = reqwest::get(app.url("/api/docs")).await.unwrap();
    assert_eq!(resp.status(), 200);
    let html = resp.text().await.unwrap();
    assert!(html.contains("swagger"), "{html}");
    let init = reqwest::get(app.url("/api/docs/swagger-initializer.js"))
        .await
        .unwrap();
    assert_eq!(init.status(), 200);
    assert!(init.text().await.unwrap().contains("/api/openapi.json"));
}

#[tokio::test]
async fn a_wrong_method_on_an_api_path_is_405_in_the_error_shape() {
    let app = spawn_app().await;
    let resp = reqwest::Client::new()
        .delete(app.url("/api/v1/captcha"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 405);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["error"], "method_not_allowed");
}

#[tokio::test]
async fn an_undecodable_json_body_is_400_in_the_error_shape() {
    let app = spawn_app().await;
    app.add_site(crate::helpers::site("news")).await;
    let key = app.api_key("news", "moderator").await;
    let resp = reqwest::Client::new()
        .post(app.url("/api/v1/sites/news/blocks"))
        .bearer_auth(&key)
        .header("content-type", "application/json")
        .body("{\"kind\": 3}")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["error"], "malformed_json");
}
