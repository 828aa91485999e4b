//! The core's header look-up over actix-web's header map (`http` 0.2).

use actix_web::http::header::HeaderMap;

use crate::{HeaderLookup, Lookup};

impl<'a> HeaderLookup<'a> for &'a HeaderMap {
    fn lookup(&self, name: &str) -> Lookup<'a> {
        let mut values = self.get_all(name);
        match (values.next(), values.next()) {
            (None, _) => Lookup::Absent,
            (Some(value), None) => Lookup::One(value.as_bytes()),
            (Some(_), Some(_)) => Lookup::Repeated,
        }
    }
}
