//! Destination (real server) attributes (`IPVS_DEST_ATTR_*`), nested in
//! `IPVS_CMD_ATTR_DEST`, the destination nest requests carry, and reading a
//! destination entry.
//!
//! Kernel facts (Linux 6.1, `ip_vs_ctl.c`):
//! - A destination is found by `ADDR` + `PORT` (+ `ADDR_FAMILY`, which defaults
//!   to the service's family when absent). `NEW_DEST`/`SET_DEST` also require
//!   `FWD_METHOD`, `WEIGHT`, `U_THRESH` and `L_THRESH`; `TUN_*` are optional.
//! - `PORT` and `TUN_PORT` are big-endian (`__be16`); `TUN_FLAGS` is host order;
//!   `TUN_TYPE` is one byte; `WEIGHT` is a `u32` the kernel reads as `int`
//!   (negative is rejected with `EINVAL`).
//! - A family different from the service's is accepted only for tunnelling
//!   (`EINVAL` otherwise, and while a sync daemon runs).
//! - Dumps send every attribute, `ADDR_FAMILY` included, plus `STATS` and `STATS64`.

use netlink_packet_core::{DecodeError, ErrorContext, NLA_F_NESTED};

use super::constants::*;
use super::nla::{
    attributes, family_from_raw, fixed, parse_u16, parse_u16_be, parse_u32, Attr, AttrWriter,
    InetAddr,
};
use super::stats::{pick_stats, Counters};
use crate::model::{
    AddressFamily, Destination, DestinationConfig, DestinationEntry, ForwardMethod, TunnelType,
};

/// One destination attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DestAttr<'a> {
    /// Real server address.
    Addr(InetAddr),
    /// Real server port, host-order value (big-endian on the wire).
    Port(u16),
    /// Connection flags; only the forwarding bits (`& 7`) are used.
    FwdMethod(u32),
    /// Weight (the kernel's `int`, as a `u32` on the wire).
    Weight(u32),
    /// Upper connection threshold.
    UThresh(u32),
    /// Lower connection threshold.
    LThresh(u32),
    ActiveConns(u32),
    InactConns(u32),
    PersistConns(u32),
    /// 32-bit statistics nest: its value, read by [`StatsNest::parse`](super::StatsNest::parse).
    Stats(&'a [u8]),
    /// The real server's address family.
    AddrFamily(u16),
    /// 64-bit statistics nest: its value, read by [`StatsNest::parse`](super::StatsNest::parse).
    Stats64(&'a [u8]),
    /// `IP_VS_CONN_F_TUNNEL_TYPE_*`.
    TunType(u8),
    /// Tunnel (GUE) port, host-order value (big-endian on the wire).
    TunPort(u16),
    /// `IP_VS_TUNNEL_ENCAP_FLAG_*`, host order.
    TunFlags(u16),
    /// Anything else (kind with its flag bits), kept as it came.
    Other(u16, &'a [u8]),
}

impl DestAttr<'_> {
    /// Appends the attribute.
    #[inline(always)]
    pub(crate) fn emit(&self, w: &mut AttrWriter<'_>) {
        use DestAttr::*;
        match *self {
            Addr(addr) => w.fixed(IPVS_DEST_ATTR_ADDR, addr.0),
            Port(v) => w.u16_be(IPVS_DEST_ATTR_PORT, v),
            FwdMethod(v) => w.u32(IPVS_DEST_ATTR_FWD_METHOD, v),
            Weight(v) => w.u32(IPVS_DEST_ATTR_WEIGHT, v),
            UThresh(v) => w.u32(IPVS_DEST_ATTR_U_THRESH, v),
            LThresh(v) => w.u32(IPVS_DEST_ATTR_L_THRESH, v),
            ActiveConns(v) => w.u32(IPVS_DEST_ATTR_ACTIVE_CONNS, v),
            InactConns(v) => w.u32(IPVS_DEST_ATTR_INACT_CONNS, v),
            PersistConns(v) => w.u32(IPVS_DEST_ATTR_PERSIST_CONNS, v),
            Stats(nest) => w.bytes(IPVS_DEST_ATTR_STATS | NLA_F_NESTED, nest),
            AddrFamily(v) => w.u16(IPVS_DEST_ATTR_ADDR_FAMILY, v),
            Stats64(nest) => w.bytes(IPVS_DEST_ATTR_STATS64 | NLA_F_NESTED, nest),
            TunType(v) => w.fixed(IPVS_DEST_ATTR_TUN_TYPE, [v]),
            TunPort(v) => w.u16_be(IPVS_DEST_ATTR_TUN_PORT, v),
            TunFlags(v) => w.u16(IPVS_DEST_ATTR_TUN_FLAGS, v),
            Other(kind, value) => w.bytes(kind, value),
        }
    }
}

impl<'a> DestAttr<'a> {
    /// Reads one attribute of the set; unknown kinds are kept as `Other`.
    #[inline(always)]
    pub(crate) fn parse(nla: &Attr<'a>) -> Result<Self, DecodeError> {
        let v = nla.value();
        Ok(match nla.kind() {
            IPVS_DEST_ATTR_ADDR => DestAttr::Addr(InetAddr::parse(v)?),
            IPVS_DEST_ATTR_PORT => DestAttr::Port(parse_u16_be(v)?),
            IPVS_DEST_ATTR_FWD_METHOD => DestAttr::FwdMethod(parse_u32(v)?),
            IPVS_DEST_ATTR_WEIGHT => DestAttr::Weight(parse_u32(v)?),
            IPVS_DEST_ATTR_U_THRESH => DestAttr::UThresh(parse_u32(v)?),
            IPVS_DEST_ATTR_L_THRESH => DestAttr::LThresh(parse_u32(v)?),
            IPVS_DEST_ATTR_ACTIVE_CONNS => DestAttr::ActiveConns(parse_u32(v)?),
            IPVS_DEST_ATTR_INACT_CONNS => DestAttr::InactConns(parse_u32(v)?),
            IPVS_DEST_ATTR_PERSIST_CONNS => DestAttr::PersistConns(parse_u32(v)?),
            IPVS_DEST_ATTR_STATS => DestAttr::Stats(v),
            IPVS_DEST_ATTR_ADDR_FAMILY => DestAttr::AddrFamily(parse_u16(v)?),
            IPVS_DEST_ATTR_STATS64 => DestAttr::Stats64(v),
            IPVS_DEST_ATTR_TUN_TYPE => DestAttr::TunType(u8::from_ne_bytes(fixed(v)?)),
            IPVS_DEST_ATTR_TUN_PORT => DestAttr::TunPort(parse_u16_be(v)?),
            IPVS_DEST_ATTR_TUN_FLAGS => DestAttr::TunFlags(parse_u16(v)?),
            _ => DestAttr::Other(nla.raw_kind(), v),
        })
    }
}

/// Appends the destination nest (`IPVS_CMD_ATTR_DEST`) in the order libipvs
/// writes it: `ADDR_FAMILY`, `ADDR`, `PORT`, `FWD_METHOD`, `WEIGHT`,
/// `TUN_TYPE`, `TUN_PORT`, `TUN_FLAGS`, `U_THRESH`, `L_THRESH`. Used for
/// `NEW_DEST`, `SET_DEST` and `DEL_DEST`.
pub(crate) fn emit_destination_nest(w: &mut AttrWriter<'_>, dest: &Destination) {
    let config = &dest.config;
    w.nest(IPVS_CMD_ATTR_DEST, |w| {
        DestAttr::AddrFamily(dest.family().to_raw()).emit(w);
        DestAttr::Addr(InetAddr::from_ip(dest.addr)).emit(w);
        DestAttr::Port(dest.port).emit(w);
        DestAttr::FwdMethod(config.forward.to_raw()).emit(w);
        // Bit-for-bit, as the kernel reads it back into an int.
        DestAttr::Weight(config.weight as u32).emit(w);
        DestAttr::TunType(config.tunnel_type.to_raw()).emit(w);
        DestAttr::TunPort(config.tunnel_port).emit(w);
        DestAttr::TunFlags(config.tunnel_flags).emit(w);
        DestAttr::UThresh(config.upper_threshold).emit(w);
        DestAttr::LThresh(config.lower_threshold).emit(w);
    });
}

/// Reads a destination nest's value as the kernel lists it. Requires `ADDR`,
/// `PORT`, `FWD_METHOD`, `WEIGHT`, `U_THRESH`, `L_THRESH` and the three
/// connection counts, like libipvs. `ADDR_FAMILY` defaults to
/// `service_family`; tunnel attributes default to IPIP/0/0; counters come
/// from `STATS64`, else `STATS` (see [`Counters`]).
pub fn destination_entry(
    nest: &[u8],
    service_family: AddressFamily,
    counters: Counters,
) -> Result<DestinationEntry, DecodeError> {
    let mut fields = DestFields::default();
    let mut walk = || -> Result<(), DecodeError> {
        for nla in attributes(nest) {
            fields.take(DestAttr::parse(&nla?)?);
        }
        Ok(())
    };
    walk().context("failed to parse destination attributes")?;
    fields.finish(service_family, counters)
}

/// The attributes of one destination nest, gathered.
#[derive(Default)]
struct DestFields<'a> {
    addr: Option<InetAddr>,
    port: Option<u16>,
    fwd: Option<u32>,
    weight: Option<u32>,
    u_thresh: Option<u32>,
    l_thresh: Option<u32>,
    active: Option<u32>,
    inactive: Option<u32>,
    persistent: Option<u32>,
    family: Option<u16>,
    tun_type: u8,
    tun_port: u16,
    tun_flags: u16,
    stats32: Option<&'a [u8]>,
    stats64: Option<&'a [u8]>,
}

impl<'a> DestFields<'a> {
    #[inline]
    fn take(&mut self, attr: DestAttr<'a>) {
        match attr {
            DestAttr::Addr(v) => self.addr = Some(v),
            DestAttr::Port(v) => self.port = Some(v),
            DestAttr::FwdMethod(v) => self.fwd = Some(v),
            DestAttr::Weight(v) => self.weight = Some(v),
            DestAttr::UThresh(v) => self.u_thresh = Some(v),
            DestAttr::LThresh(v) => self.l_thresh = Some(v),
            DestAttr::ActiveConns(v) => self.active = Some(v),
            DestAttr::InactConns(v) => self.inactive = Some(v),
            DestAttr::PersistConns(v) => self.persistent = Some(v),
            DestAttr::AddrFamily(v) => self.family = Some(v),
            DestAttr::TunType(v) => self.tun_type = v,
            DestAttr::TunPort(v) => self.tun_port = v,
            DestAttr::TunFlags(v) => self.tun_flags = v,
            DestAttr::Stats(v) => self.stats32 = Some(v),
            DestAttr::Stats64(v) => self.stats64 = Some(v),
            DestAttr::Other(..) => {}
        }
    }
    fn finish(
        self,
        service_family: AddressFamily,
        counters: Counters,
    ) -> Result<DestinationEntry, DecodeError> {
        let missing =
            |name: &str| DecodeError::from(format!("destination lacks IPVS_DEST_ATTR_{name}"));
        let family = match self.family {
            Some(raw) => family_from_raw(raw)?,
            None => service_family,
        };
        let raw_fwd = self.fwd.ok_or_else(|| missing("FWD_METHOD"))?;
        let forward =
            ForwardMethod::from_raw(raw_fwd & IP_VS_CONN_F_FWD_MASK).ok_or_else(|| {
                DecodeError::from(format!(
                    "destination has unknown forwarding method {raw_fwd}"
                ))
            })?;
        let tun_type = self.tun_type;
        let tunnel_type = TunnelType::from_raw(tun_type).ok_or_else(|| {
            DecodeError::from(format!("destination has unknown tunnel type {tun_type}"))
        })?;
        let destination = Destination {
            addr: self.addr.ok_or_else(|| missing("ADDR"))?.to_ip(family),
            port: self.port.ok_or_else(|| missing("PORT"))?,
            config: DestinationConfig {
                forward,
                weight: self.weight.ok_or_else(|| missing("WEIGHT"))? as i32,
                upper_threshold: self.u_thresh.ok_or_else(|| missing("U_THRESH"))?,
                lower_threshold: self.l_thresh.ok_or_else(|| missing("L_THRESH"))?,
                tunnel_type,
                tunnel_port: self.tun_port,
                tunnel_flags: self.tun_flags,
            },
        };
        Ok(DestinationEntry {
            destination,
            active_conns: self.active.ok_or_else(|| missing("ACTIVE_CONNS"))?,
            inactive_conns: self.inactive.ok_or_else(|| missing("INACT_CONNS"))?,
            persistent_conns: self.persistent.ok_or_else(|| missing("PERSIST_CONNS"))?,
            stats: pick_stats(self.stats64, self.stats32, counters)
                .context("invalid destination stats")?,
        })
    }
}
