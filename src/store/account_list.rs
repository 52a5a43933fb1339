//! One page of the account list, through the cache: the page (rows, cursors, tags and
//! count) under its shape, and the count on its own, so a page too large to keep still
//! reuses its count. A page keeps only what the list shows of each account
//! ([`ListedRow`]), its short texts inline rather than each in an allocation of its own
//! (in Redis 18 KB a page against 31 KB with whole rows and their tags beside them).

use chrono::NaiveDateTime;
use compact_str::CompactString;

use serde::{Deserialize, Serialize};

use super::Store;
use crate::cache::{CacheKey, Stamp};
use crate::db::models::account_list::{self, Count, ListQuery, Matches, SearchPlan};
use crate::db::models::keyset::Page;
use crate::db::models::{Account, metadata};
use crate::db::{AccountId, StoreError};
use crate::domain::Tags;

/// Pages up to this size are kept in the object cache.
const MAX_CACHED_PER_PAGE: i64 = 100;

/// What the list shows of an account, with its tags.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListedRow {
    pub id: AccountId,
    pub account_number: CompactString,
    pub company_name: CompactString,
    pub name: CompactString,
    pub city: CompactString,
    pub country: CompactString,
    pub is_active: bool,
    pub is_default_account: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub tags: Tags,
}

impl ListedRow {
    fn new(a: Account, tags: Option<Tags>) -> Self {
        Self {
            id: a.id,
            account_number: a.account_number.into(),
            company_name: a.company_name.into(),
            name: a.name.into(),
            city: a.city.unwrap_or_default().into(),
            country: a.country.into(),
            is_active: a.is_active,
            is_default_account: a.is_default_account,
            created_at: a.created_at,
            updated_at: a.updated_at,
            tags: tags.unwrap_or_default(),
        }
    }
}

/// One page of the list as the console shows it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ListedAccounts {
    pub page: Page<ListedRow>,
    pub count: Count,
}

impl Store {
    /// The page of the account list `query` names.
    pub async fn account_list(&self, query: ListQuery) -> Result<ListedAccounts, StoreError> {
        let page_key = CacheKey::AccountList(query.clone());
        let count_key = CacheKey::AccountCount { scope: query.scope, filter: query.filter.clone() };
        let cacheable = query.per_page <= MAX_CACHED_PER_PAGE;
        let seen = if cacheable {
            let (seen, hit) = self.cache.lookup::<ListedAccounts>(&page_key).await;
            if let Some(hit) = hit {
                return Ok(hit);
            }
            seen
        } else {
            self.cache.generation().await
        };
        let known_count = self.cache.get::<Count>(&count_key, &seen).await;
        let fresh = self
            .read(move |conn| {
                // A text search is matched once, for the count and the page, unless the
                // count already says there are too many matches to carry.
                let matches = match known_count {
                    Some(Count::AtLeast(_)) => None,
                    _ => Matches::look_up(conn, query.scope, &query.filter)?,
                };
                let count = match known_count {
                    Some(count) => count,
                    None => account_list::count(conn, query.scope, &query.filter, matches.as_ref())?,
                };
                let page = account_list::list(conn, &query, SearchPlan::for_count(count), matches.as_ref())?;
                let mut tags = metadata::load_account_tags(conn, &page.rows)?;
                let page = page.map(|a| {
                    let shown = tags.remove(&a.id);
                    ListedRow::new(a, shown)
                });
                Ok::<_, StoreError>(ListedAccounts { page, count })
            })
            .await?;
        self.cache.put(&count_key, &fresh.count, &seen).await;
        if cacheable {
            // The page shows its accounts: a change to any of them retires it.
            let shown = fresh.page.rows.iter().map(|a| Stamp::Account(a.id)).collect();
            self.cache.put_with(&page_key, &fresh, &seen, shown).await;
        }
        Ok(fresh)
    }
}
