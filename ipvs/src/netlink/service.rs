//! Service attributes (`IPVS_SVC_ATTR_*`), nested in `IPVS_CMD_ATTR_SERVICE`,
//! the service nests requests carry, and reading a service entry.
//!
//! Kernel facts (Linux 6.1, `ip_vs_ctl.c`):
//! - A service is found by `AF` plus either `FWMARK` or `PROTOCOL`+`ADDR`+`PORT`.
//!   `NEW_SERVICE`/`SET_SERVICE` also require `SCHED_NAME`, `FLAGS`, `TIMEOUT`
//!   and `NETMASK`; every other command only reads the key.
//! - `PORT` is big-endian (`__be16`). `ADDR` is the 16-byte `nf_inet_addr`.
//! - `NETMASK` is read and dumped as a raw 32-bit word: for IPv4 it holds the
//!   mask's bytes in network order, for IPv6 the prefix length as a native
//!   integer. It is carried here unchanged, exactly like the model's
//!   [`ServiceConfig::netmask`] (a `__be32`: for IPv4 `u32::from_ne_bytes(mask.octets())`).
//! - `FLAGS` is `struct ip_vs_flags { u32 flags; u32 mask; }` in host order; the
//!   kernel applies `(old & !mask) | (flags & mask)` and dumps `mask = !0`.
//! - Dumps send `STATS` (32-bit) and `STATS64`; `PE_NAME` only when a
//!   persistence engine is set; scheduler name `"none"` when there is none.
//! - Fwmark services are dumped without `PROTOCOL`, `ADDR` and `PORT`.

use std::borrow::Cow;

use netlink_packet_core::{DecodeError, ErrorContext, NLA_F_NESTED};

use super::constants::*;
use super::nla::{
    attributes, family_from_raw, parse_c_string, parse_u16, parse_u16_be, parse_u32, Attr,
    AttrWriter, InetAddr,
};
use super::stats::{pick_stats, Counters};
use crate::model::{
    Netmask, Protocol, Service, ServiceConfig, ServiceEntry, ServiceFlags, ServiceKey,
};

/// `struct ip_vs_flags`: the flag bits to set and the mask of bits to change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct IpvsFlags {
    pub flags: u32,
    pub mask: u32,
}

impl IpvsFlags {
    fn parse(value: &[u8]) -> Result<Self, DecodeError> {
        // The kernel's policy is NLA_BINARY with a maximum of 8 bytes and it
        // copies what is there; the kernel itself always sends 8.
        match *value {
            [a, b, c, d, e, f, g, h] => Ok(IpvsFlags {
                flags: u32::from_ne_bytes([a, b, c, d]),
                mask: u32::from_ne_bytes([e, f, g, h]),
            }),
            _ => Err(DecodeError::from(format!(
                "service flags attribute has {} bytes, expected 8",
                value.len()
            ))),
        }
    }

    /// The flags in force: `flags & mask`.
    pub fn effective(self) -> u32 {
        self.flags & self.mask
    }
}

/// One service attribute; names borrow from the model or the datagram.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SvcAttr<'a> {
    /// Address family (`AF_INET`, `AF_INET6`), host order.
    Af(u16),
    /// IP protocol number, host order.
    Protocol(u16),
    /// Virtual address.
    Addr(InetAddr),
    /// Virtual port, host-order value (big-endian on the wire).
    Port(u16),
    /// Firewall mark, host order.
    Fwmark(u32),
    /// Scheduler name (NUL-terminated on the wire).
    SchedName(Cow<'a, str>),
    /// `struct ip_vs_flags`.
    Flags(IpvsFlags),
    /// Persistence timeout in seconds.
    Timeout(u32),
    /// Persistence netmask word, raw (see the module documentation).
    Netmask(u32),
    /// 32-bit statistics nest: its value, read by [`StatsNest::parse`](super::StatsNest::parse).
    Stats(&'a [u8]),
    /// Persistence engine name.
    PeName(Cow<'a, str>),
    /// 64-bit statistics nest: its value, read by [`StatsNest::parse`](super::StatsNest::parse).
    Stats64(&'a [u8]),
    /// Anything else (kind with its flag bits), kept as it came.
    Other(u16, &'a [u8]),
}

impl SvcAttr<'_> {
    /// Appends the attribute.
    #[inline(always)]
    pub(crate) fn emit(&self, w: &mut AttrWriter<'_>) {
        use SvcAttr::*;
        match self {
            Af(v) => w.u16(IPVS_SVC_ATTR_AF, *v),
            Protocol(v) => w.u16(IPVS_SVC_ATTR_PROTOCOL, *v),
            Addr(addr) => w.fixed(IPVS_SVC_ATTR_ADDR, addr.0),
            Port(v) => w.u16_be(IPVS_SVC_ATTR_PORT, *v),
            Fwmark(v) => w.u32(IPVS_SVC_ATTR_FWMARK, *v),
            SchedName(s) => w.c_string(IPVS_SVC_ATTR_SCHED_NAME, s),
            Flags(f) => {
                let mut bytes = [0u8; 8];
                bytes[..4].copy_from_slice(&f.flags.to_ne_bytes());
                bytes[4..].copy_from_slice(&f.mask.to_ne_bytes());
                w.fixed(IPVS_SVC_ATTR_FLAGS, bytes)
            }
            Timeout(v) => w.u32(IPVS_SVC_ATTR_TIMEOUT, *v),
            Netmask(v) => w.u32(IPVS_SVC_ATTR_NETMASK, *v),
            // The kernel dumps nests without NLA_F_NESTED; libnl sets it on
            // what it sends. Both parse the same; we set it, like libnl.
            Stats(nest) => w.bytes(IPVS_SVC_ATTR_STATS | NLA_F_NESTED, nest),
            PeName(s) => w.c_string(IPVS_SVC_ATTR_PE_NAME, s),
            Stats64(nest) => w.bytes(IPVS_SVC_ATTR_STATS64 | NLA_F_NESTED, nest),
            Other(kind, value) => w.bytes(*kind, value),
        }
    }
}

impl<'a> SvcAttr<'a> {
    /// Reads one attribute of the set; unknown kinds are kept as `Other`.
    #[inline(always)]
    pub(crate) fn parse(nla: &Attr<'a>) -> Result<Self, DecodeError> {
        let v = nla.value();
        Ok(match nla.kind() {
            IPVS_SVC_ATTR_AF => SvcAttr::Af(parse_u16(v)?),
            IPVS_SVC_ATTR_PROTOCOL => SvcAttr::Protocol(parse_u16(v)?),
            IPVS_SVC_ATTR_ADDR => SvcAttr::Addr(InetAddr::parse(v)?),
            IPVS_SVC_ATTR_PORT => SvcAttr::Port(parse_u16_be(v)?),
            IPVS_SVC_ATTR_FWMARK => SvcAttr::Fwmark(parse_u32(v)?),
            IPVS_SVC_ATTR_SCHED_NAME => SvcAttr::SchedName(parse_c_string(v)),
            IPVS_SVC_ATTR_FLAGS => SvcAttr::Flags(IpvsFlags::parse(v)?),
            IPVS_SVC_ATTR_TIMEOUT => SvcAttr::Timeout(parse_u32(v)?),
            IPVS_SVC_ATTR_NETMASK => SvcAttr::Netmask(parse_u32(v)?),
            IPVS_SVC_ATTR_STATS => SvcAttr::Stats(v),
            IPVS_SVC_ATTR_PE_NAME => SvcAttr::PeName(parse_c_string(v)),
            IPVS_SVC_ATTR_STATS64 => SvcAttr::Stats64(v),
            _ => SvcAttr::Other(nla.raw_kind(), v),
        })
    }
}

/// The attribute sets a request's service nest can carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServiceNest<'a> {
    /// Key and configuration, as `NEW_SERVICE` and `SET_SERVICE` need them
    /// (`FLAGS` replaces all flag bits).
    Config(&'a Service),
    /// What ipvsadm 1.31 sends when only the key matters (`DEL_SERVICE`,
    /// `ZERO`, the real-server commands, a single `GET_SERVICE`): the key
    /// and an unset configuration (empty scheduler, flags 0, timeout 0) with
    /// this netmask word.
    Unset(&'a ServiceKey, u32),
    /// The key attributes alone (`GET_DEST` dumps, and batches: less for
    /// the kernel to check and copy, tens of thousands of times).
    Key(&'a ServiceKey),
}

impl ServiceNest<'_> {
    /// Appends the nest (`IPVS_CMD_ATTR_SERVICE`): `AF`, then `FWMARK` or
    /// `PROTOCOL`, `ADDR`, `PORT`; then, unless key-only, `SCHED_NAME`,
    /// `PE_NAME` (when non-empty), `FLAGS` (mask all ones), `TIMEOUT`,
    /// `NETMASK`, in the order libipvs writes them.
    pub(crate) fn emit(&self, w: &mut AttrWriter<'_>) {
        let (key, config) = match *self {
            ServiceNest::Config(service) => (&service.key, Some(&service.config)),
            ServiceNest::Unset(key, _) | ServiceNest::Key(key) => (key, None),
        };
        w.nest(IPVS_CMD_ATTR_SERVICE, |w| {
            SvcAttr::Af(key.family().to_raw()).emit(w);
            match *key {
                ServiceKey::Fwmark { mark, .. } => SvcAttr::Fwmark(mark).emit(w),
                ServiceKey::Addr {
                    protocol,
                    addr,
                    port,
                } => {
                    SvcAttr::Protocol(protocol.to_raw()).emit(w);
                    SvcAttr::Addr(InetAddr::from_ip(addr)).emit(w);
                    SvcAttr::Port(port).emit(w);
                }
            }
            let (scheduler, pe_name, flags, timeout, netmask) = match (self, config) {
                (_, Some(c)) => (
                    c.scheduler.as_str(),
                    c.pe_name.as_deref(),
                    c.flags.bits(),
                    c.timeout,
                    c.netmask.to_raw(),
                ),
                (ServiceNest::Unset(_, netmask), None) => ("", None, 0, 0, *netmask),
                _ => return,
            };
            SvcAttr::SchedName(Cow::Borrowed(scheduler)).emit(w);
            if let Some(pe) = pe_name.filter(|pe| !pe.is_empty()) {
                SvcAttr::PeName(Cow::Borrowed(pe)).emit(w);
            }
            SvcAttr::Flags(IpvsFlags { flags, mask: !0 }).emit(w);
            SvcAttr::Timeout(timeout).emit(w);
            SvcAttr::Netmask(netmask).emit(w);
        });
    }
}

/// Reads a service nest's value as the kernel lists it. Requires `AF`, the
/// key (`FWMARK`, or `PROTOCOL`+`ADDR`+`PORT`), `SCHED_NAME`, `FLAGS`,
/// `TIMEOUT` and `NETMASK`, like libipvs. Counters come from `STATS64`, else
/// `STATS`, else are zero; with [`Counters::Skip`] the stats nests are not
/// read and the counters are zero.
pub fn service_entry(nest: &[u8], counters: Counters) -> Result<ServiceEntry, DecodeError> {
    let mut fields = SvcFields::default();
    let mut walk = || -> Result<(), DecodeError> {
        for nla in attributes(nest) {
            fields.take(SvcAttr::parse(&nla?)?);
        }
        Ok(())
    };
    walk().context("failed to parse service attributes")?;
    fields.finish(counters)
}

/// The attributes of one service nest, gathered.
#[derive(Default)]
struct SvcFields<'a> {
    af: Option<u16>,
    protocol: Option<u16>,
    addr: Option<InetAddr>,
    port: Option<u16>,
    fwmark: Option<u32>,
    scheduler: Option<Cow<'a, str>>,
    flags: Option<IpvsFlags>,
    timeout: Option<u32>,
    netmask: Option<u32>,
    pe_name: Option<Cow<'a, str>>,
    stats32: Option<&'a [u8]>,
    stats64: Option<&'a [u8]>,
}

impl<'a> SvcFields<'a> {
    #[inline]
    fn take(&mut self, attr: SvcAttr<'a>) {
        match attr {
            SvcAttr::Af(v) => self.af = Some(v),
            SvcAttr::Protocol(v) => self.protocol = Some(v),
            SvcAttr::Addr(v) => self.addr = Some(v),
            SvcAttr::Port(v) => self.port = Some(v),
            SvcAttr::Fwmark(v) => self.fwmark = Some(v),
            SvcAttr::SchedName(v) => self.scheduler = Some(v),
            SvcAttr::Flags(v) => self.flags = Some(v),
            SvcAttr::Timeout(v) => self.timeout = Some(v),
            SvcAttr::Netmask(v) => self.netmask = Some(v),
            SvcAttr::PeName(v) => self.pe_name = Some(v),
            SvcAttr::Stats(v) => self.stats32 = Some(v),
            SvcAttr::Stats64(v) => self.stats64 = Some(v),
            SvcAttr::Other(..) => {}
        }
    }

    fn finish(self, counters: Counters) -> Result<ServiceEntry, DecodeError> {
        let missing = |name: &str| DecodeError::from(format!("service lacks IPVS_SVC_ATTR_{name}"));
        let family = family_from_raw(self.af.ok_or_else(|| missing("AF"))?)?;
        let key = match self.fwmark {
            Some(mark) => ServiceKey::Fwmark { family, mark },
            None => {
                let raw_protocol = self
                    .protocol
                    .ok_or_else(|| missing("PROTOCOL (or FWMARK)"))?;
                let protocol = Protocol::from_raw(raw_protocol).ok_or_else(|| {
                    DecodeError::from(format!("service has unsupported protocol {raw_protocol}"))
                })?;
                ServiceKey::Addr {
                    protocol,
                    addr: self.addr.ok_or_else(|| missing("ADDR"))?.to_ip(family),
                    port: self.port.ok_or_else(|| missing("PORT"))?,
                }
            }
        };
        let config = ServiceConfig {
            scheduler: self
                .scheduler
                .ok_or_else(|| missing("SCHED_NAME"))?
                .into_owned(),
            flags: ServiceFlags::from_bits(self.flags.ok_or_else(|| missing("FLAGS"))?.effective()),
            timeout: self.timeout.ok_or_else(|| missing("TIMEOUT"))?,
            netmask: Netmask::from_raw(family, self.netmask.ok_or_else(|| missing("NETMASK"))?),
            pe_name: self
                .pe_name
                .filter(|pe| !pe.is_empty())
                .map(Cow::into_owned),
        };
        let stats =
            pick_stats(self.stats64, self.stats32, counters).context("invalid service stats")?;
        Ok(ServiceEntry {
            service: Service { key, config },
            stats,
        })
    }
}
