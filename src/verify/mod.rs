//! The framework-free core: profiles are data, one routine verifies them
//! all, and nothing here knows HTTP crates or async runtimes.

pub(crate) mod clock;
pub(crate) mod error;
pub(crate) mod head;
pub(crate) mod headers;
pub(crate) mod lane;
pub(crate) mod pairs;
pub(crate) mod profile;
pub(crate) mod profile_name;
pub(crate) mod secret;
pub(crate) mod signature;
pub(crate) mod signer;
pub(crate) mod timestamp;
pub(crate) mod verified;
pub(crate) mod verifier;
