//! Extractors: `ResolvedUser` for any request, `Staff` and `Superuser` for pages that
//! need them. An anonymous request to a console page is redirected to sign in; a
//! signed-in user without the role gets 403.

use std::future::Future;
use std::pin::Pin;

use actix_session::SessionExt;
use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};

use crate::auth::resolve::{ResolvedUser, get_resolved_user};
use crate::db::models::User;
use crate::error::AppError;
use crate::state::AppState;

/// A signed-in staff user (superusers are staff).
#[derive(Debug, Clone)]
pub struct Staff(pub User);

/// A signed-in superuser.
#[derive(Debug, Clone)]
pub struct Superuser(pub User);

fn path_and_query(req: &HttpRequest) -> String {
    match req.uri().path_and_query() {
        Some(pq) => pq.as_str().to_owned(),
        None => req.path().to_owned(),
    }
}

async fn resolve(req: HttpRequest) -> Result<ResolvedUser, AppError> {
    if let Some(resolved) = req.extensions().get::<ResolvedUser>() {
        return Ok(resolved.clone());
    }
    let state =
        req.app_data::<web::Data<AppState>>().ok_or_else(|| AppError::Internal(anyhow::anyhow!("no app state")))?;
    let resolved = get_resolved_user(&req.get_session(), &state.store, state.session_lifetime()).await?;
    req.extensions_mut().insert(resolved.clone());
    Ok(resolved)
}

async fn staff(req: HttpRequest) -> Result<User, AppError> {
    match resolve(req.clone()).await? {
        ResolvedUser::Anonymous => Err(AppError::LoginRequired { next: path_and_query(&req) }),
        ResolvedUser::Authenticated(user) if !user.is_staff && !user.is_superuser => Err(AppError::NoConsoleAccess),
        ResolvedUser::Authenticated(user) => Ok(*user),
    }
}

impl FromRequest for ResolvedUser {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, AppError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        Box::pin(resolve(req.clone()))
    }
}

impl FromRequest for Staff {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, AppError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { staff(req).await.map(Staff) })
    }
}

impl FromRequest for Superuser {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, AppError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let user = staff(req).await?;
            if user.is_superuser { Ok(Superuser(user)) } else { Err(AppError::Forbidden) }
        })
    }
}
