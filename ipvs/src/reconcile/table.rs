//! A whole IPVS table in memory — virtual services with their real servers,
//! and, when asked to hold them, the timeouts and sync daemons — and what
//! each change does to it, with the kernel's rules: the same conflicts the
//! kernel reports, and for every change the requests that undo it.
//!
//! Services are found by [`ServiceKey`], real servers within a service by
//! address and port, as the kernel finds them. Both keep their insertion order.

use std::borrow::Borrow;
use std::hash::Hash;
use std::net::{IpAddr, SocketAddr};

use rustc_hash::{FxHashMap, FxHashSet};

use crate::model::{
    DaemonState, Destination, DestinationConfig, Service, ServiceConfig, ServiceFlags, ServiceKey,
    ServiceListing, SyncDaemon, Timeouts,
};
use crate::Request;

use super::settings::Settings;

/// A real server's identity within its service: address and port.
type DestinationId = (IpAddr, u16);

/// Values in insertion order, found by key. Removing leaves a hole that
/// iteration skips, so that indexes stay valid.
///
/// Most services have a handful of real servers: up to [`SCAN_LIMIT`]
/// entries are found by scanning, without a hash index (which would take
/// more memory and time to build than the scan ever costs); beyond that an
/// index is built and kept.
#[derive(Debug, Clone)]
struct OrderedMap<K, V> {
    slots: Vec<Option<(K, V)>>,
    /// Slot of each key, once there are more than [`SCAN_LIMIT`] slots.
    index: Option<FxHashMap<K, usize>>,
    len: usize,
}

/// How many slots an [`OrderedMap`] scans before it keeps an index.
const SCAN_LIMIT: usize = 16;

impl<K: Hash + Eq + Clone, V> OrderedMap<K, V> {
    fn new() -> Self {
        OrderedMap::with_capacity(0)
    }

    fn with_capacity(capacity: usize) -> Self {
        OrderedMap {
            slots: Vec::with_capacity(capacity),
            index: None,
            len: 0,
        }
    }

    fn slot(&self, key: &K) -> Option<usize> {
        match &self.index {
            Some(index) => index.get(key).copied(),
            None => self
                .slots
                .iter()
                .position(|slot| slot.as_ref().is_some_and(|(k, _)| k == key)),
        }
    }

    fn get(&self, key: &K) -> Option<&V> {
        let slot = self.slot(key)?;
        self.slots[slot].as_ref().map(|(_, v)| v)
    }

    fn get_mut(&mut self, key: &K) -> Option<&mut V> {
        let slot = self.slot(key)?;
        self.slots[slot].as_mut().map(|(_, v)| v)
    }

    /// Appends `value`; the caller has checked that `key` is absent.
    fn push(&mut self, key: K, value: V) {
        let slot = self.slots.len();
        match &mut self.index {
            Some(index) => {
                index.insert(key.clone(), slot);
            }
            None if slot == SCAN_LIMIT => {
                let mut index = FxHashMap::default();
                index.reserve(slot + 1);
                for (i, (k, _)) in self
                    .slots
                    .iter()
                    .enumerate()
                    .filter_map(|(i, s)| Some((i, s.as_ref()?)))
                {
                    index.insert(k.clone(), i);
                }
                index.insert(key.clone(), slot);
                self.index = Some(index);
            }
            None => {}
        }
        self.slots.push(Some((key, value)));
        self.len += 1;
    }

    fn remove(&mut self, key: &K) -> Option<V> {
        let slot = match &mut self.index {
            Some(index) => index.remove(key)?,
            None => self.slot(key)?,
        };
        let (_, value) = self.slots[slot].take()?;
        self.len -= 1;
        Some(value)
    }

    fn values(&self) -> impl Iterator<Item = &V> {
        self.slots.iter().flatten().map(|(_, v)| v)
    }

    fn len(&self) -> usize {
        self.len
    }
}

impl<K: Hash + Eq + Clone, V: PartialEq> PartialEq for OrderedMap<K, V> {
    /// Same keys, in the same order, with equal values.
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len()
            && self
                .slots
                .iter()
                .flatten()
                .zip(other.slots.iter().flatten())
                .all(|(a, b)| a.0 == b.0 && a.1 == b.1)
    }
}

impl<K: Hash + Eq + Clone, V: Eq> Eq for OrderedMap<K, V> {}

/// One virtual service and its real servers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableService {
    service: Service,
    destinations: OrderedMap<DestinationId, Destination>,
}

impl TableService {
    fn new(service: Service) -> Self {
        TableService {
            service,
            destinations: OrderedMap::new(),
        }
    }

    /// The service: key and configuration.
    pub fn service(&self) -> &Service {
        &self.service
    }

    /// Its real servers, in insertion order.
    pub fn destinations(&self) -> impl Iterator<Item = &Destination> {
        self.destinations.values()
    }

    /// The real server with this address and port.
    pub fn destination(&self, addr: IpAddr, port: u16) -> Option<&Destination> {
        self.destinations.get(&(addr, port))
    }

    /// How many real servers it has.
    fn destination_count(&self) -> usize {
        self.destinations.len()
    }
}

/// Why a change does not apply to a table: what the kernel would answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Conflict {
    /// Adding a service that exists.
    #[error("service {} already exists", .0)]
    ServiceExists(ServiceKey),
    /// Changing a service that does not exist.
    #[error("no such service: {}", .0)]
    NoSuchService(ServiceKey),
    /// Adding a real server (address, port) that the service has.
    #[error("real server {} of service {} already exists", SocketAddr::new(*.1, *.2), .0)]
    DestinationExists(ServiceKey, IpAddr, u16),
    /// Changing a real server (address, port) that the service lacks.
    #[error("no such real server: {} of service {}", SocketAddr::new(*.1, *.2), .0)]
    NoSuchDestination(ServiceKey, IpAddr, u16),
    /// Starting a sync daemon in a state that has one running.
    #[error("the {} sync daemon is already running", .0.name())]
    DaemonRunning(DaemonState),
    /// Stopping a sync daemon that is not running.
    #[error("no {} sync daemon is running", .0.name())]
    NoSuchDaemon(DaemonState),
    /// A change of timeouts or sync daemons to a table that does not hold
    /// them (see [`Table::with_timeouts`], [`Table::with_daemons`]).
    #[error("the table does not hold timeouts or sync daemons")]
    NotHeld,
}

impl Conflict {
    /// The errno the kernel answers this conflict with.
    pub(crate) fn errno(&self) -> i32 {
        match self {
            Conflict::ServiceExists(_)
            | Conflict::DestinationExists(..)
            | Conflict::DaemonRunning(_) => libc::EEXIST,
            Conflict::NoSuchService(_) | Conflict::NoSuchDaemon(_) => libc::ESRCH,
            Conflict::NoSuchDestination(..) => libc::ENOENT,
            Conflict::NotHeld => libc::EINVAL,
        }
    }
}

/// Whether two service configurations are the same as far as the kernel
/// goes: the kernel adds `IP_VS_SVC_F_HASHED` to every service it holds, and
/// an empty persistence-engine name means none.
pub(crate) fn same_service_config(a: &ServiceConfig, b: &ServiceConfig) -> bool {
    let flags = |f: ServiceFlags| f.bits() & !ServiceFlags::HASHED.bits();
    let pe = |c: &ServiceConfig| c.pe_name.clone().filter(|n| !n.is_empty());
    a.scheduler == b.scheduler
        && flags(a.flags) == flags(b.flags)
        && a.timeout == b.timeout
        && a.netmask == b.netmask
        && pe(a) == pe(b)
}

/// Whether two real-server configurations are the same. The kernel keeps
/// every field as given (Linux 6.1 `__ip_vs_update_dest`), so all are compared.
pub(crate) fn same_destination_config(a: &DestinationConfig, b: &DestinationConfig) -> bool {
    a == b
}

/// Services and their real servers, in insertion order; and the timeouts
/// and sync daemons, if the table holds them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    services: OrderedMap<ServiceKey, TableService>,
    settings: Settings,
}

impl Default for Table {
    fn default() -> Self {
        Table::new()
    }
}

impl Table {
    /// An empty table, holding no timeouts or sync daemons.
    pub fn new() -> Self {
        Table {
            services: OrderedMap::new(),
            settings: Settings::default(),
        }
    }

    /// The table holding these timeouts (as `--timeout` lists them; in a
    /// desired table a zero means "whatever it is"). Plans then set the
    /// timeouts that differ, if the other table holds timeouts too.
    pub fn with_timeouts(mut self, timeouts: Timeouts) -> Self {
        self.settings.timeouts = Some(timeouts);
        self
    }

    /// The table holding these sync daemons (at most one per state) as the
    /// ones running. Plans then stop and start daemons to match, if the
    /// other table holds daemons too.
    pub fn with_daemons(mut self, daemons: Vec<SyncDaemon>) -> Self {
        self.settings.daemons = Some(daemons);
        self
    }

    /// The timeouts, if the table holds them.
    pub fn timeouts(&self) -> Option<Timeouts> {
        self.settings.timeouts
    }

    /// The sync daemons running, if the table holds them.
    pub fn daemons(&self) -> Option<&[SyncDaemon]> {
        self.settings.daemons.as_deref()
    }

    pub(crate) fn settings(&self) -> &Settings {
        &self.settings
    }

    /// The table of a listing, in the listing's order, holding no timeouts
    /// or sync daemons. The services may come one at a time (owned, as a
    /// dump gives them) or as references to a listing held whole.
    pub fn from_listings<L: Borrow<ServiceListing>>(listings: impl IntoIterator<Item = L>) -> Self {
        let mut table = Table::new();
        for listing in listings {
            let listing = listing.borrow();
            let service = &listing.entry.service;
            let mut entry = TableService {
                service: service.clone(),
                destinations: OrderedMap::with_capacity(listing.destinations.len()),
            };
            for d in &listing.destinations {
                let dest = d.destination;
                entry.destinations.push((dest.addr, dest.port), dest);
            }
            table.services.push(service.key, entry);
        }
        table
    }

    /// The part of this table that `changes` read or write: their services
    /// (every one for a flush), the timeouts and the sync daemons. Each
    /// change reads and writes only its own service or the settings, so
    /// applying `changes` in order to this part gives the same conflicts and
    /// undos as applying them to the whole table, which a few changes to a
    /// large table need not copy.
    pub(crate) fn part_for(&self, changes: &[Request]) -> Table {
        if changes
            .iter()
            .any(|change| matches!(change, Request::Flush))
        {
            return self.clone();
        }
        let mut part = Table {
            services: OrderedMap::new(),
            settings: self.settings.clone(),
        };
        let mut copied = FxHashSet::default();
        for change in changes {
            let key = match change {
                Request::AddService(service) | Request::EditService(service) => service.key,
                Request::DeleteService(key)
                | Request::AddDestination(key, _)
                | Request::EditDestination(key, _)
                | Request::DeleteDestination(key, ..)
                | Request::Zero(Some(key)) => *key,
                Request::Zero(None)
                | Request::Flush
                | Request::SetTimeouts(_)
                | Request::StartDaemon(_)
                | Request::StopDaemon(_) => continue,
            };
            // Once: a later change must see what the earlier ones did to it.
            if copied.insert(key) {
                if let Some(service) = self.services.get(&key) {
                    part.services.push(key, service.clone());
                }
            }
        }
        part
    }

    /// Adds a service (without real servers), as the kernel would.
    pub fn add_service(&mut self, service: Service) -> Result<(), Conflict> {
        self.apply(&Request::AddService(service))
    }

    /// Adds a real server to a service, as the kernel would.
    pub fn add_destination(&mut self, key: ServiceKey, dest: Destination) -> Result<(), Conflict> {
        self.apply(&Request::AddDestination(key, dest))
    }

    /// The services, in insertion order.
    pub fn services(&self) -> impl Iterator<Item = &TableService> {
        self.services.values()
    }

    /// The service with this key.
    pub fn service(&self, key: &ServiceKey) -> Option<&TableService> {
        self.services.get(key)
    }

    /// How many services the table has.
    fn service_count(&self) -> usize {
        self.services.len()
    }

    /// How many services plus real servers the table has.
    pub fn rule_count(&self) -> usize {
        self.services()
            .map(|s| 1 + s.destination_count())
            .sum::<usize>()
    }

    /// Whether both tables hold the same services and real servers with the
    /// same configurations, in any order, and the same timeouts and sync
    /// daemons where both hold them. Configurations are compared as the
    /// kernel keeps them: its own `HASHED` flag and an empty
    /// persistence-engine name make no difference, nor do the defaults the
    /// kernel fills in for a sync daemon.
    pub fn same_as(&self, other: &Table) -> bool {
        self.settings.same_as(&other.settings)
            && self.service_count() == other.service_count()
            && self.services().all(|mine| {
                let Some(theirs) = other.service(&mine.service.key) else {
                    return false;
                };
                same_service_config(&mine.service.config, &theirs.service.config)
                    && mine.destination_count() == theirs.destination_count()
                    && mine.destinations().all(|d| {
                        theirs
                            .destination(d.addr, d.port)
                            .is_some_and(|t| same_destination_config(&d.config, &t.config))
                    })
            })
    }

    /// Applies one change as the kernel would; the table is unchanged on a
    /// conflict.
    ///
    /// Zeroing counters changes nothing here (a table has no counters);
    /// zeroing a service that does not exist conflicts. Changes of timeouts
    /// and daemons conflict with [`Conflict::NotHeld`] in a table that does
    /// not hold them.
    pub fn apply(&mut self, request: &Request) -> Result<(), Conflict> {
        self.change(request, None)
    }

    /// [`Table::apply`], also appending to `undo` the requests that undo
    /// the change, to be sent in order (none for zeroing counters, which
    /// cannot be undone); `undo` is unchanged on a conflict.
    pub fn apply_with_undo(
        &mut self,
        request: &Request,
        undo: &mut Vec<Request>,
    ) -> Result<(), Conflict> {
        self.change(request, Some(undo))
    }

    /// One change, with its undo appended to `undo` when asked for: tables
    /// of a hundred thousand lines are built without a vector per line.
    fn change(
        &mut self,
        request: &Request,
        undo: Option<&mut Vec<Request>>,
    ) -> Result<(), Conflict> {
        let record = |requests: &mut dyn Iterator<Item = Request>| {
            if let Some(undo) = undo {
                undo.extend(requests);
            }
        };
        match request {
            Request::AddService(service) => {
                if self.services.get(&service.key).is_some() {
                    return Err(Conflict::ServiceExists(service.key));
                }
                self.services
                    .push(service.key, TableService::new(service.clone()));
                record(&mut std::iter::once(Request::DeleteService(service.key)));
            }
            Request::EditService(service) => {
                let entry = self
                    .services
                    .get_mut(&service.key)
                    .ok_or(Conflict::NoSuchService(service.key))?;
                let old = std::mem::replace(&mut entry.service, service.clone());
                record(&mut std::iter::once(Request::EditService(old)));
            }
            Request::DeleteService(key) => {
                let entry = self
                    .services
                    .remove(key)
                    .ok_or(Conflict::NoSuchService(*key))?;
                record(&mut recreate(&entry));
            }
            Request::Flush => {
                // Like `ipvsadm -C`: timeouts and daemons stay.
                record(&mut self.services().flat_map(recreate));
                self.services = OrderedMap::new();
            }
            Request::AddDestination(key, dest) => {
                let entry = self
                    .services
                    .get_mut(key)
                    .ok_or(Conflict::NoSuchService(*key))?;
                let id = (dest.addr, dest.port);
                if entry.destinations.get(&id).is_some() {
                    return Err(Conflict::DestinationExists(*key, dest.addr, dest.port));
                }
                entry.destinations.push(id, *dest);
                record(&mut std::iter::once(Request::DeleteDestination(
                    *key, dest.addr, dest.port,
                )));
            }
            Request::EditDestination(key, dest) => {
                let entry = self
                    .services
                    .get_mut(key)
                    .ok_or(Conflict::NoSuchService(*key))?;
                let current = entry
                    .destinations
                    .get_mut(&(dest.addr, dest.port))
                    .ok_or(Conflict::NoSuchDestination(*key, dest.addr, dest.port))?;
                let old = std::mem::replace(current, *dest);
                record(&mut std::iter::once(Request::EditDestination(*key, old)));
            }
            Request::DeleteDestination(key, addr, port) => {
                let entry = self
                    .services
                    .get_mut(key)
                    .ok_or(Conflict::NoSuchService(*key))?;
                let old = entry
                    .destinations
                    .remove(&(*addr, *port))
                    .ok_or(Conflict::NoSuchDestination(*key, *addr, *port))?;
                record(&mut std::iter::once(Request::AddDestination(*key, old)));
            }
            Request::Zero(key) => {
                if let Some(key) = key {
                    if self.services.get(key).is_none() {
                        return Err(Conflict::NoSuchService(*key));
                    }
                }
            }
            Request::SetTimeouts(_) | Request::StartDaemon(_) | Request::StopDaemon(_) => {
                if let Some(undone) = self.settings.apply(request)? {
                    record(&mut std::iter::once(undone));
                }
            }
        }
        Ok(())
    }
}

/// The requests that add a service back with all its real servers.
fn recreate(entry: &TableService) -> impl Iterator<Item = Request> + '_ {
    let key = entry.service.key;
    std::iter::once(Request::AddService(entry.service.clone())).chain(
        entry
            .destinations()
            .map(move |d| Request::AddDestination(key, *d)),
    )
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::model::{AddressFamily, ForwardMethod, Protocol};

    pub(crate) fn tcp(addr: &str, port: u16) -> ServiceKey {
        ServiceKey::Addr {
            protocol: Protocol::Tcp,
            addr: addr.parse().unwrap(),
            port,
        }
    }

    pub(crate) fn fwmark(mark: u32, family: AddressFamily) -> ServiceKey {
        ServiceKey::Fwmark { family, mark }
    }

    pub(crate) fn service(key: ServiceKey, scheduler: &str) -> Service {
        Service::new(key, scheduler)
    }

    pub(crate) fn dest(addr: &str, port: u16, forward: ForwardMethod, weight: i32) -> Destination {
        let mut dest = Destination::new(addr.parse().unwrap(), port);
        dest.config.forward = forward;
        dest.config.weight = weight;
        dest
    }

    /// A table built by applying `requests` to an empty one.
    pub(crate) fn table(requests: &[Request]) -> Table {
        let mut t = Table::new();
        for r in requests {
            t.apply(r).unwrap();
        }
        t
    }

    fn sample() -> Table {
        let web = service(tcp("10.0.0.1", 80), "rr");
        table(&[
            Request::AddService(web.clone()),
            Request::AddDestination(web.key, dest("10.0.0.2", 80, ForwardMethod::Route, 1)),
            Request::AddDestination(
                web.key,
                dest("10.0.0.3", 8080, ForwardMethod::Masquerade, 2),
            ),
            Request::AddService(service(fwmark(5, AddressFamily::Inet6), "wlc")),
        ])
    }

    #[test]
    fn conflicts_are_what_linux_answers() {
        let mut t = sample();
        let web = tcp("10.0.0.1", 80);
        let other = tcp("10.0.0.9", 80);
        let d2 = dest("10.0.0.2", 80, ForwardMethod::Route, 5);
        let cases = [
            (
                Request::AddService(service(web, "wlc")),
                Conflict::ServiceExists(web),
                libc::EEXIST,
            ),
            (
                Request::EditService(service(other, "wlc")),
                Conflict::NoSuchService(other),
                libc::ESRCH,
            ),
            (
                Request::DeleteService(other),
                Conflict::NoSuchService(other),
                libc::ESRCH,
            ),
            (
                Request::AddDestination(other, d2),
                Conflict::NoSuchService(other),
                libc::ESRCH,
            ),
            (
                Request::AddDestination(web, d2),
                Conflict::DestinationExists(web, d2.addr, 80),
                libc::EEXIST,
            ),
            (
                Request::EditDestination(web, dest("10.0.0.2", 81, ForwardMethod::Route, 1)),
                Conflict::NoSuchDestination(web, d2.addr, 81),
                libc::ENOENT,
            ),
            (
                Request::DeleteDestination(web, "10.0.0.7".parse().unwrap(), 80),
                Conflict::NoSuchDestination(web, "10.0.0.7".parse().unwrap(), 80),
                libc::ENOENT,
            ),
            (
                Request::Zero(Some(other)),
                Conflict::NoSuchService(other),
                libc::ESRCH,
            ),
            (
                Request::StopDaemon(DaemonState::Master),
                Conflict::NotHeld,
                libc::EINVAL,
            ),
        ];
        let before = t.clone();
        for (request, conflict, errno) in cases {
            assert_eq!(t.apply(&request), Err(conflict.clone()), "{request:?}");
            assert_eq!(conflict.errno(), errno);
            assert_eq!(t, before);
        }
    }

    #[test]
    fn every_change_is_undone_by_its_inverse() {
        let web = tcp("10.0.0.1", 80);
        let mut persistent = service(web, "sh");
        persistent.config.flags = ServiceFlags::PERSISTENT;
        persistent.config.timeout = 300;
        let requests = [
            Request::AddService(service(tcp("10.0.0.4", 443), "rr")),
            Request::EditService(persistent),
            Request::DeleteService(web),
            Request::DeleteService(fwmark(5, AddressFamily::Inet6)),
            Request::AddDestination(web, dest("10.0.0.4", 80, ForwardMethod::Tunnel, 0)),
            Request::EditDestination(web, dest("10.0.0.3", 8080, ForwardMethod::Masquerade, 7)),
            Request::DeleteDestination(web, "10.0.0.2".parse().unwrap(), 80),
            Request::Flush,
        ];
        for request in requests {
            let before = sample();
            let mut t = before.clone();
            let mut undo = Vec::new();
            t.apply_with_undo(&request, &mut undo).unwrap();
            assert_ne!(t, before, "{request:?} changed nothing");
            for u in &undo {
                t.apply(u).unwrap();
            }
            assert!(t.same_as(&before), "{request:?} not undone by {undo:?}");
        }
    }

    #[test]
    fn same_as_ignores_order_and_the_hashed_flag() {
        let a = sample();
        let web = tcp("10.0.0.1", 80);
        let mut hashed = service(web, "rr");
        hashed.config.flags = ServiceFlags::HASHED;
        hashed.config.pe_name = Some(String::new());
        let b = table(&[
            Request::AddService(service(fwmark(5, AddressFamily::Inet6), "wlc")),
            Request::AddService(hashed),
            Request::AddDestination(web, dest("10.0.0.3", 8080, ForwardMethod::Masquerade, 2)),
            Request::AddDestination(web, dest("10.0.0.2", 80, ForwardMethod::Route, 1)),
        ]);
        assert_ne!(a, b);
        assert!(a.same_as(&b) && b.same_as(&a));

        let mut c = b.clone();
        c.apply(&Request::EditDestination(
            web,
            dest("10.0.0.2", 80, ForwardMethod::Route, 2),
        ))
        .unwrap();
        assert!(!a.same_as(&c));
        let mut d = b.clone();
        d.apply(&Request::DeleteDestination(
            web,
            "10.0.0.2".parse().unwrap(),
            80,
        ))
        .unwrap();
        assert!(!a.same_as(&d) && !d.same_as(&a));
        let mut e = b;
        e.apply(&Request::AddService(service(tcp("10.0.0.1", 81), "rr")))
            .unwrap();
        assert!(!a.same_as(&e) && !e.same_as(&a));
    }

    #[test]
    fn removal_keeps_order_of_the_rest() {
        let mut t = sample();
        let web = tcp("10.0.0.1", 80);
        t.apply(&Request::DeleteService(web)).unwrap();
        t.apply(&Request::AddService(service(web, "rr"))).unwrap();
        let keys: Vec<ServiceKey> = t.services().map(|s| s.service().key).collect();
        assert_eq!(keys, vec![fwmark(5, AddressFamily::Inet6), web]);
        assert_eq!(t.rule_count(), 2);
    }

    #[test]
    fn real_servers_are_found_by_scan_and_by_index_alike() {
        let web = tcp("10.0.0.1", 80);
        let mut t = table(&[Request::AddService(service(web, "rr"))]);
        let ports: Vec<u16> = (1..=3 * SCAN_LIMIT as u16).collect();
        for (i, &port) in ports.iter().enumerate() {
            let d = dest("10.0.1.1", port, ForwardMethod::Masquerade, 1);
            t.apply(&Request::AddDestination(web, d)).unwrap();
            // Every one added so far is found, the next one is not, on
            // both sides of the switch to an index.
            for &seen in &ports[..=i] {
                assert!(t
                    .service(&web)
                    .unwrap()
                    .destination("10.0.1.1".parse().unwrap(), seen)
                    .is_some());
            }
            let next =
                Request::AddDestination(web, dest("10.0.1.1", port, ForwardMethod::Masquerade, 2));
            assert_eq!(
                t.apply(&next),
                Err(Conflict::DestinationExists(
                    web,
                    "10.0.1.1".parse().unwrap(),
                    port
                ))
            );
        }
        // Removing some keeps the order of the rest; a removed one can come back (at the end).
        for port in [1, 17, 30] {
            t.apply(&Request::DeleteDestination(
                web,
                "10.0.1.1".parse().unwrap(),
                port,
            ))
            .unwrap();
        }
        t.apply(&Request::AddDestination(
            web,
            dest("10.0.1.1", 17, ForwardMethod::Masquerade, 5),
        ))
        .unwrap();
        let listed: Vec<u16> = t
            .service(&web)
            .unwrap()
            .destinations()
            .map(|d| d.port)
            .collect();
        let mut expected: Vec<u16> = ports
            .iter()
            .copied()
            .filter(|p| ![1, 17, 30].contains(p))
            .collect();
        expected.push(17);
        assert_eq!(listed, expected);
        assert_eq!(t.service(&web).unwrap().destination_count(), expected.len());
        assert_eq!(
            t.service(&web)
                .unwrap()
                .destination("10.0.1.1".parse().unwrap(), 17)
                .unwrap()
                .config
                .weight,
            5
        );

        // The same with a short list (no index).
        let mut small = table(&[Request::AddService(service(web, "rr"))]);
        for port in 1..=3 {
            small
                .apply(&Request::AddDestination(
                    web,
                    dest("10.0.1.1", port, ForwardMethod::Masquerade, 1),
                ))
                .unwrap();
        }
        small
            .apply(&Request::DeleteDestination(
                web,
                "10.0.1.1".parse().unwrap(),
                2,
            ))
            .unwrap();
        assert_eq!(
            small.apply(&Request::DeleteDestination(
                web,
                "10.0.1.1".parse().unwrap(),
                2
            )),
            Err(Conflict::NoSuchDestination(
                web,
                "10.0.1.1".parse().unwrap(),
                2
            ))
        );
        let listed: Vec<u16> = small
            .service(&web)
            .unwrap()
            .destinations()
            .map(|d| d.port)
            .collect();
        assert_eq!(listed, vec![1, 3]);
    }
}
