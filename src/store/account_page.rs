//! The account page's account and everything around it, through the cache. A first
//! view, with neither in the cache, reads both in one go: on PostgreSQL one statement.

use chrono::NaiveDate;

use super::Store;
use crate::cache::{CacheKey, Shared, Stamp};
use crate::db::models::around::{Around, Wanted};
use crate::db::models::{Account, AccountLookup, User, UserProfile};
use crate::db::{AccountId, StoreError};

impl Store {
    /// The account numbered `number` and its surroundings, if `viewer` may see it:
    /// superusers see every account, staff only those they are members of. `None`
    /// otherwise, as for a number no account has.
    pub async fn account_page(
        &self,
        number: String,
        viewer: &User,
        wanted: Wanted,
    ) -> Result<Option<(Account, Shared<Around>)>, StoreError> {
        let row_key = CacheKey::Account(AccountLookup::AccountNumber(number.clone()));
        let member_of = (!viewer.is_superuser).then_some(viewer.id);
        let (seen, row) = self.cache.lookup::<Account>(&row_key).await;
        if let Some(account) = row {
            if !self.may_see(viewer, account.id).await? {
                return Ok(None);
            }
            let around = self.around(account.id, wanted).await?;
            return Ok(Some((account, around)));
        }
        let found = self
            .read(move |conn| {
                let Some((account, around)) = Around::load_with_account(conn, &number, wanted)? else {
                    return Ok(None);
                };
                let visible = match member_of {
                    None => true,
                    Some(user) => UserProfile::is_member(conn, user, account.id)?,
                };
                Ok::<_, StoreError>(visible.then_some((account, around)))
            })
            .await?;
        let Some((account, around)) = found else { return Ok(None) };
        self.cache.put_with(&row_key, &account, &seen, account_stamps(&account)).await;
        // Copied here, on the request's thread, as `cached_shared` does (see there).
        let around = Shared::new(around.clone());
        self.cache.put(&page_key(account.id, wanted.month_start), &around, &seen).await;
        Ok(Some((account, around)))
    }

    /// Everything around the account `id` for its page.
    pub async fn around(&self, id: AccountId, wanted: Wanted) -> Result<Shared<Around>, StoreError> {
        let load = move |conn: &mut _| Around::load(conn, id, wanted).map_err(StoreError::from);
        self.cached_shared(page_key(id, wanted.month_start), load).await
    }

    /// Whether `viewer` may see the account `id`: superusers see every account, staff
    /// only those they are members of.
    pub async fn may_see(&self, viewer: &User, id: AccountId) -> Result<bool, StoreError> {
        if viewer.is_superuser {
            return Ok(true);
        }
        let user = viewer.id;
        self.read(move |conn| UserProfile::is_member(conn, user, id).map_err(StoreError::from)).await
    }
}

/// What retires a cached account row: any change to the account, whichever lookup
/// found it.
pub(super) fn account_stamps(account: &Account) -> Vec<Stamp> {
    vec![Stamp::Account(account.id)]
}

/// Everything around an account changes only with a write that renews its stamps:
/// it is cached under the account and the month its billing is summed from.
fn page_key(account_id: AccountId, month: NaiveDate) -> CacheKey {
    CacheKey::AccountPage { account_id, month }
}
