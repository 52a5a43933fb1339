//! The HTTP surface: one route table, then one module per resource.

mod accounts;
mod audit;
mod auth;
mod billing;
mod chart;
pub mod client_address;
mod contacts;
mod csv;
pub mod fields;
mod health;
mod listing;
pub mod page;
pub mod query;
pub mod security;
mod users;

use actix_web::{HttpResponse, web};

use crate::assets;
use crate::error::AppError;

/// Declares every route once: the table tests walk (`ROUTES`) and the actix
/// configuration (`routes`) come from the same list, so neither can miss one. Each path
/// is one resource: a method it doesn't answer gets 405 with `Allow`, and every `GET`
/// answers `HEAD` too.
macro_rules! route_table {
    ($($method:ident $path:literal => $handler:path;)*) => {
        /// Every route of the console as (method, path pattern).
        pub const ROUTES: &[(&str, &str)] = &[$((stringify!($method), $path)),*];

        /// Registers every route of [`ROUTES`].
        pub fn routes(cfg: &mut web::ServiceConfig) {
            let mut resources = Vec::new();
            $(
                add_route(&mut resources, $path, web::$method().to($handler));
                route_table!(@head $method, resources, $path, $handler);
            )*
            for (_, resource) in resources {
                cfg.service(resource);
            }
        }
    };
    (@head get, $resources:ident, $path:literal, $handler:path) => {
        add_route(&mut $resources, $path, web::head().to($handler));
    };
    (@head $other:ident, $resources:ident, $path:literal, $handler:path) => {};
}

/// Adds `route` to the resource of `path`, creating it on first use.
fn add_route(resources: &mut Vec<(&'static str, actix_web::Resource)>, path: &'static str, route: actix_web::Route) {
    match resources.iter().position(|(p, _)| *p == path) {
        Some(i) => {
            let (p, resource) = resources.remove(i);
            resources.insert(i, (p, resource.route(route)));
        }
        None => resources.push((path, web::resource(path).route(route))),
    }
}

route_table! {
    get "/" => root;
    get "/healthz" => health::healthz;
    get "/static/{file}" => assets::serve;
    get "/login" => auth::login::page;
    post "/login" => auth::login::submit;
    post "/logout" => auth::logout::submit;
    get "/password" => auth::password::page;
    post "/password" => auth::password::submit;
    post "/password/sign-out" => auth::sign_out::everywhere;
    get "/accounts" => accounts::list::page;
    get "/accounts.csv" => accounts::csv::download;
    post "/accounts/bulk" => accounts::bulk::submit;
    get "/accounts/new" => accounts::new::page;
    post "/accounts/new" => accounts::new::submit;
    get "/accounts/{number}" => accounts::detail::page;
    get "/accounts/{number}/edit" => accounts::edit::page;
    post "/accounts/{number}/edit" => accounts::edit::submit;
    post "/accounts/{number}/activate" => accounts::activate::submit;
    post "/accounts/{number}/deactivate" => accounts::deactivate::submit;
    post "/accounts/{number}/make-default" => accounts::make_default::submit;
    get "/accounts/{number}/delete" => accounts::delete::page;
    post "/accounts/{number}/delete" => accounts::delete::submit;
    get "/accounts/{number}/history" => accounts::history::page;
    get "/accounts/{number}/contacts/new" => accounts::contacts::new::page;
    post "/accounts/{number}/contacts/new" => accounts::contacts::new::submit;
    get "/accounts/{number}/contacts/{id}/edit" => accounts::contacts::edit::page;
    post "/accounts/{number}/contacts/{id}/edit" => accounts::contacts::edit::submit;
    post "/accounts/{number}/contacts/{id}/delete" => accounts::contacts::delete::submit;
    post "/accounts/{number}/members" => accounts::members::submit;
    post "/accounts/{number}/members/{user_id}/remove" => accounts::members::remove::submit;
    get "/contacts" => contacts::list::page;
    get "/contacts.csv" => contacts::csv::download;
    get "/audit" => audit::list::page;
    get "/audit/{id}/revert" => audit::revert::page;
    post "/audit/{id}/revert" => audit::revert::submit;
    post "/audit/batch/{batch}/revert" => audit::batch::submit;
    get "/audit/{id}/restore" => audit::restore::page;
    post "/audit/{id}/restore" => audit::restore::submit;
    get "/billing" => billing::list::page;
    get "/billing.csv" => billing::csv::download;
    get "/users" => users::list::page;
    get "/users/new" => users::new::page;
    get "/users/suggestions" => users::suggestions::usernames;
    post "/users/new" => users::new::submit;
    get "/users/{id}/edit" => users::edit::page;
    post "/users/{id}/edit" => users::edit::submit;
    post "/users/{id}/sign-out" => users::sign_out::submit;
    post "/users/{id}/activate" => users::activation::activate;
    post "/users/{id}/deactivate" => users::activation::deactivate;
}

async fn root() -> HttpResponse {
    page::redirect("/accounts")
}

/// Anything no route matches.
pub async fn not_found() -> Result<HttpResponse, AppError> {
    Err(AppError::NotFound)
}

/// Turns the extractors' own errors (bad form bodies, paths, queries) into clear 4xx
/// pages instead of actix's plain-text defaults.
pub fn extractor_config(cfg: &mut web::ServiceConfig) {
    cfg.app_data(web::FormConfig::default().limit(security::BODY_LIMIT).error_handler(|err, _| {
        let message = match err {
            actix_web::error::UrlencodedError::Overflow { .. } => {
                return AppError::PayloadTooLarge.into();
            }
            actix_web::error::UrlencodedError::ContentType => "Send the form as application/x-www-form-urlencoded.",
            _ => "The form could not be read. Check that it is valid UTF-8 and try again.",
        };
        AppError::BadRequest(message.to_owned()).into()
    }))
    .app_data(web::QueryConfig::default().error_handler(|_, _| {
        AppError::BadRequest("The address has query parameters the console can't read.".to_owned()).into()
    }))
    .app_data(web::PathConfig::default().error_handler(|_, _| AppError::NotFound.into()));
}
