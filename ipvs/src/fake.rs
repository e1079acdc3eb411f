//! An IPVS in memory, for tests: a [`Table`] holding timeouts and sync
//! daemons that answers like the kernel (the same conflicts and errnos),
//! logs every change it is sent, and fails the ones it is told to.

use std::collections::HashMap;
use std::net::IpAddr;

use crate::client::Error;
use crate::model::{DestinationEntry, ServiceEntry, ServiceKey, Stats, SyncDaemon, Timeouts};
use crate::ops::Ipvs;
use crate::reconcile::Table;
use crate::Request;

/// What [`FakeIpvs`] does with a change it was told to fail.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fault {
    /// Refuse it (`Error::Kernel { errno: ENOENT }`); nothing changes.
    Refuse,
    /// Apply it, then lose the answer ([`Error::AckLost`]).
    ApplyThenLoseAck,
    /// Lose it and the answer ([`Error::AckLost`]).
    Lose,
}

/// An [`Ipvs`] in memory. Counters are zero; connection counts are zero
/// unless set with [`FakeIpvs::set_connections`].
#[derive(Debug, Clone)]
pub struct FakeIpvs {
    table: Table,
    connections: HashMap<(ServiceKey, IpAddr, u16), [u32; 3]>,
    sent: usize,
    faults: Vec<(usize, Fault)>,
    refuse_from: Option<usize>,
    reads_fail: bool,
    log: Vec<Request>,
}

impl Default for FakeIpvs {
    /// An empty table, zero timeouts, no daemons.
    fn default() -> Self {
        FakeIpvs::new(Table::new())
    }
}

impl FakeIpvs {
    /// A fake whose table is `table`, with its timeouts and sync daemons
    /// (zero timeouts and no daemons if it holds none).
    pub fn new(table: Table) -> Self {
        let timeouts = table.timeouts().unwrap_or_default();
        let daemons = table.daemons().map(<[_]>::to_vec).unwrap_or_default();
        FakeIpvs {
            table: table.with_timeouts(timeouts).with_daemons(daemons),
            connections: HashMap::new(),
            sent: 0,
            faults: Vec::new(),
            refuse_from: None,
            reads_fail: false,
            log: Vec::new(),
        }
    }

    /// The table as it is now, with its timeouts and sync daemons.
    pub fn table(&self) -> &Table {
        &self.table
    }

    /// Every change sent so far, in order (failed ones too).
    pub fn log(&self) -> &[Request] {
        &self.log
    }

    /// Fails the `n`-th change sent (counting from 0 since the fake was
    /// made) with `fault`.
    pub fn fail_at(&mut self, n: usize, fault: Fault) {
        self.faults.push((n, fault));
    }

    /// Refuses every change from the `n`-th on: a kernel that stopped
    /// taking changes.
    pub fn refuse_from(&mut self, n: usize) {
        self.refuse_from = Some(n);
    }

    /// Sets the active, inactive and persistent connection counts that the
    /// real server `addr`:`port` of service `key` reports, for as long as
    /// it exists.
    pub fn set_connections(&mut self, key: ServiceKey, addr: IpAddr, port: u16, counts: [u32; 3]) {
        self.connections.insert((key, addr, port), counts);
    }

    /// Makes every read fail with [`Error::Timeout`].
    pub fn fail_reads(&mut self) {
        self.reads_fail = true;
    }

    fn read(&self) -> Result<(), Error> {
        if self.reads_fail {
            return Err(Error::Timeout);
        }
        Ok(())
    }

    /// Applies a change as the kernel would.
    fn apply(&mut self, request: &Request) -> Result<(), Error> {
        self.table
            .apply(request)
            .map_err(|c| Error::Kernel { errno: c.errno() })
    }
}

impl Ipvs for FakeIpvs {
    fn services(&mut self) -> Result<Vec<ServiceEntry>, Error> {
        self.read()?;
        Ok(self
            .table
            .services()
            .map(|s| ServiceEntry {
                service: s.service().clone(),
                stats: Stats::default(),
            })
            .collect())
    }

    fn service(&mut self, key: &ServiceKey) -> Result<ServiceEntry, Error> {
        self.read()?;
        let service = self
            .table
            .service(key)
            .ok_or(Error::Kernel { errno: libc::ESRCH })?;
        Ok(ServiceEntry {
            service: service.service().clone(),
            stats: Stats::default(),
        })
    }

    fn destinations(&mut self, key: &ServiceKey) -> Result<Vec<DestinationEntry>, Error> {
        self.read()?;
        let Some(service) = self.table.service(key) else {
            return Ok(Vec::new());
        };
        Ok(service
            .destinations()
            .map(|d| {
                let [active, inactive, persistent] = self
                    .connections
                    .get(&(*key, d.addr, d.port))
                    .copied()
                    .unwrap_or_default();
                DestinationEntry {
                    destination: *d,
                    active_conns: active,
                    inactive_conns: inactive,
                    persistent_conns: persistent,
                    stats: Stats::default(),
                }
            })
            .collect())
    }

    fn timeouts(&mut self) -> Result<Timeouts, Error> {
        self.read()?;
        Ok(self.table.timeouts().unwrap_or_default())
    }

    fn daemons(&mut self) -> Result<Vec<SyncDaemon>, Error> {
        self.read()?;
        Ok(self.table.daemons().map(<[_]>::to_vec).unwrap_or_default())
    }

    fn execute(&mut self, request: &Request) -> Result<(), Error> {
        let n = self.sent;
        self.sent += 1;
        self.log.push(request.clone());
        let fault = self
            .faults
            .iter()
            .find(|(at, _)| *at == n)
            .map(|(_, f)| *f)
            .or_else(|| {
                self.refuse_from
                    .filter(|from| n >= *from)
                    .map(|_| Fault::Refuse)
            });
        match fault {
            Some(Fault::Refuse) => Err(Error::Kernel {
                errno: libc::ENOENT,
            }),
            Some(Fault::Lose) => Err(Error::AckLost),
            Some(Fault::ApplyThenLoseAck) => {
                let _ = self.apply(request);
                Err(Error::AckLost)
            }
            None => self.apply(request),
        }
    }

    fn execute_batch(&mut self, requests: &[Request]) -> Result<Vec<Result<(), Error>>, Error> {
        Ok(requests.iter().map(|r| self.execute(r)).collect())
    }
}
