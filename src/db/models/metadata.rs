//! Tags and annotations of any object with metadata, keyed by (object type, id).

use std::collections::HashMap;

use diesel::prelude::*;

use crate::db::models::Account;
use crate::db::models::is_unique_violation;
use crate::db::schema::{annotations, tagged_items, tags};
use crate::db::{AccountId, DbConnection, now};
use crate::domain::{Annotation, Annotations, Tag, Tags};

pub const ACCOUNT: &str = "account";
pub const USER_PROFILE: &str = "user_profile";

pub fn load_tags(conn: &mut DbConnection, object_type: &str, object_id: i64) -> QueryResult<Tags> {
    // Every tagged item has its tag (the foreign key deletes it with the tag): no join.
    let names: Vec<String> = tagged_items::table
        .filter(tagged_items::object_type.eq(object_type))
        .filter(tagged_items::object_id.eq(object_id))
        .order(tagged_items::id.asc())
        .select(tagged_items::spelling)
        .load(conn)?;
    Ok(Tags::from_stored(names))
}

/// Tags of many accounts in one query, for list pages and the export: read from the
/// index of (object, item, spelling) alone, each account's in the order they were added.
pub fn load_account_tags(conn: &mut DbConnection, accounts: &[Account]) -> QueryResult<HashMap<AccountId, Tags>> {
    let ids: Vec<i64> = accounts.iter().map(|a| a.id.into()).collect();
    let rows: Vec<(i64, String)> = tagged_items::table
        .filter(tagged_items::object_type.eq(ACCOUNT))
        .filter(tagged_items::object_id.eq_any(&ids))
        .order((tagged_items::object_id.asc(), tagged_items::id.asc()))
        .select((tagged_items::object_id, tagged_items::spelling))
        .load(conn)?;
    let mut grouped: HashMap<AccountId, Vec<String>> = HashMap::new();
    for (id, name) in rows {
        grouped.entry(AccountId(id)).or_default().push(name);
    }
    Ok(grouped.into_iter().map(|(id, names)| (id, Tags::from_stored(names))).collect())
}

/// The tags on accounts that `scope` may see, as they are spelled there (at most
/// `limit`), for suggestions: never a spelling typed on an account the viewer can't see.
pub fn visible_tag_spellings(
    conn: &mut DbConnection,
    scope: crate::db::models::account_list::Scope,
    limit: i64,
) -> QueryResult<Vec<String>> {
    use crate::db::models::account_list::Scope;
    use crate::db::schema::user_profiles;
    let Scope::MemberOf(user) = scope else {
        // Every account is visible: the shared list of tags answers, without a scan.
        return tags::table.select(tags::name).order(tags::name_folded.asc()).limit(limit).load(conn);
    };
    let theirs = user_profiles::table.filter(user_profiles::user_id.eq(user)).select(user_profiles::account_id);
    tagged_items::table
        .filter(tagged_items::object_type.eq(ACCOUNT))
        .select(tagged_items::spelling)
        .distinct()
        .order(tagged_items::spelling.asc())
        .limit(limit)
        .filter(tagged_items::object_id.eq_any(theirs))
        .load(conn)
}

/// Adds `tag` (spelled as given) to, or takes it off, every account of `ids`, in
/// multi-row writes. The caller knows which accounts lack (or have) it.
pub fn tag_accounts(conn: &mut DbConnection, ids: &[AccountId], tag: &Tag, add: bool) -> QueryResult<()> {
    let id = tag_id(conn, tag)?;
    if !add {
        for chunk in ids.chunks(1_000) {
            let objects: Vec<i64> = chunk.iter().map(|a| i64::from(*a)).collect();
            diesel::delete(
                tagged_items::table
                    .filter(tagged_items::object_type.eq(ACCOUNT))
                    .filter(tagged_items::tag_id.eq(id))
                    .filter(tagged_items::object_id.eq_any(objects)),
            )
            .execute(conn)?;
        }
        return Ok(());
    }
    let at = now();
    let rows: Vec<_> = ids
        .iter()
        .map(|account| {
            (
                tagged_items::tag_id.eq(id),
                tagged_items::spelling.eq(tag.as_str()),
                tagged_items::object_type.eq(ACCOUNT),
                tagged_items::object_id.eq(i64::from(*account)),
                tagged_items::created_at.eq(at),
                tagged_items::updated_at.eq(at),
            )
        })
        .collect();
    for chunk in rows.chunks(1_000) {
        crate::with_backend!(conn, c => diesel::insert_into(tagged_items::table).values(chunk).execute(c))?;
    }
    Ok(())
}

/// The id of the tag spelled `tag` in any case, created with this spelling if new.
pub fn tag_id(conn: &mut DbConnection, tag: &Tag) -> QueryResult<i64> {
    let folded = tag.folded();
    let find = |conn: &mut DbConnection| {
        tags::table.filter(tags::name_folded.eq(&folded)).select(tags::id).first::<i64>(conn).optional()
    };
    if let Some(id) = find(conn)? {
        return Ok(id);
    }
    let at = now();
    // In a savepoint: on PostgreSQL a failed insert would abort the whole transaction.
    let inserted = conn.transaction(|conn| {
        diesel::insert_into(tags::table)
            .values((
                tags::name.eq(tag.as_str()),
                tags::name_folded.eq(&folded),
                tags::created_at.eq(at),
                tags::updated_at.eq(at),
            ))
            .execute(conn)
    });
    match inserted {
        Ok(_) => {}
        Err(e) if is_unique_violation(&e) => {}
        Err(e) => return Err(e),
    }
    find(conn)?.ok_or(diesel::result::Error::NotFound)
}

/// Replaces the object's tags with `new`.
pub fn set_tags(conn: &mut DbConnection, object_type: &str, object_id: i64, new: &Tags) -> QueryResult<()> {
    diesel::delete(
        tagged_items::table
            .filter(tagged_items::object_type.eq(object_type))
            .filter(tagged_items::object_id.eq(object_id)),
    )
    .execute(conn)?;
    let at = now();
    for tag in new.iter() {
        let id = tag_id(conn, tag)?;
        diesel::insert_into(tagged_items::table)
            .values((
                tagged_items::tag_id.eq(id),
                tagged_items::spelling.eq(tag.as_str()),
                tagged_items::object_type.eq(object_type),
                tagged_items::object_id.eq(object_id),
                tagged_items::created_at.eq(at),
                tagged_items::updated_at.eq(at),
            ))
            .execute(conn)?;
    }
    Ok(())
}

pub fn load_annotations(conn: &mut DbConnection, object_type: &str, object_id: i64) -> QueryResult<Annotations> {
    let pairs: Vec<(String, String)> = annotations::table
        .filter(annotations::object_type.eq(object_type))
        .filter(annotations::object_id.eq(object_id))
        .order(annotations::position.asc())
        .select((annotations::key, annotations::value))
        .load(conn)?;
    Ok(Annotations::from_stored(pairs.into_iter().map(|(key, value)| Annotation { key, value }).collect()))
}

/// Replaces the object's annotations with `new`, keeping their order.
pub fn set_annotations(
    conn: &mut DbConnection,
    object_type: &str,
    object_id: i64,
    new: &Annotations,
) -> QueryResult<()> {
    diesel::delete(
        annotations::table
            .filter(annotations::object_type.eq(object_type))
            .filter(annotations::object_id.eq(object_id)),
    )
    .execute(conn)?;
    let at = now();
    for (position, pair) in new.iter().enumerate() {
        diesel::insert_into(annotations::table)
            .values((
                annotations::object_type.eq(object_type),
                annotations::object_id.eq(object_id),
                annotations::position.eq(i32::try_from(position).unwrap_or(i32::MAX)),
                annotations::key.eq(&pair.key),
                annotations::value.eq(&pair.value),
                annotations::created_at.eq(at),
                annotations::updated_at.eq(at),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Removes the object's tags and annotations, as its deletion does.
pub fn delete_all(conn: &mut DbConnection, object_type: &str, object_id: i64) -> QueryResult<()> {
    diesel::delete(
        tagged_items::table
            .filter(tagged_items::object_type.eq(object_type))
            .filter(tagged_items::object_id.eq(object_id)),
    )
    .execute(conn)?;
    diesel::delete(
        annotations::table
            .filter(annotations::object_type.eq(object_type))
            .filter(annotations::object_id.eq(object_id)),
    )
    .execute(conn)?;
    Ok(())
}
