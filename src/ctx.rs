//! What the code serving a request may know about it without being handed
//! it: its id (for logs, problem bodies and the audit trail) and its
//! language. A leaf module: it imports nothing of ours, so `i18n`, `error`,
//! `telemetry` and `service` all read it without reading each other.

use std::future::Future;

/// The two languages the API speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Vi,
    En,
}

impl Lang {
    /// First supported language of an `Accept-Language` header, honouring
    /// q-values; Vietnamese when nothing matches.
    pub fn from_accept_language(header: Option<&str>) -> Lang {
        let Some(h) = header else { return Lang::Vi };
        let mut best: Option<(f32, Lang)> = None;
        for part in h.split(',') {
            let mut it = part.trim().split(';');
            let tag = it.next().unwrap_or("").trim().to_ascii_lowercase();
            let q = it
                .find_map(|p| {
                    p.trim()
                        .strip_prefix("q=")
                        .and_then(|v| v.parse::<f32>().ok())
                })
                .unwrap_or(1.0);
            let lang = if tag == "vi" || tag.starts_with("vi-") {
                Lang::Vi
            } else if tag == "en" || tag.starts_with("en-") {
                Lang::En
            } else {
                continue;
            };
            if q > 0.0 && best.is_none_or(|(bq, _)| q > bq) {
                best = Some((q, lang));
            }
        }
        best.map(|(_, l)| l).unwrap_or_default()
    }

    pub fn pick<'a>(self, vi: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Vi => vi,
            Lang::En => en,
        }
    }
}

/// The request being served.
#[derive(Debug, Clone)]
pub struct RequestCtx {
    pub id: String,
    pub lang: Lang,
}

tokio::task_local! {
    static CTX: RequestCtx;
}

/// Run `f` as the request `ctx` (the telemetry middleware does, around
/// every request).
pub async fn scope<F: Future>(ctx: RequestCtx, f: F) -> F::Output {
    CTX.scope(ctx, f).await
}

pub fn current() -> Option<RequestCtx> {
    CTX.try_with(|c| c.clone()).ok()
}

pub fn request_id() -> Option<String> {
    CTX.try_with(|c| c.id.clone()).ok()
}

/// The language of the request being served; Vietnamese outside one.
pub fn lang() -> Lang {
    CTX.try_with(|c| c.lang).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_prefers_highest_q() {
        assert_eq!(Lang::from_accept_language(None), Lang::Vi);
        assert_eq!(Lang::from_accept_language(Some("en")), Lang::En);
        assert_eq!(Lang::from_accept_language(Some("en-US,en;q=0.9")), Lang::En);
        assert_eq!(
            Lang::from_accept_language(Some("fr, en;q=0.5, vi;q=0.8")),
            Lang::Vi
        );
        assert_eq!(Lang::from_accept_language(Some("fr")), Lang::Vi);
        assert_eq!(Lang::from_accept_language(Some("en;q=0")), Lang::Vi);
    }

    #[tokio::test]
    async fn the_request_context_is_read_inside_its_scope_only() {
        assert_eq!(request_id(), None);
        let ctx = RequestCtx {
            id: "r-1".into(),
            lang: Lang::En,
        };
        let seen = scope(ctx, async { (request_id(), lang()) }).await;
        assert_eq!(seen, (Some("r-1".to_string()), Lang::En));
        assert_eq!(lang(), Lang::Vi);
    }
}
