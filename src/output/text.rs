//! printf-style field helpers working on bytes, the way glibc counts widths
//! (so a host name with multi-byte characters pads exactly as in C).

/// `%-Ns`: the text, then spaces up to `width` bytes.
pub(crate) fn left(out: &mut Vec<u8>, text: &[u8], width: usize) {
    out.extend_from_slice(text);
    out.resize(out.len() + width.saturating_sub(text.len()), b' ');
}

/// `%Ns`: spaces up to `width` bytes, then the text.
pub(crate) fn right(out: &mut Vec<u8>, text: &[u8], width: usize) {
    out.resize(out.len() + width.saturating_sub(text.len()), b' ');
    out.extend_from_slice(text);
}

/// Appends text as-is (`%s`).
pub(crate) fn put(out: &mut Vec<u8>, text: impl AsRef<[u8]>) {
    out.extend_from_slice(text.as_ref());
}

/// Appends `value` in decimal (`%u`), without the formatting machinery:
/// listings print hundreds of thousands of numbers.
pub(crate) fn push_decimal(out: &mut Vec<u8>, value: u64) {
    // Most numbers listed are address bytes, ports, weights and counts:
    // short ones are appended without a variable-length copy.
    let digit = |v: u64| b'0' + (v % 10) as u8;
    if value < 10 {
        out.push(digit(value));
        return;
    }
    if value < 100 {
        out.extend_from_slice(&[digit(value / 10), digit(value)]);
        return;
    }
    if value < 1000 {
        out.extend_from_slice(&[digit(value / 100), digit(value / 10), digit(value)]);
        return;
    }
    if value < 10000 {
        out.extend_from_slice(&[
            digit(value / 1000),
            digit(value / 100),
            digit(value / 10),
            digit(value),
        ]);
        return;
    }
    let mut digits = [0u8; 20];
    let mut start = digits.len();
    let mut rest = value;
    loop {
        start -= 1;
        digits[start] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[start..]);
}

/// Appends `value` in decimal with a sign when negative (`%d`).
pub(crate) fn push_signed(out: &mut Vec<u8>, value: i64) {
    if value < 0 {
        out.push(b'-');
    }
    push_decimal(out, value.unsigned_abs());
}

/// `%-Nu`: `value` in decimal, then spaces up to `width` bytes.
#[inline(always)]
pub(crate) fn left_decimal(out: &mut Vec<u8>, value: u64, width: usize) {
    if value < 10 {
        left_digit(out, value as u8, width);
    } else {
        let start = out.len();
        push_decimal(out, value);
        pad_to(out, start, width);
    }
}

/// One digit left-aligned in a field (a listing's counts and weights are
/// mostly single digits): the field appended in one piece when `width` is
/// known where this is inlined.
#[inline(always)]
fn left_digit(out: &mut Vec<u8>, digit: u8, width: usize) {
    const MAX_WIDTH: usize = 16;
    if (1..=MAX_WIDTH).contains(&width) {
        let mut field = [b' '; MAX_WIDTH];
        field[0] = b'0' + digit;
        out.extend_from_slice(&field[..width]);
    } else {
        let start = out.len();
        out.push(b'0' + digit);
        pad_to(out, start, width);
    }
}

/// Spaces after what was appended from `start` up to `width` bytes.
fn pad_to(out: &mut Vec<u8>, start: usize, width: usize) {
    let len = out.len() - start;
    out.resize(out.len() + width.saturating_sub(len), b' ');
}

/// `%Nu`: spaces up to `width` bytes, then `value` in decimal.
pub(crate) fn right_decimal(out: &mut Vec<u8>, value: u64, width: usize) {
    let mut digits = Vec::with_capacity(20);
    push_decimal(&mut digits, value);
    right(out, &digits, width);
}

/// `%-Nd`: like [`left_decimal`], with a sign when negative.
#[inline(always)]
pub(crate) fn left_signed(out: &mut Vec<u8>, value: i64, width: usize) {
    if (0..10).contains(&value) {
        left_digit(out, value as u8, width);
    } else {
        let start = out.len();
        push_signed(out, value);
        pad_to(out, start, width);
    }
}

/// ipvsadm's `print_largenum`: a counter in a 9-column field.
///
/// With `--exact` the number is printed in full after one space (at least 9
/// columns). Otherwise numbers below 100 million are printed in full and
/// larger ones scaled down (integer division) with a K, M, G or T suffix so
/// that they fit in 8 digits.
pub(crate) fn largenum(out: &mut Vec<u8>, value: u64, exact: bool) {
    if exact {
        let digits = value.to_string();
        let width = if digits.len() <= 8 {
            9
        } else {
            digits.len() + 1
        };
        right(out, digits.as_bytes(), width);
        return;
    }
    let text = if value < 100_000_000 {
        format!("{value:9}")
    } else if value < 1_000_000_000 {
        format!("{:8}K", value / 1_000)
    } else if value < 100_000_000_000 {
        format!("{:8}M", value / 1_000_000)
    } else if value < 100_000_000_000_000 {
        format!("{:8}G", value / 1_000_000_000)
    } else {
        format!("{:8}T", value / 1_000_000_000_000)
    };
    put(out, text);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn num(value: u64, exact: bool) -> String {
        let mut out = Vec::new();
        largenum(&mut out, value, exact);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn largenum_scaling_boundaries() {
        assert_eq!(num(0, false), "        0");
        assert_eq!(num(999, false), "      999");
        assert_eq!(num(1_000, false), "     1000");
        assert_eq!(num(99_999_999, false), " 99999999");
        assert_eq!(num(100_000_000, false), "  100000K");
        assert_eq!(num(999_999_999, false), "  999999K");
        assert_eq!(num(1_000_000_000, false), "    1000M");
        assert_eq!(num(99_999_999_999, false), "   99999M");
        assert_eq!(num(100_000_000_000, false), "     100G");
        assert_eq!(num(99_999_999_999_999, false), "   99999G");
        assert_eq!(num(100_000_000_000_000, false), "     100T");
        assert_eq!(num(u64::MAX, false), "18446744T");
    }

    #[test]
    fn largenum_exact() {
        assert_eq!(num(0, true), "        0");
        assert_eq!(num(99_999_999, true), " 99999999");
        assert_eq!(num(100_000_000, true), " 100000000");
        assert_eq!(num(u64::MAX, true), " 18446744073709551615");
    }

    #[test]
    fn decimal_helpers_match_printf() {
        let text = |f: &dyn Fn(&mut Vec<u8>)| {
            let mut out = Vec::new();
            f(&mut out);
            String::from_utf8(out).unwrap()
        };
        // Single digits in fields of every width (their own path).
        for value in 0..12u64 {
            for width in [0, 1, 2, 5, 6, 7, 10, 16, 17, 20] {
                assert_eq!(
                    text(&|o| left_decimal(o, value, width)),
                    format!("{value:<width$}")
                );
                let signed = value as i64 - 2;
                assert_eq!(
                    text(&|o| left_signed(o, signed, width)),
                    format!("{signed:<width$}")
                );
            }
        }
        for value in (0..=100_000u64).chain([4294967295, u64::MAX]) {
            assert_eq!(text(&|o| push_decimal(o, value)), format!("{value}"));
        }
        for value in [0u64, 7, 10, 99, 100, 65535, 4294967295, u64::MAX] {
            assert_eq!(
                text(&|o| left_decimal(o, value, 10)),
                format!("{value:<10}")
            );
            assert_eq!(text(&|o| right_decimal(o, value, 8)), format!("{value:>8}"));
        }
        for value in [0i64, 1, -1, 2147483647, -2147483648, i64::MIN, i64::MAX] {
            assert_eq!(text(&|o| push_signed(o, value)), format!("{value}"));
            assert_eq!(text(&|o| left_signed(o, value, 7)), format!("{value:<7}"));
        }
    }

    #[test]
    fn padding_counts_bytes() {
        let mut out = Vec::new();
        left(&mut out, "é".as_bytes(), 4);
        assert_eq!(out, b"\xc3\xa9  ");
        let mut out = Vec::new();
        right(&mut out, b"abcdef", 3);
        assert_eq!(out, b"abcdef");
    }
}
