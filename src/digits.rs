//! Runs of ASCII digits as integers, eight digits at a time.

const ONES: u64 = 0x0101_0101_0101_0101;

/// A non-empty run of ASCII digits as a `u64`, or `None` on anything else
/// (signs, spaces, an empty run) or on overflow.
///
/// Eight digits are validated and combined at once in a `u64` (SWAR), so
/// the thirteen digits of a Unix-milliseconds timestamp take one word and
/// five single steps instead of thirteen dependent multiply-adds.
pub(crate) fn parse_u64(digits: &[u8]) -> Option<u64> {
    /// Any 19 digits fit in a `u64`; longer runs take the checked path.
    const ALWAYS_FITS: usize = 19;
    if digits.is_empty() {
        return None;
    }
    let (head, tail) = digits.split_at(digits.len().min(ALWAYS_FITS));
    // The leading digits that do not fill a word, then whole words.
    let (lead, words) = head.split_at(head.len() % 8);
    let mut value = 0u64;
    let mut invalid = false;
    for &b in lead {
        let digit = b.wrapping_sub(b'0');
        invalid |= digit > 9;
        value = value * 10 + u64::from(digit & 0x0F);
    }
    for word in words.as_chunks::<8>().0 {
        let (eight, bad) = eight_digits(u64::from_le_bytes(*word));
        invalid |= bad;
        value = value.wrapping_mul(100_000_000).wrapping_add(eight);
    }
    if invalid {
        return None;
    }
    tail.iter().try_fold(value, |acc, &b| {
        let digit = b.wrapping_sub(b'0');
        if digit > 9 {
            return None;
        }
        acc.checked_mul(10)?.checked_add(u64::from(digit))
    })
}

/// Eight ASCII digits (the first, most significant, in the lowest byte) →
/// their value, and whether any byte was not a digit (the value is then
/// meaningless).
fn eight_digits(word: u64) -> (u64, bool) {
    // A digit is 0x30..=0x39: high nibble 3, and a low nibble that does not
    // carry when 6 is added (no carry crosses a byte once the high nibble
    // is known to be 3).
    let high_nibbles_ok = word & (ONES * 0xF0) == ONES * 0x30;
    let low_nibbles_ok = word.wrapping_add(ONES * 0x06) & (ONES * 0xF0) == ONES * 0x30;
    let digits = word.wrapping_sub(ONES * 0x30);
    // Neighbouring digits into two-digit values (in the even bytes), then
    // those into one number.
    let pairs = digits.wrapping_mul(10).wrapping_add(digits >> 8);
    let low = pairs & 0x0000_00FF_0000_00FF;
    let high = (pairs >> 16) & 0x0000_00FF_0000_00FF;
    let value = low
        .wrapping_mul(100 + (1_000_000 << 32))
        .wrapping_add(high.wrapping_mul(1 + (10_000 << 32)))
        >> 32;
    (value, !(high_nibbles_ok && low_nibbles_ok))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reference(digits: &[u8]) -> Option<u64> {
        if digits.first() == Some(&b'+') {
            return None;
        }
        std::str::from_utf8(digits).ok()?.parse().ok()
    }

    #[test]
    fn agrees_with_the_standard_library_on_every_length_and_every_byte_in_every_position() {
        let base = b"1234567890987654321012345";
        for len in 0..=base.len() {
            assert_eq!(parse_u64(&base[..len]), reference(&base[..len]), "{len}");
            for position in 0..len {
                for byte in 0..=255u8 {
                    let mut value = *base;
                    value[position] = byte;
                    let value = &value[..len];
                    assert_eq!(parse_u64(value), reference(value), "{value:?}");
                }
            }
        }
    }

    #[test]
    fn limits() {
        assert_eq!(parse_u64(b"18446744073709551615"), Some(u64::MAX));
        assert_eq!(parse_u64(b"18446744073709551616"), None);
        assert_eq!(parse_u64(b"99999999999999999999"), None);
        assert_eq!(parse_u64(b"0000000000000000000000000042"), Some(42));
        assert_eq!(
            parse_u64(b"9999999999999999999"),
            Some(9_999_999_999_999_999_999)
        );
        assert_eq!(parse_u64(b"00000000"), Some(0));
        assert_eq!(parse_u64(b"99999999"), Some(99_999_999));
    }
}
