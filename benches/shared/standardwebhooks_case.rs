//! The `standardwebhooks` crate's side of the peer comparisons: a JSON body
//! (UTF-8, as it requires), a verifier and the headers that sign the body.

use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine as _;

/// A JSON body of `size` bytes.
pub(crate) fn json_body(size: usize) -> Vec<u8> {
    let mut body = br#"{"text":""#.to_vec();
    body.resize(size - 2, b'x');
    body.extend_from_slice(br#""}"#);
    body
}

/// A verifier with `secret` and the headers that sign `body` now (it checks
/// the timestamp against the real clock).
pub(crate) fn standardwebhooks_case(
    secret: &str,
    body: &[u8],
) -> (standardwebhooks::Webhook, http::HeaderMap) {
    let key = base64::engine::general_purpose::STANDARD.encode(secret);
    let webhook = standardwebhooks::Webhook::new(&key).unwrap();
    let timestamp = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let signature = webhook.sign("msg_1", timestamp, body).unwrap();
    let mut headers = http::HeaderMap::new();
    headers.insert("webhook-id", "msg_1".parse().unwrap());
    headers.insert("webhook-timestamp", timestamp.to_string().parse().unwrap());
    headers.insert("webhook-signature", signature.parse().unwrap());
    (webhook, headers)
}
