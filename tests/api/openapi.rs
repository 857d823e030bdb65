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

#[tokio::test]
async fn operation_ids_are_unique_verb_noun_names() {
    let doc = document().await;
    let mut seen = std::collections::BTreeSet::new();
    let items = doc["paths"]
        .as_object()
        .unwrap()
        .values()
        .chain(doc["webhooks"].as_object().unwrap().values());
    for item in items {
        for op in item.as_object().unwrap().values() {
            let id = op["operationId"].as_str().unwrap();
            let first = id.chars().next().unwrap();
            assert!(
                first.is_ascii_lowercase() && id.chars().all(|c| c.is_ascii_alphanumeric()),
                "{id} is not verbNoun"
            );
            assert!(
                id.chars().any(|c| c.is_ascii_uppercase()),
                "{id} has no noun"
            );
            assert!(seen.insert(id.to_string()), "{id} is not unique");
        }
    }
}

#[tokio::test]
async fn the_submission_is_documented_as_json_and_as_a_form_with_their_real_answers() {
    let doc = document().await;
    let op = &doc["paths"]["/api/v1/sites/{site}/articles/{article}/comments"]["post"];
    let content = &op["requestBody"]["content"];
    assert_eq!(
        content["application/json"]["schema"]["$ref"],
        "#/components/schemas/CommentSubmission"
    );
    assert_eq!(
        content["application/x-www-form-urlencoded"]["schema"]["$ref"],
        "#/components/schemas/CommentForm"
    );
    for code in ["201", "202"] {
        assert!(
            op["responses"][code]["content"]["text/html"].is_object(),
            "{code}"
        );
        assert!(op["responses"][code]["content"]["application/json"].is_object());
    }
    assert!(op["responses"]["200"].is_null());
    let json = &doc["components"]["schemas"]["CommentSubmission"];
    assert_eq!(json["additionalProperties"], false);
    for field in ["name", "email", "title", "body", "accept_terms"] {
        assert!(
            json["required"].as_array().unwrap().contains(&field.into()),
            "{field}"
        );
    }
    assert_eq!(json["properties"]["name"]["maxLength"], 60);
}

#[tokio::test]
async fn closed_values_are_enums_times_are_date_times_and_images_are_binary() {
    let doc = document().await;
    let schemas = &doc["components"]["schemas"];
    assert_eq!(
        schemas["QueueItemJson"]["properties"]["status"]["enum"],
        serde_json::json!([
            "pending",
            "held",
            "published",
            "rejected",
            "spam",
            "deleted"
        ])
    );
    assert_eq!(
        schemas["QueueItemJson"]["properties"]["created_at"]["format"],
        "date-time"
    );
    let queue = &doc["paths"]["/api/v1/sites/{site}/moderation/queue"]["get"]["parameters"];
    let order = queue
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "order")
        .unwrap();
    assert_eq!(
        order["schema"]["enum"],
        serde_json::json!(["newest", "oldest"])
    );
    let png = &doc["paths"]["/api/v1/captcha/{id}.png"]["get"]["responses"]["200"]["content"]["image/png"]
        ["schema"];
    assert_eq!(png["format"], "binary");
    let published = &doc["webhooks"]["comment.published"]["post"]["requestBody"]["content"]["application/json"]
        ["schema"];
    assert_eq!(
        published["properties"]["data"]["$ref"],
        "#/components/schemas/CommentData"
    );
    for event in majlis::webhooks::EVENT_TYPES {
        assert!(doc["webhooks"][event].is_object(), "{event}");
    }
}
