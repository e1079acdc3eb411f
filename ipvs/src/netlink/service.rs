//! Service attributes (`IPVS_SVC_ATTR_*`), nested in `IPVS_CMD_ATTR_SERVICE`,
//! and their conversion to and from [`Service`]/[`ServiceEntry`].
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

use netlink_packet_core::{
    emit_u16, emit_u16_be, emit_u32, parse_u16, parse_u16_be, parse_u32, DecodeError, DefaultNla,
    Emitable, ErrorContext, Nla, NlaBuffer, Parseable, NLA_F_NESTED,
};

use super::constants::*;
use super::nla::{
    c_string_len, emit_attrs, emit_c_string, family_from_raw, fixed, for_each_nla, parse_c_string,
    parse_list, InetAddr,
};
use super::stats::{pick_stats_nest, StatsAttr, StatsNest};
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
    const LEN: usize = 8;

    fn parse(value: &[u8]) -> Result<Self, DecodeError> {
        // The kernel's policy is NLA_BINARY with a maximum of 8 bytes and it
        // copies what is there; the kernel itself always sends 8.
        if value.len() != Self::LEN {
            return Err(DecodeError::from(format!(
                "service flags attribute has {} bytes, expected 8",
                value.len()
            )));
        }
        Ok(IpvsFlags {
            flags: parse_u32(&value[0..4])?,
            mask: parse_u32(&value[4..8])?,
        })
    }

    /// The flags in force: `flags & mask`.
    pub fn effective(self) -> u32 {
        self.flags & self.mask
    }
}

/// One service attribute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SvcAttr {
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
    SchedName(String),
    /// `struct ip_vs_flags`.
    Flags(IpvsFlags),
    /// Persistence timeout in seconds.
    Timeout(u32),
    /// Persistence netmask word, raw (see the module documentation).
    Netmask(u32),
    /// 32-bit statistics nest.
    Stats(Vec<StatsAttr>),
    /// Persistence engine name.
    PeName(String),
    /// 64-bit statistics nest.
    Stats64(Vec<StatsAttr>),
    /// Anything else, kept as it came.
    Other(DefaultNla),
}

impl Nla for SvcAttr {
    fn value_len(&self) -> usize {
        use SvcAttr::*;
        match self {
            Af(_) | Protocol(_) | Port(_) => 2,
            Fwmark(_) | Timeout(_) | Netmask(_) => 4,
            Addr(_) => INET_ADDR_LEN,
            SchedName(s) | PeName(s) => c_string_len(s),
            Flags(_) => IpvsFlags::LEN,
            Stats(attrs) | Stats64(attrs) => attrs.as_slice().buffer_len(),
            Other(nla) => nla.value_len(),
        }
    }

    fn kind(&self) -> u16 {
        use SvcAttr::*;
        match self {
            Af(_) => IPVS_SVC_ATTR_AF,
            Protocol(_) => IPVS_SVC_ATTR_PROTOCOL,
            Addr(_) => IPVS_SVC_ATTR_ADDR,
            Port(_) => IPVS_SVC_ATTR_PORT,
            Fwmark(_) => IPVS_SVC_ATTR_FWMARK,
            SchedName(_) => IPVS_SVC_ATTR_SCHED_NAME,
            Flags(_) => IPVS_SVC_ATTR_FLAGS,
            Timeout(_) => IPVS_SVC_ATTR_TIMEOUT,
            Netmask(_) => IPVS_SVC_ATTR_NETMASK,
            // The kernel dumps nests without NLA_F_NESTED; libnl sets it on
            // what it sends. Both parse the same; we set it, like libnl.
            Stats(_) => IPVS_SVC_ATTR_STATS | NLA_F_NESTED,
            PeName(_) => IPVS_SVC_ATTR_PE_NAME,
            Stats64(_) => IPVS_SVC_ATTR_STATS64 | NLA_F_NESTED,
            Other(nla) => nla.kind(),
        }
    }

    fn emit_value(&self, buffer: &mut [u8]) {
        use SvcAttr::*;
        // Buffers are sized by value_len(), so the emit_* calls cannot fail.
        let _ = match self {
            Af(v) | Protocol(v) => emit_u16(buffer, *v),
            Port(v) => emit_u16_be(buffer, *v),
            Fwmark(v) | Timeout(v) | Netmask(v) => emit_u32(buffer, *v),
            Addr(addr) => {
                buffer.copy_from_slice(&addr.0);
                Ok(())
            }
            SchedName(s) | PeName(s) => {
                emit_c_string(buffer, s);
                Ok(())
            }
            Flags(f) => emit_u32(&mut buffer[0..4], f.flags)
                .and_then(|()| emit_u32(&mut buffer[4..8], f.mask)),
            Stats(attrs) | Stats64(attrs) => {
                emit_attrs(attrs, buffer);
                Ok(())
            }
            Other(nla) => {
                nla.emit_value(buffer);
                Ok(())
            }
        };
    }
}

impl<'a, T: AsRef<[u8]> + ?Sized> Parseable<NlaBuffer<&'a T>> for SvcAttr {
    fn parse(buf: &NlaBuffer<&'a T>) -> Result<Self, DecodeError> {
        let value = buf.value();
        let attr = match buf.kind() {
            IPVS_SVC_ATTR_AF => SvcAttr::Af(parse_u16(value)?),
            IPVS_SVC_ATTR_PROTOCOL => SvcAttr::Protocol(parse_u16(value)?),
            IPVS_SVC_ATTR_ADDR => SvcAttr::Addr(InetAddr::parse(value)?),
            IPVS_SVC_ATTR_PORT => SvcAttr::Port(parse_u16_be(value)?),
            IPVS_SVC_ATTR_FWMARK => SvcAttr::Fwmark(parse_u32(value)?),
            IPVS_SVC_ATTR_SCHED_NAME => SvcAttr::SchedName(parse_c_string(value)),
            IPVS_SVC_ATTR_FLAGS => SvcAttr::Flags(IpvsFlags::parse(value)?),
            IPVS_SVC_ATTR_TIMEOUT => SvcAttr::Timeout(parse_u32(value)?),
            IPVS_SVC_ATTR_NETMASK => SvcAttr::Netmask(parse_u32(value)?),
            IPVS_SVC_ATTR_STATS => SvcAttr::Stats(parse_list(value, "service stats")?),
            IPVS_SVC_ATTR_PE_NAME => SvcAttr::PeName(parse_c_string(value)),
            IPVS_SVC_ATTR_STATS64 => SvcAttr::Stats64(parse_list(value, "service stats64")?),
            _ => SvcAttr::Other(DefaultNla::parse(buf)?),
        };
        Ok(attr)
    }
}

/// The identifying attributes: `AF`, then `FWMARK` or `PROTOCOL`, `ADDR`,
/// `PORT`. This is what ipvsadm 1.31 sends in `GET_DEST` dump requests.
pub fn service_key_attrs(key: &ServiceKey) -> Vec<SvcAttr> {
    let mut attrs = vec![SvcAttr::Af(key.family().to_raw())];
    match key {
        ServiceKey::Fwmark { mark, .. } => attrs.push(SvcAttr::Fwmark(*mark)),
        ServiceKey::Addr {
            protocol,
            addr,
            port,
        } => {
            attrs.push(SvcAttr::Protocol(protocol.to_raw()));
            attrs.push(SvcAttr::Addr(InetAddr::from_ip(*addr)));
            attrs.push(SvcAttr::Port(*port));
        }
    }
    attrs
}

/// Key attributes followed by the configuration attributes in the order
/// libipvs writes them: `SCHED_NAME`, `PE_NAME` (only when non-empty),
/// `FLAGS` (mask all ones), `TIMEOUT`, `NETMASK`.
fn full_service_attrs(
    key: &ServiceKey,
    scheduler: &str,
    pe_name: Option<&str>,
    flags: u32,
    timeout: u32,
    netmask: u32,
) -> Vec<SvcAttr> {
    let mut attrs = service_key_attrs(key);
    attrs.push(SvcAttr::SchedName(scheduler.to_owned()));
    if let Some(pe) = pe_name.filter(|pe| !pe.is_empty()) {
        attrs.push(SvcAttr::PeName(pe.to_owned()));
    }
    attrs.push(SvcAttr::Flags(IpvsFlags { flags, mask: !0 }));
    attrs.push(SvcAttr::Timeout(timeout));
    attrs.push(SvcAttr::Netmask(netmask));
    attrs
}

/// The full service nest, as ipvsadm 1.31 sends it for `NEW_SERVICE` and
/// `SET_SERVICE` (the kernel requires every configuration attribute there;
/// `FLAGS` replaces all flag bits).
pub fn service_attrs(service: &Service) -> Vec<SvcAttr> {
    let config = &service.config;
    full_service_attrs(
        &service.key,
        &config.scheduler,
        config.pe_name.as_deref(),
        config.flags.bits(),
        config.timeout,
        config.netmask.to_raw(),
    )
}

/// The service nest ipvsadm 1.31 sends when only the key matters (`DEL_SERVICE`,
/// `ZERO`, and the destination commands): the key plus its unset configuration
/// (empty scheduler name, no flags, timeout 0, the default netmask). The kernel
/// reads only the key there; sending the same bytes keeps traces comparable.
pub fn service_ref_attrs(key: &ServiceKey) -> Vec<SvcAttr> {
    full_service_attrs(key, "", None, 0, 0, Netmask::full(key.family()).to_raw())
}

/// The service nest ipvsadm 1.31 sends in a single-service `GET_SERVICE`:
/// like [`service_ref_attrs`] but with netmask 0 (its lookup struct is zeroed).
pub fn service_lookup_attrs(key: &ServiceKey) -> Vec<SvcAttr> {
    full_service_attrs(key, "", None, 0, 0, 0)
}

/// Reads a service as the kernel lists it. Requires `AF`, the key (`FWMARK`,
/// or `PROTOCOL`+`ADDR`+`PORT`), `SCHED_NAME`, `FLAGS`, `TIMEOUT` and `NETMASK`,
/// like libipvs. Counters come from `STATS64`, else `STATS`, else are zero.
pub fn service_entry_from_attrs(attrs: &[SvcAttr]) -> Result<ServiceEntry, DecodeError> {
    let mut fields = SvcFields::default();
    for attr in attrs {
        match attr {
            SvcAttr::Af(v) => fields.af = Some(*v),
            SvcAttr::Protocol(v) => fields.protocol = Some(*v),
            SvcAttr::Addr(v) => fields.addr = Some(*v),
            SvcAttr::Port(v) => fields.port = Some(*v),
            SvcAttr::Fwmark(v) => fields.fwmark = Some(*v),
            SvcAttr::SchedName(v) => fields.scheduler = Some(SvcName::Owned(v)),
            SvcAttr::Flags(v) => fields.flags = Some(*v),
            SvcAttr::Timeout(v) => fields.timeout = Some(*v),
            SvcAttr::Netmask(v) => fields.netmask = Some(*v),
            SvcAttr::PeName(v) => fields.pe_name = Some(SvcName::Owned(v)),
            SvcAttr::Stats(v) => fields.stats32 = Some(StatsNest::Attrs(v)),
            SvcAttr::Stats64(v) => fields.stats64 = Some(StatsNest::Attrs(v)),
            SvcAttr::Other(_) => {}
        }
    }
    fields.finish()
}

/// [`service_entry_from_attrs`] of a service nest's bytes, with the checks
/// of [`SvcAttr`]'s parser but no attribute list built (a listing decodes
/// one per service): the same value or an error.
pub fn service_entry_from_bytes(value: &[u8]) -> Result<ServiceEntry, DecodeError> {
    decode_service_nest(value, true)
}

/// [`service_entry_from_bytes`] for listings that show no counters: the
/// stats nests are skipped (not checked) and the counters left zero.
pub fn service_entry_without_stats(value: &[u8]) -> Result<ServiceEntry, DecodeError> {
    decode_service_nest(value, false)
}

fn decode_service_nest(value: &[u8], with_stats: bool) -> Result<ServiceEntry, DecodeError> {
    let mut fields = SvcFields::default();
    for_each_nla(value, |kind, v| {
        match kind {
            IPVS_SVC_ATTR_AF => fields.af = Some(u16::from_ne_bytes(fixed(v)?)),
            IPVS_SVC_ATTR_PROTOCOL => fields.protocol = Some(u16::from_ne_bytes(fixed(v)?)),
            IPVS_SVC_ATTR_ADDR => fields.addr = Some(InetAddr::parse(v)?),
            IPVS_SVC_ATTR_PORT => fields.port = Some(u16::from_be_bytes(fixed(v)?)),
            IPVS_SVC_ATTR_FWMARK => fields.fwmark = Some(u32::from_ne_bytes(fixed(v)?)),
            IPVS_SVC_ATTR_SCHED_NAME => fields.scheduler = Some(SvcName::Bytes(v)),
            IPVS_SVC_ATTR_FLAGS => fields.flags = Some(IpvsFlags::parse(v)?),
            IPVS_SVC_ATTR_TIMEOUT => fields.timeout = Some(u32::from_ne_bytes(fixed(v)?)),
            IPVS_SVC_ATTR_NETMASK => fields.netmask = Some(u32::from_ne_bytes(fixed(v)?)),
            IPVS_SVC_ATTR_PE_NAME => fields.pe_name = Some(SvcName::Bytes(v)),
            IPVS_SVC_ATTR_STATS if with_stats => fields.stats32 = Some(StatsNest::Bytes(v)),
            IPVS_SVC_ATTR_STATS64 if with_stats => fields.stats64 = Some(StatsNest::Bytes(v)),
            _ => {}
        }
        Ok(())
    })
    .context("failed to parse service attributes")?;
    fields.finish()
}

/// A name attribute: parsed already, or its bytes (NUL-terminated C string).
enum SvcName<'a> {
    Owned(&'a str),
    Bytes(&'a [u8]),
}

impl SvcName<'_> {
    fn to_owned_string(&self) -> String {
        match self {
            SvcName::Owned(name) => (*name).to_owned(),
            SvcName::Bytes(bytes) => parse_c_string(bytes),
        }
    }
}

/// The attributes of one service nest, gathered.
#[derive(Default)]
struct SvcFields<'a> {
    af: Option<u16>,
    protocol: Option<u16>,
    addr: Option<InetAddr>,
    port: Option<u16>,
    fwmark: Option<u32>,
    scheduler: Option<SvcName<'a>>,
    flags: Option<IpvsFlags>,
    timeout: Option<u32>,
    netmask: Option<u32>,
    pe_name: Option<SvcName<'a>>,
    stats32: Option<StatsNest<'a>>,
    stats64: Option<StatsNest<'a>>,
}

impl SvcFields<'_> {
    fn finish(self) -> Result<ServiceEntry, DecodeError> {
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
                .to_owned_string(),
            flags: ServiceFlags::from_bits(self.flags.ok_or_else(|| missing("FLAGS"))?.effective()),
            timeout: self.timeout.ok_or_else(|| missing("TIMEOUT"))?,
            netmask: Netmask::from_raw(family, self.netmask.ok_or_else(|| missing("NETMASK"))?),
            pe_name: self
                .pe_name
                .map(|pe| pe.to_owned_string())
                .filter(|pe| !pe.is_empty()),
        };
        let stats = pick_stats_nest(self.stats64, self.stats32).context("invalid service stats")?;
        Ok(ServiceEntry {
            service: Service { key, config },
            stats,
        })
    }
}
