//! The core's header look-up over actix-web's header map (`http` 0.2).

use actix_web::http::header::{HeaderMap, HeaderName, HeaderValue};

use crate::adapter::RequestHeaders;
use crate::headers::lookup_values;
use crate::{HeaderLookup, Lookup};

impl<'a> HeaderLookup<'a> for &'a HeaderMap {
    fn lookup(&self, name: &str) -> Lookup<'a> {
        lookup_values(self.get_all(name).map(HeaderValue::as_bytes))
    }
}

/// The middleware's look-up: what the scan found, for a known name.
impl<'a> HeaderLookup<'a> for &RequestHeaders<'a, HeaderMap, HeaderName> {
    fn lookup(&self, name: &str) -> Lookup<'a> {
        self.found
            .get(name)
            .unwrap_or_else(|| self.map.lookup(name))
    }
}
