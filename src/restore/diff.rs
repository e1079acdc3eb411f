//! The front end's view of a plan ([`ipvs::reconcile::plan`]): each change
//! with the rule-file line it comes from, then the `-Z` lines once the table
//! is in place; each as an `ipvsadm` command line for `--dry-run`, and what
//! it is about for messages.

use std::net::{IpAddr, SocketAddr};

use crate::output::{
    destination_ref_rule, destination_rule, service_ref_rule, service_rule, RuleStyle, SystemNames,
};
use ipvs::model::{ServiceKey, SyncDaemon};
use ipvs::reconcile::{plan, Table};
use ipvs::Request;

use super::parse::Desired;

/// The changes that turn `live` into `target` (the desired table, or the
/// one that keeps draining real servers at weight 0 first:
/// [`ipvs::reconcile::draining`]), in the order to apply them, then the
/// zeroing the file asks for; and for each the rule-file line it comes from.
pub fn plan_towards(
    live: &Table,
    target: &Table,
    desired: &Desired,
) -> (Vec<Request>, Vec<Option<usize>>) {
    let changes = plan(live, target);
    let mut lines: Vec<Option<usize>> =
        changes.iter().map(|c| desired.origins.line_of(c)).collect();
    let zeros = zero_steps(desired);
    lines.extend(zeros.iter().map(|(line, _)| Some(*line)));
    let changes = changes
        .into_iter()
        .chain(zeros.into_iter().map(|(_, zero)| zero))
        .collect();
    (changes, lines)
}

/// The file's `-Z` lines as they act on the table in place: one `-Z` for
/// all if any line zeroes all, else one per service still in the table
/// (zeroing a service the file then removes has no lasting effect), in file
/// order, each with its line.
fn zero_steps(desired: &Desired) -> Vec<(usize, Request)> {
    if let Some((line, _)) = desired.zeros.iter().find(|(_, key)| key.is_none()) {
        return vec![(*line, Request::Zero(None))];
    }
    let mut steps: Vec<(usize, Request)> = Vec::new();
    for (line, key) in &desired.zeros {
        let Some(key) = key else { continue };
        let request = Request::Zero(Some(*key));
        if desired.table.service(key).is_some() && !steps.iter().any(|(_, r)| *r == request) {
            steps.push((*line, request));
        }
    }
    steps
}

/// A change as an `ipvsadm` command line that `ipvsadm -R` reads back to
/// the same request: numeric, with every field that differs from ipvsadm's
/// defaults. Ends with a newline.
pub fn command_line(request: &Request) -> String {
    let style = RuleStyle {
        numeric: true,
        complete: true,
    };
    // Numeric: no name is ever looked up.
    let names = &SystemNames;
    let mut out = Vec::new();
    match request {
        Request::AddService(s) => service_rule(&mut out, "-A", s, style, names),
        Request::EditService(s) => service_rule(&mut out, "-E", s, style, names),
        Request::DeleteService(key) => service_ref_rule(&mut out, "-D", key, style, names),
        Request::AddDestination(key, d) => destination_rule(&mut out, "-a", key, d, style, names),
        Request::EditDestination(key, d) => destination_rule(&mut out, "-e", key, d, style, names),
        Request::DeleteDestination(key, addr, port) => {
            destination_ref_rule(&mut out, "-d", key, addr, *port, style, names)
        }
        Request::Flush => out.extend_from_slice(b"-C\n"),
        Request::Zero(None) => out.extend_from_slice(b"-Z\n"),
        Request::Zero(Some(key)) => service_ref_rule(&mut out, "-Z", key, style, names),
        Request::SetTimeouts(t) => {
            out.extend_from_slice(format!("--set {} {} {}\n", t.tcp, t.tcp_fin, t.udp).as_bytes())
        }
        Request::StartDaemon(d) => out.extend_from_slice(start_daemon_line(d).as_bytes()),
        Request::StopDaemon(state) => {
            out.extend_from_slice(format!("--stop-daemon {}\n", state.name()).as_bytes())
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `--start-daemon STATE --mcast-interface IF --syncid N`, with the other
/// settings that are not the kernel's defaults.
fn start_daemon_line(d: &SyncDaemon) -> String {
    let mut line = format!(
        "--start-daemon {} --mcast-interface {} --syncid {}",
        d.state.name(),
        d.mcast_ifn,
        d.syncid
    );
    if d.sync_maxlen != 0 {
        line += &format!(" --sync-maxlen {}", d.sync_maxlen);
    }
    if let Some(group) = d.mcast_group {
        line += &format!(" --mcast-group {group}");
    }
    if d.mcast_port != 0 {
        line += &format!(" --mcast-port {}", d.mcast_port);
    }
    if d.mcast_ttl != 0 {
        line += &format!(" --mcast-ttl {}", d.mcast_ttl);
    }
    line + "\n"
}

/// What a step is about, for messages: `service -t 10.0.0.1:80`,
/// `real server 10.0.0.2:80 of service -t 10.0.0.1:80`, `timeouts`, ...
pub fn subject(request: &Request) -> String {
    fn dest(key: &ServiceKey, addr: &IpAddr, port: u16) -> String {
        format!(
            "real server {} of service {key}",
            SocketAddr::new(*addr, port)
        )
    }
    match request {
        Request::AddService(s) | Request::EditService(s) => {
            format!("service {}", s.key)
        }
        Request::DeleteService(key) => format!("service {key}"),
        Request::AddDestination(key, d) | Request::EditDestination(key, d) => {
            dest(key, &d.addr, d.port)
        }
        Request::DeleteDestination(key, addr, port) => dest(key, addr, *port),
        Request::Flush => "every service".to_string(),
        Request::Zero(None) => "the counters of every service".to_string(),
        Request::Zero(Some(key)) => format!("the counters of service {key}"),
        Request::SetTimeouts(_) => "timeouts".to_string(),
        Request::StartDaemon(d) => format!("{} sync daemon", d.state.name()),
        Request::StopDaemon(state) => format!("{} sync daemon", state.name()),
    }
}

#[cfg(test)]
mod tests;
