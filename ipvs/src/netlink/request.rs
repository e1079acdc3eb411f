//! What a client asks of the kernel, as netlink messages: the changes
//! ([`Request`]) and the queries ([`Query`]), each written in one pass
//! straight into the send buffer.
//!
//! Single commands carry exactly what ipvsadm 1.31 sends. A request that
//! only names a service can name it by its key alone instead
//! ([`ServiceRef::Key`], how batches send them); Linux reads only the key
//! there (`ip_vs_genl_set_cmd` asks for the whole service only with
//! `NEW_SERVICE` and `SET_SERVICE`), so both name the same service.

use std::net::IpAddr;

use netlink_packet_core::{NLM_F_ACK, NLM_F_DUMP, NLM_F_REQUEST};

use super::daemon::{emit_daemon_nest, emit_daemon_stop_nest};
use super::dest::emit_destination_nest;
use super::frame::{write_ipvs_message, Header};
use super::message::{emit_timeouts, IpvsCmd};
use super::nla::AttrWriter;
use super::service::ServiceNest;
use crate::model::{
    DaemonState, Destination, DestinationConfig, Netmask, Service, ServiceKey, SyncDaemon, Timeouts,
};

/// Flags of a plain request: libnl adds `NLM_F_ACK` to everything ipvsadm sends.
pub const REQUEST_FLAGS: u16 = NLM_F_REQUEST | NLM_F_ACK;
/// Flags of a dump request. (The kernel sends no ACK after a dump's `NLMSG_DONE`.)
pub const DUMP_FLAGS: u16 = NLM_F_REQUEST | NLM_F_ACK | NLM_F_DUMP;

/// Something the kernel is asked to change, as ipvsadm's commands do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    /// `-A`: add a virtual service.
    AddService(Service),
    /// `-E`: replace a service's configuration (every field is sent).
    EditService(Service),
    /// `-D`: delete a service.
    DeleteService(ServiceKey),
    /// `-a`: add a real server.
    AddDestination(ServiceKey, Destination),
    /// `-e`: replace a real server's configuration.
    EditDestination(ServiceKey, Destination),
    /// `-d`: delete a real server (address, port).
    DeleteDestination(ServiceKey, IpAddr, u16),
    /// `-C`: delete every service.
    Flush,
    /// `-Z`: zero the counters of one service, or of all.
    Zero(Option<ServiceKey>),
    /// `--set`: change timeouts (zero leaves one unchanged).
    SetTimeouts(Timeouts),
    /// `--start-daemon`.
    StartDaemon(SyncDaemon),
    /// `--stop-daemon`; the kernel needs only the state.
    StopDaemon(DaemonState),
}

/// How a request that only names a service writes its service nest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServiceRef {
    /// What ipvsadm 1.31 sends: the key, then the configuration attributes
    /// with empty values ([`ServiceNest::Unset`]).
    Ipvsadm,
    /// The key attributes alone ([`ServiceNest::Key`]).
    Key,
}

/// Whether ipvsadm 1.31 would leave the service out of a `ZERO` request
/// (it does when fwmark, address and port are all zero, which zeroes everything).
fn zero_key_is_empty(key: &ServiceKey) -> bool {
    match key {
        ServiceKey::Fwmark { mark, .. } => *mark == 0,
        ServiceKey::Addr { addr, port, .. } => addr.is_unspecified() && *port == 0,
    }
}

impl Request {
    /// The IPVS command this request is sent as.
    pub fn command(&self) -> IpvsCmd {
        match self {
            Request::AddService(_) => IpvsCmd::NewService,
            Request::EditService(_) => IpvsCmd::SetService,
            Request::DeleteService(_) => IpvsCmd::DelService,
            Request::AddDestination(..) => IpvsCmd::NewDest,
            Request::EditDestination(..) => IpvsCmd::SetDest,
            Request::DeleteDestination(..) => IpvsCmd::DelDest,
            Request::Flush => IpvsCmd::Flush,
            Request::Zero(_) => IpvsCmd::Zero,
            Request::SetTimeouts(_) => IpvsCmd::SetConfig,
            Request::StartDaemon(_) => IpvsCmd::NewDaemon,
            Request::StopDaemon(_) => IpvsCmd::DelDaemon,
        }
    }

    /// Appends this request as one netlink message, naming a service whose
    /// key alone matters as `naming` says.
    pub fn write(&self, out: &mut Vec<u8>, header: Header, naming: ServiceRef) {
        write_ipvs_message(out, header, self.command(), |w| self.emit(w, naming));
    }

    fn emit(&self, w: &mut AttrWriter<'_>, naming: ServiceRef) {
        let by_key = |key| match naming {
            ServiceRef::Ipvsadm => ServiceNest::Unset(key, Netmask::full(key.family()).to_raw()),
            ServiceRef::Key => ServiceNest::Key(key),
        };
        match self {
            Request::AddService(service) | Request::EditService(service) => {
                ServiceNest::Config(service).emit(w)
            }
            Request::DeleteService(key) => by_key(key).emit(w),
            Request::AddDestination(key, dest) | Request::EditDestination(key, dest) => {
                by_key(key).emit(w);
                emit_destination_nest(w, dest);
            }
            Request::DeleteDestination(key, addr, port) => {
                by_key(key).emit(w);
                let dest = Destination {
                    addr: *addr,
                    port: *port,
                    // ipvsadm 1.31's configuration for a server named only by address.
                    config: DestinationConfig::default(),
                };
                emit_destination_nest(w, &dest);
            }
            Request::Flush => {}
            Request::Zero(Some(key)) if !zero_key_is_empty(key) => by_key(key).emit(w),
            Request::Zero(_) => {}
            Request::SetTimeouts(timeouts) => emit_timeouts(w, timeouts),
            Request::StartDaemon(daemon) => emit_daemon_nest(w, daemon),
            Request::StopDaemon(state) => emit_daemon_stop_nest(w, *state),
        }
    }
}

/// Something the kernel is asked to list, as ipvsadm 1.31 asks for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Query<'a> {
    /// `GET_INFO`, no attributes; answered by `SET_INFO`.
    Info,
    /// `GET_CONFIG`, no attributes; answered by `SET_CONFIG` with the timeouts.
    Config,
    /// `GET_SERVICE` dump, no attributes; one `NEW_SERVICE` per service.
    Services,
    /// Single `GET_SERVICE` (no dump flag) with ipvsadm's zeroed lookup
    /// (netmask 0); `ESRCH` if absent.
    Service(&'a ServiceKey),
    /// `GET_DEST` dump with the service key only; one `NEW_DEST` per real
    /// server. (`GET_DEST` exists only as a dump.)
    Destinations(&'a ServiceKey),
    /// `GET_DAEMON` dump, no attributes; one `NEW_DAEMON` per running daemon.
    Daemons,
}

impl Query<'_> {
    /// Whether the answer is a dump (ended by `NLMSG_DONE`, not an ACK).
    pub fn is_dump(&self) -> bool {
        matches!(
            self,
            Query::Services | Query::Destinations(_) | Query::Daemons
        )
    }

    /// The flags the query is sent with.
    pub fn flags(&self) -> u16 {
        if self.is_dump() {
            DUMP_FLAGS
        } else {
            REQUEST_FLAGS
        }
    }

    /// Appends the query as one netlink message (with [`Query::flags`]).
    pub fn write(&self, out: &mut Vec<u8>, family_id: u16, seq: u32) {
        let header = Header {
            msg_type: family_id,
            flags: self.flags(),
            seq,
        };
        let cmd = match self {
            Query::Info => IpvsCmd::GetInfo,
            Query::Config => IpvsCmd::GetConfig,
            Query::Services | Query::Service(_) => IpvsCmd::GetService,
            Query::Destinations(_) => IpvsCmd::GetDest,
            Query::Daemons => IpvsCmd::GetDaemon,
        };
        write_ipvs_message(out, header, cmd, |w| match *self {
            Query::Service(key) => ServiceNest::Unset(key, 0).emit(w),
            Query::Destinations(key) => ServiceNest::Key(key).emit(w),
            _ => {}
        });
    }
}
