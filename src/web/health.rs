//! `GET /healthz`, for load balancers: 200 `{"status":"ok"}` while the database (and
//! Redis, when one is set) answers; 503 otherwise, within a second or two, never a hang.

use actix_web::{HttpResponse, web};
use diesel::connection::SimpleConnection;

use crate::db::StoreError;
use crate::state::AppState;

pub async fn healthz(state: web::Data<AppState>) -> HttpResponse {
    let answered = state.store.read(|conn| conn.batch_execute("SELECT 1").map_err(StoreError::from)).await;
    if let Err(e) = answered {
        tracing::warn!(error = %e, "health check failed");
        return unavailable(serde_json::json!({ "status": "unavailable" }));
    }
    let redis = match state.store.cache_redis_answers().await {
        Some(answers) => Some(answers),
        None => state.sessions.redis_answers().await,
    };
    if redis == Some(false) {
        tracing::warn!("health check failed: Redis does not answer");
        return unavailable(serde_json::json!({ "status": "unavailable", "redis": "down" }));
    }
    HttpResponse::Ok().json(serde_json::json!({ "status": "ok" }))
}

fn unavailable(body: serde_json::Value) -> HttpResponse {
    HttpResponse::ServiceUnavailable().insert_header(("Retry-After", "5")).json(body)
}
