//! Deterministic user-space cost of the two bulk paths, for callgrind:
//! `-Ln`-style listing of 4,000 services x 10 real servers from
//! Linux-shaped dump datagrams, and a 44,000-request batch (4,000
//! services, 40,000 real servers) against a kernel that ACKs everything.
//! Ignored by default; `benches/callgrind.sh` runs it under valgrind and
//! counts only the two `measured_*` functions.

use std::collections::VecDeque;
use std::io;
use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

use super::socket::Transport;
use super::*;
use crate::model::{Destination, Service};
use crate::model::{ForwardMethod, Protocol};

const SERVICES: usize = 4000;
const PER_SERVICE: usize = 10;
const FAMILY: u16 = 0x20;
/// Bytes of service entries per dump datagram (the kernel fills about this).
const DATAGRAM_FILL: usize = 16 * 1024;

/// Linux 6.1's dump entry of TCP 10.0.0.1:80 wlc (captured).
const KERNEL_SVC: &str = concat!(
    "40010000200002000463026b93004012010100002c0101000600010002000000",
    "0600020006000000140003000a00000100000000000000000000000006000400",
    "0050000008000600776c63000c00070002000000ffffffff0800080000000000",
    "08000900ffffffff5c000a000800010000000000080002000000000008000300",
    "000000000c00040000000000000000000c000500000000000000000008000600",
    "0000000008000700000000000800080000000000080009000000000008000a00",
    "000000007c000c000c00010000000000000000000c0002000000000000000000",
    "0c00030000000000000000000c00040000000000000000000c00050000000000",
    "000000000c00060000000000000000000c00070000000000000000000c000800",
    "00000000000000000c00090000000000000000000c000a000000000000000000",
);
/// Where the service address starts in it.
const SVC_ADDR_AT: usize = 44;

/// Linux 6.1's dump entry of real server 10.0.0.2:80 (captured).
const KERNEL_DEST: &str = concat!(
    "64010000200002000463026b9300c05f0501000050010200140001000a000002",
    "0000000000000000000000000600020000500000080003000000000008000400",
    "0100000005000d000000000006000e000000000006000f000000000008000500",
    "0000000008000600000000000800070000000000080008000000000008000900",
    "0000000006000b00020000005c000a0008000100000000000800020000000000",
    "08000300000000000c00040000000000000000000c0005000000000000000000",
    "0800060000000000080007000000000008000800000000000800090000000000",
    "08000a00000000007c000c000c00010000000000000000000c00020000000000",
    "000000000c00030000000000000000000c00040000000000000000000c000500",
    "00000000000000000c00060000000000000000000c0007000000000000000000",
    "0c00080000000000000000000c00090000000000000000000c000a0000000000",
    "00000000",
);
const DEST_ADDR_AT: usize = 28;

fn unhex(hex: &str) -> Vec<u8> {
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
        .collect()
}

fn control(msg_type: u16, flags: u16, seq: u32, code: i32, extra: usize) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(&((20 + extra) as u32).to_ne_bytes());
    out.extend_from_slice(&msg_type.to_ne_bytes());
    out.extend_from_slice(&flags.to_ne_bytes());
    out.extend_from_slice(&seq.to_ne_bytes());
    out.extend_from_slice(&0u32.to_ne_bytes());
    out.extend_from_slice(&code.to_ne_bytes());
    out.resize(20 + extra, 0);
    out
}

/// Sets the sequence number of every message of a datagram.
fn stamp(datagram: &mut [u8], seq: u32) {
    let mut at = 0;
    while at + 16 <= datagram.len() {
        let len = u32::from_ne_bytes(datagram[at..at + 4].try_into().unwrap()) as usize;
        datagram[at + 8..at + 12].copy_from_slice(&seq.to_ne_bytes());
        at += (len + 3) & !3;
    }
}

/// What the fake kernel has queued: cheap to queue, written out on receive.
enum Queued {
    /// A capped ACK of this sequence number.
    Ack(u32),
    /// The nlctrl reply giving the family id.
    Family(u32),
    /// Dump datagram `index` of the services (`usize::MAX`: the real servers).
    Dump(usize, u32),
}

/// A kernel with a fixed table: dumps from prebuilt datagrams, ACKs for
/// everything else (one datagram each, capped).
struct TableKernel {
    services: Vec<Vec<u8>>,
    dests: Vec<u8>,
    queue: VecDeque<Queued>,
}

impl TableKernel {
    fn new() -> Self {
        let template = unhex(KERNEL_SVC);
        let mut services = vec![Vec::new()];
        for i in 0..SERVICES {
            let mut entry = template.clone();
            let addr = Ipv4Addr::from(0x0a00_0000 + i as u32 + 1);
            entry[SVC_ADDR_AT..SVC_ADDR_AT + 4].copy_from_slice(&addr.octets());
            if services.last().unwrap().len() + entry.len() > DATAGRAM_FILL {
                services.push(Vec::new());
            }
            services.last_mut().unwrap().extend(entry);
        }
        services.push(control(3, 2, 0, 0, 0));
        let template = unhex(KERNEL_DEST);
        let mut dests = Vec::new();
        for i in 0..PER_SERVICE {
            let mut entry = template.clone();
            let addr = Ipv4Addr::new(192, 168, 0, i as u8 + 1);
            entry[DEST_ADDR_AT..DEST_ADDR_AT + 4].copy_from_slice(&addr.octets());
            dests.extend(entry);
        }
        dests.extend(control(3, 2, 0, 0, 0));
        TableKernel {
            services,
            dests,
            queue: VecDeque::with_capacity(4096),
        }
    }
}

impl Transport for TableKernel {
    fn send(&mut self, bytes: &[u8]) -> io::Result<usize> {
        let mut at = 0;
        while at + 16 <= bytes.len() {
            let len = u32::from_ne_bytes(bytes[at..at + 4].try_into().unwrap()) as usize;
            let msg_type = u16::from_ne_bytes([bytes[at + 4], bytes[at + 5]]);
            let seq = u32::from_ne_bytes(bytes[at + 8..at + 12].try_into().unwrap());
            let cmd = bytes.get(at + 16).copied().unwrap_or(0);
            if msg_type == GENL_ID_CTRL {
                self.queue.push_back(Queued::Family(seq));
                self.queue.push_back(Queued::Ack(seq));
            } else if msg_type == FAMILY && cmd == 4 {
                for index in 0..self.services.len() {
                    self.queue.push_back(Queued::Dump(index, seq));
                }
            } else if msg_type == FAMILY && cmd == 8 {
                self.queue.push_back(Queued::Dump(usize::MAX, seq));
            } else {
                self.queue.push_back(Queued::Ack(seq));
            }
            at += (len.max(16) + 3) & !3;
        }
        Ok(bytes.len())
    }

    fn recv(&mut self, buf: &mut Vec<u8>, _nonblocking: bool) -> io::Result<(usize, u32)> {
        buf.clear();
        match self.queue.pop_front() {
            Some(Queued::Ack(seq)) => {
                let mut ack = [0u8; 36];
                ack[..4].copy_from_slice(&36u32.to_ne_bytes());
                ack[4..6].copy_from_slice(&2u16.to_ne_bytes());
                ack[6..8].copy_from_slice(&0x100u16.to_ne_bytes());
                ack[8..12].copy_from_slice(&seq.to_ne_bytes());
                buf.extend_from_slice(&ack);
            }
            Some(Queued::Family(seq)) => {
                let mut reply = control(GENL_ID_CTRL, 0, seq, 0, 8);
                reply[16..20].copy_from_slice(&[1, 2, 0, 0]);
                reply[20..28].copy_from_slice(&[6, 0, 1, 0, FAMILY as u8, 0, 0, 0]);
                buf.extend_from_slice(&reply);
            }
            Some(Queued::Dump(index, seq)) => {
                let datagram = self.services.get(index).unwrap_or(&self.dests);
                buf.extend_from_slice(datagram);
                stamp(buf, seq);
            }
            None => return Err(io::ErrorKind::WouldBlock.into()),
        }
        Ok((buf.len(), 0))
    }

    fn set_timeout(&mut self, _timeout: Duration) -> io::Result<()> {
        Ok(())
    }
}

fn table_client() -> Client {
    Client::start(
        Box::new(TableKernel::new()),
        256 * 1024,
        2048,
        Trace::default(),
    )
    .unwrap()
}

fn restore_requests() -> Vec<Request> {
    let mut requests = Vec::with_capacity(SERVICES * (PER_SERVICE + 1));
    for i in 0..SERVICES {
        let key = ServiceKey::Addr {
            protocol: Protocol::Tcp,
            addr: IpAddr::V4(Ipv4Addr::from(0x0a00_0000 + i as u32 + 1)),
            port: 80,
        };
        requests.push(Request::AddService(Service::new(key, "wlc")));
        for j in 0..PER_SERVICE {
            let addr = IpAddr::V4(Ipv4Addr::new(192, 168, (i >> 8) as u8, j as u8 + 1));
            let mut server = Destination::new(addr, 80);
            server.config.forward = ForwardMethod::Masquerade;
            requests.push(Request::AddDestination(key, server));
        }
    }
    requests
}

#[inline(never)]
fn measured_listing(client: &mut Client) -> usize {
    let services = client.services_without_counters().unwrap();
    let mut total = services.len();
    for entry in &services {
        total += client
            .destinations_without_counters(&entry.service.key)
            .unwrap()
            .len();
    }
    total
}

#[inline(never)]
fn measured_batch(client: &mut Client, requests: &[Request]) -> usize {
    client.execute_batch_failures(requests).unwrap().len()
}

#[test]
#[ignore = "a measurement: run by benches/callgrind.sh"]
fn bulk_paths() {
    let mut client = table_client();
    let listed = std::hint::black_box(measured_listing(&mut client));
    assert_eq!(listed, SERVICES * (PER_SERVICE + 1));
    let requests = restore_requests();
    let failed = std::hint::black_box(measured_batch(&mut client, &requests));
    assert_eq!(failed, 0);
}
