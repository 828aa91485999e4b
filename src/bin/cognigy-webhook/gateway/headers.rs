//! Header handling shared by both modes: what is hop-by-hop, the headers a
//! verified delivery carries onward, and the gateway's own JSON errors.

use std::net::IpAddr;

use axum::body::Body;
use bytes::Bytes;
use cognigy_webhook::{RequestId, Verified};
use http::header::{
    CONNECTION, CONTENT_LENGTH, CONTENT_TYPE, HeaderName, HeaderValue, PROXY_AUTHENTICATE,
    PROXY_AUTHORIZATION, TE, TRAILER, TRANSFER_ENCODING, UPGRADE,
};
use http::{HeaderMap, Response, StatusCode};

/// Headers that belong to one connection, never forwarded (RFC 9110 §7.6.1),
/// plus `Proxy-Connection` and `Keep-Alive` which old clients still send.
const HOP_BY_HOP: [HeaderName; 9] = [
    CONNECTION,
    HeaderName::from_static("keep-alive"),
    PROXY_AUTHENTICATE,
    PROXY_AUTHORIZATION,
    HeaderName::from_static("proxy-connection"),
    TE,
    TRAILER,
    TRANSFER_ENCODING,
    UPGRADE,
];

/// Removes the hop-by-hop headers, and those the `Connection` header names.
/// A `Content-Length` sent beside a `Transfer-Encoding` does not give the
/// body's length (RFC 9112 §6.3) and goes with it: the length of what is
/// passed on is set by what passes it on.
pub(crate) fn strip_hop_by_hop(headers: &mut HeaderMap) {
    if headers.contains_key(TRANSFER_ENCODING) {
        headers.remove(CONTENT_LENGTH);
    }
    if headers.contains_key(CONNECTION) {
        let named: Vec<HeaderName> = headers
            .get_all(CONNECTION)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(','))
            .filter_map(|name| HeaderName::from_bytes(name.trim().as_bytes()).ok())
            .collect();
        for name in named {
            headers.remove(name);
        }
    }
    for name in HOP_BY_HOP {
        headers.remove(name);
    }
}

/// `X-Cognigy-Verified-Key`: which secret verified the delivery.
const VERIFIED_KEY: HeaderName = HeaderName::from_static("x-cognigy-verified-key");
/// `X-Cognigy-Verified-Profile`: the profile that verified it.
const VERIFIED_PROFILE: HeaderName = HeaderName::from_static("x-cognigy-verified-profile");
/// `X-Request-Id`: the gateway's id of the request (also in its audit line).
const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Sets the verification headers, replacing any the sender put there.
pub(crate) fn mark_verified(
    headers: &mut HeaderMap,
    verified: Option<&Verified>,
    request_id: Option<&RequestId>,
) {
    // The sender's own values are never passed on: only the gateway says
    // what it verified.
    headers.remove(VERIFIED_KEY);
    headers.remove(VERIFIED_PROFILE);
    headers.remove(REQUEST_ID);
    if let Some(verified) = verified {
        headers.insert(VERIFIED_KEY, HeaderValue::from(verified.key_index()));
        if let Ok(profile) = HeaderValue::from_str(verified.profile()) {
            headers.insert(VERIFIED_PROFILE, profile);
        }
    }
    if let Some(id) = request_id
        && let Ok(id) = HeaderValue::from_str(&id.to_string())
    {
        headers.insert(REQUEST_ID, id);
    }
}

/// `X-Forwarded-For`: the addresses the request came through.
const FORWARDED_FOR: HeaderName = HeaderName::from_static("x-forwarded-for");

/// Appends the sender's address to `X-Forwarded-For`, after whatever the
/// sender put there, as reverse proxies do: the upstream can trust the last
/// entry (the peer the gateway saw) and only that one.
pub(crate) fn add_forwarded_for(headers: &mut HeaderMap, peer: IpAddr) {
    let mut chain = Vec::new();
    for value in &headers.get_all(FORWARDED_FOR) {
        let value = value.as_bytes().trim_ascii();
        if !value.is_empty() {
            chain.extend_from_slice(value);
            chain.extend_from_slice(b", ");
        }
    }
    chain.extend_from_slice(peer.to_string().as_bytes());
    // The received values were valid header values, and so is their chain.
    if let Ok(value) = HeaderValue::from_bytes(&chain) {
        headers.insert(FORWARDED_FOR, value);
    }
}

/// The library's JSON error shape for the gateway's own failures.
pub(crate) fn error_response(status: StatusCode, reason: &str, message: &str) -> Response<Body> {
    let body = serde_json::json!({ "error": message, "reason": reason }).to_string();
    let mut response = Response::new(Body::from(Bytes::from(body)));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_hop_by_hop_and_connection_named_headers() {
        let mut headers = HeaderMap::new();
        for (name, value) in [
            ("connection", "close, x-private"),
            ("x-private", "1"),
            ("transfer-encoding", "chunked"),
            ("content-length", "3"),
            ("keep-alive", "timeout=5"),
            ("x-cognigy-signature", "abc"),
        ] {
            headers.append(name, HeaderValue::from_static(value));
        }
        strip_hop_by_hop(&mut headers);
        let names: Vec<_> = headers.keys().map(HeaderName::as_str).collect();
        assert_eq!(names, ["x-cognigy-signature"]);
    }

    #[test]
    fn the_peer_is_the_last_forwarded_for_entry() {
        let peer = IpAddr::from([127, 0, 0, 1]);
        let mut headers = HeaderMap::new();
        add_forwarded_for(&mut headers, peer);
        assert_eq!(headers["x-forwarded-for"], "127.0.0.1");

        let mut headers = HeaderMap::new();
        headers.append("x-forwarded-for", HeaderValue::from_static("203.0.113.7"));
        headers.append(
            "x-forwarded-for",
            HeaderValue::from_static(" 198.51.100.2, 10.0.0.1 "),
        );
        headers.append("x-forwarded-for", HeaderValue::from_static(""));
        add_forwarded_for(&mut headers, IpAddr::from([0, 0, 0, 0, 0, 0, 0, 1]));
        let values: Vec<_> = headers.get_all("x-forwarded-for").iter().collect();
        assert_eq!(values, ["203.0.113.7, 198.51.100.2, 10.0.0.1, ::1"]);
    }
}
