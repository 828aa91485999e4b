//! The core's header look-up over actix-web's header map (`http` 0.2).

use actix_web::http::header::{HeaderMap, HeaderName, HeaderValue};

use crate::adapter::NamedLookup;
use crate::verify::headers::lookup_values;
use crate::{HeaderLookup, Lookup};

impl<'a> HeaderLookup<'a> for &'a HeaderMap {
    fn lookup(&self, name: &str) -> Lookup<'a> {
        lookup_values(self.get_all(name).map(HeaderValue::as_bytes))
    }
}

impl NamedLookup for HeaderMap {
    type Name = HeaderName;

    fn get_named(&self, name: &Self::Name) -> Lookup<'_> {
        lookup_values(self.get_all(name).map(HeaderValue::as_bytes))
    }

    fn get_str(&self, name: &str) -> Lookup<'_> {
        self.lookup(name)
    }
}
