//! Turning addresses and ports into the text ipvsadm prints: numbers as
//! glibc's `inet_ntop` writes them, or names as glibc finds them ([`resolve`]).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use super::text::push_decimal;
use crate::resolve;
use ipvs::model::Protocol;

/// Where host and service names come from when a listing is not numeric.
///
/// The real implementation is [`SystemNames`]; tests supply fixed tables so
/// their output does not depend on the machine's `/etc/hosts` or DNS.
pub trait Names {
    /// The host name of an address (`gethostbyaddr`), or `None` when it has none.
    fn host_name(&self, addr: &IpAddr) -> Option<String>;
    /// The service name of a port for a protocol (`getservbyport`), or `None`.
    fn service_name(&self, port: u16, protocol: Protocol) -> Option<String>;
}

/// The system's names, as ipvsadm 1.31 with glibc looks them up ([`resolve`]).
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemNames;

impl Names for SystemNames {
    fn host_name(&self, addr: &IpAddr) -> Option<String> {
        resolve::addr_to_host(addr)
    }

    fn service_name(&self, port: u16, protocol: Protocol) -> Option<String> {
        resolve::port_to_service(port, protocol)
    }
}

/// An address as glibc's `inet_ntop` writes it. IPv6 differs from Rust's
/// `Display` for IPv4-compatible addresses: `::10.0.0.1`, not `::a00:1`.
pub fn inet_ntop(addr: &IpAddr) -> String {
    let mut out = Vec::with_capacity(46);
    push_inet_ntop(&mut out, addr);
    String::from_utf8(out).unwrap_or_default()
}

/// Appends [`inet_ntop`]'s text of `addr` (IPv4 without the formatting
/// machinery: listings print hundreds of thousands of addresses).
pub(crate) fn push_inet_ntop(out: &mut Vec<u8>, addr: &IpAddr) {
    match addr {
        IpAddr::V4(a) => push_ipv4(out, a),
        IpAddr::V6(a) => out.extend_from_slice(inet_ntop6(a).as_bytes()),
    }
}

/// Dotted decimal, as `inet_ntop(AF_INET)` writes it.
fn push_ipv4(out: &mut Vec<u8>, addr: &Ipv4Addr) {
    // Built on the stack from a table, appended in one piece: listings
    // print an address on every line.
    let mut text = [0u8; 16];
    let mut len = 0;
    for (i, octet) in addr.octets().into_iter().enumerate() {
        if i > 0 {
            text[len] = b'.';
            len += 1;
        }
        let (digits, count) = OCTET_TEXT[usize::from(octet)];
        text[len..len + 3].copy_from_slice(&digits);
        len += usize::from(count);
    }
    out.extend_from_slice(&text[..len]);
}

/// Each byte value in decimal: its digits (left-aligned) and how many.
static OCTET_TEXT: [([u8; 3], u8); 256] = octet_text();

const fn octet_text() -> [([u8; 3], u8); 256] {
    let mut table = [([0u8; 3], 0u8); 256];
    let mut value = 0;
    while value < 256 {
        let (h, t, o) = (
            (value / 100) as u8,
            (value / 10 % 10) as u8,
            (value % 10) as u8,
        );
        table[value] = if value >= 100 {
            ([b'0' + h, b'0' + t, b'0' + o], 3)
        } else if value >= 10 {
            ([b'0' + t, b'0' + o, 0], 2)
        } else {
            ([b'0' + o, 0, 0], 1)
        };
        value += 1;
    }
    table
}

/// glibc's `inet_ntop6`: the first longest run (two or more) of zero groups
/// becomes `::`; a run of six leading zero groups, or five followed by
/// `ffff`, puts the last 32 bits in dotted form.
fn inet_ntop6(addr: &Ipv6Addr) -> String {
    let words = addr.segments();
    let mut best: Option<(usize, usize)> = None;
    let mut cur: Option<(usize, usize)> = None;
    for (i, &word) in words.iter().enumerate() {
        if word == 0 {
            cur = Some(match cur {
                None => (i, 1),
                Some((base, len)) => (base, len + 1),
            });
        } else if let Some(run) = cur.take() {
            if best.is_none_or(|b| run.1 > b.1) {
                best = Some(run);
            }
        }
    }
    if let Some(run) = cur {
        if best.is_none_or(|b| run.1 > b.1) {
            best = Some(run);
        }
    }
    let best = best.filter(|&(_, len)| len >= 2);

    let mut out = String::with_capacity(46);
    for (i, &word) in words.iter().enumerate() {
        if let Some((base, len)) = best {
            if i >= base && i < base + len {
                if i == base {
                    out.push(':');
                }
                continue;
            }
        }
        if i != 0 {
            out.push(':');
        }
        if i == 6 {
            if let Some((0, len)) = best {
                if len == 6 || (len == 5 && words[5] == 0xffff) {
                    let o = addr.octets();
                    out.push_str(&Ipv4Addr::new(o[12], o[13], o[14], o[15]).to_string());
                    break;
                }
            }
        }
        out.push_str(&format!("{word:x}"));
    }
    if let Some((base, len)) = best {
        if base + len == words.len() {
            out.push(':');
        }
    }
    out
}

/// ipvsadm formats `ADDR:PORT` into a 60-byte buffer with `snprintf`.
const ADDRPORT_MAX: usize = 59;

/// `host:port`, `[v6host]:port`, or their numeric forms, as ipvsadm's
/// `addrport_to_anyname` writes them (cut at 59 bytes).
///
/// `protocol` is `None` where ipvsadm has no protocol to look the port up
/// with (fwmark services, unknown connection protocols): the port stays a
/// number.
pub(crate) fn addr_port(
    addr: &IpAddr,
    port: u16,
    protocol: Option<Protocol>,
    numeric: bool,
    names: &dyn Names,
) -> Vec<u8> {
    let mut out = Vec::with_capacity(32);
    push_addr_port(&mut out, addr, port, protocol, numeric, names);
    out
}

/// Appends [`addr_port`]'s text to `out`.
pub(crate) fn push_addr_port(
    out: &mut Vec<u8>,
    addr: &IpAddr,
    port: u16,
    protocol: Option<Protocol>,
    numeric: bool,
    names: &dyn Names,
) {
    let start = out.len();
    let v6 = addr.is_ipv6();
    if v6 {
        out.push(b'[');
    }
    match (!numeric).then(|| names.host_name(addr)).flatten() {
        Some(host) => out.extend_from_slice(host.as_bytes()),
        None => push_inet_ntop(out, addr),
    }
    if v6 {
        out.push(b']');
    }
    out.push(b':');
    let service = match protocol {
        Some(p) if !numeric => names.service_name(port, p),
        _ => None,
    };
    match service {
        Some(name) => out.extend_from_slice(name.as_bytes()),
        None => push_decimal(out, u64::from(port)),
    }
    out.truncate(start + (out.len() - start).min(ADDRPORT_MAX));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v6(text: &str) -> String {
        inet_ntop(&IpAddr::V6(text.parse().unwrap()))
    }

    #[test]
    fn ipv4_text_is_dotted_decimal() {
        // Every byte value in every position.
        for value in 0..=255u8 {
            for octets in [
                [value, 0, 0, 0],
                [1, value, 2, 3],
                [255, 9, value, 10],
                [7, 99, 100, value],
            ] {
                let addr = Ipv4Addr::from(octets);
                assert_eq!(inet_ntop(&IpAddr::V4(addr)), addr.to_string());
            }
        }
        assert_eq!(
            inet_ntop(&"255.255.255.255".parse().unwrap()),
            "255.255.255.255"
        );
    }

    #[test]
    fn ipv6_text_matches_glibc() {
        assert_eq!(v6("::"), "::");
        assert_eq!(v6("::1"), "::1");
        assert_eq!(v6("2001:db8::1"), "2001:db8::1");
        assert_eq!(v6("2001:db8:0:0:1:0:0:1"), "2001:db8::1:0:0:1");
        assert_eq!(v6("2001:0:0:1:0:0:0:1"), "2001:0:0:1::1");
        assert_eq!(v6("1:0:2:0:3:0:4:0"), "1:0:2:0:3:0:4:0");
        assert_eq!(v6("fe80::"), "fe80::");
        assert_eq!(v6("::ffff:10.0.0.1"), "::ffff:10.0.0.1");
        // IPv4-compatible: glibc prints the dotted form, Rust does not.
        assert_eq!(v6("::10.0.0.1"), "::10.0.0.1");
        assert_eq!(v6("::2:3"), "::0.2.0.3");
        assert_eq!(v6("::ffff:0:0"), "::ffff:0.0.0.0");
        assert_eq!(v6("0:0:0:0:1::"), "::1:0:0:0");
        assert_eq!(v6("1:0:0:2:0:0:3:4"), "1::2:0:0:3:4");
        assert_eq!(v6("1::ffff:1.2.3.4"), "1::ffff:102:304");
    }

    struct Fixed;
    impl Names for Fixed {
        fn host_name(&self, addr: &IpAddr) -> Option<String> {
            match addr {
                IpAddr::V4(a) if a.octets()[3] == 1 => Some("one.example".into()),
                IpAddr::V4(a) if a.octets()[3] == 2 => Some("x".repeat(70)),
                IpAddr::V6(a) if a.is_loopback() => Some("ip6-localhost".into()),
                _ => None,
            }
        }
        fn service_name(&self, port: u16, protocol: Protocol) -> Option<String> {
            (port == 80 && protocol == Protocol::Tcp).then(|| "http".into())
        }
    }

    #[test]
    fn addr_port_forms() {
        let one: IpAddr = "10.0.0.1".parse().unwrap();
        let three: IpAddr = "10.0.0.3".parse().unwrap();
        let lo6: IpAddr = "::1".parse().unwrap();
        let s = |b: Vec<u8>| String::from_utf8(b).unwrap();
        assert_eq!(
            s(addr_port(&one, 80, Some(Protocol::Tcp), true, &Fixed)),
            "10.0.0.1:80"
        );
        assert_eq!(
            s(addr_port(&one, 80, Some(Protocol::Tcp), false, &Fixed)),
            "one.example:http"
        );
        assert_eq!(
            s(addr_port(&one, 80, Some(Protocol::Udp), false, &Fixed)),
            "one.example:80"
        );
        assert_eq!(
            s(addr_port(&one, 80, None, false, &Fixed)),
            "one.example:80"
        );
        assert_eq!(
            s(addr_port(&three, 80, Some(Protocol::Tcp), false, &Fixed)),
            "10.0.0.3:http"
        );
        assert_eq!(
            s(addr_port(&lo6, 80, Some(Protocol::Tcp), true, &Fixed)),
            "[::1]:80"
        );
        assert_eq!(
            s(addr_port(&lo6, 80, Some(Protocol::Tcp), false, &Fixed)),
            "[ip6-localhost]:http"
        );
        let long = addr_port(&"10.0.0.2".parse().unwrap(), 80, None, false, &Fixed);
        assert_eq!(long.len(), 59);
        assert_eq!(long, "x".repeat(59).into_bytes());
    }
}
