//! The IPVS domain: what a service, a real server, a timeout set and a sync
//! daemon are, independent of how they travel over netlink or are printed.

mod daemon;
mod destination;
mod listing;
mod service;
mod stats;

// Every public item of these modules is part of the model.
pub use daemon::*;
pub use destination::*;
pub use listing::*;
pub use service::*;
pub use stats::*;

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
