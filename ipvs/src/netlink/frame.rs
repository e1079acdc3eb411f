//! Netlink framing: writing request messages (netlink header + genetlink
//! header + attributes) and splitting received datagrams into classified
//! messages. Nothing here panics on malformed input.

use netlink_packet_core::{
    parse_i32, parse_u16, parse_u32, DecodeError, ErrorContext, NLMSG_DONE, NLMSG_ERROR,
    NLMSG_NOOP, NLMSG_OVERRUN, NLM_F_ACK, NLM_F_REQUEST,
};

use super::constants::*;
use super::message::IpvsCmd;
use super::nla::{attributes, AttrWriter};

/// The header fields of a generic-netlink request. The port id is 0 (the
/// kernel), the genetlink reserved field 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    /// Netlink message type: the family id.
    pub msg_type: u16,
    /// `NLM_F_*` flags.
    pub flags: u16,
    /// Sequence number.
    pub seq: u32,
}

/// Appends one generic-netlink message to `out`: `nlmsghdr`, `genlmsghdr`
/// (command, version) and the attributes `body` writes. Every field is in
/// host byte order, as netlink wants; attributes keep the message aligned.
pub(crate) fn write_message(
    out: &mut Vec<u8>,
    header: Header,
    cmd: u8,
    version: u8,
    body: impl FnOnce(&mut AttrWriter<'_>),
) {
    let start = out.len();
    // Both headers in one append (a restore writes tens of thousands).
    let mut head = [0u8; NLMSG_HDRLEN + GENL_HDRLEN];
    head[4..6].copy_from_slice(&header.msg_type.to_ne_bytes());
    head[6..8].copy_from_slice(&header.flags.to_ne_bytes());
    head[8..12].copy_from_slice(&header.seq.to_ne_bytes());
    head[16..].copy_from_slice(&[cmd, version, 0, 0]);
    out.extend_from_slice(&head);
    body(&mut AttrWriter::new(out));
    let len = (out.len() - start) as u32;
    out[start..start + 4].copy_from_slice(&len.to_ne_bytes());
}

/// Appends an IPVS message.
pub(crate) fn write_ipvs_message(
    out: &mut Vec<u8>,
    header: Header,
    cmd: IpvsCmd,
    body: impl FnOnce(&mut AttrWriter<'_>),
) {
    write_message(out, header, cmd.to_raw(), IPVS_GENL_VERSION, body)
}

/// Appends an `NLMSG_NOOP` request asking for an ACK. The kernel ACKs such a
/// control message without running any handler, in order after the messages
/// before it in the same write; its ACK therefore marks the point by which
/// every earlier message of the write has been answered, if it will ever be.
/// (Netlink sends no ACK for a request whose handler returned `-EINTR`.)
pub(crate) fn push_barrier(out: &mut Vec<u8>, seq: u32) {
    let mut message = [0u8; NLMSG_HDRLEN];
    message[..4].copy_from_slice(&(NLMSG_HDRLEN as u32).to_ne_bytes());
    message[4..6].copy_from_slice(&NLMSG_NOOP.to_ne_bytes());
    message[6..8].copy_from_slice(&(NLM_F_REQUEST | NLM_F_ACK).to_ne_bytes());
    message[8..12].copy_from_slice(&seq.to_ne_bytes());
    out.extend_from_slice(&message);
}

/// Appends the nlctrl `CTRL_CMD_GETFAMILY` request that resolves a family by name.
pub(crate) fn write_family_lookup(out: &mut Vec<u8>, flags: u16, seq: u32, name: &str) {
    let header = Header {
        msg_type: GENL_ID_CTRL,
        flags,
        seq,
    };
    write_message(out, header, CTRL_CMD_GETFAMILY, CTRL_VERSION, |w| {
        w.c_string(CTRL_ATTR_FAMILY_NAME, name)
    });
}

/// Splits a generic-netlink message body into its command and attributes.
fn genl_body(payload: &[u8]) -> Result<(u8, &[u8]), DecodeError> {
    match payload {
        [cmd, _version, _, _, attrs @ ..] => Ok((*cmd, attrs)),
        _ => Err(DecodeError::from(format!(
            "generic netlink message of {} bytes lacks its header",
            payload.len()
        ))),
    }
}

/// Reads the family id out of an nlctrl `NEWFAMILY` reply body (genetlink
/// header included). Attributes other than `CTRL_ATTR_FAMILY_ID` are skipped.
pub(crate) fn family_id_from_reply(payload: &[u8]) -> Result<u16, DecodeError> {
    let (cmd, body) = genl_body(payload)?;
    if cmd != CTRL_CMD_NEWFAMILY {
        return Err(DecodeError::from(format!(
            "unexpected nlctrl reply command {cmd}"
        )));
    }
    for nla in attributes(body) {
        let nla = nla.context("failed to parse nlctrl attributes")?;
        if nla.kind() == CTRL_ATTR_FAMILY_ID {
            return parse_u16(nla.value());
        }
    }
    Err(DecodeError::from("nlctrl reply lacks CTRL_ATTR_FAMILY_ID"))
}

/// The command and attributes of an IPVS message body (genetlink header
/// included); an unknown command is an error.
pub fn ipvs_body(payload: &[u8]) -> Result<(IpvsCmd, &[u8]), DecodeError> {
    let (raw, body) = genl_body(payload)?;
    let cmd = IpvsCmd::from_raw(raw)
        .ok_or_else(|| DecodeError::from(format!("unknown IPVS command {raw}")))?;
    Ok((cmd, body))
}

/// The value of the first attribute of kind `kind` (a nest such as
/// `IPVS_CMD_ATTR_DEST`) among `body`'s attributes, without decoding the
/// others: dumps are read entry by entry. Fails on a malformed attribute
/// before the match; attributes after it are not looked at.
pub fn find_attribute(body: &[u8], kind: u16) -> Result<Option<&[u8]>, DecodeError> {
    for nla in attributes(body) {
        let nla = nla?;
        if nla.kind() == kind {
            return Ok(Some(nla.value()));
        }
    }
    Ok(None)
}

/// One netlink message of a datagram.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Frame<'a> {
    /// Netlink message type.
    pub msg_type: u16,
    /// `NLM_F_*` flags.
    pub flags: u16,
    /// Sequence number.
    pub seq: u32,
    /// Sender's port id.
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
