//! Which list of ids bounds the key of the list's query: a text search's matches, the
//! viewer's memberships, or a tag's accounts. PostgreSQL's planner chooses for itself;
//! SQLite lets whichever `accounts.id IN (…)` it is given drive, so there the others
//! are spelled `+accounts.id` and only test each row.

use super::{AccountFilter, DateRange, Matches, Scope, Search, SearchPlan, TRIGRAM};

/// A text search of at most this many matches drives the list on SQLite whatever else
/// it is narrowed by (reading them is cheaper than walking another index).
const FEW_MATCHES: usize = 500;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Drivers {
    /// SQLite, only the default account: its id drives, and every other filter tests
    /// its one row (a tag's 12 000 accounts driving made SQLite read each of them, and a
    /// country's index could be chosen over the default's: 6 and 45 ms a first view at
    /// 100 000 accounts).
    pub one_row: bool,
    pub matches: bool,
    pub scope: bool,
    pub tag: bool,
}

impl Drivers {
    /// On SQLite a search's matches, or a tag's accounts, drive only where no index
    /// serves the rest (a country, a date range): they are read one by one, where the
    /// other index is walked testing each entry against the list. A tag on 12 000 of
    /// 100 000 accounts: 15 ms to count those of a month by the tag, 2 ms by the dates'
    /// index; a search's 5 000 matches of a month: 8 ms against 1 ms. A search of a few
    /// matches still drives. A tag of many matches doesn't drive even alone: a page
    /// walks the order's index rather than read and sort the tag's accounts (7 ms
    /// against 0.4 ms a page).
    pub fn of(
        is_sqlite: bool,
        scope: Scope,
        filter: &AccountFilter,
        plan: SearchPlan,
        matches: Option<&Matches>,
    ) -> Self {
        let one_row = is_sqlite && filter.default_only;
        let indexed = filter.country.is_some()
            || filter.created != DateRange::default()
            || filter.updated != DateRange::default();
        let matches_drive = is_sqlite
            && plan == SearchPlan::LookUpMatches
            && matches!(&filter.search, Some(Search::Text(t)) if t.chars().count() >= TRIGRAM)
            && (!indexed || matches.is_some_and(|m| m.len() <= FEW_MATCHES));
        Self {
            one_row,
            matches: matches_drive,
            scope: !is_sqlite || (!matches_drive && !one_row),
            tag: !is_sqlite || (!matches_drive && !indexed && scope == Scope::All && plan == SearchPlan::LookUpMatches),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(n: i64) -> Matches {
        Matches::of(0..n)
    }

    #[test]
    fn on_sqlite_a_list_drives_only_where_no_index_serves_the_rest() {
        let look_up = SearchPlan::LookUpMatches;
        let tag = AccountFilter { tag: Some("internal".into()), ..AccountFilter::default() };
        assert!(Drivers::of(true, Scope::All, &tag, look_up, None).tag);
        assert!(!Drivers::of(true, Scope::All, &tag, SearchPlan::WalkSortIndex, None).tag, "many matches");
        let in_country = AccountFilter { country: Some("USA".into()), ..tag.clone() };
        assert!(!Drivers::of(true, Scope::All, &in_country, look_up, None).tag);
        let dated =
            AccountFilter { updated: DateRange { from: None, to: chrono::NaiveDate::from_ymd_opt(2026, 1, 1) }, ..tag };
        assert!(!Drivers::of(true, Scope::All, &dated, look_up, None).tag);

        let search = AccountFilter {
            search: Search::parse("robotics"),
            country: Some("USA".into()),
            ..AccountFilter::default()
        };
        assert!(Drivers::of(true, Scope::All, &search, look_up, Some(&found(FEW_MATCHES as i64))).matches);
        let many = Drivers::of(true, Scope::All, &search, look_up, Some(&found(FEW_MATCHES as i64 + 1)));
        assert!(!many.matches && many.scope);
        let alone = AccountFilter { country: None, ..search };
        assert!(Drivers::of(true, Scope::All, &alone, look_up, Some(&found(5_000))).matches);
        let mine = Drivers::of(true, Scope::MemberOf(crate::db::UserId(1)), &alone, look_up, Some(&found(5_000)));
        assert!(mine.matches && !mine.scope);
    }

    #[test]
    fn postgresql_is_left_to_its_planner() {
        let all = AccountFilter {
            search: Search::parse("robotics"),
            tag: Some("internal".into()),
            country: Some("USA".into()),
            default_only: true,
            ..AccountFilter::default()
        };
        let d = Drivers::of(false, Scope::All, &all, SearchPlan::LookUpMatches, None);
        assert_eq!(d, Drivers { one_row: false, matches: false, scope: true, tag: true });
    }
}
