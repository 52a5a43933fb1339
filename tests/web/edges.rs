//! What testing found at the edges: odd query strings, methods, piled-up flash
//! messages, and the account rules a form could slip past.

use actix_web::test as at;
use smarter_accounts::db::models::{Account, AccountContact, Actor, AuditEntry, UserProfile};

use crate::accounts::create;
use crate::contacts::contact;
use crate::on_both_databases;
use crate::support::{self, TestDb, as_refs, make_user, set_field};

async fn control_characters_in_the_query_are_ignored_with_a_notice(db: TestDb) {
    let (app, _pool, mut root) = crate::console!(support::state(&db).await);
    let page = root.get(&app, "/accounts?q=ab%00").await;
    assert_eq!(page.status, 200);
    assert!(page.texts(".notice").iter().any(|n| n.contains("control characters")), "{:?}", page.texts(".notice"));
    let csv = root.get(&app, "/accounts.csv?q=ab%00&country=%01").await;
    assert_eq!(csv.status, 200);
    assert_eq!(csv.body.lines().count(), 2, "the whole export, the bad filters left out: {}", csv.body);
    assert_eq!(root.get(&app, "/users?q=%00").await.status, 200);
}

async fn a_repeated_parameter_keeps_its_first_value_with_a_notice(db: TestDb) {
    let (app, _pool, mut root) = crate::console!(support::state(&db).await);
    let page = root.get(&app, "/accounts?per_page=25&per_page=50").await;
    assert_eq!(page.status, 200);
    assert!(page.texts(".notice").iter().any(|n| n.contains("repeated per_page")));
    assert_eq!(page.attrs("select[name=per_page] option[selected]", "value"), ["25"]);
}

async fn head_answers_every_get_route_and_other_methods_get_405(db: TestDb) {
    let (app, _pool, mut root) = crate::console!(support::state(&db).await);
    let head = root.send(&app, at::TestRequest::default().method(actix_web::http::Method::HEAD).uri("/accounts")).await;
    assert_eq!(head.status, 200, "(the server sends no body for HEAD: `cli::a_declared_body_never_sent_gets_408`)");
    let put = root.send(&app, at::TestRequest::put().uri("/accounts")).await;
    assert_eq!(put.status, 405);
    assert_eq!(put.header("allow").map(|a| a.contains("GET") && a.contains("HEAD")), Some(true), "{:?}", put.headers);
    let delete = root.send(&app, at::TestRequest::delete().uri("/accounts/new")).await;
    assert_eq!(delete.status, 405);
    assert!(delete.header("allow").unwrap().contains("POST"));
    assert_eq!(root.get(&app, "/no/such/page").await.status, 404);
}

async fn flash_messages_never_pile_up_past_three(db: TestDb) {
    let (app, pool, mut root) = crate::console!(support::state(&db).await);
    let acme = create(&mut TestDb::conn(&pool), "Acme");
    root.get(&app, "/accounts").await;
    for _ in 0..45 {
        let page = root.post(&app, &format!("/accounts/{}/activate", acme.account_number), &[]).await;
        assert_eq!(page.status, 303);
    }
    assert!(root.cookie.as_ref().unwrap().value().len() < 4096, "the session cookie stays small");
    let page = root.get(&app, "/accounts").await;
    assert_eq!(page.status, 200);
    assert_eq!(page.count(".flash-success"), 3);
}

async fn the_default_account_is_always_active_and_always_there(db: TestDb) {
    let (app, pool, mut root) = crate::console!(support::state(&db).await);
    let mut fields = root.get(&app, "/accounts/new").await.form("form.account-form");
    set_field(&mut fields, "company_name", Some("Inactive Default"));
    set_field(&mut fields, "is_active", None);
    set_field(&mut fields, "is_default_account", Some("on"));
    let refused = root.post(&app, "/accounts/new", &as_refs(&fields)).await;
    assert_eq!(refused.status, 422);
    assert_eq!(refused.count("#is_default_account-error"), 1);

    let other = create(&mut TestDb::conn(&pool), "Other");
    let edit = format!("/accounts/{}/edit", other.account_number);
    let mut fields = root.get(&app, &edit).await.form("form.account-form");
    set_field(&mut fields, "is_active", None);
    set_field(&mut fields, "is_default_account", Some("on"));
    let refused = root.post(&app, &edit, &as_refs(&fields)).await;
    assert_eq!(refused.status, 422);
    assert_eq!(refused.count("#is_default_account-error"), 1);

    let platform = Account::default_account(&mut TestDb::conn(&pool)).unwrap().unwrap();
    let edit = format!("/accounts/{}/edit", platform.account_number);
    let mut fields = root.get(&app, &edit).await.form("form.account-form");
    set_field(&mut fields, "is_default_account", None);
    let refused = root.post(&app, &edit, &as_refs(&fields)).await;
    assert_eq!(refused.status, 422);
    assert!(refused.texts("#is_default_account-error")[0].contains("make another account the default"));
    let still = Account::default_account(&mut TestDb::conn(&pool)).unwrap().unwrap();
    assert_eq!((still.id, still.is_active), (platform.id, true));
}

async fn the_edit_form_shows_the_number_error_with_the_others(db: TestDb) {
    let (app, pool, mut root) = crate::console!(support::state(&db).await);
    let acme = create(&mut TestDb::conn(&pool), "Acme");
    let edit = format!("/accounts/{}/edit", acme.account_number);
    let mut fields = root.get(&app, &edit).await.form("form.account-form");
    set_field(&mut fields, "account_number", Some("1111-2222-3333"));
    set_field(&mut fields, "country", Some("XX"));
    let refused = root.post(&app, &edit, &as_refs(&fields)).await;
    assert_eq!(refused.status, 422);
    assert_eq!(refused.count("#account_number-error"), 1);
    assert_eq!(refused.count("#country-error"), 1);
}

async fn deleting_an_account_audits_its_contacts_and_memberships(db: TestDb) {
    let pool = db.pool();
    let mut conn = TestDb::conn(&pool);
    let acme = create(&mut conn, "Acme");
    let ada = AccountContact::create(&mut conn, &Actor::system(), acme.id, &contact("Ada", "ada@acme.example", true))
        .unwrap()
        .value;
    let jane = make_user(&pool, "jane", true, false, None);
    UserProfile::add(&mut conn, &Actor::system(), &jane, &acme).unwrap();
    Account::delete(&mut conn, &Actor::system(), acme.id).unwrap();
    let contact_entries = AuditEntry::for_object(&mut conn, "account_contact", ada.id.into()).unwrap();
    assert_eq!(contact_entries.last().map(|e| e.action.as_str()), Some("delete"), "{contact_entries:?}");
    let deleted_membership = AuditEntry::for_account(&mut conn, acme.id, 20)
        .unwrap()
        .into_iter()
        .any(|e| e.object_type == "user_profile" && e.action == "delete");
    assert!(deleted_membership, "the membership's removal is on the record");
}

async fn each_account_keeps_its_own_tag_spelling(db: TestDb) {
    let (app, pool, mut root) = crate::console!(support::state(&db).await);
    let (theirs, mine) = (create(&mut TestDb::conn(&pool), "Theirs"), create(&mut TestDb::conn(&pool), "Mine"));
    make_user(&pool, "jane", true, false, Some(&mine));
    for (account, spelling) in [(&theirs, "ProjectKestrel"), (&mine, "projectkestrel")] {
        let edit = format!("/accounts/{}/edit", account.account_number);
        let mut fields = root.get(&app, &edit).await.form("form.account-form");
        set_field(&mut fields, "tags", Some(spelling));
        assert_eq!(root.post(&app, &edit, &as_refs(&fields)).await.status, 303);
    }
    let mut jane = crate::support::Browser::new();
    jane.login(&app, "jane", crate::support::PASSWORD).await;
    let page = jane.get(&app, &format!("/accounts/{}", mine.account_number)).await;
    assert_eq!(page.texts("#tags li"), ["projectkestrel"]);
    assert!(!page.body.contains("ProjectKestrel"), "no spelling typed on an account jane can't see");
    let list = jane.get(&app, "/accounts?tag=PROJECTKESTREL").await;
    assert!(!list.body.contains("ProjectKestrel") && list.body.contains("projectkestrel"));

    // The same tags in another case: nothing changed.
    let before = AuditEntry::for_account(&mut TestDb::conn(&pool), mine.id, 100).unwrap().len();
    let edit = format!("/accounts/{}/edit", mine.account_number);
    let mut fields = root.get(&app, &edit).await.form("form.account-form");
    set_field(&mut fields, "tags", Some("PROJECTKESTREL"));
    root.post(&app, &edit, &as_refs(&fields)).await;
    assert!(root.get(&app, "/accounts").await.texts(".flash-success").iter().any(|m| m == "Nothing changed."));
    let after = Account::get_by_account_number(&mut TestDb::conn(&pool), &mine.account_number).unwrap().unwrap();
    assert_eq!(after.lock_version, 1, "one edit, not two");
    assert_eq!(AuditEntry::for_account(&mut TestDb::conn(&pool), mine.id, 100).unwrap().len(), before);
}

on_both_databases!(
    each_account_keeps_its_own_tag_spelling,
    control_characters_in_the_query_are_ignored_with_a_notice,
    a_repeated_parameter_keeps_its_first_value_with_a_notice,
    head_answers_every_get_route_and_other_methods_get_405,
    flash_messages_never_pile_up_past_three,
    the_default_account_is_always_active_and_always_there,
    the_edit_form_shows_the_number_error_with_the_others,
    deleting_an_account_audits_its_contacts_and_memberships,
);

async fn code_fields_are_pick_lists_and_suggestions_stay_in_scope(db: TestDb) {
    let (app, pool, mut root) = crate::console!(support::state(&db).await);
    let (theirs, mine) = (create(&mut TestDb::conn(&pool), "Theirs"), create(&mut TestDb::conn(&pool), "Mine"));
    make_user(&pool, "jane", true, false, Some(&mine));
    for (account, spelling) in [(&theirs, "SecretProject"), (&mine, "ourProject")] {
        let edit = format!("/accounts/{}/edit", account.account_number);
        let mut fields = root.get(&app, &edit).await.form("form.account-form");
        set_field(&mut fields, "tags", Some(spelling));
        assert_eq!(root.post(&app, &edit, &as_refs(&fields)).await.status, 303);
    }
    let edit = root.get(&app, &format!("/accounts/{}/edit", mine.account_number)).await;
    assert!(edit.texts("select#country option").iter().any(|o| o == "DEU — Germany"));
    assert!(edit.texts("select#currency option").iter().any(|o| o == "EUR — Euro"));
    assert!(edit.texts("select#language option").iter().any(|o| o == "EN — English"));
    assert_eq!(edit.texts("select#timezone option[selected]"), ["Europe/Lisbon"]);
    assert_eq!(edit.attrs("select#country option[selected]", "value"), ["PRT"]);
    make_user(&pool, "Zed", true, false, None);
    make_user(&pool, "amy", true, false, None);
    let gone = make_user(&pool, "Bea", true, false, None);
    {
        use diesel::prelude::*;
        use smarter_accounts::db::schema::users;
        diesel::update(users::table.find(gone.id))
            .set(users::is_active.eq(false))
            .execute(&mut *TestDb::conn(&pool))
            .unwrap();
    }
    let detail = root.get(&app, &format!("/accounts/{}", mine.account_number)).await;
    assert_eq!(detail.attrs("#username", "data-suggest"), ["/users/suggestions"]);
    assert_eq!(detail.count("#username-suggestions option"), 0, "the page itself carries no usernames");
    let suggested = root.get(&app, "/users/suggestions").await;
    assert_eq!(suggested.headers.get("content-type").unwrap(), "application/json");
    let suggested: Vec<String> = serde_json::from_str(&suggested.body).unwrap();
    assert!(suggested.contains(&"jane".to_owned()) && !suggested.contains(&"Bea".to_owned()), "{suggested:?}");
    let mut ordered = suggested.clone();
    ordered.sort_by_key(|name| name.to_lowercase());
    assert_eq!(suggested, ordered, "active users in case-insensitive order");

    let mut jane = crate::support::Browser::new();
    jane.login(&app, "jane", crate::support::PASSWORD).await;
    let form = jane.get(&app, &format!("/accounts/{}/edit", mine.account_number)).await;
    let suggested = form.attrs("#tags-suggestions option", "value");
    assert!(suggested.contains(&"ourProject".to_owned()) && !suggested.contains(&"SecretProject".to_owned()));
    let list = jane.get(&app, "/accounts").await;
    assert!(!list.attrs("#bulk-tag-suggestions option", "value").contains(&"SecretProject".to_owned()));
    let detail = jane.get(&app, &format!("/accounts/{}", mine.account_number)).await;
    assert_eq!(detail.count("#username-suggestions"), 0, "usernames only for superusers");
    assert_eq!(jane.get(&app, "/users/suggestions?q=a").await.status, 403);
}

async fn username_suggestions_hold_what_is_typed(db: TestDb) {
    let (app, pool, mut root) = crate::console!(support::state(&db).await);
    for name in ["Zed", "amy", "Bea", "b.amsel", "bob"] {
        make_user(&pool, name, true, false, None);
    }
    for n in 1..=22 {
        make_user(&pool, &format!("many{n:02}"), true, false, None);
    }
    let mut suggest = async |typed: &str| -> Vec<String> {
        let page = root.get(&app, &format!("/users/suggestions?q={typed}")).await;
        assert_eq!(page.status, 200, "{typed}");
        serde_json::from_str(&page.body).unwrap()
    };
    assert_eq!(suggest("AM").await, ["amy", "b.amsel"], "anywhere in the name, any case, in order");
    assert_eq!(suggest("%20zE%20").await, ["Zed"], "trimmed");
    assert_eq!(suggest("%25").await, Vec::<String>::new(), "% is a character, not a wildcard");
    assert_eq!(suggest("_").await, Vec::<String>::new(), "_ is a character, not a wildcard");
    assert_eq!(suggest("b.").await, ["b.amsel"]);
    let many = suggest("many").await;
    assert_eq!(many.len(), 20, "at most twenty");
    assert_eq!((many[0].as_str(), many[19].as_str()), ("many01", "many20"));
    assert_eq!(suggest(&"x".repeat(400)).await, Vec::<String>::new());
    assert_eq!(suggest("a%00b").await, suggest("").await, "a control character is ignored as elsewhere");
}

on_both_databases!(code_fields_are_pick_lists_and_suggestions_stay_in_scope, username_suggestions_hold_what_is_typed);
