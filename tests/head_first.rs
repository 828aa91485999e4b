//! The head is judged before the body: refusals that need no body are sent
//! before any body is asked for or kept, and still reach a sender that is
//! mid-upload. Also: two accepted profiles sharing a header name. Both
//! adapters, real servers on 127.0.0.1, default settings.
#![cfg(all(feature = "axum", feature = "actix"))]

mod support;

use std::net::SocketAddr;
use std::time::{Duration, SystemTime};

use cognigy_webhook::actix::WebhookVerification;
use cognigy_webhook::profile::SignatureEncoding;
use cognigy_webhook::tower::VerifyWebhookLayer;
use cognigy_webhook::{Profile, Secret, Signer, Verified, Verifier};
use support::servers::{PATH, serve_actix, serve_axum};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

fn hex_millis() -> Verifier {
    Verifier::new(
        Profile::hex_millis(),
        Secret::new("head-first-secret").unwrap(),
    )
}

async fn axum_with(verifier: Verifier) -> SocketAddr {
    let app = axum::Router::new()
        .route(
            PATH,
            axum::routing::post(|verified: Verified| async move {
                format!("verified by {}", verified.profile())
            }),
        )
        .route_layer(VerifyWebhookLayer::new(verifier));
    serve_axum(app).await
}

fn actix_with(verifier: Verifier) -> SocketAddr {
    use actix_web::{App, HttpResponse, web};
    serve_actix(1, move || {
        App::new().service(
            web::resource(PATH)
                .wrap(WebhookVerification::new(verifier.clone()))
                .route(web::post().to(|verified: Verified| async move {
                    HttpResponse::Ok().body(format!("verified by {}", verified.profile()))
                })),
        )
    })
}

/// The request head for `PATH` with `headers` and a declared body length.
fn head(headers: &[(&str, String)], length: usize) -> String {
    let mut text = format!("POST {PATH} HTTP/1.1\r\nhost: test\r\ncontent-length: {length}\r\n");
    for (name, value) in headers {
        text.push_str(&format!("{name}: {value}\r\n"));
    }
    text.push_str("\r\n");
    text
}

/// Reads one whole response (head and body), or what arrived by the time
/// the connection ended or `limit` passed.
async fn read_response(stream: &mut TcpStream, limit: Duration) -> String {
    let mut received = Vec::new();
    let mut buffer = [0u8; 4096];
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        let read = tokio::time::timeout_at(deadline, stream.read(&mut buffer)).await;
        match read {
            Ok(Ok(0)) | Ok(Err(_)) | Err(_) => break,
            Ok(Ok(n)) => received.extend_from_slice(&buffer[..n]),
        }
        let text = String::from_utf8_lossy(&received);
        if let Some(end) = text.find("\r\n\r\n") {
            let declared = text[..end]
                .lines()
                .find_map(|line| {
                    let (name, value) = line.split_once(':')?;
                    name.eq_ignore_ascii_case("content-length")
                        .then(|| value.trim().parse::<usize>().ok())?
                })
                .unwrap_or(0);
            if !text.starts_with("HTTP/1.1 100") && received.len() >= end + 4 + declared {
                break;
            }
            if text.starts_with("HTTP/1.1 100") && text.matches("\r\n\r\n").count() >= 2 {
                let second = text[end + 4..].find("\r\n\r\n").map(|i| i + end + 4);
                if second.is_some() && received.len() > second.unwrap_or(0) + 4 {
                    break;
                }
            }
        }
    }
    String::from_utf8_lossy(&received).into_owned()
}

/// A request refused by its head while its 256 KiB body is still being
/// uploaded, sent as most HTTP clients send: the whole body, then the
/// answer. Whether every byte could be written (no reset), and the answer.
async fn refused_mid_upload(addr: SocketAddr) -> (bool, String) {
    let body = vec![b'x'; 256 * 1024];
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let (mut reader, mut writer) = stream.split();
    let request = head(&[("content-type", "application/json".into())], body.len());
    let send = async {
        writer.write_all(request.as_bytes()).await.ok()?;
        for chunk in body.chunks(16 * 1024) {
            writer.write_all(chunk).await.ok()?;
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        writer.flush().await.ok()
    };
    let receive = async {
        let mut received = Vec::new();
        let mut buffer = [0u8; 4096];
        let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
        while let Ok(Ok(n @ 1..)) =
            tokio::time::timeout_at(deadline, reader.read(&mut buffer)).await
        {
            received.extend_from_slice(&buffer[..n]);
            if String::from_utf8_lossy(&received).contains("\"reason\"") {
                break;
            }
        }
        String::from_utf8_lossy(&received).into_owned()
    };
    let (sent, answer) = tokio::join!(send, receive);
    (sent.is_some(), answer)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refusal_reaches_a_sender_that_is_mid_upload() {
    for (name, addr) in [
        ("axum", axum_with(hex_millis()).await),
        ("actix", actix_with(hex_millis())),
    ] {
        let (sent, answer) = refused_mid_upload(addr).await;
        assert!(sent, "{name}: the upload was cut off");
        assert!(answer.starts_with("HTTP/1.1 400"), "{name}: {answer:?}");
        assert!(
            answer.contains(r#""reason":"missing_signature""#),
            "{name}: {answer:?}"
        );
    }
}

/// With `Expect: 100-continue`, a request refused by its head gets its
/// answer without being asked for its body (tower); actix-web answers
/// `100 Continue` itself before any middleware runs, then the refusal.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn head_refusals_do_not_ask_for_the_body() {
    let stale = vec![
        ("x-cognigy-signature", "ab".repeat(32)),
        ("x-cognigy-timestamp", "1".to_owned()),
        ("expect", "100-continue".to_owned()),
    ];
    let unsigned = vec![("expect", "100-continue".to_owned())];
    for (name, addr) in [
        ("axum", axum_with(hex_millis()).await),
        ("actix", actix_with(hex_millis())),
    ] {
        for (headers, status, reason) in [
            (&stale, "403", "timestamp_out_of_window"),
            (&unsigned, "400", "missing_signature"),
        ] {
            let mut stream = TcpStream::connect(addr).await.unwrap();
            stream
                .write_all(head(headers, 1024 * 1024).as_bytes())
                .await
                .unwrap();
            // No body is ever sent.
            let answer = read_response(&mut stream, Duration::from_secs(3)).await;
            let refusal = match name {
                "axum" => {
                    assert!(!answer.contains("100 Continue"), "{name}: {answer:?}");
                    answer.as_str()
                }
                _ => answer
                    .strip_prefix("HTTP/1.1 100 Continue\r\n\r\n")
                    .unwrap_or(&answer),
            };
            assert!(
                refusal.starts_with(&format!("HTTP/1.1 {status}")),
                "{name}: {answer:?}"
            );
            assert!(
                refusal.contains(&format!(r#""reason":"{reason}""#)),
                "{name}: {answer:?}"
            );
        }
    }
}

/// Two accepted profiles that share a signature header (hex and base64 on
/// one name): a delivery signed for either passes through both adapters,
/// exactly as `Verifier::verify` accepts it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn profiles_sharing_a_header_name_are_both_found() {
    let profile = |name: &str, encoding| {
        Profile::builder(name)
            .hmac_sha256("X-Gw-Signature")
            .encoding(encoding)
            .timestamp(
                "X-Gw-Timestamp",
                cognigy_webhook::profile::TimestampFormat::UnixSeconds,
            )
            .build()
            .unwrap()
    };
    let hex = profile("gw-hex", SignatureEncoding::Hex);
    let base64 = profile("gw-base64", SignatureEncoding::Base64);
    let secret = Secret::new("shared-name-secret").unwrap();
    let verifier = Verifier::builder(hex.clone())
        .also_accept(base64.clone())
        .secret(secret.clone())
        .build()
        .unwrap();
    let client = reqwest::Client::new();
    let body = br#"{"text":"hello"}"#;
    for (name, addr) in [
        ("axum", axum_with(verifier.clone()).await),
        ("actix", actix_with(verifier.clone())),
    ] {
        for profile in [&hex, &base64] {
            let headers =
                Signer::new(profile.clone(), secret.clone()).sign(body, SystemTime::now());
            assert!(verifier.verify(&headers, body).is_ok());
            let mut request = client.post(format!("http://{addr}{PATH}")).body(&body[..]);
            for (header, value) in headers.iter() {
                request = request.header(header, value);
            }
            let response = request.send().await.unwrap();
            let status = response.status().as_u16();
            let text = response.text().await.unwrap();
            assert_eq!(
                (status, text.as_str()),
                (200, format!("verified by {}", profile.name()).as_str()),
                "{name}"
            );
        }
    }
}

/// A refusal that leaves part of the body unread (over the limit, or
/// chunked and refused by its head) tells the sender the connection closes,
/// so a pooling client sends its next delivery on a new connection instead
/// of losing it on the closed one. Both adapters, a client that keeps one
/// idle connection, each case five times.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_upload_never_costs_the_next_delivery_on_a_pooled_connection() {
    let signer = Signer::new(
        Profile::hex_millis(),
        Secret::new("head-first-secret").unwrap(),
    );
    let signed = |body: &[u8]| -> Vec<(String, String)> {
        let headers = signer.sign_now(body);
        headers
            .iter()
            .map(|(name, value)| (name.to_owned(), value.to_owned()))
            .collect()
    };
    let over = vec![b'o'; 3 << 20];
    let small = br#"{"text":"next"}"#.to_vec();
    let servers = [
        ("axum", axum_with(hex_millis()).await),
        ("actix-web", actix_with(hex_millis())),
    ];
    for (adapter, addr) in servers {
        let url = format!("http://{addr}{PATH}");
        let cases = [
            ("signed, over the declared limit", signed(&over), false, 413),
            ("signed, chunked past the limit", signed(&over), true, 413),
            ("unsigned, chunked", Vec::new(), true, 400),
        ];
        for (case, headers, chunked, status) in cases {
            for _ in 0..5 {
                let client = reqwest::Client::builder()
                    .pool_max_idle_per_host(1)
                    .build()
                    .unwrap();
                let mut request = client.post(&url);
                for (name, value) in &headers {
                    request = request.header(name, value);
                }
                request = if chunked {
                    let chunks = over
                        .chunks(64 * 1024)
                        .map(|chunk| Ok::<_, std::io::Error>(chunk.to_vec()))
                        .collect::<Vec<_>>();
                    request.body(reqwest::Body::wrap_stream(futures_util::stream::iter(
                        chunks,
                    )))
                } else {
                    request.body(over.clone())
                };
                // A sender cut off mid-upload may see the connection close
                // before the answer: that is not what this test is about.
                if let Ok(response) = request.send().await {
                    assert_eq!(response.status().as_u16(), status, "{adapter}: {case}");
                    // actix-web minds the connection itself (the next
                    // delivery below shows it).
                    if adapter == "axum" {
                        let close = response.headers().get("connection");
                        assert_eq!(close.map(|v| v.as_bytes()), Some(&b"close"[..]), "{case}");
                    }
                }
                let mut next = client.post(&url);
                for (name, value) in signed(&small) {
                    next = next.header(name, value);
                }
                let answer = next.body(small.clone()).send().await;
                let status = answer.map(|response| response.status().as_u16());
                assert_eq!(status.ok(), Some(200), "{adapter}: {case}, then a delivery");
            }
        }
    }
}

/// A sender that goes on uploading a chunked body after its refusal (over
/// the limit, with a made-up signature of the right form: no secret needed)
/// cannot keep the connection, and the server reading, for as long as it
/// likes: the tower layer's answer closes it within a few seconds. (actix-web
/// 4's dispatcher reads a dropped chunked body to its end whatever the
/// answer says, so it is not in this test; see README.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sender_uploading_past_its_refusal_is_cut_off() {
    let fake = vec![
        ("x-cognigy-signature", "ab".repeat(32)),
        (
            "x-cognigy-timestamp",
            SystemTime::now()
                .duration_since(SystemTime::UNIX_EPOCH)
                .unwrap()
                .as_millis()
                .to_string(),
        ),
    ];
    {
        let (name, addr) = ("axum", axum_with(hex_millis()).await);
        let mut stream = TcpStream::connect(addr).await.unwrap();
        let mut request =
            format!("POST {PATH} HTTP/1.1\r\nhost: test\r\ntransfer-encoding: chunked\r\n");
        for (header, value) in &fake {
            request.push_str(&format!("{header}: {value}\r\n"));
        }
        request.push_str("\r\n");
        stream.write_all(request.as_bytes()).await.unwrap();
        let chunk = format!("10000\r\n{}\r\n", "x".repeat(0x10000));
        let (mut reader, mut writer) = stream.split();
        let upload = async {
            // Up to 64 MiB, as fast as the server takes it; stops when the
            // server closes.
            for _ in 0..1024 {
                if writer.write_all(chunk.as_bytes()).await.is_err() {
                    return true;
                }
            }
            false
        };
        let answer = async {
            let mut received = Vec::new();
            let mut buffer = [0u8; 4096];
            loop {
                match tokio::time::timeout(Duration::from_secs(20), reader.read(&mut buffer)).await
                {
                    Ok(Ok(0)) | Ok(Err(_)) => {
                        return (String::from_utf8_lossy(&received).into_owned(), true);
                    }
                    Ok(Ok(n)) => received.extend_from_slice(&buffer[..n]),
                    Err(_) => return (String::from_utf8_lossy(&received).into_owned(), false),
                }
            }
        };
        let started = std::time::Instant::now();
        let (cut_off, (text, closed)) = tokio::join!(upload, answer);
        assert!(text.starts_with("HTTP/1.1 413"), "{name}: {text}");
        assert!(
            cut_off && closed,
            "{name}: the server read on for {:?}",
            started.elapsed()
        );
        assert!(
            started.elapsed() < Duration::from_secs(8),
            "{name}: {:?}",
            started.elapsed()
        );
    }
}
