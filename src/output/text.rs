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
    fn padding_counts_bytes() {
        let mut out = Vec::new();
        left(&mut out, "é".as_bytes(), 4);
        assert_eq!(out, b"\xc3\xa9  ");
        let mut out = Vec::new();
        right(&mut out, b"abcdef", 3);
        assert_eq!(out, b"abcdef");
    }
}
