use std::net::IpAddr;

/// Which side of connection synchronisation a daemon runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DaemonState {
    /// Sends the connection table.
    Master,
    /// Receives it.
    Backup,
}

impl DaemonState {
    /// `IP_VS_STATE_MASTER` / `IP_VS_STATE_BACKUP`.
    pub fn to_raw(self) -> u32 {
        match self {
            DaemonState::Master => 1,
            DaemonState::Backup => 2,
        }
    }

    /// The state of a kernel value, if it is one.
    pub(crate) fn from_raw(raw: u32) -> Option<Self> {
        match raw {
            1 => Some(DaemonState::Master),
            2 => Some(DaemonState::Backup),
            _ => None,
        }
    }

    /// `master` or `backup`.
    pub fn name(self) -> &'static str {
        match self {
            DaemonState::Master => "master",
            DaemonState::Backup => "backup",
        }
    }
}

/// A connection-synchronisation daemon, as started with `--start-daemon`
/// and listed with `--daemon`. Zero/`None` fields are left to the kernel's defaults.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SyncDaemon {
    /// Master or backup.
    pub state: DaemonState,
    /// The interface it sends or listens on.
    pub mcast_ifn: String,
    /// Which synchronisation group (0-255) its messages belong to.
    pub syncid: u32,
    /// Largest sync message payload; 0 for the kernel's default.
    pub sync_maxlen: u16,
    /// Multicast group; `None` for the kernel's default (224.0.0.81).
    pub mcast_group: Option<IpAddr>,
    /// Multicast port; 0 for the kernel's default (8848).
    pub mcast_port: u16,
    /// Multicast TTL; 0 for the kernel's default (1).
    pub mcast_ttl: u8,
}
