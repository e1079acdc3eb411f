//! A generic-netlink socket to the kernel's IPVS family: requests, ACKs, dumps
//! and batches. Synchronous; every receive is bounded by a timeout.
//!
//! One [`Client`] owns one `NETLINK_GENERIC` socket and resolves the "IPVS"
//! family once, when it connects. Requests carry `NLM_F_REQUEST | NLM_F_ACK`
//! (dumps add `NLM_F_DUMP`), as libnl sends them for ipvsadm 1.31. How
//! answers are matched to requests, and when an exchange is over, is the
//! exchange engine's job (`exchange.rs`); batches go out in chunks sized to
//! the socket buffers (see [`Client::execute_batch`]).
//!
//! Setting the environment variable [`TRACE_ENV`] to a file path makes
//! the client append every netlink message it sends (`> hex`) and receives
//! (`< hex`) to that file, one message per line.

mod error;
mod exchange;
mod namespace;
mod socket;
mod trace;

use std::hash::Hash;
use std::time::Duration;

use rustc_hash::FxHashSet;

pub use self::error::Error;
pub use self::namespace::enter_network_namespace;

use crate::netlink::Request;

use self::exchange::{DataHandler, Until};
use self::socket::Transport;
use self::trace::Trace;
use crate::model::{DestinationEntry, KernelInfo, ServiceEntry, ServiceKey, SyncDaemon, Timeouts};
use crate::netlink::constants::{
    GENL_ID_CTRL, IPVS_CMD_ATTR_DAEMON, IPVS_CMD_ATTR_DEST, IPVS_CMD_ATTR_SERVICE, IPVS_GENL_NAME,
};
use crate::netlink::{
    destination_entry, family_id_from_reply, find_attribute, ipvs_body, kernel_info, push_barrier,
    service_entry, sync_daemon, timeouts, write_family_lookup, Counters, Header, Query, ServiceRef,
    REQUEST_FLAGS,
};

/// How long a receive may wait before the request is given up ([`Error::Timeout`]).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// How many times a dump is restarted after the kernel flagged it inconsistent.
const MAX_DUMP_ATTEMPTS: usize = 5;

/// Receive buffer for one datagram. Kernel dump datagrams are at most 32 KiB.
const RECV_BUF_LEN: usize = 64 * 1024;

/// Entries reserved up front for a service dump and for one service's real
/// servers (a listing runs one real-server dump per service).
const SERVICE_DUMP_CAPACITY: usize = 64;
const DESTINATION_DUMP_CAPACITY: usize = 16;

/// A connection to the kernel's IPVS generic-netlink family.
pub struct Client {
    transport: Box<dyn Transport + Send>,
    family_id: u16,
    seq: u32,
    timeout: Duration,
    recv_buf: Vec<u8>,
    /// Where requests are written before they are sent (reused).
    send_buf: Vec<u8>,
    chunk_bytes: usize,
    chunk_messages: usize,
    trace: Trace,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("family_id", &self.family_id)
            .field("seq", &self.seq)
            .field("timeout", &self.timeout)
            .field("chunk_bytes", &self.chunk_bytes)
            .field("chunk_messages", &self.chunk_messages)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// Opens a generic-netlink socket and resolves the "IPVS" family.
    ///
    /// The socket gets `NETLINK_CAP_ACK` (ACKs don't echo requests), a large
    /// receive and send buffer (`SO_RCVBUFFORCE`/`SO_SNDBUFFORCE` when allowed)
    /// and a receive timeout of 30 seconds.
    pub fn connect() -> Result<Client, Error> {
        let opened = socket::open(DEFAULT_TIMEOUT)?;
        Client::start(
            Box::new(opened.transport),
            opened.chunk_bytes,
            opened.chunk_messages,
            Trace::from_env()?,
        )
    }

    /// A client on `transport`, once the family is resolved.
    fn start(
        transport: Box<dyn Transport + Send>,
        chunk_bytes: usize,
        chunk_messages: usize,
        trace: Trace,
    ) -> Result<Client, Error> {
        let mut client = Client {
            transport,
            family_id: 0,
            seq: 0,
            timeout: DEFAULT_TIMEOUT,
            recv_buf: Vec::with_capacity(RECV_BUF_LEN),
            send_buf: Vec::new(),
            chunk_bytes,
            chunk_messages,
            trace,
        };
        client.family_id = client.resolve_family()?;
        Ok(client)
    }

    /// The family id the kernel gave "IPVS".
    pub fn family_id(&self) -> u16 {
        self.family_id
    }

    /// Changes how long any one receive may wait (default 30 seconds).
    pub fn set_timeout(&mut self, timeout: Duration) -> Result<(), Error> {
        self.transport.set_timeout(timeout)?;
        self.timeout = timeout;
        Ok(())
    }

    /// `IPVS_CMD_GET_INFO`: version and connection table size.
    pub fn info(&mut self) -> Result<KernelInfo, Error> {
        self.query_one(Query::Info, |payload| {
            Ok(kernel_info(ipvs_body(payload)?.1)?)
        })
    }

    /// All services (`GET_SERVICE` dump), in the kernel's order.
    ///
    /// The kernel resumes a dump that spans several datagrams by position, so
    /// a table changed meanwhile can list a service twice: such a dump is
    /// restarted, and if every attempt repeats one, each service is kept
    /// once (as last listed). See [`Client::destinations`] for real servers.
    pub fn services(&mut self) -> Result<Vec<ServiceEntry>, Error> {
        self.services_with(Counters::Decode)
    }

    /// [`Client::services`] with the counters left zero (their attributes
    /// not read), for listings that show none.
    pub fn services_without_counters(&mut self) -> Result<Vec<ServiceEntry>, Error> {
        self.services_with(Counters::Skip)
    }

    fn services_with(&mut self, counters: Counters) -> Result<Vec<ServiceEntry>, Error> {
        self.dump(
            Query::Services,
            SERVICE_DUMP_CAPACITY,
            |payload| {
                let nest = nest_of(payload, IPVS_CMD_ATTR_SERVICE, "service dump entry")?;
                Ok(service_entry(nest, counters)?)
            },
            |entry| entry.service.key,
        )
    }

    /// One service (`GET_SERVICE`); `Error::Kernel { errno: ESRCH }` if there is none.
    pub fn service(&mut self, key: &ServiceKey) -> Result<ServiceEntry, Error> {
        self.query_one(Query::Service(key), |payload| {
            let nest = nest_of(payload, IPVS_CMD_ATTR_SERVICE, "service reply")?;
            Ok(service_entry(nest, Counters::Decode)?)
        })
    }

    /// The real servers of a service (`GET_DEST` dump), in the kernel's order.
    /// The kernel answers an empty list (not an error) for a missing service.
    pub fn destinations(&mut self, key: &ServiceKey) -> Result<Vec<DestinationEntry>, Error> {
        self.destinations_with(key, Counters::Decode)
    }

    /// [`Client::destinations`] with the counters left zero (their
    /// attributes not read), for listings that show none: `-S`, and `-L`
    /// without `--stats` or `--rate`.
    pub fn destinations_without_counters(
        &mut self,
        key: &ServiceKey,
    ) -> Result<Vec<DestinationEntry>, Error> {
        self.destinations_with(key, Counters::Skip)
    }

    fn destinations_with(
        &mut self,
        key: &ServiceKey,
        counters: Counters,
    ) -> Result<Vec<DestinationEntry>, Error> {
        let family = key.family();
        self.dump(
            Query::Destinations(key),
            DESTINATION_DUMP_CAPACITY,
            |payload| {
                let nest = nest_of(payload, IPVS_CMD_ATTR_DEST, "destination dump entry")?;
                Ok(destination_entry(nest, family, counters)?)
            },
            |entry| (entry.destination.addr, entry.destination.port),
        )
    }

    /// The TCP, TCP FIN and UDP timeouts (`GET_CONFIG`).
    pub fn timeouts(&mut self) -> Result<Timeouts, Error> {
        self.query_one(Query::Config, |payload| {
            Ok(timeouts(ipvs_body(payload)?.1)?)
        })
    }

    /// The running sync daemons (`GET_DAEMON` dump): none, one or two.
    pub fn daemons(&mut self) -> Result<Vec<SyncDaemon>, Error> {
        self.dump(
            Query::Daemons,
            2,
            |payload| {
                Ok(sync_daemon(nest_of(
                    payload,
                    IPVS_CMD_ATTR_DAEMON,
                    "daemon dump entry",
                )?)?)
            },
            |daemon| daemon.state,
        )
    }

    /// Sends one request and waits for its ACK.
    ///
    /// A request the kernel handled without acknowledging it (netlink sends no
    /// ACK when the handler returns `-EINTR`, as Linux 6.1's `DEL_DAEMON` does
    /// when the sync thread had not run yet) fails with
    /// `Error::Kernel { errno: EINTR }` at once rather than after a timeout:
    /// each write ends with an `NLMSG_NOOP` barrier whose ACK marks the end.
    pub fn execute(&mut self, request: &Request) -> Result<(), Error> {
        let family_id = self.family_id;
        self.request_one(
            |out, seq| {
                let header = Header {
                    msg_type: family_id,
                    flags: REQUEST_FLAGS,
                    seq,
                };
                request.write(out, header, ServiceRef::Ipvsadm)
            },
            &mut |_, _| Ok(()),
        )
    }

    /// Sends many requests in as few `sendmsg` calls as possible, each with
    /// `NLM_F_ACK`, matches ACKs by sequence number and keeps the order.
    /// Returns one outcome per request; all are attempted (the kernel handles
    /// every message of a write, whatever the earlier ones gave).
    ///
    /// Requests go out in chunks small enough for the socket buffers; the
    /// ACKs of a chunk are read before the next chunk is sent. Should ACKs be
    /// dropped anyway (`ENOBUFS`), the requests whose ACK is missing get
    /// [`Error::AckLost`] and later chunks are made smaller. A request the
    /// kernel left unacknowledged gets `Error::Kernel { errno: EINTR }` (see
    /// [`Client::execute`]). Requests that only name a service name it by
    /// its key alone.
    ///
    /// `Err` means the exchange itself broke (socket error, [`Error::Timeout`]):
    /// requests sent until then may have been applied.
    pub fn execute_batch(&mut self, requests: &[Request]) -> Result<Vec<Result<(), Error>>, Error> {
        let mut outcomes: Vec<Result<(), Error>> = requests.iter().map(|_| Ok(())).collect();
        for (index, error) in self.execute_batch_failures(requests)? {
            if let Some(outcome) = outcomes.get_mut(index) {
                *outcome = Err(error);
            }
        }
        Ok(outcomes)
    }

    /// [`Client::execute_batch`] returning only the requests that failed:
    /// (index, error), in order. A restore of tens of thousands of rules
    /// keeps no outcome for each.
    pub fn execute_batch_failures(
        &mut self,
        requests: &[Request],
    ) -> Result<Vec<(usize, Error)>, Error> {
        let mut failures = Vec::new();
        let mut done = 0;
        while done < requests.len() {
            let chunk = self.run_chunk(&requests[done..], self.chunk_messages)?;
            let sent = chunk.len();
            failures.extend(
                chunk
                    .into_iter()
                    .enumerate()
                    .filter_map(|(i, outcome)| outcome.err().map(|e| (done + i, e))),
            );
            done += sent;
        }
        Ok(failures)
    }

    fn next_seq(&mut self) -> u32 {
        self.seq = self.seq.wrapping_add(1);
        self.seq
    }

    /// Resolves "IPVS" through nlctrl.
    fn resolve_family(&mut self) -> Result<u16, Error> {
        let mut family = None;
        let mut handle = |msg_type: u16, payload: &[u8]| -> Result<(), Error> {
            if msg_type == GENL_ID_CTRL && family.is_none() {
                family = Some(family_id_from_reply(payload)?);
            }
            Ok(())
        };
        let lookup =
            |out: &mut Vec<u8>, seq| write_family_lookup(out, REQUEST_FLAGS, seq, IPVS_GENL_NAME);
        match self.request_one(lookup, &mut handle) {
            Ok(()) => {}
            Err(Error::Kernel { errno }) if errno == libc::ENOENT => {
                return Err(Error::FamilyNotFound)
            }
            Err(e) => return Err(e),
        }
        family.ok_or_else(|| Error::Decode("nlctrl answered without a family".into()))
    }

    /// Sends one plain request, written by `write` for its sequence number,
    /// with a barrier behind it, and waits for its outcome. Data replies go
    /// to `handle`; the request's own error comes first, then the handler's.
    fn request_one(
        &mut self,
        write: impl FnOnce(&mut Vec<u8>, u32),
        handle: &mut DataHandler<'_>,
    ) -> Result<(), Error> {
        let seq = self.next_seq();
        let barrier = self.next_seq();
        // The send buffer is free between requests: no allocation per request.
        let mut bytes = std::mem::take(&mut self.send_buf);
        bytes.clear();
        write(&mut bytes, seq);
        push_barrier(&mut bytes, barrier);
        let mut outcome = [None];
        let ended = self.exchange(&bytes, seq, &mut outcome, Until::Barrier(barrier), handle);
        self.send_buf = bytes;
        let ended = ended?;
        let [outcome] = outcome;
        outcome.unwrap_or_else(|| Err(ended.unanswered()))?;
        ended.handler_error.map_or(Ok(()), Err)
    }

    /// Sends a query answered by one message and decodes that message's
    /// body (genetlink header included) with `decode`.
    fn query_one<T>(
        &mut self,
        query: Query<'_>,
        mut decode: impl FnMut(&[u8]) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let family = self.family_id;
        let mut reply = None;
        let mut handle = |msg_type: u16, payload: &[u8]| -> Result<(), Error> {
            if msg_type == family && reply.is_none() {
                reply = Some(decode(payload)?);
            }
            Ok(())
        };
        self.request_one(|out, seq| query.write(out, family, seq), &mut handle)?;
        reply.ok_or_else(|| Error::Decode("the kernel acknowledged without a reply".into()))
    }

    /// Runs a dump to its end, restarting it (up to [`MAX_DUMP_ATTEMPTS`]) when
    /// the kernel flags it inconsistent, so partial data is never returned.
    /// Each entry (its body, genetlink header included) is decoded by
    /// `convert` as it arrives.
    ///
    /// IPVS resumes a multi-datagram dump by position and marks nothing when
    /// the table changed in between, which shows as an entry listed twice
    /// (its `key` repeated): that restarts the dump too. When every attempt
    /// repeats an entry, the last attempt is returned with each key once, at
    /// its last place (the newest answer for it).
    fn dump<T, K: Hash + Eq>(
        &mut self,
        query: Query<'_>,
        // Entries expected (room reserved up front).
        capacity: usize,
        mut convert: impl FnMut(&[u8]) -> Result<T, Error>,
        key: impl Fn(&T) -> K,
    ) -> Result<Vec<T>, Error> {
        let mut repeated = None;
        for _ in 0..MAX_DUMP_ATTEMPTS {
            let seq = self.next_seq();
            let mut bytes = std::mem::take(&mut self.send_buf);
            bytes.clear();
            query.write(&mut bytes, self.family_id, seq);
            let family = self.family_id;
            let mut entries = Vec::with_capacity(capacity);
            let mut handle = |msg_type: u16, payload: &[u8]| -> Result<(), Error> {
                if msg_type == family {
                    entries.push(convert(payload)?);
                }
                Ok(())
            };
            let ended = self.exchange(&bytes, seq, &mut [None], Until::Done, &mut handle);
            self.send_buf = bytes;
            let ended = ended?;
            if let Some(e) = ended.handler_error {
                return Err(e);
            }
            if ended.interrupted {
                continue;
            }
            // Entries that all came in one datagram were listed in one pass.
            if ended.data_datagrams <= 1 || !has_repeated_key(&entries, &key) {
                return Ok(entries);
            }
            repeated = Some(entries);
        }
        match repeated {
            Some(entries) => Ok(keep_last_of_each_key(entries, &key)),
            None => Err(Error::DumpInterrupted {
                attempts: MAX_DUMP_ATTEMPTS,
            }),
        }
    }

    /// Sends up to `max_messages` of `requests` in one write (bounded by the
    /// chunk byte limit, at least one request) and collects their ACKs.
    /// Returns the outcomes of the requests sent.
    fn run_chunk(
        &mut self,
        requests: &[Request],
        max_messages: usize,
    ) -> Result<Vec<Result<(), Error>>, Error> {
        let first_seq = self.seq.wrapping_add(1);
        // One buffer for every chunk, sized for a whole one up front (grown
        // by doubling, each chunk would copy itself several times).
        let mut buffer = std::mem::take(&mut self.send_buf);
        buffer.clear();
        if requests.len() > 1 && max_messages > 1 {
            buffer.reserve(self.chunk_bytes + 1024);
        }
        let mut count = 0;
        for request in requests.iter().take(max_messages.max(1)) {
            let before = buffer.len();
            let header = Header {
                msg_type: self.family_id,
                flags: REQUEST_FLAGS,
                seq: self.seq.wrapping_add(1),
            };
            request.write(&mut buffer, header, ServiceRef::Key);
            if count > 0 && buffer.len() > self.chunk_bytes {
                buffer.truncate(before);
                break;
            }
            self.seq = header.seq;
            count += 1;
        }
        if count == 0 {
            self.send_buf = buffer;
            return Ok(Vec::new());
        }
        let barrier = self.next_seq();
        push_barrier(&mut buffer, barrier);
        let mut outcomes: Vec<Option<Result<(), Error>>> = (0..count).map(|_| None).collect();
        let ended = self.exchange(
            &buffer,
            first_seq,
            &mut outcomes,
            Until::Barrier(barrier),
            &mut |_, _| Ok(()),
        );
        self.send_buf = buffer;
        let ended = ended?;
        if ended.lost {
            // As many answers as survived fit the buffer: send no more at once.
            let survived = outcomes.iter().filter(|o| o.is_some()).count();
            self.chunk_messages = survived.min(self.chunk_messages / 2).max(1);
        }
        Ok(outcomes
            .into_iter()
            .map(|outcome| outcome.unwrap_or_else(|| Err(ended.unanswered())))
            .collect())
    }
}

/// The nest of kind `kind` in an IPVS message body; `what` names the
/// message in the error when it has none.
fn nest_of<'a>(payload: &'a [u8], kind: u16, what: &str) -> Result<&'a [u8], Error> {
    let (_, body) = ipvs_body(payload)?;
    find_attribute(body, kind)?.ok_or_else(|| Error::Decode(format!("{what} lacks its nest")))
}

/// Whether two entries have the same key.
fn has_repeated_key<T, K: Hash + Eq>(entries: &[T], key: impl Fn(&T) -> K) -> bool {
    let mut seen = FxHashSet::with_capacity_and_hasher(entries.len(), Default::default());
    entries.iter().any(|entry| !seen.insert(key(entry)))
}

/// The entries with each key once, where it was last listed.
fn keep_last_of_each_key<T, K: Hash + Eq>(entries: Vec<T>, key: impl Fn(&T) -> K) -> Vec<T> {
    let mut seen = FxHashSet::with_capacity_and_hasher(entries.len(), Default::default());
    let mut kept: Vec<T> = entries
        .into_iter()
        .rev()
        .filter(|entry| seen.insert(key(entry)))
        .collect();
    kept.reverse();
    kept
}

#[cfg(test)]
mod bench;
#[cfg(test)]
mod tests;
