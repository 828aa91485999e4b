//! A profile's name, cheap to clone.

use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::Deref;
use std::sync::Arc;

/// A profile's name, as [`Verified`](crate::Verified) holds it and the
/// adapters' audit events report it. Dereferences to `str`; displays and
/// compares as the name.
///
/// Every verification hands one out, so cloning is cheap: the presets'
/// names are static (no reference count to touch), a custom profile's is
/// shared.
#[derive(Clone)]
pub struct ProfileName(Repr);

#[derive(Clone)]
enum Repr {
    Static(&'static str),
    Shared(Arc<str>),
}

impl ProfileName {
    /// A preset's name.
    pub(crate) const fn from_static(name: &'static str) -> Self {
        ProfileName(Repr::Static(name))
    }

    /// A custom profile's name.
    pub(crate) fn shared(name: String) -> Self {
        ProfileName(Repr::Shared(name.into()))
    }

    /// The name, e.g. `hex-millis`.
    pub fn as_str(&self) -> &str {
        match &self.0 {
            Repr::Static(name) => name,
            Repr::Shared(name) => name,
        }
    }
}

impl Deref for ProfileName {
    type Target = str;

    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for ProfileName {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl PartialEq for ProfileName {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for ProfileName {}

impl PartialEq<str> for ProfileName {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for ProfileName {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl Hash for ProfileName {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl fmt::Display for ProfileName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for ProfileName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

/// A metrics label without a copy: borrowed for the presets, shared for a
/// custom profile.
#[cfg(feature = "audit")]
impl From<ProfileName> for metrics::SharedString {
    fn from(name: ProfileName) -> Self {
        match name.0 {
            Repr::Static(name) => metrics::SharedString::const_str(name),
            Repr::Shared(name) => metrics::SharedString::from(name),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::hash_map::DefaultHasher;

    use super::*;

    fn hash(name: &ProfileName) -> u64 {
        let mut hasher = DefaultHasher::new();
        name.hash(&mut hasher);
        hasher.finish()
    }

    #[test]
    fn static_and_shared_names_behave_as_the_same_string() {
        let preset = ProfileName::from_static("hex-millis");
        let custom = ProfileName::shared("hex-millis".to_owned());
        assert_eq!(preset, custom);
        assert_eq!(hash(&preset), hash(&custom));
        assert_eq!(preset, "hex-millis");
        assert_eq!(custom.len(), 10);
        assert_eq!(format!("{custom} {preset:?}"), r#"hex-millis "hex-millis""#);
        assert_ne!(preset, ProfileName::from_static("api-key"));
    }
}
