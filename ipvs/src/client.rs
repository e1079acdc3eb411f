//! A generic-netlink socket to the kernel's IPVS family: requests, ACKs, dumps
//! and batches. Synchronous; every receive is bounded by a timeout.
//!
//! One [`Client`] owns one `NETLINK_GENERIC` socket and resolves the "IPVS"
//! family once, when it connects. Requests carry `NLM_F_REQUEST | NLM_F_ACK`
//! (dumps add `NLM_F_DUMP`), as libnl sends them for ipvsadm 1.31, and every
//! reply is matched to its request by sequence number; messages for other
//! sequence numbers (left over from an abandoned request) are ignored.
//!
//! Every write of plain requests ends with an `NLMSG_NOOP` barrier asking for
//! an ACK: the kernel answers a write's messages in order, so the barrier's
//! ACK tells that all answers to the write have arrived (or never will, when
//! a handler returned `-EINTR`) without waiting for a timeout. Batches go out
//! in chunks sized to the socket buffers; see [`Client::execute_batch`].
//!
//! Setting the environment variable `IPVS_NETLINK_TRACE` to a file path makes
//! the client append every netlink message it sends (`> hex`) and receives
//! (`< hex`) to that file, one message per line.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::net::IpAddr;
use std::os::fd::AsRawFd;
use std::time::{Duration, Instant};

use netlink_packet_core::NLM_F_DUMP_INTR;
use netlink_sys::{protocols::NETLINK_GENERIC, Socket, SocketAddr};

use crate::model::{
    AddressFamily, DaemonState, Destination, DestinationEntry, KernelInfo, Service, ServiceEntry,
    ServiceKey, SyncDaemon, Timeouts,
};
use crate::netlink::constants::{
    GENL_ID_CTRL, IPVS_CMD_ATTR_DEST, IPVS_CMD_ATTR_SERVICE, IPVS_GENL_NAME,
};
use crate::netlink::{
    config_query, daemon_attrs, daemon_stop_attrs, daemons_query, decode_ipvs_message,
    destination_attrs, destination_entry_from_bytes, destination_entry_without_stats,
    destination_ref_attrs, encode_family_lookup, encode_ipvs_message, family_id_from_reply,
    find_ipvs_attribute, frames, info_query, kernel_info_from_attrs, push_barrier,
    push_delete_destination_request, push_delete_service_request, push_destination_request,
    push_destinations_query, push_ipvs_message, push_service_request, service_attrs,
    service_entry_from_attrs, service_entry_from_bytes, service_entry_without_stats, service_query,
    service_ref_attrs, services_query, sync_daemon_from_attrs, timeouts_attrs, timeouts_from_attrs,
    DecodeError, IpvsCmd, IpvsCmdAttr, IpvsMessage, Reply, ServiceRef, DUMP_FLAGS, REQUEST_FLAGS,
};

/// Environment variable naming a file to append a hex trace of all netlink traffic to.
pub const TRACE_ENV: &str = "IPVS_NETLINK_TRACE";

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

/// Socket receive buffer asked for, so that a whole batch chunk of ACKs fits.
const WANTED_RCVBUF: i32 = 8 * 1024 * 1024;
/// Socket send buffer asked for, so that a batch chunk fits one `sendmsg`.
const WANTED_SNDBUF: i32 = 1024 * 1024;

/// Upper bounds on one batch chunk (one `sendmsg`).
const MAX_CHUNK_BYTES: usize = 256 * 1024;
const MAX_CHUNK_MESSAGES: usize = 2048;
/// Receive-buffer charge assumed per ACK. Measured on Linux 6.1 (x86-64): a
/// 128 KiB buffer holds 85 capped ACKs, ~1.5 KiB each; an ACK echoing the
/// request (no `NETLINK_CAP_ACK`) is larger.
const ACK_COST_CAPPED: usize = 2048;
const ACK_COST_UNCAPPED: usize = 4096;

/// Something the kernel is asked to change, as ipvsadm's commands do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    /// `-A`: add a virtual service.
    AddService(Service),
    /// `-E`: replace a service's configuration (every field is sent).
    EditService(Service),
    /// `-D`: delete a service.
    DeleteService(ServiceKey),
    /// `-a`: add a real server.
    AddDestination(ServiceKey, Destination),
    /// `-e`: replace a real server's configuration.
    EditDestination(ServiceKey, Destination),
    /// `-d`: delete a real server (address, port).
    DeleteDestination(ServiceKey, IpAddr, u16),
    /// `-C`: delete every service.
    Flush,
    /// `-Z`: zero the counters of one service, or of all.
    Zero(Option<ServiceKey>),
    /// `--set`: change timeouts (zero leaves one unchanged).
    SetTimeouts(Timeouts),
    /// `--start-daemon`.
    StartDaemon(SyncDaemon),
    /// `--stop-daemon`; the kernel needs only the state.
    StopDaemon(DaemonState),
}

/// Whether ipvsadm 1.31 would leave the service out of a `ZERO` request
/// (it does when fwmark, address and port are all zero, which zeroes everything).
fn zero_key_is_empty(key: &ServiceKey) -> bool {
    match key {
        ServiceKey::Fwmark { mark, .. } => *mark == 0,
        ServiceKey::Addr { addr, port, .. } => addr.is_unspecified() && *port == 0,
    }
}

impl Request {
    /// Appends this request as a netlink message: the bytes
    /// `push_ipvs_message` writes for [`Request::to_message`], with the
    /// service and real-server requests a restore sends in bulk written
    /// directly.
    pub fn push_to(&self, out: &mut Vec<u8>, family_id: u16, flags: u16, seq: u32) {
        self.push_naming(out, family_id, flags, seq, ServiceRef::Ipvsadm)
    }

    /// [`Request::push_to`] with requests that only name a service naming
    /// it by its key alone ([`ServiceRef::Key`]): how batches are sent.
    pub fn push_keyed_to(&self, out: &mut Vec<u8>, family_id: u16, flags: u16, seq: u32) {
        self.push_naming(out, family_id, flags, seq, ServiceRef::Key)
    }

    fn push_naming(
        &self,
        out: &mut Vec<u8>,
        family_id: u16,
        flags: u16,
        seq: u32,
        naming: ServiceRef,
    ) {
        match self {
            Request::AddService(service) => {
                push_service_request(out, family_id, flags, seq, service, false)
            }
            Request::EditService(service) => {
                push_service_request(out, family_id, flags, seq, service, true)
            }
            Request::DeleteService(key) => {
                push_delete_service_request(out, family_id, flags, seq, key, naming)
            }
            Request::AddDestination(key, dest) => {
                push_destination_request(out, family_id, flags, seq, key, dest, false, naming)
            }
            Request::EditDestination(key, dest) => {
                push_destination_request(out, family_id, flags, seq, key, dest, true, naming)
            }
            Request::DeleteDestination(key, addr, port) => {
                let (addr, port) = (*addr, *port);
                push_delete_destination_request(out, family_id, flags, seq, key, addr, port, naming)
            }
            _ => push_ipvs_message(out, family_id, flags, seq, &self.to_message()),
        }
    }

    /// The IPVS message for this request, with the attributes ipvsadm 1.31 sends.
    pub fn to_message(&self) -> IpvsMessage {
        use IpvsCmdAttr as A;
        match self {
            Request::AddService(service) => IpvsMessage::with_attrs(
                IpvsCmd::NewService,
                vec![A::Service(service_attrs(service))],
            ),
            Request::EditService(service) => IpvsMessage::with_attrs(
                IpvsCmd::SetService,
                vec![A::Service(service_attrs(service))],
            ),
            Request::DeleteService(key) => IpvsMessage::with_attrs(
                IpvsCmd::DelService,
                vec![A::Service(service_ref_attrs(key))],
            ),
            Request::AddDestination(key, dest) => IpvsMessage::with_attrs(
                IpvsCmd::NewDest,
                vec![
                    A::Service(service_ref_attrs(key)),
                    A::Dest(destination_attrs(dest)),
                ],
            ),
            Request::EditDestination(key, dest) => IpvsMessage::with_attrs(
                IpvsCmd::SetDest,
                vec![
                    A::Service(service_ref_attrs(key)),
                    A::Dest(destination_attrs(dest)),
                ],
            ),
            Request::DeleteDestination(key, addr, port) => IpvsMessage::with_attrs(
                IpvsCmd::DelDest,
                vec![
                    A::Service(service_ref_attrs(key)),
                    A::Dest(destination_ref_attrs(*addr, *port)),
                ],
            ),
            Request::Flush => IpvsMessage::new(IpvsCmd::Flush),
            Request::Zero(Some(key)) if !zero_key_is_empty(key) => {
                IpvsMessage::with_attrs(IpvsCmd::Zero, vec![A::Service(service_ref_attrs(key))])
            }
            Request::Zero(_) => IpvsMessage::new(IpvsCmd::Zero),
            Request::SetTimeouts(timeouts) => {
                IpvsMessage::with_attrs(IpvsCmd::SetConfig, timeouts_attrs(timeouts))
            }
            Request::StartDaemon(daemon) => {
                IpvsMessage::with_attrs(IpvsCmd::NewDaemon, vec![A::Daemon(daemon_attrs(daemon))])
            }
            Request::StopDaemon(state) => IpvsMessage::with_attrs(
                IpvsCmd::DelDaemon,
                vec![A::Daemon(daemon_stop_attrs(*state))],
            ),
        }
    }
}

/// What can go wrong talking to the kernel.
#[derive(thiserror::Error, Debug)]
pub enum Error {
    /// The IPVS generic-netlink family is not registered (module not loaded).
    #[error("the IPVS generic netlink family is not registered (is the ip_vs module loaded?)")]
    FamilyNotFound,
    /// The kernel answered a request with an error (positive errno).
    #[error("the kernel refused the request: {}", io::Error::from_raw_os_error(*errno))]
    Kernel { errno: i32 },
    /// A reply could not be decoded.
    #[error("malformed netlink reply: {0}")]
    Decode(String),
    /// Socket I/O failed.
    #[error("netlink socket error: {0}")]
    Io(#[from] io::Error),
    /// No answer within the time limit.
    #[error("no answer from the kernel within the time limit")]
    Timeout,
    /// The kernel's answer to this request was dropped because the socket's
    /// receive buffer overflowed: whether the request was applied is unknown.
    #[error("the kernel's answer was lost (receive buffer overflow); whether the request was applied is unknown")]
    AckLost,
    /// A dump was flagged inconsistent (the table changed while it was read)
    /// on every attempt; no listing is returned rather than a partial one.
    #[error("the table kept changing while it was listed; gave up after {attempts} attempts")]
    DumpInterrupted { attempts: usize },
}

impl Error {
    /// The errno behind the error: the kernel's, or the raw OS error of an I/O failure.
    pub fn errno(&self) -> Option<i32> {
        match self {
            Error::Kernel { errno } => Some(*errno),
            Error::Io(e) => e.raw_os_error(),
            _ => None,
        }
    }
}

impl From<DecodeError> for Error {
    fn from(e: DecodeError) -> Self {
        Error::Decode(e.to_string())
    }
}

fn is_enobufs(e: &Error) -> bool {
    matches!(e, Error::Io(io) if io.raw_os_error() == Some(libc::ENOBUFS))
}

/// Lowercase hex of `bytes`.
fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[usize::from(b >> 4)] as char);
        s.push(DIGITS[usize::from(b & 15)] as char);
    }
    s
}

/// Appends one line per netlink message of `bytes` to the trace file, if
/// there is one. Tracing is best effort: a failed write does not fail the
/// request.
#[inline]
fn trace_messages(trace: &mut Option<File>, direction: char, bytes: &[u8]) {
    if let Some(file) = trace.as_mut() {
        write_trace(file, direction, bytes);
    }
}

#[cold]
fn write_trace(file: &mut File, direction: char, bytes: &[u8]) {
    let mut text = String::new();
    let mut consumed = 0;
    for frame in frames(bytes) {
        match frame {
            Ok(frame) => {
                consumed = frame.raw.as_ptr() as usize - bytes.as_ptr() as usize + frame.raw.len();
                text.push(direction);
                text.push(' ');
                text.push_str(&hex(frame.raw));
                text.push('\n');
            }
            Err(_) => break,
        }
    }
    let rest = &bytes[consumed.min(bytes.len())..];
    if rest.iter().any(|&b| b != 0) {
        text.push_str(&format!("{direction} {}\n", hex(rest)));
    }
    let _ = file.write_all(text.as_bytes());
}

fn set_int_option(socket: &Socket, level: i32, name: i32, value: i32) -> io::Result<()> {
    // SAFETY: passes a pointer to a live c_int and its exact size.
    let res = unsafe {
        libc::setsockopt(
            socket.as_raw_fd(),
            level,
            name,
            &value as *const i32 as *const libc::c_void,
            std::mem::size_of::<i32>() as libc::socklen_t,
        )
    };
    if res < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(())
    }
}

fn get_int_option(socket: &Socket, level: i32, name: i32) -> io::Result<i32> {
    let mut value: i32 = 0;
    let mut len = std::mem::size_of::<i32>() as libc::socklen_t;
    // SAFETY: passes a pointer to a live c_int and its size, updated by the kernel.
    let res = unsafe {
        libc::getsockopt(
            socket.as_raw_fd(),
            level,
            name,
            &mut value as *mut i32 as *mut libc::c_void,
            &mut len,
        )
    };
    if res < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(value)
    }
}

fn set_receive_timeout(socket: &Socket, timeout: Duration) -> io::Result<()> {
    // A zero timeval would mean "wait forever": never ask for that.
    let timeout = timeout.max(Duration::from_millis(1));
    let tv = libc::timeval {
        tv_sec: timeout.as_secs().min(i64::MAX as u64) as libc::time_t,
        tv_usec: timeout.subsec_micros() as libc::suseconds_t,
    };
    // SAFETY: passes a pointer to a live timeval and its exact size.
    let res = unsafe {
        libc::setsockopt(
            socket.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_RCVTIMEO,
            &tv as *const libc::timeval as *const libc::c_void,
            std::mem::size_of::<libc::timeval>() as libc::socklen_t,
        )
    };
    if res < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(())
    }
}

/// Asks for a socket buffer of `wanted` bytes, with the `*FORCE` option first
/// (allowed to root, past the sysctl maximum), and returns what the kernel
/// granted (its doubled bookkeeping value, as `getsockopt` reports it).
fn grow_buffer(socket: &Socket, force: i32, plain: i32, wanted: i32) -> usize {
    if set_int_option(socket, libc::SOL_SOCKET, force, wanted).is_err() {
        let _ = set_int_option(socket, libc::SOL_SOCKET, plain, wanted);
    }
    get_int_option(socket, libc::SOL_SOCKET, plain)
        .ok()
        .and_then(|v| usize::try_from(v).ok())
        .unwrap_or(0)
}

/// How the client moves datagrams; the real one is a netlink socket, tests
/// use a scripted kernel.
trait Transport {
    /// Sends one datagram (one write, possibly many messages).
    fn send(&mut self, bytes: &[u8]) -> io::Result<usize>;
    /// Receives one datagram into `buf` (cleared first, capacity kept).
    /// Returns its full length (larger than `buf.len()` if it was truncated)
    /// and the sender's port id (0 for the kernel). A receive that times
    /// out, or finds nothing when `nonblocking`, fails with `WouldBlock`.
    fn recv(&mut self, buf: &mut Vec<u8>, nonblocking: bool) -> io::Result<(usize, u32)>;
    /// Bounds how long a blocking receive waits.
    fn set_timeout(&mut self, timeout: Duration) -> io::Result<()>;
}

/// The `NETLINK_GENERIC` socket.
struct SocketTransport {
    socket: Socket,
}

impl Transport for SocketTransport {
    fn send(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.socket.send_to(bytes, &SocketAddr::new(0, 0), 0)
    }

    fn recv(&mut self, buf: &mut Vec<u8>, nonblocking: bool) -> io::Result<(usize, u32)> {
        buf.clear();
        let flags = libc::MSG_TRUNC | if nonblocking { libc::MSG_DONTWAIT } else { 0 };
        let (len, from) = self.socket.recv_from(buf, flags)?;
        Ok((len, from.port_number()))
    }

    fn set_timeout(&mut self, timeout: Duration) -> io::Result<()> {
        set_receive_timeout(&self.socket, timeout)
    }
}

/// Receives each data message of an exchange: its type and body.
type DataHandler<'a> = dyn FnMut(u16, &[u8]) -> Result<(), Error> + 'a;

/// How the receive loop of one exchange ended.
struct ExchangeEnd {
    /// The kernel flagged the dump inconsistent, or answers were dropped.
    interrupted: bool,
    /// Datagrams that carried data for the request (a dump whose entries
    /// came in one datagram was made in one pass over the table, under the
    /// kernel's lock).
    data_datagrams: usize,
}

/// A connection to the kernel's IPVS generic-netlink family.
pub struct Client {
    transport: Box<dyn Transport + Send>,
    family_id: u16,
    seq: u32,
    timeout: Duration,
    recv_buf: Vec<u8>,
    /// Where batch chunks are written before they are sent.
    send_buf: Vec<u8>,
    chunk_bytes: usize,
    chunk_messages: usize,
    trace: Option<File>,
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
    /// and a receive timeout of [`DEFAULT_TIMEOUT`].
    pub fn connect() -> Result<Client, Error> {
        let mut socket = Socket::new(NETLINK_GENERIC)?;
        socket.bind_auto()?;
        set_receive_timeout(&socket, DEFAULT_TIMEOUT)?;
        let capped = socket.set_cap_ack(true).is_ok();
        let rcvbuf = grow_buffer(
            &socket,
            libc::SO_RCVBUFFORCE,
            libc::SO_RCVBUF,
            WANTED_RCVBUF,
        );
        let sndbuf = grow_buffer(
            &socket,
            libc::SO_SNDBUFFORCE,
            libc::SO_SNDBUF,
            WANTED_SNDBUF,
        );
        let ack_cost = if capped {
            ACK_COST_CAPPED
        } else {
            ACK_COST_UNCAPPED
        };
        let trace = match std::env::var_os(TRACE_ENV) {
            Some(path) if !path.is_empty() => {
                Some(OpenOptions::new().create(true).append(true).open(path)?)
            }
            _ => None,
        };
        Client::start(
            Box::new(SocketTransport { socket }),
            // netlink refuses a write larger than the send buffer less 32 bytes.
            sndbuf.saturating_sub(1024).clamp(1, MAX_CHUNK_BYTES),
            (rcvbuf / ack_cost).clamp(1, MAX_CHUNK_MESSAGES),
            trace,
        )
    }

    /// A client on `transport`, once the family is resolved.
    fn start(
        transport: Box<dyn Transport + Send>,
        chunk_bytes: usize,
        chunk_messages: usize,
        trace: Option<File>,
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

    /// Changes how long any one receive may wait (default [`DEFAULT_TIMEOUT`]).
    pub fn set_timeout(&mut self, timeout: Duration) -> Result<(), Error> {
        self.transport.set_timeout(timeout)?;
        self.timeout = timeout;
        Ok(())
    }

    /// `IPVS_CMD_GET_INFO`: version and connection table size.
    pub fn info(&mut self) -> Result<KernelInfo, Error> {
        let reply = self.single_reply(&info_query())?;
        Ok(kernel_info_from_attrs(&reply.attrs)?)
    }

    /// All services (`GET_SERVICE` dump), in the kernel's order.
    ///
    /// The kernel resumes a dump that spans several datagrams by position, so
    /// a table changed meanwhile can list a service twice: such a dump is
    /// restarted, and if every attempt repeats one, each service is kept
    /// once (as last listed). See [`Client::destinations`] for real servers.
    pub fn services(&mut self) -> Result<Vec<ServiceEntry>, Error> {
        self.services_decoded(service_entry_from_bytes)
    }

    /// [`Client::services`] with the counters left zero (their attributes
    /// not read), for listings that show none.
    pub fn services_without_counters(&mut self) -> Result<Vec<ServiceEntry>, Error> {
        self.services_decoded(service_entry_without_stats)
    }

    fn services_decoded(
        &mut self,
        decode: fn(&[u8]) -> Result<ServiceEntry, DecodeError>,
    ) -> Result<Vec<ServiceEntry>, Error> {
        // Each entry's nest is decoded straight from its bytes (the same
        // value or error as parsing the message into attributes first).
        self.dump(
            |out, family_id, seq| {
                push_ipvs_message(out, family_id, DUMP_FLAGS, seq, &services_query())
            },
            SERVICE_DUMP_CAPACITY,
            |payload| {
                let nest = find_ipvs_attribute(payload, IPVS_CMD_ATTR_SERVICE)?
                    .ok_or_else(|| Error::Decode("service dump entry lacks a service".into()))?;
                Ok(decode(nest)?)
            },
            |entry| entry.service.key,
        )
    }

    /// One service (`GET_SERVICE`); `Error::Kernel { errno: ESRCH }` if there is none.
    pub fn service(&mut self, key: &ServiceKey) -> Result<ServiceEntry, Error> {
        let reply = self.single_reply(&service_query(key))?;
        let attrs = reply
            .service()
            .ok_or_else(|| Error::Decode("service reply lacks a service".into()))?;
        Ok(service_entry_from_attrs(attrs)?)
    }

    /// The real servers of a service (`GET_DEST` dump), in the kernel's order.
    /// The kernel answers an empty list (not an error) for a missing service.
    pub fn destinations(&mut self, key: &ServiceKey) -> Result<Vec<DestinationEntry>, Error> {
        self.destinations_decoded(key, destination_entry_from_bytes)
    }

    /// [`Client::destinations`] with the counters left zero (their
    /// attributes not read), for listings that show none: `-S`, and `-L`
    /// without `--stats` or `--rate`.
    pub fn destinations_without_counters(
        &mut self,
        key: &ServiceKey,
    ) -> Result<Vec<DestinationEntry>, Error> {
        self.destinations_decoded(key, destination_entry_without_stats)
    }

    fn destinations_decoded(
        &mut self,
        key: &ServiceKey,
        decode: fn(&[u8], AddressFamily) -> Result<DestinationEntry, DecodeError>,
    ) -> Result<Vec<DestinationEntry>, Error> {
        let family = key.family();
        // The light path: each entry's nest is decoded straight from its
        // bytes, with no attribute lists built (one entry per real server).
        self.dump(
            |out, family_id, seq| push_destinations_query(out, family_id, DUMP_FLAGS, seq, key),
            DESTINATION_DUMP_CAPACITY,
            |payload| {
                let nest = find_ipvs_attribute(payload, IPVS_CMD_ATTR_DEST)?.ok_or_else(|| {
                    Error::Decode("destination dump entry lacks a destination".into())
                })?;
                Ok(decode(nest, family)?)
            },
            |entry| (entry.destination.addr, entry.destination.port),
        )
    }

    /// The TCP, TCP FIN and UDP timeouts (`GET_CONFIG`).
    pub fn timeouts(&mut self) -> Result<Timeouts, Error> {
        let reply = self.single_reply(&config_query())?;
        Ok(timeouts_from_attrs(&reply.attrs))
    }

    /// The running sync daemons (`GET_DAEMON` dump): none, one or two.
    pub fn daemons(&mut self) -> Result<Vec<SyncDaemon>, Error> {
        self.dump(
            |out, family_id, seq| {
                push_ipvs_message(out, family_id, DUMP_FLAGS, seq, &daemons_query())
            },
            2,
            |payload| {
                let msg = decode_ipvs_message(payload)?;
                let attrs = msg
                    .daemon()
                    .ok_or_else(|| Error::Decode("daemon dump entry lacks a daemon".into()))?;
                Ok(sync_daemon_from_attrs(attrs)?)
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
        self.transact(&request.to_message()).map(|_| ())
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
    /// [`Client::execute`]).
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

    /// Runs requests in order and stops at the first that fails, returning its
    /// index and error. Requests before the index were applied; the ones after
    /// it were not sent. (Each request is sent once the previous one is
    /// acknowledged, since the kernel would run every message of a write.)
    pub fn execute_until_error(&mut self, requests: &[Request]) -> Result<(), (usize, Error)> {
        for (index, request) in requests.iter().enumerate() {
            let outcome = match self.run_chunk(std::slice::from_ref(request), 1) {
                Ok(mut outcomes) => outcomes.pop().unwrap_or(Err(Error::AckLost)),
                Err(e) => Err(e),
            };
            outcome.map_err(|e| (index, e))?;
        }
        Ok(())
    }

    fn next_seq(&mut self) -> u32 {
        self.seq = self.seq.wrapping_add(1);
        self.seq
    }

    /// Resolves "IPVS" through nlctrl.
    fn resolve_family(&mut self) -> Result<u16, Error> {
        let seq = self.next_seq();
        let mut request = encode_family_lookup(REQUEST_FLAGS, seq, IPVS_GENL_NAME);
        let mut family = None;
        let mut handle = |msg_type: u16, payload: &[u8]| -> Result<(), Error> {
            if msg_type == GENL_ID_CTRL && family.is_none() {
                family = Some(family_id_from_reply(payload)?);
            }
            Ok(())
        };
        match self.exchange(&mut request, seq, false, &mut handle) {
            Ok(_) => {}
            Err(Error::Kernel { errno }) if errno == libc::ENOENT => {
                return Err(Error::FamilyNotFound)
            }
            Err(e) => return Err(e),
        }
        family.ok_or_else(|| Error::Decode("nlctrl answered without a family".into()))
    }

    /// Sends a non-dump request and returns its reply messages (none for a
    /// plain command, one for a `GET`) once the ACK came.
    fn transact(&mut self, msg: &IpvsMessage) -> Result<Vec<IpvsMessage>, Error> {
        let seq = self.next_seq();
        let mut request = encode_ipvs_message(self.family_id, REQUEST_FLAGS, seq, msg);
        let family = self.family_id;
        let mut replies = Vec::new();
        let mut handle = |msg_type: u16, payload: &[u8]| -> Result<(), Error> {
            if msg_type == family {
                replies.push(decode_ipvs_message(payload)?);
            }
            Ok(())
        };
        self.exchange(&mut request, seq, false, &mut handle)?;
        Ok(replies)
    }

    fn single_reply(&mut self, msg: &IpvsMessage) -> Result<IpvsMessage, Error> {
        self.transact(msg)?
            .into_iter()
            .next()
            .ok_or_else(|| Error::Decode("the kernel acknowledged without a reply".into()))
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
    fn dump<T, K: std::hash::Hash + Eq>(
        &mut self,
        // Writes the request for (family id, sequence number).
        request: impl Fn(&mut Vec<u8>, u16, u32),
        // Entries expected (room reserved up front).
        capacity: usize,
        mut convert: impl FnMut(&[u8]) -> Result<T, Error>,
        key: impl Fn(&T) -> K,
    ) -> Result<Vec<T>, Error> {
        let mut repeated = None;
        for _ in 0..MAX_DUMP_ATTEMPTS {
            let seq = self.next_seq();
            // The send buffer is free between requests: no allocation per dump.
            let mut bytes = std::mem::take(&mut self.send_buf);
            bytes.clear();
            request(&mut bytes, self.family_id, seq);
            let family = self.family_id;
            let mut entries = Vec::with_capacity(capacity);
            let mut handle = |msg_type: u16, payload: &[u8]| -> Result<(), Error> {
                if msg_type == family {
                    entries.push(convert(payload)?);
                }
                Ok(())
            };
            let end = self.exchange(&mut bytes, seq, true, &mut handle);
            self.send_buf = bytes;
            let end = end?;
            if end.interrupted {
                continue;
            }
            // Entries that all came in one datagram were listed in one pass.
            if end.data_datagrams <= 1 || !has_repeated_key(&entries, &key) {
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

    /// Sends `request` (one message with sequence `seq`) and reads until its
    /// end: `NLMSG_DONE` of a dump; for a plain request, the ACK of a barrier
    /// sent behind it in the same write, by which the request's own ACK or
    /// error has arrived, or never will (its handler returned `-EINTR`, which
    /// is reported as such). Data messages go to `handle`; if it fails, the
    /// exchange is still read to its end (so the socket stays usable) and
    /// its first error returned.
    fn exchange(
        &mut self,
        request: &mut Vec<u8>,
        seq: u32,
        dump: bool,
        handle: &mut DataHandler<'_>,
    ) -> Result<ExchangeEnd, Error> {
        let barrier = if dump {
            None
        } else {
            let barrier = self.next_seq();
            push_barrier(request, barrier);
            Some(barrier)
        };
        self.send(request)?;
        let mut interrupted = false;
        let mut handler_error = None;
        let mut outcome: Option<Result<(), Error>> = None;
        let mut lost = false;
        let mut data_datagrams = 0;
        loop {
            // After a plain request lost answers, whatever survived is queued
            // already (see run_chunk): drain without waiting.
            match self.receive(lost && !dump) {
                Ok(true) => {}
                Ok(false) => {
                    return outcome
                        .unwrap_or(Err(Error::AckLost))
                        .map(|()| ExchangeEnd {
                            interrupted: true,
                            data_datagrams,
                        })
                }
                // A dropped message during a dump means the dump is incomplete;
                // the dump itself goes on to its NLMSG_DONE.
                Err(e) if is_enobufs(&e) => {
                    interrupted = true;
                    lost = true;
                    continue;
                }
                Err(e) => return Err(e),
            }
            let mut carried_data = false;
            for frame in frames(&self.recv_buf) {
                let frame = frame?;
                if Some(frame.seq) == barrier {
                    if let Reply::Ack | Reply::Error { .. } = frame.reply()? {
                        let outcome = outcome.unwrap_or(Err(if lost {
                            Error::AckLost
                        } else {
                            Error::Kernel { errno: libc::EINTR }
                        }));
                        return outcome.and_then(|()| {
                            finish(
                                handler_error,
                                interrupted,
                                data_datagrams + usize::from(carried_data),
                            )
                        });
                    }
                    continue;
                }
                if frame.seq != seq {
                    continue;
                }
                if frame.flags & NLM_F_DUMP_INTR != 0 {
                    interrupted = true;
                }
                match frame.reply()? {
                    Reply::Ack => {
                        if !dump {
                            outcome.get_or_insert(Ok(()));
                        }
                    }
                    Reply::Error { errno } => {
                        if dump {
                            return Err(Error::Kernel { errno });
                        }
                        outcome.get_or_insert(Err(Error::Kernel { errno }));
                    }
                    Reply::Done { errno } => {
                        if dump {
                            return if errno != 0 {
                                Err(Error::Kernel { errno })
                            } else {
                                let data_datagrams = data_datagrams + usize::from(carried_data);
                                finish(handler_error, interrupted, data_datagrams)
                            };
                        }
                    }
                    Reply::Noop => {}
                    Reply::Overrun => interrupted = true,
                    Reply::Data { msg_type, payload } => {
                        carried_data = true;
                        if handler_error.is_none() {
                            if let Err(e) = handle(msg_type, payload) {
                                handler_error = Some(e);
                            }
                        }
                    }
                }
            }
            data_datagrams += usize::from(carried_data);
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
            let seq = self.seq.wrapping_add(1);
            request.push_keyed_to(&mut buffer, self.family_id, REQUEST_FLAGS, seq);
            if count > 0 && buffer.len() > self.chunk_bytes {
                buffer.truncate(before);
                break;
            }
            self.seq = seq;
            count += 1;
        }
        if count == 0 {
            return Ok(Vec::new());
        }
        let barrier = self.next_seq();
        push_barrier(&mut buffer, barrier);
        let sent = self.send(&buffer);
        self.send_buf = buffer;
        sent?;

        let mut outcomes: Vec<Option<Result<(), Error>>> = (0..count).map(|_| None).collect();
        let mut lost = false;
        let mut barrier_seen = false;
        // The kernel answers a write's messages in order and has queued every
        // answer by the time the write returns. So once the barrier's ACK is
        // read, nothing more will come for this chunk; and once an answer was
        // dropped (ENOBUFS), the survivors are already queued: drain, don't wait.
        while !barrier_seen {
            match self.receive(lost) {
                Ok(true) => {}
                Ok(false) => break,
                Err(e) if is_enobufs(&e) => {
                    lost = true;
                    continue;
                }
                Err(e) => return Err(e),
            }
            for frame in frames(&self.recv_buf) {
                let frame = frame?;
                if frame.seq == barrier {
                    barrier_seen |= matches!(frame.reply()?, Reply::Ack | Reply::Error { .. });
                    continue;
                }
                let index = frame.seq.wrapping_sub(first_seq) as usize;
                let Some(slot) = outcomes.get_mut(index) else {
                    continue;
                };
                let outcome = match frame.reply()? {
                    Reply::Ack => Ok(()),
                    Reply::Error { errno } => Err(Error::Kernel { errno }),
                    _ => continue,
                };
                slot.get_or_insert(outcome);
            }
        }
        if lost {
            // As many answers as survived fit the buffer: send no more at once.
            let survived = outcomes.iter().filter(|o| o.is_some()).count();
            self.chunk_messages = survived.min(self.chunk_messages / 2).max(1);
        }
        // Unanswered: dropped if answers were lost, else the handler returned
        // -EINTR (netlink's one case of a request without ACK).
        Ok(outcomes
            .into_iter()
            .map(|outcome| {
                outcome.unwrap_or(Err(if lost {
                    Error::AckLost
                } else {
                    Error::Kernel { errno: libc::EINTR }
                }))
            })
            .collect())
    }

    #[inline]
    fn send(&mut self, bytes: &[u8]) -> Result<(), Error> {
        trace_messages(&mut self.trace, '>', bytes);
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
                    trace_messages(&mut self.trace, '<', &self.recv_buf);
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

fn finish(
    handler_error: Option<Error>,
    interrupted: bool,
    data_datagrams: usize,
) -> Result<ExchangeEnd, Error> {
    match handler_error {
        Some(e) => Err(e),
        None => Ok(ExchangeEnd {
            interrupted,
            data_datagrams,
        }),
    }
}

/// A fast, unkeyed hasher for the repeat check of dump entries (keys the
/// kernel sent, one set per listing): std's SipHash costs more than the
/// rest of decoding a service in the emulated test kernel.
#[derive(Default)]
struct EntryKeyHasher(u64);

impl std::hash::Hasher for EntryKeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(0x517c_c1b7_2722_0a95);
        }
    }

    fn write_u16(&mut self, n: u16) {
        self.write_u64(u64::from(n));
    }

    fn write_u32(&mut self, n: u32) {
        self.write_u64(u64::from(n));
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x517c_c1b7_2722_0a95);
    }

    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }
}

type EntryKeySet<K> = std::collections::HashSet<K, std::hash::BuildHasherDefault<EntryKeyHasher>>;

/// Whether two entries have the same key.
fn has_repeated_key<T, K: std::hash::Hash + Eq>(entries: &[T], key: impl Fn(&T) -> K) -> bool {
    let mut seen = EntryKeySet::with_capacity_and_hasher(entries.len(), Default::default());
    entries.iter().any(|entry| !seen.insert(key(entry)))
}

/// The entries with each key once, where it was last listed.
fn keep_last_of_each_key<T, K: std::hash::Hash + Eq>(
    entries: Vec<T>,
    key: impl Fn(&T) -> K,
) -> Vec<T> {
    let mut seen = EntryKeySet::with_capacity_and_hasher(entries.len(), Default::default());
    let mut kept: Vec<T> = entries
        .into_iter()
        .rev()
        .filter(|entry| seen.insert(key(entry)))
        .collect();
    kept.reverse();
    kept
}

#[cfg(test)]
mod tests {
    //! The exchange logic against a scripted kernel: ACK matching, dumps and
    //! their restarts, batches, lost ACKs, timeouts.

    use std::collections::VecDeque;
    use std::sync::{Arc, Mutex};

    use super::*;
    use crate::model::{AddressFamily, ServiceConfig, ServiceFlags};
    use crate::netlink::constants::{CTRL_ATTR_FAMILY_ID, CTRL_CMD_NEWFAMILY};
    use crate::netlink::{
        destinations_query, push_genl_message, service_key_attrs, Frame, IpvsFlags, SvcAttr,
    };
    use netlink_packet_core::{DefaultNla, NLMSG_DONE, NLMSG_ERROR, NLMSG_NOOP};

    const FAMILY: u16 = 0x2a;
    const NLM_F_MULTI: u16 = 2;

    type Queue = VecDeque<io::Result<Vec<u8>>>;
    type Script = Box<dyn FnMut(&Frame, &mut Queue) + Send>;
    type Writes = Arc<Mutex<Vec<Vec<u8>>>>;

    /// A kernel that answers nlctrl itself and hands IPVS messages to a script.
    struct FakeKernel {
        queue: Queue,
        script: Script,
        writes: Writes,
        /// Whether IPVS barriers (NLMSG_NOOP) are acknowledged.
        ack_barriers: bool,
    }

    impl Transport for FakeKernel {
        fn send(&mut self, bytes: &[u8]) -> io::Result<usize> {
            self.writes.lock().unwrap().push(bytes.to_vec());
            let nlctrl = frames(bytes).any(|f| matches!(f, Ok(f) if f.msg_type == GENL_ID_CTRL));
            for frame in frames(bytes) {
                let frame = frame.expect("client sent a malformed message");
                if frame.msg_type == GENL_ID_CTRL {
                    let family = DefaultNla::new(CTRL_ATTR_FAMILY_ID, FAMILY.to_ne_bytes().into());
                    let mut reply = Vec::new();
                    let attrs = [family];
                    push_genl_message(
                        &mut reply,
                        GENL_ID_CTRL,
                        0,
                        frame.seq,
                        CTRL_CMD_NEWFAMILY,
                        2,
                        &attrs.as_slice(),
                    );
                    self.queue.push_back(Ok(reply));
                    self.queue.push_back(Ok(ack(frame.seq, 0)));
                } else if frame.msg_type == NLMSG_NOOP {
                    // The barrier: acknowledged without running any handler.
                    assert_eq!(frame.flags, REQUEST_FLAGS);
                    if self.ack_barriers || nlctrl {
                        self.queue.push_back(Ok(ack(frame.seq, 0)));
                    }
                } else {
                    assert_eq!(frame.msg_type, FAMILY);
                    (self.script)(&frame, &mut self.queue);
                }
            }
            Ok(bytes.len())
        }

        fn recv(&mut self, buf: &mut Vec<u8>, _nonblocking: bool) -> io::Result<(usize, u32)> {
            buf.clear();
            match self.queue.pop_front() {
                Some(Ok(datagram)) => {
                    buf.extend_from_slice(&datagram);
                    Ok((datagram.len(), 0))
                }
                Some(Err(e)) => Err(e),
                None => Err(io::ErrorKind::WouldBlock.into()),
            }
        }

        fn set_timeout(&mut self, _timeout: Duration) -> io::Result<()> {
            Ok(())
        }
    }

    fn client_with(
        script: impl FnMut(&Frame, &mut Queue) + Send + 'static,
        chunk_messages: usize,
    ) -> (Client, Writes) {
        client_on(script, chunk_messages, true)
    }

    fn client_on(
        script: impl FnMut(&Frame, &mut Queue) + Send + 'static,
        chunk_messages: usize,
        ack_barriers: bool,
    ) -> (Client, Writes) {
        let writes = Writes::default();
        let kernel = FakeKernel {
            queue: VecDeque::new(),
            script: Box::new(script),
            writes: Arc::clone(&writes),
            ack_barriers,
        };
        let client = Client::start(Box::new(kernel), MAX_CHUNK_BYTES, chunk_messages, None)
            .expect("family lookup");
        assert_eq!(client.family_id(), FAMILY);
        writes.lock().unwrap().clear();
        (client, writes)
    }

    /// `NLMSG_ERROR` with `code` (0 = ACK), capped: the request header only.
    fn ack(seq: u32, code: i32) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend_from_slice(&36u32.to_ne_bytes());
        out.extend_from_slice(&NLMSG_ERROR.to_ne_bytes());
        out.extend_from_slice(&0x100u16.to_ne_bytes());
        out.extend_from_slice(&seq.to_ne_bytes());
        out.extend_from_slice(&0u32.to_ne_bytes());
        out.extend_from_slice(&code.to_ne_bytes());
        out.extend_from_slice(&[0; 16]);
        out
    }

    fn done(seq: u32, flags: u16) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend_from_slice(&20u32.to_ne_bytes());
        out.extend_from_slice(&NLMSG_DONE.to_ne_bytes());
        out.extend_from_slice(&(NLM_F_MULTI | flags).to_ne_bytes());
        out.extend_from_slice(&seq.to_ne_bytes());
        out.extend_from_slice(&0u32.to_ne_bytes());
        out.extend_from_slice(&0i32.to_ne_bytes());
        out
    }

    fn fwmark_service(mark: u32) -> IpvsMessage {
        let service = Service {
            key: ServiceKey::Fwmark {
                family: AddressFamily::Inet,
                mark,
            },
            config: ServiceConfig {
                scheduler: "wlc".into(),
                flags: ServiceFlags(0),
                timeout: 0,
                netmask: !0,
                pe_name: None,
            },
        };
        IpvsMessage::with_attrs(
            IpvsCmd::NewService,
            vec![IpvsCmdAttr::Service(service_attrs(&service))],
        )
    }

    fn entry(seq: u32, flags: u16, msg: &IpvsMessage) -> Vec<u8> {
        encode_ipvs_message(FAMILY, NLM_F_MULTI | flags, seq, msg)
    }

    fn cmd_of(frame: &Frame) -> IpvsCmd {
        decode_ipvs_message(frame.payload).unwrap().cmd
    }

    #[test]
    fn client_is_send() {
        fn assert_send<T: Send>() {}
        assert_send::<Client>();
    }

    #[test]
    fn execute_waits_for_its_ack_and_maps_errors() {
        let (mut client, writes) = client_with(
            |frame, queue| {
                // A stale ACK of some earlier request comes first.
                queue.push_back(Ok(ack(frame.seq.wrapping_sub(7), -1)));
                let code = match cmd_of(frame) {
                    IpvsCmd::Flush => 0,
                    _ => -libc::ESRCH,
                };
                queue.push_back(Ok(ack(frame.seq, code)));
            },
            16,
        );
        client.execute(&Request::Flush).unwrap();
        let key = ServiceKey::Fwmark {
            family: AddressFamily::Inet,
            mark: 1,
        };
        let err = client.execute(&Request::DeleteService(key)).unwrap_err();
        assert!(matches!(err, Error::Kernel { errno } if errno == libc::ESRCH));
        assert_eq!(err.errno(), Some(libc::ESRCH));
        let writes = writes.lock().unwrap();
        assert_eq!(writes.len(), 2);
        let flags = u16::from_ne_bytes([writes[0][6], writes[0][7]]);
        assert_eq!(flags, REQUEST_FLAGS);
    }

    #[test]
    fn dumps_span_datagrams_until_done() {
        let (mut client, writes) = client_with(
            |frame, queue| {
                assert_eq!(frame.flags, DUMP_FLAGS);
                let mut first = entry(frame.seq, 0, &fwmark_service(1));
                first.extend(entry(frame.seq, 0, &fwmark_service(2)));
                queue.push_back(Ok(first));
                let mut second = entry(frame.seq, 0, &fwmark_service(3));
                second.extend(done(frame.seq, 0));
                queue.push_back(Ok(second));
            },
            16,
        );
        let services = client.services().unwrap();
        let marks: Vec<_> = services
            .iter()
            .map(|s| match s.service.key {
                ServiceKey::Fwmark { mark, .. } => mark,
                _ => 0,
            })
            .collect();
        assert_eq!(marks, [1, 2, 3]);
        assert_eq!(writes.lock().unwrap().len(), 1);
    }

    #[test]
    fn interrupted_dumps_restart_and_give_up_after_a_bound() {
        let attempts = Arc::new(Mutex::new(0));
        let seen = Arc::clone(&attempts);
        let (mut client, _) = client_with(
            move |frame, queue| {
                let mut seen = seen.lock().unwrap();
                *seen += 1;
                let flags = if *seen == 1 { NLM_F_DUMP_INTR } else { 0 };
                queue.push_back(Ok(entry(frame.seq, flags, &fwmark_service(9))));
                queue.push_back(Ok(done(frame.seq, flags)));
            },
            16,
        );
        assert_eq!(client.services().unwrap().len(), 1);
        assert_eq!(*attempts.lock().unwrap(), 2, "restarted once");

        let (mut client, writes) = client_with(
            |frame, queue| {
                queue.push_back(Ok(entry(frame.seq, NLM_F_DUMP_INTR, &fwmark_service(9))));
                queue.push_back(Ok(done(frame.seq, NLM_F_DUMP_INTR)));
            },
            16,
        );
        assert!(matches!(
            client.services(),
            Err(Error::DumpInterrupted {
                attempts: MAX_DUMP_ATTEMPTS
            })
        ));
        assert_eq!(writes.lock().unwrap().len(), MAX_DUMP_ATTEMPTS);
    }

    #[test]
    fn requests_written_directly_equal_their_messages() {
        use crate::model::{DestinationConfig, ForwardMethod, Protocol, TunnelType};
        use std::net::{Ipv4Addr, Ipv6Addr};
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let long_name = "x".repeat(crate::netlink::MAX_STRING_BYTES + 7);
        for round in 0..5000 {
            let r = next();
            let addr = |r: u64| -> IpAddr {
                if r & 1 == 0 {
                    IpAddr::V4(Ipv4Addr::from((r >> 8) as u32))
                } else {
                    IpAddr::V6(Ipv6Addr::from(u128::from(r) << 64 | u128::from(r >> 3)))
                }
            };
            let key = match r % 4 {
                0 => ServiceKey::Fwmark {
                    family: if r & 16 == 0 {
                        AddressFamily::Inet
                    } else {
                        AddressFamily::Inet6
                    },
                    mark: (r >> 20) as u32,
                },
                k => ServiceKey::Addr {
                    protocol: [Protocol::Tcp, Protocol::Udp, Protocol::Sctp][k as usize - 1],
                    addr: addr(next()),
                    port: (r >> 32) as u16,
                },
            };
            let names = ["", "wlc", "rr", "sip", long_name.as_str()];
            let service = Service {
                key,
                config: ServiceConfig {
                    scheduler: names[(r >> 40) as usize % names.len()].to_string(),
                    flags: ServiceFlags((r >> 7) as u32),
                    timeout: (r >> 13) as u32,
                    netmask: (r >> 17) as u32,
                    pe_name: match (r >> 44) % 3 {
                        0 => None,
                        n => Some(names[n as usize * 2 - 1].to_string()),
                    },
                },
            };
            let d = next();
            let dest = Destination {
                addr: addr(d),
                port: (d >> 16) as u16,
                config: DestinationConfig {
                    forward: [
                        ForwardMethod::Masquerade,
                        ForwardMethod::Local,
                        ForwardMethod::Tunnel,
                        ForwardMethod::Route,
                        ForwardMethod::Bypass,
                    ][(d >> 3) as usize % 5],
                    weight: (d >> 24) as i32,
                    upper_threshold: (d >> 5) as u32,
                    lower_threshold: (d >> 9) as u32,
                    tunnel_type: [TunnelType::Ipip, TunnelType::Gue, TunnelType::Gre]
                        [(d >> 50) as usize % 3],
                    tunnel_port: (d >> 33) as u16,
                    tunnel_flags: (d >> 41) as u16,
                },
            };
            let request = match round % 7 {
                0 => Request::AddService(service),
                1 => Request::EditService(service),
                2 => Request::DeleteService(key),
                3 => Request::AddDestination(key, dest),
                4 => Request::EditDestination(key, dest),
                5 => Request::DeleteDestination(key, dest.addr, dest.port),
                _ => Request::Zero(Some(key)),
            };
            let (family, flags, seq) = ((r >> 48) as u16, (d >> 48) as u16, (r >> 11) as u32);
            // Appended after other bytes, as in a batch.
            let mut direct = vec![7; round % 5];
            let mut built = direct.clone();
            request.push_to(&mut direct, family, flags, seq);
            push_ipvs_message(&mut built, family, flags, seq, &request.to_message());
            assert_eq!(direct, built, "{request:?}");

            // Batches name the service by its key where only the key is read.
            let mut keyed = vec![7; round % 5];
            let mut built = keyed.clone();
            request.push_keyed_to(&mut keyed, family, flags, seq);
            let mut msg = request.to_message();
            if matches!(
                request,
                Request::DeleteService(_)
                    | Request::AddDestination(..)
                    | Request::EditDestination(..)
                    | Request::DeleteDestination(..)
            ) {
                for attr in &mut msg.attrs {
                    if let IpvsCmdAttr::Service(attrs) = attr {
                        *attrs = service_key_attrs(&key);
                    }
                }
            }
            push_ipvs_message(&mut built, family, flags, seq, &msg);
            assert_eq!(keyed, built, "{request:?}");

            let mut direct = vec![7; round % 5];
            let mut built = direct.clone();
            push_destinations_query(&mut direct, family, flags, seq, &key);
            push_ipvs_message(&mut built, family, flags, seq, &destinations_query(&key));
            assert_eq!(direct, built, "{key:?}");
        }
    }

    #[test]
    fn a_dump_repeating_an_entry_restarts_then_keeps_each_once() {
        fn marks(services: &[ServiceEntry]) -> Vec<u32> {
            services
                .iter()
                .map(|s| match s.service.key {
                    ServiceKey::Fwmark { mark, .. } => mark,
                    _ => 0,
                })
                .collect()
        }
        // Part two repeats the end of part one (a service was added in front
        // of the kernel's resume position) on the first attempt only.
        let attempts = Arc::new(Mutex::new(0));
        let seen = Arc::clone(&attempts);
        let (mut client, _) = client_with(
            move |frame, queue| {
                let mut seen = seen.lock().unwrap();
                *seen += 1;
                let mut first = entry(frame.seq, 0, &fwmark_service(1));
                first.extend(entry(frame.seq, 0, &fwmark_service(2)));
                queue.push_back(Ok(first));
                let again = if *seen == 1 { 2 } else { 3 };
                let mut second = entry(frame.seq, 0, &fwmark_service(again));
                second.extend(done(frame.seq, 0));
                queue.push_back(Ok(second));
            },
            16,
        );
        assert_eq!(marks(&client.services().unwrap()), [1, 2, 3]);
        assert_eq!(*attempts.lock().unwrap(), 2, "restarted once");

        // Repeated on every attempt: each service once, where last listed.
        let (mut client, writes) = client_with(
            |frame, queue| {
                let mut first = entry(frame.seq, 0, &fwmark_service(1));
                first.extend(entry(frame.seq, 0, &fwmark_service(2)));
                queue.push_back(Ok(first));
                let mut second = entry(frame.seq, 0, &fwmark_service(1));
                second.extend(entry(frame.seq, 0, &fwmark_service(3)));
                second.extend(done(frame.seq, 0));
                queue.push_back(Ok(second));
            },
            16,
        );
        assert_eq!(marks(&client.services().unwrap()), [2, 1, 3]);
        assert_eq!(writes.lock().unwrap().len(), MAX_DUMP_ATTEMPTS);

        // One datagram is one pass under the kernel's lock: taken as it is.
        let (mut client, writes) = client_with(
            |frame, queue| {
                let mut only = entry(frame.seq, 0, &fwmark_service(5));
                only.extend(done(frame.seq, 0));
                queue.push_back(Ok(only));
            },
            16,
        );
        assert_eq!(marks(&client.services().unwrap()), [5]);
        assert_eq!(writes.lock().unwrap().len(), 1);
    }

    #[test]
    fn a_bad_entry_fails_the_dump_but_leaves_the_socket_usable() {
        let (mut client, _) = client_with(
            |frame, queue| match cmd_of(frame) {
                IpvsCmd::GetService => {
                    let broken = IpvsMessage::with_attrs(
                        IpvsCmd::NewService,
                        vec![IpvsCmdAttr::Service(vec![SvcAttr::Af(2)])],
                    );
                    queue.push_back(Ok(entry(frame.seq, 0, &broken)));
                    queue.push_back(Ok(entry(frame.seq, 0, &fwmark_service(1))));
                    queue.push_back(Ok(done(frame.seq, 0)));
                }
                _ => queue.push_back(Ok(ack(frame.seq, 0))),
            },
            16,
        );
        assert!(matches!(client.services(), Err(Error::Decode(_))));
        client.execute(&Request::Flush).unwrap();
    }

    #[test]
    fn dump_errors_and_single_gets() {
        let (mut client, _) = client_with(
            |frame, queue| match cmd_of(frame) {
                IpvsCmd::GetDaemon => queue.push_back(Ok(ack(frame.seq, -libc::EPERM))),
                IpvsCmd::GetService => {
                    let mut reply = fwmark_service(4);
                    if let IpvsCmdAttr::Service(attrs) = &mut reply.attrs[0] {
                        attrs.push(SvcAttr::Flags(IpvsFlags { flags: 2, mask: !0 }));
                    }
                    queue.push_back(Ok(encode_ipvs_message(FAMILY, 0, frame.seq, &reply)));
                    queue.push_back(Ok(ack(frame.seq, 0)));
                }
                _ => queue.push_back(Ok(ack(frame.seq, 0))),
            },
            16,
        );
        let err = client.daemons().unwrap_err();
        assert_eq!(err.errno(), Some(libc::EPERM));
        let key = ServiceKey::Fwmark {
            family: AddressFamily::Inet,
            mark: 4,
        };
        let found = client.service(&key).unwrap();
        assert_eq!(found.service.key, key);
        // A GET answered by a bare ACK has no reply to decode.
        assert!(matches!(client.info(), Err(Error::Decode(_))));
    }

    #[test]
    fn silence_is_a_timeout() {
        let (mut client, _) = client_on(|_, _| {}, 16, false);
        assert!(matches!(client.timeouts(), Err(Error::Timeout)));
    }

    fn flushes(n: usize) -> Vec<Request> {
        (0..n).map(|_| Request::Flush).collect()
    }

    #[test]
    fn batches_are_chunked_and_ordered() {
        let mut seen = 0;
        let (mut client, writes) = client_with(
            move |frame, queue| {
                // Every third request fails; ACKs of a write arrive reversed
                // (ahead of the barrier's, which the kernel sends last).
                seen += 1;
                let code = if seen % 3 == 0 { -libc::EEXIST } else { 0 };
                queue.push_front(Ok(ack(frame.seq, code)));
            },
            4,
        );
        let outcomes = client.execute_batch(&flushes(10)).unwrap();
        assert_eq!(outcomes.len(), 10);
        for (i, outcome) in outcomes.iter().enumerate() {
            assert_eq!(outcome.is_err(), (i + 1) % 3 == 0, "request {i}");
        }
        let sizes: Vec<_> = writes
            .lock()
            .unwrap()
            .iter()
            .map(|w| frames(w).count())
            .collect();
        assert_eq!(
            sizes,
            [5, 5, 3],
            "chunks of 4, 4 and 2 requests, each with a barrier"
        );
        // Ten more, only their failures kept: requests 12, 15 and 18 of the
        // kernel's count are 1, 4 and 7 of this batch.
        let failures = client.execute_batch_failures(&flushes(10)).unwrap();
        let indices: Vec<usize> = failures.iter().map(|(i, _)| *i).collect();
        assert_eq!(indices, [1, 4, 7]);
        assert!(failures
            .iter()
            .all(|(_, e)| e.errno() == Some(libc::EEXIST)));
    }

    #[test]
    fn lost_acks_are_reported_and_chunks_shrink() {
        let (mut client, _) = client_with(
            |frame, queue| {
                // The kernel dropped the ACKs of the 2nd and 3rd message of the
                // write, and reports ENOBUFS before the queued ones.
                if frame.seq == 102 || frame.seq == 103 {
                    if !matches!(queue.front(), Some(Err(_))) {
                        queue.push_front(Err(io::Error::from_raw_os_error(libc::ENOBUFS)));
                    }
                } else {
                    queue.push_back(Ok(ack(frame.seq, 0)));
                }
            },
            4,
        );
        client.seq = 100; // first request gets seq 101
        let outcomes = client.execute_batch(&flushes(4)).unwrap();
        let lost: Vec<_> = outcomes
            .iter()
            .map(|o| matches!(o, Err(Error::AckLost)))
            .collect();
        assert_eq!(lost, [false, true, true, false]);
        assert!(outcomes[0].is_ok() && outcomes[3].is_ok());
        assert_eq!(client.chunk_messages, 2);
        client.execute(&Request::Flush).unwrap();
        // A single request whose answer is dropped is AckLost too.
        client.seq = 101;
        assert!(matches!(
            client.execute(&Request::Flush),
            Err(Error::AckLost)
        ));
    }

    #[test]
    fn a_request_without_ack_is_eintr_not_a_timeout() {
        // Linux 6.1 answers DEL_DAEMON with no ACK when kthread_stop() returns
        // -EINTR (seen in the test guest); netlink never ACKs -EINTR.
        let (mut client, writes) = client_with(
            |frame, queue| {
                if cmd_of(frame) != IpvsCmd::DelDaemon {
                    queue.push_back(Ok(ack(frame.seq, 0)));
                }
            },
            16,
        );
        let err = client
            .execute(&Request::StopDaemon(DaemonState::Backup))
            .unwrap_err();
        assert_eq!(err.errno(), Some(libc::EINTR));
        let requests = [
            Request::Flush,
            Request::StopDaemon(DaemonState::Master),
            Request::Flush,
        ];
        let outcomes = client.execute_batch(&requests).unwrap();
        let errnos: Vec<_> = outcomes
            .iter()
            .map(|o| o.as_ref().err().and_then(Error::errno))
            .collect();
        assert_eq!(errnos, [None, Some(libc::EINTR), None]);
        // One write per call: request(s) plus the barrier.
        let writes = writes.lock().unwrap();
        assert_eq!(writes.len(), 2);
        assert_eq!(frames(&writes[0]).count(), 2);
        assert_eq!(frames(&writes[1]).count(), 4);
    }

    /// The real socket path up to the family lookup: a kernel without IPVS
    /// (like the build host) answers ENOENT, one with IPVS a family id.
    #[test]
    fn connect_reaches_the_kernel() {
        match Client::connect() {
            Ok(client) => assert_ne!(client.family_id(), 0),
            Err(Error::FamilyNotFound) => {}
            Err(e) => panic!("connect failed: {e:?}"),
        }
    }

    #[test]
    fn until_error_sends_nothing_after_a_failure() {
        let (mut client, writes) = client_with(
            |frame, queue| {
                let code = if cmd_of(frame) == IpvsCmd::Zero {
                    -libc::ESRCH
                } else {
                    0
                };
                queue.push_back(Ok(ack(frame.seq, code)));
            },
            64,
        );
        let requests = vec![
            Request::Flush,
            Request::Flush,
            Request::Zero(Some(ServiceKey::Fwmark {
                family: AddressFamily::Inet,
                mark: 8,
            })),
            Request::Flush,
        ];
        let (index, err) = client.execute_until_error(&requests).unwrap_err();
        assert_eq!(index, 2);
        assert_eq!(err.errno(), Some(libc::ESRCH));
        assert_eq!(writes.lock().unwrap().len(), 3);
        assert!(client.execute_until_error(&requests[..2]).is_ok());
    }
}

#[cfg(test)]
#[path = "client_bench.rs"]
mod bench;
