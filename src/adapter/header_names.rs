//! Header look-ups by names parsed once, through the framework's own map.

use std::fmt;
use std::str::FromStr;

use crate::request::CORRELATION_ID_HEADER;
use crate::{HeaderLookup, Lookup, Verifier};

/// A framework's header map, looked up by its own parsed name type.
pub(crate) trait NamedLookup {
    /// The framework's header name (a configured name it refuses is
    /// looked up by string instead).
    type Name: FromStr + Clone;
    /// The values under `name`.
    fn get_named(&self, name: &Self::Name) -> Lookup<'_>;
    /// The values under a name given as a string.
    fn get_str(&self, name: &str) -> Lookup<'_>;
}

/// The names looked up on every request (`Content-Length`, the correlation
/// id, each accepted profile's credential and timestamp headers), parsed
/// once into the framework's name type when the middleware is built.
#[derive(Clone)]
pub(crate) struct HeaderNames<M: NamedLookup> {
    names: Box<[(Box<str>, M::Name)]>,
}

impl<M: NamedLookup> HeaderNames<M> {
    pub(crate) fn new(verifier: &Verifier) -> Self {
        let mut wanted = vec!["content-length", CORRELATION_ID_HEADER];
        for profile in verifier.profiles() {
            wanted.push(profile.credential_header());
            wanted.extend(profile.timestamp_header());
        }
        let names = wanted
            .into_iter()
            .filter_map(|name| Some((Box::from(name), name.parse().ok()?)))
            .collect();
        HeaderNames { names }
    }

    /// `map` as the core's header look-up.
    pub(crate) fn of<'a>(&'a self, map: &'a M) -> RequestHeaders<'a, M> {
        RequestHeaders { map, names: self }
    }
}

impl<M: NamedLookup> fmt::Debug for HeaderNames<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.names.iter().map(|(name, _)| name))
            .finish()
    }
}

/// A request's header map with the parsed names: what a driver hands to the
/// core as its [`HeaderLookup`].
pub(crate) struct RequestHeaders<'a, M: NamedLookup> {
    map: &'a M,
    names: &'a HeaderNames<M>,
}

impl<M: NamedLookup> Clone for RequestHeaders<'_, M> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<M: NamedLookup> Copy for RequestHeaders<'_, M> {}

impl<'a, M: NamedLookup> HeaderLookup<'a> for RequestHeaders<'a, M> {
    fn lookup(&self, name: &str) -> Lookup<'a> {
        match self.names.names.iter().find(|(known, _)| **known == *name) {
            Some((_, parsed)) => self.map.get_named(parsed),
            None => self.map.get_str(name),
        }
    }
}
