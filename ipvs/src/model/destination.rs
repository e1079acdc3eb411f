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
    pub fn from_raw(raw: u32) -> Option<Self> {
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
    #[default]
    Ipip,
    Gue,
    Gre,
}

impl TunnelType {
    pub fn to_raw(self) -> u8 {
        match self {
            TunnelType::Ipip => 0,
            TunnelType::Gue => 1,
            TunnelType::Gre => 2,
        }
    }

    pub fn from_raw(raw: u8) -> Option<Self> {
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
    pub forward: ForwardMethod,
    pub weight: i32,
    pub upper_threshold: u32,
    pub lower_threshold: u32,
    pub tunnel_type: TunnelType,
    /// GUE destination port (host order).
    pub tunnel_port: u16,
    /// `IP_VS_TUNNEL_ENCAP_FLAG_*` bits.
    pub tunnel_flags: u16,
}

impl DestinationConfig {
    pub const TUN_FLAG_CSUM: u16 = 1 << 0;
    pub const TUN_FLAG_REMCSUM: u16 = 1 << 1;
}

/// A real server of a service: its identity and configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Destination {
    pub addr: IpAddr,
    pub port: u16,
    pub config: DestinationConfig,
}

impl Destination {
    /// The real server's own address family (may differ from the service's).
    pub fn family(&self) -> AddressFamily {
        AddressFamily::of(&self.addr)
    }
}

/// A real server as the kernel lists it: configuration, connection counts and counters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DestinationEntry {
    pub destination: Destination,
    pub active_conns: u32,
    pub inactive_conns: u32,
    pub persistent_conns: u32,
    pub stats: Stats,
}
