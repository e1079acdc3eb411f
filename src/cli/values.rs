//! Option values read the way ipvsadm 1.31 reads them: `strtol`-based
//! numbers, `host[:port]` with `inet_pton`/`inet_aton`/`gethostbyname` and
//! `getservbyname`, masks, marks and multicast groups.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use crate::resolve;
use ipvs::model::Protocol;

/// `isspace` in the C locale.
fn is_c_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

/// The outcome of C `strtol(s, &end, 10)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Strtol {
    /// The value, clamped to `i64` (`LONG_MIN`/`LONG_MAX`) on overflow.
    pub value: i64,
    /// Whether any digit was read (otherwise `end == s`).
    pub converted: bool,
    /// Whether everything after the number was consumed (`*end == '\0'`).
    pub complete: bool,
    /// `errno == ERANGE`.
    pub overflow: bool,
}

/// C `strtol(s, &end, 10)` on a 64-bit `long`: leading white space, an
/// optional sign, decimal digits.
pub fn strtol(s: &[u8]) -> Strtol {
    let mut i = 0;
    while i < s.len() && is_c_space(s[i]) {
        i += 1;
    }
    let negative = match s.get(i) {
        Some(b'-') => {
            i += 1;
            true
        }
        Some(b'+') => {
            i += 1;
            false
        }
        _ => false,
    };
    let start = i;
    // Accumulate negatively so that LONG_MIN is representable.
    let mut acc: i64 = 0;
    let mut overflow = false;
    while i < s.len() && s[i].is_ascii_digit() {
        let d = i64::from(s[i] - b'0');
        match acc.checked_mul(10).and_then(|v| v.checked_sub(d)) {
            Some(v) if !overflow => acc = v,
            _ => overflow = true,
        }
        i += 1;
    }
    if i == start {
        return Strtol {
            value: 0,
            converted: false,
            complete: s.is_empty(),
            overflow: false,
        };
    }
    let value = if overflow {
        if negative {
            i64::MIN
        } else {
            i64::MAX
        }
    } else if negative {
        acc
    } else {
        match acc.checked_neg() {
            Some(v) => v,
            None => {
                overflow = true;
                i64::MAX
            }
        }
    };
    Strtol {
        value,
        converted: true,
        complete: i == s.len(),
        overflow,
    }
}

/// ipvsadm's `string_to_number`: a whole decimal number within `min..=max`.
#[inline]
pub fn string_to_number(s: &[u8], min: i64, max: i64) -> Option<i64> {
    let r = strtol(s);
    (r.converted && r.complete && !r.overflow && (min..=max).contains(&r.value)).then_some(r.value)
}

/// C `atoi` (glibc: `(int) strtol(s, NULL, 10)`), never failing.
pub fn atoi(s: &[u8]) -> i32 {
    strtol(s).value as i32
}

/// ipvsadm's `parse_fwmark`: a decimal mark in `1..=u32::MAX`.
pub fn parse_fwmark(s: &[u8]) -> Option<u32> {
    let r = strtol(s);
    if !r.converted || !r.complete || r.overflow || r.value <= 0 {
        return None;
    }
    u32::try_from(r.value).ok()
}

/// ipvsadm's `str_is_digit`: every byte is a digit (true for "").
fn str_is_digit(s: &[u8]) -> bool {
    s.iter().all(u8::is_ascii_digit)
}

/// Bytes as text for the C library and for messages (invalid UTF-8 becomes U+FFFD).
pub fn lossy(s: &[u8]) -> String {
    String::from_utf8_lossy(s).into_owned()
}

/// Host and service names to numbers. Parsing takes one so that tests
/// can resolve without the system's name services (and the network).
pub trait NameResolver {
    /// `gethostbyname`: the first IPv4 address of a host name.
    fn host_to_ipv4(&self, name: &str) -> Option<Ipv4Addr>;
    /// `getservbyname`: the port of a service name for a protocol.
    fn service_to_port(&self, name: &str, protocol: Protocol) -> Option<u16>;
}

/// The system's names as ipvsadm 1.31 with glibc finds them ([`resolve`]).
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemResolver;

impl NameResolver for SystemResolver {
    fn host_to_ipv4(&self, name: &str) -> Option<Ipv4Addr> {
        resolve::host_to_ipv4(name)
    }

    fn service_to_port(&self, name: &str, protocol: Protocol) -> Option<u16> {
        resolve::service_to_port(name, protocol)
    }
}

/// An IPv4 address the way ipvsadm reads hosts: `inet_aton`, then
/// `gethostbyname` (first IPv4 address).
#[inline]
fn ipv4_or_host(s: &[u8], resolver: &dyn NameResolver) -> Option<Ipv4Addr> {
    if let Some(addr) = canonical_dotted_quad(s) {
        return Some(addr);
    }
    let text = lossy(s);
    resolve::parse_ipv4_aton(&text).or_else(|| resolver.host_to_ipv4(&text))
}

/// `a.b.c.d` with four decimal parts of 0..=255 and no leading zeros: the
/// form `inet_aton` reads as written (it reads others too, such as octal
/// `010` or short `10.1`, which are left to it). Restores parse tens of
/// thousands of addresses.
#[inline]
fn canonical_dotted_quad(s: &[u8]) -> Option<Ipv4Addr> {
    // One pass over the bytes.
    let mut octets = [0u8; 4];
    let mut part = 0;
    let mut value = 0u32;
    let mut digits = 0;
    for &b in s {
        match b {
            b'0'..=b'9' => {
                if digits == 1 && value == 0 {
                    return None; // a leading zero
                }
                value = value * 10 + u32::from(b - b'0');
                digits += 1;
                if value > 255 {
                    return None;
                }
            }
            b'.' if digits > 0 && part < 3 => {
                octets[part] = value as u8;
                part += 1;
                value = 0;
                digits = 0;
            }
            _ => return None,
        }
    }
    if part != 3 || digits == 0 {
        return None;
    }
    octets[3] = value as u8;
    Some(Ipv4Addr::from(octets))
}

/// What `parse_service` found in `host[:port]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HostPort {
    pub addr: IpAddr,
    /// The port, if the text had one.
    pub port: Option<u16>,
}

/// ipvsadm's `parse_service`: `[v6]:port`, a bare IPv6 address, or
/// `v4-or-host[:port]` with the port numeric or a service name of
/// `protocol`. `None` where ipvsadm reports `SERVICE_NONE`.
///
/// Quirks kept: an all-digit text is refused; `[v6]` needs `:port`; a
/// bracketed text that is not IPv6 (`[10.0.0.1]:80`) is read as a host
/// without port; a service-name port needs a protocol.
#[inline]
pub fn parse_host_port(
    text: &[u8],
    protocol: Option<Protocol>,
    resolver: &dyn NameResolver,
) -> Option<HostPort> {
    if str_is_digit(text) {
        return None;
    }
    let mut host = text;
    let mut port_text: Option<&[u8]> = None;
    if let Some(inner) = text.strip_prefix(b"[") {
        let close = inner.iter().position(|&b| b == b']')?;
        let after = &inner[close + 1..];
        if after.first() != Some(&b':') {
            return None;
        }
        host = &inner[..close];
        port_text = Some(&after[1..]);
    }
    let addr = if let Some(v6) = parse_ipv6(host) {
        IpAddr::V6(v6)
    } else {
        // A bracketed non-IPv6 host loses its port: ipvsadm looks for the
        // port separator only inside the brackets.
        port_text = None;
        if let Some(colon) = host.iter().rposition(|&b| b == b':') {
            port_text = Some(&host[colon + 1..]);
            host = &host[..colon];
        }
        IpAddr::V4(ipv4_or_host(host, resolver)?)
    };
    let port = match port_text {
        None => None,
        Some(p) => Some(match string_to_number(p, 0, 65535) {
            Some(n) => n as u16,
            None => {
                let protocol = protocol?;
                resolver.service_to_port(&lossy(p), protocol)?
            }
        }),
    };
    Some(HostPort { addr, port })
}

fn parse_ipv6(s: &[u8]) -> Option<Ipv6Addr> {
    // Every IPv6 text inet_pton accepts has two colons at least (`::`, or
    // seven between eight groups); `10.0.0.1:80` has one.
    if s.iter().filter(|&&b| b == b':').take(2).count() < 2 {
        return None;
    }
    resolve::parse_ipv6(std::str::from_utf8(s).ok()?)
}

/// ipvsadm's `parse_netmask` for IPv4: `inet_aton`, then `gethostbyname`.
pub fn parse_ipv4_netmask(s: &[u8], resolver: &dyn NameResolver) -> Option<Ipv4Addr> {
    ipv4_or_host(s, resolver)
}

/// `--mcast-group`: IPv6 (if the text has a `:`) or dotted IPv4, multicast.
/// `Err(is_ipv6)` tells which message ipvsadm gives.
pub fn parse_mcast_group(s: &[u8]) -> Result<IpAddr, bool> {
    if s.contains(&b':') {
        match parse_ipv6(s) {
            Some(a) if a.octets()[0] == 0xff => Ok(IpAddr::V6(a)),
            _ => Err(true),
        }
    } else {
        let text = std::str::from_utf8(s).map_err(|_| false)?;
        match resolve::parse_ipv4_pton(text) {
            Some(a) if a.is_multicast() => Ok(IpAddr::V4(a)),
            _ => Err(false),
        }
    }
}

/// A C string copied into a fixed buffer with `strncpy(dst, src, max)`:
/// at most `max` bytes, cut at a NUL.
pub fn c_truncate(s: &[u8], max: usize) -> &[u8] {
    let s = match s.iter().position(|&b| b == 0) {
        Some(nul) => &s[..nul],
        None => s,
    };
    &s[..s.len().min(max)]
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    #[test]
    fn strtol_like_c() {
        let v = |s: &str| string_to_number(s.as_bytes(), i64::MIN, i64::MAX);
        assert_eq!(v("42"), Some(42));
        assert_eq!(v("  +42"), Some(42));
        assert_eq!(v("\t-0"), Some(0));
        assert_eq!(v("-7"), Some(-7));
        assert_eq!(v("42 "), None);
        assert_eq!(v("4x"), None);
        assert_eq!(v(""), None);
        assert_eq!(v(" "), None);
        assert_eq!(v("+"), None);
        assert_eq!(v("0x10"), None);
        assert_eq!(v("9223372036854775807"), Some(i64::MAX));
        assert_eq!(v("9223372036854775808"), None);
        assert_eq!(v("-9223372036854775808"), Some(i64::MIN));
        assert_eq!(v("-9223372036854775809"), None);
        assert_eq!(string_to_number(b"65536", 0, 65535), None);
        assert_eq!(string_to_number(b"65535", 0, 65535), Some(65535));
    }

    /// Whether `text` is canonical: four parts of 1-3 digits, 0..=255, no
    /// leading zero; if so, the quick reading must be `inet_aton`'s.
    fn check_canonical(text: &str) {
        let canonical = text.split('.').count() == 4
            && text.split('.').all(|p| {
                matches!(p.len(), 1..=3)
                    && p.bytes().all(|b| b.is_ascii_digit())
                    && (p.len() == 1 || !p.starts_with('0'))
                    && p.parse::<u32>().is_ok_and(|v| v <= 255)
            });
        let fast = canonical_dotted_quad(text.as_bytes());
        assert_eq!(fast.is_some(), canonical, "{text}");
        if let Some(fast) = fast {
            assert_eq!(Some(fast), resolve::parse_ipv4_aton(text), "{text}");
        }
    }

    #[test]
    fn canonical_quads_read_as_inet_aton_reads_them() {
        for text in [
            "0.0.0.0",
            "255.255.255.255",
            "10.0.0.1",
            "1.2.3.4",
            "01.2.3.4",
            "1.2.3.04",
            "256.1.1.1",
            "1.2.3",
            "1.2.3.4.5",
            "1..3.4",
            "1.2.3.",
            ".1.2.3",
            "1.2.3.4 ",
            "+1.2.3.4",
            "0x1.2.3.4",
            "1.2.3.999",
            "192.168.000.1",
            "",
            "a.b.c.d",
        ] {
            check_canonical(text);
        }
        assert_eq!(
            canonical_dotted_quad(b"10.0.0.1"),
            Some(Ipv4Addr::new(10, 0, 0, 1))
        );
        assert_eq!(canonical_dotted_quad(b"010.0.0.1"), None);
    }

    proptest::proptest! {
        #![proptest_config(proptest::test_runner::Config {
            cases: 5000,
            failure_persistence: None,
            ..Default::default()
        })]

        /// Dotted numbers of 3 to 5 parts up to 299, some with a leading zero.
        #[test]
        fn dotted_numbers_read_as_inet_aton_reads_them(
            parts in proptest::collection::vec(
                (0u32..300, proptest::bool::weighted(0.125)),
                3..=5,
            ),
        ) {
            let text: Vec<String> = parts
                .iter()
                .map(|&(v, zero)| if zero { format!("0{v}") } else { v.to_string() })
                .collect();
            check_canonical(&text.join("."));
        }
    }

    #[test]
    fn atoi_like_glibc() {
        assert_eq!(atoi(b"64"), 64);
        assert_eq!(atoi(b" 64abc"), 64);
        assert_eq!(atoi(b"abc"), 0);
        assert_eq!(atoi(b"-1"), -1);
        assert_eq!(atoi(b"4294967297"), 1);
        assert_eq!(atoi(b"99999999999999999999"), -1);
    }

    #[test]
    fn fwmarks() {
        assert_eq!(parse_fwmark(b"1"), Some(1));
        assert_eq!(parse_fwmark(b" +7"), Some(7));
        assert_eq!(parse_fwmark(b"4294967295"), Some(u32::MAX));
        assert_eq!(parse_fwmark(b"4294967296"), None);
        assert_eq!(parse_fwmark(b"0"), None);
        assert_eq!(parse_fwmark(b"-1"), None);
        assert_eq!(parse_fwmark(b"1x"), None);
        assert_eq!(parse_fwmark(b""), None);
    }

    /// Knows `localhost`, `http` (TCP) and `domain` (TCP, UDP), as the
    /// host's `/etc/services` does; nothing else.
    pub(crate) struct FixedResolver;

    impl NameResolver for FixedResolver {
        fn host_to_ipv4(&self, name: &str) -> Option<Ipv4Addr> {
            (name == "localhost").then_some(Ipv4Addr::LOCALHOST)
        }

        fn service_to_port(&self, name: &str, protocol: Protocol) -> Option<u16> {
            match (name, protocol) {
                ("http", Protocol::Tcp) => Some(80),
                ("domain", Protocol::Tcp | Protocol::Udp) => Some(53),
                _ => None,
            }
        }
    }

    fn hp(s: &str, proto: Option<Protocol>) -> Option<(String, Option<u16>)> {
        parse_host_port(s.as_bytes(), proto, &FixedResolver).map(|h| (h.addr.to_string(), h.port))
    }

    #[test]
    fn host_port_forms() {
        let tcp = Some(Protocol::Tcp);
        assert_eq!(hp("10.0.0.1:80", tcp), Some(("10.0.0.1".into(), Some(80))));
        assert_eq!(hp("10.0.0.1", tcp), Some(("10.0.0.1".into(), None)));
        assert_eq!(hp("10.1:0", tcp), Some(("10.0.0.1".into(), Some(0))));
        assert_eq!(hp("[::1]:80", tcp), Some(("::1".into(), Some(80))));
        assert_eq!(hp("::1", tcp), Some(("::1".into(), None)));
        // "::1:80" is an IPv6 address, not ::1 port 80.
        assert_eq!(hp("::1:80", tcp), Some(("::1:80".into(), None)));
        assert_eq!(hp("[::1]", tcp), None);
        assert_eq!(hp("[::1]80", tcp), None);
        assert_eq!(hp("[::1", tcp), None);
        assert_eq!(hp("[10.0.0.1]:80", tcp), Some(("10.0.0.1".into(), None)));
        assert_eq!(hp("80", tcp), None);
        assert_eq!(hp("", tcp), None);
        assert_eq!(hp("10.0.0.1:", tcp), None);
        assert_eq!(hp("10.0.0.1:65536", tcp), None);
        assert_eq!(hp("10.0.0.1:-1", tcp), None);
        assert_eq!(hp("10.0.0.1: 80", tcp), Some(("10.0.0.1".into(), Some(80))));
        assert_eq!(hp("10.0.0.256:80", tcp), None);
    }

    #[test]
    fn names() {
        assert_eq!(
            hp("10.0.0.1:http", Some(Protocol::Tcp)),
            Some(("10.0.0.1".into(), Some(80)))
        );
        assert_eq!(
            hp("localhost:80", None),
            Some(("127.0.0.1".into(), Some(80)))
        );
        assert_eq!(hp("nosuchhost:80", None), None);
        // A service name needs a protocol.
        assert_eq!(hp("10.0.0.1:http", None), None);
        assert_eq!(
            hp("10.0.0.1:no-such-service-name", Some(Protocol::Tcp)),
            None
        );
    }

    #[test]
    fn mcast_groups() {
        assert_eq!(
            parse_mcast_group(b"224.0.0.81"),
            Ok("224.0.0.81".parse().unwrap())
        );
        assert_eq!(parse_mcast_group(b"10.0.0.1"), Err(false));
        assert_eq!(parse_mcast_group(b"224.1"), Err(false));
        assert_eq!(
            parse_mcast_group(b"ff02::81"),
            Ok("ff02::81".parse().unwrap())
        );
        assert_eq!(parse_mcast_group(b"fe80::1"), Err(true));
        assert_eq!(parse_mcast_group(b"x:y"), Err(true));
    }

    #[test]
    fn truncation() {
        assert_eq!(c_truncate(b"abcdefghijklmnopq", 15), b"abcdefghijklmno");
        assert_eq!(c_truncate(b"ab\0cd", 15), b"ab");
        assert_eq!(c_truncate(b"", 15), b"");
    }
}
