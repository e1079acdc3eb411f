//! `ipvsadm -S`: the rules as `-A` and `-a` lines that `-R` reads back, and
//! the same renderers for single rule lines (`-A`/`-E`, `-a`/`-e`, `-D`, `-d`)
//! that other tools print (e.g. `ipvsadm-restore --dry-run`).

use std::io::{self, Write};
use std::net::IpAddr;

use ipvs::model::{
    AddressFamily, Destination, ForwardMethod, Protocol, Service, ServiceFlags, ServiceKey,
    TunnelType,
};

use super::list::{has_scheduler_flags, netmask_text, scheduler_flags, tunnel_flag_index};
use super::names::{addr_port, push_addr_port, Names, SystemNames};
use super::sort::{destination_order, service_order};
use super::text::{push_signed, put};
use super::ServiceListing;

/// How a rule line is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RuleStyle {
    /// Addresses and ports as numbers (`-S -n`).
    pub numeric: bool,
    /// Also write what `-S` leaves out, so that reading the line back gives
    /// exactly the same configuration: thresholds (`-x`, `-y`), a netmask of
    /// a service without persistence (`-M`), scheduler flags without a name
    /// for the scheduler (`flag-N`), and fwmarks above 2^31 unsigned.
    /// Off, lines are byte for byte ipvsadm 1.31's `-S` lines.
    pub complete: bool,
}

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
        write_save_block_with(w, &services[index], numeric, names)?;
    }
    Ok(())
}

/// One service's `-A` line and its real servers' `-a` lines (sorted), as
/// [`write_save`] writes them; with [`for_each_listing`](super::for_each_listing)
/// (sorting on) this writes the same output one service at a time.
pub fn write_save_block(
    w: &mut dyn Write,
    listing: &ServiceListing,
    numeric: bool,
) -> io::Result<()> {
    write_save_block_with(w, listing, numeric, &SystemNames)
}

fn write_save_block_with(
    w: &mut dyn Write,
    listing: &ServiceListing,
    numeric: bool,
    names: &dyn Names,
) -> io::Result<()> {
    let mut out = Vec::with_capacity(64 * (listing.destinations.len() + 1));
    push_save_block_with(&mut out, listing, numeric, names);
    w.write_all(&out)
}

/// [`write_save_block`] appending to `out` (a listing of thousands of
/// services reuses one buffer).
pub fn push_save_block(out: &mut Vec<u8>, listing: &ServiceListing, numeric: bool) {
    push_save_block_with(out, listing, numeric, &SystemNames)
}

fn push_save_block_with(
    out: &mut Vec<u8>,
    listing: &ServiceListing,
    numeric: bool,
    names: &dyn Names,
) {
    let style = RuleStyle {
        numeric,
        complete: false,
    };
    let service = &listing.entry.service;
    service_rule(out, "-A", service, style, names);
    // Every real server's line repeats the service's switch: written once.
    let mut switch = Vec::with_capacity(32);
    service_switch(&mut switch, &service.key, style, names);
    for d in destination_order(&listing.destinations, true) {
        let dest = &listing.destinations[d].destination;
        destination_rule_after(out, "-a", &switch, &service.key, dest, style, names);
    }
}

/// The `-f 5 [-6]` or `-t ADDR:PORT` part shared by a service's lines.
fn service_switch(out: &mut Vec<u8>, key: &ServiceKey, style: RuleStyle, names: &dyn Names) {
    match key {
        ServiceKey::Fwmark { family, mark } => {
            if style.complete {
                put(out, format!("-f {mark}"));
            } else {
                // ipvsadm prints the mark with %d.
                put(out, format!("-f {}", *mark as i32));
            }
            if *family == AddressFamily::Inet6 {
                put(out, " -6");
            }
        }
        ServiceKey::Addr {
            protocol,
            addr,
            port,
        } => {
            put(
                out,
                match protocol {
                    Protocol::Tcp => "-t ",
                    Protocol::Udp => "-u ",
                    Protocol::Sctp => "--sctp-service ",
                },
            );
            push_addr_port(out, addr, *port, Some(*protocol), style.numeric, names);
        }
    }
}

/// The protocol a service looks real-server ports up with (none for fwmark services).
fn port_protocol(key: &ServiceKey) -> Option<Protocol> {
    match key {
        ServiceKey::Addr { protocol, .. } => Some(*protocol),
        ServiceKey::Fwmark { .. } => None,
    }
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

/// Scheduler flags as `-b` takes them. The scheduler's own names, except in
/// a complete line whose flags include one the scheduler has no name for
/// (flag 3 of `sh`/`mh`): then the generic `flag-N` names, which every
/// scheduler accepts.
fn scheduler_flags_text(service: &Service, complete: bool) -> String {
    let config = &service.config;
    let named = scheduler_flags(&config.scheduler, config.flags);
    if !complete || scheduler_flags("", config.flags).split(',').count() == named.split(',').count()
    {
        return named;
    }
    scheduler_flags("", config.flags)
}

/// Appends a service line: `VERB SERVICE -s SCHED [-p T [-M MASK]] [--pe PE]
/// [-o] [-b FLAGS]` and a newline. `VERB` is `-A` or `-E`.
pub fn service_rule(
    out: &mut Vec<u8>,
    verb: &str,
    service: &Service,
    style: RuleStyle,
    names: &dyn Names,
) {
    let config = &service.config;
    put(out, verb);
    put(out, " ");
    service_switch(out, &service.key, style, names);
    put(out, " -s ");
    put(out, &config.scheduler);
    let persistent = config.flags.contains(ServiceFlags::PERSISTENT);
    if persistent {
        put(out, format!(" -p {}", config.timeout));
    }
    if persistent || style.complete {
        if let Some(mask) = netmask_text(service.key.family(), config.netmask) {
            put(out, format!(" -M {mask}"));
        }
    }
    if let Some(pe) = config.pe_name.as_deref().filter(|pe| !pe.is_empty()) {
        put(out, format!(" --pe {pe}"));
    }
    if config.flags.contains(ServiceFlags::ONEPACKET) {
        put(out, " -o");
    }
    if has_scheduler_flags(config.flags) {
        put(out, " -b ");
        put(out, scheduler_flags_text(service, style.complete));
    }
    put(out, "\n");
}

/// Appends a real-server line: `VERB SERVICE -r ADDR:PORT FWD -w W [tunnel
/// options] [-x U] [-y L]` and a newline. `VERB` is `-a` or `-e`.
pub fn destination_rule(
    out: &mut Vec<u8>,
    verb: &str,
    key: &ServiceKey,
    dest: &Destination,
    style: RuleStyle,
    names: &dyn Names,
) {
    let mut switch = Vec::with_capacity(32);
    service_switch(&mut switch, key, style, names);
    destination_rule_after(out, verb, &switch, key, dest, style, names);
}

/// [`destination_rule`] with the service's switch already written.
fn destination_rule_after(
    out: &mut Vec<u8>,
    verb: &str,
    switch: &[u8],
    key: &ServiceKey,
    dest: &Destination,
    style: RuleStyle,
    names: &dyn Names,
) {
    const TUNNEL_FLAG_OPTIONS: [&str; 3] = ["--tun-nocsum", "--tun-csum", "--tun-remcsum"];

    let d = &dest.config;
    put(out, verb);
    put(out, " ");
    put(out, switch);
    put(out, " -r ");
    push_addr_port(
        out,
        &dest.addr,
        dest.port,
        port_protocol(key),
        style.numeric,
        names,
    );
    put(out, " ");
    put(out, forward_switch(d.forward));
    put(out, " -w ");
    push_signed(out, i64::from(d.weight));
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
    if style.complete {
        if d.upper_threshold != 0 {
            put(out, format!(" -x {}", d.upper_threshold));
        }
        if d.lower_threshold != 0 {
            put(out, format!(" -y {}", d.lower_threshold));
        }
    }
    put(out, "\n");
}

/// Appends `VERB SERVICE` and a newline (`-D -t 10.0.0.1:80`).
pub fn service_ref_rule(
    out: &mut Vec<u8>,
    verb: &str,
    key: &ServiceKey,
    style: RuleStyle,
    names: &dyn Names,
) {
    put(out, verb);
    put(out, " ");
    service_switch(out, key, style, names);
    put(out, "\n");
}

/// Appends `VERB SERVICE -r ADDR:PORT` and a newline (`-d -t 10.0.0.1:80 -r 10.0.0.2:80`).
pub fn destination_ref_rule(
    out: &mut Vec<u8>,
    verb: &str,
    key: &ServiceKey,
    addr: &IpAddr,
    port: u16,
    style: RuleStyle,
    names: &dyn Names,
) {
    put(out, verb);
    put(out, " ");
    service_switch(out, key, style, names);
    put(out, " -r ");
    put(
        out,
        addr_port(addr, port, port_protocol(key), style.numeric, names),
    );
    put(out, "\n");
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{destination, service, tcp, NoNames};
    use super::*;
    use ipvs::model::Netmask;

    const NUMERIC: RuleStyle = RuleStyle {
        numeric: true,
        complete: false,
    };
    const COMPLETE: RuleStyle = RuleStyle {
        numeric: true,
        complete: true,
    };

    fn dest(addr: &str, port: u16, forward: ForwardMethod, weight: i32) -> Destination {
        destination(addr, port, forward, weight)
    }

    fn text(f: impl FnOnce(&mut Vec<u8>)) -> String {
        let mut out = Vec::new();
        f(&mut out);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn verbs_and_references() {
        let s = service(tcp("10.0.0.1", 80), "rr");
        assert_eq!(
            text(|o| service_rule(o, "-E", &s, NUMERIC, &NoNames)),
            "-E -t 10.0.0.1:80 -s rr\n"
        );
        let d = dest("10.0.0.2", 8080, ForwardMethod::Masquerade, 3);
        assert_eq!(
            text(|o| destination_rule(o, "-e", &s.key, &d, NUMERIC, &NoNames)),
            "-e -t 10.0.0.1:80 -r 10.0.0.2:8080 -m -w 3\n"
        );
        assert_eq!(
            text(|o| service_ref_rule(o, "-D", &s.key, NUMERIC, &NoNames)),
            "-D -t 10.0.0.1:80\n"
        );
        let v6 = ServiceKey::Fwmark {
            family: AddressFamily::Inet6,
            mark: 7,
        };
        assert_eq!(
            text(|o| destination_ref_rule(
                o,
                "-d",
                &v6,
                &"2001:db8::2".parse().unwrap(),
                0,
                NUMERIC,
                &NoNames
            )),
            "-d -f 7 -6 -r [2001:db8::2]:0\n"
        );
    }

    #[test]
    fn complete_lines_keep_what_save_drops() {
        // Each rule as save writes it, then with everything kept.
        fn both(rule: impl Fn(&mut Vec<u8>, RuleStyle), saved: &str, complete: &str) {
            assert_eq!(text(|o| rule(o, NUMERIC)), saved);
            assert_eq!(text(|o| rule(o, COMPLETE)), complete);
        }
        let mut s = service(tcp("10.0.0.1", 80), "sh");
        s.config.netmask = Netmask::Ipv4([255, 255, 255, 0].into());
        s.config.flags = ServiceFlags::SCHED1 | ServiceFlags::SCHED3;
        both(
            |o, style| service_rule(o, "-A", &s, style, &NoNames),
            "-A -t 10.0.0.1:80 -s sh -b sh-fallback\n",
            "-A -t 10.0.0.1:80 -s sh -M 255.255.255.0 -b flag-1,flag-3\n",
        );
        s.config.flags = ServiceFlags::SCHED2 | ServiceFlags::PERSISTENT;
        s.config.timeout = 60;
        assert_eq!(
            text(|o| service_rule(o, "-A", &s, COMPLETE, &NoNames)),
            "-A -t 10.0.0.1:80 -s sh -p 60 -M 255.255.255.0 -b sh-port\n"
        );

        let mut d = dest("10.0.0.2", 80, ForwardMethod::Route, 1);
        d.config.upper_threshold = 100;
        d.config.lower_threshold = 10;
        both(
            |o, style| destination_rule(o, "-a", &s.key, &d, style, &NoNames),
            "-a -t 10.0.0.1:80 -r 10.0.0.2:80 -g -w 1\n",
            "-a -t 10.0.0.1:80 -r 10.0.0.2:80 -g -w 1 -x 100 -y 10\n",
        );

        let big = ServiceKey::Fwmark {
            family: AddressFamily::Inet,
            mark: u32::MAX,
        };
        both(
            |o, style| service_ref_rule(o, "-D", &big, style, &NoNames),
            "-D -f -1\n",
            "-D -f 4294967295\n",
        );
    }
}
