use actix_web::{HttpResponse, web};
use diesel::connection::SimpleConnection;

use crate::db::StoreError;
use crate::state::AppState;

/// `GET /healthz`: 200 when the database answers, 503 otherwise.
pub async fn healthz(state: web::Data<AppState>) -> HttpResponse {
    let answered = state.store.read(|conn| conn.batch_execute("SELECT 1").map_err(StoreError::from)).await;
    match answered {
        Ok(()) => HttpResponse::Ok().json(serde_json::json!({ "status": "ok" })),
        Err(e) => {
            tracing::warn!(error = %e, "health check failed");
            HttpResponse::ServiceUnavailable()
                .insert_header(("Retry-After", "5"))
                .json(serde_json::json!({ "status": "unavailable" }))
        }
    }
}
