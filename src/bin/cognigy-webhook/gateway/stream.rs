//! Stream mode: each verified delivery becomes one Redis stream entry, and
//! the sender hears 202 only once Redis has acknowledged it.

use axum::body::Body;
use bytes::Bytes;
use cognigy_webhook::replay::RedisStore;
use cognigy_webhook::{RequestId, Verified};
use http::header::{CONTENT_TYPE, HeaderValue};
use http::{HeaderMap, Request, Response, StatusCode};
use http_body_util::Full;
use redis::aio::ConnectionManager;

use super::headers::{error_response, strip_hop_by_hop};
use crate::Failure;

/// A Redis connection and the stream it appends to.
pub(crate) struct Stream {
    connection: ConnectionManager,
    key: String,
    maxlen: u64,
    /// A header that carries the credential itself (Basic Auth, API key):
    /// kept out of the stored headers, which outlive the request.
    credential: Option<http::HeaderName>,
}

impl Stream {
    /// Connects to `url` (`redis://` or `rediss://`; a private CA from
    /// `COGNIGY_REDIS_CA_FILE`), failing at once when Redis does not answer.
    pub(crate) async fn connect(
        url: &str,
        key: String,
        maxlen: u64,
        credential: Option<http::HeaderName>,
    ) -> Result<Stream, Failure> {
        // The replay store's connection: the same TLS, CA file and timeouts.
        let connection = RedisStore::connect_from_env(url)
            .await
            .map_err(|error| Failure::Usage(format!("--redis-stream: {error}")))?
            .connection();
        Ok(Stream {
            connection,
            key,
            maxlen,
            credential,
        })
    }

    /// The stream's key.
    pub(crate) fn key(&self) -> &str {
        &self.key
    }

    /// Whether Redis answers a `PING`.
    pub(crate) async fn ping(&self) -> bool {
        let mut connection = self.connection.clone();
        redis::cmd("PING")
            .query_async::<String>(&mut connection)
            .await
            .is_ok()
    }

    pub(crate) async fn enqueue(&self, request: Request<Full<Bytes>>) -> Response<Body> {
        let (mut parts, body) = request.into_parts();
        let Ok(collected) = http_body_util::BodyExt::collect(body).await;
        let body = collected.to_bytes();
        strip_hop_by_hop(&mut parts.headers);
        if let Some(credential) = &self.credential {
            parts.headers.remove(credential);
        }
        let verified = parts.extensions.get::<Verified>();
        let profile = verified.map(|verified| verified.profile().to_string());
        let key_index = verified.map(Verified::key_index);
        let request_id = parts.extensions.get::<RequestId>().map(ToString::to_string);
        let received_at = time::OffsetDateTime::now_utc()
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default();
        let mut xadd = redis::cmd("XADD");
        xadd.arg(&self.key)
            .arg("MAXLEN")
            .arg("~")
            .arg(self.maxlen)
            .arg("*")
            .arg("body")
            .arg(body.as_ref())
            .arg("headers")
            .arg(headers_json(&parts.headers))
            .arg("profile")
            .arg(profile.unwrap_or_default())
            .arg("key_index")
            .arg(key_index.unwrap_or_default())
            .arg("request_id")
            .arg(request_id.unwrap_or_default())
            .arg("received_at")
            .arg(received_at);
        let mut connection = self.connection.clone();
        let reply = match xadd.query_async::<String>(&mut connection).await {
            // The connection broke under the command (Redis restarted, or
            // closed an idle connection): once more on the new one, instead
            // of a 503 for the first delivery after a restart. (Had the
            // first XADD been carried out, the entry would be there twice,
            // with one request id: consumers see deliveries at least once.)
            Err(error) if error.is_connection_dropped() && !error.is_connection_refusal() => {
                xadd.query_async::<String>(&mut connection).await
            }
            reply => reply,
        };
        match reply {
            Ok(id) => {
                let body = serde_json::json!({ "status": "queued", "id": id }).to_string();
                let mut response = Response::new(Body::from(body));
                *response.status_mut() = StatusCode::ACCEPTED;
                response
                    .headers_mut()
                    .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
                response
            }
            Err(error) => {
                eprintln!("cognigy-webhook gateway: XADD failed: {error}");
                error_response(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "queue_unavailable",
                    "the delivery could not be queued; retry later",
                )
            }
        }
    }
}

/// The received headers as a JSON object, name → value (repeated headers
/// joined with ", ", as HTTP allows; bytes that are not UTF-8 replaced).
fn headers_json(headers: &HeaderMap) -> String {
    let mut object = serde_json::Map::new();
    for name in headers.keys() {
        let value = headers
            .get_all(name)
            .iter()
            .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned())
            .collect::<Vec<_>>()
            .join(", ");
        object.insert(name.as_str().to_owned(), serde_json::Value::String(value));
    }
    serde_json::Value::Object(object).to_string()
}
