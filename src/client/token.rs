//! The OAuth2 client-credentials token, cached and refreshed by one caller.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::{Mutex, RwLock};

use super::retry::{execute, read_whole};
use super::{ClientConfig, ClientError};

/// A bearer token and when to stop using it.
#[derive(Clone)]
pub(crate) struct Token {
    pub(crate) value: Arc<zeroize::Zeroizing<String>>,
    /// The moment to refresh: the expiry less the configured margin.
    refresh_at: Instant,
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(..)")
    }
}

/// The cached token. Readers share it; a refresh is done by whoever takes
/// the refresh lock first, and everyone who waited on the lock then finds
/// the fresh token instead of fetching another.
#[derive(Debug, Default)]
pub(crate) struct TokenCache {
    current: RwLock<Option<Token>>,
    refreshing: Mutex<()>,
}

impl TokenCache {
    /// A token that is not due for refresh, fetching one if needed.
    pub(crate) async fn get(
        &self,
        http: &reqwest::Client,
        config: &ClientConfig,
    ) -> Result<Token, ClientError> {
        if let Some(token) = self.fresh().await {
            return Ok(token);
        }
        let _refreshing = self.refreshing.lock().await;
        if let Some(token) = self.fresh().await {
            return Ok(token);
        }
        let token = fetch(http, config).await?;
        *self.current.write().await = Some(token.clone());
        Ok(token)
    }

    /// Forgets `token` (the API refused it), unless a newer one replaced it.
    pub(crate) async fn forget(&self, token: &Token) {
        let mut current = self.current.write().await;
        if current
            .as_ref()
            .is_some_and(|cached| Arc::ptr_eq(&cached.value, &token.value))
        {
            *current = None;
        }
    }

    async fn fresh(&self) -> Option<Token> {
        self.current
            .read()
            .await
            .as_ref()
            .filter(|token| Instant::now() < token.refresh_at)
            .cloned()
    }
}

/// Asks the token endpoint for a client-credentials token.
/// The longest token lifetime taken at its word: one day.
const MAX_LIFETIME_SECS: u64 = 24 * 60 * 60;

/// The most a token endpoint's answer may hold.
const MAX_TOKEN_ANSWER_BYTES: usize = 64 * 1024;

async fn fetch(http: &reqwest::Client, config: &ClientConfig) -> Result<Token, ClientError> {
    #[derive(serde::Deserialize)]
    struct Answer {
        access_token: String,
        expires_in: u64,
    }
    let secret = std::str::from_utf8(config.client_secret.expose())
        .map_err(|_| ClientError::Token("the client secret is not UTF-8".into()))?;
    let form = zeroize::Zeroizing::new(
        form_urlencoded::Serializer::new(String::new())
            .append_pair("grant_type", "client_credentials")
            .append_pair("client_id", &config.client_id)
            .append_pair("client_secret", secret)
            .append_pair("scope", &config.scopes)
            .finish(),
    );
    let asked_at = Instant::now();
    // Asking for a token has no side effect: always safe to repeat.
    let response = execute(&config.retry, true, || {
        http.post(config.token_url.clone())
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form.as_bytes().to_vec())
    })
    .await?;
    let status = response.status();
    if !status.is_success() {
        return Err(ClientError::Token(format!("HTTP {status}")));
    }
    let body = zeroize::Zeroizing::new(read_whole(response, MAX_TOKEN_ANSWER_BYTES).await?);
    let answer: Answer = serde_json::from_slice(&body)
        .map_err(|_| ClientError::Token("no access_token and expires_in".into()))?;
    let access_token = zeroize::Zeroizing::new(answer.access_token);
    if access_token.is_empty() {
        return Err(ClientError::Token("empty access_token".into()));
    }
    // A lifetime past a day is taken as a day (and cannot overflow `Instant`).
    let lifetime = Duration::from_secs(answer.expires_in.min(MAX_LIFETIME_SECS));
    let refresh_at = asked_at
        .checked_add(lifetime.saturating_sub(config.refresh_before))
        .unwrap_or(asked_at);
    Ok(Token {
        value: Arc::new(access_token),
        refresh_at,
    })
}
