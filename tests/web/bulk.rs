//! Bulk actions on the account list: all or nothing, one audit entry and version bump
//! per account changed, staff limited to tag, untag and export on their own accounts.

use diesel::prelude::*;
use proptest::prelude::*;
use smarter_accounts::db::models::metadata::{self, ACCOUNT};
use smarter_accounts::db::models::{Account, AuditEntry, BulkChange};
use smarter_accounts::db::schema::accounts;
use smarter_accounts::domain::Tag;

use crate::accounts::{actor, create};
use crate::on_both_databases;
use crate::support::{self, Browser, PASSWORD, TestDb, make_user};

fn pairs<'a>(fields: &'a [(&'a str, String)]) -> Vec<(&'a str, &'a str)> {
    fields.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

async fn a_superuser_deactivates_the_selected_accounts_and_comes_back_to_the_list(db: TestDb) {
    let (app, pool, mut root) = crate::console!(support::state(&db).await);
    let mut conn = TestDb::conn(&pool);
    let picked: Vec<Account> = (0..3).map(|i| create(&mut conn, &format!("Picked {i}"))).collect();
    let left = create(&mut conn, "Left Alone");
    root.get(&app, "/accounts").await;
    let mut fields: Vec<(&str, String)> = picked.iter().map(|a| ("selected", a.account_number.clone())).collect();
    fields.extend([("action", "deactivate".to_owned()), ("return_to", "/accounts?q=Picked".to_owned())]);
    let done = root.post(&app, "/accounts/bulk", &pairs(&fields)).await;
    assert_eq!(done.status, 303);
    assert_eq!(done.location(), Some("/accounts?q=Picked"));
    let list = root.get(&app, "/accounts?q=Picked").await;
    assert!(list.texts(".flash-success").iter().any(|m| m == "Deactivated 3 accounts."));
    for a in &picked {
        let now = Account::find(&mut conn, a.id).unwrap().unwrap();
        assert!(!now.is_active);
        assert_eq!(now.lock_version, a.lock_version + 1);
        assert_eq!(AuditEntry::for_account(&mut conn, a.id, 10).unwrap()[0].action, "deactivate");
    }
    assert!(Account::find(&mut conn, left.id).unwrap().unwrap().is_active, "only the selected accounts");
}

async fn a_rule_or_a_hidden_number_changes_nothing(db: TestDb) {
    let (app, pool, mut root) = crate::console!(support::state(&db).await);
    let mut conn = TestDb::conn(&pool);
    let acme = create(&mut conn, "Acme");
    let platform = Account::default_account(&mut conn).unwrap().unwrap();
    root.get(&app, "/accounts").await;
    let fields = [
        ("selected", acme.account_number.clone()),
        ("selected", platform.account_number.clone()),
        ("action", "deactivate".to_owned()),
    ];
    let refused = root.post(&app, "/accounts/bulk", &pairs(&fields)).await;
    assert_eq!(refused.status, 409);
    assert!(refused.texts("#bulk-error")[0].contains(&platform.account_number), "the page names the account");
    let ticked = refused.attrs("input[name=selected][checked]", "value");
    assert!(ticked.contains(&acme.account_number) && ticked.contains(&platform.account_number), "{ticked:?}");
    assert!(Account::find(&mut conn, acme.id).unwrap().unwrap().is_active, "nothing changed");

    let fields = [("selected", acme.account_number.clone()), ("selected", "1111-1111-1111".to_owned())];
    let mut fields = fields.to_vec();
    fields.push(("action", "deactivate".to_owned()));
    assert_eq!(root.post(&app, "/accounts/bulk", &pairs(&fields)).await.status, 404);
    assert!(Account::find(&mut conn, acme.id).unwrap().unwrap().is_active);
}

async fn staff_tag_untag_and_export_their_own_accounts_only(db: TestDb) {
    let (app, pool, _root) = crate::console!(support::state(&db).await);
    let mut conn = TestDb::conn(&pool);
    let (mine, theirs) = (create(&mut conn, "Mine"), create(&mut conn, "Theirs"));
    make_user(&pool, "jane", true, false, Some(&mine));
    let mut jane = Browser::new();
    jane.login(&app, "jane", PASSWORD).await;
    jane.get(&app, "/accounts").await;
    let post = |action: &str, number: &str| {
        vec![("selected", number.to_owned()), ("action", action.to_owned()), ("tag", "Priority".to_owned())]
    };
    assert_eq!(jane.post(&app, "/accounts/bulk", &pairs(&post("deactivate", &mine.account_number))).await.status, 403);
    assert_eq!(jane.post(&app, "/accounts/bulk", &pairs(&post("tag", &theirs.account_number))).await.status, 404);
    assert_eq!(jane.post(&app, "/accounts/bulk", &pairs(&post("tag", &mine.account_number))).await.status, 303);
    assert!(metadata::load_tags(&mut conn, ACCOUNT, mine.id.into()).unwrap().to_string().contains("Priority"));
    let csv = jane.post(&app, "/accounts/bulk", &pairs(&post("export", &mine.account_number))).await;
    assert_eq!(csv.status, 200);
    assert_eq!(csv.header("content-type"), Some("text/csv; charset=utf-8"));
    assert_eq!(csv.body.lines().count(), 2, "{}", csv.body);
    assert!(csv.body.starts_with("account_number,company_name"));
    assert_eq!(jane.post(&app, "/accounts/bulk", &pairs(&post("untag", &mine.account_number))).await.status, 303);
    assert!(!metadata::load_tags(&mut conn, ACCOUNT, mine.id.into()).unwrap().to_string().contains("Priority"));
}

async fn all_matching_takes_the_filter_and_stops_at_ten_thousand(db: TestDb) {
    let (app, pool, mut root) = crate::console!(support::state(&db).await);
    let mut conn = TestDb::conn(&pool);
    support::insert_accounts(&mut conn, 4, "5555", "Filtered", "TRUE");
    create(&mut conn, "Elsewhere");
    root.get(&app, "/accounts").await;
    let fields =
        [("all_matching", "1"), ("q", "Filtered"), ("action", "tag"), ("tag", "Batch"), ("return_to", "/accounts")];
    assert_eq!(root.post(&app, "/accounts/bulk", &fields).await.status, 303);
    let tagged: i64 = smarter_accounts::db::schema::tagged_items::table
        .filter(smarter_accounts::db::schema::tagged_items::spelling.eq("Batch"))
        .count()
        .get_result(&mut *conn)
        .unwrap();
    assert_eq!(tagged, 4, "the four the filter matches, and no other");

    // The date filters too: nothing was created in 2001.
    let list = root.get(&app, "/accounts?q=Filtered&created_to=2001-12-31").await;
    let mut fields = list.form("#bulk");
    // The list's own bulk form carries the filter, dates included, as hidden fields.
    fields.retain(|(k, _)| k != "action" && k != "tag");
    assert!(fields.iter().any(|(k, v)| k == "created_to" && v == "2001-12-31"));
    fields.extend([
        ("all_matching".to_owned(), "1".to_owned()),
        ("action".to_owned(), "tag".to_owned()),
        ("tag".to_owned(), "Old".to_owned()),
    ]);
    let refused = root.post(&app, "/accounts/bulk", &crate::support::as_refs(&fields)).await;
    assert_eq!(refused.status, 422, "no account matches: {}", refused.texts("#bulk-error").join(""));

    support::insert_accounts(&mut conn, 10_001, "6666", "Many", "TRUE");
    let fields = [("all_matching", "1"), ("q", "Many"), ("action", "tag"), ("tag", "Huge")];
    let refused = root.post(&app, "/accounts/bulk", &fields).await;
    assert_eq!(refused.status, 422);
    assert!(refused.texts("#bulk-error")[0].contains("narrow the filter"));
    assert_eq!(refused.count("#all_matching[checked]"), 1, "the selection survives");
}

async fn delete_asks_first_and_then_takes_everything_with_it(db: TestDb) {
    let (app, pool, mut root) = crate::console!(support::state(&db).await);
    let mut conn = TestDb::conn(&pool);
    let doomed: Vec<Account> = (0..2).map(|i| create(&mut conn, &format!("Doomed {i}"))).collect();
    root.get(&app, "/accounts").await;
    let mut fields: Vec<(&str, String)> = doomed.iter().map(|a| ("selected", a.account_number.clone())).collect();
    fields.push(("action", "delete".to_owned()));
    let ask = root.post(&app, "/accounts/bulk", &pairs(&fields)).await;
    assert_eq!(ask.status, 200);
    assert_eq!(ask.count("#doomed tbody tr"), 2);
    assert!(Account::find(&mut conn, doomed[0].id).unwrap().is_some(), "nothing deleted before the confirmation");
    let confirm: Vec<(String, String)> = ask.form("form.stack");
    assert!(confirm.iter().any(|(k, v)| k == "confirm" && v == "yes"));
    let done = root.post(&app, "/accounts/bulk", &crate::support::as_refs(&confirm)).await;
    assert_eq!(done.status, 303);
    assert!(doomed.iter().all(|a| Account::find(&mut conn, a.id).unwrap().is_none()));
}

on_both_databases!(
    a_superuser_deactivates_the_selected_accounts_and_comes_back_to_the_list,
    a_rule_or_a_hidden_number_changes_nothing,
    staff_tag_untag_and_export_their_own_accounts_only,
    all_matching_takes_the_filter_and_stops_at_ten_thousand,
    delete_asks_first_and_then_takes_everything_with_it,
);

// Whatever the selection, a bulk change touches exactly the selected accounts.
#[test]
fn a_bulk_change_touches_exactly_the_selected_accounts() {
    let db = TestDb::sqlite();
    let pool = db.pool();
    let conn = std::cell::RefCell::new(TestDb::conn(&pool));
    let all: Vec<Account> = (0..10).map(|i| create(&mut conn.borrow_mut(), &format!("Prop {i}"))).collect();
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig::with_cases(24));
    let round = std::cell::Cell::new(0);
    runner
        .run(&proptest::collection::vec(any::<bool>(), 10), |picks| {
            round.set(round.get() + 1);
            let mut conn = conn.borrow_mut();
            let tag = Tag::parse(&format!("Round{}", round.get())).unwrap();
            let version = |conn: &mut smarter_accounts::db::DbConnection, a: &Account| {
                accounts::table.find(a.id).select(accounts::lock_version).first::<i64>(conn).unwrap()
            };
            let before: Vec<i64> = all.iter().map(|a| version(&mut conn, a)).collect();
            let ids: Vec<_> = all.iter().zip(&picks).filter(|(_, p)| **p).map(|(a, _)| a.id).collect();
            let done = Account::apply_to_all(&mut conn, &actor(), &ids, &BulkChange::Tag(tag.clone()), true);
            prop_assert_eq!(done.unwrap().value, ids.len());
            for ((account, picked), was) in all.iter().zip(&picks).zip(&before) {
                let tags = metadata::load_tags(&mut conn, ACCOUNT, account.id.into()).unwrap();
                prop_assert_eq!(tags.iter().any(|t| t.as_str() == tag.as_str()), *picked);
                prop_assert_eq!(version(&mut conn, account), was + i64::from(*picked));
            }
            Ok(())
        })
        .unwrap();
}
