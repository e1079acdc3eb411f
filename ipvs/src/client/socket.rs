//! The `NETLINK_GENERIC` socket, its options, and the transport seam the
//! exchange engine talks through (tests put a scripted kernel there).

use std::io;
use std::os::fd::AsRawFd;
use std::time::Duration;

use netlink_sys::{protocols::NETLINK_GENERIC, Socket, SocketAddr};

/// Socket receive buffer asked for, so that a whole batch chunk of ACKs fits.
const WANTED_RCVBUF: i32 = 8 * 1024 * 1024;
/// Socket send buffer asked for, so that a batch chunk fits one `sendmsg`.
const WANTED_SNDBUF: i32 = 1024 * 1024;

/// Upper bounds on one batch chunk (one `sendmsg`).
pub(super) const MAX_CHUNK_BYTES: usize = 256 * 1024;
const MAX_CHUNK_MESSAGES: usize = 2048;
/// Receive-buffer charge assumed per ACK. Measured on Linux 6.1 (x86-64): a
/// 128 KiB buffer holds 85 capped ACKs, ~1.5 KiB each; an ACK echoing the
/// request (no `NETLINK_CAP_ACK`) is larger.
const ACK_COST_CAPPED: usize = 2048;
const ACK_COST_UNCAPPED: usize = 4096;

/// How the client moves datagrams.
pub(super) trait Transport {
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

/// The socket, and how much one batch chunk may hold given its buffers.
pub(super) struct Opened {
    pub(super) transport: SocketTransport,
    pub(super) chunk_bytes: usize,
    pub(super) chunk_messages: usize,
}

/// Opens and binds the socket with `NETLINK_CAP_ACK` (ACKs don't echo
/// requests), large receive and send buffers (`SO_RCVBUFFORCE`/
/// `SO_SNDBUFFORCE` when allowed) and a receive timeout.
pub(super) fn open(timeout: Duration) -> io::Result<Opened> {
    let mut socket = Socket::new(NETLINK_GENERIC)?;
    socket.bind_auto()?;
    set_receive_timeout(&socket, timeout)?;
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
    Ok(Opened {
        transport: SocketTransport { socket },
        // netlink refuses a write larger than the send buffer less 32 bytes.
        chunk_bytes: sndbuf.saturating_sub(1024).clamp(1, MAX_CHUNK_BYTES),
        chunk_messages: (rcvbuf / ack_cost).clamp(1, MAX_CHUNK_MESSAGES),
    })
}

/// The `NETLINK_GENERIC` socket.
pub(super) struct SocketTransport {
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
        tv_sec: timeout.as_secs().min(i64::MAX as u64) as _,
        tv_usec: timeout.subsec_micros() as _,
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
