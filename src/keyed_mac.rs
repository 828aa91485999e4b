//! HMAC-SHA256 keyed once per secret and run per request at the block level
//! of the `hmac` crate.

use std::mem::ManuallyDrop;

use hmac::KeyInit;
use hmac::block_api::HmacCore;
use hmac::digest::Output;
use hmac::digest::block_api::{BlockSizeUser, FixedOutputCore, UpdateCore};
use hmac::digest::block_buffer::EagerBuffer;
use sha2::Sha256;

use crate::signature::DIGEST_LEN;

type Core = HmacCore<Sha256>;

/// One secret's HMAC-SHA256 key schedule: the inner and outer SHA-256 states
/// after the padded key, computed once when the verifier is built, and
/// zeroized when it is dropped (the `zeroize` features of `hmac` and `sha2`).
///
/// Each MAC runs on a copy of these states, fed through `hmac`'s own block
/// API. That copy is not zeroized when it goes: by then both of its states
/// have absorbed the message and the final padding, so neither is the key's
/// any more, while wiping them costs 13 % of a 256-byte MAC and 6 % of a
/// 1 KiB one (`Hmac::clone` + `finalize` against this, interleaved, on the
/// benchmark machine). Zeroizing would not reach the copies the compiler
/// makes on the stack anyway; the key states themselves are wiped.
#[derive(Clone)]
pub(crate) struct KeyedMac(Core);

impl KeyedMac {
    /// The key schedule of `secret` (HMAC takes keys of any length).
    pub(crate) fn new(secret: &[u8]) -> Self {
        KeyedMac(Core::new_from_slice(secret).expect("HMAC accepts keys of any length"))
    }

    /// The HMAC-SHA256 of `pieces` one after the other.
    pub(crate) fn tag(&self, pieces: &[&[u8]]) -> [u8; DIGEST_LEN] {
        let mut core = ManuallyDrop::new(self.0.clone());
        let mut buffer =
            ManuallyDrop::new(EagerBuffer::<<Core as BlockSizeUser>::BlockSize>::default());
        for piece in pieces {
            buffer.digest_blocks(piece, |blocks| core.update_blocks(blocks));
        }
        let mut tag = Output::<Core>::default();
        core.finalize_fixed_core(&mut buffer, &mut tag);
        tag.into()
    }
}

#[cfg(test)]
mod tests {
    use hmac::{Hmac, Mac};

    use super::*;

    #[test]
    fn agrees_with_the_hmac_crate_for_every_split_and_length() {
        for key_len in [0usize, 1, 32, 64, 65, 200] {
            let key: Vec<u8> = (0..key_len).map(|i| i as u8 ^ 0x5a).collect();
            let keyed = KeyedMac::new(&key);
            for len in (0..200).chain([1023, 1024, 1025, 4096]) {
                let message: Vec<u8> = (0..len).map(|i| (i * 7 + 3) as u8).collect();
                let expected: [u8; DIGEST_LEN] = Hmac::<Sha256>::new_from_slice(&key)
                    .unwrap()
                    .chain_update(&message)
                    .finalize()
                    .into_bytes()
                    .into();
                let at = len / 3;
                let (head, tail) = message.split_at(at);
                let (middle, tail) = tail.split_at(tail.len() / 2);
                assert_eq!(keyed.tag(&[&message]), expected, "key {key_len}, len {len}");
                assert_eq!(
                    keyed.tag(&[head, middle, tail]),
                    expected,
                    "key {key_len}, len {len}"
                );
                assert_eq!(keyed.tag(&[b"", &message, b""]), expected);
            }
        }
    }
}
