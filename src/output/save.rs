//! `ipvsadm -S`: the rules as `-A` and `-a` lines that `-R` reads back.

use std::io::{self, Write};

use crate::model::{AddressFamily, ForwardMethod, Protocol, ServiceFlags, ServiceKey, TunnelType};

use super::list::{
    destination_address, has_scheduler_flags, netmask_text, pe_name, scheduler_flags,
    service_address, tunnel_flag_index,
};
use super::names::{Names, SystemNames};
use super::sort::{destination_order, service_order};
use super::text::put;
use super::ServiceListing;

/// `-S` (`-S -n` when `numeric`): one `-A` line per service followed by an
/// `-a` line per real server, in ipvsadm's sorted order (`-S` never takes
/// `--nosort`). `services` is in kernel order. No header is printed.
pub fn write_save(w: &mut dyn Write, services: &[ServiceListing], numeric: bool) -> io::Result<()> {
    write_save_with(w, services, numeric, &SystemNames)
}

/// [`write_save`] with names from `names`.
pub fn write_save_with(
    w: &mut dyn Write,
    services: &[ServiceListing],
    numeric: bool,
    names: &dyn Names,
) -> io::Result<()> {
    for index in service_order(services, true) {
        let mut out = Vec::new();
        save_block(&mut out, &services[index], numeric, names);
        w.write_all(&out)?;
    }
    Ok(())
}

/// The `-f 5 [-6]` or `-t ADDR:PORT` part shared by a service's lines.
fn service_switch(listing: &ServiceListing, numeric: bool, names: &dyn Names) -> Vec<u8> {
    let mut text = Vec::new();
    match &listing.entry.service.key {
        ServiceKey::Fwmark { family, mark } => {
            // ipvsadm prints the mark with %d.
            put(&mut text, format!("-f {}", *mark as i32));
            if *family == AddressFamily::Inet6 {
                put(&mut text, " -6");
            }
        }
        ServiceKey::Addr { protocol, .. } => {
            put(
                &mut text,
                match protocol {
                    Protocol::Tcp => "-t ",
                    Protocol::Udp => "-u ",
                    Protocol::Sctp => "--sctp-service ",
                },
            );
            if let Some(address) = service_address(&listing.entry, numeric, names) {
                put(&mut text, address);
            }
        }
    }
    text
}

/// The switch `-R` takes for a forwarding method (ipvsadm's `fwd_switch`);
/// glibc prints ipvsadm's NULL for bypass as `(null)`.
fn forward_switch(forward: ForwardMethod) -> &'static str {
    match forward {
        ForwardMethod::Masquerade => "-m",
        ForwardMethod::Tunnel => "-i",
        ForwardMethod::Local | ForwardMethod::Route => "-g",
        ForwardMethod::Bypass => "(null)",
    }
}

fn save_block(out: &mut Vec<u8>, listing: &ServiceListing, numeric: bool, names: &dyn Names) {
    const TUNNEL_FLAG_OPTIONS: [&str; 3] = ["--tun-nocsum", "--tun-csum", "--tun-remcsum"];

    let entry = &listing.entry;
    let config = &entry.service.config;
    let switch = service_switch(listing, numeric, names);

    put(out, "-A ");
    put(out, &switch);
    put(out, " -s ");
    put(out, &config.scheduler);
    if config.flags.contains(ServiceFlags::PERSISTENT) {
        put(out, format!(" -p {}", config.timeout));
        if let Some(mask) = netmask_text(entry.service.key.family(), config.netmask) {
            put(out, format!(" -M {mask}"));
        }
    }
    if let Some(pe) = pe_name(entry) {
        put(out, format!(" --pe {pe}"));
    }
    if config.flags.contains(ServiceFlags::ONEPACKET) {
        put(out, " -o");
    }
    if has_scheduler_flags(config.flags) {
        put(out, " -b ");
        put(out, scheduler_flags(&config.scheduler, config.flags));
    }
    put(out, "\n");

    for index in destination_order(&listing.destinations, true) {
        let dest = &listing.destinations[index];
        let d = &dest.destination.config;
        put(out, "-a ");
        put(out, &switch);
        put(out, " -r ");
        put(out, destination_address(entry, dest, numeric, names));
        put(
            out,
            format!(" {} -w {}", forward_switch(d.forward), d.weight),
        );
        if d.forward == ForwardMethod::Tunnel {
            let flags = TUNNEL_FLAG_OPTIONS[tunnel_flag_index(d.tunnel_flags)];
            match d.tunnel_type {
                TunnelType::Ipip => put(out, " --tun-type ipip"),
                TunnelType::Gue => put(
                    out,
                    format!(" --tun-type gue --tun-port {} {flags}", d.tunnel_port),
                ),
                TunnelType::Gre => put(out, format!(" --tun-type gre {flags}")),
            }
        }
        put(out, "\n");
    }
}
