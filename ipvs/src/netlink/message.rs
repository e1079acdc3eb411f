//! The IPVS generic-netlink message: its command, and the first-level
//! attributes that are not nests (timeouts, kernel information).
//!
//! Kernel facts (Linux 6.1): replies to `GET_SERVICE` and dump entries use
//! `NEW_SERVICE`/`NEW_DEST`/`NEW_DAEMON`; `GET_CONFIG` is answered with
//! `SET_CONFIG` carrying the three timeouts; `GET_INFO` with `SET_INFO`
//! carrying `IPVS_INFO_ATTR_*` at the top level (whose numbers overlap the
//! `IPVS_CMD_ATTR_*` ones, so the command decides how attributes are read).

use netlink_packet_core::{DecodeError, ErrorContext};

use super::constants::*;
use super::nla::{attributes, parse_u32, AttrWriter};
use crate::model::{KernelInfo, Timeouts};

/// An IPVS command (`IPVS_CMD_*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IpvsCmd {
    NewService,
    SetService,
    DelService,
    GetService,
    NewDest,
    SetDest,
    DelDest,
    GetDest,
    NewDaemon,
    DelDaemon,
    GetDaemon,
    SetConfig,
    GetConfig,
    SetInfo,
    GetInfo,
    Zero,
    Flush,
}

impl IpvsCmd {
    /// The command number.
    pub fn to_raw(self) -> u8 {
        use IpvsCmd::*;
        match self {
            NewService => IPVS_CMD_NEW_SERVICE,
            SetService => IPVS_CMD_SET_SERVICE,
            DelService => IPVS_CMD_DEL_SERVICE,
            GetService => IPVS_CMD_GET_SERVICE,
            NewDest => IPVS_CMD_NEW_DEST,
            SetDest => IPVS_CMD_SET_DEST,
            DelDest => IPVS_CMD_DEL_DEST,
            GetDest => IPVS_CMD_GET_DEST,
            NewDaemon => IPVS_CMD_NEW_DAEMON,
            DelDaemon => IPVS_CMD_DEL_DAEMON,
            GetDaemon => IPVS_CMD_GET_DAEMON,
            SetConfig => IPVS_CMD_SET_CONFIG,
            GetConfig => IPVS_CMD_GET_CONFIG,
            SetInfo => IPVS_CMD_SET_INFO,
            GetInfo => IPVS_CMD_GET_INFO,
            Zero => IPVS_CMD_ZERO,
            Flush => IPVS_CMD_FLUSH,
        }
    }

    /// The command for a number, if it is one.
    pub fn from_raw(raw: u8) -> Option<Self> {
        use IpvsCmd::*;
        Some(match raw {
            IPVS_CMD_NEW_SERVICE => NewService,
            IPVS_CMD_SET_SERVICE => SetService,
            IPVS_CMD_DEL_SERVICE => DelService,
            IPVS_CMD_GET_SERVICE => GetService,
            IPVS_CMD_NEW_DEST => NewDest,
            IPVS_CMD_SET_DEST => SetDest,
            IPVS_CMD_DEL_DEST => DelDest,
            IPVS_CMD_GET_DEST => GetDest,
            IPVS_CMD_NEW_DAEMON => NewDaemon,
            IPVS_CMD_DEL_DAEMON => DelDaemon,
            IPVS_CMD_GET_DAEMON => GetDaemon,
            IPVS_CMD_SET_CONFIG => SetConfig,
            IPVS_CMD_GET_CONFIG => GetConfig,
            IPVS_CMD_SET_INFO => SetInfo,
            IPVS_CMD_GET_INFO => GetInfo,
            IPVS_CMD_ZERO => Zero,
            IPVS_CMD_FLUSH => Flush,
            _ => return None,
        })
    }
}

/// Appends the `SET_CONFIG` attributes ipvsadm 1.31 sends for `--set`: all
/// three timeouts, zero meaning "leave unchanged" (the kernel skips zeros).
pub(crate) fn emit_timeouts(w: &mut AttrWriter<'_>, timeouts: &Timeouts) {
    w.u32(IPVS_CMD_ATTR_TIMEOUT_TCP, timeouts.tcp);
    w.u32(IPVS_CMD_ATTR_TIMEOUT_TCP_FIN, timeouts.tcp_fin);
    w.u32(IPVS_CMD_ATTR_TIMEOUT_UDP, timeouts.udp);
}

/// Reads the timeouts of a `GET_CONFIG` reply body; absent ones are 0 (the
/// kernel omits the TCP or UDP ones when built without that protocol).
pub fn timeouts(body: &[u8]) -> Result<Timeouts, DecodeError> {
    let mut timeouts = Timeouts::default();
    for nla in attributes(body) {
        let nla = nla.context("failed to parse config attributes")?;
        let slot = match nla.kind() {
            IPVS_CMD_ATTR_TIMEOUT_TCP => &mut timeouts.tcp,
            IPVS_CMD_ATTR_TIMEOUT_TCP_FIN => &mut timeouts.tcp_fin,
            IPVS_CMD_ATTR_TIMEOUT_UDP => &mut timeouts.udp,
            _ => continue,
        };
        *slot = parse_u32(nla.value())?;
    }
    Ok(timeouts)
}

/// Reads a `GET_INFO` reply body (`IPVS_INFO_ATTR_*`). Both attributes are
/// required.
pub fn kernel_info(body: &[u8]) -> Result<KernelInfo, DecodeError> {
    let mut version = None;
    let mut size = None;
    for nla in attributes(body) {
        let nla = nla.context("failed to parse info attributes")?;
        let slot = match nla.kind() {
            IPVS_INFO_ATTR_VERSION => &mut version,
            IPVS_INFO_ATTR_CONN_TAB_SIZE => &mut size,
            _ => continue,
        };
        *slot = Some(parse_u32(nla.value())?);
    }
    Ok(KernelInfo {
        version: version.ok_or("info reply lacks IPVS_INFO_ATTR_VERSION")?,
        conn_table_size: size.ok_or("info reply lacks IPVS_INFO_ATTR_CONN_TAB_SIZE")?,
    })
}
