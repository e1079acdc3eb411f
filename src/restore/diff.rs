//! The front end's view of a plan ([`ipvs::reconcile::plan`]): each change
//! with the rule-file line it comes from, as an `ipvsadm` command line for
//! `--dry-run`, and what it is about for messages.

use std::net::{IpAddr, SocketAddr};

use crate::output::{
    destination_ref_rule, destination_rule, service_ref_rule, service_rule, RuleStyle, SystemNames,
};
use ipvs::model::ServiceKey;
use ipvs::reconcile::{plan, Table};
use ipvs::Request;

use super::parse::Desired;

/// The changes that turn `live` into the desired table, in the order to
/// apply them, and for each the rule-file line it comes from.
pub fn plan_with_lines(live: &Table, desired: &Desired) -> (Vec<Request>, Vec<Option<usize>>) {
    plan_towards(live, &desired.table, desired)
}

/// Like [`plan_with_lines`], towards `target`: the desired table, or the
/// one that keeps draining real servers at weight 0 first
/// ([`ipvs::reconcile::draining`]).
pub fn plan_towards(
    live: &Table,
    target: &Table,
    desired: &Desired,
) -> (Vec<Request>, Vec<Option<usize>>) {
    let changes = plan(live, target);
    let lines = changes.iter().map(|c| desired.origins.line_of(c)).collect();
    (changes, lines)
}

/// A table change as an `ipvsadm` command line that `ipvsadm -R` reads
/// back to the same request: numeric, with every field that differs from
/// ipvsadm's defaults. Ends with a newline. `None` for requests that are not
/// table changes.
pub fn command_line(request: &Request) -> Option<String> {
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
        Request::Zero(_)
        | Request::SetTimeouts(_)
        | Request::StartDaemon(_)
        | Request::StopDaemon(_) => return None,
    }
    Some(String::from_utf8_lossy(&out).into_owned())
}

/// What a step is about, for messages: `service -t 10.0.0.1:80` or
/// `real server 10.0.0.2:80 of service -t 10.0.0.1:80`.
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
        Request::Zero(_) => "counters".to_string(),
        Request::SetTimeouts(_) => "timeouts".to_string(),
        Request::StartDaemon(_) | Request::StopDaemon(_) => "sync daemon".to_string(),
    }
}

#[cfg(test)]
mod tests;
