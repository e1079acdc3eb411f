//! `ipvsadm -L`: the version header, the column titles and one block per
//! service (its line, then one line per real server).

use std::io::{self, Write};
use std::net::IpAddr;

use ipvs::model::{
    AddressFamily, DestinationEntry, ForwardMethod, KernelInfo, Netmask, Protocol, ServiceEntry,
    ServiceFlags, ServiceKey, TunnelType,
};

use super::names::{addr_port, push_addr_port, Names, SystemNames};
use super::sort::{destination_order, service_order};
use super::text::{largenum, left, left_decimal, left_signed, put, right_decimal};
use super::{ListFormat, ListOptions, ServiceListing};

/// ipvsadm cuts an IPv4 service's `PROT ADDR:PORT` label to this many bytes.
const SERVICE_LABEL_MAX: usize = 33;
/// ipvsadm cuts an IPv4 real server's `ADDR:PORT` to this many bytes.
const DEST_NAME_MAX: usize = 28;

/// `-L` / `-l` without a service: the `IP Virtual Server version` line, the
/// column titles and every service, names looked up through the C library
/// unless `opts.numeric`.
///
/// `services` is in kernel order; it is sorted here unless `opts.sort` is off.
pub fn write_list(
    w: &mut dyn Write,
    info: &KernelInfo,
    services: &[ServiceListing],
    opts: &ListOptions,
) -> io::Result<()> {
    write_list_with(w, info, services, opts, &SystemNames)
}

/// [`write_list`] with names from `names`.
pub fn write_list_with(
    w: &mut dyn Write,
    info: &KernelInfo,
    services: &[ServiceListing],
    opts: &ListOptions,
    names: &dyn Names,
) -> io::Result<()> {
    write_list_heading(w, info)?;
    write_list_titles(w, opts.format)?;
    for index in service_order(services, opts.sort) {
        write_block(w, &services[index], opts, names)?;
    }
    Ok(())
}

/// The first line of `-L`: `IP Virtual Server version X.Y.Z (size=N)`.
/// (ipvsadm prints it before it asks the kernel for the services.)
pub fn write_list_heading(w: &mut dyn Write, info: &KernelInfo) -> io::Result<()> {
    let (major, minor, patch) = info.version_triple();
    // ipvsadm prints the table size with %d.
    writeln!(
        w,
        "IP Virtual Server version {major}.{minor}.{patch} (size={})",
        info.conn_table_size as i32
    )
}

/// The two column-title lines of a listing in `format`.
pub fn write_list_titles(w: &mut dyn Write, format: ListFormat) -> io::Result<()> {
    w.write_all(title(format).as_bytes())
}

/// One service's block of a listing: its line and its real servers' lines
/// (sorted unless `opts.sort` is off), names looked up through the C library
/// unless `opts.numeric`. With [`write_list_heading`], [`write_list_titles`]
/// and [`for_each_listing`](super::for_each_listing) this writes the same
/// listing as [`write_list`] one service at a time.
pub fn write_list_block(
    w: &mut dyn Write,
    listing: &ServiceListing,
    opts: &ListOptions,
) -> io::Result<()> {
    write_block(w, listing, opts, &SystemNames)
}

/// `-L -t|-u|-f SERVICE`: the column titles and that one service (ipvsadm
/// prints no version line here).
pub fn write_service(
    w: &mut dyn Write,
    service: &ServiceListing,
    opts: &ListOptions,
) -> io::Result<()> {
    write_service_with(w, service, opts, &SystemNames)
}

/// [`write_service`] with names from `names`.
pub fn write_service_with(
    w: &mut dyn Write,
    service: &ServiceListing,
    opts: &ListOptions,
    names: &dyn Names,
) -> io::Result<()> {
    write_list_titles(w, opts.format)?;
    write_block(w, service, opts, names)
}

/// The two column-title lines of a format (ipvsadm's `print_title`).
fn title(format: ListFormat) -> String {
    const SERVICE: &str = "Prot LocalAddress:Port";
    const REMOTE: &str = "  -> RemoteAddress:Port";
    match format {
        ListFormat::Stats => format!(
            "{SERVICE:<33} {:>8} {:>8} {:>8} {:>8} {:>8}\n{REMOTE}\n",
            "Conns", "InPkts", "OutPkts", "InBytes", "OutBytes"
        ),
        ListFormat::Rate => format!(
            "{SERVICE:<33} {:>8} {:>8} {:>8} {:>8} {:>8}\n{REMOTE}\n",
            "CPS", "InPPS", "OutPPS", "InBPS", "OutBPS"
        ),
        ListFormat::Thresholds => format!(
            "{SERVICE:<33} {:<10} {:<10} {:<10} {:<10}\n{REMOTE}\n",
            "Uthreshold", "Lthreshold", "ActiveConn", "InActConn"
        ),
        ListFormat::PersistentConn => format!(
            "{SERVICE:<33} {:<9} {:<11} {:<10} {:<10}\n{REMOTE}\n",
            "Weight", "PersistConn", "ActiveConn", "InActConn"
        ),
        ListFormat::TunInfo => format!(
            "{SERVICE} Scheduler Flags\n\
             {REMOTE}           Forward TunnelInfo    Weight ActiveConn InActConn\n"
        ),
        ListFormat::Default => format!(
            "{SERVICE} Scheduler Flags\n\
             {REMOTE}           Forward Weight ActiveConn InActConn\n"
        ),
    }
}

/// The `ADDR:PORT` text of a service, or `None` for a fwmark service.
pub(crate) fn service_address(
    entry: &ServiceEntry,
    numeric: bool,
    names: &dyn Names,
) -> Option<Vec<u8>> {
    match &entry.service.key {
        ServiceKey::Addr {
            protocol,
            addr,
            port,
        } => Some(addr_port(addr, *port, Some(*protocol), numeric, names)),
        ServiceKey::Fwmark { .. } => None,
    }
}

/// `FWM  5`, `FWM  5 IPv6` or `TCP  10.0.0.1:80` (cut at 33 bytes for IPv4).
fn service_label(entry: &ServiceEntry, numeric: bool, names: &dyn Names) -> Vec<u8> {
    let mut label = Vec::new();
    match &entry.service.key {
        ServiceKey::Fwmark { family, mark } => {
            // ipvsadm prints the mark with %d.
            put(&mut label, format!("FWM  {}", *mark as i32));
            if *family == AddressFamily::Inet6 {
                put(&mut label, " IPv6");
            }
        }
        ServiceKey::Addr { protocol, addr, .. } => {
            left(&mut label, protocol.upper_name().as_bytes(), 4);
            put(&mut label, " ");
            if let Some(address) = service_address(entry, numeric, names) {
                put(&mut label, address);
            }
            if !addr.is_ipv6() {
                label.truncate(SERVICE_LABEL_MAX);
            }
        }
    }
    label
}

/// ipvsadm's `print_sched_flags`: the names of the set scheduler flags,
/// comma-separated (`sh` and `mh` have their own names for flags 1 and 2 and
/// ignore flag 3).
pub(crate) fn scheduler_flags(scheduler: &str, flags: ServiceFlags) -> String {
    let none = ServiceFlags::default();
    let named: [(ServiceFlags, &str); 3] = match scheduler {
        "sh" => [
            (ServiceFlags::SCHED1, "sh-fallback"),
            (ServiceFlags::SCHED2, "sh-port"),
            (none, ""),
        ],
        "mh" => [
            (ServiceFlags::SCHED1, "mh-fallback"),
            (ServiceFlags::SCHED2, "mh-port"),
            (none, ""),
        ],
        _ => [
            (ServiceFlags::SCHED1, "flag-1"),
            (ServiceFlags::SCHED2, "flag-2"),
            (ServiceFlags::SCHED3, "flag-3"),
        ],
    };
    named
        .iter()
        .filter(|(bit, _)| flags.intersects(*bit))
        .map(|(_, name)| *name)
        .collect::<Vec<_>>()
        .join(",")
}

/// Whether any of the three scheduler flag bits is set.
pub(crate) fn has_scheduler_flags(flags: ServiceFlags) -> bool {
    flags.intersects(ServiceFlags::SCHED1 | ServiceFlags::SCHED2 | ServiceFlags::SCHED3)
}

/// A service's persistence netmask when it differs from the family's
/// default (`/32` for IPv4, `/128` for IPv6) and is printed.
pub(crate) fn netmask_text(family: AddressFamily, netmask: Netmask) -> Option<String> {
    (netmask != Netmask::full(family)).then(|| match netmask {
        Netmask::Ipv4(mask) => mask.to_string(),
        // ipvsadm prints the IPv6 prefix length with %i.
        Netmask::Ipv6(prefix) => (prefix as i32).to_string(),
    })
}

/// The persistence-engine name, when there is a non-empty one.
pub(crate) fn pe_name(entry: &ServiceEntry) -> Option<&str> {
    entry
        .service
        .config
        .pe_name
        .as_deref()
        .filter(|name| !name.is_empty())
}

/// A service line in the default, threshold, persistent-conn and tun-info
/// formats: `LABEL SCHED [(FLAGS)] [persistent T [mask M] [pe P]] [ops]`.
fn service_line(out: &mut Vec<u8>, entry: &ServiceEntry, label: &[u8]) {
    let config = &entry.service.config;
    put(out, label);
    put(out, " ");
    put(out, &config.scheduler);
    if has_scheduler_flags(config.flags) {
        put(out, " (");
        put(out, scheduler_flags(&config.scheduler, config.flags));
        put(out, ")");
    }
    if config.flags.contains(ServiceFlags::PERSISTENT) {
        put(out, format!(" persistent {}", config.timeout));
        if let Some(mask) = netmask_text(entry.service.key.family(), config.netmask) {
            put(out, format!(" mask {mask}"));
        }
        if let Some(pe) = pe_name(entry) {
            put(out, format!(" pe {pe}"));
        }
    }
    if config.flags.contains(ServiceFlags::ONEPACKET) {
        put(out, " ops");
    }
    put(out, "\n");
}

/// The name ipvsadm gives a forwarding method in listings; `None` for
/// `Bypass`, which it has no name for (its NULL, printed by glibc as
/// `(null)`).
pub(super) fn forward_name(forward: ForwardMethod) -> Option<&'static str> {
    match forward {
        ForwardMethod::Masquerade => Some("Masq"),
        ForwardMethod::Local => Some("Local"),
        ForwardMethod::Tunnel => Some("Tunnel"),
        ForwardMethod::Route => Some("Route"),
        ForwardMethod::Bypass => None,
    }
}

/// [`forward_name`] as the listing prints it.
fn listed_forward_name(forward: ForwardMethod) -> &'static [u8] {
    forward_name(forward).unwrap_or("(null)").as_bytes()
}

/// Index into ipvsadm's three-entry tunnel-flag tables (none, csum,
/// remcsum). ipvsadm indexes with the raw flags; values it cannot set
/// (both bits) are shown as remcsum, which is what the kernel applies.
pub(crate) fn tunnel_flag_index(flags: u16) -> usize {
    use ipvs::model::DestinationConfig as C;
    if flags & C::TUN_FLAG_REMCSUM != 0 {
        2
    } else if flags & C::TUN_FLAG_CSUM != 0 {
        1
    } else {
        0
    }
}

/// The `--tun-info` column: `ipip`, `gue:PORT:FLAGS`, `gre:FLAGS`, or `n/a`
/// for servers that are not tunnelled.
fn tunnel_info(dest: &DestinationEntry) -> String {
    const FLAGS: [&str; 3] = ["-c", "+c", "r+c"];
    let config = &dest.destination.config;
    if config.forward != ForwardMethod::Tunnel {
        return "n/a".to_string();
    }
    let flags = FLAGS[tunnel_flag_index(config.tunnel_flags)];
    match config.tunnel_type {
        TunnelType::Ipip => "ipip".to_string(),
        TunnelType::Gue => format!("gue:{}:{flags}", config.tunnel_port),
        TunnelType::Gre => format!("gre:{flags}"),
    }
}

/// ipvsadm 1.31 reads a real server's 64-bit counters with a 32-bit getter
/// for everything but the byte counts, so on x86 it shows them modulo 2^32.
fn as_shown_by_ipvsadm(value: u64) -> u64 {
    u64::from(value as u32)
}

/// One real-server line of a listing.
fn destination_line(
    out: &mut Vec<u8>,
    service: &ServiceEntry,
    dest: &DestinationEntry,
    opts: &ListOptions,
    names: &dyn Names,
) {
    let config = &dest.destination.config;
    let stats = &dest.stats;
    put(out, "  -> ");
    let name_start = out.len();
    let d = &dest.destination;
    push_addr_port(
        out,
        &d.addr,
        d.port,
        port_protocol(service),
        opts.numeric,
        names,
    );
    if !matches!(d.addr, IpAddr::V6(_)) {
        out.truncate(name_start + (out.len() - name_start).min(DEST_NAME_MAX));
    }
    let name_len = out.len() - name_start;
    out.resize(out.len() + 28usize.saturating_sub(name_len), b' ');
    match opts.format {
        ListFormat::Stats => {
            for value in [stats.conns, stats.inpkts, stats.outpkts] {
                largenum(out, as_shown_by_ipvsadm(value), opts.exact);
            }
            largenum(out, stats.inbytes, opts.exact);
            largenum(out, stats.outbytes, opts.exact);
        }
        ListFormat::Rate => {
            for value in [stats.cps, stats.inpps, stats.outpps] {
                put(out, " ");
                right_decimal(out, as_shown_by_ipvsadm(value), 8);
            }
            largenum(out, as_shown_by_ipvsadm(stats.inbps), opts.exact);
            largenum(out, as_shown_by_ipvsadm(stats.outbps), opts.exact);
        }
        ListFormat::Thresholds => {
            for value in [
                config.upper_threshold,
                config.lower_threshold,
                dest.active_conns,
                dest.inactive_conns,
            ] {
                put(out, " ");
                left_decimal(out, u64::from(value), 10);
            }
        }
        ListFormat::PersistentConn => {
            put(out, " ");
            // ipvsadm prints the weight with %u here.
            left_decimal(out, u64::from(config.weight as u32), 9);
            put(out, " ");
            left_decimal(out, u64::from(dest.persistent_conns), 11);
            connection_counts(out, dest);
        }
        ListFormat::TunInfo => {
            put(out, " ");
            left(out, listed_forward_name(config.forward), 7);
            put(out, " ");
            left(out, tunnel_info(dest).as_bytes(), 13);
            put(out, " ");
            left_signed(out, i64::from(config.weight), 6);
            connection_counts(out, dest);
        }
        ListFormat::Default => {
            put(out, " ");
            left(out, listed_forward_name(config.forward), 7);
            put(out, " ");
            left_signed(out, i64::from(config.weight), 6);
            connection_counts(out, dest);
        }
    }
    put(out, "\n");
}

/// ` ACTIVE INACTIVE` columns (`%-10u %-10u`) of a real server's line.
fn connection_counts(out: &mut Vec<u8>, dest: &DestinationEntry) {
    put(out, " ");
    left_decimal(out, u64::from(dest.active_conns), 10);
    put(out, " ");
    left_decimal(out, u64::from(dest.inactive_conns), 10);
}

/// The protocol a service's ports are named with (none for fwmarks).
fn port_protocol(service: &ServiceEntry) -> Option<Protocol> {
    match &service.service.key {
        ServiceKey::Addr { protocol, .. } => Some(*protocol),
        ServiceKey::Fwmark { .. } => None,
    }
}

/// A service line and its real servers (ipvsadm's `print_service_entry`
/// for listings).
fn write_block(
    w: &mut dyn Write,
    listing: &ServiceListing,
    opts: &ListOptions,
    names: &dyn Names,
) -> io::Result<()> {
    let mut out = Vec::with_capacity(128 * (listing.destinations.len() + 1));
    push_block(&mut out, listing, opts, names);
    w.write_all(&out)
}

/// [`write_list_block`] appending to `out` (a listing of thousands of
/// services reuses one buffer).
pub fn push_list_block(out: &mut Vec<u8>, listing: &ServiceListing, opts: &ListOptions) {
    push_block(out, listing, opts, &SystemNames)
}

fn push_block(out: &mut Vec<u8>, listing: &ServiceListing, opts: &ListOptions, names: &dyn Names) {
    let entry = &listing.entry;
    let label = service_label(entry, opts.numeric, names);
    let stats = &entry.stats;
    match opts.format {
        ListFormat::Stats | ListFormat::Rate => {
            left(out, &label, 33);
            let values = if opts.format == ListFormat::Stats {
                [
                    stats.conns,
                    stats.inpkts,
                    stats.outpkts,
                    stats.inbytes,
                    stats.outbytes,
                ]
            } else {
                [
                    stats.cps,
                    stats.inpps,
                    stats.outpps,
                    stats.inbps,
                    stats.outbps,
                ]
            };
            for value in values {
                largenum(out, value, opts.exact);
            }
            put(out, "\n");
        }
        _ => service_line(out, entry, &label),
    }
    for index in destination_order(&listing.destinations, opts.sort) {
        destination_line(out, entry, &listing.destinations[index], opts, names);
    }
}
