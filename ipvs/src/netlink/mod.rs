//! IPVS generic-netlink messages and attributes: types, encoding and decoding. No I/O.
//!
//! One enum per attribute set ([`SvcAttr`], [`DestAttr`], [`DaemonAttr`];
//! counters as a [`StatsNest`]), each read from the one attribute walk
//! (`nla::attributes`) and written through one attribute writer straight into a
//! reused send buffer. Requests ([`Request`], [`Query`]) are written in one
//! pass from the model, with the attribute sets ipvsadm 1.31 (libipvs) sends;
//! replies are decoded entry by entry into the model, rejecting those that
//! lack required attributes with a [`DecodeError`].
//!
//! Byte orders on the wire: netlink and genetlink headers, `u16`/`u32`/`u64`
//! attributes are host order; ports (`SVC_ATTR_PORT`, `DEST_ATTR_PORT`,
//! `DEST_ATTR_TUN_PORT`) are big-endian; addresses are the 16-byte
//! `union nf_inet_addr`; the service netmask is a raw `__be32`/prefix word.

pub mod constants;
mod daemon;
mod dest;
mod frame;
mod message;
mod nla;
mod request;
mod service;
mod stats;

pub(crate) use daemon::sync_daemon;
pub(crate) use dest::destination_entry;
pub(crate) use frame::{
    family_id_from_reply, find_attribute, frames, ipvs_body, push_barrier, write_family_lookup,
    Header, Reply,
};
pub(crate) use message::{kernel_info, timeouts};
pub(crate) use netlink_packet_core::DecodeError;
pub use request::Request;
pub(crate) use request::{Query, ServiceRef, REQUEST_FLAGS};
pub(crate) use service::service_entry;
pub(crate) use stats::Counters;

// What only the tests below reach through this module.
#[cfg(test)]
use daemon::emit_daemon_nest;
#[cfg(test)]
use dest::{emit_destination_nest, DestAttr};
#[cfg(test)]
pub(crate) use frame::{write_ipvs_message, write_message, Frame};
#[cfg(test)]
pub(crate) use message::IpvsCmd;
#[cfg(test)]
pub(crate) use nla::AttrWriter;
#[cfg(test)]
use nla::{InetAddr, MAX_STRING_BYTES};
#[cfg(test)]
pub(crate) use request::DUMP_FLAGS;
#[cfg(test)]
pub(crate) use service::ServiceNest;
#[cfg(test)]
use service::{IpvsFlags, SvcAttr};
#[cfg(test)]
use stats::StatsNest;

#[cfg(test)]
mod golden;
#[cfg(test)]
mod tests;
