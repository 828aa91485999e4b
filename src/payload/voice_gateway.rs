//! Cognigy Voice Gateway's (jambonz's) webhooks, as jambonz documents and
//! sends them. Verify them with the `voice-gateway` profile; only POST hooks
//! carry a body that can be verified.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::Extra;

/// The initial call webhook: a new call, inbound or outbound.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CallHook {
    /// jambonz's id of the call.
    pub call_sid: String,
    /// `inbound` or `outbound`.
    pub direction: String,
    /// The calling number or URI.
    pub from: String,
    /// The called number or URI.
    pub to: String,
    /// The SIP Call-ID.
    pub call_id: String,
    /// The call's state (`trying`, `ringing`, `early-media`, `in-progress`,
    /// `completed`, `failed`, `busy`, `no-answer`, `queued`).
    pub call_status: String,
    /// The account.
    pub account_sid: String,
    /// The application the call is for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub application_sid: Option<String>,
    /// The caller's display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub caller_name: Option<String>,
    /// The SIP status so far (100 for an inbound call that has just arrived).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sip_status: Option<u16>,
    /// The SIP reason phrase.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sip_reason: Option<String>,
    /// The session border controller's Call-ID.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sbc_callid: Option<String>,
    /// The trace id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trace_id: Option<String>,
    /// Where the call came from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub originating_sip_ip: Option<String>,
    /// The carrier trunk it came through.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub originating_sip_trunk_name: Option<String>,
    /// The feature server's SIP address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub local_sip_address: Option<String>,
    /// The service provider.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_provider_sid: Option<String>,
    /// Default speech synthesizer and recognizer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub defaults: Option<Value>,
    /// The application's environment variables.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub env_vars: Option<Value>,
    /// The SIP INVITE (headers, method, URI, body).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sip: Option<Value>,
    /// Fields not named above.
    #[serde(flatten)]
    pub extra: Extra,
}

/// The call-status webhook: the call changed state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CallStatus {
    /// jambonz's id of the call.
    pub call_sid: String,
    /// `inbound` or `outbound`.
    pub direction: String,
    /// The calling number or URI.
    pub from: String,
    /// The called number or URI.
    pub to: String,
    /// The SIP Call-ID.
    pub call_id: String,
    /// The new state (see [`CallHook::call_status`]).
    pub call_status: String,
    /// The account.
    pub account_sid: String,
    /// The SIP status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sip_status: Option<u16>,
    /// The SIP reason phrase.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sip_reason: Option<String>,
    /// The application the call is for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub application_sid: Option<String>,
    /// The session border controller's Call-ID.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sbc_callid: Option<String>,
    /// The caller id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub caller_id: Option<String>,
    /// The trace id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trace_id: Option<String>,
    /// The feature server's SIP address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fs_sip_address: Option<String>,
    /// The call this one was created from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_call_sid: Option<String>,
    /// Who ended the call (`caller`, `jambonz`…).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub call_termination_by: Option<String>,
    /// The call's length in seconds, once completed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration: Option<u64>,
    /// Data the application attached to the call.
    #[serde(
        rename = "customerData",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub customer_data: Option<Value>,
    /// Fields not named above.
    #[serde(flatten)]
    pub extra: Extra,
}
