//! The pages across accounts: `/contacts`, `/billing` and their exports, and the
//! navigation that leads to them.

use chrono::{Days, NaiveDate, Utc};
use diesel::prelude::*;
use proptest::prelude::*;
use smarter_accounts::db::models::account_list::Scope;
use smarter_accounts::db::models::billing_ledger::{self, BillingFilter};
use smarter_accounts::db::models::{Account, AccountContact, Actor, User};
use smarter_accounts::db::schema::daily_billing_records;
use smarter_accounts::db::{DbConnection, DbPool};

use crate::accounts::create;
use crate::contacts::contact;
use crate::on_both_databases;
use crate::support::{self, Browser, PASSWORD, Page, TestDb, make_user};

fn account(pool: &DbPool, company: &str) -> Account {
    create(&mut TestDb::conn(pool), company)
}

fn add_contact(pool: &DbPool, account: &Account, first: &str, email: &str, primary: bool) {
    AccountContact::create(&mut TestDb::conn(pool), &Actor::system(), account.id, &contact(first, email, primary))
        .unwrap();
}

/// The `href` of the link with `rel`, if the page has one.
pub fn rel(page: &Page, rel: &str) -> Option<String> {
    page.attrs(&format!("a[rel={rel}]"), "href").into_iter().next()
}

/// Follows `rel=next` from `first` to the end, then `rel=prev` back to the start,
/// collecting the rows `selector` names on each page; checks that the way back
/// shows the same pages.
pub async fn walk<S, B>(browser: &mut Browser, app: &S, first: &str, selector: &str) -> Vec<String>
where
    S: actix_web::dev::Service<
            actix_http::Request,
            Response = actix_web::dev::ServiceResponse<B>,
            Error = actix_web::Error,
        >,
    B: actix_web::body::MessageBody,
{
    let mut pages = Vec::new();
    let mut page = browser.get(app, first).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(rel(&page, "prev").is_none(), "the first page has no previous");
    pages.push(page.texts(selector));
    while let Some(next) = rel(&page, "next") {
        page = browser.get(app, &next).await;
        pages.push(page.texts(selector));
        assert!(pages.len() < 100, "paging ends");
    }
    let mut back = vec![pages.last().cloned().unwrap()];
    while let Some(prev) = rel(&page, "prev") {
        page = browser.get(app, &prev).await;
        back.push(page.texts(selector));
    }
    back.reverse();
    assert_eq!(back, pages, "paging back shows the same pages");
    pages.concat()
}

async fn contacts_are_scoped_searched_filtered_sorted_and_paged(db: TestDb) {
    let (app, pool, mut root) = crate::console!(support::state(&db).await);
    let acme = account(&pool, "Acme");
    let globex = account(&pool, "Globex");
    for i in 0..55 {
        add_contact(&pool, &acme, &format!("Person{i:02}"), &format!("p{i:02}@acme.example"), i == 7);
    }
    add_contact(&pool, &globex, "Jane", "jane@globex.example", true);
    make_user(&pool, "staffer", true, false, Some(&acme));
    let mut staffer = Browser::new();
    staffer.login(&app, "staffer", PASSWORD).await;

    // Staff see their accounts' contacts only, on the page and in the export.
    let all = walk(&mut staffer, &app, "/contacts", "#contacts tbody td:nth-child(2)").await;
    assert_eq!(all.len(), 55);
    assert!(!all.iter().any(|e| e.contains("globex")));
    let csv = staffer.get(&app, "/contacts.csv").await;
    assert_eq!(csv.status, 200);
    assert_eq!(csv.body.lines().count(), 56, "a header and every contact");
    assert!(!csv.body.contains("globex"));
    let theirs = staffer.get(&app, "/contacts?q=jane@globex").await;
    assert_eq!(theirs.count("#contacts tbody td a.account-link"), 0);

    // A superuser finds anyone, by a piece of the e-mail or the name, any case.
    let jane = root.get(&app, "/contacts?q=JANE@GLOB").await;
    assert_eq!(jane.texts("#contacts tbody td:nth-child(2)"), ["jane@globex.example"]);
    assert_eq!(jane.attrs("a.account-link", "href"), [format!("/accounts/{}", globex.account_number)]);
    assert_eq!(
        root.get(&app, "/contacts?q=ja").await.texts("#contacts tbody td:nth-child(2)"),
        ["jane@globex.example"]
    );
    let edit = jane.attrs("#contacts tbody a[href$='/edit']", "href");
    assert_eq!(root.get(&app, &edit[0]).await.status, 200, "the row links to the contact's edit page");

    let primary = root.get(&app, "/contacts?primary=yes").await;
    assert_eq!(primary.texts("#contacts tbody td:nth-child(2)"), ["jane@globex.example", "p07@acme.example"]);
    let not_primary = root.get(&app, &format!("/contacts?primary=no&account={}", acme.account_number)).await;
    assert_eq!(not_primary.count("#contacts tbody tr"), 50);
    let newest = root.get(&app, "/contacts?sort=-created").await;
    assert_eq!(newest.texts("#contacts tbody td:nth-child(2)")[0], "jane@globex.example");
    let by_email = walk(&mut root, &app, "/contacts?sort=-email", "#contacts tbody td:nth-child(2)").await;
    let mut sorted = by_email.clone();
    sorted.sort();
    sorted.reverse();
    assert_eq!(by_email, sorted);
    assert_eq!(by_email.len(), 56);
    let odd = root.get(&app, "/contacts?sort=password&primary=maybe").await;
    assert_eq!(odd.status, 200);
    assert_eq!(odd.count(".flash.notice"), 2, "bad parameters are ignored with a notice");
}

on_both_databases!(contacts_are_scoped_searched_filtered_sorted_and_paged);

fn today() -> NaiveDate {
    Utc::now().date_naive()
}

/// One daily record per (account, user, provider, day).
fn bill(
    conn: &mut DbConnection,
    account: &Account,
    user: &User,
    provider: &str,
    kind: &str,
    day: NaiveDate,
    tokens: i64,
) {
    let at = Utc::now().naive_utc();
    diesel::insert_into(daily_billing_records::table)
        .values((
            daily_billing_records::account_id.eq(account.id),
            daily_billing_records::user_id.eq(user.id),
            daily_billing_records::provider.eq(provider),
            daily_billing_records::charge_type.eq(kind),
            daily_billing_records::date.eq(day),
            daily_billing_records::prompt_tokens.eq(tokens / 2),
            daily_billing_records::completion_tokens.eq(tokens - tokens / 2),
            daily_billing_records::total_tokens.eq(tokens),
            daily_billing_records::created_at.eq(at),
            daily_billing_records::updated_at.eq(at),
        ))
        .execute(conn)
        .unwrap();
}

fn total(page: &Page, name: &str) -> i64 {
    let text = page.texts(&format!("[data-total={name}]")).remove(0);
    text.chars().filter(char::is_ascii_digit).collect::<String>().parse().unwrap()
}

async fn the_ledger_is_scoped_filtered_totalled_charted_and_paged(db: TestDb) {
    let (app, pool, mut root) = crate::console!(support::state(&db).await);
    let acme = account(&pool, "Acme");
    let globex = account(&pool, "Globex");
    let staffer = make_user(&pool, "staffer", true, false, Some(&acme));
    let mut conn = TestDb::conn(&pool);
    // 120 records for Acme over 40 days back, 3 for Globex, one a year ago.
    for d in 0..40u64 {
        let day = today().checked_sub_days(Days::new(d)).unwrap();
        for provider in ["openai", "metaai", "googleai"] {
            bill(&mut conn, &acme, &staffer, provider, "completion", day, 100 + d as i64);
        }
    }
    for provider in ["openai", "metaai"] {
        bill(&mut conn, &globex, &staffer, provider, "tool", today(), 1_000);
    }
    let long_ago = today().checked_sub_days(Days::new(300)).unwrap();
    bill(&mut conn, &globex, &staffer, "openai", "plugin", long_ago, 7);
    drop(conn);
    let mut staff = Browser::new();
    staff.login(&app, "staffer", PASSWORD).await;

    // The last 30 days by default: 90 Acme records for staff, every one summed.
    let page = staff.get(&app, "/billing").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert_eq!(total(&page, "records"), 90);
    let expected: i64 = (0..30).map(|d| 3 * (100 + d)).sum();
    assert_eq!(total(&page, "total_tokens"), expected);
    assert_eq!(total(&page, "prompt_tokens") + total(&page, "completion_tokens"), expected);
    let rows = walk(&mut staff, &app, "/billing", "#ledger tbody td:nth-child(1)").await;
    assert_eq!(rows.len(), 90);
    let mut newest_first = rows.clone();
    newest_first.sort();
    newest_first.reverse();
    assert_eq!(rows, newest_first);
    let csv = staff.get(&app, "/billing.csv").await;
    assert_eq!(csv.body.lines().count(), 91);
    assert!(!csv.body.contains(&globex.account_number), "staff never see another account's records");
    let other = staff.get(&app, &format!("/billing?account={}", globex.account_number)).await;
    assert_eq!(total(&other, "records"), 0);

    // The chart: inline SVG with a title, one bar a day, and the same figures in a table.
    assert_eq!(page.count("svg[role=img]#tokens-per-day > title"), 1);
    assert_eq!(page.count("#tokens-per-day rect.bar"), 30);
    assert_eq!(page.count("#tokens-per-day-table tbody tr"), 30);
    assert!(!page.body.contains("<script>"), "no inline script");

    // Filters: account, provider, charge type, and a range.
    let month = format!("from={}&to={}", long_ago, long_ago);
    let old = root.get(&app, &format!("/billing?{month}&account={}", globex.account_number)).await;
    assert_eq!(total(&old, "total_tokens"), 7);
    let tools = root.get(&app, "/billing?charge_type=tool&provider=metaai").await;
    assert_eq!(total(&tools, "total_tokens"), 1_000);
    let backwards = root.get(&app, &format!("/billing?from={}&to={}", today(), long_ago)).await;
    assert_eq!(backwards.count(".flash.notice"), 1, "a range the wrong way round is swapped");
    assert_eq!(total(&backwards, "records"), 123);
    let too_long = root.get(&app, "/billing?from=2000-01-01").await;
    assert_eq!(too_long.count(".flash.notice"), 1);
    assert_eq!(too_long.count("#tokens-per-day rect.bar"), 366);
    let bad = root.get(&app, "/billing?provider=acme&from=yesterday").await;
    assert_eq!((bad.status.as_u16(), bad.count(".flash.notice")), (200, 2));

    // The day totals (what a superuser's summary reads) follow every write: an update,
    // and a delete that cascades. (Written behind the cache, so read from the database.)
    let everything = BillingFilter {
        scope: Scope::All,
        from: long_ago,
        to: today(),
        account: None,
        provider: None,
        charge_type: None,
    };
    let mut conn = TestDb::conn(&pool);
    let before = billing_ledger::summary(&mut conn, &everything).unwrap().totals;
    assert_eq!(before.records, 123);
    diesel::update(daily_billing_records::table.filter(daily_billing_records::account_id.eq(globex.id)))
        .set(daily_billing_records::total_tokens.eq(daily_billing_records::total_tokens + 1))
        .execute(&mut *conn)
        .unwrap();
    assert_eq!(billing_ledger::summary(&mut conn, &everything).unwrap().totals.total_tokens, before.total_tokens + 3);
    Account::delete(&mut conn, &Actor::system(), globex.id).unwrap();
    let after = billing_ledger::summary(&mut conn, &everything).unwrap().totals;
    assert_eq!((after.total_tokens, after.records), (before.total_tokens - 2_007, 120));
    drop(conn);

    // The account page: a year by month, and a link into the ledger.
    let detail = staff.get(&app, &format!("/accounts/{}", acme.account_number)).await;
    assert_eq!(detail.count("svg[role=img]#tokens-per-month > title"), 1);
    assert_eq!(detail.count("#tokens-per-month rect.bar"), 12);
    assert_eq!(detail.count("#tokens-per-month-table tbody tr"), 12);
    let link = detail.attrs("#billing-ledger-link", "href").remove(0);
    assert_eq!(link, format!("/billing?account={}", acme.account_number));
    let ledger = staff.get(&app, &link).await;
    assert_eq!(total(&ledger, "records"), 90);
}

on_both_databases!(the_ledger_is_scoped_filtered_totalled_charted_and_paged);

async fn navigation_shows_each_page_to_those_who_may_open_it(db: TestDb) {
    let (app, pool, mut root) = crate::console!(support::state(&db).await);
    let acme = account(&pool, "Acme");
    make_user(&pool, "staffer", true, false, Some(&acme));
    let mut staff = Browser::new();
    staff.login(&app, "staffer", PASSWORD).await;
    let nav = |page: &Page| page.texts(".main-nav a");
    assert_eq!(nav(&root.get(&app, "/accounts").await), ["Accounts", "Contacts", "Billing", "Users", "Audit"]);
    assert_eq!(nav(&staff.get(&app, "/accounts").await), ["Accounts", "Contacts", "Billing"]);
    for (path, status) in [("/contacts", 200), ("/billing", 200), ("/users", 403), ("/audit", 403)] {
        assert_eq!(staff.get(&app, path).await.status, status, "{path}");
    }
    let current = root.get(&app, "/billing").await;
    assert_eq!(current.texts(".main-nav a[aria-current=page]"), ["Billing"]);
}

on_both_databases!(navigation_shows_each_page_to_those_who_may_open_it);

/// Records as (account, provider, charge type, days ago, tokens).
type Records = Vec<(usize, usize, usize, u64, i64)>;

/// A ledger of random records and a random filter: the range's two ends in days ago,
/// a provider and an account.
fn ledger_case() -> impl Strategy<Value = (Records, u64, u64, Option<usize>, Option<usize>)> {
    (
        prop::collection::vec((0..2usize, 0..3usize, 0..3usize, 0..20u64, 0..5_000i64), 0..40),
        0..20u64,
        0..20u64,
        prop::option::of(0..3usize),
        prop::option::of(0..2usize),
    )
}

// The totals of `/billing` equal the sum of the rows the filter matches.
#[test]
fn totals_equal_the_sum_of_the_filtered_rows() {
    const PROVIDERS: [&str; 3] = ["openai", "metaai", "googleai"];
    const KINDS: [&str; 3] = ["completion", "plugin", "tool"];
    let db = TestDb::sqlite();
    let pool = db.pool();
    let accounts = [account(&pool, "Acme"), account(&pool, "Globex")];
    let user = make_user(&pool, "payer", true, true, None);
    let runtime = actix_web::rt::System::new();
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig { cases: 24, ..ProptestConfig::default() });
    runner
        .run(&ledger_case(), |(rows, a, b, provider, which)| {
            let mut conn = TestDb::conn(&pool);
            diesel::delete(daily_billing_records::table).execute(&mut *conn).unwrap();
            let mut seen = std::collections::HashSet::new();
            for (acc, p, k, d, tokens) in &rows {
                if seen.insert((*acc, *p, *k, *d)) {
                    let day = today().checked_sub_days(Days::new(*d)).unwrap();
                    bill(&mut conn, &accounts[*acc], &user, PROVIDERS[*p], KINDS[*k], day, *tokens);
                }
            }
            drop(conn);
            let (from, to) = (
                today().checked_sub_days(Days::new(a.max(b))).unwrap(),
                today().checked_sub_days(Days::new(a.min(b))).unwrap(),
            );
            let mut query = format!("/billing.csv?from={from}&to={to}");
            let mut page_query = format!("/billing?from={from}&to={to}");
            if let Some(p) = provider {
                query.push_str(&format!("&provider={}", PROVIDERS[p]));
                page_query.push_str(&format!("&provider={}", PROVIDERS[p]));
            }
            if let Some(i) = which {
                query.push_str(&format!("&account={}", accounts[i].account_number));
                page_query.push_str(&format!("&account={}", accounts[i].account_number));
            }
            let state = runtime.block_on(support::state(&db));
            let (csv, page) = runtime.block_on(async {
                let app = actix_web::test::init_service(smarter_accounts::startup::build_app(state)).await;
                let mut root = Browser::new();
                root.login(&app, "payer", PASSWORD).await;
                (root.get(&app, &query).await, root.get(&app, &page_query).await)
            });
            let mut sums = (0i64, 0i64, 0i64, 0i64);
            for line in csv.body.lines().skip(1) {
                let cells: Vec<&str> = line.split(',').collect();
                let n = |i: usize| cells[i].parse::<i64>().unwrap();
                sums = (sums.0 + 1, sums.1 + n(6), sums.2 + n(7), sums.3 + n(8));
            }
            prop_assert_eq!(sums.0, total(&page, "records"));
            prop_assert_eq!(sums.1, total(&page, "prompt_tokens"));
            prop_assert_eq!(sums.2, total(&page, "completion_tokens"));
            prop_assert_eq!(sums.3, total(&page, "total_tokens"));
            Ok(())
        })
        .unwrap();
}

// Searches on lists longer than the stretch a search walks first (5 000 rows): a broad
// term fills its pages from the walk, a rare one beyond it comes from the index, and
// paging stays exact both ways.
async fn broad_and_rare_searches_past_the_first_rows(db: TestDb) {
    use smarter_accounts::db::schema::{account_contacts, users};

    let (app, pool, mut root) = crate::console!(support::state(&db).await);
    let acme = account(&pool, "Acme");
    let at = Utc::now().naive_utc();
    let mut conn = TestDb::conn(&pool);
    let rows: Vec<_> = (0..6_000)
        .map(|i| {
            let last = if i == 5_999 {
                "Zzrareword".to_owned()
            } else if i % 2 == 0 {
                format!("Hudson{i:05}")
            } else {
                format!("Smith{i:05}")
            };
            let email = format!("c{i}@acme.example");
            (
                account_contacts::account_id.eq(acme.id),
                account_contacts::first_name.eq("Pat"),
                account_contacts::last_name.eq(last),
                account_contacts::email_folded.eq(email.clone()),
                account_contacts::email.eq(email),
                account_contacts::is_primary.eq(false),
                account_contacts::welcomed.eq(true),
                account_contacts::created_at.eq(at),
                account_contacts::updated_at.eq(at),
            )
        })
        .collect();
    for chunk in rows.chunks(500) {
        smarter_accounts::with_backend!(&mut *conn, c => diesel::insert_into(account_contacts::table).values(chunk).execute(c)).unwrap();
    }
    let people: Vec<_> = (0..5_100)
        .map(|i| {
            let name = if i == 5_099 { "zzrareuser".to_owned() } else { format!("member{i:05}") };
            (
                users::username.eq(name.clone()),
                users::username_folded.eq(name),
                users::password_hash.eq("x"),
                users::date_joined.eq(at),
                users::created_at.eq(at),
                users::updated_at.eq(at),
            )
        })
        .collect();
    for chunk in people.chunks(500) {
        smarter_accounts::with_backend!(&mut *conn, c => diesel::insert_into(users::table).values(chunk).execute(c))
            .unwrap();
    }
    drop(conn);

    let broad = root.get(&app, "/contacts?q=HUDSON").await;
    let expected: Vec<String> = (0..100).map(|k| format!("c{}@acme.example", 2 * k)).collect();
    assert_eq!(broad.texts("#contacts tbody td:nth-child(2)"), expected[..50]);
    let next = root.get(&app, &rel(&broad, "next").unwrap()).await;
    assert_eq!(next.texts("#contacts tbody td:nth-child(2)"), expected[50..]);
    let back = root.get(&app, &rel(&next, "prev").unwrap()).await;
    assert_eq!(back.texts("#contacts tbody td:nth-child(2)"), expected[..50]);
    let rare = root.get(&app, "/contacts?q=rarewor").await;
    assert_eq!(rare.texts("#contacts tbody td:nth-child(2)"), ["c5999@acme.example"]);
    let tail = root.get(&app, "/contacts?q=hudson0599&sort=-name").await;
    assert_eq!(tail.count("#contacts tbody tr"), 5, "Hudson05990…05998 from the far end of the list");

    let members = root.get(&app, "/users?q=member&per_page=25").await;
    let names = members.texts("#users tbody td:nth-child(1)");
    assert_eq!(names.first().map(String::as_str), Some("member00000"));
    assert_eq!(names.len(), 25);
    let rare = root.get(&app, "/users?q=RAREUS").await;
    assert_eq!(rare.texts("#users tbody td:nth-child(1)"), ["zzrareuser"]);
    let all = walk(&mut root, &app, "/users?q=member0&per_page=100", "#users tbody td:nth-child(1)").await;
    assert_eq!(all.len(), 5_099, "member00000…member05098, every one once");
    let mut sorted = all.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted, all);
}

on_both_databases!(broad_and_rare_searches_past_the_first_rows);
