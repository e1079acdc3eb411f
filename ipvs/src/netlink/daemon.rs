//! Sync daemon attributes (`IPVS_DAEMON_ATTR_*`), nested in
//! `IPVS_CMD_ATTR_DAEMON`, the daemon nests requests carry, and reading a
//! daemon entry.
//!
//! Kernel facts (Linux 6.1, `ip_vs_ctl.c`):
//! - `NEW_DAEMON` requires `STATE`, `MCAST_IFN` and `SYNC_ID`; the others are
//!   optional (0 = kernel default). A group that is not multicast is `EINVAL`.
//! - `DEL_DAEMON` reads only `STATE`.
//! - `MCAST_PORT` and `SYNC_MAXLEN` are host-order `u16` (not big-endian);
//!   `MCAST_GROUP` is the IPv4 address bytes; `MCAST_GROUP6` the 16 IPv6 bytes.
//! - The dump (`GET_DAEMON`) sends one `NEW_DAEMON` message per running daemon
//!   (master first) with every attribute and the group of its family.

use std::borrow::Cow;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use netlink_packet_core::{DecodeError, ErrorContext};

use super::constants::*;
use super::nla::{attributes, fixed, parse_c_string, parse_u16, parse_u32, Attr, AttrWriter};
use crate::model::{DaemonState, SyncDaemon};

/// One sync daemon attribute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DaemonAttr<'a> {
    /// `IP_VS_STATE_MASTER` (1) or `IP_VS_STATE_BACKUP` (2).
    State(u32),
    /// Multicast interface name.
    McastIfn(Cow<'a, str>),
    /// Sync id.
    SyncId(u32),
    /// Maximum sync message payload.
    SyncMaxlen(u16),
    /// IPv4 multicast group.
    McastGroup(Ipv4Addr),
    /// IPv6 multicast group.
    McastGroup6(Ipv6Addr),
    /// Multicast (base) port, host order.
    McastPort(u16),
    /// Multicast TTL.
    McastTtl(u8),
    /// Anything else (kind with its flag bits), kept as it came.
    Other(u16, &'a [u8]),
}

impl DaemonAttr<'_> {
    /// Appends the attribute.
    #[inline(always)]
    pub(crate) fn emit(&self, w: &mut AttrWriter<'_>) {
        use DaemonAttr::*;
        match self {
            State(v) => w.u32(IPVS_DAEMON_ATTR_STATE, *v),
            McastIfn(s) => w.c_string(IPVS_DAEMON_ATTR_MCAST_IFN, s),
            SyncId(v) => w.u32(IPVS_DAEMON_ATTR_SYNC_ID, *v),
            SyncMaxlen(v) => w.u16(IPVS_DAEMON_ATTR_SYNC_MAXLEN, *v),
            McastGroup(addr) => w.fixed(IPVS_DAEMON_ATTR_MCAST_GROUP, addr.octets()),
            McastGroup6(addr) => w.fixed(IPVS_DAEMON_ATTR_MCAST_GROUP6, addr.octets()),
            McastPort(v) => w.u16(IPVS_DAEMON_ATTR_MCAST_PORT, *v),
            McastTtl(v) => w.fixed(IPVS_DAEMON_ATTR_MCAST_TTL, [*v]),
            Other(kind, value) => w.bytes(*kind, value),
        }
    }
}

impl<'a> DaemonAttr<'a> {
    /// Reads one attribute of the set; unknown kinds are kept as `Other`.
    #[inline(always)]
    pub(crate) fn parse(nla: &Attr<'a>) -> Result<Self, DecodeError> {
        let v = nla.value();
        Ok(match nla.kind() {
            IPVS_DAEMON_ATTR_STATE => DaemonAttr::State(parse_u32(v)?),
            IPVS_DAEMON_ATTR_MCAST_IFN => DaemonAttr::McastIfn(parse_c_string(v)),
            IPVS_DAEMON_ATTR_SYNC_ID => DaemonAttr::SyncId(parse_u32(v)?),
            IPVS_DAEMON_ATTR_SYNC_MAXLEN => DaemonAttr::SyncMaxlen(parse_u16(v)?),
            IPVS_DAEMON_ATTR_MCAST_GROUP => {
                DaemonAttr::McastGroup(Ipv4Addr::from(fixed::<4>(v).context("IPv4 group")?))
            }
            IPVS_DAEMON_ATTR_MCAST_GROUP6 => {
                DaemonAttr::McastGroup6(Ipv6Addr::from(fixed::<16>(v).context("IPv6 group")?))
            }
            IPVS_DAEMON_ATTR_MCAST_PORT => DaemonAttr::McastPort(parse_u16(v)?),
            IPVS_DAEMON_ATTR_MCAST_TTL => DaemonAttr::McastTtl(u8::from_ne_bytes(fixed(v)?)),
            _ => DaemonAttr::Other(nla.raw_kind(), v),
        })
    }
}

/// Appends the daemon nest as ipvsadm 1.31 sends it for `NEW_DAEMON`:
/// `STATE`, `MCAST_IFN`, `SYNC_ID`, then `SYNC_MAXLEN`, `MCAST_PORT`,
/// `MCAST_TTL` only when non-zero, then the group of its family when set.
pub(crate) fn emit_daemon_nest(w: &mut AttrWriter<'_>, daemon: &SyncDaemon) {
    w.nest(IPVS_CMD_ATTR_DAEMON, |w| {
        DaemonAttr::State(daemon.state.to_raw()).emit(w);
        DaemonAttr::McastIfn(Cow::Borrowed(&daemon.mcast_ifn)).emit(w);
        DaemonAttr::SyncId(daemon.syncid).emit(w);
        if daemon.sync_maxlen != 0 {
            DaemonAttr::SyncMaxlen(daemon.sync_maxlen).emit(w);
        }
        if daemon.mcast_port != 0 {
            DaemonAttr::McastPort(daemon.mcast_port).emit(w);
        }
        if daemon.mcast_ttl != 0 {
            DaemonAttr::McastTtl(daemon.mcast_ttl).emit(w);
        }
        match daemon.mcast_group {
            Some(IpAddr::V6(group)) => DaemonAttr::McastGroup6(group).emit(w),
            Some(IpAddr::V4(group)) => DaemonAttr::McastGroup(group).emit(w),
            None => {}
        }
    });
}

/// Appends the daemon nest ipvsadm 1.31 sends for `--stop-daemon STATE`:
/// `STATE`, an empty `MCAST_IFN` and `SYNC_ID` 0 (the kernel reads only `STATE`).
pub(crate) fn emit_daemon_stop_nest(w: &mut AttrWriter<'_>, state: DaemonState) {
    w.nest(IPVS_CMD_ATTR_DAEMON, |w| {
        DaemonAttr::State(state.to_raw()).emit(w);
        DaemonAttr::McastIfn(Cow::Borrowed("")).emit(w);
        DaemonAttr::SyncId(0).emit(w);
    });
}

/// Reads a daemon nest's value as the kernel lists it. Requires `STATE`,
/// `MCAST_IFN` and `SYNC_ID` (like libipvs); the rest default to 0/none.
/// When both groups are present the IPv4 one wins, as in libipvs.
pub fn sync_daemon(nest: &[u8]) -> Result<SyncDaemon, DecodeError> {
    let mut state = None;
    let mut ifn = None;
    let mut syncid = None;
    let mut sync_maxlen = 0;
    let mut group4 = None;
    let mut group6 = None;
    let mut mcast_port = 0;
    let mut mcast_ttl = 0;
    for nla in attributes(nest) {
        let nla = nla.context("failed to parse daemon attributes")?;
        match DaemonAttr::parse(&nla).context("failed to parse daemon attributes")? {
            DaemonAttr::State(v) => state = Some(v),
            DaemonAttr::McastIfn(v) => ifn = Some(v),
            DaemonAttr::SyncId(v) => syncid = Some(v),
            DaemonAttr::SyncMaxlen(v) => sync_maxlen = v,
            DaemonAttr::McastGroup(v) => group4 = Some(IpAddr::V4(v)),
            DaemonAttr::McastGroup6(v) => group6 = Some(IpAddr::V6(v)),
            DaemonAttr::McastPort(v) => mcast_port = v,
            DaemonAttr::McastTtl(v) => mcast_ttl = v,
            DaemonAttr::Other(..) => {}
        }
    }
    let missing = |name: &str| DecodeError::from(format!("daemon lacks IPVS_DAEMON_ATTR_{name}"));
    let raw_state = state.ok_or_else(|| missing("STATE"))?;
    let state = DaemonState::from_raw(raw_state)
        .ok_or_else(|| DecodeError::from(format!("daemon has unknown state {raw_state}")))?;
    Ok(SyncDaemon {
        state,
        mcast_ifn: ifn.ok_or_else(|| missing("MCAST_IFN"))?.into_owned(),
        syncid: syncid.ok_or_else(|| missing("SYNC_ID"))?,
        sync_maxlen,
        mcast_group: group4.or(group6),
        mcast_port,
        mcast_ttl,
    })
}
