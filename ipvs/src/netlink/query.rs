//! The listing requests, as ipvsadm 1.31 sends them, and the netlink flags
//! requests carry.

use netlink_packet_core::{NLM_F_ACK, NLM_F_DUMP, NLM_F_REQUEST};

use super::message::{IpvsCmd, IpvsCmdAttr, IpvsMessage};
use super::service::{service_key_attrs, service_lookup_attrs};
use crate::model::ServiceKey;

/// Flags of a plain request: libnl adds `NLM_F_ACK` to everything ipvsadm sends.
pub const REQUEST_FLAGS: u16 = NLM_F_REQUEST | NLM_F_ACK;
/// Flags of a dump request. (The kernel sends no ACK after a dump's `NLMSG_DONE`.)
pub const DUMP_FLAGS: u16 = NLM_F_REQUEST | NLM_F_ACK | NLM_F_DUMP;

/// `GET_INFO`, no attributes; answered by `SET_INFO`.
pub fn info_query() -> IpvsMessage {
    IpvsMessage::new(IpvsCmd::GetInfo)
}

/// `GET_CONFIG`, no attributes; answered by `SET_CONFIG` with the timeouts.
pub fn config_query() -> IpvsMessage {
    IpvsMessage::new(IpvsCmd::GetConfig)
}

/// `GET_SERVICE` dump, no attributes; one `NEW_SERVICE` per service.
pub fn services_query() -> IpvsMessage {
    IpvsMessage::new(IpvsCmd::GetService)
}

/// Single `GET_SERVICE` (no dump flag) with the lookup nest; `ESRCH` if absent.
pub fn service_query(key: &ServiceKey) -> IpvsMessage {
    IpvsMessage::with_attrs(
        IpvsCmd::GetService,
        vec![IpvsCmdAttr::Service(service_lookup_attrs(key))],
    )
}

/// `GET_DEST` dump with the service key only; one `NEW_DEST` per real server.
/// (`GET_DEST` exists only as a dump.)
pub fn destinations_query(key: &ServiceKey) -> IpvsMessage {
    IpvsMessage::with_attrs(
        IpvsCmd::GetDest,
        vec![IpvsCmdAttr::Service(service_key_attrs(key))],
    )
}

/// `GET_DAEMON` dump, no attributes; one `NEW_DAEMON` per running daemon.
pub fn daemons_query() -> IpvsMessage {
    IpvsMessage::new(IpvsCmd::GetDaemon)
}
