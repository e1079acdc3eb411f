//! The benchmark's floor: the least work a client must do to load or read an
//! IPVS table over generic netlink, plus the helpers the guest script needs.
//!
//! Standalone (std and the C library only), built by benches/run.sh with
//! `rustc -O -C target-feature=+crt-static`; not part of the crate.
//!
//! Usage:
//!   floor gen N               rules for `ipvsadm -R`: N services x 10 real servers
//!   floor gen-churn N         the same rules with about 1% changed (the churn
//!                             case): real server 0's weight 1 -> 2 in every
//!                             10th service, scheduler wlc -> rr in every
//!                             100th, and one service more (10 real servers)
//!   floor add N               the same services and real servers, sent as
//!                             NEW_SERVICE/NEW_DEST requests in large batches
//!                             (FLOOR_BATCH requests a round, default 1000;
//!                             FLOOR_MODE=pipeline: one write per request)
//!   floor dump                GET_SERVICE dump, then one GET_DEST dump per service;
//!                             prints the numbers of services and real servers
//!   floor churn N             the least a restore of `gen-churn N` over the
//!                             table of `gen N` must do: the dump (as `dump`),
//!                             then the changed requests in one batch round
//!   floor flush               one FLUSH request
//!   floor measure REPORT LABEL -- CMD [ARG]...
//!                             runs CMD (stdio inherited) and appends
//!                             "LABEL SECONDS MAXRSS_KIB STATUS USER_S SYS_S" to REPORT

use std::ffi::c_void;
use std::fs::OpenOptions;
use std::io::{self, BufWriter, Write};
use std::process::{Command, ExitCode};
use std::time::Instant;

const REAL_SERVERS_PER_SERVICE: u32 = 10;
const VIP_BASE: u32 = 0x0a01_0001; // 10.1.0.1
const RIP_BASE: u32 = 0x0a02_0001; // 10.2.0.1
const VIP_PORT: u16 = 80;
const RIP_PORT: u16 = 8080;

const NLMSG_ERROR: u16 = 2;
const NLMSG_DONE: u16 = 3;
const NLM_F_REQUEST: u16 = 1;
const NLM_F_ACK: u16 = 4;
const NLM_F_DUMP: u16 = 0x300;
const NLA_F_NESTED: u16 = 0x8000;
const GENL_ID_CTRL: u16 = 16;
const CTRL_CMD_GETFAMILY: u8 = 3;
const CTRL_ATTR_FAMILY_ID: u16 = 1;
const CTRL_ATTR_FAMILY_NAME: u16 = 2;

const CMD_NEW_SERVICE: u8 = 1;
const CMD_SET_SERVICE: u8 = 2;
const CMD_GET_SERVICE: u8 = 4;
const CMD_NEW_DEST: u8 = 5;
const CMD_SET_DEST: u8 = 6;
const CMD_GET_DEST: u8 = 8;
const CMD_FLUSH: u8 = 17;
const ATTR_SERVICE: u16 = 1;
const ATTR_DEST: u16 = 2;
const SVC_AF: u16 = 1;
const SVC_PROTOCOL: u16 = 2;
const SVC_ADDR: u16 = 3;
const SVC_PORT: u16 = 4;
const SVC_FWMARK: u16 = 5;
const SVC_SCHED_NAME: u16 = 6;
const SVC_FLAGS: u16 = 7;
const SVC_TIMEOUT: u16 = 8;
const SVC_NETMASK: u16 = 9;
const DEST_ADDR: u16 = 1;
const DEST_PORT: u16 = 2;
const DEST_FWD_METHOD: u16 = 3;
const DEST_WEIGHT: u16 = 4;
const DEST_U_THRESH: u16 = 5;
const DEST_L_THRESH: u16 = 6;
const DEST_ADDR_FAMILY: u16 = 11;

/// Requests per round (each ACKed; the ACKs of a round are read before the
/// next). Env FLOOR_BATCH overrides it.
const BATCH: usize = 1000;

/// How a round goes out: all its requests in one write (FLOOR_MODE=write,
/// the default) or one write per request, all in flight before the ACKs are
/// read (FLOOR_MODE=pipeline).
fn pipelined() -> bool {
    std::env::var("FLOOR_MODE").is_ok_and(|mode| mode == "pipeline")
}

fn batch_size() -> usize {
    std::env::var("FLOOR_BATCH")
        .ok()
        .and_then(|s| s.parse().ok())
        .filter(|&n| n > 0)
        .unwrap_or(BATCH)
}

fn ip(n: u32) -> String {
    format!("{}.{}.{}.{}", n >> 24, (n >> 16) & 255, (n >> 8) & 255, n & 255)
}

fn vip(service: u32) -> u32 {
    VIP_BASE + service
}

fn rip(service: u32, server: u32) -> u32 {
    RIP_BASE + service * REAL_SERVERS_PER_SERVICE + server
}

/// The churn case: in every 10th service real server 0 gets weight 2 ...
fn churned_weight(service: u32, server: u32) -> u32 {
    if service % 10 == 0 && server == 0 {
        2
    } else {
        1
    }
}

/// ... every 100th service (from the 50th) gets another scheduler ...
fn churned_scheduler(service: u32) -> &'static str {
    if service % 100 == 50 {
        "rr"
    } else {
        "wlc"
    }
}

/// ... and service N (one more) is added: about 1% of the rules differ.
fn generate(n: u32, churn: bool) -> io::Result<()> {
    let mut out = BufWriter::new(io::stdout().lock());
    for s in 0..n + u32::from(churn) {
        let v = ip(vip(s));
        let scheduler = if churn { churned_scheduler(s) } else { "wlc" };
        writeln!(out, "-A -t {v}:{VIP_PORT} -s {scheduler}")?;
        for r in 0..REAL_SERVERS_PER_SERVICE {
            let weight = if churn { churned_weight(s, r) } else { 1 };
            writeln!(
                out,
                "-a -t {v}:{VIP_PORT} -r {}:{RIP_PORT} -m -w {weight}",
                ip(rip(s, r))
            )?;
        }
    }
    out.flush()
}

/// A netlink message being built: header, generic-netlink header, attributes.
struct Msg {
    buf: Vec<u8>,
    nests: Vec<usize>,
}

impl Msg {
    fn new(msg_type: u16, flags: u16, seq: u32, cmd: u8, version: u8) -> Msg {
        let mut buf = Vec::with_capacity(256);
        buf.extend_from_slice(&0u32.to_ne_bytes());
        buf.extend_from_slice(&msg_type.to_ne_bytes());
        buf.extend_from_slice(&flags.to_ne_bytes());
        buf.extend_from_slice(&seq.to_ne_bytes());
        buf.extend_from_slice(&0u32.to_ne_bytes());
        buf.extend_from_slice(&[cmd, version, 0, 0]);
        Msg {
            buf,
            nests: Vec::new(),
        }
    }

    fn attr(&mut self, kind: u16, data: &[u8]) -> &mut Msg {
        let len = (4 + data.len()) as u16;
        self.buf.extend_from_slice(&len.to_ne_bytes());
        self.buf.extend_from_slice(&kind.to_ne_bytes());
        self.buf.extend_from_slice(data);
        while self.buf.len() % 4 != 0 {
            self.buf.push(0);
        }
        self
    }

    fn begin(&mut self, kind: u16) -> &mut Msg {
        self.nests.push(self.buf.len());
        self.attr(kind | NLA_F_NESTED, &[])
    }

    fn end(&mut self) -> &mut Msg {
        if let Some(start) = self.nests.pop() {
            let len = (self.buf.len() - start) as u16;
            self.buf[start..start + 2].copy_from_slice(&len.to_ne_bytes());
        }
        self
    }

    fn finish(mut self, out: &mut Vec<u8>) {
        let len = self.buf.len() as u32;
        self.buf[0..4].copy_from_slice(&len.to_ne_bytes());
        out.extend_from_slice(&self.buf);
    }
}

fn addr16(v4: u32) -> [u8; 16] {
    let mut a = [0u8; 16];
    a[..4].copy_from_slice(&v4.to_be_bytes());
    a
}

/// Attributes of a netlink message payload (after the generic-netlink header).
fn attrs(mut data: &[u8]) -> Vec<(u16, &[u8])> {
    let mut out = Vec::new();
    while data.len() >= 4 {
        let len = u16::from_ne_bytes([data[0], data[1]]) as usize;
        let kind = u16::from_ne_bytes([data[2], data[3]]) & 0x3fff;
        if len < 4 || len > data.len() {
            break;
        }
        out.push((kind, &data[4..len]));
        let next = (len + 3) & !3;
        data = &data[next.min(data.len())..];
    }
    out
}

struct Socket {
    fd: i32,
    seq: u32,
    family: u16,
    buf: Vec<u8>,
}

fn last_error(what: &str) -> io::Error {
    let e = io::Error::last_os_error();
    io::Error::new(e.kind(), format!("{what}: {e}"))
}

fn set_int(fd: i32, level: i32, name: i32, value: i32) -> bool {
    // SAFETY: value lives for the call; the length matches.
    unsafe {
        libc_setsockopt(
            fd,
            level,
            name,
            &value as *const i32 as *const c_void,
            std::mem::size_of::<i32>() as u32,
        ) == 0
    }
}

extern "C" {
    #[link_name = "setsockopt"]
    fn libc_setsockopt(fd: i32, level: i32, name: i32, value: *const c_void, len: u32) -> i32;
    fn socket(domain: i32, kind: i32, protocol: i32) -> i32;
    fn send(fd: i32, buf: *const c_void, len: usize, flags: i32) -> isize;
    fn recv(fd: i32, buf: *mut c_void, len: usize, flags: i32) -> isize;
    fn getrusage(who: i32, usage: *mut RUsage) -> i32;
}

/// `struct rusage` on x86-64 Linux.
#[repr(C)]
#[derive(Default)]
struct RUsage {
    utime: [i64; 2],
    stime: [i64; 2],
    maxrss: i64,
    ixrss: i64,
    idrss: i64,
    isrss: i64,
    minflt: i64,
    rest: [i64; 9],
}

const AF_NETLINK: i32 = 16;
const SOCK_RAW: i32 = 3;
const SOCK_CLOEXEC: i32 = 0o2000000;
const NETLINK_GENERIC: i32 = 16;
const SOL_SOCKET: i32 = 1;
const SO_SNDBUF: i32 = 7;
const SO_RCVBUF: i32 = 8;
const SO_SNDBUFFORCE: i32 = 32;
const SO_RCVBUFFORCE: i32 = 33;
const SOL_NETLINK: i32 = 270;
const NETLINK_CAP_ACK: i32 = 10;
const RUSAGE_CHILDREN: i32 = -1;

impl Socket {
    fn open() -> io::Result<Socket> {
        // SAFETY: plain system call.
        let fd = unsafe { socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC) };
        if fd < 0 {
            return Err(last_error("socket"));
        }
        // Unbound: the kernel binds on the first send.
        set_int(fd, SOL_NETLINK, NETLINK_CAP_ACK, 1);
        if !set_int(fd, SOL_SOCKET, SO_RCVBUFFORCE, 32 << 20) {
            set_int(fd, SOL_SOCKET, SO_RCVBUF, 32 << 20);
        }
        if !set_int(fd, SOL_SOCKET, SO_SNDBUFFORCE, 4 << 20) {
            set_int(fd, SOL_SOCKET, SO_SNDBUF, 4 << 20);
        }
        let mut sock = Socket {
            fd,
            seq: 0,
            family: 0,
            buf: vec![0; 64 * 1024],
        };
        sock.family = sock.resolve()?;
        Ok(sock)
    }

    fn next_seq(&mut self) -> u32 {
        self.seq += 1;
        self.seq
    }

    fn send_all(&self, data: &[u8]) -> io::Result<()> {
        // SAFETY: data is a valid buffer of data.len() bytes.
        let sent = unsafe { send(self.fd, data.as_ptr() as *const c_void, data.len(), 0) };
        if sent < 0 {
            return Err(last_error("send"));
        }
        Ok(())
    }

    /// Reads one datagram and calls `each` for every message in it:
    /// (type, flags, seq, payload after the netlink header).
    fn receive(&mut self, each: &mut dyn FnMut(u16, u16, u32, &[u8])) -> io::Result<()> {
        // SAFETY: buf is a valid writable buffer of buf.len() bytes.
        let got = unsafe {
            recv(
                self.fd,
                self.buf.as_mut_ptr() as *mut c_void,
                self.buf.len(),
                0,
            )
        };
        if got < 0 {
            return Err(last_error("recv"));
        }
        let mut data = &self.buf[..got as usize];
        while data.len() >= 16 {
            let len = u32::from_ne_bytes([data[0], data[1], data[2], data[3]]) as usize;
            if len < 16 || len > data.len() {
                break;
            }
            let kind = u16::from_ne_bytes([data[4], data[5]]);
            let flags = u16::from_ne_bytes([data[6], data[7]]);
            let seq = u32::from_ne_bytes([data[8], data[9], data[10], data[11]]);
            each(kind, flags, seq, &data[16..len]);
            data = &data[((len + 3) & !3).min(data.len())..];
        }
        Ok(())
    }

    fn resolve(&mut self) -> io::Result<u16> {
        let seq = self.next_seq();
        let mut msg = Msg::new(GENL_ID_CTRL, NLM_F_REQUEST | NLM_F_ACK, seq, CTRL_CMD_GETFAMILY, 2);
        msg.attr(CTRL_ATTR_FAMILY_NAME, b"IPVS\0");
        let mut out = Vec::new();
        msg.finish(&mut out);
        self.send_all(&out)?;
        let mut family = None;
        let mut done = false;
        let mut error = 0;
        while !done {
            self.receive(&mut |kind, _, s, payload| {
                if s != seq {
                    return;
                }
                if kind == GENL_ID_CTRL && payload.len() >= 4 {
                    for (k, v) in attrs(&payload[4..]) {
                        if k == CTRL_ATTR_FAMILY_ID && v.len() >= 2 {
                            family = Some(u16::from_ne_bytes([v[0], v[1]]));
                        }
                    }
                } else if kind == NLMSG_ERROR && payload.len() >= 4 {
                    error = i32::from_ne_bytes([payload[0], payload[1], payload[2], payload[3]]);
                    done = true;
                }
            })?;
        }
        match family {
            Some(f) if error == 0 => Ok(f),
            _ => Err(io::Error::other(format!("no IPVS family (error {error})"))),
        }
    }

    /// Sends the requests of `out` (`count` messages numbered `first_seq..`) in
    /// one write and waits for all their ACKs; returns how many failed.
    fn send_batch(&mut self, out: &[u8], first_seq: u32, count: usize) -> io::Result<usize> {
        if pipelined() {
            let mut rest = out;
            while rest.len() >= 16 {
                let len = u32::from_ne_bytes([rest[0], rest[1], rest[2], rest[3]]) as usize;
                let len = ((len + 3) & !3).min(rest.len());
                self.send_all(&rest[..len])?;
                rest = &rest[len..];
            }
        } else {
            self.send_all(out)?;
        }
        let mut acked = 0;
        let mut failed = 0;
        let last_seq = first_seq + count as u32;
        while acked < count {
            self.receive(&mut |kind, _, s, payload| {
                if kind == NLMSG_ERROR && s >= first_seq && s < last_seq && payload.len() >= 4 {
                    acked += 1;
                    if i32::from_ne_bytes([payload[0], payload[1], payload[2], payload[3]]) != 0 {
                        failed += 1;
                    }
                }
            })?;
        }
        Ok(failed)
    }

    /// Runs a dump and calls `each` with the attributes of every entry.
    fn dump(&mut self, msg: Msg, seq: u32, each: &mut dyn FnMut(&[u8])) -> io::Result<()> {
        let mut out = Vec::new();
        msg.finish(&mut out);
        self.send_all(&out)?;
        let family = self.family;
        let mut done = false;
        let mut error = 0;
        while !done {
            self.receive(&mut |kind, _, s, payload| {
                if s != seq {
                    return;
                }
                if kind == family && payload.len() >= 4 {
                    each(&payload[4..]);
                } else if kind == NLMSG_DONE {
                    done = true;
                } else if kind == NLMSG_ERROR && payload.len() >= 4 {
                    error = i32::from_ne_bytes([payload[0], payload[1], payload[2], payload[3]]);
                    done = true;
                }
            })?;
        }
        if error != 0 {
            return Err(io::Error::other(format!("dump failed: error {error}")));
        }
        Ok(())
    }
}

fn service_key(msg: &mut Msg, s: u32) {
    msg.attr(SVC_AF, &2u16.to_ne_bytes())
        .attr(SVC_PROTOCOL, &6u16.to_ne_bytes())
        .attr(SVC_ADDR, &addr16(vip(s)))
        .attr(SVC_PORT, &VIP_PORT.to_be_bytes());
}

/// A NEW_SERVICE or SET_SERVICE request for service `s`.
fn service_msg(family: u16, seq: u32, cmd: u8, s: u32, scheduler: &str) -> Msg {
    let mut msg = Msg::new(family, NLM_F_REQUEST | NLM_F_ACK, seq, cmd, 1);
    msg.begin(ATTR_SERVICE);
    service_key(&mut msg, s);
    let mut flags = [0u8; 8];
    flags[4..].copy_from_slice(&u32::MAX.to_ne_bytes());
    let mut name = scheduler.as_bytes().to_vec();
    name.push(0);
    msg.attr(SVC_SCHED_NAME, &name)
        .attr(SVC_FLAGS, &flags)
        .attr(SVC_TIMEOUT, &0u32.to_ne_bytes())
        .attr(SVC_NETMASK, &u32::MAX.to_ne_bytes())
        .end();
    msg
}

/// A NEW_DEST or SET_DEST request for real server `r` of service `s`.
fn dest_msg(family: u16, seq: u32, cmd: u8, s: u32, r: u32, weight: u32) -> Msg {
    let mut msg = Msg::new(family, NLM_F_REQUEST | NLM_F_ACK, seq, cmd, 1);
    msg.begin(ATTR_SERVICE);
    service_key(&mut msg, s);
    msg.end().begin(ATTR_DEST);
    msg.attr(DEST_ADDR, &addr16(rip(s, r)))
        .attr(DEST_PORT, &RIP_PORT.to_be_bytes())
        .attr(DEST_FWD_METHOD, &0u32.to_ne_bytes())
        .attr(DEST_WEIGHT, &weight.to_ne_bytes())
        .attr(DEST_U_THRESH, &0u32.to_ne_bytes())
        .attr(DEST_L_THRESH, &0u32.to_ne_bytes())
        .attr(DEST_ADDR_FAMILY, &2u16.to_ne_bytes())
        .end();
    msg
}

fn add(n: u32) -> io::Result<()> {
    let mut sock = Socket::open()?;
    let family = sock.family;
    let batch = batch_size();
    let mut out = Vec::with_capacity(batch * 160);
    let mut first_seq = sock.seq + 1;
    let mut count = 0;
    let mut failed = 0;
    let mut push = |sock: &mut Socket, msg: Msg, out: &mut Vec<u8>| -> io::Result<()> {
        msg.finish(out);
        count += 1;
        if count == batch {
            failed += sock.send_batch(out, first_seq, count)?;
            out.clear();
            count = 0;
            first_seq = sock.seq + 1;
        }
        Ok(())
    };
    for s in 0..n {
        let seq = sock.next_seq();
        let msg = service_msg(family, seq, CMD_NEW_SERVICE, s, "wlc");
        push(&mut sock, msg, &mut out)?;
        for r in 0..REAL_SERVERS_PER_SERVICE {
            let seq = sock.next_seq();
            let msg = dest_msg(family, seq, CMD_NEW_DEST, s, r, 1);
            push(&mut sock, msg, &mut out)?;
        }
    }
    if count > 0 {
        failed += sock.send_batch(&out, first_seq, count)?;
    }
    if failed > 0 {
        return Err(io::Error::other(format!("{failed} requests failed")));
    }
    Ok(())
}

/// The churn case's floor: the table of `gen N` read as `dump` reads it,
/// then the requests that make it `gen-churn N`, in one write.
fn churn(n: u32) -> io::Result<()> {
    let mut sock = Socket::open()?;
    let (services, servers, _) = read_table(&mut sock)?;
    if services != n as usize || servers != u64::from(n * REAL_SERVERS_PER_SERVICE) {
        return Err(io::Error::other(format!(
            "expected the table of gen {n}, found {services} services, {servers} real servers"
        )));
    }
    let family = sock.family;
    let mut out = Vec::new();
    let first_seq = sock.seq + 1;
    let mut requests = Vec::new();
    for s in 0..n {
        if churned_scheduler(s) != "wlc" {
            requests.push(service_msg(family, 0, CMD_SET_SERVICE, s, churned_scheduler(s)));
        }
        for r in 0..REAL_SERVERS_PER_SERVICE {
            if churned_weight(s, r) != 1 {
                requests.push(dest_msg(family, 0, CMD_SET_DEST, s, r, churned_weight(s, r)));
            }
        }
    }
    // The new service as gen-churn writes it (its weights and scheduler churned too).
    requests.push(service_msg(family, 0, CMD_NEW_SERVICE, n, churned_scheduler(n)));
    for r in 0..REAL_SERVERS_PER_SERVICE {
        requests.push(dest_msg(family, 0, CMD_NEW_DEST, n, r, churned_weight(n, r)));
    }
    let count = requests.len();
    for mut msg in requests {
        let seq = sock.next_seq();
        msg.buf[8..12].copy_from_slice(&seq.to_ne_bytes());
        msg.finish(&mut out);
    }
    match sock.send_batch(&out, first_seq, count)? {
        0 => Ok(()),
        failed => Err(io::Error::other(format!("{failed} requests failed"))),
    }
}

/// GET_SERVICE dump, then one GET_DEST dump per service: the numbers of
/// services and real servers, and the sum of the weights.
fn read_table(sock: &mut Socket) -> io::Result<(usize, u64, u64)> {
    let family = sock.family;
    // The key attributes of each service, as the kernel sent them.
    let mut keys: Vec<Vec<(u16, Vec<u8>)>> = Vec::new();
    let seq = sock.next_seq();
    let msg = Msg::new(family, NLM_F_REQUEST | NLM_F_DUMP, seq, CMD_GET_SERVICE, 1);
    sock.dump(msg, seq, &mut |payload| {
        for (kind, value) in attrs(payload) {
            if kind == ATTR_SERVICE {
                let key = attrs(value)
                    .into_iter()
                    .filter(|(k, _)| matches!(*k, SVC_AF | SVC_PROTOCOL | SVC_ADDR | SVC_PORT | SVC_FWMARK))
                    .map(|(k, v)| (k, v.to_vec()))
                    .collect();
                keys.push(key);
            }
        }
    })?;
    let mut servers = 0u64;
    let mut weights = 0u64;
    for key in &keys {
        let seq = sock.next_seq();
        let mut msg = Msg::new(family, NLM_F_REQUEST | NLM_F_DUMP, seq, CMD_GET_DEST, 1);
        msg.begin(ATTR_SERVICE);
        for (kind, value) in key {
            msg.attr(*kind, value);
        }
        msg.end();
        sock.dump(msg, seq, &mut |payload| {
            for (kind, value) in attrs(payload) {
                if kind == ATTR_DEST {
                    servers += 1;
                    for (k, v) in attrs(value) {
                        if k == DEST_WEIGHT && v.len() >= 4 {
                            weights += u32::from_ne_bytes([v[0], v[1], v[2], v[3]]) as u64;
                        }
                    }
                }
            }
        })?;
    }
    Ok((keys.len(), servers, weights))
}

fn dump() -> io::Result<()> {
    let mut sock = Socket::open()?;
    let (services, servers, weights) = read_table(&mut sock)?;
    println!("services {services} real servers {servers} weights {weights}");
    Ok(())
}

fn flush() -> io::Result<()> {
    let mut sock = Socket::open()?;
    let seq = sock.next_seq();
    let msg = Msg::new(sock.family, NLM_F_REQUEST | NLM_F_ACK, seq, CMD_FLUSH, 1);
    let mut out = Vec::new();
    msg.finish(&mut out);
    match sock.send_batch(&out, seq, 1)? {
        0 => Ok(()),
        _ => Err(io::Error::other("flush failed")),
    }
}

fn measure(report: &str, label: &str, command: &[String]) -> io::Result<()> {
    let (program, args) = command
        .split_first()
        .ok_or_else(|| io::Error::other("measure: no command"))?;
    let start = Instant::now();
    let status = Command::new(program).args(args).status()?;
    let seconds = start.elapsed().as_secs_f64();
    let mut usage = RUsage::default();
    // SAFETY: usage is a valid struct rusage.
    unsafe { getrusage(RUSAGE_CHILDREN, &mut usage) };
    let code = status.code().unwrap_or(-1);
    let mut file = OpenOptions::new().create(true).append(true).open(report)?;
    let secs = |tv: [i64; 2]| tv[0] as f64 + tv[1] as f64 / 1e6;
    writeln!(
        file,
        "{label} {seconds:.6} {} {code} {:.6} {:.6} {}",
        usage.maxrss,
        secs(usage.utime),
        secs(usage.stime),
        usage.minflt
    )?;
    Ok(())
}

fn run(args: &[String]) -> io::Result<()> {
    let number = |i: usize| -> io::Result<u32> {
        args.get(i)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| io::Error::other("expected a number"))
    };
    match args.first().map(String::as_str) {
        Some("gen") => generate(number(1)?, false),
        Some("gen-churn") => generate(number(1)?, true),
        Some("add") => add(number(1)?),
        Some("churn") => churn(number(1)?),
        Some("dump") => dump(),
        Some("flush") => flush(),
        Some("measure") if args.len() >= 5 && args[3] == "--" => {
            measure(&args[1], &args[2], &args[4..])
        }
        _ => Err(io::Error::other(
            "usage: floor gen N | gen-churn N | add N | churn N | dump | flush | measure REPORT LABEL -- CMD...",
        )),
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("floor: {e}");
            ExitCode::FAILURE
        }
    }
}
