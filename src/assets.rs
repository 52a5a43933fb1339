//! Self-hosted static assets, built into the binary and served under names that carry a
//! hash of their content, so browsers may keep them for a year.

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::LazyLock;

use actix_web::http::header;
use actix_web::{HttpResponse, web};

struct Asset {
    name: &'static str,
    content_type: &'static str,
    body: &'static [u8],
}

const ASSETS: &[Asset] = &[
    Asset { name: "app.css", content_type: "text/css; charset=utf-8", body: include_bytes!("../static/app.css") },
    Asset { name: "app.js", content_type: "text/javascript; charset=utf-8", body: include_bytes!("../static/app.js") },
    Asset { name: "favicon.svg", content_type: "image/svg+xml", body: include_bytes!("../static/favicon.svg") },
];

/// Each asset's hashed file name, e.g. `app.css` → `app.3f2a9c1d0b7e5a46.css`.
static HASHED: LazyLock<HashMap<&'static str, String>> = LazyLock::new(|| {
    ASSETS
        .iter()
        .map(|a| {
            let mut hasher = DefaultHasher::new();
            a.body.hash(&mut hasher);
            let (stem, ext) = a.name.rsplit_once('.').unwrap_or((a.name, ""));
            (a.name, format!("{stem}.{:016x}.{ext}", hasher.finish()))
        })
        .collect()
});

/// The URL of an asset by its plain name.
pub fn url(name: &str) -> String {
    match HASHED.get(name) {
        Some(hashed) => format!("/static/{hashed}"),
        None => format!("/static/{name}"),
    }
}

/// `GET /static/{file}`: only current hashed names are served.
pub async fn serve(file: web::Path<String>) -> HttpResponse {
    let asset = ASSETS.iter().find(|a| HASHED.get(a.name).is_some_and(|h| *h == *file));
    match asset {
        Some(a) => HttpResponse::Ok()
            .content_type(a.content_type)
            .insert_header((header::CACHE_CONTROL, "public, max-age=31536000, immutable"))
            .body(a.body),
        None => HttpResponse::NotFound().content_type("text/plain; charset=utf-8").body("not found"),
    }
}
