//! What a command line asks for, as typed values.

use std::net::IpAddr;
use std::time::Duration;

use ipvs::model::{DaemonState, Destination, Service, ServiceKey, SyncDaemon, Timeouts};

/// One ipvsadm command, fully checked and with ipvsadm's defaults applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// `-A`: scheduler `wlc` unless given, persistence as given.
    AddService(Service),
    /// `-E`: like `-A`, the whole configuration is replaced (defaults included).
    EditService(Service),
    /// `-D`.
    DeleteService(ServiceKey),
    /// `-C`.
    Flush,
    /// `-L`/`-l`, or no arguments at all.
    List(ListRequest),
    /// `-Z`: one service, or all when `None`. A service given as
    /// `0.0.0.0:0` also means all, as libipvs sends no service then.
    Zero(Option<ServiceKey>),
    /// `-a`: the real server as ipvsadm sends it (port already forced to the
    /// service port for direct routing and tunnelling, except fwmark services).
    AddDestination(ServiceKey, Destination),
    /// `-e`: like `-a`.
    EditDestination(ServiceKey, Destination),
    /// `-d`: the real server's address and port.
    DeleteDestination(ServiceKey, IpAddr, u16),
    /// `-d ... --drain[=SECONDS]` (an extension): the real server is set to
    /// weight 0 and deleted once IPVS counts no connection through it, or
    /// when `timeout` has passed.
    DrainDestination {
        key: ServiceKey,
        addr: IpAddr,
        port: u16,
        timeout: Duration,
    },
    /// `--set tcp tcpfin udp` (0 leaves a value unchanged).
    SetTimeouts(Timeouts),
    /// `--start-daemon` (`mcast_ifn` defaults to `eth0`).
    StartDaemon(SyncDaemon),
    /// `--stop-daemon`; libipvs also sends the `--syncid` given (default 0).
    StopDaemon { state: DaemonState, syncid: u32 },
    /// `-R`: read commands from standard input (see [`super::restore_input`]).
    Restore,
    /// `-S`: print the table as commands.
    Save { numeric: bool },
    /// `-h`: print the help text to standard output, exit 0.
    Help,
    /// `-v`: print the version line to standard output, exit 0.
    Version,
}

/// What `-L` lists and how.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ListRequest {
    pub what: ListWhat,
    pub format: ListFormat,
}

/// Which table `-L` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ListWhat {
    /// Every service (the default).
    #[default]
    All,
    /// One service (`-L -t ...`): an error if the kernel has no such service.
    Service(ServiceKey),
    /// `-c`: the connection table (`/proc/net/ip_vs_conn`).
    Connections,
    /// `--timeout`.
    Timeouts,
    /// `--daemon`.
    Daemons,
}

/// Output switches of `-L` (ipvsadm's `FMT_*` flags).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ListFormat {
    /// `-n`.
    pub numeric: bool,
    /// `--stats`.
    pub stats: bool,
    /// `--rate`.
    pub rate: bool,
    /// `--thresholds`.
    pub thresholds: bool,
    /// `--persistent-conn`.
    pub persistent_conn: bool,
    /// `--tun-info`.
    pub tun_info: bool,
    /// `-X`/`--exact`.
    pub exact: bool,
    /// `--nosort`.
    pub nosort: bool,
    /// `-j`/`--json` (an extension): one JSON document instead of text.
    /// Every field is always there, so the other switches except
    /// `--nosort` do not change it.
    pub json: bool,
}
