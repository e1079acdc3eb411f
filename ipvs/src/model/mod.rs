//! The IPVS domain: what a service, a real server, a timeout set and a sync
//! daemon are, independent of how they travel over netlink or are printed.

mod daemon;
mod destination;
mod listing;
mod service;
mod stats;

pub use daemon::{DaemonState, SyncDaemon};
pub use destination::{
    Destination, DestinationConfig, DestinationEntry, ForwardMethod, TunnelType,
};
pub use listing::ServiceListing;
pub use service::{
    AddressFamily, Netmask, Protocol, Service, ServiceConfig, ServiceEntry, ServiceFlags,
    ServiceKey,
};
pub use stats::Stats;

/// The three protocol timeouts set with `--set` and shown with `--timeout`, in seconds.
/// Zero in a request means "leave this one unchanged".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Timeouts {
    /// Established TCP connections.
    pub tcp: u32,
    /// TCP connections after a FIN.
    pub tcp_fin: u32,
    /// UDP "connections".
    pub udp: u32,
}

/// What the kernel reports about itself (`IPVS_CMD_GET_INFO`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KernelInfo {
    /// Encoded as `(major << 16) | (minor << 8) | patch`.
    pub version: u32,
    /// Size of the connection hash table.
    pub conn_table_size: u32,
}

impl KernelInfo {
    /// The version as `(major, minor, patch)`.
    pub fn version_triple(&self) -> (u32, u32, u32) {
        (
            (self.version >> 16) & 0xff,
            (self.version >> 8) & 0xff,
            self.version & 0xff,
        )
    }
}
