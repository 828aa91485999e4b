//! Gathering a streamed request body under a limit, without copying the
//! usual one-chunk body.

use bytes::{Bytes, BytesMut};

use crate::ErrorKind;

/// The chunks of one body so far. A body that arrives in one chunk (the
/// usual delivery of a few KiB) stays that chunk, shared with the framework
/// and never copied; a second chunk starts a buffer. No `Debug`: it holds
/// a request body.
pub(crate) struct BodyBuffer {
    limit: usize,
    first: Option<Bytes>,
    rest: BytesMut,
}

impl BodyBuffer {
    /// An empty body that may grow to `limit` bytes.
    pub(crate) fn new(limit: usize) -> Self {
        BodyBuffer {
            limit,
            first: None,
            rest: BytesMut::new(),
        }
    }

    /// Appends `chunk`; refuses one that would take the body past the limit
    /// (it is then not appended).
    pub(crate) fn push(&mut self, chunk: Bytes) -> Result<(), ErrorKind> {
        let held = self.first.as_ref().map_or(0, Bytes::len) + self.rest.len();
        if chunk.len() > self.limit - held {
            return Err(ErrorKind::BodyTooLarge);
        }
        match self.first.take() {
            None if self.rest.is_empty() => self.first = Some(chunk),
            None => self.rest.extend_from_slice(&chunk),
            Some(first) => {
                self.rest.reserve(first.len() + chunk.len());
                self.rest.extend_from_slice(&first);
                self.rest.extend_from_slice(&chunk);
            }
        }
        Ok(())
    }

    /// The whole body.
    pub(crate) fn finish(self) -> Bytes {
        self.first.unwrap_or_else(|| self.rest.freeze())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_chunk_is_kept_without_a_copy() {
        let chunk = Bytes::from(vec![7u8; 1024]);
        let address = chunk.as_ptr();
        let mut body = BodyBuffer::new(1024);
        body.push(chunk).unwrap();
        let whole = body.finish();
        assert_eq!(whole.as_ptr(), address);
        assert_eq!(whole.len(), 1024);
    }

    #[test]
    fn chunks_are_joined_in_order_up_to_the_limit() {
        let mut body = BodyBuffer::new(10);
        for chunk in ["", "abc", "", "defg", "hij"] {
            body.push(Bytes::from_static(chunk.as_bytes())).unwrap();
        }
        assert_eq!(
            body.push(Bytes::from_static(b"k")),
            Err(ErrorKind::BodyTooLarge)
        );
        assert_eq!(body.finish(), "abcdefghij");
        assert_eq!(BodyBuffer::new(0).finish(), "");
        let mut tiny = BodyBuffer::new(2);
        assert_eq!(
            tiny.push(Bytes::from_static(b"abc")),
            Err(ErrorKind::BodyTooLarge)
        );
    }
}
