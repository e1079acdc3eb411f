//! Helpers shared by the IPVS attribute sets: nested-list parsing, strings and
//! the 16-byte address union.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use netlink_packet_core::{
    DecodeError, ErrorContext, Nla, NlaBuffer, NlasIterator, Parseable, NLA_F_NESTED,
    NLA_F_NET_BYTEORDER, NLA_HEADER_SIZE, NLA_TYPE_MASK,
};

use super::constants::INET_ADDR_LEN;
use crate::model::AddressFamily;

/// Parses every attribute of `buf` (the value of a nested attribute, or a
/// message body) into `T`. Any malformed attribute fails the whole list.
pub(crate) fn parse_list<T>(buf: &[u8], what: &str) -> Result<Vec<T>, DecodeError>
where
    T: for<'a> Parseable<NlaBuffer<&'a [u8]>>,
{
    parse_each(buf, |nla| T::parse(nla))
        .with_context(|| format!("failed to parse {what} attributes"))
}

/// Writes `attrs` into `buffer` (exactly their `buffer_len` bytes) as
/// netlink-packet-core's slice `emit` does, asking each attribute for its
/// length once: that `emit` asks five times per attribute, which nested
/// lists multiply, and a restore encodes tens of thousands of messages.
pub(crate) fn emit_attrs<T: Nla>(attrs: &[T], buffer: &mut [u8]) {
    let mut offset = 0;
    for attr in attrs {
        let value_len = attr.value_len();
        let end = offset + NLA_HEADER_SIZE + value_len;
        let padded = offset + ((NLA_HEADER_SIZE + value_len + 3) & !3);
        let mut kind = attr.kind() & NLA_TYPE_MASK;
        if attr.is_network_byteorder() {
            kind |= NLA_F_NET_BYTEORDER;
        }
        if attr.is_nested() {
            kind |= NLA_F_NESTED;
        }
        let header = &mut buffer[offset..offset + NLA_HEADER_SIZE];
        header[..2].copy_from_slice(&((NLA_HEADER_SIZE + value_len) as u16).to_ne_bytes());
        header[2..].copy_from_slice(&kind.to_ne_bytes());
        attr.emit_value(&mut buffer[offset + NLA_HEADER_SIZE..end]);
        buffer[end..padded].fill(0);
        offset = padded;
    }
}

/// The attributes of a buffer as (kind with flags masked off, value), with
/// the checks `NlasIterator` makes: a header that does not fit, or a length
/// below the header's or past the end, is an error that ends the walk.
/// Decoders of entries a dump repeats tens of thousands of times use this
/// instead of building attribute values.
pub(crate) struct NlaWalk<'a>(&'a [u8]);

impl<'a> NlaWalk<'a> {
    pub(crate) fn new(buf: &'a [u8]) -> Self {
        NlaWalk(buf)
    }
}

impl<'a> Iterator for NlaWalk<'a> {
    type Item = Result<(u16, &'a [u8]), DecodeError>;

    fn next(&mut self) -> Option<Self::Item> {
        let buf = self.0;
        if buf.is_empty() {
            return None;
        }
        let (Some(len), Some(kind)) = (buf.get(0..2), buf.get(2..4)) else {
            self.0 = &[];
            return Some(Err(DecodeError::from(format!(
                "attribute header needs {NLA_HEADER_SIZE} bytes, {} left",
                buf.len()
            ))));
        };
        let len = usize::from(u16::from_ne_bytes([len[0], len[1]]));
        let kind = u16::from_ne_bytes([kind[0], kind[1]]) & NLA_TYPE_MASK;
        if len < NLA_HEADER_SIZE || len > buf.len() {
            self.0 = &[];
            return Some(Err(DecodeError::from(format!(
                "attribute length {len} with {} bytes left",
                buf.len()
            ))));
        }
        self.0 = buf.get((len + 3) & !3..).unwrap_or_default();
        Some(Ok((kind, &buf[NLA_HEADER_SIZE..len])))
    }
}

/// Calls `each` for every attribute of `buf` ([`NlaWalk`]), stopping at the
/// first error.
pub(crate) fn for_each_nla<'a>(
    buf: &'a [u8],
    mut each: impl FnMut(u16, &'a [u8]) -> Result<(), DecodeError>,
) -> Result<(), DecodeError> {
    for nla in NlaWalk::new(buf) {
        let (kind, value) = nla?;
        each(kind, value)?;
    }
    Ok(())
}

/// A native-endian integer attribute value of exactly `N` bytes.
pub(crate) fn fixed<const N: usize>(value: &[u8]) -> Result<[u8; N], DecodeError> {
    value.try_into().map_err(|_| {
        DecodeError::from(format!(
            "integer attribute has {} bytes, expected {N}",
            value.len()
        ))
    })
}

/// Parses every attribute of `buf` with `parse` into a vector sized up front
/// (dumps decode tens of thousands of these lists).
pub(crate) fn parse_each<T>(
    buf: &[u8],
    mut parse: impl FnMut(&NlaBuffer<&[u8]>) -> Result<T, DecodeError>,
) -> Result<Vec<T>, DecodeError> {
    let mut items = Vec::with_capacity(count_attributes(buf));
    for nla in NlasIterator::new(buf) {
        items.push(parse(&nla?)?);
    }
    Ok(items)
}

/// How many attributes `buf` appears to hold, from their headers alone (a
/// capacity hint: malformed input is left to the parser).
fn count_attributes(mut buf: &[u8]) -> usize {
    let mut count = 0;
    while buf.len() >= 4 {
        let len = usize::from(u16::from_ne_bytes([buf[0], buf[1]]));
        if len < 4 {
            break;
        }
        count += 1;
        buf = buf.get((len + 3) & !3..).unwrap_or_default();
    }
    count
}

/// Reads an `NLA_NUL_STRING`/`NLA_STRING` value: the bytes up to the first NUL
/// (or the end). Bytes that are not UTF-8 are replaced, never rejected, since
/// interface names may hold any byte.
pub(crate) fn parse_c_string(value: &[u8]) -> String {
    let end = value.iter().position(|&b| b == 0).unwrap_or(value.len());
    String::from_utf8_lossy(&value[..end]).into_owned()
}

/// Longest string value written, in bytes. Kernel names are at most 16 bytes,
/// so a longer string is rejected by the kernel either way; the cap only keeps
/// attribute lengths far below their 16-bit limit whatever the input.
pub const MAX_STRING_BYTES: usize = 1024;

fn capped(s: &str) -> &[u8] {
    let bytes = s.as_bytes();
    &bytes[..bytes.len().min(MAX_STRING_BYTES)]
}

/// Length of a string attribute's value: the (capped) bytes plus the NUL.
pub(crate) fn c_string_len(s: &str) -> usize {
    capped(s).len() + 1
}

/// Writes a string attribute's value (capped) with its terminating NUL.
pub(crate) fn emit_c_string(buffer: &mut [u8], s: &str) {
    let bytes = capped(s);
    buffer[..bytes.len()].copy_from_slice(bytes);
    buffer[bytes.len()] = 0;
}

/// `union nf_inet_addr` as IPVS carries it: always 16 bytes on the wire, an
/// IPv4 address in the first 4 bytes and zeros after it. Which of the two it
/// is comes from a separate address-family attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct InetAddr(pub [u8; INET_ADDR_LEN]);

impl InetAddr {
    /// The union holding `ip`.
    pub fn from_ip(ip: IpAddr) -> Self {
        let mut bytes = [0u8; INET_ADDR_LEN];
        match ip {
            IpAddr::V4(v4) => bytes[..4].copy_from_slice(&v4.octets()),
            IpAddr::V6(v6) => bytes.copy_from_slice(&v6.octets()),
        }
        InetAddr(bytes)
    }

    /// The address, read as `family`.
    pub fn to_ip(&self, family: AddressFamily) -> IpAddr {
        match family {
            AddressFamily::Inet => {
                IpAddr::V4(Ipv4Addr::new(self.0[0], self.0[1], self.0[2], self.0[3]))
            }
            AddressFamily::Inet6 => IpAddr::V6(Ipv6Addr::from(self.0)),
        }
    }

    /// Reads an address attribute's value. The kernel always sends 16 bytes;
    /// a bare 4-byte IPv4 address is accepted too. Other lengths are errors.
    pub fn parse(value: &[u8]) -> Result<Self, DecodeError> {
        let mut bytes = [0u8; INET_ADDR_LEN];
        match value.len() {
            INET_ADDR_LEN | 4 => {
                bytes[..value.len()].copy_from_slice(value);
                Ok(InetAddr(bytes))
            }
            other => Err(DecodeError::from(format!(
                "address attribute has {other} bytes, expected 16 (or 4)"
            ))),
        }
    }
}

/// Reads an address family number the way IPVS uses it.
pub(crate) fn family_from_raw(raw: u16) -> Result<AddressFamily, DecodeError> {
    AddressFamily::from_raw(raw)
        .ok_or_else(|| DecodeError::from(format!("unsupported address family {raw}")))
}
