//! Typed payloads of Cognigy's own endpoints, both directions (feature
//! `payload`).
//!
//! | type | what it is | direction |
//! |---|---|---|
//! | [`WebhookOutput`] | what a Cognigy **Webhook Endpoint** POSTs to your URL (verify with the `basic-auth` profile) | Cognigy → you |
//! | [`EndpointMessage`] | a user message you POST **into** a REST or Webhook endpoint | you → Cognigy |
//! | [`InjectMessage`] | the body of the Inject and Notify APIs | you → Cognigy |
//! | [`CallHook`] | Voice Gateway's (jambonz's) initial call webhook (verify with `voice-gateway`) | Voice Gateway → you |
//! | [`CallStatus`] | Voice Gateway's call-status webhook (verify with `voice-gateway`) | Voice Gateway → you |
//!
//! Field names are exactly as sent. Every type keeps the fields it does not
//! know in `extra`, so a field a newer Cognigy adds is neither lost nor
//! fatal, and serialises back with the rest. With `VerifiedJson<T>` a missing
//! required field is refused with 400 `invalid_payload` naming its JSON path.
//!
//! ```
//! use cognigy_webhook::payload::WebhookOutput;
//!
//! let output: WebhookOutput = serde_json::from_str(
//!     r#"{"userId":"u-1","sessionId":"s-1","AIOutput":{"text":"Hello","data":{},"source":"bot"}}"#,
//! )?;
//! assert_eq!(output.ai_output.text.as_deref(), Some("Hello"));
//! # Ok::<(), serde_json::Error>(())
//! ```

mod endpoint;
mod voice_gateway;

pub use endpoint::{
    AiOutput, Attachment, EndpointMessage, InjectMessage, MissingContent, WebhookOutput,
};
pub use voice_gateway::{CallHook, CallStatus};

/// Fields a type does not name, kept as received.
pub type Extra = serde_json::Map<String, serde_json::Value>;
