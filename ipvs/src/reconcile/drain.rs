//! Draining: real servers that the desired table drops leave without cutting
//! their users. They are first set to weight 0 (no new connections) while
//! every other change is applied, and deleted once IPVS counts no active,
//! inactive or persistent connection through them, or when a timeout
//! passes. A service the desired table drops stays until its draining real
//! servers are gone.
//!
//! Two steps, each usable alone:
//! - [`draining`]: the table to reach first; [`plan`](super::plan) and
//!   [`apply`](super::apply) take it there.
//! - [`drain`]: waits, reading the connection counts through an [`Ipvs`],
//!   and deletes what has drained.
//!
//! The state is the kernel's own: a real server at weight 0 that the
//! desired table drops is draining. So a drain that was stopped (a
//! restart, an interrupt) is found again by the next [`draining`] from the
//! live table and goes on.
//!
//! ```no_run
//! use std::ops::ControlFlow;
//! use ipvs::reconcile::{apply, drain, draining, plan, Drain, Outcome, Table};
//! use ipvs::{Client, Ipvs};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let mut client = Client::connect()?;
//! let live = Table::from_listings(client.listing()?);
//! let desired = Table::new(); // remove everything, gently
//! let first = draining(&live, &desired).unwrap_or_else(|| desired.clone());
//! if let Outcome::Applied = apply(&mut client, &live, &plan(&live, &first))
//!     .map_err(|(_, conflict)| conflict)?
//! {
//!     let end = drain(&mut client, &first, &desired, &Drain::default(), |left| {
//!         eprintln!("{} real servers draining", left.len());
//!         ControlFlow::Continue(())
//!     })?;
//!     println!("{end:?}");
//! }
//! # Ok(())
//! # }
//! ```

use std::net::IpAddr;
use std::ops::ControlFlow;
use std::time::{Duration, Instant};

use crate::client::Error;
use crate::model::{Destination, DestinationEntry, ServiceKey};
use crate::ops::Ipvs;
use crate::Request;

use super::table::{Table, TableService};

/// How long [`drain`] waits and how often it looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Drain {
    /// The longest wait; then the real servers still holding connections
    /// are deleted anyway. Default: 300 s.
    pub timeout: Duration,
    /// Time between two readings of the connection counts. Default: 0.5 s.
    pub interval: Duration,
}

impl Default for Drain {
    fn default() -> Self {
        Drain {
            timeout: Duration::from_secs(300),
            interval: Duration::from_millis(500),
        }
    }
}

/// How [`drain`] ended. Each real server comes with the service it belongs
/// to and its last reading.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Drained {
    /// Every draining real server lost its last connection and was deleted
    /// (or had gone already), and with them the services `desired` drops.
    All,
    /// The timeout passed: these real servers still had connections and
    /// were deleted anyway (the others had drained and were deleted too).
    TimedOut(Vec<(ServiceKey, DestinationEntry)>),
    /// `watch` stopped the wait: these real servers are left at weight 0,
    /// with their services.
    Stopped(Vec<(ServiceKey, DestinationEntry)>),
}

/// The table to reach first when draining from `live` to `desired`:
/// `desired`, plus every real server of `live` that `desired` drops, kept
/// with its configuration at weight 0 (and its service, with the live
/// configuration, when `desired` drops that too). A service `desired` drops
/// that has no real servers is not kept: nothing drains through it.
///
/// `None` when nothing drains: then `desired` is the table to reach, and
/// nothing was copied.
pub fn draining(live: &Table, desired: &Table) -> Option<Table> {
    if !live
        .services()
        .any(|s| leaving_servers(s, desired).next().is_some())
    {
        return None;
    }
    let mut first = desired.clone();
    for current in live.services() {
        let key = current.service().key;
        let mut leaving = leaving_servers(current, desired).peekable();
        if leaving.peek().is_none() {
            continue;
        }
        if desired.service(&key).is_none() {
            // `desired` has no such service: adding it cannot conflict.
            let _ = first.add_service(current.service().clone());
        }
        for dest in leaving {
            let mut quiet = *dest;
            quiet.config.weight = 0;
            // `desired` lacks this server: adding it cannot conflict.
            let _ = first.add_destination(key, quiet);
        }
    }
    Some(first)
}

/// Waits for the real servers that `now` has and `desired` lacks (those
/// that [`draining`] kept) to drain, and deletes each one as soon as IPVS
/// counts no active, inactive or persistent connection through it; then
/// the services of `now` that `desired` lacks, once their draining real
/// servers are gone. `now` is the table in `ipvs` (the one [`draining`]
/// returned, once applied).
///
/// Every `drain.interval` it reads the real servers of the services
/// concerned (only those) and calls `watch` with the ones still holding
/// connections; `ControlFlow::Break` stops the wait and leaves them at
/// weight 0. When `drain.timeout` has passed, the remaining ones are
/// deleted. Nothing to drain returns [`Drained::All`] at once, without
/// reading anything.
///
/// A real server or service that is already gone counts as deleted. Any
/// other error from `ipvs` ends the wait; what was deleted until then
/// stays deleted.
pub fn drain(
    ipvs: &mut dyn Ipvs,
    now: &Table,
    desired: &Table,
    drain: &Drain,
    mut watch: impl FnMut(&[(ServiceKey, DestinationEntry)]) -> ControlFlow<()>,
) -> Result<Drained, Error> {
    // Per service: whether it goes, and its real servers still draining.
    let mut groups: Vec<Group> = now
        .services()
        .filter_map(|current| {
            let key = current.service().key;
            let goes = desired.service(&key).is_none();
            let servers: Vec<(IpAddr, u16)> = leaving_servers(current, desired)
                .map(|d| (d.addr, d.port))
                .collect();
            (goes || !servers.is_empty()).then_some((key, goes, servers))
        })
        .collect();
    let start = Instant::now();
    while !groups.is_empty() {
        let timed_out = start.elapsed() >= drain.timeout;
        let mut left = Vec::new();
        let mut forced = Vec::new();
        for (key, goes, servers) in &mut groups {
            let entries = if servers.is_empty() {
                Vec::new()
            } else {
                ipvs.destinations(key)?
            };
            let mut still = Vec::new();
            for (addr, port) in servers.drain(..) {
                let Some(entry) = entries
                    .iter()
                    .find(|e| e.destination.addr == addr && e.destination.port == port)
                else {
                    continue;
                };
                let busy = connections(entry) > 0;
                if busy && !timed_out {
                    still.push((addr, port));
                    left.push((*key, *entry));
                    continue;
                }
                gone_is_fine(ipvs.execute(&Request::DeleteDestination(*key, addr, port)))?;
                if busy {
                    forced.push((*key, *entry));
                }
            }
            *servers = still;
            if *goes && servers.is_empty() {
                gone_is_fine(ipvs.execute(&Request::DeleteService(*key)))?;
            }
        }
        groups.retain(|(_, _, servers)| !servers.is_empty());
        if !forced.is_empty() {
            return Ok(Drained::TimedOut(forced));
        }
        if groups.is_empty() {
            break;
        }
        if watch(&left).is_break() {
            return Ok(Drained::Stopped(left));
        }
        let remaining = drain.timeout.saturating_sub(start.elapsed());
        std::thread::sleep(drain.interval.min(remaining));
    }
    Ok(Drained::All)
}

/// A service with draining real servers: its key, whether the desired table
/// drops it, and the real servers (address, port) still draining.
type Group = (ServiceKey, bool, Vec<(IpAddr, u16)>);

/// The real servers of `current` (a service of the live table) that
/// `desired` lacks, alone or with their service: those a drain takes out.
pub fn leaving_servers<'a>(
    current: &'a TableService,
    desired: &'a Table,
) -> impl Iterator<Item = &'a Destination> + 'a {
    let wanted = desired.service(&current.service().key);
    current
        .destinations()
        .filter(move |d| wanted.is_none_or(|w| w.destination(d.addr, d.port).is_none()))
}

/// Active, inactive and persistent connections through a real server.
fn connections(entry: &DestinationEntry) -> u64 {
    u64::from(entry.active_conns)
        + u64::from(entry.inactive_conns)
        + u64::from(entry.persistent_conns)
}

/// A deletion that finds nothing to delete did its job.
fn gone_is_fine(result: Result<(), Error>) -> Result<(), Error> {
    match result {
        Err(Error::Kernel { errno }) if errno == libc::ENOENT || errno == libc::ESRCH => Ok(()),
        other => other,
    }
}

#[cfg(test)]
mod tests;
