//! The account pages with the access rules: staff see only their own accounts.

use chrono::Datelike;
use diesel::connection::SimpleConnection;
use smarter_accounts::db::models::{Account, AccountContact, Actor, AuditEntry, UserProfile, metadata};
use smarter_accounts::domain::{ContactFields, RawContactFields, Tags};
use smarter_accounts::web::ROUTES;

use crate::accounts::create;
use crate::on_both_databases;
use crate::support::{self, Browser, PASSWORD, TestDb, as_refs, make_user, set_field};

/// A link without its query (rows carry `return_to`).
fn path_only(href: &str) -> String {
    href.split('?').next().unwrap_or_default().to_owned()
}

fn account(pool: &smarter_accounts::db::DbPool, company: &str) -> Account {
    create(&mut TestDb::conn(pool), company)
}

/// `n` accounts straight into the table (the list's cost must not depend on them).
fn bulk_accounts(pool: &smarter_accounts::db::DbPool, n: usize) {
    support::insert_accounts(&mut TestDb::conn(pool), n, "5555", "Bulk", "TRUE");
}

async fn the_list_shows_every_account_to_a_superuser_and_only_their_own_to_staff(db: TestDb) {
    let (app, pool, mut root) = crate::console!(support::state(&db).await);
    let mine = account(&pool, "Mine Ltd");
    account(&pool, "Theirs Ltd");
    make_user(&pool, "jane", true, false, Some(&mine));
    let all = root.get(&app, "/accounts").await;
    assert_eq!(all.status, 200);
    assert_eq!(all.count("#accounts tbody tr"), 3);
    assert_eq!(all.texts("#count"), ["3 accounts"]);
    let links: Vec<String> = all.attrs("#accounts tbody a", "href").iter().map(|h| path_only(h)).collect();
    assert!(links.contains(&format!("/accounts/{}", mine.account_number)));

    let mut jane = Browser::new();
    jane.login(&app, "jane", PASSWORD).await;
    let own = jane.get(&app, "/accounts").await;
    assert_eq!(own.count("#accounts tbody tr"), 1);
    assert_eq!(own.texts("#accounts tbody td.company"), ["Mine Ltd"]);
    assert_eq!(own.count("a[href='/accounts/new']"), 0, "staff can't create");
    let csv = jane.get(&app, "/accounts.csv").await;
    assert_eq!(csv.body.lines().count(), 2, "header and one row: {}", csv.body);
    assert!(csv.body.contains("Mine Ltd") && !csv.body.contains("Theirs"));
}

async fn search_finds_numbers_in_any_spacing_and_substrings_ignoring_case(db: TestDb) {
    let (app, pool, mut root) = crate::console!(support::state(&db).await);
    let acme = account(&pool, "Acme Rockets GmbH");
    account(&pool, "Globex Corporation");
    let digits = acme.account_number.replace('-', "");
    let spaced = format!("{} {} {}", &digits[0..4], &digits[4..8], &digits[8..12]);
    for q in [digits.as_str(), spaced.as_str(), acme.account_number.as_str()] {
        let page = root.get(&app, &format!("/accounts?{}", support_query(&[("q", q)]))).await;
        assert_eq!(page.texts("#accounts tbody td.company"), ["Acme Rockets GmbH"], "{q}");
    }
    for (q, expected) in [
        ("ROCKET", vec!["Acme Rockets GmbH"]),
        ("co", vec!["Globex Corporation"]),
        ("lisbon", vec!["Globex Corporation", "Acme Rockets GmbH"]),
        ("zzz", vec![]),
    ] {
        let page = root.get(&app, &format!("/accounts?{}", support_query(&[("q", q), ("sort", "-created_at")]))).await;
        assert_eq!(
            page.texts("#accounts tbody td.company").iter().filter(|t| !t.is_empty()).cloned().collect::<Vec<_>>(),
            expected,
            "{q}"
        );
    }
    // Counted from the search index alone, and through the table with a filter.
    assert_eq!(root.get(&app, "/accounts?q=ROCKET").await.texts("#count"), ["1 account"]);
    assert_eq!(root.get(&app, "/accounts?q=ROCKET&active=yes").await.texts("#count"), ["1 account"]);
    assert_eq!(root.get(&app, "/accounts?q=lisbon").await.texts("#count"), ["2 accounts"]);
    // Two letters: looked up in PostgreSQL's narrow table, matched row by row on SQLite.
    assert_eq!(root.get(&app, "/accounts?q=CO").await.texts("#count"), ["1 account"]);
    assert_eq!(
        root.get(&app, "/accounts?q=co&sort=city").await.texts("#accounts tbody td.company"),
        ["Globex Corporation"]
    );
    let hostile = root.get(&app, "/accounts?q=%27%3B+DROP+TABLE+accounts%3B--%25_%22").await;
    assert_eq!(hostile.status, 200);
    assert_eq!(hostile.count("#accounts tbody td a"), 0);
}

async fn filters_sorting_and_bad_parameters(db: TestDb) {
    let (app, pool, mut root) = crate::console!(support::state(&db).await);
    let beta = account(&pool, "Beta Co");
    let alpha = account(&pool, "Alpha Co");
    let mut conn = TestDb::conn(&pool);
    Account::set_active(&mut conn, &Actor::system(), beta.id, false).unwrap();
    drop(conn);
    let inactive = root.get(&app, "/accounts?active=no").await;
    assert_eq!(inactive.texts("#accounts tbody td.company"), ["Beta Co"]);
    let default = root.get(&app, "/accounts?default=yes").await;
    assert_eq!(default.texts("#accounts tbody td.company"), ["Smarter"]);
    for sort in ["company_name", "-city", "updated_at"] {
        let sorted = root.get(&app, &format!("/accounts?default=yes&sort={sort}&active=yes")).await;
        assert_eq!(sorted.texts("#accounts tbody td.company"), ["Smarter"], "{sort}");
    }
    // The default account's one row is tested against a search and a tag as well.
    for (query, shown) in [
        ("q=MARTE", vec!["Smarter"]),
        ("q=sm", vec!["Smarter"]),
        ("q=alpha", vec![]),
        ("q=al", vec![]),
        ("q=MARTE&tag=ENTERPRISE", vec![]),
        ("tag=ENTERPRISE", vec![]),
    ] {
        let page = root.get(&app, &format!("/accounts?default=yes&{query}")).await;
        assert_eq!(page.texts("#accounts tbody td.company"), shown, "{query}");
        let count = if shown.is_empty() { "0 accounts" } else { "1 account" };
        assert_eq!(page.texts("#count"), [count], "{query}");
    }
    let mut conn = TestDb::conn(&pool);
    let smarter = Account::default_account(&mut conn).unwrap().unwrap();
    metadata::set_tags(&mut conn, metadata::ACCOUNT, smarter.id.into(), &Tags::parse("Flagship").unwrap()).unwrap();
    drop(conn);
    let home = &smarter.country;
    for (query, shown) in [
        (format!("tag=flagship&country={home}&active=yes&q=marte"), vec!["Smarter"]),
        (format!("tag=flagship&country={home}&active=no"), vec![]),
        ("tag=flagship&country=PRT".to_owned(), vec![]),
    ] {
        let page = root.get(&app, &format!("/accounts?default=yes&{query}")).await;
        assert_eq!(page.texts("#accounts tbody td.company"), shown, "{query}");
    }
    let tagged = root.get(&app, "/accounts?tag=ENTERPRISE").await;
    assert_eq!(tagged.count("#accounts tbody td a"), 2);
    // A tag, a search and a status together: each narrows the others.
    let narrowed = root.get(&app, "/accounts?tag=ENTERPRISE&q=alpha&sort=city").await;
    assert_eq!(narrowed.texts("#accounts tbody td.company"), ["Alpha Co"]);
    assert_eq!(narrowed.texts("#count"), ["1 account"]);
    let none = root.get(&app, "/accounts?tag=ENTERPRISE&q=alpha&active=no").await;
    assert_eq!(none.count("#accounts tbody td a"), 0);
    assert_eq!(root.get(&app, "/accounts?tag=ENTERPRISE&q=beta&active=no").await.texts("#count"), ["1 account"]);
    let portugal = root.get(&app, "/accounts?country=prt&sort=company_name").await;
    assert_eq!(portugal.texts("#accounts tbody td.company"), ["Alpha Co", "Beta Co"]);
    assert_eq!(portugal.texts("#count"), ["2 accounts"]);
    let descending = root.get(&app, "/accounts?country=PRT&sort=-company_name").await;
    assert_eq!(descending.texts("#accounts tbody td.company"), ["Beta Co", "Alpha Co"]);
    assert_eq!(descending.attrs("th[aria-sort=descending] a", "href").len(), 1);
    let _ = alpha;

    let bad = root.get(&app, "/accounts?active=maybe&sort=password&per_page=-5&cursor=%00&country=Narnia").await;
    assert_eq!(bad.status, 200);
    assert_eq!(bad.count(".notice"), 5, "{:?}", bad.texts(".notice"));
    assert_eq!(bad.count("#accounts tbody td a"), 3);
    let huge = root.get(&app, "/accounts?per_page=99999999999999999999999").await;
    assert_eq!(huge.status, 200);
}

async fn keyset_pages_walk_every_row_once_in_both_directions(db: TestDb) {
    let (app, pool, mut root) = crate::console!(support::state(&db).await);
    for i in 0..7 {
        account(&pool, &format!("Company {i}"));
    }
    // Unfiltered (the order's index is walked) and by tag and creation date (the seven
    // tagged accounts are looked up and sorted).
    let sorts = ["company_name", "-company_name", "-created_at", "city", "country", "account_number", "updated_at"];
    let filters = [("", 8), ("&tag=enterprise&created_from=2000-01-01", 7)];
    for (sort, (filter, rows)) in sorts.iter().flat_map(|s| filters.iter().map(move |f| (s, f))) {
        let mut seen = Vec::new();
        let mut pages = Vec::new();
        let mut path = format!("/accounts?per_page=3&sort={sort}{filter}");
        loop {
            let page = root.get(&app, &path).await;
            seen.extend(page.attrs("#accounts tbody td a", "href").iter().map(|h| path_only(h)).collect::<Vec<_>>());
            pages.push(path.clone());
            match page.attrs("a[rel=next]", "href").first() {
                Some(next) => path = next.clone(),
                None => break,
            }
        }
        assert_eq!(seen.len(), *rows, "{sort}{filter}: {seen:?}");
        let distinct: std::collections::HashSet<_> = seen.iter().collect();
        assert_eq!(distinct.len(), *rows, "{sort}{filter}");
        assert_eq!(pages.len(), 3);
        // Back from the last page gives the middle page again.
        let last = root.get(&app, &pages[2]).await;
        let prev = last.attrs("a[rel=prev]", "href").remove(0);
        let middle = root.get(&app, &prev).await;
        assert_eq!(
            middle.attrs("#accounts tbody td a", "href").iter().map(|h| path_only(h)).collect::<Vec<_>>(),
            seen[3..6].to_vec(),
            "{sort}"
        );
        let first = root.get(&app, &middle.attrs("a[rel=prev]", "href").remove(0)).await;
        assert_eq!(
            first.attrs("#accounts tbody td a", "href").iter().map(|h| path_only(h)).collect::<Vec<_>>(),
            seen[0..3].to_vec(),
            "{sort}"
        );
        assert_eq!(first.count("a[rel=prev]"), 0, "{sort}: the first page has no previous page");
    }
}

async fn the_count_stops_at_ten_thousand(db: TestDb) {
    let (app, pool, mut root) = crate::console!(support::state(&db).await);
    bulk_accounts(&pool, 10_001);
    let page = root.get(&app, "/accounts?per_page=10").await;
    assert_eq!(page.texts("#count"), ["10 000+ accounts"]);
    assert_eq!(page.count("#accounts tbody tr"), 10);
    let narrowed = root.get(&app, "/accounts?q=Bulk%20999").await;
    assert_eq!(narrowed.texts("#count"), ["11 accounts"], "Bulk 999 and Bulk 9990 to 9999");
    // A search with few matches reads them by id, page after page, in the sort's order.
    let mut page = root.get(&app, "/accounts?q=Bulk%20999&per_page=5&sort=-company_name").await;
    let mut paged = page.texts("#accounts tbody td.company");
    while let Some(next) = page.attrs("a[rel=next]", "href").pop() {
        page = root.get(&app, &next).await;
        paged.extend(page.texts("#accounts tbody td.company"));
    }
    let mut expected: Vec<String> = (9990..=9999).rev().map(|n| format!("Bulk {n}")).collect();
    expected.push("Bulk 999".to_owned());
    assert_eq!(paged, expected);
    // A search that matches most rows walks the sort index instead of sorting matches.
    let broad = root.get(&app, "/accounts?q=bulk&per_page=10&sort=company_name").await;
    assert_eq!(broad.texts("#count"), ["10 000+ accounts"]);
    let first = broad.texts("#accounts tbody td.company");
    assert_eq!(first.len(), 10);
    assert!(first.iter().all(|c| c.starts_with("Bulk ")), "{first:?}");
    let mut sorted = first.clone();
    sorted.sort();
    assert_eq!(first, sorted);
    let next = root.get(&app, &broad.attrs("a[rel=next]", "href").remove(0)).await;
    let second = next.texts("#accounts tbody td.company");
    assert_eq!(second.len(), 10);
    assert!(second[0] > first[9], "{second:?} after {first:?}");
    let csv = root.get(&app, "/accounts.csv").await;
    assert_eq!(csv.body.lines().count(), 10_003, "every row streams: header, 10 001 and the platform account");

    // More matches than are worth carrying as ids: the count says so without counting
    // again, and a search with another filter counts its own.
    support::insert_accounts(&mut TestDb::conn(&pool), 10_000, "5556", "Bulk", "TRUE");
    support::insert_accounts(&mut TestDb::conn(&pool), 3, "5557", "Bulk", "FALSE");
    let broadest = root.get(&app, "/accounts?q=bulk&per_page=10&sort=-company_name").await;
    assert_eq!(broadest.texts("#count"), ["10 000+ accounts"]);
    assert_eq!(broadest.texts("#accounts tbody td.company")[..2], ["Bulk 9999", "Bulk 9999"]);
    assert_eq!(root.get(&app, "/accounts?q=bulk&active=no").await.texts("#count"), ["3 accounts"]);
}

async fn the_detail_page_shows_everything_about_an_account(db: TestDb) {
    let (app, pool, mut root) = crate::console!(support::state(&db).await);
    let acme = account(&pool, "Acme <script>alert(1)</script>");
    let mut conn = TestDb::conn(&pool);
    let contact = ContactFields::parse(&RawContactFields {
        first_name: "Ada".into(),
        last_name: "Lovelace".into(),
        email: "ada@example.com".into(),
        phone: String::new(),
        is_primary: Some("on".into()),
    })
    .unwrap();
    AccountContact::create(&mut conn, &Actor::system(), acme.id, &contact).unwrap();
    let jane = make_user(&pool, "jane", true, false, Some(&acme));
    // The page counts months in UTC.
    let today = chrono::Utc::now().date_naive();
    let two_months_ago = today.with_day(1).unwrap() - chrono::Months::new(2);
    conn.batch_execute(&format!(
        "INSERT INTO daily_billing_records (account_id, user_id, provider, charge_type, date, prompt_tokens, completion_tokens, total_tokens, created_at, updated_at)
         VALUES ({id}, {user}, 'openai', 'completion', '2020-01-02', 10, 20, 30, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP),
                ({id}, {user}, 'metaai', 'tool', '{today}', 1, 2, 3, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP),
                ({id}, {user}, 'openai', 'completion', '{today}', 1, 1, 2, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP),
                ({id}, {user}, 'metaai', 'tool', '{earlier}', 4, 5, 9, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP),
                ({id}, {user}, 'openai', 'completion', '{earlier}', 0, 5, 5, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
        id = acme.id, user = jane.id, today = today, earlier = two_months_ago
    ))
    .unwrap();
    drop(conn);
    let page = root.get(&app, &format!("/accounts/{}", acme.account_number)).await;
    assert_eq!(page.status, 200);
    assert!(!page.body.contains("<script>alert(1)"), "escaped");
    assert!(page.texts("h1")[0].contains("Acme <script>alert(1)</script>"), "shown verbatim");
    assert_eq!(page.texts("#tags li"), ["Enterprise", "EU"]);
    assert_eq!(page.texts("#annotations dt"), ["team", "tier"]);
    assert_eq!(page.texts("#contacts tbody td:nth-child(1)"), ["Ada Lovelace"]);
    assert_eq!(page.texts("#members tbody td:nth-child(1)"), ["jane"]);
    assert_eq!(page.texts("#billing tbody td:nth-child(3)"), ["3", "2"], "this month: metaai, then openai");
    assert_eq!(page.texts("#billing tbody td:nth-child(4)"), ["9", "35"], "earlier: within the last year and before");
    assert_eq!(
        page.texts("#billing-months tbody td:nth-child(6)"),
        ["3", "2", "9", "5"],
        "the monthly table covers the last year, newest month first"
    );
    assert!(page.count(".history li") >= 3, "create, contact, membership");
    for (label, value) in [("Country", "PRT"), ("Currency", "EUR"), ("Time zone", "Europe/Lisbon"), ("City", "Lisbon")]
    {
        let labels = page.texts("#fields dt");
        let values = page.texts("#fields dd");
        let i = labels.iter().position(|l| l == label).unwrap();
        assert_eq!(values[i], value, "{label}");
    }
}

async fn staff_get_404_for_other_accounts_on_every_route(db: TestDb) {
    let (app, pool, _) = crate::console!(support::state(&db).await);
    let mine = account(&pool, "Mine");
    let other = account(&pool, "Other");
    make_user(&pool, "jane", true, false, Some(&mine));
    let mut jane = Browser::new();
    jane.login(&app, "jane", PASSWORD).await;
    for (method, path) in ROUTES.iter().filter(|(_, p)| p.contains("{number}")) {
        let concrete = path.replace("{number}", &other.account_number).replace("{id}", "1").replace("{user_id}", "1");
        let page =
            if *method == "get" { jane.get(&app, &concrete).await } else { jane.post(&app, &concrete, &[]).await };
        assert!(page.status == 404 || page.status == 403, "{method} {path}: {}", page.status);
        // Superuser-only routes answer 403 to staff whatever the account, which tells
        // nothing about it; every other route hides the account behind a 404.
        if *method == "get" && !path.ends_with("/delete") {
            assert_eq!(page.status, 404, "{path}");
        }
    }
    assert_eq!(jane.get(&app, &format!("/accounts/{}", mine.account_number)).await.status, 200);
    assert_eq!(jane.get(&app, "/accounts/0000-0000-0000").await.status, 404);
    assert_eq!(jane.get(&app, "/accounts/not-a-number").await.status, 404);
    assert_eq!(jane.get(&app, "/accounts/new").await.status, 403);
}

async fn creating_shows_every_error_keeps_the_values_and_creates_once(db: TestDb) {
    let (app, _, mut root) = crate::console!(support::state(&db).await);
    let form = root.get(&app, "/accounts/new").await;
    let mut fields = form.form("form.account-form");
    set_field(&mut fields, "company_name", Some(" "));
    set_field(&mut fields, "country", Some("Atlantis"));
    set_field(&mut fields, "version", Some("1.0"));
    set_field(&mut fields, "tags", Some("ok, bad\u{1}"));
    set_field(&mut fields, "city", Some("<b>Porto</b>"));
    let rejected = root.post(&app, "/accounts/new", &as_refs(&fields)).await;
    assert_eq!(rejected.status, 422);
    for field in ["company_name", "country", "version", "tags"] {
        assert_eq!(rejected.count(&format!(".field-error#{field}-error")), 1, "{field}");
        let described = rejected.attrs(&format!("#{field}"), "aria-describedby").join(" ");
        assert!(described.split(' ').any(|id| id == format!("{field}-error")), "{field}: {described}");
    }
    assert_eq!(rejected.attrs("#city", "value"), ["<b>Porto</b>"], "values are kept");
    assert_eq!(rejected.attrs("#country option[selected]", "value"), ["Atlantis"], "kept in the pick-list");

    let mut fields = rejected.form("form.account-form");
    set_field(&mut fields, "company_name", Some("Double Click Ltd"));
    set_field(&mut fields, "country", Some("fr"));
    set_field(&mut fields, "version", Some("2.0.0"));
    set_field(&mut fields, "tags", Some("ok"));
    let first = root.post(&app, "/accounts/new", &as_refs(&fields)).await;
    assert_eq!(first.status, 303, "{}", first.body);
    let second = root.post(&app, "/accounts/new", &as_refs(&fields)).await;
    assert_eq!(second.status, 303);
    assert_eq!(first.location(), second.location(), "the same account");
    let shown = root.get(&app, first.location().unwrap()).await;
    assert!(shown.texts(".flash").iter().any(|t| t.contains("already submitted")));
    let list = root.get(&app, "/accounts?q=Double+Click").await;
    assert_eq!(list.count("#accounts tbody td a"), 1);
    assert_eq!(root.get(&app, "/accounts?q=porto").await.count("#accounts tbody td a"), 1);
}

async fn editing_saves_refuses_a_new_number_and_keeps_staff_off_the_flags(db: TestDb) {
    let (app, pool, mut root) = crate::console!(support::state(&db).await);
    let acme = account(&pool, "Acme");
    make_user(&pool, "jane", true, false, Some(&acme));
    let edit_path = format!("/accounts/{}/edit", acme.account_number);

    let form = root.get(&app, &edit_path).await;
    assert_eq!(form.attrs("#account_number", "readonly").len(), 1);
    let mut fields = form.form("form.account-form");
    set_field(&mut fields, "account_number", Some("1111-2222-3333"));
    set_field(&mut fields, "company_name", Some("Acme Renamed"));
    let refused = root.post(&app, &edit_path, &as_refs(&fields)).await;
    assert_eq!(refused.status, 422);
    assert_eq!(refused.count(".field-error#account_number-error"), 1);
    assert_eq!(refused.attrs("#company_name", "value"), ["Acme Renamed"]);

    set_field(&mut fields, "account_number", Some(&acme.account_number));
    let saved = root.post(&app, &edit_path, &as_refs(&fields)).await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let detail = root.get(&app, saved.location().unwrap()).await;
    assert!(detail.texts("h1").iter().any(|t| t.contains("Acme Renamed")));

    let mut jane = Browser::new();
    jane.login(&app, "jane", PASSWORD).await;
    let staff_form = jane.get(&app, &edit_path).await;
    assert_eq!(
        staff_form.count("#is_active") + staff_form.count("#is_default_account"),
        0,
        "flags are not rendered for staff"
    );
    let mut fields = staff_form.form("form.account-form");
    set_field(&mut fields, "is_default_account", Some("on"));
    set_field(&mut fields, "city", Some("Porto"));
    assert_eq!(jane.post(&app, &edit_path, &as_refs(&fields)).await.status, 303);
    let stored = Account::find(&mut TestDb::conn(&pool), acme.id).unwrap().unwrap();
    assert_eq!(stored.city.as_deref(), Some("Porto"));
    assert!(stored.is_active && !stored.is_default_account, "posted flags were ignored");
}

async fn a_stale_edit_gets_the_conflict_page_and_can_be_reapplied(db: TestDb) {
    let (app, pool, mut root) = crate::console!(support::state(&db).await);
    make_user(&pool, "other", true, true, None);
    let acme = account(&pool, "Acme");
    let edit_path = format!("/accounts/{}/edit", acme.account_number);
    let mut other = Browser::new();
    other.login(&app, "other", PASSWORD).await;

    let mine = root.get(&app, &edit_path).await.form("form.account-form");
    let mut theirs = other.get(&app, &edit_path).await.form("form.account-form");
    set_field(&mut theirs, "city", Some("Madrid"));
    assert_eq!(other.post(&app, &edit_path, &as_refs(&theirs)).await.status, 303);

    let mut mine = mine;
    set_field(&mut mine, "company_name", Some("Acme Iberia"));
    let conflict = root.post(&app, &edit_path, &as_refs(&mine)).await;
    assert_eq!(conflict.status, 409);
    let city = "#conflict tr[data-field=city]";
    assert_eq!(conflict.texts(&format!("{city} .loaded")), ["Lisbon"]);
    assert!(conflict.texts(&format!("{city} .current"))[0].starts_with("Madrid"));
    assert!(conflict.texts(&format!("{city} .changed-by"))[0].contains("other"));
    assert_eq!(conflict.texts(&format!("{city} .submitted")), ["Lisbon"]);
    let company = "#conflict tr[data-field=company_name]";
    assert_eq!(conflict.texts(&format!("{company} .submitted")), ["Acme Iberia"]);
    let stored = Account::find(&mut TestDb::conn(&pool), acme.id).unwrap().unwrap();
    assert_eq!(
        (stored.company_name.as_str(), stored.city.as_deref()),
        ("Acme", Some("Madrid")),
        "nothing of mine was stored"
    );

    let merged = conflict.form("form.account-form");
    assert!(merged.contains(&("company_name".into(), "Acme Iberia".into())));
    assert!(merged.contains(&("city".into(), "Madrid".into())));
    assert_eq!(root.post(&app, &edit_path, &as_refs(&merged)).await.status, 303);
    let stored = Account::find(&mut TestDb::conn(&pool), acme.id).unwrap().unwrap();
    assert_eq!(
        (stored.company_name.as_str(), stored.city.as_deref()),
        ("Acme Iberia", Some("Madrid")),
        "both changes kept"
    );
}

async fn superusers_activate_deactivate_make_default_and_delete(db: TestDb) {
    let (app, pool, mut root) = crate::console!(support::state(&db).await);
    let acme = account(&pool, "Acme");
    let platform = Account::default_account(&mut TestDb::conn(&pool)).unwrap().unwrap();
    make_user(&pool, "jane", true, false, Some(&acme));
    let path = |p: &str| format!("/accounts/{}{p}", acme.account_number);
    root.get(&app, &path("")).await;

    let mut jane = Browser::new();
    jane.login(&app, "jane", PASSWORD).await;
    jane.get(&app, &path("")).await;
    assert_eq!(jane.post(&app, &path("/deactivate"), &[]).await.status, 403);

    assert_eq!(root.post(&app, &path("/deactivate"), &[]).await.status, 303);
    let detail = root.get(&app, &path("")).await;
    assert_eq!(detail.count(".badge-inactive"), 1);
    assert_eq!(jane.get(&app, &path("/edit")).await.status, 409, "an inactive account is read-only to staff");
    assert_eq!(root.post(&app, &path("/activate"), &[]).await.status, 303);
    assert_eq!(root.post(&app, &path("/make-default"), &[]).await.status, 303);
    assert!(Account::find(&mut TestDb::conn(&pool), acme.id).unwrap().unwrap().is_default_account);
    assert!(!Account::find(&mut TestDb::conn(&pool), platform.id).unwrap().unwrap().is_default_account);
    let refused = root.post(&app, &path("/deactivate"), &[]).await;
    assert_eq!(refused.status, 409);
    assert!(refused.body.contains("default account can"));
    assert_eq!(root.get(&app, &path("/delete")).await.status, 409);
    assert_eq!(root.post(&app, &format!("/accounts/{}/make-default", platform.account_number), &[]).await.status, 303);

    let confirm_page = root.get(&app, &path("/delete")).await;
    assert_eq!(confirm_page.texts("[data-kind=members]"), ["1"]);
    let wrong = root.post(&app, &path("/delete"), &[("confirm", "nope")]).await;
    assert_eq!(wrong.status, 422);
    assert_eq!(wrong.count(".field-error#confirm-error"), 1);
    assert!(Account::find(&mut TestDb::conn(&pool), acme.id).unwrap().is_some());
    let deleted = root.post(&app, &path("/delete"), &[("confirm", &acme.account_number)]).await;
    assert_eq!((deleted.status.as_u16(), deleted.location()), (303, Some("/accounts")));
    assert!(Account::find(&mut TestDb::conn(&pool), acme.id).unwrap().is_none());
    assert_eq!(root.get(&app, &path("")).await.status, 404, "no stale cached page");
    let jane_id =
        smarter_accounts::db::models::User::find_by_username(&mut TestDb::conn(&pool), "jane").unwrap().unwrap().id;
    assert!(UserProfile::accounts_of(&mut TestDb::conn(&pool), jane_id).unwrap().is_empty());
}

async fn the_history_page_lists_changes_newest_first(db: TestDb) {
    let (app, pool, mut root) = crate::console!(support::state(&db).await);
    let acme = account(&pool, "Acme");
    let edit_path = format!("/accounts/{}/edit", acme.account_number);
    let mut fields = root.get(&app, &edit_path).await.form("form.account-form");
    set_field(&mut fields, "company_name", Some("Acme Two"));
    root.post(&app, &edit_path, &as_refs(&fields)).await;
    let history = root.get(&app, &format!("/accounts/{}/history", acme.account_number)).await;
    assert_eq!(history.status, 200);
    let first = history.texts(".history li").remove(0);
    assert!(first.contains("Account update") && first.contains("root"), "{first}");
    assert_eq!(history.texts(".history li:first-child .diff-old"), ["Acme"]);
    assert_eq!(history.texts(".history li:first-child .diff-new"), ["Acme Two"]);
    assert_eq!(AuditEntry::for_account(&mut TestDb::conn(&pool), acme.id, 10).unwrap().len(), 2);
}

on_both_databases!(
    the_list_shows_every_account_to_a_superuser_and_only_their_own_to_staff,
    search_finds_numbers_in_any_spacing_and_substrings_ignoring_case,
    filters_sorting_and_bad_parameters,
    keyset_pages_walk_every_row_once_in_both_directions,
    the_count_stops_at_ten_thousand,
    the_detail_page_shows_everything_about_an_account,
    staff_get_404_for_other_accounts_on_every_route,
    creating_shows_every_error_keeps_the_values_and_creates_once,
    editing_saves_refuses_a_new_number_and_keeps_staff_off_the_flags,
    a_stale_edit_gets_the_conflict_page_and_can_be_reapplied,
    superusers_activate_deactivate_make_default_and_delete,
    the_history_page_lists_changes_newest_first
);

fn support_query(pairs: &[(&str, &str)]) -> String {
    let mut s = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        s.append_pair(k, v);
    }
    s.finish()
}

async fn the_list_filters_by_creation_and_update_day_and_shows_the_updated_day(db: TestDb) {
    use chrono::NaiveDate;
    use diesel::prelude::*;
    use smarter_accounts::db::schema::accounts;
    let (app, pool, mut root) = crate::console!(support::state(&db).await);
    let at =
        |day: &str, time: &str| NaiveDate::parse_from_str(day, "%Y-%m-%d").unwrap().and_time(time.parse().unwrap());
    for (company, created, updated) in [
        ("Early Ltd", at("2026-01-05", "23:59:59"), at("2026-03-01", "00:00:00")),
        ("Middle Ltd", at("2026-01-06", "00:00:00"), at("2026-02-01", "12:00:00")),
        ("Late Ltd", at("2026-02-10", "08:00:00"), at("2026-02-10", "08:00:00")),
    ] {
        let made = account(&pool, company);
        diesel::update(accounts::table.find(made.id))
            .set((accounts::created_at.eq(created), accounts::updated_at.eq(updated)))
            .execute(&mut *TestDb::conn(&pool))
            .unwrap();
    }
    let companies = |page: &crate::support::Page| page.texts("#accounts tbody td.company");
    let page = root.get(&app, "/accounts?created_from=2026-01-06&created_to=2026-02-10&sort=company_name").await;
    assert_eq!(companies(&page), ["Late Ltd", "Middle Ltd"], "both ends are whole days, included");
    let page = root.get(&app, "/accounts?updated_to=2026-02-28&sort=-updated_at").await;
    assert_eq!(companies(&page), ["Late Ltd", "Middle Ltd"]);
    assert!(page.texts("#accounts thead th").iter().any(|h| h == "Updated"));
    assert!(page.texts("#accounts tbody td").iter().any(|d| d == "2026-02-10"));
    let csv = root.get(&app, "/accounts.csv?created_to=2026-01-05").await;
    assert_eq!(csv.body.lines().count(), 2, "the export takes the same filters: {}", csv.body);
    let page = root.get(&app, "/accounts?created_from=yesterday").await;
    assert_eq!(page.status, 200);
    assert!(page.texts(".notice").iter().any(|n| n.contains("created_from")));
}

on_both_databases!(the_list_filters_by_creation_and_update_day_and_shows_the_updated_day);

async fn pages_opened_from_the_list_bring_the_same_list_back(db: TestDb) {
    let (app, pool, mut root) = crate::console!(support::state(&db).await);
    let acme = account(&pool, "Acme Return");
    let doomed = account(&pool, "Doomed Return");
    let list_path = "/accounts?q=Return&sort=company_name&per_page=25";
    let list = root.get(&app, list_path).await;
    let row = list.attrs("#accounts tbody a", "href").into_iter().find(|h| h.contains(&acme.account_number)).unwrap();
    assert!(row.contains("return_to="), "{row}");
    let detail = root.get(&app, &row).await;
    let back = detail.attrs("#back", "href").remove(0);
    assert_eq!(back, list_path);

    let edit_link = detail.attrs("a[href*='/edit']", "href").remove(0);
    let mut fields = root.get(&app, &edit_link).await.form("form.account-form");
    set_field(&mut fields, "city", Some("Porto"));
    let saved = root.post(&app, &format!("/accounts/{}/edit", acme.account_number), &as_refs(&fields)).await;
    assert_eq!(saved.location(), Some(list_path), "saving goes back to the list as it was");

    let history_link = detail.attrs("a[href*='/history']", "href").remove(0);
    let history = root.get(&app, &history_link).await;
    assert!(history.attrs("a", "href").iter().any(|h| h.contains("return_to=")), "the way back is kept");

    let doomed_number = doomed.account_number.clone();
    let delete_page =
        root.get(&app, &format!("/accounts/{doomed_number}/delete?return_to=%2Faccounts%3Fq%3DReturn")).await;
    let mut fields = delete_page.form("form.stack");
    set_field(&mut fields, "confirm", Some(&doomed_number));
    let deleted = root.post(&app, &format!("/accounts/{doomed_number}/delete"), &as_refs(&fields)).await;
    assert_eq!(deleted.location(), Some("/accounts?q=Return"));

    let hostile =
        root.get(&app, &format!("/accounts/{}?return_to=https%3A%2F%2Fevil.example", acme.account_number)).await;
    assert_eq!(hostile.attrs("#back", "href"), ["/accounts"], "only a local path to the list is followed");
}

on_both_databases!(pages_opened_from_the_list_bring_the_same_list_back);
