//! Netlink framing: writing request messages (netlink header + genetlink
//! header + attributes) and splitting received datagrams into classified
//! messages. Nothing here panics on malformed input.

use netlink_packet_core::{
    parse_i32, parse_u16, parse_u32, DecodeError, Emitable, NlasIterator, ParseableParametrized,
    NLMSG_DONE, NLMSG_ERROR, NLMSG_NOOP, NLMSG_OVERRUN, NLM_F_ACK, NLM_F_REQUEST,
};
use netlink_packet_generic::ctrl::nlas::GenlCtrlAttrs;
use netlink_packet_generic::ctrl::{GenlCtrl, GenlCtrlCmd};
use netlink_packet_generic::{GenlFamily, GenlHeader};

use super::constants::*;
use super::message::{IpvsCmd, IpvsMessage};
use super::nla::NlaWalk;

/// Appends one generic-netlink message to `out`: `nlmsghdr` (length, type,
/// flags, sequence, port id 0), `genlmsghdr` (command, version, reserved 0)
/// and the body. Every field is in host byte order, as netlink wants.
pub fn push_genl_message(
    out: &mut Vec<u8>,
    msg_type: u16,
    flags: u16,
    seq: u32,
    cmd: u8,
    version: u8,
    body: &dyn Emitable,
) {
    let body_len = body.buffer_len();
    let total = NLMSG_HDRLEN + GENL_HDRLEN + body_len;
    let start = out.len();
    out.extend_from_slice(&(total as u32).to_ne_bytes());
    out.extend_from_slice(&msg_type.to_ne_bytes());
    out.extend_from_slice(&flags.to_ne_bytes());
    out.extend_from_slice(&seq.to_ne_bytes());
    out.extend_from_slice(&0u32.to_ne_bytes());
    out.extend_from_slice(&[cmd, version, 0, 0]);
    out.resize(start + total, 0);
    body.emit(&mut out[start + NLMSG_HDRLEN + GENL_HDRLEN..]);
    // Attribute lengths are multiples of 4, so messages stay NLMSG_ALIGNed.
    let aligned = (out.len() + 3) & !3;
    out.resize(aligned, 0);
}

/// Appends an `NLMSG_NOOP` request asking for an ACK. The kernel ACKs such a
/// control message without running any handler, in order after the messages
/// before it in the same write; its ACK therefore marks the point by which
/// every earlier message of the write has been answered, if it will ever be.
/// (Netlink sends no ACK for a request whose handler returned `-EINTR`.)
pub fn push_barrier(out: &mut Vec<u8>, seq: u32) {
    out.extend_from_slice(&(NLMSG_HDRLEN as u32).to_ne_bytes());
    out.extend_from_slice(&NLMSG_NOOP.to_ne_bytes());
    out.extend_from_slice(&(NLM_F_REQUEST | NLM_F_ACK).to_ne_bytes());
    out.extend_from_slice(&seq.to_ne_bytes());
    out.extend_from_slice(&0u32.to_ne_bytes());
}

/// Appends an IPVS request for the family id `family_id`.
pub fn push_ipvs_message(
    out: &mut Vec<u8>,
    family_id: u16,
    flags: u16,
    seq: u32,
    msg: &IpvsMessage,
) {
    push_genl_message(
        out,
        family_id,
        flags,
        seq,
        msg.command(),
        msg.version(),
        msg,
    );
}

/// One IPVS request as bytes.
pub fn encode_ipvs_message(family_id: u16, flags: u16, seq: u32, msg: &IpvsMessage) -> Vec<u8> {
    let mut out = Vec::new();
    push_ipvs_message(&mut out, family_id, flags, seq, msg);
    out
}

/// The nlctrl `CTRL_CMD_GETFAMILY` request that resolves a family by name.
pub fn encode_family_lookup(flags: u16, seq: u32, name: &str) -> Vec<u8> {
    let ctrl = GenlCtrl {
        cmd: GenlCtrlCmd::GetFamily,
        nlas: vec![GenlCtrlAttrs::FamilyName(name.to_owned())],
    };
    let mut out = Vec::new();
    push_genl_message(
        &mut out,
        GENL_ID_CTRL,
        flags,
        seq,
        ctrl.command(),
        ctrl.version(),
        &ctrl,
    );
    out
}

/// Reads the family id out of an nlctrl `NEWFAMILY` reply body (genetlink
/// header included). Attributes other than `CTRL_ATTR_FAMILY_ID` are skipped.
pub fn family_id_from_reply(payload: &[u8]) -> Result<u16, DecodeError> {
    let header = GenlHeader::parse(payload)?;
    if header.cmd != CTRL_CMD_NEWFAMILY {
        return Err(DecodeError::from(format!(
            "unexpected nlctrl reply command {}",
            header.cmd
        )));
    }
    for nla in NlasIterator::new(&payload[GENL_HDRLEN..]) {
        let nla = nla?;
        if nla.kind() == CTRL_ATTR_FAMILY_ID {
            return parse_u16(nla.value());
        }
    }
    Err(DecodeError::from("nlctrl reply lacks CTRL_ATTR_FAMILY_ID"))
}

/// Decodes an IPVS message body (genetlink header included).
pub fn decode_ipvs_message(payload: &[u8]) -> Result<IpvsMessage, DecodeError> {
    let header = GenlHeader::parse(payload)?;
    IpvsMessage::parse_with_param(&payload[GENL_HDRLEN..], header)
}

/// The value of the first attribute of kind `kind` (a nest such as
/// `IPVS_CMD_ATTR_DEST`) in an IPVS message body (genetlink header
/// included), without decoding the rest: dumps are read entry by entry.
/// Fails on an unknown command or a malformed attribute before the match;
/// attributes after it are not looked at.
pub fn find_ipvs_attribute(payload: &[u8], kind: u16) -> Result<Option<&[u8]>, DecodeError> {
    let header = GenlHeader::parse(payload)?;
    if IpvsCmd::from_raw(header.cmd).is_none() {
        return Err(DecodeError::from(format!(
            "unknown IPVS command {}",
            header.cmd
        )));
    }
    let body = payload.get(GENL_HDRLEN..).unwrap_or_default();
    for nla in NlaWalk::new(body) {
        let (found, value) = nla?;
        if found == kind {
            return Ok(Some(value));
        }
    }
    Ok(None)
}

/// One netlink message of a datagram.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Frame<'a> {
    pub msg_type: u16,
    pub flags: u16,
    pub seq: u32,
    pub port: u32,
    /// The bytes after the netlink header, up to `nlmsg_len`.
    pub payload: &'a [u8],
    /// The whole message, header included (for tracing).
    pub raw: &'a [u8],
}

/// What a received message means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reply<'a> {
    /// `NLMSG_ERROR` with code 0: the request succeeded.
    Ack,
    /// `NLMSG_ERROR` with a negative code: the request failed with `errno`.
    Error { errno: i32 },
    /// `NLMSG_DONE`: the end of a dump; `errno` is non-zero if it failed.
    Done { errno: i32 },
    /// `NLMSG_NOOP`.
    Noop,
    /// `NLMSG_OVERRUN`.
    Overrun,
    /// A protocol message of this type (for IPVS: the family id).
    Data { msg_type: u16, payload: &'a [u8] },
}

/// A kernel error code (negative errno, or 0) as a positive errno.
fn errno_of(code: i32) -> i32 {
    if code < 0 {
        code.saturating_neg()
    } else {
        code
    }
}

impl<'a> Frame<'a> {
    /// Classifies the message. Error and done messages must carry their code.
    pub fn reply(&self) -> Result<Reply<'a>, DecodeError> {
        Ok(match self.msg_type {
            NLMSG_ERROR => {
                let code = self.payload.get(..4).ok_or_else(|| {
                    DecodeError::from("NLMSG_ERROR message too short for its error code")
                })?;
                match parse_i32(code)? {
                    0 => Reply::Ack,
                    code => Reply::Error {
                        errno: errno_of(code),
                    },
                }
            }
            NLMSG_DONE => {
                // The kernel may send NLMSG_DONE without a payload.
                let errno = match self.payload.len() {
                    0 => 0,
                    1..=3 => {
                        return Err(DecodeError::from(
                            "NLMSG_DONE message has a truncated error code",
                        ))
                    }
                    _ => errno_of(parse_i32(&self.payload[..4])?),
                };
                Reply::Done { errno }
            }
            NLMSG_NOOP => Reply::Noop,
            NLMSG_OVERRUN => Reply::Overrun,
            msg_type => Reply::Data {
                msg_type,
                payload: self.payload,
            },
        })
    }
}

/// Splits a received datagram into messages. A malformed header (too short,
/// or a length that runs past the datagram) yields one error and ends the
/// iteration.
pub fn frames(datagram: &[u8]) -> Frames<'_> {
    Frames {
        buf: datagram,
        pos: 0,
    }
}

/// Iterator returned by [`frames`].
#[derive(Debug, Clone)]
pub struct Frames<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Iterator for Frames<'a> {
    type Item = Result<Frame<'a>, DecodeError>;

    fn next(&mut self) -> Option<Self::Item> {
        let rest = self.buf.get(self.pos..)?;
        if rest.is_empty() {
            return None;
        }
        // Stop after this item whatever happens, unless it parses cleanly.
        self.pos = self.buf.len();
        if rest.len() < NLMSG_HDRLEN {
            return Some(Err(DecodeError::from(format!(
                "{} trailing bytes are too short for a netlink header",
                rest.len()
            ))));
        }
        let header = (|| -> Result<(u32, u16, u16, u32, u32), DecodeError> {
            Ok((
                parse_u32(&rest[0..4])?,
                parse_u16(&rest[4..6])?,
                parse_u16(&rest[6..8])?,
                parse_u32(&rest[8..12])?,
                parse_u32(&rest[12..16])?,
            ))
        })();
        let (len, msg_type, flags, seq, port) = match header {
            Ok(h) => h,
            Err(e) => return Some(Err(e)),
        };
        let len = len as usize;
        if len < NLMSG_HDRLEN || len > rest.len() {
            return Some(Err(DecodeError::from(format!(
                "netlink message length {len} does not fit the {} bytes left",
                rest.len()
            ))));
        }
        let raw = &rest[..len];
        let aligned = len.saturating_add(3) & !3;
        self.pos = self.buf.len() - rest.len() + aligned.min(rest.len());
        Some(Ok(Frame {
            msg_type,
            flags,
            seq,
            port,
            payload: &raw[NLMSG_HDRLEN..],
            raw,
        }))
    }
}
