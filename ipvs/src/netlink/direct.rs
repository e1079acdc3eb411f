//! Service and real-server requests (and the per-service `GET_DEST` dump
//! request of listings) written straight into a send buffer,
//! byte for byte what [`push_ipvs_message`](super::push_ipvs_message) writes
//! for the [`IpvsMessage`](super::IpvsMessage) of the same request (the
//! attribute builders in `service.rs` and `dest.rs` define the layout), but
//! without building attribute values first: a restore sends one such
//! request per rule, tens of thousands at a time.

use std::net::IpAddr;

use netlink_packet_core::{NLA_F_NESTED, NLA_HEADER_SIZE};

use super::constants::*;
use super::message::IpvsCmd;
use super::nla::{c_string_len, emit_c_string, InetAddr};
use super::unset_destination_config;
use crate::model::{Destination, DestinationConfig, Netmask, Service, ServiceKey};

const NLMSG_HDRLEN: usize = 16;
const GENL_HDRLEN: usize = 4;

/// Writes the netlink and genetlink headers of a message whose length is
/// filled in by [`finish_message`]; returns where it starts.
fn start_message(out: &mut Vec<u8>, family_id: u16, flags: u16, seq: u32, cmd: IpvsCmd) -> usize {
    let start = out.len();
    // Both headers in one append (a restore writes tens of thousands).
    let mut header = [0u8; NLMSG_HDRLEN + GENL_HDRLEN];
    header[4..6].copy_from_slice(&family_id.to_ne_bytes());
    header[6..8].copy_from_slice(&flags.to_ne_bytes());
    header[8..12].copy_from_slice(&seq.to_ne_bytes());
    header[16..].copy_from_slice(&[cmd.to_raw(), IPVS_GENL_VERSION, 0, 0]);
    out.extend_from_slice(&header);
    start
}

/// Writes the message's length and, like `push_genl_message`, pads the
/// buffer to a multiple of 4 bytes.
fn finish_message(out: &mut Vec<u8>, start: usize) {
    let len = (out.len() - start) as u32;
    out[start..start + 4].copy_from_slice(&len.to_ne_bytes());
    let aligned = (out.len() + 3) & !3;
    out.resize(aligned, 0);
}

/// Zeros after a value of `len` bytes up to the attribute's 4-byte boundary.
fn pad(out: &mut Vec<u8>, len: usize) {
    let padding = (4 - (NLA_HEADER_SIZE + len) % 4) % 4;
    out.extend_from_slice(&[0; 3][..padding]);
}

/// The longest fixed-size value [`put`] writes (an address).
const MAX_FIXED_VALUE: usize = 16;

/// An attribute with its `N`-byte value, padded to 4 bytes (from the
/// attribute's start, as `emit_attrs` pads), built on the stack and
/// appended in one piece of a size known when compiling.
fn put<const N: usize>(out: &mut Vec<u8>, kind: u16, value: &[u8; N]) {
    assert!(N <= MAX_FIXED_VALUE);
    let mut attr = [0u8; NLA_HEADER_SIZE + MAX_FIXED_VALUE];
    attr[..2].copy_from_slice(&((NLA_HEADER_SIZE + N) as u16).to_ne_bytes());
    attr[2..4].copy_from_slice(&kind.to_ne_bytes());
    attr[NLA_HEADER_SIZE..NLA_HEADER_SIZE + N].copy_from_slice(value);
    out.extend_from_slice(&attr[..(NLA_HEADER_SIZE + N + 3) & !3]);
}

fn put_c_string(out: &mut Vec<u8>, kind: u16, s: &str) {
    let len = c_string_len(s);
    out.extend_from_slice(&((NLA_HEADER_SIZE + len) as u16).to_ne_bytes());
    out.extend_from_slice(&kind.to_ne_bytes());
    let start = out.len();
    out.resize(start + len, 0);
    emit_c_string(&mut out[start..], s);
    pad(out, len);
}

/// Opens a nested attribute; [`end_nest`] writes its length.
fn begin_nest(out: &mut Vec<u8>, kind: u16) -> usize {
    let start = out.len();
    out.extend_from_slice(&0u16.to_ne_bytes());
    out.extend_from_slice(&(kind | NLA_F_NESTED).to_ne_bytes());
    start
}

fn end_nest(out: &mut [u8], start: usize) {
    let len = (out.len() - start) as u16;
    out[start..start + 2].copy_from_slice(&len.to_ne_bytes());
}

/// The service's key attributes: `AF`, then `FWMARK` or `PROTOCOL`,
/// `ADDR`, `PORT`.
#[inline]
fn put_service_key(out: &mut Vec<u8>, key: &ServiceKey) {
    put(out, IPVS_SVC_ATTR_AF, &key.family().to_raw().to_ne_bytes());
    match key {
        ServiceKey::Fwmark { mark, .. } => put(out, IPVS_SVC_ATTR_FWMARK, &mark.to_ne_bytes()),
        ServiceKey::Addr {
            protocol,
            addr,
            port,
        } => {
            let protocol = protocol.to_raw().to_ne_bytes();
            put(out, IPVS_SVC_ATTR_PROTOCOL, &protocol);
            put(out, IPVS_SVC_ATTR_ADDR, &InetAddr::from_ip(*addr).0);
            put(out, IPVS_SVC_ATTR_PORT, &port.to_be_bytes());
        }
    }
}

/// The service nest: key, then `SCHED_NAME`, `PE_NAME` (when non-empty),
/// `FLAGS` (mask all ones), `TIMEOUT`, `NETMASK`.
#[allow(clippy::too_many_arguments)]
fn put_service_nest(
    out: &mut Vec<u8>,
    key: &ServiceKey,
    scheduler: &str,
    pe_name: Option<&str>,
    flags: u32,
    timeout: u32,
    netmask: u32,
) {
    let nest = begin_nest(out, IPVS_CMD_ATTR_SERVICE);
    put_service_key(out, key);
    put_c_string(out, IPVS_SVC_ATTR_SCHED_NAME, scheduler);
    if let Some(pe) = pe_name.filter(|pe| !pe.is_empty()) {
        put_c_string(out, IPVS_SVC_ATTR_PE_NAME, pe);
    }
    let mut flag_bytes = [0u8; 8];
    flag_bytes[..4].copy_from_slice(&flags.to_ne_bytes());
    flag_bytes[4..].copy_from_slice(&u32::MAX.to_ne_bytes());
    put(out, IPVS_SVC_ATTR_FLAGS, &flag_bytes);
    put(out, IPVS_SVC_ATTR_TIMEOUT, &timeout.to_ne_bytes());
    put(out, IPVS_SVC_ATTR_NETMASK, &netmask.to_ne_bytes());
    end_nest(out, nest);
}

/// How a request that only names a service (`DEL_SERVICE` and the
/// real-server commands) writes its service nest. Linux reads only the key
/// there (`ip_vs_genl_set_cmd` asks for the whole service only with
/// `NEW_SERVICE` and `SET_SERVICE`), so both name the same service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServiceRef {
    /// What ipvsadm 1.31 sends: the key, then the configuration attributes
    /// with empty values.
    Ipvsadm,
    /// The key attributes alone (less for the kernel to check and copy,
    /// tens of thousands of times in a restore).
    Key,
}

/// The service nest of a request that only names the service.
#[inline]
fn put_service_ref_nest(out: &mut Vec<u8>, key: &ServiceKey, naming: ServiceRef) {
    match naming {
        ServiceRef::Ipvsadm => put_service_nest(
            out,
            key,
            "",
            None,
            0,
            0,
            Netmask::full(key.family()).to_raw(),
        ),
        ServiceRef::Key => {
            let nest = begin_nest(out, IPVS_CMD_ATTR_SERVICE);
            put_service_key(out, key);
            end_nest(out, nest);
        }
    }
}

/// The destination nest: `ADDR_FAMILY`, `ADDR`, `PORT`, `FWD_METHOD`,
/// `WEIGHT`, `TUN_TYPE`, `TUN_PORT`, `TUN_FLAGS`, `U_THRESH`, `L_THRESH`.
#[inline]
fn put_dest_nest(out: &mut Vec<u8>, addr: IpAddr, port: u16, config: &DestinationConfig) {
    let nest = begin_nest(out, IPVS_CMD_ATTR_DEST);
    let family = crate::model::AddressFamily::of(&addr);
    put(
        out,
        IPVS_DEST_ATTR_ADDR_FAMILY,
        &family.to_raw().to_ne_bytes(),
    );
    put(out, IPVS_DEST_ATTR_ADDR, &InetAddr::from_ip(addr).0);
    put(out, IPVS_DEST_ATTR_PORT, &port.to_be_bytes());
    put(
        out,
        IPVS_DEST_ATTR_FWD_METHOD,
        &config.forward.to_raw().to_ne_bytes(),
    );
    put(
        out,
        IPVS_DEST_ATTR_WEIGHT,
        &(config.weight as u32).to_ne_bytes(),
    );
    put(out, IPVS_DEST_ATTR_TUN_TYPE, &[config.tunnel_type.to_raw()]);
    put(
        out,
        IPVS_DEST_ATTR_TUN_PORT,
        &config.tunnel_port.to_be_bytes(),
    );
    put(
        out,
        IPVS_DEST_ATTR_TUN_FLAGS,
        &config.tunnel_flags.to_ne_bytes(),
    );
    put(
        out,
        IPVS_DEST_ATTR_U_THRESH,
        &config.upper_threshold.to_ne_bytes(),
    );
    put(
        out,
        IPVS_DEST_ATTR_L_THRESH,
        &config.lower_threshold.to_ne_bytes(),
    );
    end_nest(out, nest);
}

/// `NEW_SERVICE` (`edit` false) or `SET_SERVICE` with the whole configuration.
pub fn push_service_request(
    out: &mut Vec<u8>,
    family_id: u16,
    flags: u16,
    seq: u32,
    service: &Service,
    edit: bool,
) {
    let cmd = if edit {
        IpvsCmd::SetService
    } else {
        IpvsCmd::NewService
    };
    let start = start_message(out, family_id, flags, seq, cmd);
    let config = &service.config;
    put_service_nest(
        out,
        &service.key,
        &config.scheduler,
        config.pe_name.as_deref(),
        config.flags.bits(),
        config.timeout,
        config.netmask.to_raw(),
    );
    finish_message(out, start);
}

/// `DEL_SERVICE`.
pub fn push_delete_service_request(
    out: &mut Vec<u8>,
    family_id: u16,
    flags: u16,
    seq: u32,
    key: &ServiceKey,
    naming: ServiceRef,
) {
    let start = start_message(out, family_id, flags, seq, IpvsCmd::DelService);
    put_service_ref_nest(out, key, naming);
    finish_message(out, start);
}

/// `NEW_DEST` (`edit` false) or `SET_DEST`.
#[allow(clippy::too_many_arguments)]
pub fn push_destination_request(
    out: &mut Vec<u8>,
    family_id: u16,
    flags: u16,
    seq: u32,
    key: &ServiceKey,
    dest: &Destination,
    edit: bool,
    naming: ServiceRef,
) {
    let cmd = if edit {
        IpvsCmd::SetDest
    } else {
        IpvsCmd::NewDest
    };
    let start = start_message(out, family_id, flags, seq, cmd);
    put_service_ref_nest(out, key, naming);
    put_dest_nest(out, dest.addr, dest.port, &dest.config);
    finish_message(out, start);
}

/// `DEL_DEST`.
#[allow(clippy::too_many_arguments)]
pub fn push_delete_destination_request(
    out: &mut Vec<u8>,
    family_id: u16,
    flags: u16,
    seq: u32,
    key: &ServiceKey,
    addr: IpAddr,
    port: u16,
    naming: ServiceRef,
) {
    let start = start_message(out, family_id, flags, seq, IpvsCmd::DelDest);
    put_service_ref_nest(out, key, naming);
    put_dest_nest(out, addr, port, &unset_destination_config());
    finish_message(out, start);
}

/// The `GET_DEST` dump request of [`destinations_query`](super::destinations_query):
/// the service's key only. A listing sends one per service.
pub fn push_destinations_query(
    out: &mut Vec<u8>,
    family_id: u16,
    flags: u16,
    seq: u32,
    key: &ServiceKey,
) {
    let start = start_message(out, family_id, flags, seq, IpvsCmd::GetDest);
    let nest = begin_nest(out, IPVS_CMD_ATTR_SERVICE);
    put_service_key(out, key);
    end_nest(out, nest);
    finish_message(out, start);
}
