//! Values the output formats' tests build their listings from.

use std::net::IpAddr;

use ipvs::model::{
    DaemonState, Destination, DestinationConfig, DestinationEntry, ForwardMethod, KernelInfo,
    Netmask, Protocol, Service, ServiceConfig, ServiceEntry, ServiceFlags, ServiceKey, Stats,
    SyncDaemon, TunnelType,
};

use super::{Names, ServiceListing};

/// Resolves nothing: names mode then prints numbers.
pub struct NoNames;

impl Names for NoNames {
    fn host_name(&self, _: &IpAddr) -> Option<String> {
        None
    }
    fn service_name(&self, _: u16, _: Protocol) -> Option<String> {
        None
    }
}

/// The kernel of the listings' header lines.
pub const KERNEL: KernelInfo = KernelInfo {
    version: 0x01_02_01,
    conn_table_size: 4096,
};

/// A TCP service's key.
pub fn tcp(addr: &str, port: u16) -> ServiceKey {
    ServiceKey::Addr {
        protocol: Protocol::Tcp,
        addr: addr.parse().unwrap(),
        port,
    }
}

/// A service as `ipvsadm -A` sets it: no flags, the family's whole netmask.
pub fn service(key: ServiceKey, scheduler: &str) -> Service {
    Service {
        key,
        config: ServiceConfig {
            scheduler: scheduler.into(),
            flags: ServiceFlags::default(),
            timeout: 0,
            netmask: Netmask::full(key.family()),
            pe_name: None,
        },
    }
}

/// A service as the kernel lists it (hashed), without counters or real servers.
pub fn listing(key: ServiceKey, scheduler: &str) -> ServiceListing {
    let mut service = service(key, scheduler);
    service.config.flags |= ServiceFlags::HASHED;
    ServiceListing {
        entry: ServiceEntry {
            service,
            stats: Stats::default(),
        },
        destinations: Vec::new(),
    }
}

/// A real server with the defaults of `ipvsadm -a`.
pub fn destination(addr: &str, port: u16, forward: ForwardMethod, weight: i32) -> Destination {
    Destination {
        addr: addr.parse().unwrap(),
        port,
        config: DestinationConfig {
            forward,
            weight,
            upper_threshold: 0,
            lower_threshold: 0,
            tunnel_type: TunnelType::Ipip,
            tunnel_port: 0,
            tunnel_flags: 0,
        },
    }
}

/// [`destination`] as the kernel lists it, without connections or counters.
pub fn dest_entry(addr: &str, port: u16, forward: ForwardMethod, weight: i32) -> DestinationEntry {
    DestinationEntry {
        destination: destination(addr, port, forward, weight),
        active_conns: 0,
        inactive_conns: 0,
        persistent_conns: 0,
        stats: Stats::default(),
    }
}

/// A master sync daemon with every setting given.
pub fn master_daemon() -> SyncDaemon {
    SyncDaemon {
        state: DaemonState::Master,
        mcast_ifn: "eth0".into(),
        syncid: 1,
        sync_maxlen: 1472,
        mcast_group: Some("224.0.0.81".parse().unwrap()),
        mcast_port: 8848,
        mcast_ttl: 1,
    }
}
