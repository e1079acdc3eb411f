//! From the live table to the desired one: the smallest ordered list of
//! kernel changes.
//!
//! What is compared: services by key, real servers by address and port
//! within their service. A service or real server present in both with the
//! same configuration is not touched, so its connections and counters stay
//! (the kernel's own `HASHED` flag and an empty persistence-engine name do
//! not count as differences). A different configuration is an edit: the
//! kernel can change every field of a service (scheduler, flags, persistence
//! timeout and netmask, persistence engine) and of a real server (forwarding
//! method, weight, thresholds, tunnel) in place (Linux 6.1
//! `ip_vs_edit_service`, `ip_vs_edit_dest`). What changes identity — another
//! address, port, protocol or fwmark, or a real server whose port is forced
//! to the service's when it moves to direct routing or tunnelling — is a
//! removal plus an addition.
//!
//! Order: make before break. New services, service edits, new real
//! servers and real-server edits come first; then removed real servers, then
//! removed services. A service that stays never has fewer real servers than
//! in both the old and the new table (a service whose real servers are all
//! replaced never runs empty), and no change depends on a later one.
//!
//! Timeouts and sync daemons, where both tables hold them, come before all
//! that: the timeouts that differ, the daemons to stop, the daemons to start
//! (see `settings.rs`). New services then start with the new timeouts, and a
//! daemon start the kernel refuses (an interface that is not there) fails
//! before the table is touched.

use crate::Request;

use super::settings::plan_settings;
use super::table::{same_destination_config, same_service_config, Table};

/// The changes that turn `live` into `desired`, in the order to apply them
/// (see the module documentation). Empty when the two are the same.
pub fn plan(live: &Table, desired: &Table) -> Vec<Request> {
    let mut add_services = Vec::new();
    let mut edit_services = Vec::new();
    let mut add_dests = Vec::new();
    let mut edit_dests = Vec::new();
    let mut delete_dests = Vec::new();
    let mut delete_services = Vec::new();

    for wanted in desired.services() {
        let service = wanted.service();
        let key = service.key;
        let current = live.service(&key);
        match current {
            None => add_services.push(Request::AddService(service.clone())),
            Some(current) if !same_service_config(&current.service().config, &service.config) => {
                edit_services.push(Request::EditService(service.clone()))
            }
            Some(_) => {}
        }
        for dest in wanted.destinations() {
            match current.and_then(|c| c.destination(dest.addr, dest.port)) {
                None => add_dests.push(Request::AddDestination(key, *dest)),
                Some(old) if !same_destination_config(&old.config, &dest.config) => {
                    edit_dests.push(Request::EditDestination(key, *dest))
                }
                Some(_) => {}
            }
        }
    }

    for current in live.services() {
        let key = current.service().key;
        match desired.service(&key) {
            None => delete_services.push(Request::DeleteService(key)),
            Some(wanted) => {
                // Real servers leave at once. To drain them instead, plan
                // towards `draining(live, desired)` first (see drain.rs).
                for dest in current.destinations() {
                    if wanted.destination(dest.addr, dest.port).is_none() {
                        delete_dests.push(Request::DeleteDestination(key, dest.addr, dest.port));
                    }
                }
            }
        }
    }

    [
        plan_settings(live.settings(), desired.settings()),
        add_services,
        edit_services,
        add_dests,
        edit_dests,
        delete_dests,
        delete_services,
    ]
    .concat()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Destination, Protocol, Service, ServiceFlags, ServiceKey};

    fn key(port: u16) -> ServiceKey {
        ServiceKey::Addr {
            protocol: Protocol::Tcp,
            addr: "10.0.0.1".parse().unwrap(),
            port,
        }
    }

    fn server(host: u8, weight: i32) -> Destination {
        let mut d = Destination::new(format!("10.0.0.{host}").parse().unwrap(), 80);
        d.config.weight = weight;
        d
    }

    /// A service: its port, its scheduler, its real servers (host, weight).
    type Spec<'a> = (u16, &'a str, &'a [(u8, i32)]);

    fn table(services: &[Spec<'_>]) -> Table {
        let mut t = Table::new();
        for (port, scheduler, servers) in services {
            t.add_service(Service::new(key(*port), scheduler)).unwrap();
            for (host, weight) in *servers {
                t.add_destination(key(*port), server(*host, *weight))
                    .unwrap();
            }
        }
        t
    }

    #[test]
    fn the_same_table_needs_nothing_whatever_linux_adds() {
        let live = table(&[(80, "rr", &[(2, 1), (3, 1)])]);
        assert!(plan(&live, &live).is_empty());
        let mut hashed = Service::new(key(80), "rr");
        hashed.config.flags = ServiceFlags::HASHED;
        hashed.config.pe_name = Some(String::new());
        let mut kernel = Table::new();
        kernel.add_service(hashed).unwrap();
        kernel.add_destination(key(80), server(2, 1)).unwrap();
        kernel.add_destination(key(80), server(3, 1)).unwrap();
        assert!(plan(&kernel, &live).is_empty());
    }

    #[test]
    fn makes_before_it_breaks() {
        let live = table(&[(80, "rr", &[(2, 1), (3, 1)]), (443, "rr", &[(2, 1)])]);
        let desired = table(&[(80, "wlc", &[(2, 5), (4, 1)]), (8080, "rr", &[(2, 1)])]);
        let changes = plan(&live, &desired);
        assert_eq!(
            changes,
            vec![
                Request::AddService(Service::new(key(8080), "rr")),
                Request::EditService(Service::new(key(80), "wlc")),
                Request::AddDestination(key(80), server(4, 1)),
                Request::AddDestination(key(8080), server(2, 1)),
                Request::EditDestination(key(80), server(2, 5)),
                Request::DeleteDestination(key(80), "10.0.0.3".parse().unwrap(), 80),
                Request::DeleteService(key(443)),
            ]
        );
        let mut reached = live.clone();
        for change in &changes {
            reached.apply(change).unwrap();
        }
        assert!(reached.same_as(&desired));
    }
}
