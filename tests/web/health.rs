use actix_web::test as at;
use smarter_accounts::config::DatabaseUrl;
use smarter_accounts::startup;
use smarter_accounts::state::AppState;

use crate::on_both_databases;
use crate::support::{self, TestDb};

async fn healthz_answers_ok_when_the_database_answers(db: TestDb) {
    let app = at::init_service(startup::build_app(support::state(&db).await)).await;
    let resp = at::call_service(&app, at::TestRequest::get().uri("/healthz").to_request()).await;
    assert_eq!(resp.status(), 200);
    let body: serde_json::Value = at::read_body_json(resp).await;
    assert_eq!(body, serde_json::json!({ "status": "ok" }));
}

on_both_databases!(healthz_answers_ok_when_the_database_answers);

#[actix_web::test]
async fn healthz_answers_503_when_the_database_is_unreachable() {
    // Nothing listens on port 1: every connection attempt fails at once.
    let url = DatabaseUrl::parse("postgres://nobody@127.0.0.1:1/none").unwrap();
    let settings = smarter_accounts::config::Settings::for_database(url.clone());
    let pool = smarter_accounts::db::build_pool(&url, 1);
    let cache = startup::open_cache(&settings, &[0; 64], Default::default()).await.unwrap();
    let state = AppState {
        store: smarter_accounts::store::Store::new(pool, std::sync::Arc::new(cache)),
        settings: std::sync::Arc::new(settings),
        session_key: std::sync::Arc::new(smarter_accounts::config::Secret::new(vec![0; 64])),
        sessions: smarter_accounts::session_store::SessionBackend::Cookie,
    };
    let app = at::init_service(startup::build_app(state)).await;
    let resp = at::call_service(&app, at::TestRequest::get().uri("/healthz").to_request()).await;
    assert_eq!(resp.status(), 503);
    let body: serde_json::Value = at::read_body_json(resp).await;
    assert_eq!(body["status"], "unavailable");
}
