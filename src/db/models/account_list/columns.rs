//! Which properties of an account decide where it appears in the list. A list page that
//! doesn't show an account can only come to show it when one of the columns its filter
//! or order reads changes; the object cache keeps such pages across writes that change
//! none of them.

use super::{AccountFilter, ListQuery, Search, SortField};
use crate::db::models::Account;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ListColumn {
    AccountNumber,
    CompanyName,
    Name,
    City,
    Country,
    IsActive,
    IsDefault,
    Tags,
    CreatedAt,
    UpdatedAt,
}

/// What a text search reads.
const SEARCHED: [ListColumn; 4] =
    [ListColumn::CompanyName, ListColumn::Name, ListColumn::City, ListColumn::AccountNumber];

impl ListColumn {
    pub fn name(self) -> &'static str {
        match self {
            Self::AccountNumber => "account_number",
            Self::CompanyName => "company_name",
            Self::Name => "name",
            Self::City => "city",
            Self::Country => "country",
            Self::IsActive => "is_active",
            Self::IsDefault => "is_default_account",
            Self::Tags => "tags",
            Self::CreatedAt => "created_at",
            Self::UpdatedAt => "updated_at",
        }
    }

    /// The columns whose values differ between two versions of one account (its tags
    /// are not in the row: a write that changes them says so itself).
    pub fn changed(old: &Account, new: &Account) -> Vec<Self> {
        let pairs = [
            (Self::AccountNumber, old.account_number != new.account_number),
            (Self::CompanyName, old.company_name != new.company_name),
            (Self::Name, old.name != new.name),
            (Self::City, old.city != new.city),
            (Self::Country, old.country != new.country),
            (Self::IsActive, old.is_active != new.is_active),
            (Self::IsDefault, old.is_default_account != new.is_default_account),
            (Self::CreatedAt, old.created_at != new.created_at),
            (Self::UpdatedAt, old.updated_at != new.updated_at),
        ];
        pairs.into_iter().filter(|(_, differs)| *differs).map(|(column, _)| column).collect()
    }
}

impl SortField {
    pub fn column(self) -> ListColumn {
        match self {
            Self::AccountNumber => ListColumn::AccountNumber,
            Self::CompanyName => ListColumn::CompanyName,
            Self::City => ListColumn::City,
            Self::Country => ListColumn::Country,
            Self::CreatedAt => ListColumn::CreatedAt,
            Self::UpdatedAt => ListColumn::UpdatedAt,
        }
    }
}

impl AccountFilter {
    /// The columns this filter reads: which accounts match can change only with them.
    pub fn columns(&self) -> Vec<ListColumn> {
        let mut columns = Vec::new();
        match &self.search {
            Some(Search::Number(_)) => columns.push(ListColumn::AccountNumber),
            Some(Search::Text(_)) => columns.extend(SEARCHED),
            None => {}
        }
        let used = [
            (ListColumn::IsActive, self.active.is_some()),
            (ListColumn::Country, self.country.is_some()),
            (ListColumn::Tags, self.tag.is_some()),
            (ListColumn::IsDefault, self.default_only),
            (ListColumn::CreatedAt, self.created.from.is_some() || self.created.to.is_some()),
            (ListColumn::UpdatedAt, self.updated.from.is_some() || self.updated.to.is_some()),
        ];
        columns.extend(used.into_iter().filter(|(_, on)| *on).map(|(column, _)| column));
        columns
    }
}

impl ListQuery {
    /// The columns that decide which accounts this page holds, and in what order.
    pub fn columns(&self) -> Vec<ListColumn> {
        let mut columns = self.filter.columns();
        let sorted = self.sort.field.column();
        if !columns.contains(&sorted) {
            columns.push(sorted);
        }
        columns
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::models::account_list::{Scope, Sort};

    #[test]
    fn a_query_reads_its_filters_and_its_order() {
        let filter = AccountFilter { active: Some(false), country: Some("JPN".into()), ..AccountFilter::default() };
        let query =
            ListQuery { scope: Scope::All, filter, sort: Sort::parse("city").unwrap(), cursor: None, per_page: 25 };
        assert_eq!(query.columns(), [ListColumn::IsActive, ListColumn::Country, ListColumn::City]);
        let searched = AccountFilter { search: Search::parse("acme"), ..AccountFilter::default() };
        assert_eq!(searched.columns(), SEARCHED);
        assert!(AccountFilter::default().columns().is_empty());
    }
}
