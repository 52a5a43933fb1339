//! One page of the account list, through the cache: the page (rows, cursors, tags and
//! count) under its shape, and the count on its own, so a page too large to keep still
//! reuses its count.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::Store;
use crate::cache::{CacheKey, ListShape};
use crate::db::StoreError;
use crate::db::models::account_list::{self, AccountPage, Count, SearchPlan};
use crate::db::models::metadata;
use crate::domain::Tags;

/// Pages up to this size are kept in the object cache.
const MAX_CACHED_PER_PAGE: i64 = 100;

/// One page of the list as the console shows it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ListedAccounts {
    pub page: AccountPage,
    pub count: Count,
    /// The tags of the page's accounts, by account id.
    pub tags: HashMap<i64, Tags>,
}

impl Store {
    /// The page of the account list `shape` names.
    pub async fn account_list(&self, shape: ListShape) -> Result<ListedAccounts, StoreError> {
        let page_key = CacheKey::AccountList(shape.clone());
        let count_key = CacheKey::AccountCount { scope: shape.scope, filter: shape.filter.clone() };
        let seen = self.cache.generation().await;
        let cacheable = shape.per_page <= MAX_CACHED_PER_PAGE;
        if cacheable && let Some(hit) = self.cache.get::<ListedAccounts>(&page_key, &seen).await {
            return Ok(hit);
        }
        let known_count = self.cache.get::<Count>(&count_key, &seen).await;
        let fresh = self
            .read(move |conn| {
                let ListShape { scope, filter, sort, cursor, per_page } = shape;
                let count = match known_count {
                    Some(count) => count,
                    None => account_list::count(conn, scope, &filter)?,
                };
                let plan = SearchPlan::for_count(count);
                let page = account_list::list_with(conn, scope, &filter, sort, cursor.as_ref(), per_page, plan)?;
                let ids: Vec<i64> = page.rows.iter().map(|a| a.id).collect();
                let tags = metadata::load_tags_for(conn, metadata::ACCOUNT, &ids)?;
                Ok::<_, StoreError>(ListedAccounts { page, count, tags })
            })
            .await?;
        self.cache.put(&count_key, &fresh.count, &seen).await;
        if cacheable {
            self.cache.put(&page_key, &fresh, &seen).await;
        }
        Ok(fresh)
    }
}
