//! Sync daemon attributes (`IPVS_DAEMON_ATTR_*`), nested in
//! `IPVS_CMD_ATTR_DAEMON`, and their conversion to and from [`SyncDaemon`].
//!
//! Kernel facts (Linux 6.1, `ip_vs_ctl.c`):
//! - `NEW_DAEMON` requires `STATE`, `MCAST_IFN` and `SYNC_ID`; the others are
//!   optional (0 = kernel default). A group that is not multicast is `EINVAL`.
//! - `DEL_DAEMON` reads only `STATE`.
//! - `MCAST_PORT` and `SYNC_MAXLEN` are host-order `u16` (not big-endian);
//!   `MCAST_GROUP` is the IPv4 address bytes; `MCAST_GROUP6` the 16 IPv6 bytes.
//! - The dump (`GET_DAEMON`) sends one `NEW_DAEMON` message per running daemon
//!   (master first) with every attribute and the group of its family.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use netlink_packet_core::{
    emit_u16, emit_u32, parse_u16, parse_u32, parse_u8, DecodeError, DefaultNla, Nla, NlaBuffer,
    Parseable,
};

use super::constants::*;
use super::nla::{c_string_len, emit_c_string, parse_c_string};
use crate::model::{DaemonState, SyncDaemon};

/// One sync daemon attribute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DaemonAttr {
    /// `IP_VS_STATE_MASTER` (1) or `IP_VS_STATE_BACKUP` (2).
    State(u32),
    /// Multicast interface name.
    McastIfn(String),
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
    /// Anything else, kept as it came.
    Other(DefaultNla),
}

impl Nla for DaemonAttr {
    fn value_len(&self) -> usize {
        use DaemonAttr::*;
        match self {
            State(_) | SyncId(_) | McastGroup(_) => 4,
            McastIfn(s) => c_string_len(s),
            SyncMaxlen(_) | McastPort(_) => 2,
            McastGroup6(_) => 16,
            McastTtl(_) => 1,
            Other(nla) => nla.value_len(),
        }
    }

    fn kind(&self) -> u16 {
        use DaemonAttr::*;
        match self {
            State(_) => IPVS_DAEMON_ATTR_STATE,
            McastIfn(_) => IPVS_DAEMON_ATTR_MCAST_IFN,
            SyncId(_) => IPVS_DAEMON_ATTR_SYNC_ID,
            SyncMaxlen(_) => IPVS_DAEMON_ATTR_SYNC_MAXLEN,
            McastGroup(_) => IPVS_DAEMON_ATTR_MCAST_GROUP,
            McastGroup6(_) => IPVS_DAEMON_ATTR_MCAST_GROUP6,
            McastPort(_) => IPVS_DAEMON_ATTR_MCAST_PORT,
            McastTtl(_) => IPVS_DAEMON_ATTR_MCAST_TTL,
            Other(nla) => nla.kind(),
        }
    }

    fn emit_value(&self, buffer: &mut [u8]) {
        use DaemonAttr::*;
        // Buffers are sized by value_len(), so the emit_* calls cannot fail.
        let _ = match self {
            State(v) | SyncId(v) => emit_u32(buffer, *v),
            McastIfn(s) => {
                emit_c_string(buffer, s);
                Ok(())
            }
            SyncMaxlen(v) | McastPort(v) => emit_u16(buffer, *v),
            McastGroup(addr) => {
                buffer.copy_from_slice(&addr.octets());
                Ok(())
            }
            McastGroup6(addr) => {
                buffer.copy_from_slice(&addr.octets());
                Ok(())
            }
            McastTtl(v) => {
                buffer[0] = *v;
                Ok(())
            }
            Other(nla) => {
                nla.emit_value(buffer);
                Ok(())
            }
        };
    }
}

impl<'a, T: AsRef<[u8]> + ?Sized> Parseable<NlaBuffer<&'a T>> for DaemonAttr {
    fn parse(buf: &NlaBuffer<&'a T>) -> Result<Self, DecodeError> {
        let value = buf.value();
        let attr = match buf.kind() {
            IPVS_DAEMON_ATTR_STATE => DaemonAttr::State(parse_u32(value)?),
            IPVS_DAEMON_ATTR_MCAST_IFN => DaemonAttr::McastIfn(parse_c_string(value)),
            IPVS_DAEMON_ATTR_SYNC_ID => DaemonAttr::SyncId(parse_u32(value)?),
            IPVS_DAEMON_ATTR_SYNC_MAXLEN => DaemonAttr::SyncMaxlen(parse_u16(value)?),
            IPVS_DAEMON_ATTR_MCAST_GROUP => {
                let octets: [u8; 4] = value.try_into().map_err(|_| {
                    DecodeError::from(format!(
                        "IPv4 multicast group has {} bytes, expected 4",
                        value.len()
                    ))
                })?;
                DaemonAttr::McastGroup(Ipv4Addr::from(octets))
            }
            IPVS_DAEMON_ATTR_MCAST_GROUP6 => {
                let octets: [u8; 16] = value.try_into().map_err(|_| {
                    DecodeError::from(format!(
                        "IPv6 multicast group has {} bytes, expected 16",
                        value.len()
                    ))
                })?;
                DaemonAttr::McastGroup6(Ipv6Addr::from(octets))
            }
            IPVS_DAEMON_ATTR_MCAST_PORT => DaemonAttr::McastPort(parse_u16(value)?),
            IPVS_DAEMON_ATTR_MCAST_TTL => DaemonAttr::McastTtl(parse_u8(value)?),
            _ => DaemonAttr::Other(DefaultNla::parse(buf)?),
        };
        Ok(attr)
    }
}

/// The daemon nest as ipvsadm 1.31 sends it for `NEW_DAEMON`: `STATE`,
/// `MCAST_IFN`, `SYNC_ID`, then `SYNC_MAXLEN`, `MCAST_PORT`, `MCAST_TTL` only
/// when non-zero, then the group of its family when set.
pub fn daemon_attrs(daemon: &SyncDaemon) -> Vec<DaemonAttr> {
    let mut attrs = vec![
        DaemonAttr::State(daemon.state.to_raw()),
        DaemonAttr::McastIfn(daemon.mcast_ifn.clone()),
        DaemonAttr::SyncId(daemon.syncid),
    ];
    if daemon.sync_maxlen != 0 {
        attrs.push(DaemonAttr::SyncMaxlen(daemon.sync_maxlen));
    }
    if daemon.mcast_port != 0 {
        attrs.push(DaemonAttr::McastPort(daemon.mcast_port));
    }
    if daemon.mcast_ttl != 0 {
        attrs.push(DaemonAttr::McastTtl(daemon.mcast_ttl));
    }
    match daemon.mcast_group {
        Some(IpAddr::V6(group)) => attrs.push(DaemonAttr::McastGroup6(group)),
        Some(IpAddr::V4(group)) => attrs.push(DaemonAttr::McastGroup(group)),
        None => {}
    }
    attrs
}

/// The daemon nest ipvsadm 1.31 sends for `--stop-daemon STATE`: `STATE`, an
/// empty `MCAST_IFN` and `SYNC_ID` 0 (the kernel reads only `STATE`).
pub fn daemon_stop_attrs(state: DaemonState) -> Vec<DaemonAttr> {
    vec![
        DaemonAttr::State(state.to_raw()),
        DaemonAttr::McastIfn(String::new()),
        DaemonAttr::SyncId(0),
    ]
}

/// Reads a daemon as the kernel lists it. Requires `STATE`, `MCAST_IFN` and
/// `SYNC_ID` (like libipvs); the rest default to 0/none. When both groups
/// are present the IPv4 one wins, as in libipvs.
pub fn sync_daemon_from_attrs(attrs: &[DaemonAttr]) -> Result<SyncDaemon, DecodeError> {
    let mut state = None;
    let mut ifn = None;
    let mut syncid = None;
    let mut sync_maxlen = 0;
    let mut group4 = None;
    let mut group6 = None;
    let mut mcast_port = 0;
    let mut mcast_ttl = 0;
    for attr in attrs {
        match attr {
            DaemonAttr::State(v) => state = Some(*v),
            DaemonAttr::McastIfn(v) => ifn = Some(v.clone()),
            DaemonAttr::SyncId(v) => syncid = Some(*v),
            DaemonAttr::SyncMaxlen(v) => sync_maxlen = *v,
            DaemonAttr::McastGroup(v) => group4 = Some(IpAddr::V4(*v)),
            DaemonAttr::McastGroup6(v) => group6 = Some(IpAddr::V6(*v)),
            DaemonAttr::McastPort(v) => mcast_port = *v,
            DaemonAttr::McastTtl(v) => mcast_ttl = *v,
            DaemonAttr::Other(_) => {}
        }
    }
    let missing = |name: &str| DecodeError::from(format!("daemon lacks IPVS_DAEMON_ATTR_{name}"));
    let raw_state = state.ok_or_else(|| missing("STATE"))?;
    let state = DaemonState::from_raw(raw_state)
        .ok_or_else(|| DecodeError::from(format!("daemon has unknown state {raw_state}")))?;
    Ok(SyncDaemon {
        state,
        mcast_ifn: ifn.ok_or_else(|| missing("MCAST_IFN"))?,
        syncid: syncid.ok_or_else(|| missing("SYNC_ID"))?,
        sync_maxlen,
        mcast_group: group4.or(group6),
        mcast_port,
        mcast_ttl,
    })
}
