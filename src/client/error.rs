//! What can go wrong calling the API.

/// A failed API call. It never holds the client secret or a token.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ClientError {
    /// The request could not be sent or its answer not read.
    #[error("transport error: {0}")]
    Transport(String),
    /// The API answered with a status that is not worth retrying (or every
    /// try answered a retryable one): the status and the start of the body.
    #[error("HTTP {status}: {body}")]
    Status {
        /// The HTTP status.
        status: u16,
        /// Up to 512 bytes of the answer, lossily decoded.
        body: String,
    },
    /// The token endpoint's answer has no usable `access_token` and
    /// `expires_in`.
    #[error("the token endpoint's answer is not usable: {0}")]
    Token(String),
    /// A request that is not sent: its path would leave the API's base URL
    /// (or is no URL path at all).
    #[error("invalid request: {0}")]
    InvalidRequest(String),
    /// An answer that should be JSON is not, is larger than
    /// [`MAX_ANSWER_BYTES`](super::MAX_ANSWER_BYTES) (a token endpoint's
    /// answer: 64 KiB), or pagination repeats a token.
    #[error("invalid answer: {0}")]
    InvalidResponse(String),
}
