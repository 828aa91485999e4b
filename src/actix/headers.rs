//! The core's header look-up over actix-web's header map (`http` 0.2).

use actix_web::http::header::{HeaderMap, HeaderValue};

use crate::headers::lookup_values;
use crate::{HeaderLookup, Lookup};

impl<'a> HeaderLookup<'a> for &'a HeaderMap {
    fn lookup(&self, name: &str) -> Lookup<'a> {
        lookup_values(self.get_all(name).map(HeaderValue::as_bytes))
    }
}
