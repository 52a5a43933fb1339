//! What every page shares: the layout data (user, CSRF token, flash messages, asset
//! URLs), and the helpers that turn a page into a response.

use actix_session::Session;
use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use actix_web::http::header;
use askama::Template;

use crate::assets;
use crate::auth::session::{self, Flash};
use crate::db::models::User;
use crate::error::AppError;

/// The signed-in user as the header shows them.
#[derive(Debug, Clone)]
pub struct NavUser {
    pub username: String,
    pub is_superuser: bool,
}

/// Layout data every page template embeds as `layout`.
#[derive(Debug, Clone)]
pub struct Layout {
    pub title: String,
    pub user: Option<NavUser>,
    pub csrf_token: String,
    pub flashes: Vec<Flash>,
    pub css_url: String,
    pub js_url: String,
    pub icon_url: String,
    /// The main section this page belongs to, for `aria-current`.
    pub section: &'static str,
}

impl Layout {
    /// Takes the session's flash messages: they show on this page only.
    pub fn new(session: &Session, user: Option<&User>, title: impl Into<String>, section: &'static str) -> Self {
        Self {
            title: title.into(),
            user: user.map(|u| NavUser { username: u.username.clone(), is_superuser: u.is_superuser }),
            csrf_token: session::csrf_token(session),
            flashes: session::take_flashes(session),
            css_url: assets::url("app.css"),
            js_url: assets::url("app.js"),
            icon_url: assets::url("favicon.svg"),
            section,
        }
    }
}

/// Renders a page with the given status. Console pages are never cached.
pub fn render(status: StatusCode, page: &impl Template) -> Result<HttpResponse, AppError> {
    let html = page.render()?;
    Ok(HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(html))
}

pub fn ok(page: &impl Template) -> Result<HttpResponse, AppError> {
    render(StatusCode::OK, page)
}

/// `303 See Other` to `location`.
pub fn redirect(location: &str) -> HttpResponse {
    HttpResponse::SeeOther().insert_header((header::LOCATION, location)).finish()
}

/// `next` when it is a path on this site (`/…`, not `//…` nor `/\…`), else `fallback`.
pub fn local_path_or<'a>(next: &'a str, fallback: &'a str) -> &'a str {
    let local = next.starts_with('/')
        && !next.starts_with("//")
        && !next.starts_with("/\\")
        && !next.chars().any(|c| c.is_control() || c == '\\');
    if local { next } else { fallback }
}

#[cfg(test)]
mod tests {
    use super::local_path_or;

    #[test]
    fn only_local_paths_are_followed() {
        for ok in ["/accounts", "/accounts/1234-5678-9012?x=1", "/"] {
            assert_eq!(local_path_or(ok, "/x"), ok);
        }
        for bad in [
            "",
            "https://evil.test",
            "//evil.test",
            "/\\evil.test",
            "accounts",
            "/\taccounts",
            "javascript:alert(1)",
            "/a\\b",
        ] {
            assert_eq!(local_path_or(bad, "/accounts"), "/accounts", "{bad:?}");
        }
    }
}
