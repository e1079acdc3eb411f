//! The exchange logic against a scripted kernel: ACK matching, dumps and
//! their restarts, batches, lost ACKs, timeouts.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use std::io;

use super::socket::{Transport, MAX_CHUNK_BYTES};
use super::*;
use crate::model::{AddressFamily, DaemonState, Service, ServiceFlags};
use crate::netlink::constants::{
    CTRL_ATTR_FAMILY_ID, CTRL_CMD_NEWFAMILY, IPVS_CMD_ATTR_SERVICE, IPVS_SVC_ATTR_AF,
};
use crate::netlink::{
    frames, ipvs_body, write_ipvs_message, write_message, AttrWriter, Frame, IpvsCmd, ServiceNest,
    DUMP_FLAGS,
};
use netlink_packet_core::{NLMSG_DONE, NLMSG_ERROR, NLMSG_NOOP, NLM_F_DUMP_INTR};

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
                let mut reply = Vec::new();
                let header = Header {
                    msg_type: GENL_ID_CTRL,
                    flags: 0,
                    seq: frame.seq,
                };
                write_message(&mut reply, header, CTRL_CMD_NEWFAMILY, 2, |w| {
                    w.u16(CTRL_ATTR_FAMILY_ID, FAMILY)
                });
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
    let client = Client::start(
        Box::new(kernel),
        MAX_CHUNK_BYTES,
        chunk_messages,
        Trace::default(),
    )
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

/// A fwmark service.
fn fwmark_service(mark: u32) -> Service {
    let key = ServiceKey::Fwmark {
        family: AddressFamily::Inet,
        mark,
    };
    Service::new(key, "wlc")
}

/// A reply message of `cmd` whose attributes `body` writes.
fn reply(seq: u32, flags: u16, cmd: IpvsCmd, body: impl FnOnce(&mut AttrWriter<'_>)) -> Vec<u8> {
    let mut out = Vec::new();
    let header = Header {
        msg_type: FAMILY,
        flags,
        seq,
    };
    write_ipvs_message(&mut out, header, cmd, body);
    out
}

/// A service dump entry.
fn entry(seq: u32, flags: u16, service: &Service) -> Vec<u8> {
    reply(seq, NLM_F_MULTI | flags, IpvsCmd::NewService, |w| {
        ServiceNest::Config(service).emit(w)
    })
}

fn cmd_of(frame: &Frame) -> IpvsCmd {
    ipvs_body(frame.payload).unwrap().0
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
                let broken = reply(frame.seq, NLM_F_MULTI, IpvsCmd::NewService, |w| {
                    w.nest(IPVS_CMD_ATTR_SERVICE, |w| w.u16(IPVS_SVC_ATTR_AF, 2))
                });
                queue.push_back(Ok(broken));
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
                let mut service = fwmark_service(4);
                service.config.flags = ServiceFlags::HASHED;
                let answer = reply(frame.seq, 0, IpvsCmd::NewService, |w| {
                    ServiceNest::Config(&service).emit(w)
                });
                queue.push_back(Ok(answer));
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
