//! Calling Cognigy (feature `client`). [`EndpointClient`] sends user
//! messages into a REST or Webhook endpoint (`X-Webhook-Key`) and
//! [`InjectClient`] calls Inject and Notify (`X-API-Key`); neither repeats a
//! POST that may have arrived. [`CognigyClient`] calls the Cognigy API after
//! a webhook, as the Python and Go reference documents do, without their
//! races and blind retries:
//!
//! - an OAuth2 client-credentials token, cached and refreshed 30 s before it
//!   expires, by **one** request however many callers wait for it;
//! - retries with exponential backoff and jitter ([`backon`]) that honour
//!   `Retry-After` on 429 and 503 (seconds or an HTTP date, capped); a call
//!   is cancelled by dropping its future (for example with
//!   `tokio::time::timeout`), and no retry follows;
//! - `nextPageToken` pagination as a `Stream` of pages, each fetched once;
//! - the verified webhook's correlation id passed on as `X-Correlation-Id`;
//! - the client secret and tokens never in any `Debug`, `Display` or error.
//!
//! ```no_run
//! # async fn run(correlation: cognigy_webhook::CorrelationId) -> Result<(), Box<dyn std::error::Error>> {
//! use cognigy_webhook::client::{ClientConfig, CognigyClient};
//! use futures_util::TryStreamExt;
//!
//! // COGNIGY_CLIENT_ID, COGNIGY_CLIENT_SECRET and COGNIGY_TENANT, as in the Python reference document.
//! let client = CognigyClient::new(ClientConfig::from_env()?)?;
//! let answer = client
//!     .post("/bot/trigger")
//!     .json(&serde_json::json!({ "webhookData": { "text": "hi" } }))
//!     .correlation_id(&correlation)
//!     .send()
//!     .await?;
//! let pages: Vec<serde_json::Value> = client.get("/flows").pages().try_collect().await?;
//! # let _ = (answer, pages); Ok(()) }
//! ```

mod config;
mod endpoint;
mod error;
mod request;
mod retry;
mod token;

pub use config::{
    CLIENT_ID_VAR, CLIENT_SECRET_VAR, ClientConfig, DEFAULT_SCOPES, PAGE_TOKEN_HEADER, TENANT_VAR,
};
pub use endpoint::{API_KEY_HEADER, EndpointClient, InjectClient, WEBHOOK_KEY_HEADER};
pub use error::ClientError;
pub use request::{ApiRequest, CORRELATION_HEADER, CognigyClient, MAX_PAGES};
pub use retry::MAX_ANSWER_BYTES;
