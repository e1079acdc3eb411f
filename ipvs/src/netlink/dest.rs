//! Destination (real server) attributes (`IPVS_DEST_ATTR_*`), nested in
//! `IPVS_CMD_ATTR_DEST`, and their conversion to and from the model.
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

use std::net::IpAddr;

use netlink_packet_core::{
    emit_u16, emit_u16_be, emit_u32, parse_u16, parse_u16_be, parse_u32, parse_u8, DecodeError,
    DefaultNla, Emitable, ErrorContext, Nla, NlaBuffer, Parseable, NLA_F_NESTED, NLA_HEADER_SIZE,
};

use super::constants::*;
use super::nla::{emit_attrs, family_from_raw, fixed, for_each_nla, parse_list, InetAddr};
use super::stats::{pick_stats_nest, StatsAttr, StatsNest};
use crate::model::{
    AddressFamily, Destination, DestinationConfig, DestinationEntry, ForwardMethod, TunnelType,
};

/// One destination attribute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DestAttr {
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
    /// 32-bit statistics nest.
    Stats(Vec<StatsAttr>),
    /// The real server's address family.
    AddrFamily(u16),
    /// 64-bit statistics nest.
    Stats64(Vec<StatsAttr>),
    /// `IP_VS_CONN_F_TUNNEL_TYPE_*`.
    TunType(u8),
    /// Tunnel (GUE) port, host-order value (big-endian on the wire).
    TunPort(u16),
    /// `IP_VS_TUNNEL_ENCAP_FLAG_*`, host order.
    TunFlags(u16),
    /// Anything else, kept as it came.
    Other(DefaultNla),
}

impl Nla for DestAttr {
    fn value_len(&self) -> usize {
        use DestAttr::*;
        match self {
            Addr(_) => INET_ADDR_LEN,
            Port(_) | AddrFamily(_) | TunPort(_) | TunFlags(_) => 2,
            FwdMethod(_) | Weight(_) | UThresh(_) | LThresh(_) | ActiveConns(_) | InactConns(_)
            | PersistConns(_) => 4,
            TunType(_) => 1,
            Stats(attrs) | Stats64(attrs) => attrs.as_slice().buffer_len(),
            Other(nla) => nla.value_len(),
        }
    }

    fn kind(&self) -> u16 {
        use DestAttr::*;
        match self {
            Addr(_) => IPVS_DEST_ATTR_ADDR,
            Port(_) => IPVS_DEST_ATTR_PORT,
            FwdMethod(_) => IPVS_DEST_ATTR_FWD_METHOD,
            Weight(_) => IPVS_DEST_ATTR_WEIGHT,
            UThresh(_) => IPVS_DEST_ATTR_U_THRESH,
            LThresh(_) => IPVS_DEST_ATTR_L_THRESH,
            ActiveConns(_) => IPVS_DEST_ATTR_ACTIVE_CONNS,
            InactConns(_) => IPVS_DEST_ATTR_INACT_CONNS,
            PersistConns(_) => IPVS_DEST_ATTR_PERSIST_CONNS,
            Stats(_) => IPVS_DEST_ATTR_STATS | NLA_F_NESTED,
            AddrFamily(_) => IPVS_DEST_ATTR_ADDR_FAMILY,
            Stats64(_) => IPVS_DEST_ATTR_STATS64 | NLA_F_NESTED,
            TunType(_) => IPVS_DEST_ATTR_TUN_TYPE,
            TunPort(_) => IPVS_DEST_ATTR_TUN_PORT,
            TunFlags(_) => IPVS_DEST_ATTR_TUN_FLAGS,
            Other(nla) => nla.kind(),
        }
    }

    fn emit_value(&self, buffer: &mut [u8]) {
        use DestAttr::*;
        // Buffers are sized by value_len(), so the emit_* calls cannot fail.
        let _ = match self {
            Addr(addr) => {
                buffer.copy_from_slice(&addr.0);
                Ok(())
            }
            Port(v) | TunPort(v) => emit_u16_be(buffer, *v),
            AddrFamily(v) | TunFlags(v) => emit_u16(buffer, *v),
            FwdMethod(v) | Weight(v) | UThresh(v) | LThresh(v) | ActiveConns(v) | InactConns(v)
            | PersistConns(v) => emit_u32(buffer, *v),
            TunType(v) => {
                buffer[0] = *v;
                Ok(())
            }
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

impl<'a, T: AsRef<[u8]> + ?Sized> Parseable<NlaBuffer<&'a T>> for DestAttr {
    fn parse(buf: &NlaBuffer<&'a T>) -> Result<Self, DecodeError> {
        let value = buf.value();
        let attr = match buf.kind() {
            IPVS_DEST_ATTR_ADDR => DestAttr::Addr(InetAddr::parse(value)?),
            IPVS_DEST_ATTR_PORT => DestAttr::Port(parse_u16_be(value)?),
            IPVS_DEST_ATTR_FWD_METHOD => DestAttr::FwdMethod(parse_u32(value)?),
            IPVS_DEST_ATTR_WEIGHT => DestAttr::Weight(parse_u32(value)?),
            IPVS_DEST_ATTR_U_THRESH => DestAttr::UThresh(parse_u32(value)?),
            IPVS_DEST_ATTR_L_THRESH => DestAttr::LThresh(parse_u32(value)?),
            IPVS_DEST_ATTR_ACTIVE_CONNS => DestAttr::ActiveConns(parse_u32(value)?),
            IPVS_DEST_ATTR_INACT_CONNS => DestAttr::InactConns(parse_u32(value)?),
            IPVS_DEST_ATTR_PERSIST_CONNS => DestAttr::PersistConns(parse_u32(value)?),
            IPVS_DEST_ATTR_STATS => DestAttr::Stats(parse_list(value, "destination stats")?),
            IPVS_DEST_ATTR_ADDR_FAMILY => DestAttr::AddrFamily(parse_u16(value)?),
            IPVS_DEST_ATTR_STATS64 => DestAttr::Stats64(parse_list(value, "destination stats64")?),
            IPVS_DEST_ATTR_TUN_TYPE => DestAttr::TunType(parse_u8(value)?),
            IPVS_DEST_ATTR_TUN_PORT => DestAttr::TunPort(parse_u16_be(value)?),
            IPVS_DEST_ATTR_TUN_FLAGS => DestAttr::TunFlags(parse_u16(value)?),
            _ => DestAttr::Other(DefaultNla::parse(buf)?),
        };
        Ok(attr)
    }
}

/// The destination nest in the order libipvs writes it: `ADDR_FAMILY`, `ADDR`,
/// `PORT`, `FWD_METHOD`, `WEIGHT`, `TUN_TYPE`, `TUN_PORT`, `TUN_FLAGS`,
/// `U_THRESH`, `L_THRESH`. Used for `NEW_DEST`, `SET_DEST` and `DEL_DEST`.
pub fn destination_attrs(dest: &Destination) -> Vec<DestAttr> {
    let config = &dest.config;
    vec![
        DestAttr::AddrFamily(dest.family().to_raw()),
        DestAttr::Addr(InetAddr::from_ip(dest.addr)),
        DestAttr::Port(dest.port),
        DestAttr::FwdMethod(config.forward.to_raw()),
        // Bit-for-bit, as the kernel reads it back into an int.
        DestAttr::Weight(config.weight as u32),
        DestAttr::TunType(config.tunnel_type.to_raw()),
        DestAttr::TunPort(config.tunnel_port),
        DestAttr::TunFlags(config.tunnel_flags),
        DestAttr::UThresh(config.upper_threshold),
        DestAttr::LThresh(config.lower_threshold),
    ]
}

/// The configuration ipvsadm 1.31 has for a real server given only by address
/// (as in `-d`): direct routing, weight 1, no thresholds, no tunnel options.
pub fn unset_destination_config() -> DestinationConfig {
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

/// The destination nest ipvsadm 1.31 sends for `DEL_DEST`: the address and
/// port plus its unset configuration (the kernel reads only the address,
/// port and family there).
pub fn destination_ref_attrs(addr: IpAddr, port: u16) -> Vec<DestAttr> {
    destination_attrs(&Destination {
        addr,
        port,
        config: unset_destination_config(),
    })
}

/// Reads a destination as the kernel lists it. Requires `ADDR`, `PORT`,
/// `FWD_METHOD`, `WEIGHT`, `U_THRESH`, `L_THRESH` and the three connection
/// counts, like libipvs. `ADDR_FAMILY` defaults to `service_family`; tunnel
/// attributes default to IPIP/0/0; counters come from `STATS64`, else `STATS`.
pub fn destination_entry_from_attrs(
    attrs: &[DestAttr],
    service_family: AddressFamily,
) -> Result<DestinationEntry, DecodeError> {
    let mut fields = DestFields::default();
    for attr in attrs {
        match attr {
            DestAttr::Stats(v) => fields.stats32 = Some(StatsNest::Attrs(v)),
            DestAttr::Stats64(v) => fields.stats64 = Some(StatsNest::Attrs(v)),
            other => fields.take(other),
        }
    }
    fields.finish(service_family)
}

/// [`destination_entry_from_attrs`] straight from the value of an
/// `IPVS_CMD_ATTR_DEST` nest, without building its attribute list (a
/// listing decodes one per real server). Gives what parsing the nest into
/// attributes and converting them gives, the same value or an error.
pub fn destination_entry_from_bytes(
    value: &[u8],
    service_family: AddressFamily,
) -> Result<DestinationEntry, DecodeError> {
    decode_destination_nest(value, service_family, true)
}

/// [`destination_entry_from_bytes`] for listings that show no counters: the
/// stats nests are skipped (not checked) and the counters left zero.
pub fn destination_entry_without_stats(
    value: &[u8],
    service_family: AddressFamily,
) -> Result<DestinationEntry, DecodeError> {
    decode_destination_nest(value, service_family, false)
}

fn decode_destination_nest(
    value: &[u8],
    service_family: AddressFamily,
    with_stats: bool,
) -> Result<DestinationEntry, DecodeError> {
    let mut fields = DestFields::default();
    let rest = fields.take_linux_prefix(value)?;
    for_each_nla(rest, |kind, v| fields.record(kind, v, with_stats))
        .context("failed to parse destination attributes")?;
    fields.finish(service_family)
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
    stats32: Option<StatsNest<'a>>,
    stats64: Option<StatsNest<'a>>,
}

/// The attributes Linux (4.18 and later, `ip_vs_genl_fill_dest`) writes
/// first in every real-server nest of a dump, in this order: (length with
/// header, kind). The stats nests follow.
const LINUX_DEST_PREFIX: [(u16, u16); 13] = [
    (20, IPVS_DEST_ATTR_ADDR),
    (6, IPVS_DEST_ATTR_PORT),
    (8, IPVS_DEST_ATTR_FWD_METHOD),
    (8, IPVS_DEST_ATTR_WEIGHT),
    (5, IPVS_DEST_ATTR_TUN_TYPE),
    (6, IPVS_DEST_ATTR_TUN_PORT),
    (6, IPVS_DEST_ATTR_TUN_FLAGS),
    (8, IPVS_DEST_ATTR_U_THRESH),
    (8, IPVS_DEST_ATTR_L_THRESH),
    (8, IPVS_DEST_ATTR_ACTIVE_CONNS),
    (8, IPVS_DEST_ATTR_INACT_CONNS),
    (8, IPVS_DEST_ATTR_PERSIST_CONNS),
    (6, IPVS_DEST_ATTR_ADDR_FAMILY),
];

/// Bytes the prefix takes, padding included.
const LINUX_DEST_PREFIX_LEN: usize = {
    let mut total = 0;
    let mut i = 0;
    while i < LINUX_DEST_PREFIX.len() {
        total += (LINUX_DEST_PREFIX[i].0 as usize + 3) & !3;
        i += 1;
    }
    total
};

impl<'a> DestFields<'a> {
    /// When `value` starts with exactly [`LINUX_DEST_PREFIX`] (every header
    /// as listed, so each value has the size its kind needs), records those
    /// attributes and returns the rest of `value`; otherwise all of it.
    /// Either way, walking what is returned gives the same fields as walking
    /// all of `value`: a listing reads 40,000 of these nests, and this spares
    /// the general walk for most of each.
    fn take_linux_prefix(&mut self, value: &'a [u8]) -> Result<&'a [u8], DecodeError> {
        let Some(prefix) = value.get(..LINUX_DEST_PREFIX_LEN) else {
            return Ok(value);
        };
        let mut at = 0;
        for (len, kind) in LINUX_DEST_PREFIX {
            if prefix[at..at + 2] != len.to_ne_bytes()
                || prefix[at + 2..at + 4] != kind.to_ne_bytes()
            {
                // What was recorded is recorded again, the same, by the walk.
                return Ok(value);
            }
            let end = at + usize::from(len);
            self.record(kind, &prefix[at + NLA_HEADER_SIZE..end], false)?;
            at = (end + 3) & !3;
        }
        Ok(&value[LINUX_DEST_PREFIX_LEN..])
    }

    /// Records one attribute of the nest, with the checks of
    /// [`DestAttr`]'s parser; the stats nests only `with_stats`.
    #[inline(always)]
    fn record(&mut self, kind: u16, v: &'a [u8], with_stats: bool) -> Result<(), DecodeError> {
        let u32_of = |v: &[u8]| fixed::<4>(v).map(u32::from_ne_bytes).map(Some);
        match kind {
            IPVS_DEST_ATTR_ADDR => self.addr = Some(InetAddr::parse(v)?),
            IPVS_DEST_ATTR_PORT => self.port = Some(u16::from_be_bytes(fixed(v)?)),
            IPVS_DEST_ATTR_FWD_METHOD => self.fwd = u32_of(v)?,
            IPVS_DEST_ATTR_WEIGHT => self.weight = u32_of(v)?,
            IPVS_DEST_ATTR_U_THRESH => self.u_thresh = u32_of(v)?,
            IPVS_DEST_ATTR_L_THRESH => self.l_thresh = u32_of(v)?,
            IPVS_DEST_ATTR_ACTIVE_CONNS => self.active = u32_of(v)?,
            IPVS_DEST_ATTR_INACT_CONNS => self.inactive = u32_of(v)?,
            IPVS_DEST_ATTR_PERSIST_CONNS => self.persistent = u32_of(v)?,
            IPVS_DEST_ATTR_ADDR_FAMILY => self.family = Some(u16::from_ne_bytes(fixed(v)?)),
            IPVS_DEST_ATTR_TUN_TYPE => self.tun_type = u8::from_ne_bytes(fixed(v)?),
            IPVS_DEST_ATTR_TUN_PORT => self.tun_port = u16::from_be_bytes(fixed(v)?),
            IPVS_DEST_ATTR_TUN_FLAGS => self.tun_flags = u16::from_ne_bytes(fixed(v)?),
            IPVS_DEST_ATTR_STATS if with_stats => self.stats32 = Some(StatsNest::Bytes(v)),
            IPVS_DEST_ATTR_STATS64 if with_stats => self.stats64 = Some(StatsNest::Bytes(v)),
            _ => {}
        }
        Ok(())
    }
}

impl DestFields<'_> {
    /// Records an attribute other than the stats nests.
    fn take(&mut self, attr: &DestAttr) {
        match attr {
            DestAttr::Addr(v) => self.addr = Some(*v),
            DestAttr::Port(v) => self.port = Some(*v),
            DestAttr::FwdMethod(v) => self.fwd = Some(*v),
            DestAttr::Weight(v) => self.weight = Some(*v),
            DestAttr::UThresh(v) => self.u_thresh = Some(*v),
            DestAttr::LThresh(v) => self.l_thresh = Some(*v),
            DestAttr::ActiveConns(v) => self.active = Some(*v),
            DestAttr::InactConns(v) => self.inactive = Some(*v),
            DestAttr::PersistConns(v) => self.persistent = Some(*v),
            DestAttr::AddrFamily(v) => self.family = Some(*v),
            DestAttr::TunType(v) => self.tun_type = *v,
            DestAttr::TunPort(v) => self.tun_port = *v,
            DestAttr::TunFlags(v) => self.tun_flags = *v,
            DestAttr::Stats(_) | DestAttr::Stats64(_) | DestAttr::Other(_) => {}
        }
    }

    fn finish(self, service_family: AddressFamily) -> Result<DestinationEntry, DecodeError> {
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
            stats: pick_stats_nest(self.stats64, self.stats32)
                .context("invalid destination stats")?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::netlink::{stats_attrs32, stats_attrs64};

    /// Linux's order, with values in every field the prefix covers.
    fn linux_nest(addr: IpAddr, family: u16) -> (Vec<DestAttr>, Vec<u8>) {
        let stats = crate::model::Stats {
            conns: 1,
            inbytes: 1 << 40,
            outbps: 9,
            ..Default::default()
        };
        let attrs = vec![
            DestAttr::Addr(InetAddr::from_ip(addr)),
            DestAttr::Port(8443),
            DestAttr::FwdMethod(2),
            DestAttr::Weight(7),
            DestAttr::TunType(2),
            DestAttr::TunPort(5555),
            DestAttr::TunFlags(1),
            DestAttr::UThresh(50),
            DestAttr::LThresh(5),
            DestAttr::ActiveConns(11),
            DestAttr::InactConns(12),
            DestAttr::PersistConns(13),
            DestAttr::AddrFamily(family),
            DestAttr::Stats(stats_attrs32(&stats)),
            DestAttr::Stats64(stats_attrs64(&stats)),
        ];
        let len = attrs
            .iter()
            .map(|a| (4 + a.value_len() + 3) & !3)
            .sum::<usize>();
        let mut nest = vec![0; len];
        emit_attrs(&attrs, &mut nest);
        (attrs, nest)
    }

    #[test]
    fn the_linux_prefix_is_read_in_place_and_agrees_with_the_walk() {
        assert_eq!(LINUX_DEST_PREFIX_LEN, 116);
        for (addr, family) in [
            ("10.9.8.7".parse().unwrap(), 2),
            ("2001:db8::7".parse().unwrap(), 10),
        ] {
            let (attrs, nest) = linux_nest(addr, family);
            let mut fields = DestFields::default();
            let rest = fields.take_linux_prefix(&nest).unwrap();
            assert_eq!(nest.len() - rest.len(), LINUX_DEST_PREFIX_LEN);
            let full = destination_entry_from_attrs(&attrs, AddressFamily::Inet).unwrap();
            let light = destination_entry_from_bytes(&nest, AddressFamily::Inet).unwrap();
            assert_eq!(light, full);
            let bare = destination_entry_without_stats(&nest, AddressFamily::Inet).unwrap();
            assert_eq!(bare.destination, full.destination);
        }
    }

    #[test]
    fn anything_but_the_exact_prefix_takes_the_walk() {
        let (_, nest) = linux_nest("10.9.8.7".parse().unwrap(), 2);
        // Every header byte of the prefix changed, one at a time; and a nest
        // cut short of it: nothing is taken, and decoding still agrees.
        let mut at = 0;
        for (len, _) in LINUX_DEST_PREFIX {
            for pos in at..at + 4 {
                let mut bad = nest.clone();
                bad[pos] ^= 0x40;
                let mut fields = DestFields::default();
                assert_eq!(fields.take_linux_prefix(&bad).unwrap().len(), bad.len());
            }
            at += (usize::from(len) + 3) & !3;
        }
        let short = &nest[..LINUX_DEST_PREFIX_LEN - 1];
        let mut fields = DestFields::default();
        assert_eq!(fields.take_linux_prefix(short).unwrap().len(), short.len());
        // A later attribute overrides the prefix's, as in the walk.
        let mut later = nest.clone();
        let weight = DestAttr::Weight(99);
        let mut extra = vec![0; 8];
        emit_attrs(&[weight], &mut extra);
        later.extend(extra);
        assert_eq!(
            destination_entry_without_stats(&later, AddressFamily::Inet)
                .unwrap()
                .destination
                .config
                .weight,
            99
        );
    }
}
