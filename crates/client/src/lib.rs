//! The datacoop client SDK. It speaks the HTTP API and (as features land)
//! does every key operation on the caller's machine; it never depends on the
//! server or storage crates.
#![forbid(unsafe_code)]

pub mod account;
pub mod blobs;
pub mod consent;
pub mod dataset;
pub mod device;
mod error;
mod future;
pub mod gov;
pub mod log;
pub mod member;
mod records;
pub mod research;
pub mod rotation;
mod vault_lock;

pub use error::ClientError;

use datacoop_api::auth::{RefreshRequest, TokenPair, WhoAmI};
use datacoop_api::health::HealthStatus;
use datacoop_api::paths;
use datacoop_api::problem::Problem;
use reqwest::{Method, RequestBuilder, Response};
use serde::de::DeserializeOwned;
use std::time::Duration;

/// A connection to one datacoop server, optionally with an access token.
#[derive(Clone)]
pub struct Client {
    base: String,
    http: reqwest::Client,
    token: Option<String>,
}

/// Says whether a token is set, never which: `Debug` output ends up in logs.
impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("base", &self.base)
            .field("token", &self.token.as_ref().map(|_| "[redacted]"))
            .finish()
    }
}

impl Client {
    /// A client for the server at `base_url` (e.g. `http://127.0.0.1:8080`).
    /// Plain `http://` is accepted only for a server on this machine, since
    /// tokens and the login's authentication key would cross the network in
    /// the clear; set `DATACOOP_ALLOW_INSECURE_HTTP=1` to allow it on a
    /// network you trust.
    pub fn new(base_url: &str) -> Result<Self, ClientError> {
        let allow_http = std::env::var("DATACOOP_ALLOW_INSECURE_HTTP").as_deref() == Ok("1");
        check_base_url(base_url, allow_http)?;
        let http = reqwest::Client::builder()
            .user_agent(concat!("datacoop-client/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(Duration::from_secs(10))
            // A server that stops sending mid-answer must not hang the client.
            .read_timeout(Duration::from_secs(120))
            .build()
            .map_err(ClientError::transport)?;
        Ok(Client {
            base: base_url.trim_end_matches('/').to_owned(),
            http,
            token: None,
        })
    }

    /// The same client, sending `token` as its bearer token.
    pub fn with_token(&self, token: impl Into<String>) -> Self {
        Client {
            token: Some(token.into()),
            ..self.clone()
        }
    }

    /// The server's base URL.
    pub fn base_url(&self) -> &str {
        &self.base
    }

    /// A request to `path` (absolute, e.g. `/healthz` or `/api/v1/…`), with the token if any.
    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        let req = self.http.request(method, format!("{}{}", self.base, path));
        match &self.token {
            Some(t) => req.bearer_auth(t),
            None => req,
        }
    }

    /// Liveness.
    pub async fn healthz(&self) -> Result<HealthStatus, ClientError> {
        json(self.request(Method::GET, "/healthz").send().await).await
    }

    /// Readiness; an error with status 503 when the database is down.
    pub async fn readyz(&self) -> Result<HealthStatus, ClientError> {
        json(self.request(Method::GET, "/readyz").send().await).await
    }

    /// Whom the current token speaks for.
    pub async fn whoami(&self) -> Result<WhoAmI, ClientError> {
        json(self.request(Method::GET, paths::WHOAMI).send().await).await
    }

    /// Spends a refresh token for a new pair.
    pub async fn refresh(&self, refresh_token: &str) -> Result<TokenPair, ClientError> {
        let body = RefreshRequest {
            refresh_token: refresh_token.to_owned(),
        };
        json(
            self.request(Method::POST, paths::REFRESH)
                .json(&body)
                .send()
                .await,
        )
        .await
    }

    /// Ends the session of a refresh token.
    pub async fn logout(&self, refresh_token: &str) -> Result<(), ClientError> {
        let body = RefreshRequest {
            refresh_token: refresh_token.to_owned(),
        };
        empty(
            self.request(Method::POST, paths::LOGOUT)
                .json(&body)
                .send()
                .await,
        )
        .await
    }
}

/// Refuses a server URL that is not `https://`, or `http://` to this
/// machine (unless `allow_http`).
fn check_base_url(base_url: &str, allow_http: bool) -> Result<(), ClientError> {
    let bad = |why: String| ClientError::ServerUrl(format!("server URL {base_url:?}: {why}"));
    let url = reqwest::Url::parse(base_url)
        .map_err(|e| bad(format!("{e}; give it as https://HOST[:PORT]")))?;
    let host = url.host_str().unwrap_or_default();
    let local = host.eq_ignore_ascii_case("localhost")
        || host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    match url.scheme() {
        "https" => Ok(()),
        "http" if local || allow_http => Ok(()),
        "http" => Err(bad(
            "plain http:// would send your tokens and login key in the clear; use https://, \
             or set DATACOOP_ALLOW_INSECURE_HTTP=1 on a network you trust"
                .into(),
        )),
        other => Err(bad(format!("{other}:// is not http(s)"))),
    }
}

/// Largest JSON answer the client reads (the server's own JSON limit is
/// 4 MiB by default): a hostile or broken server must not be able to
/// exhaust the client's memory with an endless body.
pub const MAX_JSON_ANSWER: usize = 64 * 1024 * 1024;
/// Largest error body read for its problem document.
const MAX_PROBLEM_ANSWER: usize = 64 * 1024;

/// Decodes a JSON answer, or the problem document of an error answer.
pub async fn json<T: DeserializeOwned>(
    res: Result<Response, reqwest::Error>,
) -> Result<T, ClientError> {
    let res = check(res).await?;
    let body = bounded(res, MAX_JSON_ANSWER).await?;
    serde_json::from_slice(&body).map_err(|e| ClientError::Decode(e.to_string()))
}

/// Reads a body of at most `max` bytes; refuses a longer one without
/// reading past the limit.
async fn bounded(mut res: Response, max: usize) -> Result<Vec<u8>, ClientError> {
    let too_long = || {
        ClientError::Decode(format!(
            "the answer is longer than {} KiB; refusing to read it",
            max / 1024
        ))
    };
    let declared = res.content_length().unwrap_or(0);
    if declared > max as u64 {
        return Err(too_long());
    }
    let mut out = Vec::with_capacity(declared as usize);
    while let Some(chunk) = res.chunk().await.map_err(ClientError::transport)? {
        if out.len() + chunk.len() > max {
            return Err(too_long());
        }
        out.extend_from_slice(&chunk);
    }
    Ok(out)
}

/// The next page's cursor, checked: a page holds at most the `limit` asked
/// for, and the cursor must be the key of the page's last item and lie past
/// the cursor the page was asked with. A server that repeats, rewinds or
/// invents cursors would otherwise keep the client paging for ever.
pub fn next_cursor<C: PartialOrd + std::fmt::Display>(
    current: Option<&C>,
    next: Option<C>,
    last_key: Option<C>,
    page_len: usize,
    limit: usize,
) -> Result<Option<C>, ClientError> {
    if page_len > limit {
        return Err(ClientError::Decode(format!(
            "the server sent a page of {page_len} items where at most {limit} were asked for"
        )));
    }
    let Some(next) = next else {
        return Ok(None);
    };
    let ends_page = last_key.as_ref() == Some(&next);
    if !ends_page || current.is_some_and(|c| &next <= c) {
        return Err(ClientError::Decode(format!(
            "the server's next-page cursor {next} is not the end of the page it follows; \
             stopping instead of paging for ever"
        )));
    }
    Ok(Some(next))
}

/// Reads a text answer (at most [`MAX_JSON_ANSWER`] bytes), or the problem document.
pub async fn text(res: Result<Response, reqwest::Error>) -> Result<String, ClientError> {
    let res = check(res).await?;
    let body = bounded(res, MAX_JSON_ANSWER).await?;
    String::from_utf8(body).map_err(|_| ClientError::Decode("the answer is not UTF-8 text".into()))
}

/// Checks an answer without a body.
pub async fn empty(res: Result<Response, reqwest::Error>) -> Result<(), ClientError> {
    check(res).await.map(|_| ())
}

pub(crate) async fn check(res: Result<Response, reqwest::Error>) -> Result<Response, ClientError> {
    let res = res.map_err(ClientError::transport)?;
    let status = res.status();
    if status.is_success() {
        return Ok(res);
    }
    let text = bounded(res, MAX_PROBLEM_ANSWER)
        .await
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default();
    let problem = serde_json::from_str::<Problem>(&text).unwrap_or_else(|_| Problem {
        type_uri: "about:blank".into(),
        title: status.canonical_reason().unwrap_or("Error").into(),
        status: status.as_u16(),
        detail: text.chars().take(200).collect(),
        code: "unexpected_response".into(),
    });
    Err(ClientError::Api(Box::new(problem)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_only_to_this_machine_unless_allowed() {
        for ok in [
            "https://coop.example",
            "http://127.0.0.1:8080",
            "http://localhost:8080/",
            "http://[::1]:8080",
        ] {
            assert!(check_base_url(ok, false).is_ok(), "{ok}");
        }
        let err = check_base_url("http://coop.example", false).unwrap_err();
        assert!(
            err.to_string().contains("DATACOOP_ALLOW_INSECURE_HTTP"),
            "{err}"
        );
        assert!(check_base_url("http://coop.example", true).is_ok());
        assert!(check_base_url("ftp://coop.example", true).is_err());
        assert!(check_base_url("coop.example", false).is_err());
    }

    #[test]
    fn debug_never_shows_the_token() {
        let c = Client::new("http://127.0.0.1:8080")
            .map(|c| c.with_token("eyJ-bearer-secret"))
            .ok();
        let text = format!("{c:?}");
        assert!(!text.contains("secret"), "{text}");
        assert!(text.contains("[redacted]"), "{text}");
    }
}
