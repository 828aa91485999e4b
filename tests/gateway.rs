//! `cognigy-webhook gateway`, the binary, against real upstream HTTP servers
//! on 127.0.0.1 and the Redis server `scripts/with-services` starts
//! (`REDIS_URL`; the stream tests say SKIPPED without it, and fail under CI).
#![cfg(feature = "gateway")]

mod support;

use std::collections::HashMap;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use axum::body::Bytes;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use cognigy_webhook::{Profile, Secret, Signer};
use serde_json::Value;
use support::service_url;

const SECRET: &str = "gateway-test-secret-0001";
const PATH: &str = "/webhooks/cognigy";

// ---------------------------------------------------------------- upstream

/// What the upstream received.
#[derive(Debug, Clone)]
struct Received {
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
}

/// How the upstream answers: status and delay.
#[derive(Clone)]
struct Upstream {
    addr: SocketAddr,
    received: Arc<Mutex<Vec<Received>>>,
    behaviour: Arc<Mutex<(u16, Duration)>>,
}

impl Upstream {
    async fn start() -> Upstream {
        let received = Arc::new(Mutex::new(Vec::new()));
        let behaviour = Arc::new(Mutex::new((200, Duration::ZERO)));
        let (log, how) = (Arc::clone(&received), Arc::clone(&behaviour));
        let app = axum::Router::new().fallback(
            move |method: Method, uri: Uri, headers: HeaderMap, body: Bytes| {
                let (log, how) = (Arc::clone(&log), Arc::clone(&how));
                async move {
                    log.lock().unwrap().push(Received {
                        method,
                        uri,
                        headers,
                        body,
                    });
                    let (status, delay) = *how.lock().unwrap();
                    tokio::time::sleep(delay).await;
                    (
                        StatusCode::from_u16(status).unwrap(),
                        [("x-upstream", "yes")],
                        "upstream says hello",
                    )
                }
            },
        );
        let addr = support::servers::serve_axum(app).await;
        Upstream {
            addr,
            received,
            behaviour,
        }
    }

    fn answer(&self, status: u16, delay: Duration) {
        *self.behaviour.lock().unwrap() = (status, delay);
    }

    fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }
}

// ----------------------------------------------------------------- gateway

/// A gateway process, killed when dropped.
struct Gateway {
    child: Child,
    addr: SocketAddr,
}

impl Drop for Gateway {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Starts the gateway with `args` (after `--listen` and `--profile
/// hex-millis`; the secret is in `GW_SECRET`) and waits until it listens.
fn gateway(args: &[&str]) -> Gateway {
    gateway_with_env(args, &[])
}

fn gateway_with_env(args: &[&str], env: &[(&str, &str)]) -> Gateway {
    spawn_gateway(args, env, Stdio::null())
}

fn spawn_gateway(args: &[&str], env: &[(&str, &str)], stdout: Stdio) -> Gateway {
    let addr = SocketAddr::from(([127, 0, 0, 1], free_port()));
    let mut command = Command::new(env!("CARGO_BIN_EXE_cognigy-webhook"));
    command.args(["gateway", "--listen", &addr.to_string()]);
    if !args.contains(&"--profile") {
        command.args(["--profile", "hex-millis"]);
    }
    let child = command
        .args(args)
        .envs(env.iter().copied())
        .env("GW_SECRET", SECRET)
        .stdout(stdout)
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let gateway = Gateway { child, addr };
    let deadline = Instant::now() + Duration::from_secs(20);
    while TcpStream::connect(addr).is_err() {
        assert!(Instant::now() < deadline, "the gateway did not start");
        std::thread::sleep(Duration::from_millis(20));
    }
    gateway
}

/// Sends `signal` (`-HUP`, `-TERM`) to the gateway process.
fn signal(child: &Child, signal: &str) {
    let pid = child.id().to_string();
    let sent = Command::new("kill").args([signal, &pid]).status().unwrap();
    assert!(sent.success(), "kill {signal} {pid}");
}

fn forwarding(upstream: &Upstream, extra: &[&str]) -> Gateway {
    let url = format!("http://{}", upstream.addr);
    let mut args = vec!["--secret-env", "GW_SECRET", "--upstream", &url];
    args.extend_from_slice(extra);
    gateway(&args)
}

fn signed(secret: &str, body: &[u8]) -> Vec<(String, String)> {
    let signer = Signer::new(Profile::hex_millis(), Secret::new(secret).unwrap());
    signer
        .sign(body, SystemTime::now())
        .iter()
        .map(|(name, value)| (name.to_owned(), value.to_owned()))
        .collect()
}

/// Sends one delivery signed with the gateway's secret and one signed with
/// another; their statuses.
async fn one_good_one_forged(addr: SocketAddr) -> (u16, u16) {
    let (good, _, _) = post(addr, PATH, SECRET, &unique_body(), &[]).await;
    let (forged, _, _) = post(addr, PATH, "wrong-secret-000000", &unique_body(), &[]).await;
    (good, forged)
}

/// POSTs `body` signed with `secret` to the gateway at `path_and_query`.
async fn post(
    addr: SocketAddr,
    path_and_query: &str,
    secret: &str,
    body: &[u8],
    extra: &[(&str, &str)],
) -> (u16, HeaderMap, Bytes) {
    let client = reqwest::Client::new();
    let mut request = client
        .post(format!("http://{addr}{path_and_query}"))
        .body(body.to_vec());
    for (name, value) in signed(secret, body) {
        request = request.header(name, value);
    }
    for (name, value) in extra {
        request = request.header(*name, *value);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    (status, headers, response.bytes().await.unwrap())
}

fn reason(body: &[u8]) -> String {
    let json: Value = serde_json::from_slice(body).unwrap();
    json["reason"].as_str().unwrap_or_default().to_owned()
}

fn unique_body() -> Vec<u8> {
    // Not UTF-8 at the start: the exact bytes must survive.
    let mut body = vec![0xff, 0xfe, b' '];
    body.extend_from_slice(format!(r#"{{"messageId":"{}"}}"#, uuid::Uuid::new_v4()).as_bytes());
    body
}

// ------------------------------------------------------------ forward mode

#[tokio::test]
async fn forwards_the_exact_bytes_path_query_and_headers_and_relays_the_answer() {
    let upstream = Upstream::start().await;
    let gateway = forwarding(&upstream, &[]);
    let body = unique_body();
    let (status, headers, answer) = post(
        gateway.addr,
        &format!("{PATH}?tenant=a&x=%2F"),
        SECRET,
        &body,
        &[
            ("X-Custom", "kept"),
            ("X-Cognigy-Verified-Key", "7"),
            ("X-Cognigy-Verified-Profile", "forged"),
            ("X-Request-Id", "forged"),
            ("Connection", "keep-alive, X-Hop"),
            ("X-Hop", "dropped"),
            ("X-Forwarded-For", "203.0.113.7"),
        ],
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(headers["x-upstream"], "yes");
    assert_eq!(&answer[..], b"upstream says hello");

    let received = upstream.received();
    assert_eq!(received.len(), 1);
    let forwarded = &received[0];
    assert_eq!(forwarded.method, Method::POST);
    assert_eq!(forwarded.uri.to_string(), format!("{PATH}?tenant=a&x=%2F"));
    assert_eq!(forwarded.body, body);
    let header = |name: &str| forwarded.headers.get(name).map(|v| v.to_str().unwrap());
    assert_eq!(header("x-custom"), Some("kept"));
    assert_eq!(header("x-cognigy-verified-key"), Some("0"));
    assert_eq!(header("x-cognigy-verified-profile"), Some("hex-millis"));
    let request_id = header("x-request-id").unwrap();
    assert_ne!(request_id, "forged");
    assert_eq!(request_id.len(), 36, "{request_id}");
    assert!(header("x-cognigy-signature").is_some());
    assert_eq!(header("x-hop"), None);
    assert_eq!(header("connection"), None);
    assert_eq!(header("content-length"), Some(&*body.len().to_string()));
    // The sender's claim first, the peer the gateway saw last.
    assert_eq!(header("x-forwarded-for"), Some("203.0.113.7, 127.0.0.1"));
}

#[tokio::test]
async fn a_chunked_upload_reaches_the_upstream_with_its_length() {
    use std::io::{Read, Write};

    let upstream = Upstream::start().await;
    let gateway = forwarding(&upstream, &[]);
    let body = unique_body();
    let (head, tail) = body.split_at(5);
    let mut request = format!("POST {PATH} HTTP/1.1\r\nHost: gateway\r\nConnection: close\r\n");
    for (name, value) in signed(SECRET, &body) {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("Transfer-Encoding: chunked\r\n\r\n");
    let mut request = request.into_bytes();
    for chunk in [head, tail] {
        request.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
        request.extend_from_slice(chunk);
        request.extend_from_slice(b"\r\n");
    }
    request.extend_from_slice(b"0\r\n\r\n");
    let addr = gateway.addr;
    let answer = tokio::task::spawn_blocking(move || {
        let mut stream = TcpStream::connect(addr).unwrap();
        stream.write_all(&request).unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).unwrap();
        answer
    })
    .await
    .unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");

    let received = upstream.received();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].body, body);
    let headers = &received[0].headers;
    assert_eq!(headers.get("transfer-encoding"), None);
    assert_eq!(
        headers.get("content-length").unwrap().to_str().unwrap(),
        body.len().to_string()
    );
}

#[tokio::test]
async fn a_stalled_head_or_an_idle_connection_is_closed_after_the_read_timeout() {
    let upstream = Upstream::start().await;
    let gateway = forwarding(&upstream, &["--read-timeout", "1s"]);
    let addr = gateway.addr;
    let closed_after = |opening: &'static [u8]| {
        tokio::task::spawn_blocking(move || {
            support::sockets::closed_after(addr, opening, Duration::from_secs(10))
        })
    };
    let stalled =
        closed_after(b"POST /webhooks/cognigy HTTP/1.1\r\nHost: gateway\r\nX-Cognigy-Sig");
    let idle = closed_after(b"");
    for (what, task) in [("a stalled head", stalled), ("an idle connection", idle)] {
        let (ended, after) = task.await.unwrap();
        assert!(ended, "{what} was still open after {after:?}");
        assert!(
            after < Duration::from_secs(5),
            "{what} closed after {after:?}"
        );
    }
    // The gateway serves on.
    let body = unique_body();
    let (status, _, _) = post(gateway.addr, PATH, SECRET, &body, &[]).await;
    assert_eq!(status, 200);
    assert_eq!(upstream.received().len(), 1);
}

#[tokio::test]
async fn an_upstream_that_stalls_mid_answer_is_cut_off_at_the_upstream_timeout() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    // An upstream that sends its head and part of its body, then nothing.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let upstream = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut request = vec![0; 64 * 1024];
                let _ = stream.read(&mut request).await;
                let _ = stream
                    .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial")
                    .await;
                tokio::time::sleep(Duration::from_secs(60)).await;
            });
        }
    });
    let url = format!("http://{upstream}");
    let gateway = gateway(&[
        "--secret-env",
        "GW_SECRET",
        "--upstream",
        &url,
        "--upstream-timeout",
        "1s",
    ]);
    let body = unique_body();
    let mut request = reqwest::Client::new()
        .post(format!("http://{}{PATH}", gateway.addr))
        .body(body.clone());
    for (name, value) in signed(SECRET, &body) {
        request = request.header(name, value);
    }
    let started = Instant::now();
    let response = request.send().await.unwrap();
    assert_eq!(response.status(), 200);
    let read = tokio::time::timeout(Duration::from_secs(10), response.bytes()).await;
    let elapsed = started.elapsed();
    assert!(
        matches!(read, Ok(Err(_))),
        "the cut-off answer reads as an error, not a complete body: {read:?}"
    );
    assert!(
        elapsed < Duration::from_secs(5),
        "cut off after {elapsed:?}"
    );
}

#[tokio::test]
async fn refused_deliveries_and_other_paths_never_reach_the_upstream() {
    let upstream = Upstream::start().await;
    let gateway = forwarding(&upstream, &[]);
    let body = unique_body();
    let (status, _, answer) = post(gateway.addr, PATH, "wrong-secret-000000", &body, &[]).await;
    assert_eq!(
        (status, reason(&answer).as_str()),
        (401, "signature_mismatch")
    );
    let unsigned = reqwest::Client::new()
        .post(format!("http://{}{PATH}", gateway.addr))
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(unsigned.status().as_u16(), 400);
    let (status, _, _) = post(gateway.addr, "/elsewhere", SECRET, &body, &[]).await;
    assert_eq!(status, 404);
    let get = reqwest::get(format!("http://{}{PATH}", gateway.addr))
        .await
        .unwrap();
    assert_eq!(get.status().as_u16(), 405);
    assert!(upstream.received().is_empty());
}

#[tokio::test]
async fn an_upstream_failure_releases_the_delivery_for_the_senders_retry() {
    let upstream = Upstream::start().await;
    let gateway = forwarding(&upstream, &["--upstream-timeout", "300ms"]);
    let body = unique_body();

    upstream.answer(503, Duration::ZERO);
    let (status, headers, _) = post(gateway.addr, PATH, SECRET, &body, &[]).await;
    assert_eq!(status, 503);
    assert_eq!(headers["x-upstream"], "yes", "the upstream's own answer");

    upstream.answer(200, Duration::from_secs(2));
    let (status, _, answer) = post(gateway.addr, PATH, SECRET, &body, &[]).await;
    assert_eq!(
        (status, reason(&answer).as_str()),
        (504, "upstream_timeout")
    );

    upstream.answer(200, Duration::ZERO);
    let (status, _, _) = post(gateway.addr, PATH, SECRET, &body, &[]).await;
    assert_eq!(status, 200, "the retry reaches the upstream again");
    let (status, _, answer) = post(gateway.addr, PATH, SECRET, &body, &[]).await;
    assert_eq!((status, reason(&answer).as_str()), (409, "replayed"));
    assert_eq!(upstream.received().len(), 3);
}

/// A sender that hangs up while the gateway waits for the upstream does not
/// cancel the hand-off: the upstream has the delivery, so the nonce is kept
/// and a replay of it is refused (released, it would reach the upstream as
/// often as the sender hangs up). A hand-off that then fails is released.
#[tokio::test]
async fn a_sender_hanging_up_mid_forward_cannot_replay_the_delivery() {
    let upstream = Upstream::start().await;
    let gateway = forwarding(&upstream, &[]);
    let hang_up = |body: Vec<u8>| async move {
        let client = reqwest::Client::new();
        let mut request = client
            .post(format!("http://{}{PATH}", gateway.addr))
            .timeout(Duration::from_millis(150))
            .body(body.clone());
        for (name, value) in signed(SECRET, &body) {
            request = request.header(name, value);
        }
        assert!(request.send().await.is_err(), "the sender gave up first");
    };

    let body = unique_body();
    upstream.answer(200, Duration::from_millis(600));
    hang_up(body.clone()).await;
    // The upstream answers 450 ms later; the gateway settles then.
    tokio::time::sleep(Duration::from_millis(900)).await;
    upstream.answer(200, Duration::ZERO);
    let (status, _, answer) = post(gateway.addr, PATH, SECRET, &body, &[]).await;
    assert_eq!(status, 409, "the replay reached the upstream");
    assert_eq!(reason(&answer), "replayed");
    assert_eq!(upstream.received().len(), 1);

    let body = unique_body();
    upstream.answer(503, Duration::from_millis(600));
    hang_up(body.clone()).await;
    tokio::time::sleep(Duration::from_millis(900)).await;
    upstream.answer(200, Duration::ZERO);
    let (status, _, _) = post(gateway.addr, PATH, SECRET, &body, &[]).await;
    assert_eq!(
        status, 200,
        "the failed hand-off was released for the retry"
    );
    assert_eq!(upstream.received().len(), 3);
}

#[tokio::test]
async fn an_unreachable_upstream_is_502_and_the_retry_goes_through_later() {
    let port = free_port();
    let url = format!("http://127.0.0.1:{port}");
    let gateway = gateway(&["--secret-env", "GW_SECRET", "--upstream", &url]);
    let body = unique_body();
    let (status, _, answer) = post(gateway.addr, PATH, SECRET, &body, &[]).await;
    assert_eq!(
        (status, reason(&answer).as_str()),
        (502, "upstream_unavailable")
    );
    let ready = reqwest::get(format!("http://{}/readyz", gateway.addr))
        .await
        .unwrap();
    assert_eq!(ready.status().as_u16(), 503);

    // The upstream comes up on that port: the same delivery goes through.
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .unwrap();
    let hits = Arc::new(Mutex::new(0));
    let counted = Arc::clone(&hits);
    let app = axum::Router::new().fallback(move || {
        *counted.lock().unwrap() += 1;
        async { "late but here" }
    });
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let (status, _, answer) = post(gateway.addr, PATH, SECRET, &body, &[]).await;
    assert_eq!((status, &answer[..]), (200, &b"late but here"[..]));
    assert_eq!(*hits.lock().unwrap(), 1);
}

/// An upstream on 127.0.0.1 that reads each request (head, then the body its
/// `Content-Length` gives) and answers `answer`, byte for byte, then closes;
/// counts the requests it read.
async fn raw_upstream(answer: &'static [u8]) -> (SocketAddr, Arc<Mutex<usize>>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let seen = Arc::new(Mutex::new(0));
    let counted = Arc::clone(&seen);
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let counted = Arc::clone(&counted);
            tokio::spawn(async move {
                let mut request = Vec::new();
                let mut buffer = [0u8; 4096];
                let head_end = loop {
                    let n = stream.read(&mut buffer).await.unwrap_or(0);
                    if n == 0 {
                        return;
                    }
                    request.extend_from_slice(&buffer[..n]);
                    if let Some(at) = request.windows(4).position(|w| w == b"\r\n\r\n") {
                        break at + 4;
                    }
                };
                let head = String::from_utf8_lossy(&request[..head_end]).to_lowercase();
                let length: usize = head
                    .lines()
                    .find_map(|line| line.strip_prefix("content-length:"))
                    .map_or(0, |value| value.trim().parse().unwrap());
                while request.len() < head_end + length {
                    let n = stream.read(&mut buffer).await.unwrap_or(0);
                    if n == 0 {
                        return;
                    }
                    request.extend_from_slice(&buffer[..n]);
                }
                *counted.lock().unwrap() += 1;
                let _ = stream.write_all(answer).await;
                let _ = stream.shutdown().await;
            });
        }
    });
    (addr, seen)
}

#[tokio::test]
async fn an_upstream_answer_is_relayed_only_when_it_is_a_usable_final_answer() {
    // A `Content-Length` beside `Transfer-Encoding: chunked` is not the
    // body's length: the sender gets the whole body, not its first 3 bytes.
    let (addr, _) = raw_upstream(
        b"HTTP/1.1 200 OK\r\ncontent-length: 3\r\ntransfer-encoding: chunked\r\n\r\n\
          5\r\nhello\r\n0\r\n\r\n",
    )
    .await;
    let url = format!("http://{addr}");
    let chunked = gateway(&["--secret-env", "GW_SECRET", "--upstream", &url]);
    let (status, headers, answer) = post(chunked.addr, PATH, SECRET, &unique_body(), &[]).await;
    assert_eq!((status, &answer[..]), (200, &b"hello"[..]));
    assert_ne!(
        headers.get("content-length").map(|v| v.as_bytes()),
        Some(&b"3"[..])
    );

    // A switch of protocols nobody asked for is no answer to a delivery:
    // 502, and the delivery is released, so the retry reaches the upstream.
    let (addr, seen) = raw_upstream(
        b"HTTP/1.1 101 Switching Protocols\r\nconnection: upgrade\r\nupgrade: websocket\r\n\r\n",
    )
    .await;
    let url = format!("http://{addr}");
    let switching = gateway(&["--secret-env", "GW_SECRET", "--upstream", &url]);
    let body = unique_body();
    for _ in 0..2 {
        let (status, _, answer) = post(switching.addr, PATH, SECRET, &body, &[]).await;
        assert_eq!(
            (status, reason(&answer).as_str()),
            (502, "upstream_unavailable")
        );
    }
    assert_eq!(*seen.lock().unwrap(), 2);
}

#[tokio::test]
async fn health_readiness_and_metrics() {
    let upstream = Upstream::start().await;
    let gateway = forwarding(&upstream, &[]);
    let base = format!("http://{}", gateway.addr);
    assert_eq!(
        reqwest::get(format!("{base}/healthz"))
            .await
            .unwrap()
            .status(),
        200
    );
    assert_eq!(
        reqwest::get(format!("{base}/readyz"))
            .await
            .unwrap()
            .status(),
        200
    );
    one_good_one_forged(gateway.addr).await;
    let metrics = reqwest::get(format!("{base}/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains(
            r#"cognigy_webhook_requests_total{outcome="verified",reason="none",profile="hex-millis"} 1"#
        ),
        "{metrics}"
    );
    assert!(
        metrics.contains(r#"outcome="rejected",reason="signature_mismatch""#),
        "{metrics}"
    );
    // A histogram (buckets that add up across instances), not a summary.
    assert!(
        metrics.contains(r#"cognigy_webhook_verify_seconds_bucket{outcome="verified",le="0.001"}"#),
        "{metrics}"
    );
}

#[tokio::test]
async fn one_json_audit_line_per_delivery_on_stdout() {
    let upstream = Upstream::start().await;
    let url = format!("http://{}", upstream.addr);
    let args = ["--secret-env", "GW_SECRET", "--upstream", url.as_str()];
    for (audit, expected) in [("stdout", 2), ("off", 0)] {
        let mut gateway = spawn_gateway(
            &[&args[..], &["--audit-log", audit]].concat(),
            &[],
            Stdio::piped(),
        );
        assert_eq!(one_good_one_forged(gateway.addr).await, (200, 401));
        // Lines are written within a moment (gathered, not one write each),
        // and the rest at shutdown.
        let (sender, arriving) = std::sync::mpsc::channel();
        let output = gateway.child.stdout.take().unwrap();
        std::thread::spawn(move || {
            for line in std::io::BufRead::lines(std::io::BufReader::new(output)) {
                let _ = sender.send(line.unwrap());
            }
        });
        let mut stdout = Vec::new();
        if expected > 0 {
            let first = arriving.recv_timeout(Duration::from_secs(5));
            stdout.push(first.expect("an audit line while the gateway runs"));
        }
        signal(&gateway.child, "-TERM");
        stdout.extend(arriving.iter());
        let stdout = stdout.join("\n");
        let lines: Vec<Value> = stdout
            .lines()
            .map(|line| serde_json::from_str(line).unwrap())
            .collect();
        assert_eq!(lines.len(), expected, "--audit-log {audit}: {stdout}");
        if expected > 0 {
            assert_eq!(lines[0]["outcome"], "verified");
            let forwarded = upstream.received().last().unwrap().headers.clone();
            assert_eq!(
                lines[0]["request_id"],
                forwarded["x-request-id"].to_str().unwrap(),
                "the audit line names the request the upstream saw"
            );
            assert_eq!(lines[1]["outcome"], "rejected");
            assert_eq!(lines[1]["reason"], "signature_mismatch");
            assert!(
                !stdout.contains(SECRET) && !stdout.contains("wrong-secret"),
                "{stdout}"
            );
        }
    }
}

#[tokio::test]
async fn sighup_reloads_the_secret_file_without_dropping_requests() {
    let upstream = Upstream::start().await;
    let file: PathBuf = std::env::temp_dir().join(format!("gw-secret-{}", uuid::Uuid::new_v4()));
    std::fs::write(&file, "old-secret-0123456789\n").unwrap();
    let url = format!("http://{}", upstream.addr);
    let gateway = gateway(&["--secret-file", file.to_str().unwrap(), "--upstream", &url]);
    let addr = gateway.addr;

    let (status, _, _) = post(addr, PATH, "old-secret-0123456789", &unique_body(), &[]).await;
    assert_eq!(status, 200);
    let (status, _, _) = post(addr, PATH, "new-secret-0123456789", &unique_body(), &[]).await;
    assert_eq!(status, 401);

    // Deliveries keep flowing while the secret is rotated and reloaded.
    std::fs::write(&file, "new-secret-0123456789\n").unwrap();
    let traffic = tokio::spawn(async move {
        let mut statuses = Vec::new();
        for _ in 0..60 {
            let (status, _, _) =
                post(addr, PATH, "new-secret-0123456789", &unique_body(), &[]).await;
            statuses.push(status);
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        statuses
    });
    tokio::time::sleep(Duration::from_millis(100)).await;
    signal(&gateway.child, "-HUP");
    let statuses = traffic.await.unwrap();
    assert!(
        statuses.iter().all(|status| [200, 401].contains(status)),
        "{statuses:?}"
    );
    assert_eq!(statuses.last(), Some(&200), "{statuses:?}");
    let (status, _, _) = post(addr, PATH, "old-secret-0123456789", &unique_body(), &[]).await;
    assert_eq!(status, 401, "the old secret is gone after the reload");
    std::fs::remove_file(&file).unwrap();
}

#[tokio::test]
async fn sigterm_drains_the_delivery_in_flight() {
    let upstream = Upstream::start().await;
    upstream.answer(200, Duration::from_millis(700));
    let mut gateway = forwarding(&upstream, &[]);
    let addr = gateway.addr;
    let in_flight =
        tokio::spawn(async move { post(addr, PATH, SECRET, &unique_body(), &[]).await });
    tokio::time::sleep(Duration::from_millis(200)).await;
    signal(&gateway.child, "-TERM");
    let (status, _, answer) = in_flight.await.unwrap();
    assert_eq!((status, &answer[..]), (200, &b"upstream says hello"[..]));
    let exit = gateway.child.wait().unwrap();
    assert!(exit.success(), "{exit:?}");
}

// ------------------------------------------------------------- stream mode

async fn redis(url: &str) -> redis::aio::MultiplexedConnection {
    redis::Client::open(url)
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .unwrap()
}

type Entries = Vec<(String, HashMap<String, Vec<u8>>)>;

async fn entries(url: &str, key: &str) -> Entries {
    redis::cmd("XRANGE")
        .arg(key)
        .arg("-")
        .arg("+")
        .query_async(&mut redis(url).await)
        .await
        .unwrap()
}

#[tokio::test]
async fn stream_mode_answers_202_after_xadd_with_every_field() {
    let Some(url) = service_url("REDIS_URL") else {
        return;
    };
    let key = format!("gw-test-{}", uuid::Uuid::new_v4());
    let gateway = gateway(&[
        "--secret-env",
        "GW_SECRET",
        "--redis-stream",
        &url,
        "--stream",
        &key,
        "--replay",
        &url,
    ]);
    let body = unique_body();
    let (status, _, answer) =
        post(gateway.addr, PATH, SECRET, &body, &[("X-Custom", "kept")]).await;
    assert_eq!(status, 202);
    let answer: Value = serde_json::from_slice(&answer).unwrap();
    assert_eq!(answer["status"], "queued");
    let entries = entries(&url, &key).await;
    assert_eq!(entries.len(), 1);
    let (id, fields) = &entries[0];
    assert_eq!(answer["id"], id.as_str());
    assert_eq!(fields["body"], body);
    assert_eq!(fields["profile"], b"hex-millis");
    assert_eq!(fields["key_index"], b"0");
    assert_eq!(fields["request_id"].len(), 36);
    let received_at = String::from_utf8(fields["received_at"].clone()).unwrap();
    assert!(
        received_at.ends_with('Z') && received_at.contains('T'),
        "{received_at}"
    );
    let headers: Value = serde_json::from_slice(&fields["headers"]).unwrap();
    assert_eq!(headers["x-custom"], "kept");
    assert!(headers["x-cognigy-signature"].is_string());

    let (status, _, answer) = post(gateway.addr, PATH, SECRET, &body, &[]).await;
    assert_eq!((status, reason(&answer).as_str()), (409, "replayed"));
    let ready = reqwest::get(format!("http://{}/readyz", gateway.addr))
        .await
        .unwrap();
    assert_eq!(ready.status().as_u16(), 200);
}

#[tokio::test]
async fn stream_mode_and_replay_over_tls_to_redis() {
    let (Some(url), Some(ca)) = (service_url("REDIS_TLS_URL"), service_url("TEST_CA_FILE")) else {
        return;
    };
    let key = format!("gw-tls-{}", uuid::Uuid::new_v4());
    let gateway = gateway_with_env(
        &[
            "--secret-env",
            "GW_SECRET",
            "--redis-stream",
            &url,
            "--stream",
            &key,
            "--replay",
            &url,
        ],
        &[("COGNIGY_REDIS_CA_FILE", &ca)],
    );
    let body = unique_body();
    let (status, _, _) = post(gateway.addr, PATH, SECRET, &body, &[]).await;
    assert_eq!(status, 202);
    let (status, _, _) = post(gateway.addr, PATH, SECRET, &body, &[]).await;
    assert_eq!(status, 409);
    // Read back over TLS with the same CA.
    let client = redis::Client::build_with_tls(
        url.as_str(),
        redis::TlsCertificates {
            client_tls: None,
            root_cert: Some(std::fs::read(&ca).unwrap()),
        },
    )
    .unwrap();
    let length: u64 = redis::cmd("XLEN")
        .arg(&key)
        .query_async(&mut client.get_multiplexed_async_connection().await.unwrap())
        .await
        .unwrap();
    assert_eq!(length, 1);
}

#[tokio::test]
async fn stream_mode_never_stores_a_basic_auth_credential() {
    let Some(url) = service_url("REDIS_URL") else {
        return;
    };
    let key = format!("gw-basic-{}", uuid::Uuid::new_v4());
    let gateway = gateway_with_env(
        &[
            "--profile",
            "basic-auth",
            "--secret-env",
            "GW_BASIC",
            "--redis-stream",
            &url,
            "--stream",
            &key,
        ],
        &[("GW_BASIC", "cognigy:basic-secret-42")],
    );
    let body = unique_body();
    let response = reqwest::Client::new()
        .post(format!("http://{}{PATH}", gateway.addr))
        .basic_auth("cognigy", Some("basic-secret-42"))
        .header("X-Custom", "kept")
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 202);
    let entries = entries(&url, &key).await;
    let (_, fields) = &entries[0];
    assert_eq!(fields["body"], body);
    assert_eq!(fields["profile"], b"basic-auth");
    let headers: Value = serde_json::from_slice(&fields["headers"]).unwrap();
    assert_eq!(headers["x-custom"], "kept");
    assert!(headers.get("authorization").is_none(), "{headers}");
}

#[tokio::test]
async fn stream_mode_with_redis_down_is_503_and_the_retry_is_queued() {
    let Some(_) = service_url("REDIS_URL") else {
        return;
    };
    let port = free_port();
    let start = || own_redis(port, &["--appendonly", "no"]);
    let mut server = start();
    let url = format!("redis://127.0.0.1:{port}/");
    let gateway = gateway(&[
        "--secret-env",
        "GW_SECRET",
        "--redis-stream",
        &url,
        "--stream",
        "deliveries",
    ]);
    server.kill().unwrap();
    server.wait().unwrap();
    let body = unique_body();
    let (status, _, answer) = post(gateway.addr, PATH, SECRET, &body, &[]).await;
    assert_eq!(
        (status, reason(&answer).as_str()),
        (503, "queue_unavailable")
    );

    let mut server = start();
    let mut status = 0;
    for _ in 0..50 {
        (status, _, _) = post(gateway.addr, PATH, SECRET, &body, &[]).await;
        if status == 202 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        status, 202,
        "the sender's retry is queued once Redis is back"
    );
    assert_eq!(entries(&url, "deliveries").await.len(), 1);

    // Restarted while idle: the first delivery after it is queued at once
    // (the broken connection is replaced), not refused 503.
    server.kill().unwrap();
    server.wait().unwrap();
    let mut server = start();
    let (status, _, _) = post(gateway.addr, PATH, SECRET, &unique_body(), &[]).await;
    server.kill().unwrap();
    server.wait().unwrap();
    assert_eq!(status, 202, "the first delivery after a restart");
}

#[tokio::test]
async fn two_gateways_sharing_redis_queue_one_of_32_concurrent_duplicates() {
    let Some(url) = service_url("REDIS_URL") else {
        return;
    };
    let key = format!("gw-dup-{}", uuid::Uuid::new_v4());
    let args = [
        "--secret-env",
        "GW_SECRET",
        "--redis-stream",
        &url,
        "--stream",
        &key,
        "--replay",
        &url,
    ];
    let (first, second) = (gateway(&args), gateway(&args));
    let body = unique_body();
    let headers = signed(SECRET, &body);
    let client = reqwest::Client::new();
    let sends = (0..32).map(|i| {
        let addr = if i % 2 == 0 { first.addr } else { second.addr };
        let mut request = client
            .post(format!("http://{addr}{PATH}"))
            .body(body.clone());
        for (name, value) in &headers {
            request = request.header(name, value);
        }
        async move { request.send().await.unwrap().status().as_u16() }
    });
    let mut statuses = futures_util::future::join_all(sends).await;
    statuses.sort_unstable();
    assert_eq!(
        statuses.iter().filter(|&&s| s == 202).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|&&s| s == 409).count(),
        31,
        "{statuses:?}"
    );
    assert_eq!(entries(&url, &key).await.len(), 1);
}

// ------------------------------------------------- the example consumers

/// Whether the consumer's dependencies are installed (by scripts/test);
/// says SKIPPED otherwise, and fails under CI.
fn installed(what: &str, path: &std::path::Path) -> bool {
    if path.exists() {
        return true;
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "{what} missing under CI ({}): run scripts/test",
        path.display()
    );
    eprintln!("SKIPPED: {what} not installed at {}", path.display());
    false
}

#[tokio::test]
async fn the_python_and_node_consumers_read_and_acknowledge_each_delivery() {
    let Some(url) = service_url("REDIS_URL") else {
        return;
    };
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let python_path = root.join("target/python-consumer");
    let node_dir = root.join("examples/consumers/node");
    if !installed("redis-py", &python_path)
        || !installed("node-redis", &node_dir.join("node_modules/redis"))
    {
        return;
    }
    let consumers: [(&str, Command); 2] = [
        ("python", {
            let mut command = Command::new("python3");
            command
                .arg(root.join("examples/consumers/python/consumer.py"))
                .env("PYTHONPATH", &python_path);
            command
        }),
        ("node", {
            let mut command = Command::new("node");
            command.arg(node_dir.join("consumer.js"));
            command
        }),
    ];
    for (name, mut consumer) in consumers {
        let key = format!("gw-consumer-{name}-{}", uuid::Uuid::new_v4());
        let gateway = gateway(&[
            "--secret-env",
            "GW_SECRET",
            "--redis-stream",
            &url,
            "--stream",
            &key,
        ]);
        let bodies: Vec<Vec<u8>> = (0..3).map(|_| unique_body()).collect();
        for body in &bodies {
            let (status, _, _) = post(gateway.addr, PATH, SECRET, body, &[]).await;
            assert_eq!(status, 202, "{name}");
        }
        let output = consumer
            .args(["--max", "3"])
            .env("REDIS_URL", &url)
            .env("STREAM", &key)
            .env("GROUP", "test-group")
            .env("CONSUMER", name)
            .stderr(Stdio::inherit())
            .output()
            .unwrap();
        assert!(output.status.success(), "{name}: {:?}", output.status);
        let lines: Vec<Value> = String::from_utf8(output.stdout)
            .unwrap()
            .lines()
            .map(|line| serde_json::from_str(line).unwrap())
            .collect();
        assert_eq!(lines.len(), 3, "{name}");
        for (line, body) in lines.iter().zip(&bodies) {
            use base64::Engine;
            let decoded = base64::engine::general_purpose::STANDARD
                .decode(line["body_base64"].as_str().unwrap())
                .unwrap();
            assert_eq!(&decoded, body, "{name}: the exact bytes");
            assert_eq!(line["profile"], "hex-millis", "{name}");
            assert_eq!(line["key_index"], 0, "{name}");
            assert!(line["headers"]["x-cognigy-signature"].is_string(), "{name}");
        }
        // Every entry was acknowledged: nothing pending for the group.
        let pending: (u64, redis::Value, redis::Value, redis::Value) = redis::cmd("XPENDING")
            .arg(&key)
            .arg("test-group")
            .query_async(&mut redis(&url).await)
            .await
            .unwrap();
        assert_eq!(pending.0, 0, "{name}: unacknowledged entries");
    }
}

#[test]
fn help_never_prints_the_values_of_its_environment_variables() {
    let output = Command::new(env!("CARGO_BIN_EXE_cognigy-webhook"))
        .args(["gateway", "--help"])
        .env("COGNIGY_GATEWAY_REPLAY", "postgres://u:hunter2@db/x")
        .env("COGNIGY_GATEWAY_REDIS_STREAM", "redis://:hunter2@redis/")
        .env(
            "COGNIGY_GATEWAY_UPSTREAM",
            "http://127.0.0.1:3000/?token=hunter2",
        )
        .output()
        .unwrap();
    assert!(output.status.success());
    let help = String::from_utf8(output.stdout).unwrap();
    assert!(help.contains("COGNIGY_GATEWAY_REPLAY"), "{help}");
    assert!(!help.contains("hunter2"), "{help}");
}

#[test]
fn a_tolerance_of_zero_is_refused_at_start_up() {
    let output = Command::new(env!("CARGO_BIN_EXE_cognigy-webhook"))
        .args([
            "gateway",
            "--listen",
            "127.0.0.1:0",
            "--secret-env",
            "GW_SECRET",
        ])
        .args(["--upstream", "http://127.0.0.1:9", "--tolerance", "0s"])
        .env("GW_SECRET", SECRET)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let text = String::from_utf8_lossy(&output.stderr);
    assert!(text.contains("at least 1ms"), "{text}");
}

/// Exit code and standard error of a gateway that should refuse to start.
fn refused_start(args: &[&str], env: &[(&str, &str)]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_cognigy-webhook"))
        .args(["gateway", "--listen", "127.0.0.1:0"])
        .args([
            "--upstream",
            "http://127.0.0.1:9",
            "--profile",
            "hex-millis",
        ])
        .args(args)
        .envs(env.iter().copied())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(output.status.code(), Some(2), "{text}");
    text
}

#[tokio::test]
async fn secrets_are_read_as_the_receivers_read_them() {
    let upstream = Upstream::start().await;
    let url = format!("http://{}", upstream.addr);
    // Comma-separated for rotation, as COGNIGY_WEBHOOK_SECRET.
    let rotating = gateway_with_env(
        &["--secret-env", "GW_ROTATING", "--upstream", &url],
        &[("GW_ROTATING", "new-secret-1111,old-secret-2222\n")],
    );
    for secret in ["new-secret-1111", "old-secret-2222"] {
        let (status, _, _) = post(rotating.addr, PATH, secret, &unique_body(), &[]).await;
        assert_eq!(status, 200, "{secret}");
    }
    let literal = "new-secret-1111,old-secret-2222";
    let (status, _, _) = post(rotating.addr, PATH, literal, &unique_body(), &[]).await;
    assert_eq!(status, 401);
    // Surrounding whitespace and empty entries are refused at start-up,
    // without showing the secret.
    for value in [" padded-secret", "a-secret,,another"] {
        let text = refused_start(&["--secret-env", "GW_BAD"], &[("GW_BAD", value)]);
        assert!(text.contains("GW_BAD"), "{text}");
        for shown in ["a-secret", "another", "padded-secret"] {
            assert!(!text.contains(shown), "{text}");
        }
    }
}

#[tokio::test]
async fn the_api_key_header_can_be_chosen() {
    let upstream = Upstream::start().await;
    let url = format!("http://{}", upstream.addr);
    let gateway = gateway_with_env(
        &[
            "--profile",
            "api-key",
            "--api-key-header",
            "X-Api-Key",
            "--secret-env",
            "GW_KEY",
            "--upstream",
            &url,
        ],
        &[("GW_KEY", "key-0123456789")],
    );
    let send = |header: &'static str| {
        reqwest::Client::new()
            .post(format!("http://{}{PATH}", gateway.addr))
            .header(header, "key-0123456789")
            .body("{}")
            .send()
    };
    assert_eq!(send("X-Api-Key").await.unwrap().status(), 200);
    let refused = send("X-Webhook-Key").await.unwrap();
    assert_eq!(refused.status(), 400);
    assert_eq!(reason(&refused.bytes().await.unwrap()), "missing_signature");
    assert_eq!(upstream.received().len(), 1);
    // Only with the api-key profile.
    let text = refused_start(
        &["--secret-env", "GW_SECRET", "--api-key-header", "X-Api-Key"],
        &[("GW_SECRET", SECRET)],
    );
    assert!(text.contains("--profile api-key"), "{text}");
}

/// A Redis server of the test's own on `port` that writes every command to
/// its append-only file in `dir` (records survive a restart).
fn persistent_redis(port: u16, dir: &std::path::Path) -> Child {
    let dir = dir.to_str().unwrap();
    own_redis(
        port,
        &[
            "--appendonly",
            "yes",
            "--appendfsync",
            "always",
            "--dir",
            dir,
        ],
    )
}

/// A Redis server of the test's own on `port`, with `extra` options, once it
/// accepts connections.
fn own_redis(port: u16, extra: &[&str]) -> Child {
    let binary = std::env::var("REDIS_SERVER").unwrap_or_else(|_| "redis-server".into());
    let child = Command::new(binary)
        .args([
            "--bind",
            "127.0.0.1",
            "--port",
            &port.to_string(),
            "--save",
            "",
        ])
        .args(extra)
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "redis-server did not start");
        std::thread::sleep(Duration::from_millis(20));
    }
    child
}

/// The upstream fails while the replay store is down, and the gateway is
/// then stopped: shutdown waits (a few seconds) for the release the store
/// missed, so another gateway takes the sender's retry instead of answering
/// it as a duplicate.
#[tokio::test]
async fn shutdown_waits_for_a_release_the_store_missed() {
    let Some(_) = service_url("REDIS_URL") else {
        return;
    };
    let dir = std::env::temp_dir().join(format!("gw-aof-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let port = free_port();
    let mut redis = persistent_redis(port, &dir);
    let upstream = Upstream::start().await;
    upstream.answer(500, Duration::from_millis(600));
    let (target, store) = (
        format!("http://{}", upstream.addr),
        format!("redis://127.0.0.1:{port}/"),
    );
    let args = [
        "--secret-env",
        "GW_SECRET",
        "--upstream",
        &target,
        "--replay",
        &store,
    ];
    let mut first = gateway(&args);
    let body = unique_body();
    let sending = tokio::spawn({
        let (addr, body) = (first.addr, body.clone());
        async move { post(addr, PATH, SECRET, &body, &[]).await.0 }
    });
    while upstream.received().is_empty() {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    redis.kill().unwrap();
    redis.wait().unwrap();
    assert_eq!(sending.await.unwrap(), 500);

    signal(&first.child, "-TERM");
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mut redis = persistent_redis(port, &dir);
    let deadline = Instant::now() + Duration::from_secs(10);
    while first.child.try_wait().unwrap().is_none() {
        assert!(Instant::now() < deadline, "the gateway did not stop");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    upstream.answer(200, Duration::ZERO);
    let second = gateway(&args);
    let (status, _, _) = post(second.addr, PATH, SECRET, &body, &[]).await;
    redis.kill().unwrap();
    redis.wait().unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(status, 200, "the retry reaches the upstream");
    assert_eq!(upstream.received().len(), 2);
}
