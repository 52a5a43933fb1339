//! The user list without a cap, every user write on the record, and `/audit`.

use diesel::prelude::*;
use smarter_accounts::db::DbPool;
use smarter_accounts::db::models::{Account, AuditEntry, User};
use smarter_accounts::db::schema::audit_entries;

use crate::accounts::create;
use crate::across::walk;
use crate::on_both_databases;
use crate::support::{self, Browser, PASSWORD, TestDb, as_refs, make_user, set_field};

fn find(pool: &DbPool, username: &str) -> User {
    User::find_by_username(&mut TestDb::conn(pool), username).unwrap().unwrap()
}

/// The user entries of `user`, oldest first, as (action, actor, changed fields).
fn user_entries(pool: &DbPool, user: &User) -> Vec<(String, String, Vec<String>)> {
    AuditEntry::for_object(&mut TestDb::conn(pool), "user", user.id.into())
        .unwrap()
        .into_iter()
        .map(|e| {
            let fields = e.field_changes().into_iter().map(|c| c.field).collect();
            (e.action, e.actor_username, fields)
        })
        .collect()
}

async fn the_user_list_has_no_cap_and_filters_and_pages_both_ways(db: TestDb) {
    let (app, pool, mut root) = crate::console!(support::state(&db).await);
    for i in 0..230 {
        make_user(&pool, &format!("member{i:03}"), i % 2 == 0, false, None);
    }
    // root and admin too: 232 users.
    let all = walk(&mut root, &app, "/users?per_page=100", "#users tbody td:nth-child(1)").await;
    assert_eq!(all.len(), 232, "no cap");
    let mut sorted = all.clone();
    sorted.sort_by_key(|u| u.to_lowercase());
    assert_eq!(all, sorted, "by username");
    let staff = walk(&mut root, &app, "/users?staff=no&per_page=25", "#users tbody td:nth-child(1)").await;
    assert_eq!(staff.len(), 115);
    let page = root.get(&app, "/users?q=MEMBER00&per_page=25").await;
    assert_eq!(page.count("#users tbody tr"), 10);
    let supers = root.get(&app, "/users?superuser=yes").await;
    assert_eq!(supers.texts("#users tbody td:nth-child(1)"), ["admin", "root"]);
    let odd = root.get(&app, "/users?per_page=7&active=perhaps").await;
    assert_eq!((odd.status.as_u16(), odd.count(".flash.notice"), odd.count("#users tbody tr")), (200, 2, 50));
}

on_both_databases!(the_user_list_has_no_cap_and_filters_and_pages_both_ways);

async fn every_user_write_is_on_the_record(db: TestDb) {
    let (app, pool, mut root) = crate::console!(support::state(&db).await);
    root.get(&app, "/users/new").await;
    let created = root
        .post(
            &app,
            "/users/new",
            &[
                ("username", "carol"),
                ("email", "carol@example.com"),
                ("password", "a long password for carol"),
                ("password_confirm", "a long password for carol"),
                ("is_staff", "on"),
            ],
        )
        .await;
    assert_eq!(created.status, 303, "{}", created.body);
    let carol = find(&pool, "carol");
    let edit = format!("/users/{}/edit", carol.id);
    let mut fields = root.get(&app, &edit).await.form("form.card");
    set_field(&mut fields, "first_name", Some("Carol"));
    assert_eq!(root.post(&app, &edit, &as_refs(&fields)).await.status, 303);
    let mut fields = root.get(&app, &edit).await.form("form.card");
    set_field(&mut fields, "password", Some("another password for carol"));
    set_field(&mut fields, "password_confirm", Some("another password for carol"));
    assert_eq!(root.post(&app, &edit, &as_refs(&fields)).await.status, 303);

    let mut laptop = Browser::new();
    assert_eq!(laptop.login(&app, "carol", "another password for carol").await.status, 303);
    assert_eq!(root.post(&app, &format!("/users/{}/sign-out", carol.id), &[]).await.status, 303);
    assert_eq!(laptop.get(&app, "/accounts").await.status, 303, "signed out everywhere");
    assert_eq!(laptop.login(&app, "carol", "another password for carol").await.status, 303);
    let deactivated = root.post(&app, &format!("/users/{}/deactivate", carol.id), &[]).await;
    assert_eq!(deactivated.status, 303);
    assert_eq!(laptop.get(&app, "/accounts").await.status, 303, "deactivating ends her sessions");
    assert_eq!(Browser::new().login(&app, "carol", "another password for carol").await.status, 401);
    let edit_page = root.get(&app, &edit).await;
    assert_eq!(edit_page.count(&format!("form[action='/users/{}/activate'] button", carol.id)), 1);
    assert_eq!(root.post(&app, &format!("/users/{}/activate", carol.id), &[]).await.status, 303);
    let mut own = Browser::new();
    own.login(&app, "carol", "another password for carol").await;
    own.get(&app, "/password").await;
    let changed = own
        .post(
            &app,
            "/password",
            &[
                ("current_password", "another password for carol"),
                ("new_password", "carol's very own password"),
                ("new_password_confirm", "carol's very own password"),
            ],
        )
        .await;
    assert_eq!(changed.status, 303);

    let entries = user_entries(&pool, &carol);
    let actions: Vec<(&str, &str)> = entries.iter().map(|(a, who, _)| (a.as_str(), who.as_str())).collect();
    assert_eq!(
        actions,
        [
            ("create", "root"),
            ("update", "root"),
            ("set_password", "root"),
            ("sign_out", "root"),
            ("deactivate", "root"),
            ("activate", "root"),
            ("set_password", "carol"),
        ]
    );
    assert!(entries[0].2.contains(&"username".to_owned()) && entries[0].2.contains(&"is_staff".to_owned()));
    assert_eq!(entries[1].2, ["first_name"]);
    assert_eq!(entries[4].2, ["is_active"]);
    let recorded: Vec<String> =
        audit_entries::table.select(audit_entries::changes).load(&mut *TestDb::conn(&pool)).unwrap();
    assert!(!recorded.iter().any(|c| c.contains("password for carol") || c.contains("argon2")), "no secrets");

    // CSRF guards the new posts.
    let mut forger = Browser::new();
    forger.login(&app, "root", PASSWORD).await;
    forger.csrf = Some("forged".to_owned());
    assert_eq!(forger.post(&app, &format!("/users/{}/deactivate", carol.id), &[]).await.status, 403);
    assert!(find(&pool, "carol").is_active);
}

on_both_databases!(every_user_write_is_on_the_record);

async fn the_last_active_superuser_stays_active(db: TestDb) {
    let (app, pool, mut root) = crate::console!(support::state(&db).await);
    let admin = find(&pool, "admin");
    let me = find(&pool, "root");
    root.get(&app, "/users").await;
    assert_eq!(root.post(&app, &format!("/users/{}/deactivate", admin.id), &[]).await.status, 303);
    let refused = root.post(&app, &format!("/users/{}/deactivate", me.id), &[]).await;
    assert_eq!(refused.status, 409);
    assert!(refused.body.contains("last active superuser"), "{}", refused.body);
    assert!(find(&pool, "root").is_active);
    let staff = make_user(&pool, "jane", true, false, None);
    let mut jane = Browser::new();
    jane.login(&app, "jane", PASSWORD).await;
    jane.get(&app, "/password").await;
    assert_eq!(jane.post(&app, &format!("/users/{}/deactivate", me.id), &[]).await.status, 403);
    assert_eq!(root.post(&app, &format!("/users/{}/deactivate", staff.id), &[]).await.status, 303);
    assert_eq!(root.post(&app, "/users/999999/deactivate", &[]).await.status, 404);
}

on_both_databases!(the_last_active_superuser_stays_active);

fn account(pool: &DbPool, company: &str) -> Account {
    create(&mut TestDb::conn(pool), company)
}

async fn the_audit_log_is_for_superusers_filtered_and_paged(db: TestDb) {
    let (app, pool, mut root) = crate::console!(support::state(&db).await);
    let gone = account(&pool, "Gone Ltd");
    let kept = account(&pool, "Kept Ltd");
    for i in 0..60 {
        account(&pool, &format!("Filler {i}"));
    }
    let number = gone.account_number.clone();
    // Edits by root, then the account is deleted with a contact.
    root.get(&app, &format!("/accounts/{number}/contacts/new")).await;
    let contact = root
        .post(
            &app,
            &format!("/accounts/{number}/contacts/new"),
            &[("first_name", "Ada"), ("last_name", "Gone"), ("email", "ada@gone.example")],
        )
        .await;
    assert_eq!(contact.status, 303);
    let mut fields = root.get(&app, &format!("/accounts/{number}/edit")).await.form("form.account-form");
    set_field(&mut fields, "city", Some("Atlantis"));
    assert_eq!(root.post(&app, &format!("/accounts/{number}/edit"), &as_refs(&fields)).await.status, 303);
    root.get(&app, &format!("/accounts/{number}/delete")).await;
    let deleted = root.post(&app, &format!("/accounts/{number}/delete"), &[("confirm", number.as_str())]).await;
    assert_eq!(deleted.status, 303);

    let mut jane = Browser::new();
    make_user(&pool, "jane", true, false, Some(&kept));
    jane.login(&app, "jane", PASSWORD).await;
    assert_eq!(jane.get(&app, "/audit").await.status, 403);

    // The deleted account's entries, by its number: create, contact, edit, delete.
    let page = root.get(&app, &format!("/audit?account={number}")).await;
    assert_eq!(page.status, 200);
    let heads = page.texts(".history li > p:first-child strong");
    assert_eq!(heads, ["Account delete", "Contact delete", "Account update", "Contact create", "Account create"]);
    assert_eq!(page.count(".history a.object-link"), 0, "nothing to link to: it is all gone");
    assert!(page.texts(".diff-old").contains(&"Atlantis".to_owned()), "the diffs");
    let by_type = root.get(&app, &format!("/audit?account={number}&object_type=contact&action=create")).await;
    assert_eq!(by_type.texts(".history li > p:first-child strong"), ["Contact create"]);
    let kept_page = root.get(&app, &format!("/audit?account={}", kept.account_number)).await;
    // Its creation and jane's membership, both still there.
    let kept_href = format!("/accounts/{}", kept.account_number);
    assert_eq!(kept_page.attrs(".history a.object-link", "href"), [kept_href.clone(), kept_href]);

    // Actors, any case; dates; paging.
    let by_root = root.get(&app, "/audit?actor=ROOT").await;
    assert_eq!(by_root.count(".history > li"), 4, "root's own entries");
    let tomorrow = (chrono::Utc::now().date_naive() + chrono::Days::new(1)).to_string();
    assert_eq!(root.get(&app, &format!("/audit?from={tomorrow}")).await.count(".history > li.card"), 0);
    let today = chrono::Utc::now().date_naive().to_string();
    let everything = walk(&mut root, &app, &format!("/audit?to={today}"), ".history > li.card").await;
    let total: i64 = audit_entries::table.count().get_result(&mut *TestDb::conn(&pool)).unwrap();
    assert_eq!(everything.len() as i64, total);
    assert!(total > 60);
    let odd = root.get(&app, "/audit?object_type=robot&action=explode&account=12").await;
    assert_eq!((odd.status.as_u16(), odd.count(".flash.notice")), (200, 3));
}

on_both_databases!(the_audit_log_is_for_superusers_filtered_and_paged);

// The account page's recent history and the edit page's are the account's newest
// entries, newest first, however many it has (on SQLite read in the index's order and
// cut after the limit).
async fn an_accounts_recent_history_is_its_newest_entries(db: TestDb) {
    let pool = db.pool();
    let mut conn = TestDb::conn(&pool);
    let account = create(&mut conn, "Busy Ltd");
    let other = create(&mut conn, "Other Ltd");
    let actor = smarter_accounts::db::models::Actor::system();
    for i in 0..7 {
        let person = crate::contacts::contact("Ada", &format!("ada{i}@busy.example"), false);
        smarter_accounts::db::models::AccountContact::create(&mut conn, &actor, account.id, &person).unwrap();
        let person = crate::contacts::contact("Bo", &format!("bo{i}@other.example"), false);
        smarter_accounts::db::models::AccountContact::create(&mut conn, &actor, other.id, &person).unwrap();
    }
    let ids = |entries: Vec<AuditEntry>| entries.into_iter().map(|e| e.id).collect::<Vec<_>>();
    let all: Vec<i64> = audit_entries::table
        .filter(audit_entries::account_id.eq(account.id))
        .order((audit_entries::created_at.desc(), audit_entries::id.desc()))
        .select(audit_entries::id)
        .load(&mut *conn)
        .unwrap();
    assert_eq!(all.len(), 8, "the create and seven contacts");
    assert_eq!(ids(AuditEntry::for_account(&mut conn, account.id, 5).unwrap()), all[..5]);
    assert_eq!(ids(AuditEntry::for_account(&mut conn, account.id, 50).unwrap()), all);
    assert!(AuditEntry::for_account(&mut conn, account.id, 0).unwrap().is_empty());
}

on_both_databases!(an_accounts_recent_history_is_its_newest_entries);
