//! Small builders for the restore tests.

use ipvs::model::{AddressFamily, Destination, ForwardMethod, Protocol, Service, ServiceKey};
use ipvs::reconcile::Table;
use ipvs::Request;

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
