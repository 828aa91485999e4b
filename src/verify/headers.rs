//! A header look-up that ties the core to no HTTP crate or version.

/// What a header look-up found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lookup<'a> {
    /// The header is not present.
    Absent,
    /// The header is present exactly once, with this raw value.
    One(&'a [u8]),
    /// The header is present more than once. The verifier treats a repeated
    /// signature or timestamp header as malformed instead of guessing which
    /// copy counts.
    Repeated,
}

/// Finds request headers by name, case-insensitively.
///
/// The core takes this instead of a concrete header map, so it works with
/// `http` 1 (axum, hyper 1), `http` 0.2 (actix-web 4) or anything else.
/// Implemented for:
///
/// - slices, arrays and vectors of `(name, value)` pairs, where the name is
///   any `AsRef<str>` and the value any `AsRef<[u8]>`;
/// - `&http::HeaderMap` with the `http` feature;
/// - [`SignedHeaders`](crate::profile::SignedHeaders), the output of the signer;
/// - any closure `Fn(&str) -> Lookup<'a>`.
///
/// ```
/// use cognigy_webhook::{HeaderLookup, Lookup};
///
/// let pairs = [("X-Cognigy-Signature", "abc"), ("x-cognigy-signature", "def")];
/// assert_eq!((&pairs).lookup("x-cognigy-timestamp"), Lookup::Absent);
/// assert_eq!((&pairs).lookup("X-COGNIGY-SIGNATURE"), Lookup::Repeated);
///
/// let closure = |name: &str| match name {
///     "X-Cognigy-Timestamp" => Lookup::One(b"1698765432100"),
///     _ => Lookup::Absent,
/// };
/// assert_eq!(closure.lookup("X-Cognigy-Timestamp"), Lookup::One(b"1698765432100"));
/// ```
pub trait HeaderLookup<'a> {
    /// Looks up `name`, ignoring ASCII case.
    fn lookup(&self, name: &str) -> Lookup<'a>;
}

/// Whether two header names are equal but for ASCII case, looking at their
/// last bytes first: a profile's names share long prefixes
/// (`X-Cognigy-Webhook-Signature`, `X-Cognigy-Webhook-Timestamp`).
fn same_name(a: &[u8], b: &[u8]) -> bool {
    let last = |name: &[u8]| name.last().map(u8::to_ascii_lowercase);
    a.len() == b.len() && last(a) == last(b) && a.eq_ignore_ascii_case(b)
}

impl<'a, N, V> HeaderLookup<'a> for &'a [(N, V)]
where
    N: AsRef<str>,
    V: AsRef<[u8]>,
{
    /// Finds `name` in the pairs, noticing repeats.
    fn lookup(&self, name: &str) -> Lookup<'a> {
        let mut found = Lookup::Absent;
        for (candidate, value) in *self {
            if same_name(candidate.as_ref().as_bytes(), name.as_bytes()) {
                if found != Lookup::Absent {
                    return Lookup::Repeated;
                }
                found = Lookup::One(value.as_ref());
            }
        }
        found
    }
}

impl<'a, N, V, const LEN: usize> HeaderLookup<'a> for &'a [(N, V); LEN]
where
    N: AsRef<str>,
    V: AsRef<[u8]>,
{
    fn lookup(&self, name: &str) -> Lookup<'a> {
        self.as_slice().lookup(name)
    }
}

impl<'a, N, V> HeaderLookup<'a> for &'a Vec<(N, V)>
where
    N: AsRef<str>,
    V: AsRef<[u8]>,
{
    fn lookup(&self, name: &str) -> Lookup<'a> {
        self.as_slice().lookup(name)
    }
}

impl<'a, F> HeaderLookup<'a> for F
where
    F: Fn(&str) -> Lookup<'a>,
{
    fn lookup(&self, name: &str) -> Lookup<'a> {
        self(name)
    }
}

/// The look-up result for the values a header map holds under one name.
#[cfg(any(feature = "http", feature = "actix"))]
pub(crate) fn lookup_values<'a>(mut values: impl Iterator<Item = &'a [u8]>) -> Lookup<'a> {
    match (values.next(), values.next()) {
        (None, _) => Lookup::Absent,
        (Some(value), None) => Lookup::One(value),
        (Some(_), Some(_)) => Lookup::Repeated,
    }
}

#[cfg(feature = "http")]
impl<'a> HeaderLookup<'a> for &'a http::HeaderMap {
    fn lookup(&self, name: &str) -> Lookup<'a> {
        lookup_values(self.get_all(name).iter().map(http::HeaderValue::as_bytes))
    }
}

#[cfg(all(test, feature = "http"))]
mod tests {
    use super::*;

    #[test]
    fn header_map_lookup_is_case_insensitive_and_sees_repeats() {
        let mut map = http::HeaderMap::new();
        map.insert("x-cognigy-signature", http::HeaderValue::from_static("abc"));
        map.append("x-cognigy-timestamp", http::HeaderValue::from_static("1"));
        map.append("x-cognigy-timestamp", http::HeaderValue::from_static("2"));
        assert_eq!((&map).lookup("X-Cognigy-Signature"), Lookup::One(b"abc"));
        assert_eq!((&map).lookup("X-Cognigy-Timestamp"), Lookup::Repeated);
        assert_eq!((&map).lookup("X-Missing"), Lookup::Absent);
        assert_eq!((&map).lookup("not a header name"), Lookup::Absent);
    }
}
