//! How adapters describe a refused request: a kind plus an optional detail.

use std::borrow::Cow;
use std::fmt;

use crate::{Error, ErrorKind};

/// A refused request as an adapter answers it: an [`ErrorKind`] and, for
/// some kinds, a detail safe to show the sender (such as the JSON path of an
/// invalid payload). It never holds a secret or a signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    kind: ErrorKind,
    detail: Option<Cow<'static, str>>,
}

impl Rejection {
    /// A rejection of `kind` without detail.
    pub const fn new(kind: ErrorKind) -> Self {
        Rejection { kind, detail: None }
    }

    /// The same rejection with a detail for the sender.
    #[must_use]
    pub fn with_detail(mut self, detail: impl Into<Cow<'static, str>>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    /// What went wrong.
    pub const fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The stable reason code.
    pub const fn reason(&self) -> &'static str {
        self.kind.reason()
    }

    /// The default HTTP status.
    pub const fn status(&self) -> u16 {
        self.kind.status()
    }

    /// The detail, if any.
    pub fn detail(&self) -> Option<&str> {
        self.detail.as_deref()
    }

    /// The JSON body adapters send by default:
    /// `{"error": "<message>[: <detail>]", "reason": "<code>"}`.
    #[cfg(any(feature = "tower", feature = "actix"))]
    pub fn json_body(&self) -> String {
        serde_json::json!({ "error": self.to_string(), "reason": self.reason() }).to_string()
    }
}

impl From<ErrorKind> for Rejection {
    fn from(kind: ErrorKind) -> Self {
        Rejection::new(kind)
    }
}

impl From<Error> for Rejection {
    fn from(error: Error) -> Self {
        Rejection::new(error.kind())
    }
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.kind.message())?;
        if let Some(detail) = &self.detail {
            write!(f, ": {detail}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Rejection {}
