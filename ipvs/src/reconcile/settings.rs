//! Timeouts and sync daemons as part of a [`Table`](super::Table): what
//! their changes do to it, how two of them compare, and the steps from the
//! live ones to the desired ones.
//!
//! A table holds them only when told to ([`Table::with_timeouts`],
//! [`Table::with_daemons`]); one that does not leaves them alone in plans
//! and comparisons.
//!
//! Timeouts follow `--set`: a zero leaves that timeout as it is. Sync
//! daemons are one per state (master, backup), as in the kernel: starting
//! one that runs is refused, so is stopping one that does not. A daemon is
//! compared with the kernel's defaults filled in (multicast group
//! 224.0.0.81, port 8848, TTL 1); a message length of 0 asks for the
//! kernel's default, which depends on the interface's MTU, and matches
//! whatever length the running daemon has.
//!
//! [`Table::with_timeouts`]: super::Table::with_timeouts
//! [`Table::with_daemons`]: super::Table::with_daemons

use std::net::{IpAddr, Ipv4Addr};

use crate::model::{DaemonState, SyncDaemon, Timeouts};
use crate::Request;

use super::table::Conflict;

/// The multicast group a daemon gets when none is given (`IP_VS_SYNC_GROUP`).
const DEFAULT_GROUP: IpAddr = IpAddr::V4(Ipv4Addr::new(224, 0, 0, 81));
/// The multicast port a daemon gets when none is given (`IP_VS_SYNC_PORT`).
const DEFAULT_PORT: u16 = 8848;
/// The multicast TTL a daemon gets when none is given.
const DEFAULT_TTL: u8 = 1;

/// Timeouts and sync daemons held by a table; `None` for what it does not hold.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Settings {
    pub(crate) timeouts: Option<Timeouts>,
    /// At most one per state, in start order.
    pub(crate) daemons: Option<Vec<SyncDaemon>>,
}

impl Settings {
    /// Applies a `--set`, `--start-daemon` or `--stop-daemon` as the kernel
    /// would; returns the request that undoes it (none for a `--set` that
    /// changes nothing). `NotHeld` when the table does not hold what the
    /// request changes.
    pub(crate) fn apply(&mut self, request: &Request) -> Result<Option<Request>, Conflict> {
        match request {
            Request::SetTimeouts(new) => {
                let current = self.timeouts.as_mut().ok_or(Conflict::NotHeld)?;
                let mut undo = Timeouts::default();
                for (now, wanted, back) in [
                    (&mut current.tcp, new.tcp, &mut undo.tcp),
                    (&mut current.tcp_fin, new.tcp_fin, &mut undo.tcp_fin),
                    (&mut current.udp, new.udp, &mut undo.udp),
                ] {
                    if wanted != 0 && wanted != *now {
                        *back = *now;
                        *now = wanted;
                    }
                }
                Ok((undo != Timeouts::default()).then_some(Request::SetTimeouts(undo)))
            }
            Request::StartDaemon(daemon) => {
                let daemons = self.daemons.as_mut().ok_or(Conflict::NotHeld)?;
                if daemons.iter().any(|d| d.state == daemon.state) {
                    return Err(Conflict::DaemonRunning(daemon.state));
                }
                daemons.push(daemon.clone());
                Ok(Some(Request::StopDaemon(daemon.state)))
            }
            Request::StopDaemon(state) => {
                let daemons = self.daemons.as_mut().ok_or(Conflict::NotHeld)?;
                let at = daemons
                    .iter()
                    .position(|d| d.state == *state)
                    .ok_or(Conflict::NoSuchDaemon(*state))?;
                let old = daemons.remove(at);
                Ok(Some(Request::StartDaemon(old)))
            }
            _ => Err(Conflict::NotHeld),
        }
    }

    /// Whether both hold the same timeouts and daemons, where both hold
    /// them (a zero timeout matches any).
    pub(crate) fn same_as(&self, other: &Settings) -> bool {
        let alike = |a: u32, b: u32| a == b || a == 0 || b == 0;
        let timeouts = match (self.timeouts, other.timeouts) {
            (Some(a), Some(b)) => {
                alike(a.tcp, b.tcp) && alike(a.tcp_fin, b.tcp_fin) && alike(a.udp, b.udp)
            }
            _ => true,
        };
        let daemons = match (&self.daemons, &other.daemons) {
            (Some(a), Some(b)) => {
                a.len() == b.len()
                    && a.iter().all(|mine| {
                        b.iter()
                            .any(|theirs| theirs.state == mine.state && same_daemon(mine, theirs))
                    })
            }
            _ => true,
        };
        timeouts && daemons
    }
}

/// Whether two daemons of the same state run alike (see the module
/// documentation for the kernel's defaults).
pub(crate) fn same_daemon(a: &SyncDaemon, b: &SyncDaemon) -> bool {
    let group = |d: &SyncDaemon| d.mcast_group.unwrap_or(DEFAULT_GROUP);
    let port = |d: &SyncDaemon| match d.mcast_port {
        0 => DEFAULT_PORT,
        p => p,
    };
    let ttl = |d: &SyncDaemon| match d.mcast_ttl {
        0 => DEFAULT_TTL,
        t => t,
    };
    a.state == b.state
        && a.mcast_ifn == b.mcast_ifn
        && a.syncid == b.syncid
        && (a.sync_maxlen == 0 || b.sync_maxlen == 0 || a.sync_maxlen == b.sync_maxlen)
        && group(a) == group(b)
        && port(a) == port(b)
        && ttl(a) == ttl(b)
}

/// The steps from `live`'s timeouts and daemons to `desired`'s, for what
/// both hold: the timeouts that differ (a zero in the desired ones means
/// "any"), then the daemons to stop (gone, or running otherwise than
/// desired), then the daemons to start.
pub(crate) fn plan_settings(live: &Settings, desired: &Settings) -> Vec<Request> {
    let mut steps = Vec::new();
    if let (Some(now), Some(wanted)) = (live.timeouts, desired.timeouts) {
        let differs = |now: u32, wanted: u32| if wanted != now { wanted } else { 0 };
        let change = Timeouts {
            tcp: differs(now.tcp, wanted.tcp),
            tcp_fin: differs(now.tcp_fin, wanted.tcp_fin),
            udp: differs(now.udp, wanted.udp),
        };
        if change != Timeouts::default() {
            steps.push(Request::SetTimeouts(change));
        }
    }
    if let (Some(running), Some(wanted)) = (&live.daemons, &desired.daemons) {
        let find = |list: &[SyncDaemon], state: DaemonState| {
            list.iter().find(|d| d.state == state).cloned()
        };
        let mut starts = Vec::new();
        for state in [DaemonState::Master, DaemonState::Backup] {
            match (find(running, state), find(wanted, state)) {
                (Some(now), Some(want)) if same_daemon(&now, &want) => {}
                (Some(_), want) => {
                    steps.push(Request::StopDaemon(state));
                    starts.extend(want.map(Request::StartDaemon));
                }
                (None, want) => starts.extend(want.map(Request::StartDaemon)),
            }
        }
        steps.extend(starts);
    }
    steps
}

#[cfg(test)]
mod tests {
    use super::*;

    fn daemon(state: DaemonState, ifn: &str, syncid: u32) -> SyncDaemon {
        SyncDaemon {
            state,
            mcast_ifn: ifn.to_string(),
            syncid,
            sync_maxlen: 0,
            mcast_group: None,
            mcast_port: 0,
            mcast_ttl: 0,
        }
    }

    fn settings(timeouts: (u32, u32, u32), daemons: Vec<SyncDaemon>) -> Settings {
        Settings {
            timeouts: Some(Timeouts {
                tcp: timeouts.0,
                tcp_fin: timeouts.1,
                udp: timeouts.2,
            }),
            daemons: Some(daemons),
        }
    }

    #[test]
    fn a_daemon_is_compared_with_the_kernel_defaults_filled_in() {
        let given = daemon(DaemonState::Master, "dummy0", 4);
        let mut listed = given.clone();
        listed.sync_maxlen = 1472;
        listed.mcast_group = Some(DEFAULT_GROUP);
        listed.mcast_port = 8848;
        listed.mcast_ttl = 1;
        assert!(same_daemon(&given, &listed) && same_daemon(&listed, &given));
        for other in [
            SyncDaemon {
                syncid: 5,
                ..listed.clone()
            },
            SyncDaemon {
                mcast_ifn: "lo".into(),
                ..listed.clone()
            },
            SyncDaemon {
                mcast_port: 9000,
                ..listed.clone()
            },
            SyncDaemon {
                mcast_ttl: 2,
                ..listed.clone()
            },
            SyncDaemon {
                sync_maxlen: 1000,
                ..listed.clone()
            },
            SyncDaemon {
                mcast_group: Some("224.0.0.100".parse().unwrap()),
                ..listed.clone()
            },
        ] {
            assert!(!same_daemon(&other, &listed), "{other:?}");
        }
    }

    #[test]
    fn only_what_differs_is_planned_stops_before_starts() {
        let master = daemon(DaemonState::Master, "dummy0", 4);
        let backup = daemon(DaemonState::Backup, "dummy0", 4);
        let live = settings((900, 120, 300), vec![backup.clone(), master.clone()]);
        assert!(plan_settings(&live, &live).is_empty());

        let master5 = daemon(DaemonState::Master, "dummy0", 5);
        let desired = settings((600, 120, 0), vec![master5.clone()]);
        assert_eq!(
            plan_settings(&live, &desired),
            vec![
                Request::SetTimeouts(Timeouts {
                    tcp: 600,
                    tcp_fin: 0,
                    udp: 0
                }),
                Request::StopDaemon(DaemonState::Master),
                Request::StopDaemon(DaemonState::Backup),
                Request::StartDaemon(master5),
            ]
        );
        // A zero asks for nothing.
        let any = settings((0, 120, 0), vec![backup.clone(), master.clone()]);
        assert!(plan_settings(&live, &any).is_empty() && live.same_as(&any));
        assert!(!live.same_as(&desired));
        // What a table does not hold is left alone.
        assert!(plan_settings(&live, &Settings::default()).is_empty());
        assert!(plan_settings(&Settings::default(), &desired).is_empty());
    }

    #[test]
    fn every_change_is_undone_by_its_inverse_and_conflicts_are_the_kernels() {
        let master = daemon(DaemonState::Master, "dummy0", 4);
        let before = settings((900, 120, 300), vec![master.clone()]);
        for request in [
            Request::SetTimeouts(Timeouts {
                tcp: 600,
                tcp_fin: 0,
                udp: 30,
            }),
            Request::StopDaemon(DaemonState::Master),
            Request::StartDaemon(daemon(DaemonState::Backup, "lo", 1)),
        ] {
            let mut s = before.clone();
            let undo = s.apply(&request).unwrap();
            assert_ne!(s, before, "{request:?}");
            if let Some(u) = &undo {
                s.apply(u).unwrap();
            }
            assert!(s.same_as(&before), "{request:?} not undone by {undo:?}");
        }
        let mut s = before.clone();
        let same = Request::SetTimeouts(Timeouts {
            tcp: 900,
            tcp_fin: 0,
            udp: 0,
        });
        assert_eq!(s.apply(&same), Ok(None));
        assert_eq!(
            s.apply(&Request::StartDaemon(master)),
            Err(Conflict::DaemonRunning(DaemonState::Master))
        );
        assert_eq!(
            s.apply(&Request::StopDaemon(DaemonState::Backup)),
            Err(Conflict::NoSuchDaemon(DaemonState::Backup))
        );
        assert_eq!(s, before);
        assert_eq!(
            Settings::default().apply(&same),
            Err(Conflict::NotHeld),
            "timeouts the table does not hold"
        );
    }
}
