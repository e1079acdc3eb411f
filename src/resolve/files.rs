//! `/etc/hosts` and `/etc/services` read with the rules of glibc's `files`
//! NSS module, so that every C library (musl too) gives the answers glibc
//! gives: one entry a line, `#` to the end of the line is a comment, fields
//! separated by C `isspace`; the first matching line wins.
//!
//! Hosts: `ADDRESS CANONICAL [ALIAS...]`. Names match without regard to
//! ASCII case. A lookup asks for one address family and sees each line in
//! that family, as glibc does: an IPv4 query also sees IPv6 lines whose
//! address is IPv4-mapped (as that IPv4 address) or the loopback `::1` (as
//! 127.0.0.1) and skips other IPv6 lines; an IPv6 query skips IPv4 lines.
//!
//! Services: `NAME PORT/PROTOCOL [ALIAS...]`. Names and protocols match
//! exactly (case-sensitive).

use std::net::{IpAddr, Ipv4Addr};

use super::{parse_ipv4_pton, parse_ipv6};

/// C's `isspace` in the C locale.
fn is_space(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\n' | b'\x0b' | b'\x0c' | b'\r')
}

/// The text of each entry line: what precedes `#`, from its first
/// non-blank byte; blank and comment-only lines are left out.
fn entry_lines(text: &[u8]) -> impl Iterator<Item = &[u8]> {
    text.split(|&b| b == b'\n').filter_map(|line| {
        let line = match line.iter().position(|&b| b == b'#') {
            Some(hash) => &line[..hash],
            None => line,
        };
        let start = line.iter().position(|&b| !is_space(b))?;
        Some(&line[start..])
    })
}

/// glibc's `STRING_FIELD` with swallowing: the bytes up to the next blank
/// (possibly none) and the rest after the blanks that follow.
fn string_field(line: &[u8]) -> (&[u8], &[u8]) {
    let end = line.iter().position(|&b| is_space(b)).unwrap_or(line.len());
    let rest = &line[end..];
    let skip = rest
        .iter()
        .position(|&b| !is_space(b))
        .unwrap_or(rest.len());
    (&line[..end], &rest[skip..])
}

/// The blank-separated words of an alias list.
fn words(rest: &[u8]) -> impl Iterator<Item = &[u8]> {
    rest.split(|&b| is_space(b)).filter(|w| !w.is_empty())
}

fn owned(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The address family a host lookup asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// `AF_INET`.
    V4,
    /// `AF_INET6`.
    V6,
}

/// One line of a hosts file.
#[derive(Debug, Clone, PartialEq, Eq)]
struct HostLine {
    addr: IpAddr,
    /// The canonical name (empty when the line has none), then the aliases.
    names: Vec<String>,
}

impl HostLine {
    /// The line's address as a query for `family` sees it, or `None` when
    /// such a query skips the line.
    fn addr_in(&self, family: Family) -> Option<IpAddr> {
        match (family, self.addr) {
            (Family::V4, IpAddr::V4(_)) | (Family::V6, IpAddr::V6(_)) => Some(self.addr),
            (Family::V4, IpAddr::V6(v6)) if v6.is_loopback() => {
                Some(IpAddr::V4(Ipv4Addr::LOCALHOST))
            }
            (Family::V4, IpAddr::V6(v6)) => v6.to_ipv4_mapped().map(IpAddr::V4),
            (Family::V6, IpAddr::V4(_)) => None,
        }
    }
}

/// A parsed hosts file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Hosts {
    lines: Vec<HostLine>,
}

impl Hosts {
    /// Parses a hosts file; lines whose address `inet_pton` rejects are
    /// left out, as glibc ignores them.
    pub fn parse(text: &[u8]) -> Hosts {
        let lines = entry_lines(text)
            .filter_map(|line| {
                let (addr, rest) = string_field(line);
                let addr = std::str::from_utf8(addr).ok()?;
                let addr = match parse_ipv4_pton(addr) {
                    Some(v4) => IpAddr::V4(v4),
                    None => IpAddr::V6(parse_ipv6(addr)?),
                };
                let (canonical, aliases) = string_field(rest);
                let names = std::iter::once(canonical).chain(words(aliases));
                Some(HostLine {
                    addr,
                    names: names.map(owned).collect(),
                })
            })
            .collect();
        Hosts { lines }
    }

    /// The address of the first line naming `name` (canonical name or
    /// alias, ASCII case ignored), in `family` (`gethostbyname`'s first
    /// address for [`Family::V4`]).
    pub fn address_of(&self, name: &str, family: Family) -> Option<IpAddr> {
        self.lines
            .iter()
            .filter_map(|line| Some((line.addr_in(family)?, line)))
            .find(|(_, line)| line.names.iter().any(|n| n.eq_ignore_ascii_case(name)))
            .map(|(addr, _)| addr)
    }

    /// The canonical name of the first line with `addr` (`gethostbyaddr`'s
    /// `h_name`); the query's family is the address's.
    pub fn name_of(&self, addr: &IpAddr) -> Option<&str> {
        let family = match addr {
            IpAddr::V4(_) => Family::V4,
            IpAddr::V6(_) => Family::V6,
        };
        self.lines
            .iter()
            .find(|line| line.addr_in(family) == Some(*addr))
            .map(|line| line.names[0].as_str())
    }
}

/// One line of a services file.
#[derive(Debug, Clone, PartialEq, Eq)]
struct ServiceLine {
    port: u16,
    protocol: String,
    /// The official name, then the aliases.
    names: Vec<String>,
}

/// A parsed services file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Services {
    lines: Vec<ServiceLine>,
}

/// glibc's port field: `strtoul` in base 10 (sign allowed, wrapping as
/// unsigned long does), kept to 16 bits as `htons` keeps it, then `/` or the
/// end of the line; `None` for a line glibc ignores.
fn port_field(line: &[u8]) -> Option<(u16, &[u8])> {
    let (negative, digits_at) = match line.first() {
        Some(b'-') => (true, 1),
        Some(b'+') => (false, 1),
        _ => (false, 0),
    };
    let count = line[digits_at..]
        .iter()
        .take_while(|b| b.is_ascii_digit())
        .count();
    if count == 0 {
        return None;
    }
    let end = digits_at + count;
    let value = line[digits_at..end]
        .iter()
        .try_fold(0u64, |v, &d| {
            v.checked_mul(10)?.checked_add(u64::from(d - b'0'))
        })
        .unwrap_or(u64::MAX);
    let value = if negative {
        value.wrapping_neg()
    } else {
        value
    };
    let rest = match line.get(end) {
        Some(b'/') => &line[end + 1..],
        Some(_) => return None,
        None => &line[end..],
    };
    Some((value as u16, rest))
}

impl Services {
    /// Parses a services file; lines without a number where the port
    /// belongs are left out, as glibc ignores them.
    pub fn parse(text: &[u8]) -> Services {
        let lines = entry_lines(text)
            .filter_map(|line| {
                let (name, rest) = string_field(line);
                let (port, rest) = port_field(rest)?;
                let (protocol, aliases) = string_field(rest);
                let names = std::iter::once(name).chain(words(aliases));
                Some(ServiceLine {
                    port,
                    protocol: owned(protocol),
                    names: names.map(owned).collect(),
                })
            })
            .collect();
        Services { lines }
    }

    /// The port of the first line for `protocol` naming `name` (official
    /// name or alias), as `getservbyname` finds it.
    pub fn port_of(&self, name: &str, protocol: &str) -> Option<u16> {
        self.lines
            .iter()
            .find(|line| line.protocol == protocol && line.names.iter().any(|n| n == name))
            .map(|line| line.port)
    }

    /// The official name of the first line for `port` and `protocol`, as
    /// `getservbyport` finds it.
    pub fn name_of(&self, port: u16, protocol: &str) -> Option<&str> {
        self.lines
            .iter()
            .find(|line| line.port == port && line.protocol == protocol)
            .map(|line| line.names[0].as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::net::Ipv6Addr;

    const HOSTS: &[u8] = include_bytes!("testdata/hosts");
    const SERVICES: &[u8] = include_bytes!("testdata/services");

    fn v4(text: &str) -> Option<IpAddr> {
        Some(IpAddr::V4(text.parse().unwrap()))
    }

    #[test]
    fn host_names_match_ignoring_case_and_the_first_line_wins() {
        let hosts = Hosts::parse(HOSTS);
        assert_eq!(hosts.address_of("vip", Family::V4), v4("10.0.0.3"));
        assert_eq!(hosts.address_of("VIP", Family::V4), v4("10.0.0.3"));
        assert_eq!(
            hosts.address_of("Vip2.Example.Com", Family::V4),
            v4("10.0.0.4")
        );
        assert_eq!(
            hosts.address_of("upper.example.com", Family::V4),
            v4("10.0.0.10")
        );
        assert_eq!(hosts.address_of("localhost", Family::V4), v4("127.0.0.1"));
        assert_eq!(hosts.address_of("nosuchhost", Family::V4), None);
        assert_eq!(hosts.address_of("commented-out", Family::V4), None);
    }

    #[test]
    fn an_ipv4_lookup_sees_mapped_and_loopback_ipv6_lines_as_ipv4() {
        let hosts = Hosts::parse(HOSTS);
        assert_eq!(
            hosts.address_of("ip6-localhost", Family::V4),
            v4("127.0.0.1")
        );
        assert_eq!(hosts.address_of("mapped", Family::V4), v4("10.0.0.6"));
        // Other IPv6 lines are skipped: gethostbyname finds no IPv4 address.
        assert_eq!(hosts.address_of("vip6", Family::V4), None);
        assert_eq!(
            hosts.address_of("vip6", Family::V6),
            Some(IpAddr::V6("2001:db8::3".parse().unwrap()))
        );
        // And an IPv6 lookup skips IPv4 lines.
        assert_eq!(hosts.address_of("vip", Family::V6), None);
    }

    #[test]
    fn reverse_lookups_give_the_first_line_s_canonical_name() {
        let hosts = Hosts::parse(HOSTS);
        let name = |text: &str| hosts.name_of(&text.parse().unwrap());
        assert_eq!(name("10.0.0.3"), Some("vip.example.com"));
        assert_eq!(name("127.0.0.1"), Some("localhost"));
        assert_eq!(name("::1"), Some("localhost6"));
        assert_eq!(name("2001:db8::3"), Some("vip6.example.com"));
        assert_eq!(name("10.0.0.6"), Some("mapped.example.com"));
        assert_eq!(name("::ffff:10.0.0.6"), Some("mapped.example.com"));
        assert_eq!(name("10.0.0.10"), Some("UPPER.Example.COM"));
        // A line with an address only has an empty canonical name.
        assert_eq!(name("10.0.0.9"), Some(""));
        assert_eq!(name("10.0.0.99"), None);
        assert_eq!(name("::ffff:10.0.0.3"), None);
    }

    #[test]
    fn lines_with_addresses_inet_pton_rejects_are_ignored() {
        let hosts = Hosts::parse(HOSTS);
        for name in ["broken-address", "leading-zero", "scoped"] {
            assert_eq!(hosts.address_of(name, Family::V4), None, "{name}");
            assert_eq!(hosts.address_of(name, Family::V6), None, "{name}");
        }
    }

    #[test]
    fn services_match_name_alias_and_protocol_exactly() {
        let services = Services::parse(SERVICES);
        assert_eq!(services.port_of("http", "tcp"), Some(80));
        assert_eq!(services.port_of("www", "tcp"), Some(80));
        assert_eq!(services.port_of("http", "udp"), None);
        assert_eq!(services.port_of("HTTP", "tcp"), None);
        assert_eq!(services.port_of("http-upper", "tcp"), None);
        assert_eq!(services.port_of("HTTP-UPPER", "tcp"), Some(8081));
        assert_eq!(services.port_of("webcache", "tcp"), Some(8080));
        assert_eq!(services.port_of("sip", "sctp"), Some(5060));
        assert_eq!(services.port_of("krb5", "tcp"), Some(88));
        assert_eq!(services.port_of("http", "TCP"), None);
    }

    #[test]
    fn ports_give_the_first_line_s_official_name() {
        let services = Services::parse(SERVICES);
        assert_eq!(services.name_of(80, "tcp"), Some("http"));
        assert_eq!(services.name_of(443, "udp"), Some("https"));
        assert_eq!(services.name_of(8080, "tcp"), Some("http-alt"));
        assert_eq!(services.name_of(1, "tcp"), Some("tcpmux"));
        assert_eq!(services.name_of(1, "udp"), None);
        assert_eq!(services.name_of(5060, "sctp"), Some("sip"));
        assert_eq!(services.name_of(9, "tcp"), None);
    }

    #[test]
    fn malformed_port_fields_follow_glibc() {
        let services = Services::parse(SERVICES);
        assert_eq!(services.port_of("noport", "tcp"), None);
        assert_eq!(services.port_of("badport", "tcp"), None);
        // strtoul's value kept to 16 bits, as htons keeps it.
        assert_eq!(services.port_of("wrap", "tcp"), Some(65617u32 as u16));
        // A port without `/PROTOCOL` has an empty protocol.
        assert_eq!(services.port_of("bare", ""), Some(7));
        assert_eq!(port_field(b"-1/tcp"), Some((u16::MAX, &b"tcp"[..])));
        assert_eq!(port_field(b"+22/tcp"), Some((22, &b"tcp"[..])));
        assert_eq!(
            port_field(b"99999999999999999999999/tcp"),
            Some((u16::MAX, &b"tcp"[..]))
        );
        assert_eq!(port_field(b"/tcp"), None);
    }

    /// A name made of `[a-z0-9-]` and its spelling with random case.
    fn name_and_spelling() -> impl Strategy<Value = (String, String)> {
        ("[a-z][a-z0-9-]{0,12}", any::<u64>()).prop_map(|(name, bits)| {
            let spelled = name
                .chars()
                .enumerate()
                .map(|(i, c)| {
                    if bits >> (i % 64) & 1 == 1 {
                        c.to_ascii_uppercase()
                    } else {
                        c
                    }
                })
                .collect();
            (name, spelled)
        })
    }

    /// Blanks as they may separate fields.
    fn blanks() -> impl Strategy<Value = String> {
        "[ \t]{1,3}"
    }

    proptest! {
        #[test]
        fn parsing_arbitrary_bytes_never_panics(text in proptest::collection::vec(any::<u8>(), 0..300)) {
            let hosts = Hosts::parse(&text);
            let _ = hosts.address_of("a", Family::V4);
            let _ = hosts.name_of(&IpAddr::V6(Ipv6Addr::LOCALHOST));
            let services = Services::parse(&text);
            let _ = services.port_of("a", "tcp");
            let _ = services.name_of(1, "tcp");
        }

        #[test]
        fn a_host_line_is_found_by_any_spelling_of_its_names(
            octets in any::<[u8; 4]>(),
            (name, spelled) in name_and_spelling(),
            (alias, alias_spelled) in name_and_spelling(),
            sep in blanks(),
            comment in proptest::option::of("#[ -~]{0,20}"),
        ) {
            let addr = IpAddr::V4(Ipv4Addr::from(octets));
            let text = format!(
                "# head\n{sep}{addr}{sep}{name}{sep}{alias}{sep}{}\n",
                comment.unwrap_or_default()
            );
            let hosts = Hosts::parse(text.as_bytes());
            prop_assert_eq!(hosts.address_of(&spelled, Family::V4), Some(addr));
            prop_assert_eq!(hosts.address_of(&alias_spelled, Family::V4), Some(addr));
            prop_assert_eq!(hosts.name_of(&addr), Some(name.as_str()));
        }

        #[test]
        fn the_first_of_several_lines_wins(
            names in proptest::collection::vec("[a-c]{1,2}", 1..12),
        ) {
            // Line i gives address 10.0.0.i to names[i] and port i to it.
            let mut hosts_text = String::new();
            let mut services_text = String::new();
            for (i, name) in names.iter().enumerate() {
                hosts_text.push_str(&format!("10.0.0.{i} {name}\n"));
                services_text.push_str(&format!("{name} {i}/tcp\n"));
            }
            let hosts = Hosts::parse(hosts_text.as_bytes());
            let services = Services::parse(services_text.as_bytes());
            for name in &names {
                let first = names.iter().position(|n| n == name).unwrap();
                prop_assert_eq!(
                    hosts.address_of(name, Family::V4),
                    v4(&format!("10.0.0.{first}"))
                );
                prop_assert_eq!(services.port_of(name, "tcp"), Some(first as u16));
            }
        }

        #[test]
        fn a_service_line_is_found_by_name_alias_and_port(
            name in "[a-z][a-z0-9-]{0,12}",
            alias in "[a-z][a-z0-9-]{0,12}",
            port in any::<u16>(),
            protocol in prop::sample::select(vec!["tcp", "udp", "sctp"]),
            sep in blanks(),
        ) {
            let text = format!("{sep}{name}{sep}{port}/{protocol}{sep}{alias}{sep}# c\n");
            let services = Services::parse(text.as_bytes());
            prop_assert_eq!(services.port_of(&name, protocol), Some(port));
            prop_assert_eq!(services.port_of(&alias, protocol), Some(port));
            prop_assert_eq!(services.name_of(port, protocol), Some(name.as_str()));
            prop_assert_eq!(services.port_of(&name.to_ascii_uppercase(), protocol),
                (name == name.to_ascii_uppercase() || alias == name.to_ascii_uppercase()).then_some(port));
        }
    }
}
