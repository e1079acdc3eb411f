//! The front ends' side of draining (`ipvsadm-restore --drain`, `ipvsadm -d
//! ... --drain`): the wait is the library's ([`ipvs::reconcile::drain`]);
//! this says what is going on on standard error, stops on SIGINT or SIGTERM
//! and warns about persistence templates.
//!
//! Progress: on a terminal, one line redrawn at every reading; otherwise a
//! plain line whenever a real server's connection count changes.

use std::io::{IsTerminal, Write};
use std::net::SocketAddr;
use std::ops::ControlFlow;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crate::cli::run::ExitCode;
use ipvs::model::{DestinationEntry, ServiceFlags, ServiceKey};
use ipvs::reconcile::{drain, leaving_servers, Drain, Drained, Table};
use ipvs::{Error, Ipvs};

/// Exit status of a drain stopped by SIGINT or SIGTERM: the real servers
/// still draining are left at weight 0; running the same command again goes
/// on draining them.
pub const EXIT_INTERRUPTED: ExitCode = 4;

/// The sysctl that decides whether persistence templates of a real server at
/// weight 0 expire (1) or keep sending their clients to it (0, Linux's default).
const EXPIRE_QUIESCENT_TEMPLATE: &str = "/proc/sys/net/ipv4/vs/expire_quiescent_template";

/// How a drain ended, for the caller's exit status.
#[derive(Debug, PartialEq, Eq)]
pub enum Ended {
    /// Every draining real server was deleted (drained or timed out).
    Done,
    /// Stopped by a signal; the message is written.
    Interrupted,
}

/// Waits for the real servers of `now` that `desired` lacks to drain (see
/// [`drain`]), reporting on `err` as `program`. `now` is the table in the
/// kernel. Nothing to drain: returns at once, silent.
pub fn run_drain(
    kernel: &mut dyn Ipvs,
    now: &Table,
    desired: &Table,
    timeout: Duration,
    program: &str,
    err: &mut dyn Write,
) -> Result<Ended, Error> {
    let leaving = leaving(now, desired);
    if leaving.is_empty() {
        return Ok(Ended::Done);
    }
    let persistent: Vec<ServiceKey> = leaving
        .iter()
        .filter(|(_, _, persistent)| *persistent)
        .map(|(key, _, _)| *key)
        .collect();
    if !persistent.is_empty() && quiescent_templates_kept() {
        let mut services: Vec<String> = persistent.iter().map(|k| k.to_string()).collect();
        services.dedup();
        let _ = writeln!(
            err,
            "{program}: warning: net.ipv4.vs.expire_quiescent_template is 0: persistence \
             templates keep sending their clients to real servers at weight 0 (persistent \
             service {}); set it to 1 to let them drain",
            services.join(", ")
        );
    }
    for (key, server, _) in &leaving {
        let _ = writeln!(
            err,
            "{program}: draining real server {server} of service {key} (weight 0), \
             at most {} s",
            timeout.as_secs()
        );
    }

    let _signals = StopOnSignal::install();
    let mut progress = Progress {
        program,
        err,
        terminal: std::io::stderr().is_terminal(),
        start: Instant::now(),
        timeout,
        shown: Vec::new(),
    };
    let settings = Drain {
        timeout,
        ..Drain::default()
    };
    let end = drain(kernel, now, desired, &settings, |left| {
        if STOP.load(Ordering::SeqCst) {
            return ControlFlow::Break(());
        }
        progress.show(left);
        ControlFlow::Continue(())
    });
    progress.finish_line();
    let err = progress.err;
    match end? {
        Drained::Stopped(left) => {
            let _ = writeln!(
                err,
                "{program}: interrupted: {} real server(s) left draining at weight 0:",
                left.len()
            );
            for (key, entry) in &left {
                let _ = writeln!(
                    err,
                    "{program}:   real server {} of service {key}, {}",
                    server_of(entry),
                    counts(entry)
                );
            }
            let _ = writeln!(
                err,
                "{program}: run the same command again to go on draining them"
            );
            Ok(Ended::Interrupted)
        }
        Drained::TimedOut(forced) => {
            for (key, entry) in &forced {
                let _ = writeln!(
                    err,
                    "{program}: real server {} of service {key} deleted after {} s with \
                     {} left",
                    server_of(entry),
                    timeout.as_secs(),
                    counts(entry)
                );
            }
            Ok(Ended::Done)
        }
        _ => {
            let _ = writeln!(
                err,
                "{program}: drained: {} real server(s) deleted",
                leaving.len()
            );
            Ok(Ended::Done)
        }
    }
}

/// The real servers of `now` that `desired` lacks: service, address, and
/// whether the service is persistent.
fn leaving(now: &Table, desired: &Table) -> Vec<(ServiceKey, SocketAddr, bool)> {
    now.services()
        .flat_map(|current| {
            let service = current.service();
            let persistent = service.config.flags.contains(ServiceFlags::PERSISTENT);
            leaving_servers(current, desired).map(move |dest| {
                (
                    service.key,
                    SocketAddr::new(dest.addr, dest.port),
                    persistent,
                )
            })
        })
        .collect()
}

/// Whether templates of a quiesced real server stay (the sysctl reads 0).
fn quiescent_templates_kept() -> bool {
    std::fs::read_to_string(EXPIRE_QUIESCENT_TEMPLATE).is_ok_and(|v| v.trim() == "0")
}

fn server_of(entry: &DestinationEntry) -> SocketAddr {
    SocketAddr::new(entry.destination.addr, entry.destination.port)
}

/// `3 connections (active 1, inactive 2, persistent 0)`.
fn counts(entry: &DestinationEntry) -> String {
    let total = u64::from(entry.active_conns)
        + u64::from(entry.inactive_conns)
        + u64::from(entry.persistent_conns);
    format!(
        "{total} connection(s) (active {}, inactive {}, persistent {})",
        entry.active_conns, entry.inactive_conns, entry.persistent_conns
    )
}

/// What the wait has shown so far.
struct Progress<'a> {
    program: &'a str,
    err: &'a mut dyn Write,
    terminal: bool,
    start: Instant,
    timeout: Duration,
    /// The last reading shown: server and its counts.
    shown: Vec<(ServiceKey, SocketAddr, String)>,
}

impl Progress<'_> {
    fn show(&mut self, left: &[(ServiceKey, DestinationEntry)]) {
        let now: Vec<(ServiceKey, SocketAddr, String)> = left
            .iter()
            .map(|(key, entry)| (*key, server_of(entry), counts(entry)))
            .collect();
        if self.terminal {
            let total: u64 = left
                .iter()
                .map(|(_, e)| {
                    u64::from(e.active_conns)
                        + u64::from(e.inactive_conns)
                        + u64::from(e.persistent_conns)
                })
                .sum();
            let servers: Vec<String> = now.iter().map(|(_, s, _)| s.to_string()).collect();
            let _ = write!(
                self.err,
                "\r\x1b[K{}: draining {} real server(s), {total} connection(s) left, \
                 {} s of {} s: {}",
                self.program,
                left.len(),
                self.start.elapsed().as_secs(),
                self.timeout.as_secs(),
                servers.join(" ")
            );
        } else {
            for (key, server, text) in &now {
                let same = self
                    .shown
                    .iter()
                    .any(|(k, s, t)| k == key && s == server && t == text);
                if !same {
                    let _ = writeln!(
                        self.err,
                        "{}: real server {server} of service {key}: {text} left",
                        self.program
                    );
                }
            }
        }
        let _ = self.err.flush();
        self.shown = now;
    }

    /// Ends the redrawn line, if one was drawn.
    fn finish_line(&mut self) {
        if self.terminal && !self.shown.is_empty() {
            let _ = writeln!(self.err);
        }
    }
}

/// Set by SIGINT and SIGTERM while a [`StopOnSignal`] lives.
static STOP: AtomicBool = AtomicBool::new(false);

extern "C" fn note_stop(_: libc::c_int) {
    STOP.store(true, Ordering::SeqCst);
}

/// SIGINT and SIGTERM set [`STOP`] instead of ending the process, until
/// dropped (the previous handlers come back). They are unblocked too: a
/// restore holds them back while it applies its changes, and one that
/// arrived then stops the drain at its first reading.
struct StopOnSignal {
    previous: Vec<(libc::c_int, libc::sigaction)>,
}

impl StopOnSignal {
    const SIGNALS: [libc::c_int; 2] = [libc::SIGINT, libc::SIGTERM];

    fn install() -> Self {
        STOP.store(false, Ordering::SeqCst);
        let mut previous = Vec::new();
        for signal in Self::SIGNALS {
            // SAFETY: sigaction is plain data, zeroed then filled; the
            // handler only stores to an atomic, which is async-signal-safe.
            unsafe {
                let mut action: libc::sigaction = std::mem::zeroed();
                action.sa_sigaction = note_stop as extern "C" fn(libc::c_int) as usize;
                libc::sigemptyset(&mut action.sa_mask);
                let mut old: libc::sigaction = std::mem::zeroed();
                if libc::sigaction(signal, &action, &mut old) == 0 {
                    previous.push((signal, old));
                }
            }
        }
        // SAFETY: sigset_t is plain data that sigemptyset initialises; the
        // call only reads the set passed.
        unsafe {
            let mut set: libc::sigset_t = std::mem::zeroed();
            libc::sigemptyset(&mut set);
            for signal in Self::SIGNALS {
                libc::sigaddset(&mut set, signal);
            }
            libc::pthread_sigmask(libc::SIG_UNBLOCK, &set, std::ptr::null_mut());
        }
        StopOnSignal { previous }
    }
}

impl Drop for StopOnSignal {
    fn drop(&mut self) {
        for (signal, old) in &self.previous {
            // SAFETY: puts back the action saved by `install`.
            unsafe {
                libc::sigaction(*signal, old, std::ptr::null_mut());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ipvs::fake::FakeIpvs;
    use ipvs::model::{Destination, Protocol, Service};
    use ipvs::reconcile::{apply, draining, plan, Outcome};

    fn key(port: u16) -> ServiceKey {
        ServiceKey::Addr {
            protocol: Protocol::Tcp,
            addr: "10.0.0.1".parse().unwrap(),
            port,
        }
    }

    fn live() -> Table {
        let mut t = Table::new();
        let mut persistent = Service::new(key(80), "rr");
        persistent.config.flags = ServiceFlags::PERSISTENT;
        persistent.config.timeout = 300;
        t.add_service(persistent).unwrap();
        for host in [2, 3] {
            t.add_destination(
                key(80),
                Destination::new(format!("10.0.0.{host}").parse().unwrap(), 80),
            )
            .unwrap();
        }
        t
    }

    fn run(fake: &mut FakeIpvs, now: &Table, desired: &Table) -> (Ended, String) {
        let mut err = Vec::new();
        let end = run_drain(
            fake,
            now,
            desired,
            Duration::from_secs(0),
            "ipvsadm-restore",
            &mut err,
        )
        .unwrap();
        (end, String::from_utf8(err).unwrap())
    }

    #[test]
    fn a_terminal_gets_one_redrawn_line_and_a_pipe_a_line_per_change() {
        let entry = |active: u32| {
            let mut d = Destination::new("10.0.0.3".parse().unwrap(), 80);
            d.config.weight = 0;
            DestinationEntry {
                destination: d,
                active_conns: active,
                inactive_conns: 1,
                persistent_conns: 0,
                stats: Default::default(),
            }
        };
        let readings = [
            vec![(key(80), entry(2))],
            vec![(key(80), entry(2))],
            vec![(key(80), entry(1))],
        ];
        let shown = |terminal: bool| {
            let mut err = Vec::new();
            let mut progress = Progress {
                program: "ipvsadm",
                err: &mut err,
                terminal,
                start: Instant::now(),
                timeout: Duration::from_secs(300),
                shown: Vec::new(),
            };
            for left in &readings {
                progress.show(left);
            }
            progress.finish_line();
            String::from_utf8(err).unwrap()
        };
        assert_eq!(
            shown(false),
            "ipvsadm: real server 10.0.0.3:80 of service -t 10.0.0.1:80: 3 connection(s) \
             (active 2, inactive 1, persistent 0) left\n\
             ipvsadm: real server 10.0.0.3:80 of service -t 10.0.0.1:80: 2 connection(s) \
             (active 1, inactive 1, persistent 0) left\n"
        );
        let line = "ipvsadm: draining 1 real server(s), {n} connection(s) left, 0 s of 300 s: \
                    10.0.0.3:80";
        assert_eq!(
            shown(true),
            format!(
                "\r\x1b[K{}\r\x1b[K{}\r\x1b[K{}\n",
                line.replace("{n}", "3"),
                line.replace("{n}", "3"),
                line.replace("{n}", "2")
            )
        );
    }

    #[test]
    fn nothing_to_drain_says_nothing() {
        let t = live();
        let mut fake = FakeIpvs::new(t.clone());
        assert_eq!(run(&mut fake, &t, &t), (Ended::Done, String::new()));
        assert!(fake.log().is_empty());
    }

    #[test]
    fn says_which_servers_drain_and_how_it_ended() {
        let live = live();
        let mut desired = live.clone();
        desired
            .apply(&ipvs::Request::DeleteDestination(
                key(80),
                "10.0.0.3".parse().unwrap(),
                80,
            ))
            .unwrap();
        let first = draining(&live, &desired).unwrap();
        let mut fake = FakeIpvs::new(live.clone());
        assert!(matches!(
            apply(&mut fake, &live, &plan(&live, &first)),
            Ok(Outcome::Applied)
        ));
        fake.set_connections(key(80), "10.0.0.3".parse().unwrap(), 80, [2, 0, 1]);
        let (end, err) = run(&mut fake, &first, &desired);
        assert_eq!(end, Ended::Done);
        assert!(
            err.contains("draining real server 10.0.0.3:80 of service -t 10.0.0.1:80"),
            "{err}"
        );
        assert!(
            err.contains(
                "real server 10.0.0.3:80 of service -t 10.0.0.1:80 deleted after 0 s with \
                 3 connection(s) (active 2, inactive 0, persistent 1) left"
            ),
            "{err}"
        );
        assert!(fake.table().same_as(&desired));
    }
}
