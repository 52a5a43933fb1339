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

#[derive(diesel::QueryableByName)]
struct Pragmas {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    cache_size: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    busy_timeout: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    foreign_keys: i64,
    #[diesel(sql_type = diesel::sql_types::Text)]
    journal_mode: String,
}

#[test]
fn every_pooled_sqlite_connection_has_its_pragmas() {
    use diesel::RunQueryDsl;
    let db = TestDb::sqlite();
    let pool = db.pool();
    // Two at once, so the second is a connection of its own.
    let mut first = TestDb::conn(&pool);
    let mut second = TestDb::conn(&pool);
    for conn in [&mut first, &mut second] {
        let pragmas: Pragmas = diesel::sql_query(
            "SELECT p.cache_size, b.timeout AS busy_timeout, f.foreign_keys, j.journal_mode \
             FROM pragma_cache_size() p, pragma_busy_timeout() b, pragma_foreign_keys() f, pragma_journal_mode() j",
        )
        .get_result(&mut **conn)
        .unwrap();
        // A negative size is in KiB: a 1 MiB page cache, not SQLite's 2 MB default.
        assert_eq!(pragmas.cache_size, -1024);
        assert_eq!(pragmas.busy_timeout, 5_000);
        assert_eq!(pragmas.foreign_keys, 1);
        assert_eq!(pragmas.journal_mode, "wal");
    }
}
