//! The list's plans for broad filters give exactly what a plain reading of the table
//! gives: a tag on more accounts than a page walks for, counted from the tag's own
//! entries; a tag or a search of many matches narrowed by a country or a date range,
//! where the other index drives and the matches only test each row.

use std::collections::HashSet;

use chrono::{Datelike, NaiveDate};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use smarter_accounts::db::AccountId;
use smarter_accounts::db::models::{Account, Actor, metadata};
use smarter_accounts::db::schema::{accounts, tagged_items, tags};

use crate::across::walk;
use crate::on_both_databases;
use crate::support::{self, TestDb};

async fn broad_filters_list_what_a_plain_reading_finds(db: TestDb) {
    let (app, pool, mut root) = crate::console!(support::state(&db).await);
    let mut conn = TestDb::conn(&pool);
    smarter_accounts::seed::seed(&mut conn, 3_000, 5, &|_| {}).unwrap();
    // "Bulk" on seven accounts in ten (over 2 000: a page walks the order's index), and
    // on a user profile whose id is an untagged account's (not counted).
    conn.batch_execute(&format!(
        "INSERT INTO tags (name, name_folded, created_at, updated_at)
         VALUES ('Bulk', 'bulk', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP);
         INSERT INTO tagged_items (tag_id, spelling, object_type, object_id, created_at, updated_at)
         SELECT t.id, 'Bulk', '{}', a.id, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP
         FROM accounts a, tags t WHERE t.name_folded = 'bulk' AND a.id % 10 < 7;
         INSERT INTO tagged_items (tag_id, spelling, object_type, object_id, created_at, updated_at)
         SELECT t.id, 'Bulk', '{}', MAX(a.id), CURRENT_TIMESTAMP, CURRENT_TIMESTAMP
         FROM accounts a, tags t WHERE t.name_folded = 'bulk' AND a.id % 10 = 9 GROUP BY t.id;",
        metadata::ACCOUNT,
        metadata::USER_PROFILE
    ))
    .unwrap();
    let bulk: i64 = tags::table.filter(tags::name_folded.eq("bulk")).select(tags::id).first(&mut *conn).unwrap();
    // A deleted account takes its tags with it: the tag's entries still count accounts.
    let doomed: i64 = tagged_items::table
        .filter(tagged_items::tag_id.eq(bulk))
        .filter(tagged_items::object_type.eq(metadata::ACCOUNT))
        .select(tagged_items::object_id)
        .order(tagged_items::object_id.desc())
        .first(&mut *conn)
        .unwrap();
    Account::delete(&mut conn, &Actor::system(), AccountId(doomed)).unwrap();

    let all: Vec<Account> = accounts::table.select(Account::as_select()).load(&mut *conn).unwrap();
    let tagged: HashSet<i64> = tagged_items::table
        .filter(tagged_items::tag_id.eq(bulk))
        .filter(tagged_items::object_type.eq(metadata::ACCOUNT))
        .select(tagged_items::object_id)
        .load(&mut *conn)
        .unwrap()
        .into_iter()
        .collect();
    drop(conn);
    let country = {
        let mut seen: Vec<&str> = all.iter().map(|a| a.country.as_str()).collect();
        seen.sort_unstable();
        seen.dedup();
        seen.into_iter().max_by_key(|c| all.iter().filter(|a| a.country == *c).count()).unwrap().to_owned()
    };
    let newest = all.iter().map(|a| a.created_at.date()).max().unwrap();
    let (from, to) = (newest.with_day(1).unwrap(), newest.with_day(28).unwrap().max(newest));
    let in_month = |day: NaiveDate| from <= day && day <= to;
    let ltd = |a: &Account| {
        [&a.company_name, &a.name, a.city.as_ref().unwrap_or(&String::new()), &a.account_number]
            .iter()
            .any(|t| t.to_lowercase().contains("ltd"))
    };
    let is_tagged = |a: &Account| tagged.contains(&i64::from(a.id));
    let dates = format!("created_from={from}&created_to={to}");
    type Wanted<'a> = Box<dyn Fn(&Account) -> bool + 'a>;
    let cases: Vec<(String, Wanted)> = vec![
        ("tag=bulk".into(), Box::new(is_tagged)),
        ("tag=BULK&active=no".into(), Box::new(|a: &Account| is_tagged(a) && !a.is_active)),
        ("tag=bulk&active=yes".into(), Box::new(|a: &Account| is_tagged(a) && a.is_active)),
        (format!("tag=bulk&country={country}"), Box::new(|a: &Account| is_tagged(a) && a.country == country)),
        (format!("tag=bulk&{dates}"), Box::new(|a: &Account| is_tagged(a) && in_month(a.created_at.date()))),
        ("q=ltd".into(), Box::new(ltd)),
        (format!("q=LTD&country={country}"), Box::new(|a: &Account| ltd(a) && a.country == country)),
        (format!("q=ltd&{dates}"), Box::new(|a: &Account| ltd(a) && in_month(a.created_at.date()))),
        (
            format!("q=ltd&tag=bulk&country={country}"),
            Box::new(|a: &Account| ltd(a) && is_tagged(a) && a.country == country),
        ),
        ("q=ltd&tag=bulk&active=yes".into(), Box::new(|a: &Account| ltd(a) && is_tagged(a) && a.is_active)),
    ];
    // Broad enough that the plans under test are the ones taken.
    assert!(tagged.len() > 2_000, "{}", tagged.len());
    assert!(all.iter().filter(|a| ltd(a)).count() > 500);
    for (query, wanted) in &cases {
        let expected: HashSet<String> = all.iter().filter(|a| wanted(a)).map(|a| a.account_number.clone()).collect();
        assert!(!expected.is_empty(), "{query}");
        for sort in ["company_name", "-created_at", "city"] {
            let path = format!("/accounts?per_page=500&{query}&sort={sort}");
            let listed = walk(&mut root, &app, &path, "#accounts tbody td.mono a").await;
            let seen: HashSet<String> = listed.iter().cloned().collect();
            assert_eq!((seen.len(), &seen), (listed.len(), &expected), "{path}");
            // "2 100 accounts": exact, so its digits are the number.
            let count = root.get(&app, &path).await.texts("#count").concat();
            assert!(count.ends_with(" accounts") && !count.contains('+'), "{count}");
            assert_eq!(
                count.chars().filter(char::is_ascii_digit).collect::<String>(),
                expected.len().to_string(),
                "{path}"
            );
        }
    }
}

on_both_databases!(broad_filters_list_what_a_plain_reading_finds);
