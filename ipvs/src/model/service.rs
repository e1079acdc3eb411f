use std::fmt;
use std::net::{IpAddr, Ipv4Addr};

use super::Stats;

/// An address family as the kernel numbers it (`AF_INET`, `AF_INET6`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AddressFamily {
    /// IPv4 (`AF_INET`).
    Inet,
    /// IPv6 (`AF_INET6`).
    Inet6,
}

impl AddressFamily {
    /// The kernel's number for this family.
    pub fn to_raw(self) -> u16 {
        match self {
            AddressFamily::Inet => libc::AF_INET as u16,
            AddressFamily::Inet6 => libc::AF_INET6 as u16,
        }
    }

    /// The family for a kernel number, if it is one IPVS uses.
    pub(crate) fn from_raw(raw: u16) -> Option<Self> {
        match i32::from(raw) {
            libc::AF_INET => Some(AddressFamily::Inet),
            libc::AF_INET6 => Some(AddressFamily::Inet6),
            _ => None,
        }
    }

    /// The family of an address.
    pub fn of(addr: &IpAddr) -> Self {
        match addr {
            IpAddr::V4(_) => AddressFamily::Inet,
            IpAddr::V6(_) => AddressFamily::Inet6,
        }
    }
}

/// A transport protocol an address-based virtual service can balance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Protocol {
    /// TCP (`-t`).
    Tcp,
    /// UDP (`-u`).
    Udp,
    /// SCTP (`--sctp-service`).
    Sctp,
}

impl Protocol {
    /// The IP protocol number.
    pub fn to_raw(self) -> u16 {
        match self {
            Protocol::Tcp => 6,
            Protocol::Udp => 17,
            Protocol::Sctp => 132,
        }
    }

    /// The protocol for an IP protocol number, if IPVS balances it.
    pub(crate) fn from_raw(raw: u16) -> Option<Self> {
        match raw {
            6 => Some(Protocol::Tcp),
            17 => Some(Protocol::Udp),
            132 => Some(Protocol::Sctp),
            _ => None,
        }
    }

    /// The name ipvsadm prints in listings: `TCP`, `UDP`, `SCTP`.
    pub fn upper_name(self) -> &'static str {
        match self {
            Protocol::Tcp => "TCP",
            Protocol::Udp => "UDP",
            Protocol::Sctp => "SCTP",
        }
    }

    /// The name used by `/etc/services`: `tcp`, `udp`, `sctp`.
    pub fn lower_name(self) -> &'static str {
        match self {
            Protocol::Tcp => "tcp",
            Protocol::Udp => "udp",
            Protocol::Sctp => "sctp",
        }
    }
}

/// What identifies a virtual service in the kernel: an address, port and
/// protocol, or a firewall mark (per address family).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ServiceKey {
    /// A service on an address and port (`-t`, `-u`, `--sctp-service`).
    Addr {
        /// The transport protocol.
        protocol: Protocol,
        /// The virtual address.
        addr: IpAddr,
        /// The virtual port; 0 for every port (persistent services only).
        port: u16,
    },
    /// A service for packets with a firewall mark (`-f`).
    Fwmark {
        /// Which packets: IPv4 or IPv6.
        family: AddressFamily,
        /// The mark.
        mark: u32,
    },
}

impl ServiceKey {
    /// The service's address family.
    pub fn family(&self) -> AddressFamily {
        match self {
            ServiceKey::Addr { addr, .. } => AddressFamily::of(addr),
            ServiceKey::Fwmark { family, .. } => *family,
        }
    }
}

impl fmt::Display for ServiceKey {
    /// As ipvsadm's switches, numeric: `-t 10.0.0.1:80`, `-f 5 -6`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ServiceKey::Addr {
                protocol,
                addr,
                port,
            } => {
                let flag = match protocol {
                    Protocol::Tcp => "-t",
                    Protocol::Udp => "-u",
                    Protocol::Sctp => "--sctp-service",
                };
                match addr {
                    IpAddr::V4(a) => write!(f, "{flag} {a}:{port}"),
                    IpAddr::V6(a) => write!(f, "{flag} [{a}]:{port}"),
                }
            }
            ServiceKey::Fwmark {
                family: AddressFamily::Inet,
                mark,
            } => write!(f, "-f {mark}"),
            ServiceKey::Fwmark {
                family: AddressFamily::Inet6,
                mark,
            } => write!(f, "-f {mark} -6"),
        }
    }
}

/// Service flags (`IP_VS_SVC_F_*`): a set of bits. Bits this crate does
/// not name are kept as the kernel gave them.
///
/// The three scheduler flags mean what the service's scheduler makes of
/// them: `sh` and `mh` call the first two "fallback" and "port" (ipvsadm's
/// `-b sh-fallback,sh-port`), other schedulers have no names for them
/// (`-b flag-1,flag-2,flag-3`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct ServiceFlags(u32);

impl ServiceFlags {
    /// Persistent service (`-p`).
    pub const PERSISTENT: ServiceFlags = ServiceFlags(0x0001);
    /// Set by the kernel on every service it holds; requests need not carry it.
    pub const HASHED: ServiceFlags = ServiceFlags(0x0002);
    /// One-packet scheduling (`-o`).
    pub const ONEPACKET: ServiceFlags = ServiceFlags(0x0004);
    /// Scheduler flag 1 (`sh-fallback`, `mh-fallback`, `flag-1`).
    pub const SCHED1: ServiceFlags = ServiceFlags(0x0008);
    /// Scheduler flag 2 (`sh-port`, `mh-port`, `flag-2`).
    pub const SCHED2: ServiceFlags = ServiceFlags(0x0010);
    /// Scheduler flag 3 (`flag-3`).
    pub const SCHED3: ServiceFlags = ServiceFlags(0x0020);

    /// The flags of a raw flag word, every bit kept.
    pub const fn from_bits(bits: u32) -> Self {
        ServiceFlags(bits)
    }

    /// The raw flag word.
    pub const fn bits(self) -> u32 {
        self.0
    }

    /// Whether every flag of `other` is set.
    pub const fn contains(self, other: ServiceFlags) -> bool {
        self.0 & other.0 == other.0
    }

    /// Whether any flag of `other` is set.
    pub const fn intersects(self, other: ServiceFlags) -> bool {
        self.0 & other.0 != 0
    }
}

impl std::ops::BitOr for ServiceFlags {
    type Output = ServiceFlags;
    fn bitor(self, other: ServiceFlags) -> ServiceFlags {
        ServiceFlags(self.0 | other.0)
    }
}

impl std::ops::BitOrAssign for ServiceFlags {
    fn bitor_assign(&mut self, other: ServiceFlags) {
        self.0 |= other.0;
    }
}

/// Persistence granularity (`-M`): connections from clients in one network
/// of this size go to the same real server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Netmask {
    /// An IPv4 mask, e.g. 255.255.255.0.
    Ipv4(Ipv4Addr),
    /// An IPv6 prefix length (the kernel accepts 1 to 128).
    Ipv6(u32),
}

impl Netmask {
    /// The default: a whole address (/32 or /128), one client per network.
    pub const fn full(family: AddressFamily) -> Self {
        match family {
            AddressFamily::Inet => Netmask::Ipv4(Ipv4Addr::BROADCAST),
            AddressFamily::Inet6 => Netmask::Ipv6(128),
        }
    }

    /// The netmask of the kernel's `IPVS_SVC_ATTR_NETMASK` word for a
    /// service of `family`: the mask's bytes in network order for IPv4, the
    /// prefix length for IPv6.
    pub fn from_raw(family: AddressFamily, raw: u32) -> Self {
        match family {
            AddressFamily::Inet => Netmask::Ipv4(Ipv4Addr::from(raw.to_ne_bytes())),
            AddressFamily::Inet6 => Netmask::Ipv6(raw),
        }
    }

    /// The kernel's word for this netmask (see [`Netmask::from_raw`]).
    pub fn to_raw(self) -> u32 {
        match self {
            Netmask::Ipv4(mask) => u32::from_ne_bytes(mask.octets()),
            Netmask::Ipv6(prefix) => prefix,
        }
    }
}

/// What can be configured on a virtual service.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ServiceConfig {
    /// Scheduler name, e.g. `wlc`.
    pub scheduler: String,
    /// Persistence, one-packet scheduling and the scheduler's own flags.
    pub flags: ServiceFlags,
    /// Persistence timeout in seconds (meaningful with the persistent flag).
    pub timeout: u32,
    /// Persistence granularity.
    pub netmask: Netmask,
    /// Persistence engine name, e.g. `sip`.
    pub pe_name: Option<String>,
}

impl ServiceConfig {
    /// A service with `scheduler` and nothing else: not persistent, no
    /// flags, the full netmask of `family`, no persistence engine.
    fn new(family: AddressFamily, scheduler: &str) -> Self {
        ServiceConfig {
            scheduler: scheduler.to_string(),
            flags: ServiceFlags::default(),
            timeout: 0,
            netmask: Netmask::full(family),
            pe_name: None,
        }
    }
}

/// A virtual service: its identity and its configuration.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Service {
    /// What identifies it.
    pub key: ServiceKey,
    /// How it balances.
    pub config: ServiceConfig,
}

impl Service {
    /// A service at `key` with `scheduler` and nothing else: not persistent,
    /// no flags, the full netmask of the key's family, no persistence engine.
    pub fn new(key: ServiceKey, scheduler: &str) -> Self {
        Service {
            key,
            config: ServiceConfig::new(key.family(), scheduler),
        }
    }
}

/// A service as the kernel lists it: the service and its counters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceEntry {
    /// The service.
    pub service: Service,
    /// Its traffic counters.
    pub stats: Stats,
}
