use actix_web::{HttpResponse, web};

use crate::routes::AppState;

/// The process is up.
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().content_type("text/plain").body("ok")
}

/// The database answers and every migration is applied.
pub async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    match state.store.ready().await {
        Ok(true) => HttpResponse::Ok().content_type("text/plain").body("ready"),
        Ok(false) => HttpResponse::ServiceUnavailable()
            .insert_header(("Retry-After", "2"))
            .body("migrations pending"),
        Err(_) => HttpResponse::ServiceUnavailable()
            .insert_header(("Retry-After", "2"))
            .body("database unavailable"),
    }
}
