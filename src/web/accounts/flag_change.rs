//! What `activate`, `deactivate` and `make-default` share: apply the change, say what
//! happened, and go back to the account.

use actix_session::Session;
use actix_web::HttpResponse;

use crate::auth::session;
use crate::db::models::{Account, Actor, User};
use crate::error::AppError;
use crate::state::AppState;
use crate::web::accounts::href;
use crate::web::page;

#[derive(Clone, Copy)]
pub enum FlagChange {
    Activate,
    Deactivate,
    MakeDefault,
}

impl FlagChange {
    pub async fn apply(
        self,
        session: &Session,
        state: &AppState,
        user: &User,
        account: &Account,
    ) -> Result<HttpResponse, AppError> {
        let (actor, id) = (Actor::user(user.id, &user.username), account.id);
        let updated = state
            .store
            .write(move |conn| match self {
                Self::Activate => Account::set_active(conn, &actor, id, true),
                Self::Deactivate => Account::set_active(conn, &actor, id, false),
                Self::MakeDefault => Account::make_default(conn, &actor, id),
            })
            .await?;
        let message = match self {
            Self::Activate => format!("Activated {updated}."),
            Self::Deactivate => format!("Deactivated {updated}."),
            Self::MakeDefault => format!("{updated} is now the default account."),
        };
        session::flash(session, "success", message);
        Ok(page::redirect(&href(&updated)))
    }
}
