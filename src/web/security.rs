//! Response headers every page carries, and the CSRF check every POST passes.

use actix_session::SessionExt;
use actix_web::body::MessageBody;
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::{DefaultHeaders, Next};
use actix_web::web::BytesMut;
use actix_web::{HttpMessage, ResponseError};
use futures_util::StreamExt;

use crate::auth::session;
use crate::error::AppError;
use crate::session_store::SESSION_STORE_DOWN;
use crate::state::AppState;

/// Form bodies larger than this are refused with 413.
pub const BODY_LIMIT: usize = 256 * 1024;

/// A body not received whole within this is refused with 408, so a client that
/// declares a body and never sends it can't hold a connection.
pub const BODY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// No inline script or style anywhere: assets come from `/static/` only.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
     form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

pub fn headers() -> DefaultHeaders {
    DefaultHeaders::new()
        .add(("Content-Security-Policy", CONTENT_SECURITY_POLICY))
        .add(("X-Frame-Options", "DENY"))
        .add(("X-Content-Type-Options", "nosniff"))
        .add(("Referrer-Policy", "same-origin"))
        .add(("Cross-Origin-Opener-Policy", "same-origin"))
}

/// Answers 503 with `Retry-After` while the session store (Redis) is known to be down,
/// before the session middleware waits for it; and turns that middleware's bare 500,
/// when Redis fails during a request, into the same 503 page. Wraps the session
/// middleware.
pub async fn session_store_outage(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let known_down = req.app_data::<actix_web::web::Data<AppState>>().is_some_and(|s| s.sessions.is_known_down());
    if known_down && req.path() != "/healthz" && !req.path().starts_with("/static/") {
        return Ok(req.into_response(AppError::SessionsUnavailable.error_response()).map_into_right_body());
    }
    match next.call(req).await {
        Ok(response) => Ok(response.map_into_left_body()),
        Err(e) if e.to_string().contains(SESSION_STORE_DOWN) => Err(AppError::SessionsUnavailable.into()),
        Err(e) => Err(e),
    }
}

/// Reads a POST body (at most [`BODY_LIMIT`]), checks its `csrf_token` field against
/// the session's token in constant time, and hands the body on unchanged. Any other
/// method passes through. Applied to the whole app, so no POST route can skip it.
pub async fn csrf_guard(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    if req.method() != Method::POST {
        return next.call(req).await.map(ServiceResponse::map_into_left_body);
    }
    match read_and_check(&mut req).await {
        Ok(()) => next.call(req).await.map(ServiceResponse::map_into_left_body),
        Err(refusal) => Ok(req.into_response(refusal.error_response()).map_into_right_body()),
    }
}

async fn read_body(payload: &mut Payload) -> Result<actix_web::web::Bytes, AppError> {
    let mut body = BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|_| AppError::BadRequest("The request body could not be read.".to_owned()))?;
        if body.len() + chunk.len() > BODY_LIMIT {
            return Err(AppError::PayloadTooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

async fn read_and_check(req: &mut ServiceRequest) -> Result<(), AppError> {
    let declared = req
        .headers()
        .get(actix_web::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|len| len > BODY_LIMIT) {
        return Err(AppError::PayloadTooLarge);
    }
    let mut payload = req.take_payload();
    let body =
        tokio::time::timeout(BODY_TIMEOUT, read_body(&mut payload)).await.map_err(|_| AppError::RequestTimeout)??;
    // Decoding below is lossy: check first that every name and value is UTF-8.
    let valid_utf8 = body.split(|b| *b == b'&').all(|pair| {
        pair.split(|b| *b == b'=').all(|part| percent_encoding::percent_decode(part).decode_utf8().is_ok())
    });
    if !valid_utf8 {
        return Err(AppError::BadRequest("The form is not valid UTF-8.".to_owned()));
    }
    let submitted = url::form_urlencoded::parse(&body).find(|(k, _)| k == "csrf_token").map(|(_, v)| v.into_owned());
    let expected = session::csrf_token_if_any(&req.get_session());
    let valid = matches!((submitted, expected), (Some(s), Some(e)) if session::tokens_match(&s, &e));
    if !valid {
        return Err(AppError::Csrf);
    }
    req.set_payload(Payload::from(body));
    Ok(())
}
