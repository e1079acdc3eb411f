//! `ipvsadm -L -c`: the kernel's connection table from `/proc/net/ip_vs_conn`.
//!
//! The kernel writes one header line, then per connection:
//! `PRO CLIENT CPRT VIRTUAL VPRT DEST DPRT STATE EXPIRES[ PENAME PEDATA]`,
//! with IPv4 addresses as 8 hex digits, IPv6 ones in full colon form, ports
//! as 4 hex digits and the expiry in seconds.

use std::io::{self, Write};
use std::net::{IpAddr, Ipv4Addr};

use crate::resolve;
use ipvs::model::Protocol;

use super::names::{addr_port, Names, SystemNames};
use super::text::{left, put};
use super::{ListFormat, ListOptions};

/// The file ipvsadm reads the connection table from.
pub const CONN_PROC_FILE: &str = "/proc/net/ip_vs_conn";

/// One connection as the kernel lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectionEntry {
    /// The protocol as the kernel names it (`TCP`, `UDP`, `SCTP`, `IP`, ...).
    pub protocol: String,
    pub client_addr: IpAddr,
    pub client_port: u16,
    pub virtual_addr: IpAddr,
    pub virtual_port: u16,
    pub dest_addr: IpAddr,
    pub dest_port: u16,
    /// The protocol state, e.g. `ESTABLISHED`, `SYN_RECV`, `NONE`.
    pub state: String,
    /// Seconds until the entry expires.
    pub expires: u32,
    /// Persistence engine and its data (e.g. `sip` and a Call-ID), when present.
    pub pe_name: Option<String>,
    pub pe_data: Option<String>,
}

impl ConnectionEntry {
    /// The protocol for port-name lookups: ipvsadm looks ports up only for
    /// `TCP`, `UDP` and `SCTP`.
    pub fn known_protocol(&self) -> Option<Protocol> {
        match self.protocol.as_str() {
            "TCP" => Some(Protocol::Tcp),
            "UDP" => Some(Protocol::Udp),
            "SCTP" => Some(Protocol::Sctp),
            _ => None,
        }
    }
}

/// Why `/proc/net/ip_vs_conn` text could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    /// The text is empty: not even the header line (ipvsadm's message).
    #[error("unexpected input from /proc/net/ip_vs_conn")]
    MissingHeader,
    /// A connection line ipvsadm could not make sense of. (ipvsadm exits 1
    /// silently on a blank line; on a short or garbled one it prints
    /// whatever its uninitialised buffers held.)
    #[error("unexpected input from /proc/net/ip_vs_conn, line {line}: {reason}")]
    BadLine { line: usize, reason: String },
}

/// C's `isspace` in the C locale, as `sscanf` uses it to split fields.
fn is_c_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\x0b' | '\x0c' | '\r')
}

/// An unsigned hex number the way `strtoul(s, NULL, 16)` reads it: optional
/// sign and `0x`, then hex digits up to the first other character (none
/// gives 0; overflow gives `u64::MAX`).
fn strtoul_hex(text: &str) -> u64 {
    let (negative, rest) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    let rest = match rest.get(..2) {
        Some("0x" | "0X") if rest[2..].starts_with(|c: char| c.is_ascii_hexdigit()) => &rest[2..],
        _ => rest,
    };
    let mut value: u64 = 0;
    for digit in rest.chars().map_while(|c| c.to_digit(16)) {
        match value
            .checked_mul(16)
            .and_then(|v| v.checked_add(u64::from(digit)))
        {
            Some(v) => value = v,
            None => return u64::MAX,
        }
    }
    if negative {
        value.wrapping_neg()
    } else {
        value
    }
}

/// A `%hX` field: the whole token must be a hex number (optional sign and
/// `0x`); it is stored in 16 bits.
fn scan_hex_u16(token: &str) -> Option<u16> {
    let unsigned = token.strip_prefix(['+', '-']).unwrap_or(token);
    let digits = unsigned
        .strip_prefix("0x")
        .or_else(|| unsigned.strip_prefix("0X"))
        .unwrap_or(unsigned);
    if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    Some(strtoul_hex(token) as u16)
}

/// A `%d` field stored into an unsigned int: decimal with optional sign,
/// saturating like `strtol`, then truncated to 32 bits.
fn scan_decimal_u32(token: &str) -> Option<u32> {
    let (negative, digits) = match token.as_bytes().first() {
        Some(b'-') => (true, &token[1..]),
        Some(b'+') => (false, &token[1..]),
        _ => (false, token),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let magnitude = digits.bytes().try_fold(0i64, |acc, b| {
        acc.checked_mul(10)?.checked_add(i64::from(b - b'0'))
    });
    let value = match (magnitude, negative) {
        (Some(m), false) => m,
        (Some(m), true) => -m,
        (None, false) => i64::MAX,
        (None, true) => i64::MIN,
    };
    Some(value as u32)
}

/// The client and virtual addresses, read the way ipvsadm does: IPv6 if the
/// client parses as IPv6, dotted IPv4 if it parses as that, otherwise both
/// as hex numbers.
fn parse_address_pair(client: &str, virt: &str) -> Result<(IpAddr, IpAddr), String> {
    if let Some(c) = resolve::parse_ipv6(client) {
        let v = resolve::parse_ipv6(virt).ok_or_else(|| format!("bad IPv6 address `{virt}'"))?;
        return Ok((IpAddr::V6(c), IpAddr::V6(v)));
    }
    if let Some(c) = resolve::parse_ipv4_pton(client) {
        let v =
            resolve::parse_ipv4_pton(virt).ok_or_else(|| format!("bad IPv4 address `{virt}'"))?;
        return Ok((IpAddr::V4(c), IpAddr::V4(v)));
    }
    Ok((hex_ipv4(client), hex_ipv4(virt)))
}

fn hex_ipv4(text: &str) -> IpAddr {
    IpAddr::V4(Ipv4Addr::from(strtoul_hex(text) as u32))
}

/// The destination address: its own family, IPv6, dotted IPv4 or hex.
fn parse_dest_address(text: &str) -> IpAddr {
    if let Some(a) = resolve::parse_ipv6(text) {
        IpAddr::V6(a)
    } else if let Some(a) = resolve::parse_ipv4_pton(text) {
        IpAddr::V4(a)
    } else {
        hex_ipv4(text)
    }
}

fn parse_line(text: &str) -> Result<ConnectionEntry, String> {
    let fields: Vec<&str> = text.split(is_c_space).filter(|f| !f.is_empty()).collect();
    if fields.is_empty() {
        return Err("blank line".to_string());
    }
    if fields.len() < 9 {
        return Err(format!("{} fields, at least 9 expected", fields.len()));
    }
    let port =
        |i: usize| scan_hex_u16(fields[i]).ok_or_else(|| format!("bad port `{}'", fields[i]));
    let (client_addr, virtual_addr) = parse_address_pair(fields[1], fields[3])?;
    Ok(ConnectionEntry {
        protocol: fields[0].to_string(),
        client_addr,
        client_port: port(2)?,
        virtual_addr,
        virtual_port: port(4)?,
        dest_addr: parse_dest_address(fields[5]),
        dest_port: port(6)?,
        state: fields[7].to_string(),
        expires: scan_decimal_u32(fields[8])
            .ok_or_else(|| format!("bad expiry `{}'", fields[8]))?,
        pe_name: fields.get(9).map(|s| s.to_string()),
        pe_data: fields.get(10).map(|s| s.to_string()),
    })
}

/// Parses the text of `/proc/net/ip_vs_conn`: the first line is the
/// kernel's header and is skipped, every further line is one connection.
pub fn parse_connections(text: &str) -> Result<Vec<ConnectionEntry>, ParseError> {
    if text.is_empty() {
        return Err(ParseError::MissingHeader);
    }
    let mut lines = text.split_inclusive('\n');
    lines.next();
    lines
        .enumerate()
        .map(|(i, line)| {
            parse_line(line).map_err(|reason| ParseError::BadLine {
                line: i + 2,
                reason,
            })
        })
        .collect()
}

/// `-L -c`: `IPVS connection entries`, the column titles and one line per
/// connection. With `opts.format == PersistentConn` the persistence-engine
/// columns are added (filled for entries that have both PE fields).
pub fn write_connections(
    w: &mut dyn Write,
    conns: &[ConnectionEntry],
    opts: &ListOptions,
) -> io::Result<()> {
    write_connections_with(w, conns, opts, &SystemNames)
}

/// [`write_connections`] with names from `names`.
pub fn write_connections_with(
    w: &mut dyn Write,
    conns: &[ConnectionEntry],
    opts: &ListOptions,
    names: &dyn Names,
) -> io::Result<()> {
    let persistent = opts.format == ListFormat::PersistentConn;
    let mut out = Vec::from(&b"IPVS connection entries\n"[..]);
    if persistent {
        put(
            &mut out,
            format!(
                "pro expire {:<11} {:<18} {:<18} {:<18} {:<16} {}\n",
                "state", "source", "virtual", "destination", "pe name", "pe_data"
            ),
        );
    } else {
        put(
            &mut out,
            format!(
                "pro expire {:<11} {:<18} {:<18} {}\n",
                "state", "source", "virtual", "destination"
            ),
        );
    }
    w.write_all(&out)?;

    for conn in conns {
        let protocol = conn.known_protocol();
        let name = |addr: &IpAddr, port: u16| addr_port(addr, port, protocol, opts.numeric, names);
        // ipvsadm prints the minutes with %02d.
        let expires = format!("{:02}:{:02}", (conn.expires / 60) as i32, conn.expires % 60);
        let mut line = Vec::with_capacity(128);
        left(&mut line, conn.protocol.as_bytes(), 3);
        put(&mut line, " ");
        left(&mut line, expires.as_bytes(), 6);
        put(&mut line, " ");
        left(&mut line, conn.state.as_bytes(), 11);
        put(&mut line, " ");
        left(&mut line, &name(&conn.client_addr, conn.client_port), 18);
        put(&mut line, " ");
        left(&mut line, &name(&conn.virtual_addr, conn.virtual_port), 18);
        put(&mut line, " ");
        let dest = name(&conn.dest_addr, conn.dest_port);
        match (persistent, &conn.pe_name, &conn.pe_data) {
            (true, Some(pe_name), Some(pe_data)) => {
                left(&mut line, &dest, 16);
                put(&mut line, " ");
                left(&mut line, pe_name.as_bytes(), 18);
                put(&mut line, " ");
                put(&mut line, pe_data);
            }
            _ => put(&mut line, dest),
        }
        put(&mut line, "\n");
        w.write_all(&line)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strtoul_reads_like_c() {
        assert_eq!(strtoul_hex("C0A80001"), 0xC0A8_0001);
        assert_eq!(strtoul_hex("0xff"), 0xff);
        assert_eq!(strtoul_hex("0x"), 0);
        assert_eq!(strtoul_hex("12zz"), 0x12);
        assert_eq!(strtoul_hex("zz"), 0);
        assert_eq!(strtoul_hex("-1"), u64::MAX);
        assert_eq!(strtoul_hex("1FFFFFFFFFFFFFFFF"), u64::MAX);
        assert_eq!(strtoul_hex("1C0A80001") as u32, 0xC0A8_0001);
    }

    #[test]
    fn hex_and_decimal_fields() {
        assert_eq!(scan_hex_u16("0050"), Some(80));
        assert_eq!(scan_hex_u16("FFFFF"), Some(0xFFFF));
        assert_eq!(scan_hex_u16("0x1F"), Some(0x1F));
        assert_eq!(scan_hex_u16("g1"), None);
        assert_eq!(scan_hex_u16(""), None);
        assert_eq!(scan_hex_u16("+-5"), None);
        assert_eq!(scan_hex_u16("-1"), Some(0xFFFF));
        assert_eq!(scan_decimal_u32("42"), Some(42));
        assert_eq!(scan_decimal_u32("-1"), Some(u32::MAX));
        assert_eq!(scan_decimal_u32("4294967295"), Some(u32::MAX));
        assert_eq!(scan_decimal_u32("99999999999999999999"), Some(u32::MAX));
        assert_eq!(scan_decimal_u32("1x"), None);
    }
}
