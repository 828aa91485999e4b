//! The client and one API request.

use std::fmt;
use std::sync::Arc;

use futures_util::Stream;
use serde_json::Value;

use super::retry::{execute, same_origin_only, success_body};
use super::token::TokenCache;
use super::{ClientConfig, ClientError, PAGE_TOKEN_HEADER};
use crate::{ConfigError, CorrelationId};

/// The header the correlation id goes out in.
pub const CORRELATION_HEADER: &str = "X-Correlation-Id";

/// Calls the Cognigy API with a cached token; see the [module docs](super).
/// Cheap to clone: clones share the HTTP connection pool and the token.
#[derive(Clone)]
pub struct CognigyClient {
    inner: Arc<Inner>,
}

struct Inner {
    /// API calls: redirects followed within the API's origin only, so the
    /// bearer token and headers never reach another host.
    http: reqwest::Client,
    /// Token requests: no redirect at all (the form carries the client
    /// secret).
    token_http: reqwest::Client,
    config: ClientConfig,
    tokens: TokenCache,
}

/// The most pages [`ApiRequest::pages`] follows.
pub const MAX_PAGES: usize = 10_000;

impl CognigyClient {
    /// A client for `config`.
    pub fn new(config: ClientConfig) -> Result<Self, ConfigError> {
        let build = |redirects| {
            reqwest::Client::builder()
                .timeout(config.request_timeout)
                .redirect(redirects)
                .build()
                .map_err(|error| ConfigError::HttpClient(error.to_string()))
        };
        let http = build(reqwest::redirect::Policy::custom(same_origin_only))?;
        let token_http = build(reqwest::redirect::Policy::none())?;
        Ok(CognigyClient {
            inner: Arc::new(Inner {
                http,
                token_http,
                config,
                tokens: TokenCache::default(),
            }),
        })
    }

    /// A request with `method` to `path`, relative to the API base URL.
    pub fn request(&self, method: reqwest::Method, path: &str) -> ApiRequest {
        ApiRequest {
            client: self.clone(),
            method,
            path: path.trim_start_matches('/').to_owned(),
            body: Ok(None),
            correlation: None,
            retry_unsafe: false,
        }
    }

    /// A `GET` of `path`.
    pub fn get(&self, path: &str) -> ApiRequest {
        self.request(reqwest::Method::GET, path)
    }

    /// A `POST` to `path`.
    pub fn post(&self, path: &str) -> ApiRequest {
        self.request(reqwest::Method::POST, path)
    }
}

impl fmt::Debug for CognigyClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CognigyClient")
            .field("config", &self.inner.config)
            .finish_non_exhaustive()
    }
}

/// One API call: send it once, or follow its pages.
#[derive(Debug)]
#[must_use]
pub struct ApiRequest {
    client: CognigyClient,
    method: reqwest::Method,
    path: String,
    body: Result<Option<Vec<u8>>, String>,
    correlation: Option<CorrelationId>,
    retry_unsafe: bool,
}

impl ApiRequest {
    /// Sends `body` as JSON.
    pub fn json<T: serde::Serialize + ?Sized>(mut self, body: &T) -> Self {
        self.body = serde_json::to_vec(body)
            .map(Some)
            .map_err(|error| error.to_string());
        self
    }

    /// Passes the webhook's correlation id on as [`CORRELATION_HEADER`].
    pub fn correlation_id(mut self, id: &CorrelationId) -> Self {
        self.correlation = Some(id.clone());
        self
    }

    /// Retries this request after a timeout or a server error even though
    /// its method is not idempotent (`POST`, `PATCH`): only when the API
    /// makes repeating it harmless, since it may have been carried out
    /// already. Requests that never reached the server, and 429/408
    /// answers, are retried for every method anyway.
    pub fn retry_unsafe(mut self) -> Self {
        self.retry_unsafe = true;
        self
    }

    /// Sends the request (retrying as configured) and returns the JSON
    /// answer (`null` for an empty one).
    pub async fn send(self) -> Result<Value, ClientError> {
        self.fetch(None).await
    }

    /// Every page, in order: the first answer, then one request per
    /// `nextPageToken` (sent back in the [`PAGE_TOKEN_HEADER`] header) until
    /// an answer has none. A failed page ends the stream with its error; so
    /// does a token seen before (a loop) and a page past [`MAX_PAGES`].
    pub fn pages(self) -> impl Stream<Item = Result<Value, ClientError>> + Send {
        let seen = std::collections::HashSet::<String>::new();
        futures_util::stream::try_unfold(
            (self, None::<String>, seen, 0usize),
            |(request, token, mut seen, fetched)| async move {
                if fetched > 0 && token.is_none() {
                    return Ok(None);
                }
                if fetched == MAX_PAGES {
                    return Err(ClientError::InvalidResponse(format!(
                        "more than {MAX_PAGES} pages"
                    )));
                }
                let page = request.fetch(token.as_deref()).await?;
                let next = page
                    .get("nextPageToken")
                    .and_then(Value::as_str)
                    .filter(|next| !next.is_empty())
                    .map(str::to_owned);
                if let Some(next) = &next
                    && !seen.insert(next.clone())
                {
                    return Err(ClientError::InvalidResponse(
                        "nextPageToken repeats an earlier one".into(),
                    ));
                }
                Ok(Some((page, (request, next, seen, fetched + 1))))
            },
        )
    }

    /// One request: with a fresh token, and once more with a new token if
    /// the API refuses the cached one with 401.
    async fn fetch(&self, page_token: Option<&str>) -> Result<Value, ClientError> {
        let inner = &self.client.inner;
        let body = self.body.clone().map_err(ClientError::InvalidResponse)?;
        let url = api_url(&inner.config.base_url, &self.path)?;
        if let Some(token) = page_token
            && reqwest::header::HeaderValue::from_str(token).is_err()
        {
            return Err(ClientError::InvalidResponse(
                "nextPageToken is not a valid header value".into(),
            ));
        }
        let mut refreshed = false;
        loop {
            let token = inner.tokens.get(&inner.token_http, &inner.config).await?;
            let safe = self.retry_unsafe || self.method.is_idempotent();
            let response = execute(&inner.config.retry, safe, || {
                let mut request = inner
                    .http
                    .request(self.method.clone(), url.clone())
                    .bearer_auth(token.value.as_str());
                if let Some(correlation) = &self.correlation {
                    request = request.header(CORRELATION_HEADER, correlation.as_str());
                }
                if let Some(page_token) = page_token {
                    request = request.header(PAGE_TOKEN_HEADER, page_token);
                }
                if let Some(body) = &body {
                    request = request
                        .header("content-type", "application/json")
                        .body(body.clone());
                }
                request
            })
            .await?;
            if response.status() == reqwest::StatusCode::UNAUTHORIZED && !refreshed {
                inner.tokens.forget(&token).await;
                refreshed = true;
                continue;
            }
            let bytes = success_body(response).await?;
            if bytes.is_empty() {
                return Ok(Value::Null);
            }
            return serde_json::from_slice(&bytes)
                .map_err(|_| ClientError::InvalidResponse("the answer is not JSON".into()));
        }
    }
}

/// `path` below the API's base URL (leading `/` are dropped first, so
/// `//host/x` is `host/x` under the base). Anything that would leave it —
/// another origin (`http://…`, `\\host`, a first segment with `:`, which
/// reads as a scheme: write `./items:batchGet`) or a parent of the base
/// path (`../`) — is refused before anything is sent: the bearer token
/// goes to the API alone, whatever a path built from outside data says.
fn api_url(base: &reqwest::Url, path: &str) -> Result<reqwest::Url, ClientError> {
    let url = base
        .join(path)
        .map_err(|error| ClientError::InvalidRequest(format!("path: {error}")))?;
    if url.origin() != base.origin() || !url.path().starts_with(base.path()) {
        return Err(ClientError::InvalidRequest(
            "the path leaves the API's base URL".into(),
        ));
    }
    Ok(url)
}
