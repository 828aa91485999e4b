//! The payloads of Cognigy's REST and Webhook endpoints and of the Inject
//! and Notify APIs.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::Extra;

/// What a Cognigy Webhook Endpoint POSTs to your webhook URL for each
/// output of the flow (one POST per output), authenticated with Basic Auth.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WebhookOutput {
    /// The user the conversation is with.
    #[serde(rename = "userId")]
    pub user_id: String,
    /// The conversation.
    #[serde(rename = "sessionId")]
    pub session_id: String,
    /// The flow's output.
    #[serde(rename = "AIOutput")]
    pub ai_output: AiOutput,
    /// Documented at the top level by Cognigy's field table (its example
    /// puts it inside `AIOutput`); read both.
    #[serde(
        rename = "disableSensitiveLogging",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub disable_sensitive_logging: Option<bool>,
    /// Fields not named above.
    #[serde(flatten)]
    pub extra: Extra,
}

/// One output of the flow.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AiOutput {
    /// The text, if the output has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// The structured data, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<Value>,
    /// Cognigy's trace id of the message.
    #[serde(rename = "traceId", default, skip_serializing_if = "Option::is_none")]
    pub trace_id: Option<String>,
    /// Whether the output must stay out of logs.
    #[serde(
        rename = "disableSensitiveLogging",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub disable_sensitive_logging: Option<bool>,
    /// Who produced it (`"bot"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Fields not named above.
    #[serde(flatten)]
    pub extra: Extra,
}

impl WebhookOutput {
    /// Whether the output must stay out of logs, wherever Cognigy put the flag.
    pub fn sensitive(&self) -> bool {
        self.disable_sensitive_logging
            .or(self.ai_output.disable_sensitive_logging)
            .unwrap_or(false)
    }
}

/// A user message POSTed into a Cognigy REST or Webhook endpoint:
/// `{userId, sessionId, text, data}`, with text or data (or both).
///
/// Built only with text or data present ([`EndpointMessage::text`],
/// [`EndpointMessage::data`], [`EndpointMessage::new`]); deserialising one
/// without either fails too.
///
/// ```
/// use cognigy_webhook::payload::EndpointMessage;
///
/// let message = EndpointMessage::text("user-1", "session-1", "Where is my order?");
/// assert_eq!(
///     serde_json::to_string(&message)?,
///     r#"{"userId":"user-1","sessionId":"session-1","text":"Where is my order?"}"#
/// );
/// assert!(EndpointMessage::new("user-1", "session-1", None, None).is_err());
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "RawEndpointMessage")]
pub struct EndpointMessage {
    /// The user.
    #[serde(rename = "userId")]
    pub user_id: String,
    /// The conversation.
    #[serde(rename = "sessionId")]
    pub session_id: String,
    /// The user's text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    text: Option<String>,
    /// Structured data for the flow.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    data: Option<Value>,
    /// Fields not named above.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A message with neither text nor data, which Cognigy refuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a message to a Cognigy endpoint needs text or data")]
pub struct MissingContent;

impl EndpointMessage {
    /// A message with `text` or `data` (or both); neither is [`MissingContent`].
    pub fn new(
        user_id: impl Into<String>,
        session_id: impl Into<String>,
        text: Option<String>,
        data: Option<Value>,
    ) -> Result<Self, MissingContent> {
        if text.is_none() && data.is_none() {
            return Err(MissingContent);
        }
        Ok(EndpointMessage {
            user_id: user_id.into(),
            session_id: session_id.into(),
            text,
            data,
            extra: Extra::new(),
        })
    }

    /// A text message.
    pub fn text(
        user_id: impl Into<String>,
        session_id: impl Into<String>,
        text: impl Into<String>,
    ) -> Self {
        EndpointMessage {
            user_id: user_id.into(),
            session_id: session_id.into(),
            text: Some(text.into()),
            data: None,
            extra: Extra::new(),
        }
    }

    /// A message of structured data only.
    pub fn data(user_id: impl Into<String>, session_id: impl Into<String>, data: Value) -> Self {
        EndpointMessage {
            user_id: user_id.into(),
            session_id: session_id.into(),
            text: None,
            data: Some(data),
            extra: Extra::new(),
        }
    }

    /// Adds data to a text message.
    #[must_use]
    pub fn with_data(mut self, data: Value) -> Self {
        self.data = Some(data);
        self
    }

    /// The text, if any.
    pub fn text_content(&self) -> Option<&str> {
        self.text.as_deref()
    }

    /// The data, if any.
    pub fn data_content(&self) -> Option<&Value> {
        self.data.as_ref()
    }
}

/// [`EndpointMessage`] as read, before the text-or-data check.
#[derive(Deserialize)]
struct RawEndpointMessage {
    #[serde(rename = "userId")]
    user_id: String,
    #[serde(rename = "sessionId")]
    session_id: String,
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    data: Option<Value>,
    #[serde(flatten)]
    extra: Extra,
}

impl TryFrom<RawEndpointMessage> for EndpointMessage {
    type Error = MissingContent;

    fn try_from(raw: RawEndpointMessage) -> Result<Self, MissingContent> {
        let mut message = EndpointMessage::new(raw.user_id, raw.session_id, raw.text, raw.data)?;
        message.extra = raw.extra;
        Ok(message)
    }
}

/// The body of Cognigy's Inject and Notify APIs: a message injected into a
/// conversation's flow (Inject) or sent to the user as the agent's output
/// (Notify), addressed by the endpoint's URL token.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InjectMessage {
    /// The user.
    #[serde(rename = "userId")]
    pub user_id: String,
    /// The text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// Structured data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<Value>,
    /// The endpoint's URL token.
    #[serde(rename = "URLToken")]
    pub url_token: String,
    /// The conversation (required by Inject, optional for Notify).
    #[serde(rename = "sessionId", default, skip_serializing_if = "Option::is_none")]
    pub session_id: Option<String>,
    /// Files to show the user (Notify).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attachments: Option<Vec<Attachment>>,
    /// Fields not named above.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A file sent with a Notify message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Attachment {
    /// The file's name.
    pub name: String,
    /// Where the file is.
    pub url: String,
    /// The kind of attachment (`"file"`).
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// A caption.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub caption: Option<String>,
    /// Fields not named above.
    #[serde(flatten)]
    pub extra: Extra,
}

impl InjectMessage {
    /// A text message for the conversation `session_id` of `user_id` on the
    /// endpoint with `url_token`.
    pub fn text(
        user_id: impl Into<String>,
        session_id: impl Into<String>,
        url_token: impl Into<String>,
        text: impl Into<String>,
    ) -> Self {
        InjectMessage {
            user_id: user_id.into(),
            text: Some(text.into()),
            data: None,
            url_token: url_token.into(),
            session_id: Some(session_id.into()),
            attachments: None,
            extra: Extra::new(),
        }
    }
}
