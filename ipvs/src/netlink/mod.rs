//! IPVS generic-netlink messages and attributes: types, encoding and decoding. No I/O.
//!
//! One enum per attribute set ([`SvcAttr`], [`DestAttr`], [`DaemonAttr`];
//! counters as a [`StatsNest`]), each parsed from netlink-packet-core's
//! `NlaBuffer` and written through one attribute writer straight into a
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

#[cfg(test)]
use daemon::emit_daemon_nest;
pub use daemon::{sync_daemon, DaemonAttr};
#[cfg(test)]
use dest::emit_destination_nest;
pub use dest::{destination_entry, unset_destination_config, DestAttr};
pub(crate) use frame::{family_id_from_reply, push_barrier, write_family_lookup};
pub use frame::{find_attribute, frames, ipvs_body, Frame, Frames, Header, Reply};
#[cfg(test)]
pub(crate) use frame::{write_ipvs_message, write_message};
pub use message::{kernel_info, timeouts, IpvsCmd};
pub use netlink_packet_core::DecodeError;
#[cfg(test)]
pub(crate) use nla::AttrWriter;
pub use nla::{InetAddr, MAX_STRING_BYTES};
pub use request::{Query, Request, ServiceRef, DUMP_FLAGS, REQUEST_FLAGS};
pub use service::{service_entry, IpvsFlags, ServiceNest, SvcAttr};
pub use stats::{Counter, Counters, StatsNest};

#[cfg(test)]
mod golden;
#[cfg(test)]
mod tests;
