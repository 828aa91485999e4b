//! Forward mode: the verified request, exact bytes and all, to the upstream;
//! the upstream's answer streamed back.

use std::net::SocketAddr;
use std::time::Duration;

use axum::body::Body;
use axum::extract::ConnectInfo;
use bytes::Bytes;
use cognigy_webhook::{RequestId, Verified};
use http::header::{EXPECT, HOST};
use http::uri::{Authority, PathAndQuery, Scheme};
use http::{Request, Response, StatusCode, Uri, Version};
use http_body_util::Full;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioTimer};

use super::headers::{add_forwarded_for, error_response, mark_verified, strip_hop_by_hop};
use super::upstream_body::UpstreamBody;
use crate::Failure;

/// The upstream and a pooled HTTP/1.1 client to it.
pub(crate) struct Forward {
    client: Client<HttpConnector, Full<Bytes>>,
    authority: Authority,
    /// The upstream URL's path, without a trailing `/`; the request's path
    /// is appended.
    base_path: String,
    timeout: Duration,
}

impl Forward {
    /// A forwarder to `upstream` (`http://host:port[/base]`).
    pub(crate) fn new(upstream: &str, timeout: Duration) -> Result<Forward, Failure> {
        let usage = |problem: &str| Failure::Usage(format!("--upstream: {problem}"));
        let uri: Uri = upstream
            .parse()
            .map_err(|_| usage("not a URL such as http://127.0.0.1:3000"))?;
        if uri.scheme() != Some(&Scheme::HTTP) {
            return Err(usage(
                "only http:// upstreams (the gateway runs beside its service; put TLS in front)",
            ));
        }
        let authority = uri
            .authority()
            .filter(|authority| !authority.as_str().contains('@'))
            .cloned()
            .ok_or_else(|| usage("needs a host and no user information"))?;
        if uri.query().is_some() {
            return Err(usage("must not have a query"));
        }
        let mut connector = HttpConnector::new();
        connector.set_connect_timeout(Some(Duration::from_secs(5)));
        connector.set_nodelay(true);
        // An idle connection is closed before the upstream closes it (Node
        // after 5 s, uvicorn 5 s, gunicorn 2 s): a delivery sent on a
        // connection the upstream is closing at that moment would be lost
        // to a 502.
        let client = Client::builder(TokioExecutor::new())
            .pool_idle_timeout(Duration::from_secs(1))
            .pool_timer(TokioTimer::new())
            .build(connector);
        Ok(Forward {
            client,
            authority,
            base_path: uri.path().trim_end_matches('/').to_owned(),
            timeout,
        })
    }

    /// The upstream, for messages.
    pub(crate) fn shown(&self) -> String {
        format!("http://{}{}", self.authority, self.base_path)
    }

    /// The upstream's `host:port`, for readiness.
    pub(crate) fn authority(&self) -> &Authority {
        &self.authority
    }

    fn target(&self, path_and_query: Option<&PathAndQuery>) -> Result<Uri, http::Error> {
        let path_and_query = match path_and_query {
            Some(received) if self.base_path.is_empty() => received.clone(),
            received => {
                let tail = received.map_or("/", PathAndQuery::as_str);
                PathAndQuery::try_from(format!("{}{tail}", self.base_path))?
            }
        };
        Uri::builder()
            .scheme(Scheme::HTTP)
            .authority(self.authority.clone())
            .path_and_query(path_and_query)
            .build()
    }

    pub(crate) async fn forward(&self, request: Request<Full<Bytes>>) -> Response<Body> {
        let (mut parts, body) = request.into_parts();
        let Ok(uri) = self.target(parts.uri.path_and_query()) else {
            return error_response(StatusCode::BAD_REQUEST, "bad_path", "unusable request path");
        };
        strip_hop_by_hop(&mut parts.headers);
        parts.headers.remove(HOST);
        // The whole body is here: nothing to wait for.
        parts.headers.remove(EXPECT);
        // A received `Content-Length` is the body's exact length (the server
        // read no more and no less); a chunked body lost its
        // `Transfer-Encoding` above and the client sets the length it has.
        let request_id = parts.extensions.get::<RequestId>().copied();
        mark_verified(
            &mut parts.headers,
            parts.extensions.get::<Verified>(),
            request_id.as_ref(),
        );
        if let Some(ConnectInfo(peer)) = parts.extensions.get::<ConnectInfo<SocketAddr>>() {
            add_forwarded_for(&mut parts.headers, peer.ip());
        }
        let mut outgoing = Request::new(body);
        *outgoing.method_mut() = parts.method;
        *outgoing.uri_mut() = uri;
        *outgoing.headers_mut() = parts.headers;
        // One deadline for the whole exchange: the answer's head and body.
        let deadline = tokio::time::Instant::now() + self.timeout;
        let failed = |problem: &dyn std::fmt::Display, message| {
            match request_id {
                Some(id) => {
                    eprintln!("cognigy-webhook gateway: request {id}: upstream failed: {problem}")
                }
                None => eprintln!("cognigy-webhook gateway: upstream failed: {problem}"),
            }
            error_response(StatusCode::BAD_GATEWAY, "upstream_unavailable", message)
        };
        match tokio::time::timeout_at(deadline, self.client.request(outgoing)).await {
            // A POST's answer is final (200–599); a switch of protocols
            // nobody asked for, or a status outside HTTP's, is not one.
            Ok(Ok(response))
                if response.status() == StatusCode::SWITCHING_PROTOCOLS
                    || response.status().as_u16() >= 600 =>
            {
                let status = response.status().as_u16();
                failed(
                    &format_args!("answered {status}"),
                    "the upstream service gave no usable answer",
                )
            }
            Ok(Ok(response)) => {
                let (mut parts, body) = response.into_parts();
                strip_hop_by_hop(&mut parts.headers);
                // The gateway speaks its own HTTP version to the sender.
                parts.version = Version::HTTP_11;
                Response::from_parts(parts, Body::new(UpstreamBody::new(body, deadline)))
            }
            Ok(Err(error)) => failed(&Causes(&error), "the upstream service could not be reached"),
            Err(_) => error_response(
                StatusCode::GATEWAY_TIMEOUT,
                "upstream_timeout",
                "the upstream service did not answer in time",
            ),
        }
    }
}

/// An error and its causes, `: `-separated (hyper-util's own text names only
/// the stage that failed).
struct Causes<'e>(&'e (dyn std::error::Error + 'static));

impl std::fmt::Display for Causes<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)?;
        let mut cause = self.0.source();
        while let Some(error) = cause {
            write!(f, ": {error}")?;
            cause = error.source();
        }
        Ok(())
    }
}
