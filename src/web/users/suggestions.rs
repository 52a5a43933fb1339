//! `GET /users/suggestions?q=…` (superusers): the add-member field's suggestions, asked
//! for as the user types: up to 20 active usernames that hold the typed text in any
//! case, in username order, as a JSON array. Account pages carry none themselves, so
//! the busiest page reads no users for a field that is rarely used.

use actix_web::{HttpResponse, web};
use serde::Deserialize;

use crate::auth::Superuser;
use crate::db::StoreError;
use crate::db::models::User;
use crate::error::AppError;
use crate::state::AppState;
use crate::web::query::LenientQuery;

/// How many usernames one answer suggests.
const SUGGESTED: i64 = 20;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SuggestParams {
    q: String,
}

pub async fn usernames(
    _: Superuser,
    state: web::Data<AppState>,
    query: LenientQuery<SuggestParams>,
) -> Result<HttpResponse, AppError> {
    // A username has at most 150 characters: more typed can match none.
    let typed: String = query.params.q.trim().chars().take(151).collect();
    let names = state
        .store
        .read(move |conn| User::usernames_holding(conn, &typed, SUGGESTED).map_err(StoreError::from))
        .await?;
    Ok(HttpResponse::Ok().json(names))
}
