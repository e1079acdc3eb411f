//! The exchange engine: one write of requests, and reading their answers
//! until the exchange is over. Single requests, dumps and batches all run
//! through [`Client::exchange`].
//!
//! Every reply is matched to its request by sequence number; messages for
//! other sequence numbers (left over from an abandoned request) are ignored.
//! A write of plain requests ends with an `NLMSG_NOOP` barrier asking for an
//! ACK: the kernel answers a write's messages in order, and has queued every
//! answer by the time the write returns, so the barrier's ACK tells that all
//! answers to the write have arrived, or never will (netlink sends no ACK
//! when a handler returns `-EINTR`). A dump ends at its `NLMSG_DONE`.

use std::io;
use std::time::Instant;

use netlink_packet_core::NLM_F_DUMP_INTR;

use super::{Client, Error};
use crate::netlink::{frames, Reply};

/// Receives each data message of an exchange: its type and body.
pub(super) type DataHandler<'a> = dyn FnMut(u16, &[u8]) -> Result<(), Error> + 'a;

/// How an exchange ends: after the barrier's ACK (plain requests), or the
/// dump's `NLMSG_DONE`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Until {
    Barrier(u32),
    Done,
}

/// How the receive loop of one exchange ended.
#[derive(Debug, Default)]
pub(super) struct Ended {
    /// Answers were dropped (`ENOBUFS`): a request without an outcome may
    /// have lost its ACK.
    pub(super) lost: bool,
    /// The kernel flagged the dump inconsistent, or answers were dropped.
    pub(super) interrupted: bool,
    /// Datagrams that carried data for the requests (a dump whose entries
    /// came in one datagram was made in one pass over the table, under the
    /// kernel's lock).
    pub(super) data_datagrams: usize,
    /// The first error of the data handler; the exchange was still read to
    /// its end, so the socket stays usable.
    pub(super) handler_error: Option<Error>,
}

impl Ended {
    /// What an unanswered request got: its ACK was dropped, or (nothing
    /// dropped) its handler returned `-EINTR`, netlink's one case of a
    /// request without ACK.
    pub(super) fn unanswered(&self) -> Error {
        if self.lost {
            Error::AckLost
        } else {
            Error::Kernel { errno: libc::EINTR }
        }
    }
}

impl Client {
    /// Sends `bytes` (requests numbered from `first_seq`, one per slot of
    /// `outcomes`, then the barrier if `until` names one) and reads until
    /// the exchange ends. ACKs and errors fill `outcomes` (the first answer
    /// to a request wins); data messages go to `handle`.
    ///
    /// A dump's error fails the exchange at once. Once answers were dropped
    /// during plain requests, the survivors are already queued: the rest is
    /// drained without waiting.
    pub(super) fn exchange(
        &mut self,
        bytes: &[u8],
        first_seq: u32,
        outcomes: &mut [Option<Result<(), Error>>],
        until: Until,
        handle: &mut DataHandler<'_>,
    ) -> Result<Ended, Error> {
        self.send(bytes)?;
        let dump = until == Until::Done;
        let mut ended = Ended::default();
        loop {
            match self.receive(ended.lost && !dump) {
                Ok(true) => {}
                Ok(false) => return Ok(ended),
                Err(e) if e.is_enobufs() => {
                    // During a dump, the dump goes on to its NLMSG_DONE.
                    ended.lost = true;
                    ended.interrupted = true;
                    continue;
                }
                Err(e) => return Err(e),
            }
            let mut carried_data = false;
            let mut over = false;
            for frame in frames(&self.recv_buf) {
                let frame = frame?;
                if until == Until::Barrier(frame.seq) {
                    over |= matches!(frame.reply()?, Reply::Ack | Reply::Error { .. });
                    continue;
                }
                let index = frame.seq.wrapping_sub(first_seq) as usize;
                let Some(slot) = outcomes.get_mut(index) else {
                    continue;
                };
                if frame.flags & NLM_F_DUMP_INTR != 0 {
                    ended.interrupted = true;
                }
                match frame.reply()? {
                    Reply::Ack if !dump => {
                        slot.get_or_insert(Ok(()));
                    }
                    Reply::Error { errno } if dump => return Err(Error::Kernel { errno }),
                    Reply::Error { errno } => {
                        slot.get_or_insert(Err(Error::Kernel { errno }));
                    }
                    Reply::Done { errno } if dump => {
                        if errno != 0 {
                            return Err(Error::Kernel { errno });
                        }
                        over = true;
                    }
                    Reply::Overrun => ended.interrupted = true,
                    Reply::Data { msg_type, payload } => {
                        carried_data = true;
                        if ended.handler_error.is_none() {
                            ended.handler_error = handle(msg_type, payload).err();
                        }
                    }
                    Reply::Ack | Reply::Done { .. } | Reply::Noop => {}
                }
            }
            ended.data_datagrams += usize::from(carried_data);
            if over {
                return Ok(ended);
            }
        }
    }

    #[inline]
    pub(super) fn send(&mut self, bytes: &[u8]) -> Result<(), Error> {
        self.trace.record('>', bytes);
        loop {
            match self.transport.send(bytes) {
                Ok(sent) if sent == bytes.len() => return Ok(()),
                Ok(sent) => {
                    return Err(Error::Io(io::Error::other(format!(
                        "netlink sent {sent} of {} bytes",
                        bytes.len()
                    ))))
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(Error::Io(e)),
            }
        }
    }

    /// Receives one datagram from the kernel into `recv_buf`. Blocking
    /// receives end with [`Error::Timeout`] when nothing came in time;
    /// non-blocking ones return `Ok(false)` when nothing is queued.
    #[inline]
    fn receive(&mut self, nonblocking: bool) -> Result<bool, Error> {
        // Read only when a receive has to be repeated (the clock is not free
        // in a listing's tens of thousands of receives).
        let mut deadline = None;
        let timeout = self.timeout;
        let mut expired = || {
            let now = Instant::now();
            now >= *deadline.get_or_insert(now + timeout)
        };
        loop {
            match self.transport.recv(&mut self.recv_buf, nonblocking) {
                Ok((len, from)) => {
                    if from != 0 {
                        // Not from the kernel: ignore, within the time limit.
                        if expired() {
                            return Err(Error::Timeout);
                        }
                        continue;
                    }
                    if len > self.recv_buf.len() {
                        return Err(Error::Decode(format!(
                            "a {len}-byte datagram did not fit the {}-byte receive buffer",
                            self.recv_buf.len()
                        )));
                    }
                    self.trace.record('<', &self.recv_buf);
                    return Ok(true);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {
                    if expired() {
                        return Err(Error::Timeout);
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    return if nonblocking {
                        Ok(false)
                    } else {
                        Err(Error::Timeout)
                    };
                }
                Err(e) => return Err(Error::Io(e)),
            }
        }
    }
}
