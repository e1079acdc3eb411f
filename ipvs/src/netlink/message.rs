//! The IPVS generic-netlink message: a command and its first-level attributes.
//!
//! Kernel facts (Linux 6.1): replies to `GET_SERVICE` and dump entries use
//! `NEW_SERVICE`/`NEW_DEST`/`NEW_DAEMON`; `GET_CONFIG` is answered with
//! `SET_CONFIG` carrying the three timeouts; `GET_INFO` with `SET_INFO`
//! carrying `IPVS_INFO_ATTR_*` at the top level (whose numbers overlap the
//! `IPVS_CMD_ATTR_*` ones, so the command decides how attributes are read).

use netlink_packet_core::{
    emit_u32, parse_u32, DecodeError, DefaultNla, Emitable, Nla, NlaBuffer, Parseable,
    ParseableParametrized, NLA_F_NESTED,
};
use netlink_packet_generic::{GenlFamily, GenlHeader};

use super::constants::*;
use super::daemon::DaemonAttr;
use super::dest::DestAttr;
use super::nla::{emit_attrs, parse_each, parse_list};
use super::service::SvcAttr;
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

    /// Whether the top-level attributes are `IPVS_INFO_ATTR_*`.
    fn carries_info(self) -> bool {
        matches!(self, IpvsCmd::SetInfo | IpvsCmd::GetInfo)
    }
}

/// An attribute of the `GET_INFO` reply (`IPVS_INFO_ATTR_*`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InfoAttr {
    /// `IP_VS_VERSION_CODE`: `(major << 16) | (minor << 8) | patch`.
    Version(u32),
    /// Size of the connection hash table.
    ConnTabSize(u32),
    /// Anything else, kept as it came.
    Other(DefaultNla),
}

impl Nla for InfoAttr {
    fn value_len(&self) -> usize {
        match self {
            InfoAttr::Version(_) | InfoAttr::ConnTabSize(_) => 4,
            InfoAttr::Other(nla) => nla.value_len(),
        }
    }

    fn kind(&self) -> u16 {
        match self {
            InfoAttr::Version(_) => IPVS_INFO_ATTR_VERSION,
            InfoAttr::ConnTabSize(_) => IPVS_INFO_ATTR_CONN_TAB_SIZE,
            InfoAttr::Other(nla) => nla.kind(),
        }
    }

    fn emit_value(&self, buffer: &mut [u8]) {
        match self {
            InfoAttr::Version(v) | InfoAttr::ConnTabSize(v) => {
                let _ = emit_u32(buffer, *v);
            }
            InfoAttr::Other(nla) => nla.emit_value(buffer),
        }
    }
}

impl<'a, T: AsRef<[u8]> + ?Sized> Parseable<NlaBuffer<&'a T>> for InfoAttr {
    fn parse(buf: &NlaBuffer<&'a T>) -> Result<Self, DecodeError> {
        Ok(match buf.kind() {
            IPVS_INFO_ATTR_VERSION => InfoAttr::Version(parse_u32(buf.value())?),
            IPVS_INFO_ATTR_CONN_TAB_SIZE => InfoAttr::ConnTabSize(parse_u32(buf.value())?),
            _ => InfoAttr::Other(DefaultNla::parse(buf)?),
        })
    }
}

/// A first-level attribute (`IPVS_CMD_ATTR_*`, or `IPVS_INFO_ATTR_*` in the
/// `GET_INFO` reply).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IpvsCmdAttr {
    /// Service nest.
    Service(Vec<SvcAttr>),
    /// Destination nest.
    Dest(Vec<DestAttr>),
    /// Sync daemon nest.
    Daemon(Vec<DaemonAttr>),
    /// TCP established timeout, seconds.
    TimeoutTcp(u32),
    /// TCP FIN_WAIT timeout, seconds.
    TimeoutTcpFin(u32),
    /// UDP timeout, seconds.
    TimeoutUdp(u32),
    /// An attribute of the `GET_INFO` reply.
    Info(InfoAttr),
    /// Anything else, kept as it came.
    Other(DefaultNla),
}

impl Nla for IpvsCmdAttr {
    fn value_len(&self) -> usize {
        use IpvsCmdAttr::*;
        match self {
            Service(attrs) => attrs.as_slice().buffer_len(),
            Dest(attrs) => attrs.as_slice().buffer_len(),
            Daemon(attrs) => attrs.as_slice().buffer_len(),
            TimeoutTcp(_) | TimeoutTcpFin(_) | TimeoutUdp(_) => 4,
            Info(attr) => attr.value_len(),
            Other(nla) => nla.value_len(),
        }
    }

    fn kind(&self) -> u16 {
        use IpvsCmdAttr::*;
        match self {
            // libnl's nla_nest_start sets NLA_F_NESTED; the kernel accepts
            // nests with or without it and never sets it itself.
            Service(_) => IPVS_CMD_ATTR_SERVICE | NLA_F_NESTED,
            Dest(_) => IPVS_CMD_ATTR_DEST | NLA_F_NESTED,
            Daemon(_) => IPVS_CMD_ATTR_DAEMON | NLA_F_NESTED,
            TimeoutTcp(_) => IPVS_CMD_ATTR_TIMEOUT_TCP,
            TimeoutTcpFin(_) => IPVS_CMD_ATTR_TIMEOUT_TCP_FIN,
            TimeoutUdp(_) => IPVS_CMD_ATTR_TIMEOUT_UDP,
            Info(attr) => attr.kind(),
            Other(nla) => nla.kind(),
        }
    }

    fn emit_value(&self, buffer: &mut [u8]) {
        use IpvsCmdAttr::*;
        match self {
            Service(attrs) => emit_attrs(attrs, buffer),
            Dest(attrs) => emit_attrs(attrs, buffer),
            Daemon(attrs) => emit_attrs(attrs, buffer),
            TimeoutTcp(v) | TimeoutTcpFin(v) | TimeoutUdp(v) => {
                let _ = emit_u32(buffer, *v);
            }
            Info(attr) => attr.emit_value(buffer),
            Other(nla) => nla.emit_value(buffer),
        }
    }
}

impl<'a, T: AsRef<[u8]> + ?Sized> ParseableParametrized<NlaBuffer<&'a T>, IpvsCmd> for IpvsCmdAttr {
    fn parse_with_param(buf: &NlaBuffer<&'a T>, cmd: IpvsCmd) -> Result<Self, DecodeError> {
        if cmd.carries_info() {
            return Ok(IpvsCmdAttr::Info(InfoAttr::parse(buf)?));
        }
        let value = buf.value();
        Ok(match buf.kind() {
            IPVS_CMD_ATTR_SERVICE => IpvsCmdAttr::Service(parse_list(value, "service")?),
            IPVS_CMD_ATTR_DEST => IpvsCmdAttr::Dest(parse_list(value, "destination")?),
            IPVS_CMD_ATTR_DAEMON => IpvsCmdAttr::Daemon(parse_list(value, "daemon")?),
            IPVS_CMD_ATTR_TIMEOUT_TCP => IpvsCmdAttr::TimeoutTcp(parse_u32(value)?),
            IPVS_CMD_ATTR_TIMEOUT_TCP_FIN => IpvsCmdAttr::TimeoutTcpFin(parse_u32(value)?),
            IPVS_CMD_ATTR_TIMEOUT_UDP => IpvsCmdAttr::TimeoutUdp(parse_u32(value)?),
            _ => IpvsCmdAttr::Other(DefaultNla::parse(buf)?),
        })
    }
}

/// An IPVS generic-netlink message body (after the genetlink header).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IpvsMessage {
    pub cmd: IpvsCmd,
    pub attrs: Vec<IpvsCmdAttr>,
}

impl IpvsMessage {
    /// A message with no attributes.
    pub fn new(cmd: IpvsCmd) -> Self {
        IpvsMessage {
            cmd,
            attrs: Vec::new(),
        }
    }

    /// A message with attributes.
    pub fn with_attrs(cmd: IpvsCmd, attrs: Vec<IpvsCmdAttr>) -> Self {
        IpvsMessage { cmd, attrs }
    }

    /// The first service nest, if any.
    pub fn service(&self) -> Option<&[SvcAttr]> {
        self.attrs.iter().find_map(|attr| match attr {
            IpvsCmdAttr::Service(attrs) => Some(attrs.as_slice()),
            _ => None,
        })
    }

    /// The first destination nest, if any.
    pub fn dest(&self) -> Option<&[DestAttr]> {
        self.attrs.iter().find_map(|attr| match attr {
            IpvsCmdAttr::Dest(attrs) => Some(attrs.as_slice()),
            _ => None,
        })
    }

    /// The first daemon nest, if any.
    pub fn daemon(&self) -> Option<&[DaemonAttr]> {
        self.attrs.iter().find_map(|attr| match attr {
            IpvsCmdAttr::Daemon(attrs) => Some(attrs.as_slice()),
            _ => None,
        })
    }
}

impl GenlFamily for IpvsMessage {
    fn family_name() -> &'static str {
        IPVS_GENL_NAME
    }

    fn command(&self) -> u8 {
        self.cmd.to_raw()
    }

    fn version(&self) -> u8 {
        IPVS_GENL_VERSION
    }
}

impl Emitable for IpvsMessage {
    fn buffer_len(&self) -> usize {
        self.attrs.as_slice().buffer_len()
    }

    fn emit(&self, buffer: &mut [u8]) {
        emit_attrs(&self.attrs, buffer)
    }
}

impl ParseableParametrized<[u8], GenlHeader> for IpvsMessage {
    fn parse_with_param(buf: &[u8], header: GenlHeader) -> Result<Self, DecodeError> {
        let cmd = IpvsCmd::from_raw(header.cmd)
            .ok_or_else(|| DecodeError::from(format!("unknown IPVS command {}", header.cmd)))?;
        let attrs = parse_each(buf, |nla| IpvsCmdAttr::parse_with_param(nla, cmd))?;
        Ok(IpvsMessage { cmd, attrs })
    }
}

/// The `SET_CONFIG` attributes ipvsadm 1.31 sends for `--set`: all three
/// timeouts, zero meaning "leave unchanged" (the kernel skips zero values).
pub fn timeouts_attrs(timeouts: &Timeouts) -> Vec<IpvsCmdAttr> {
    vec![
        IpvsCmdAttr::TimeoutTcp(timeouts.tcp),
        IpvsCmdAttr::TimeoutTcpFin(timeouts.tcp_fin),
        IpvsCmdAttr::TimeoutUdp(timeouts.udp),
    ]
}

/// Reads the timeouts of a `GET_CONFIG` reply; absent ones are 0 (the kernel
/// omits the TCP or UDP ones when built without that protocol).
pub fn timeouts_from_attrs(attrs: &[IpvsCmdAttr]) -> Timeouts {
    let mut timeouts = Timeouts::default();
    for attr in attrs {
        match attr {
            IpvsCmdAttr::TimeoutTcp(v) => timeouts.tcp = *v,
            IpvsCmdAttr::TimeoutTcpFin(v) => timeouts.tcp_fin = *v,
            IpvsCmdAttr::TimeoutUdp(v) => timeouts.udp = *v,
            _ => {}
        }
    }
    timeouts
}

/// Reads a `GET_INFO` reply. Both attributes are required.
pub fn kernel_info_from_attrs(attrs: &[IpvsCmdAttr]) -> Result<KernelInfo, DecodeError> {
    let mut version = None;
    let mut size = None;
    for attr in attrs {
        match attr {
            IpvsCmdAttr::Info(InfoAttr::Version(v)) => version = Some(*v),
            IpvsCmdAttr::Info(InfoAttr::ConnTabSize(v)) => size = Some(*v),
            _ => {}
        }
    }
    Ok(KernelInfo {
        version: version.ok_or("info reply lacks IPVS_INFO_ATTR_VERSION")?,
        conn_table_size: size.ok_or("info reply lacks IPVS_INFO_ATTR_CONN_TAB_SIZE")?,
    })
}
