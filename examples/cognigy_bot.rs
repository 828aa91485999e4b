//! Both directions of a Cognigy Webhook Endpoint, end to end: receive what
//! the endpoint sends to your URL (Basic Auth verified, the output typed as
//! `payload::WebhookOutput`), and answer as the user by sending the next
//! message into the endpoint with `client::EndpointClient`.
//!
//! The "user" here follows a script (`COGNIGY_BOT_SCRIPT`, messages separated
//! by `|`): for each conversation, each output of the flow is answered with
//! the script's next message, until the script runs out. Put your own logic
//! in `next_message`.
//!
//! ```sh
//! COGNIGY_WEBHOOK_SECRET='cognigy:basic-auth-password' \
//! COGNIGY_ENDPOINT_URL=https://endpoint-trial.cognigy.ai/4a6e… \
//! COGNIGY_WEBHOOK_KEY=… COGNIGY_BOT_SCRIPT='hi|order 12345|thanks' \
//!   cargo run --example cognigy_bot --features axum,client
//! ```
//!
//! | variable | meaning | default |
//! |---|---|---|
//! | `COGNIGY_WEBHOOK_SECRET` | `user:password` of the endpoint's Basic Auth | required |
//! | `COGNIGY_ENDPOINT_URL` | the endpoint's URL, where the user's messages go | required |
//! | `COGNIGY_WEBHOOK_KEY` | the endpoint's API key (`X-Webhook-Key`), if it has one | none |
//! | `COGNIGY_BOT_SCRIPT` | the user's messages, `|`-separated | `hello|thanks` |
//! | `HOST`, `PORT`, `COGNIGY_WEBHOOK_PATH` | where to listen | `0.0.0.0`, `8080`, `/webhooks/cognigy` |
//!
//! Set the Webhook Endpoint's "Webhook" URL to this receiver and its Basic
//! Auth user and password to the secret's two halves. Each output is
//! answered 200 at once; the next message is sent in the background, with
//! the delivery's correlation id.

use std::collections::HashMap;
use std::process::ExitCode;
use std::sync::{Arc, Mutex, PoisonError};

use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use cognigy_webhook::axum::VerifiedJson;
use cognigy_webhook::client::EndpointClient;
use cognigy_webhook::config::SECRET_VAR;
use cognigy_webhook::payload::{EndpointMessage, WebhookOutput};
use cognigy_webhook::tower::VerifyWebhookLayer;
use cognigy_webhook::{CorrelationId, Profile, Secret, Verifier};
use serde_json::{Value, json};

#[path = "shared/listen.rs"]
mod listen;
use listen::Listen;

/// The user's side of every conversation.
#[derive(Clone)]
struct Bot {
    endpoint: EndpointClient,
    script: Arc<Vec<String>>,
    /// How many script messages each session has had.
    sent: Arc<Mutex<HashMap<String, usize>>>,
}

impl Bot {
    /// The user's answer to `output`, if the script has one left.
    fn next_message(&self, output: &WebhookOutput) -> Option<EndpointMessage> {
        let mut sent = self.sent.lock().unwrap_or_else(PoisonError::into_inner);
        let count = sent.entry(output.session_id.clone()).or_insert(0);
        let text = self.script.get(*count)?;
        *count += 1;
        Some(EndpointMessage::text(
            output.user_id.clone(),
            output.session_id.clone(),
            text.clone(),
        ))
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    let var = |name: &str| std::env::var(name).ok().filter(|value| !value.is_empty());
    let credentials =
        var(SECRET_VAR).ok_or("COGNIGY_WEBHOOK_SECRET (user:password) is required")?;
    // The builder refuses a secret that is not `user:password`.
    let verifier = Verifier::builder(Profile::basic_auth())
        .secret(Secret::from_env_value(SECRET_VAR, &credentials)?)
        .build()?;
    let endpoint_url = var("COGNIGY_ENDPOINT_URL").ok_or("COGNIGY_ENDPOINT_URL is required")?;
    let mut endpoint = EndpointClient::new(&endpoint_url)?;
    if let Some(key) = var("COGNIGY_WEBHOOK_KEY") {
        endpoint = endpoint.with_webhook_key(Secret::from_env_value("COGNIGY_WEBHOOK_KEY", &key)?);
    }
    let script = var("COGNIGY_BOT_SCRIPT").unwrap_or_else(|| "hello|thanks".into());
    let bot = Bot {
        endpoint,
        script: Arc::new(script.split('|').map(str::to_owned).collect()),
        sent: Arc::default(),
    };
    let listen = Listen::from_env()?;
    let app = Router::new()
        .route(&listen.path, post(receive))
        .route_layer(VerifyWebhookLayer::new(verifier))
        .with_state(bot);
    let listener = tokio::net::TcpListener::bind((listen.host, listen.port)).await?;
    eprintln!(
        "cognigy_bot: listening on {}{}",
        listener.local_addr()?,
        listen.path
    );
    axum::serve(listener, app).await?;
    Ok(())
}

/// One output of the flow, verified: answered at once, the user's next
/// message sent in the background.
async fn receive(
    State(bot): State<Bot>,
    correlation: Option<CorrelationId>,
    VerifiedJson(output): VerifiedJson<WebhookOutput>,
) -> Json<Value> {
    if !output.sensitive() {
        eprintln!(
            "cognigy_bot: {} says {:?}",
            output.session_id,
            output.ai_output.text.as_deref().unwrap_or("")
        );
    }
    let next = bot.next_message(&output);
    let answering = next.is_some();
    if let Some(message) = next {
        tokio::spawn(async move {
            if let Err(error) = bot.endpoint.send(&message, correlation.as_ref()).await {
                eprintln!("cognigy_bot: sending the next message failed: {error}");
            }
        });
    }
    Json(json!({ "status": "received", "answering": answering }))
}
