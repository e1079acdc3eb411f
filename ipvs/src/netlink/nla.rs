//! Attribute encoding and decoding shared by the IPVS attribute sets.
//!
//! Encoding: [`AttrWriter`] appends attributes (header, value, padding) to a
//! reused buffer; nests get their length when closed. Every attribute set
//! writes itself through it, so a message is built in place, in one pass,
//! without intermediate values.
//!
//! Decoding: [`attributes`] walks a buffer's attributes, yielding each as an
//! [`Attr`] whose value borrows from the buffer, so parsed attributes can
//! borrow from the datagram. The walk is small and inlined into each decoder:
//! a listing walks hundreds of thousands of attributes.

use std::borrow::Cow;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use netlink_packet_core::{DecodeError, NLA_F_NESTED, NLA_HEADER_SIZE, NLA_TYPE_MASK};

use super::constants::INET_ADDR_LEN;
use crate::model::AddressFamily;

/// Appends netlink attributes to a buffer.
pub(crate) struct AttrWriter<'a> {
    out: &'a mut Vec<u8>,
}

/// The longest value [`AttrWriter::fixed`] writes (an address).
const MAX_FIXED_VALUE: usize = INET_ADDR_LEN;

impl<'a> AttrWriter<'a> {
    /// A writer appending to `out` (which must end 4-byte aligned).
    pub(crate) fn new(out: &'a mut Vec<u8>) -> Self {
        AttrWriter { out }
    }

    /// An attribute with an `N`-byte value, padded to 4 bytes, appended in
    /// one piece (built on the stack: its size is known when compiling).
    #[inline(always)]
    pub(crate) fn fixed<const N: usize>(&mut self, kind: u16, value: [u8; N]) {
        const { assert!(N <= MAX_FIXED_VALUE) };
        let mut attr = [0u8; NLA_HEADER_SIZE + MAX_FIXED_VALUE];
        attr[..2].copy_from_slice(&((NLA_HEADER_SIZE + N) as u16).to_ne_bytes());
        attr[2..4].copy_from_slice(&kind.to_ne_bytes());
        attr[NLA_HEADER_SIZE..NLA_HEADER_SIZE + N].copy_from_slice(&value);
        self.out
            .extend_from_slice(&attr[..(NLA_HEADER_SIZE + N + 3) & !3]);
    }

    /// A host-order `u16` attribute.
    #[inline(always)]
    pub(crate) fn u16(&mut self, kind: u16, value: u16) {
        self.fixed(kind, value.to_ne_bytes());
    }

    /// A big-endian `u16` attribute (ports).
    #[inline(always)]
    pub(crate) fn u16_be(&mut self, kind: u16, value: u16) {
        self.fixed(kind, value.to_be_bytes());
    }

    /// A host-order `u32` attribute.
    #[inline(always)]
    pub(crate) fn u32(&mut self, kind: u16, value: u32) {
        self.fixed(kind, value.to_ne_bytes());
    }

    /// An attribute with any value.
    pub(crate) fn bytes(&mut self, kind: u16, value: &[u8]) {
        self.header(kind, value.len());
        self.out.extend_from_slice(value);
        self.pad();
    }

    /// A NUL-terminated string attribute, its bytes capped at [`MAX_STRING_BYTES`].
    pub(crate) fn c_string(&mut self, kind: u16, value: &str) {
        let bytes = capped(value);
        self.header(kind, bytes.len() + 1);
        self.out.extend_from_slice(bytes);
        self.out.push(0);
        self.pad();
    }

    /// A nested attribute (with `NLA_F_NESTED`, as libnl sets it) holding
    /// what `body` writes.
    #[inline]
    pub(crate) fn nest(&mut self, kind: u16, body: impl FnOnce(&mut AttrWriter<'_>)) {
        let start = self.out.len();
        self.header(kind | NLA_F_NESTED, 0);
        body(&mut AttrWriter::new(self.out));
        let len = (self.out.len() - start) as u16;
        self.out[start..start + 2].copy_from_slice(&len.to_ne_bytes());
    }

    fn header(&mut self, kind: u16, value_len: usize) {
        let len = (NLA_HEADER_SIZE + value_len) as u16;
        self.out.extend_from_slice(&len.to_ne_bytes());
        self.out.extend_from_slice(&kind.to_ne_bytes());
    }

    fn pad(&mut self) {
        let aligned = (self.out.len() + 3) & !3;
        self.out.resize(aligned, 0);
    }
}

/// One attribute found by [`attributes`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Attr<'a> {
    raw_kind: u16,
    value: &'a [u8],
}

impl<'a> Attr<'a> {
    /// The attribute's kind, without its flag bits.
    #[inline(always)]
    pub(crate) fn kind(&self) -> u16 {
        self.raw_kind & NLA_TYPE_MASK
    }

    /// The attribute's kind with its flag bits (`NLA_F_NESTED`, ...).
    #[inline(always)]
    pub(crate) fn raw_kind(&self) -> u16 {
        self.raw_kind
    }

    /// The attribute's value (without padding), borrowed from the buffer.
    #[inline(always)]
    pub(crate) fn value(&self) -> &'a [u8] {
        self.value
    }
}

/// The attributes of `buf` (a message body or a nest's value), in order.
/// A malformed attribute (a header cut short, a length under the header's
/// or past the buffer) yields one error and ends the walk, with
/// netlink-packet-core's messages for these cases.
#[inline(always)]
pub(crate) fn attributes(buf: &[u8]) -> Attrs<'_> {
    Attrs { rest: buf }
}

/// Iterator returned by [`attributes`].
#[derive(Debug, Clone)]
pub(crate) struct Attrs<'a> {
    rest: &'a [u8],
}

impl<'a> Iterator for Attrs<'a> {
    type Item = Result<Attr<'a>, DecodeError>;

    #[inline(always)]
    fn next(&mut self) -> Option<Self::Item> {
        let rest = self.rest;
        let &[l0, l1, k0, k1, ..] = rest else {
            if rest.is_empty() {
                return None;
            }
            self.rest = &[];
            return Some(Err(DecodeError::nla_buffer_too_small(
                rest.len(),
                NLA_HEADER_SIZE,
            )));
        };
        let len = usize::from(u16::from_ne_bytes([l0, l1]));
        if len > rest.len() || len < NLA_HEADER_SIZE {
            self.rest = &[];
            return Some(Err(if len > rest.len() {
                DecodeError::nla_length_mismatch(rest.len(), len)
            } else {
                DecodeError::nla_invalid_length(rest.len(), len)
            }));
        }
        // The last attribute's padding may be missing.
        self.rest = rest.get((len + 3) & !3..).unwrap_or_default();
        Some(Ok(Attr {
            raw_kind: u16::from_ne_bytes([k0, k1]),
            value: &rest[NLA_HEADER_SIZE..len],
        }))
    }
}

/// A native-endian integer value of exactly `N` bytes.
pub(crate) fn fixed<const N: usize>(value: &[u8]) -> Result<[u8; N], DecodeError> {
    value.try_into().map_err(|_| {
        DecodeError::from(format!(
            "integer attribute has {} bytes, expected {N}",
            value.len()
        ))
    })
}

/// A host-order `u16` value.
pub(crate) fn parse_u16(value: &[u8]) -> Result<u16, DecodeError> {
    fixed(value).map(u16::from_ne_bytes)
}

/// A big-endian `u16` value.
pub(crate) fn parse_u16_be(value: &[u8]) -> Result<u16, DecodeError> {
    fixed(value).map(u16::from_be_bytes)
}

/// A host-order `u32` value.
pub(crate) fn parse_u32(value: &[u8]) -> Result<u32, DecodeError> {
    fixed(value).map(u32::from_ne_bytes)
}

/// Reads an `NLA_NUL_STRING`/`NLA_STRING` value: the bytes up to the first
/// NUL (or the end), borrowed when they are UTF-8. Other bytes are replaced,
/// never rejected, since interface names may hold any byte.
pub(crate) fn parse_c_string(value: &[u8]) -> Cow<'_, str> {
    let end = value.iter().position(|&b| b == 0).unwrap_or(value.len());
    String::from_utf8_lossy(&value[..end])
}

/// Longest string value written, in bytes. Kernel names are at most 16 bytes,
/// so a longer string is rejected by the kernel either way; the cap only keeps
/// attribute lengths far below their 16-bit limit whatever the input.
pub const MAX_STRING_BYTES: usize = 1024;

fn capped(s: &str) -> &[u8] {
    let bytes = s.as_bytes();
    &bytes[..bytes.len().min(MAX_STRING_BYTES)]
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
    pub fn to_ip(self, family: AddressFamily) -> IpAddr {
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
