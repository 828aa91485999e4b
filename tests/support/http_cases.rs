//! The table of HTTP cases every adapter must pass, and a real HTTP client
//! to send them. Framework-free: each adapter's test starts its own server
//! per `ServerConfig` on 127.0.0.1 and runs the same cases against it.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::{Duration, UNIX_EPOCH};

use cognigy_webhook::clock::FixedClock;
use cognigy_webhook::{ErrorKind, Profile, Secret, Signer, Verifier};
use futures_util::stream;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::{Expected, vectors};

/// The body limit every test server uses.
pub const BODY_LIMIT: usize = 4096;
/// The read timeout every test server uses.
pub const READ_TIMEOUT: Duration = Duration::from_millis(400);

/// How a test server verifies: one server per distinct configuration.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ServerConfig {
    pub profile: String,
    pub secrets: Vec<String>,
    pub tolerance_ms: Option<u64>,
    pub now_unix_ms: u64,
}

impl ServerConfig {
    pub fn verifier(&self) -> Verifier {
        let mut builder = Verifier::builder(self.profile.parse::<Profile>().unwrap())
            .secrets(
                self.secrets
                    .iter()
                    .map(|s| Secret::new(s.as_str()).unwrap()),
            )
            .clock(FixedClock::new(
                UNIX_EPOCH + Duration::from_millis(self.now_unix_ms),
            ));
        if let Some(ms) = self.tolerance_ms {
            builder = builder.tolerance(Duration::from_millis(ms));
        }
        builder.build().unwrap()
    }
}

/// How the body goes over the wire.
#[derive(Debug, Clone)]
pub enum Transfer {
    /// With `Content-Length`.
    Sized(Vec<u8>),
    /// `Transfer-Encoding: chunked`, in these chunks.
    Chunked(Vec<Vec<u8>>),
    /// A `Content-Length` header only; the body never follows.
    DeclaredOnly(u64),
    /// `Content-Length` for the whole body, but only the first part is sent
    /// and the connection then stalls.
    Stalled { declared: u64, sent: Vec<u8> },
}

#[derive(Debug, Clone)]
pub struct HttpCase {
    pub name: String,
    pub config: ServerConfig,
    pub method: &'static str,
    pub headers: Vec<(String, String)>,
    pub transfer: Transfer,
    /// 200 and the handler runs once, or this status and reason without it.
    pub expected: Expected,
}

impl HttpCase {
    pub fn expected_status(&self) -> u16 {
        match &self.expected {
            Expected::Verified { .. } => 200,
            Expected::Rejected { reason } => status_of(reason),
        }
    }
}

fn status_of(reason: &str) -> u16 {
    ErrorKind::ALL
        .iter()
        .find(|kind| kind.reason() == reason)
        .map(|kind| kind.status())
        .unwrap_or_else(|| panic!("unknown reason {reason}"))
}

fn rejected(reason: &str) -> Expected {
    Expected::Rejected {
        reason: reason.to_owned(),
    }
}

/// Every known-answer vector as an HTTP POST, plus the HTTP-level cases.
pub fn http_cases() -> Vec<HttpCase> {
    let mut cases: Vec<HttpCase> = vectors()
        .into_iter()
        .map(|vector| HttpCase {
            name: vector.name.clone(),
            config: ServerConfig {
                profile: vector.profile.clone(),
                secrets: vector.secrets.clone(),
                tolerance_ms: vector.tolerance_ms,
                now_unix_ms: vector.now_unix_ms,
            },
            method: "POST",
            headers: vector.headers.clone(),
            transfer: Transfer::Sized(vector.body()),
            expected: vector.expected.clone(),
        })
        .collect();

    let now_unix_ms = vectors()[0].now_unix_ms;
    for profile in Profile::presets() {
        let name = profile.name().to_owned();
        let secret = match name.as_str() {
            "basic-auth" => "cognigy:http-case-password",
            _ => "http-case-secret",
        };
        let config = ServerConfig {
            profile: name.clone(),
            secrets: vec![secret.to_owned()],
            tolerance_ms: None,
            now_unix_ms,
        };
        let signer = Signer::new(profile.clone(), Secret::new(secret).unwrap());
        let sign = |body: &[u8]| -> Vec<(String, String)> {
            signer
                .sign(body, UNIX_EPOCH + Duration::from_millis(now_unix_ms))
                .iter()
                .map(|(n, v)| (n.to_owned(), v.to_owned()))
                .collect()
        };
        let body = br#"{"messageId":"m-42","text":"hello"}"#.to_vec();
        let at_limit = vec![b'x'; BODY_LIMIT];
        let over_limit = vec![b'x'; BODY_LIMIT + 1];
        let case = |label: &str, method, headers, transfer, expected| HttpCase {
            name: format!("{name}/http/{label}"),
            config: config.clone(),
            method,
            headers,
            transfer,
            expected,
        };
        let mut oversized_header = sign(&body);
        oversized_header[0].1 = "a".repeat(5000);
        let chunks: Vec<Vec<u8>> = body.chunks(7).map(<[u8]>::to_vec).collect();
        let over_chunks: Vec<Vec<u8>> = over_limit.chunks(1000).map(<[u8]>::to_vec).collect();

        cases.extend([
            case(
                "valid",
                "POST",
                sign(&body),
                Transfer::Sized(body.clone()),
                Expected::Verified { key_index: 0 },
            ),
            case(
                "get",
                "GET",
                sign(&body),
                Transfer::Sized(Vec::new()),
                rejected("method_not_allowed"),
            ),
            case(
                "put",
                "PUT",
                sign(&body),
                Transfer::Sized(body.clone()),
                rejected("method_not_allowed"),
            ),
            case(
                "chunked_valid",
                "POST",
                sign(&body),
                Transfer::Chunked(chunks),
                Expected::Verified { key_index: 0 },
            ),
            case(
                "body_at_limit",
                "POST",
                sign(&at_limit),
                Transfer::Sized(at_limit.clone()),
                Expected::Verified { key_index: 0 },
            ),
            case(
                "content_length_over_limit",
                "POST",
                sign(&over_limit),
                Transfer::DeclaredOnly(BODY_LIMIT as u64 + 1),
                rejected("body_too_large"),
            ),
            case(
                "content_length_far_over_limit",
                "POST",
                sign(&body),
                Transfer::DeclaredOnly(1 << 40),
                rejected("body_too_large"),
            ),
            case(
                "chunked_over_limit",
                "POST",
                sign(&over_limit),
                Transfer::Chunked(over_chunks),
                rejected("body_too_large"),
            ),
            case(
                "slow_sender",
                "POST",
                sign(&body),
                Transfer::Stalled {
                    declared: body.len() as u64,
                    sent: body[..5].to_vec(),
                },
                rejected("body_timeout"),
            ),
            case(
                "oversized_header",
                "POST",
                oversized_header,
                Transfer::Sized(body.clone()),
                rejected("malformed_signature"),
            ),
            case(
                "no_headers",
                "POST",
                Vec::new(),
                Transfer::Sized(body.clone()),
                rejected("missing_signature"),
            ),
        ]);
        if profile.timestamp_header().is_some() {
            let mut tampered = body.clone();
            tampered[3] ^= 0x20;
            let expected = if profile.kind() == cognigy_webhook::profile::ProfileKind::HmacSha256 {
                rejected("signature_mismatch")
            } else {
                Expected::Verified { key_index: 0 }
            };
            cases.push(case(
                "tampered_body",
                "POST",
                sign(&body),
                Transfer::Sized(tampered),
                expected,
            ));
        }
    }
    cases
}

/// The cases grouped by server configuration.
pub fn cases_by_config() -> BTreeMap<ServerConfig, Vec<HttpCase>> {
    let mut groups: BTreeMap<ServerConfig, Vec<HttpCase>> = BTreeMap::new();
    for case in http_cases() {
        groups.entry(case.config.clone()).or_default().push(case);
    }
    groups
}

/// What came back: the status and the body parsed as JSON (`Null` if none).
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub body: serde_json::Value,
    pub content_type: Option<String>,
    pub www_authenticate: Option<String>,
}

/// Sends `case` to `http://{addr}{path}`: with reqwest for sized and chunked
/// bodies, over a raw TCP connection for bodies that never (fully) arrive.
pub async fn send(
    client: &reqwest::Client,
    addr: SocketAddr,
    path: &str,
    case: &HttpCase,
) -> Answer {
    match &case.transfer {
        Transfer::Sized(_) | Transfer::Chunked(_) => {
            let method = reqwest::Method::from_bytes(case.method.as_bytes()).unwrap();
            let mut request = client.request(method, format!("http://{addr}{path}"));
            for (name, value) in &case.headers {
                let value = reqwest::header::HeaderValue::from_bytes(value.as_bytes()).unwrap();
                request = request.header(name.as_str(), value);
            }
            request = match &case.transfer {
                Transfer::Sized(body) => request.body(body.clone()),
                Transfer::Chunked(chunks) => {
                    let chunks: Vec<Result<Vec<u8>, std::io::Error>> =
                        chunks.iter().cloned().map(Ok).collect();
                    request.body(reqwest::Body::wrap_stream(stream::iter(chunks)))
                }
                _ => unreachable!(),
            };
            let response = request.send().await.expect("server answers");
            let status = response.status().as_u16();
            let header = |name: &str| {
                response
                    .headers()
                    .get(name)
                    .map(|v| v.to_str().unwrap().to_owned())
            };
            let (content_type, www_authenticate) =
                (header("content-type"), header("www-authenticate"));
            let bytes = response.bytes().await.expect("body arrives");
            let body = serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null);
            Answer {
                status,
                body,
                content_type,
                www_authenticate,
            }
        }
        Transfer::DeclaredOnly(declared) => raw(addr, path, case, *declared, &[]).await,
        Transfer::Stalled { declared, sent } => raw(addr, path, case, *declared, sent).await,
    }
}

/// A request written by hand, for bodies that do not arrive: the head, then
/// `sent`, then nothing; the connection stays open while the answer is read.
async fn raw(addr: SocketAddr, path: &str, case: &HttpCase, declared: u64, sent: &[u8]) -> Answer {
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    let mut head = format!(
        "{} {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Length: {declared}\r\n",
        case.method
    );
    for (name, value) in &case.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(sent).await.unwrap();
    let mut received = Vec::new();
    let mut buffer = [0u8; 4096];
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let read = tokio::time::timeout_at(deadline, stream.read(&mut buffer))
            .await
            .expect("the server answers without waiting for the body")
            .unwrap_or(0);
        if read == 0 {
            break;
        }
        received.extend_from_slice(&buffer[..read]);
        if let Some(answer) = parse_response(&received) {
            return answer;
        }
    }
    parse_response(&received).expect("a complete HTTP response")
}

/// Parses a complete HTTP/1.1 response with a `Content-Length` body.
fn parse_response(bytes: &[u8]) -> Option<Answer> {
    let text = String::from_utf8_lossy(bytes);
    let (head, body) = text.split_once("\r\n\r\n")?;
    let mut lines = head.lines();
    let status = lines.next()?.split_whitespace().nth(1)?.parse().ok()?;
    let (mut content_type, mut www_authenticate) = (None, None);
    let mut length = 0usize;
    for line in lines {
        let (name, value) = line.split_once(':')?;
        match name.trim().to_ascii_lowercase().as_str() {
            "content-length" => length = value.trim().parse().ok()?,
            "content-type" => content_type = Some(value.trim().to_owned()),
            "www-authenticate" => www_authenticate = Some(value.trim().to_owned()),
            _ => {}
        }
    }
    if body.len() < length {
        return None;
    }
    let body = serde_json::from_str(&body[..length]).unwrap_or(serde_json::Value::Null);
    Some(Answer {
        status,
        body,
        content_type,
        www_authenticate,
    })
}

/// Checks one answer against the case; returns a failure description.
pub fn check(case: &HttpCase, answer: &Answer, handler_runs: usize) -> Option<String> {
    let status = case.expected_status();
    let mut problems = Vec::new();
    if answer.status != status {
        problems.push(format!("status {} instead of {status}", answer.status));
    }
    match &case.expected {
        Expected::Verified { .. } => {
            if answer.body["status"] != "processed" || !answer.body["request_id"].is_string() {
                problems.push(format!("body {}", answer.body));
            }
            if handler_runs != 1 {
                problems.push(format!("handler ran {handler_runs} times"));
            }
        }
        Expected::Rejected { reason } => {
            if answer.body["reason"] != reason.as_str() || !answer.body["error"].is_string() {
                problems.push(format!("body {} (expected reason {reason})", answer.body));
            }
            if answer.content_type.as_deref() != Some("application/json") {
                problems.push(format!("content type {:?}", answer.content_type));
            }
            if handler_runs != 0 {
                problems.push(format!("handler ran {handler_runs} times on a refusal"));
            }
            // A 401 names Basic Auth's challenge (RFC 9110 §11.6.1) when
            // that is the scheme; nothing else carries one.
            let challenge = (status == 401 && case.config.profile == "basic-auth")
                .then_some(r#"Basic realm="cognigy-webhook", charset="UTF-8""#);
            if answer.www_authenticate.as_deref() != challenge {
                problems.push(format!("WWW-Authenticate {:?}", answer.www_authenticate));
            }
        }
    }
    (!problems.is_empty()).then(|| format!("{}: {}", case.name, problems.join("; ")))
}

/// Runs every case against servers made by `start` (one per configuration)
/// and fails with the list of every case that did not answer as expected.
/// Returns how many cases ran.
pub async fn run_table<F, Fut>(start: F) -> usize
where
    F: Fn(ServerConfig, std::sync::Arc<std::sync::atomic::AtomicUsize>) -> Fut,
    Fut: Future<Output = SocketAddr>,
{
    use std::sync::atomic::{AtomicUsize, Ordering};

    let client = reqwest::Client::new();
    let mut failures = Vec::new();
    let mut count = 0;
    for (config, cases) in cases_by_config() {
        let runs = std::sync::Arc::new(AtomicUsize::new(0));
        let addr = start(config, runs.clone()).await;
        for case in &cases {
            let before = runs.load(Ordering::SeqCst);
            let answer = send(&client, addr, super::servers::PATH, case).await;
            let ran = runs.load(Ordering::SeqCst) - before;
            failures.extend(check(case, &answer, ran));
            if let Expected::Verified { key_index } = case.expected
                && answer.body["key_index"] != key_index
            {
                failures.push(format!(
                    "{}: key index {}",
                    case.name, answer.body["key_index"]
                ));
            }
            count += 1;
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {count} cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    count
}
