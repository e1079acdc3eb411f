use std::net::IpAddr;

use super::{AddressFamily, Stats};

/// How packets reach a real server (`IP_VS_CONN_F_FWD_MASK` values).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ForwardMethod {
    /// NAT (`-m`).
    Masquerade,
    /// Local node.
    Local,
    /// IP-in-IP or other tunnel (`-i`).
    Tunnel,
    /// Direct routing (`-g`), ipvsadm's default.
    Route,
    /// Bypass.
    Bypass,
}

impl ForwardMethod {
    /// The kernel's `IP_VS_CONN_F_*` forwarding value.
    pub fn to_raw(self) -> u32 {
        match self {
            ForwardMethod::Masquerade => 0,
            ForwardMethod::Local => 1,
            ForwardMethod::Tunnel => 2,
            ForwardMethod::Route => 3,
            ForwardMethod::Bypass => 4,
        }
    }

    /// Decodes the forwarding bits of a connection-flags word.
    pub(crate) fn from_raw(raw: u32) -> Option<Self> {
        match raw & 0x7 {
            0 => Some(ForwardMethod::Masquerade),
            1 => Some(ForwardMethod::Local),
            2 => Some(ForwardMethod::Tunnel),
            3 => Some(ForwardMethod::Route),
            4 => Some(ForwardMethod::Bypass),
            _ => None,
        }
    }
}

/// Tunnel encapsulation for `-i` servers (`IP_VS_CONN_F_TUNNEL_TYPE_*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum TunnelType {
    /// IP in IP, the default.
    #[default]
    Ipip,
    /// Generic UDP encapsulation, to [`DestinationConfig::tunnel_port`].
    Gue,
    /// Generic routing encapsulation.
    Gre,
}

impl TunnelType {
    /// The kernel's `IP_VS_CONN_F_TUNNEL_TYPE_*` value.
    pub fn to_raw(self) -> u8 {
        match self {
            TunnelType::Ipip => 0,
            TunnelType::Gue => 1,
            TunnelType::Gre => 2,
        }
    }

    /// The tunnel type of a kernel value, if it is one this crate knows.
    pub(crate) fn from_raw(raw: u8) -> Option<Self> {
        match raw {
            0 => Some(TunnelType::Ipip),
            1 => Some(TunnelType::Gue),
            2 => Some(TunnelType::Gre),
            _ => None,
        }
    }

    /// The name ipvsadm uses: `ipip`, `gue`, `gre`.
    pub fn name(self) -> &'static str {
        match self {
            TunnelType::Ipip => "ipip",
            TunnelType::Gue => "gue",
            TunnelType::Gre => "gre",
        }
    }
}

/// What can be configured on a real server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DestinationConfig {
    /// How packets reach it.
    pub forward: ForwardMethod,
    /// Scheduling weight; 0 takes it out of scheduling (existing connections stay).
    pub weight: i32,
    /// Upper connection threshold (`-x`); 0 for none.
    pub upper_threshold: u32,
    /// Lower connection threshold (`-y`); 0 for none.
    pub lower_threshold: u32,
    /// Encapsulation, for [`ForwardMethod::Tunnel`].
    pub tunnel_type: TunnelType,
    /// GUE destination port (host order).
    pub tunnel_port: u16,
    /// `IP_VS_TUNNEL_ENCAP_FLAG_*` bits.
    pub tunnel_flags: u16,
}

impl DestinationConfig {
    /// Tunnel flag: checksums in the encapsulation (`--tun-csum`).
    pub const TUN_FLAG_CSUM: u16 = 1 << 0;
    /// Tunnel flag: remote checksum offload (`--tun-remcsum`).
    pub const TUN_FLAG_REMCSUM: u16 = 1 << 1;
}

impl Default for DestinationConfig {
    /// ipvsadm's defaults: direct routing, weight 1, no thresholds, IP in IP.
    fn default() -> Self {
        DestinationConfig {
            forward: ForwardMethod::Route,
            weight: 1,
            upper_threshold: 0,
            lower_threshold: 0,
            tunnel_type: TunnelType::Ipip,
            tunnel_port: 0,
            tunnel_flags: 0,
        }
    }
}

/// A real server of a service: its identity and configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Destination {
    /// Its address.
    pub addr: IpAddr,
    /// Its port (the service's for direct routing and tunnelling).
    pub port: u16,
    /// How it is used.
    pub config: DestinationConfig,
}

impl Destination {
    /// A real server at `addr`:`port` with the default configuration.
    pub fn new(addr: IpAddr, port: u16) -> Self {
        Destination {
            addr,
            port,
            config: DestinationConfig::default(),
        }
    }

    /// The real server's own address family (may differ from the service's).
    pub fn family(&self) -> AddressFamily {
        AddressFamily::of(&self.addr)
    }
}

/// A real server as the kernel lists it: configuration, connection counts and counters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DestinationEntry {
    /// The real server.
    pub destination: Destination,
    /// Connections in use.
    pub active_conns: u32,
    /// Connections not in use (closing, waiting).
    pub inactive_conns: u32,
    /// Persistence templates pointing to it.
    pub persistent_conns: u32,
    /// Its traffic counters.
    pub stats: Stats,
}
