//! IPVS generic-netlink messages and attributes: types, encoding and decoding. No I/O.
//!
//! One enum per attribute set, in the style of the rust-netlink packet crates:
//! [`IpvsCmdAttr`], [`SvcAttr`], [`DestAttr`], [`DaemonAttr`], [`StatsAttr`] and
//! [`InfoAttr`], each implementing netlink-packet-core's `Nla` (hence
//! `Emitable`) and `Parseable`, each keeping unknown attributes in an `Other`
//! variant. [`IpvsMessage`] is the genetlink body (`GenlFamily` "IPVS",
//! version 1). Functions convert between attribute lists and the domain model,
//! sending what ipvsadm 1.31 (libipvs) sends, and rejecting replies that lack
//! required attributes with a [`DecodeError`].
//!
//! Byte orders on the wire: netlink and genetlink headers, `u16`/`u32`/`u64`
//! attributes are host order; ports (`SVC_ATTR_PORT`, `DEST_ATTR_PORT`,
//! `DEST_ATTR_TUN_PORT`) are big-endian; addresses are the 16-byte
//! `union nf_inet_addr`; the service netmask is a raw `__be32`/prefix word.

pub mod constants;
mod daemon;
mod dest;
mod direct;
mod frame;
mod message;
mod nla;
mod query;
mod service;
mod stats;

pub use daemon::{daemon_attrs, daemon_stop_attrs, sync_daemon_from_attrs, DaemonAttr};
pub use dest::{
    destination_attrs, destination_entry_from_attrs, destination_entry_from_bytes,
    destination_entry_without_stats, destination_ref_attrs, unset_destination_config, DestAttr,
};
pub use direct::{
    push_delete_destination_request, push_delete_service_request, push_destination_request,
    push_destinations_query, push_service_request, ServiceRef,
};
pub use frame::{
    decode_ipvs_message, encode_family_lookup, encode_ipvs_message, family_id_from_reply,
    find_ipvs_attribute, frames, push_barrier, push_genl_message, push_ipvs_message, Frame, Frames,
    Reply,
};
pub use message::{
    kernel_info_from_attrs, timeouts_attrs, timeouts_from_attrs, InfoAttr, IpvsCmd, IpvsCmdAttr,
    IpvsMessage,
};
pub use netlink_packet_core::DecodeError;
pub use nla::{InetAddr, MAX_STRING_BYTES};
pub use query::{
    config_query, daemons_query, destinations_query, info_query, service_query, services_query,
    DUMP_FLAGS, REQUEST_FLAGS,
};
pub use service::{
    service_attrs, service_entry_from_attrs, service_entry_from_bytes, service_entry_without_stats,
    service_key_attrs, service_lookup_attrs, service_ref_attrs, IpvsFlags, SvcAttr,
};
pub use stats::{stats_attrs32, stats_attrs64, stats_from_attrs, Counter, StatsAttr};

#[cfg(test)]
mod tests;
