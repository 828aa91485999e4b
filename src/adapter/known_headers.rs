//! The header names an adapter looks up on every request, parsed once.

use std::fmt;

use crate::{CORRELATION_ID_HEADER, HeaderLookup, Lookup, Verifier};

/// The most names found in one pass over a request's headers; further
/// names (a fourth accepted profile) are looked up one by one.
const MAX_KNOWN: usize = 8;

/// The names of the headers looked up on every request (`Content-Length`,
/// the correlation id, each accepted profile's signature and timestamp
/// headers), each parsed once into the framework's own name type `N`.
///
/// A look-up by string makes the header map parse and lower-case the name
/// before hashing it: for the long `X-Cognigy-…` names about 50 ns each on
/// the benchmark machine, four a request. Instead each request's headers
/// are read once for all the known names ([`Found`]): by one pass over the
/// few headers of the request for `http`'s map ([`KnownHeaders::scan`]), by
/// look-ups with the parsed names for actix-web's ([`KnownHeaders::look_up`])
/// (callgrind, tower: 760 instructions a request fewer than look-ups by
/// string, 360 fewer than hashed look-ups by the parsed names).
#[derive(Clone)]
pub(crate) struct KnownHeaders<N> {
    names: Box<[Known<N>]>,
}

#[derive(Clone)]
struct Known<N> {
    /// Where the string the name was given as lives: the verifier asks with
    /// its profiles' own strings, so comparing addresses (never followed)
    /// usually spares comparing contents.
    address: usize,
    name: Box<str>,
    parsed: N,
}

impl<N> KnownHeaders<N> {
    /// The names `verifier` and the adapters look up, parsed by `parse`
    /// (a name it refuses is looked up by string, as any other).
    pub(crate) fn new(verifier: &Verifier, parse: impl Fn(&str) -> Option<N>) -> Self {
        // `Found::content_length` and `Found::correlation_id` rely on this
        // order, and on both names parsing.
        let mut wanted = vec!["content-length", CORRELATION_ID_HEADER];
        for profile in verifier.profiles() {
            wanted.push(profile.credential_header());
            wanted.extend(profile.timestamp_header());
        }
        let names = wanted
            .into_iter()
            .filter_map(|name| {
                Some(Known {
                    address: name.as_ptr() as usize,
                    name: name.into(),
                    parsed: parse(name)?,
                })
            })
            .take(MAX_KNOWN)
            .collect();
        KnownHeaders { names }
    }

    /// What a request's headers hold under each known name, asking `get`
    /// for each: for header maps whose look-up by a parsed name is quicker
    /// than a pass over all their entries (actix-web's hashes names with
    /// aHash; iterating it flattens a map of vectors).
    #[cfg(feature = "actix")]
    pub(crate) fn look_up<'a>(&'a self, get: impl Fn(&'a N) -> Lookup<'a>) -> Found<'a, N> {
        let mut values = [Lookup::Absent; MAX_KNOWN];
        for (value, known) in values.iter_mut().zip(self.names.iter()) {
            *value = get(&known.parsed);
        }
        Found {
            known: self,
            values,
        }
    }

    /// What a request's headers hold under each known name, in one pass
    /// over `entries` (every name and value, repeats included): for header
    /// maps whose look-up hashes the name byte by byte (`http`'s FNV over
    /// the long `X-Cognigy-…` names).
    #[cfg(feature = "tower")]
    pub(crate) fn scan<'a>(
        &'a self,
        entries: impl Iterator<Item = (&'a N, &'a [u8])>,
    ) -> Found<'a, N>
    where
        N: PartialEq,
    {
        let mut values = [Lookup::Absent; MAX_KNOWN];
        for (name, value) in entries {
            let known = self.names.iter().position(|known| known.parsed == *name);
            if let Some(index) = known {
                values[index] = match values[index] {
                    Lookup::Absent => Lookup::One(value),
                    Lookup::One(_) | Lookup::Repeated => Lookup::Repeated,
                };
            }
        }
        Found {
            known: self,
            values,
        }
    }
}

/// What one request's headers hold under the known names.
pub(crate) struct Found<'a, N> {
    known: &'a KnownHeaders<N>,
    values: [Lookup<'a>; MAX_KNOWN],
}

impl<'a, N> Found<'a, N> {
    /// The `Content-Length` header.
    pub(crate) fn content_length(&self) -> Lookup<'a> {
        self.values[0]
    }

    /// The correlation id header.
    pub(crate) fn correlation_id(&self) -> Lookup<'a> {
        self.values[1]
    }

    /// The look-up of `name`, when it is a known name (spelled exactly as
    /// configured); `None` for any other name.
    pub(crate) fn get(&self, name: &str) -> Option<Lookup<'a>> {
        let names = &self.known.names;
        // The verifier asks with its profiles' own strings, which the known
        // names point at too: compare addresses before contents.
        let index = names
            .iter()
            .position(|known| {
                known.address == name.as_ptr() as usize && known.name.len() == name.len()
            })
            .or_else(|| names.iter().position(|known| *known.name == *name))?;
        Some(self.values[index])
    }
}

impl<N> fmt::Debug for KnownHeaders<N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.names.iter().map(|known| &known.name))
            .finish()
    }
}

/// A request's header map and what it holds under the known names: what an
/// adapter hands to the core as its [`HeaderLookup`](crate::HeaderLookup).
pub(crate) struct RequestHeaders<'a, M, N> {
    pub(crate) map: &'a M,
    pub(crate) found: Found<'a, N>,
}

/// What was found for a known name; any other name is looked up in the map.
impl<'a, M, N> HeaderLookup<'a> for &RequestHeaders<'a, M, N>
where
    &'a M: HeaderLookup<'a>,
{
    fn lookup(&self, name: &str) -> Lookup<'a> {
        self.found
            .get(name)
            .unwrap_or_else(|| self.map.lookup(name))
    }
}

#[cfg(all(test, feature = "tower"))]
mod tests {
    use http::HeaderName;

    use super::*;
    use crate::{Profile, Secret, TimestampFormat};

    #[test]
    fn scan_finds_each_known_name_once_repeated_or_absent() {
        let profile = Profile::builder("gateway")
            .hmac_sha256("X-Gateway-Signature")
            .timestamp("X-Ts", TimestampFormat::UnixSeconds)
            .build()
            .unwrap();
        let verifier = Verifier::new(profile, Secret::new("s3cr3t").unwrap());
        let known = KnownHeaders::new(&verifier, |name| {
            HeaderName::from_bytes(name.as_bytes()).ok()
        });
        let header = |name: &str| HeaderName::from_bytes(name.as_bytes()).unwrap();
        let request = [
            (header("host"), "example.com"),
            (header("x-gateway-signature"), "signature"),
            (header("x-tz"), "same length, other name"),
            (header("x-ts"), "1"),
            (header("x-ts"), "2"),
            (header("content-length"), "9"),
            (header("x-gateway-signature-2"), "another name"),
        ];
        let found = known.scan(request.iter().map(|(name, value)| (name, value.as_bytes())));
        assert_eq!(found.content_length(), Lookup::One(b"9"));
        assert_eq!(found.correlation_id(), Lookup::Absent);
        assert_eq!(
            found.get("X-Gateway-Signature"),
            Some(Lookup::One(b"signature"))
        );
        assert_eq!(found.get("X-Ts"), Some(Lookup::Repeated));
        assert_eq!(found.get("X-Other"), None);
    }
}
