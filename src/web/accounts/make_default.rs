//! `POST /accounts/{number}/make-default` (superusers).

use actix_session::Session;
use actix_web::{HttpResponse, web};

use crate::error::AppError;
use crate::state::AppState;
use crate::web::accounts::ManagedAccount;
use crate::web::accounts::flag_change::FlagChange;

pub async fn submit(
    session: Session,
    ManagedAccount { user, account }: ManagedAccount,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    FlagChange::MakeDefault.apply(&session, &state, &user, &account).await
}
