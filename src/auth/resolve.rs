//! User resolution (ports of the upstream `get_resolved_user` and
//! `is_authenticated_user`): every request's session resolves to an authenticated user
//! or to an anonymous one.

use actix_session::Session;

use crate::auth::session;
use crate::db::StoreError;
use crate::db::models::User;
use crate::db::models::session::{self as db_session, Lifetime, SignedIn, Standing};
use crate::db::models::{Change, Written};
use crate::store::Store;

#[derive(Debug, Clone)]
pub enum ResolvedUser {
    Authenticated(Box<User>),
    Anonymous,
}

impl ResolvedUser {
    pub fn is_authenticated(&self) -> bool {
        matches!(self, Self::Authenticated(_))
    }

    pub fn user(&self) -> Option<&User> {
        match self {
            Self::Authenticated(user) => Some(user),
            Self::Anonymous => None,
        }
    }
}

pub fn is_authenticated_user(user: &ResolvedUser) -> bool {
    user.is_authenticated()
}

/// The session's user when its server-side record is still valid (see
/// `db::models::session`) and the user is active; anonymous otherwise (and the session
/// is ended).
pub async fn get_resolved_user(
    session: &Session,
    store: &Store,
    lifetime: Lifetime,
) -> Result<ResolvedUser, StoreError> {
    let Some(token) = session::token(session) else {
        return Ok(ResolvedUser::Anonymous);
    };
    let hash = db_session::token_hash(&token);
    let user = match store.session(hash.clone()).await? {
        None => None,
        Some(SignedIn { record, user }) => {
            let standing = record.standing(crate::db::now(), lifetime);
            if standing != Standing::Live {
                let (id, expired) = (record.id, standing == Standing::Expired);
                store
                    .write(move |conn| {
                        if expired { db_session::remove(conn, id) } else { db_session::note_use(conn, id) }
                            .map_err(StoreError::from)?;
                        Ok::<_, StoreError>(Written::changes((), vec![Change::Session(hash)]))
                    })
                    .await?;
            }
            if standing == Standing::Expired { None } else { Some(user) }
        }
    };
    match user {
        Some(user) if user.is_active => Ok(ResolvedUser::Authenticated(Box::new(user))),
        _ => {
            session::sign_out(session);
            Ok(ResolvedUser::Anonymous)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(active: bool) -> User {
        let at = chrono::NaiveDateTime::default();
        User {
            id: crate::db::UserId(1),
            username: "jane".into(),
            email: String::new(),
            first_name: String::new(),
            last_name: String::new(),
            is_active: active,
            is_staff: true,
            is_superuser: false,
            last_login: None,
            date_joined: at,
            created_at: at,
            updated_at: at,
        }
    }

    #[test]
    fn only_an_authenticated_user_is_authenticated() {
        assert!(!is_authenticated_user(&ResolvedUser::Anonymous));
        assert!(ResolvedUser::Anonymous.user().is_none());
        let resolved = ResolvedUser::Authenticated(Box::new(user(true)));
        assert!(is_authenticated_user(&resolved));
        assert_eq!(resolved.user().map(|u| u.username.as_str()), Some("jane"));
    }
}
