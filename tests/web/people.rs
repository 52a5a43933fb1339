//! Contacts, members and users in the console.

use diesel::prelude::*;
use smarter_accounts::db::models::{Account, AuditEntry};
use smarter_accounts::db::schema::email_outbox;

use crate::accounts::create;
use crate::on_both_databases;
use crate::support::{self, Browser, PASSWORD, TestDb, as_refs, make_user, set_field};

fn account(pool: &smarter_accounts::db::DbPool, company: &str) -> Account {
    create(&mut TestDb::conn(pool), company)
}

async fn staff_manage_the_contacts_of_their_accounts(db: TestDb) {
    let (app, pool, _) = crate::console!(support::state(&db).await);
    let acme = account(&pool, "Acme");
    let other = account(&pool, "Other");
    make_user(&pool, "jane", true, false, Some(&acme));
    let mut jane = Browser::new();
    jane.login(&app, "jane", PASSWORD).await;
    let new = format!("/accounts/{}/contacts/new", acme.account_number);
    jane.get(&app, &new).await;
    let bad = jane
        .post(&app, &new, &[("first_name", ""), ("last_name", "Lovelace"), ("email", "not-mail"), ("phone", "call me")])
        .await;
    assert_eq!(bad.status, 422);
    for field in ["first_name", "email", "phone"] {
        assert_eq!(bad.count(&format!(".field-error#{field}-error")), 1, "{field}");
    }
    assert_eq!(bad.attrs("#last_name", "value"), ["Lovelace"]);

    let ada = jane
        .post(
            &app,
            &new,
            &[("first_name", "Ada"), ("last_name", "Lovelace"), ("email", "ada@example.com"), ("is_primary", "on")],
        )
        .await;
    assert_eq!(ada.status, 303, "{}", ada.body);
    let bob =
        jane.post(&app, &new, &[("first_name", "Bob"), ("last_name", "Byte"), ("email", "bob@example.com")]).await;
    assert_eq!(bob.status, 303);
    let duplicate =
        jane.post(&app, &new, &[("first_name", "Ada"), ("last_name", "Again"), ("email", "ADA@example.COM")]).await;
    assert_eq!(duplicate.status, 422);
    assert_eq!(duplicate.count(".field-error#email-error"), 1);
    let outbox: i64 = email_outbox::table.count().get_result(&mut *TestDb::conn(&pool)).unwrap();
    assert_eq!(outbox, 2, "one welcome e-mail per new contact");

    let detail = jane.get(&app, &format!("/accounts/{}", acme.account_number)).await;
    assert_eq!(detail.texts("#contacts tbody td:nth-child(1)"), ["Ada Lovelace", "Bob Byte"]);
    let bob_id = detail.attrs("#contacts tr", "data-contact").remove(1);
    let bob_edit = format!("/accounts/{}/contacts/{bob_id}/edit", acme.account_number);
    let form = jane.get(&app, &bob_edit).await;
    assert!(form.texts("#is_primary-hint")[0].contains("Ada Lovelace"), "the form says who is primary now");
    let mut fields = form.form("form.card");
    set_field(&mut fields, "is_primary", Some("on"));
    assert_eq!(jane.post(&app, &bob_edit, &as_refs(&fields)).await.status, 303);
    let detail = jane.get(&app, &format!("/accounts/{}", acme.account_number)).await;
    assert_eq!(
        detail.texts("#contacts tbody td:nth-child(1)"),
        ["Bob Byte", "Ada Lovelace"],
        "the primary moved and is listed first"
    );
    assert_eq!(detail.count("#contacts .badge-default"), 1);

    let delete = bob_edit.replace("/edit", "/delete");
    assert_eq!(jane.post(&app, &delete, &[]).await.status, 303);
    let detail = jane.get(&app, &format!("/accounts/{}", acme.account_number)).await;
    assert_eq!(detail.texts("#contacts tbody td:nth-child(1)"), ["Ada Lovelace"]);
    let actions: Vec<String> = AuditEntry::for_account(&mut TestDb::conn(&pool), acme.id, 20)
        .unwrap()
        .into_iter()
        .filter(|e| e.object_type == "account_contact")
        .map(|e| e.action)
        .collect();
    assert!(
        actions.contains(&"delete".to_owned())
            && actions.contains(&"update".to_owned())
            && actions.contains(&"create".to_owned())
    );

    assert_eq!(jane.get(&app, &format!("/accounts/{}/contacts/new", other.account_number)).await.status, 404);
}

async fn superusers_add_and_remove_members_and_staff_see_them(db: TestDb) {
    let (app, pool, mut root) = crate::console!(support::state(&db).await);
    let acme = account(&pool, "Acme");
    make_user(&pool, "jane", true, false, Some(&acme));
    make_user(&pool, "bob", true, false, None);
    let detail = format!("/accounts/{}", acme.account_number);
    let members = format!("{detail}/members");
    root.get(&app, &detail).await;
    for (username, expected) in [("nobody", "no user"), ("jane", "member already"), ("bad name!", "Use letters")] {
        let refused = root.post(&app, &members, &[("username", username)]).await;
        assert_eq!(refused.status, 422, "{username}");
        assert!(
            refused.texts("#username-error")[0].contains(expected),
            "{username}: {:?}",
            refused.texts("#username-error")
        );
        assert_eq!(refused.attrs("#username", "value"), [username]);
    }
    assert_eq!(root.post(&app, &members, &[("username", "BOB")]).await.status, 303);
    let page = root.get(&app, &detail).await;
    assert_eq!(page.texts("#members tbody td:nth-child(1)"), ["jane", "bob"]);

    let mut jane = Browser::new();
    jane.login(&app, "jane", PASSWORD).await;
    let seen = jane.get(&app, &detail).await;
    assert_eq!(seen.texts("#members tbody td:nth-child(1)"), ["jane", "bob"], "staff see the members");
    assert_eq!(seen.count("#add-member"), 0);
    assert_eq!(jane.post(&app, &members, &[("username", "root")]).await.status, 403);

    let bob_id =
        smarter_accounts::db::models::User::find_by_username(&mut TestDb::conn(&pool), "bob").unwrap().unwrap().id;
    assert_eq!(root.post(&app, &format!("{members}/{bob_id}/remove"), &[]).await.status, 303);
    assert_eq!(root.get(&app, &detail).await.texts("#members tbody td:nth-child(1)"), ["jane"]);
    assert_eq!(root.post(&app, &format!("{members}/{bob_id}/remove"), &[]).await.status, 404);
    let bob_page = root.get(&app, &format!("/users/{bob_id}/edit")).await;
    assert_eq!(bob_page.count("#user-accounts li"), 0);
}

async fn superusers_manage_users(db: TestDb) {
    let (app, pool, mut root) = crate::console!(support::state(&db).await);
    let acme = account(&pool, "Acme");
    root.get(&app, "/users/new").await;
    let bad = root
        .post(
            &app,
            "/users/new",
            &[("username", "bad name"), ("email", "x"), ("password", "short"), ("password_confirm", "other")],
        )
        .await;
    assert_eq!(bad.status, 422);
    for field in ["username", "email", "password", "password_confirm"] {
        assert_eq!(bad.count(&format!(".field-error#{field}-error")), 1, "{field}");
    }
    let made = root
        .post(
            &app,
            "/users/new",
            &[
                ("username", "carol"),
                ("email", "carol@example.com"),
                ("first_name", "Carol"),
                ("password", "carol's long password"),
                ("password_confirm", "carol's long password"),
                ("is_staff", "on"),
            ],
        )
        .await;
    assert_eq!(made.status, 303, "{}", made.body);
    let edit = made.location().unwrap().to_owned();
    let dup = root
        .post(
            &app,
            "/users/new",
            &[
                ("username", "CAROL"),
                ("password", "carol's long password"),
                ("password_confirm", "carol's long password"),
            ],
        )
        .await;
    assert_eq!(dup.status, 422);
    let list = root.get(&app, "/users?q=CAR").await;
    assert_eq!(list.texts("#users tbody td:nth-child(1)"), ["carol"]);
    assert_eq!(root.get(&app, "/users?q=zzz").await.count("#users tbody td a"), 0);

    root.post(&app, &format!("/accounts/{}/members", acme.account_number), &[("username", "carol")]).await;
    let mut carol = Browser::new();
    assert_eq!(carol.login(&app, "carol", "carol's long password").await.status, 303);
    let page = root.get(&app, &edit).await;
    assert_eq!(page.texts("#user-accounts li"), [acme.to_string()]);
    let mut fields = page.form("form.card");
    set_field(&mut fields, "is_active", None);
    assert_eq!(root.post(&app, &edit, &as_refs(&fields)).await.status, 303);
    assert_eq!(carol.get(&app, "/accounts").await.status, 303, "deactivating ended carol's session");
    assert_eq!(Browser::new().login(&app, "carol", "carol's long password").await.status, 401);

    let mut fields = root.get(&app, &edit).await.form("form.card");
    set_field(&mut fields, "is_active", Some("on"));
    set_field(&mut fields, "password", Some("a fresh password for carol"));
    set_field(&mut fields, "password_confirm", Some("a fresh password for carol"));
    assert_eq!(root.post(&app, &edit, &as_refs(&fields)).await.status, 303);
    assert_eq!(Browser::new().login(&app, "carol", "a fresh password for carol").await.status, 303);

    let root_id =
        smarter_accounts::db::models::User::find_by_username(&mut TestDb::conn(&pool), "root").unwrap().unwrap().id;
    let admin_id =
        smarter_accounts::db::models::User::find_by_username(&mut TestDb::conn(&pool), "admin").unwrap().unwrap().id;
    // Demote the bootstrap admin, then root is the last active superuser.
    let admin_edit = format!("/users/{admin_id}/edit");
    let mut fields = root.get(&app, &admin_edit).await.form("form.card");
    set_field(&mut fields, "is_superuser", None);
    assert_eq!(root.post(&app, &admin_edit, &as_refs(&fields)).await.status, 303);
    let root_edit = format!("/users/{root_id}/edit");
    let mut fields = root.get(&app, &root_edit).await.form("form.card");
    set_field(&mut fields, "is_superuser", None);
    let refused = root.post(&app, &root_edit, &as_refs(&fields)).await;
    assert_eq!(refused.status, 422);
    assert!(refused.texts("#is_superuser-error")[0].contains("last active superuser"));
    set_field(&mut fields, "is_superuser", Some("on"));
    set_field(&mut fields, "is_active", None);
    let refused = root.post(&app, &root_edit, &as_refs(&fields)).await;
    assert_eq!(refused.status, 422);
    assert_eq!(refused.count("#is_active-error"), 1);

    let mut jane = Browser::new();
    make_user(&pool, "jane", true, false, None);
    jane.login(&app, "jane", PASSWORD).await;
    assert_eq!(jane.get(&app, "/users").await.status, 403);
}

on_both_databases!(
    staff_manage_the_contacts_of_their_accounts,
    superusers_add_and_remove_members_and_staff_see_them,
    superusers_manage_users
);
