//! From the live table to the desired one: the smallest ordered list of
//! kernel changes, each with the rule-file line it comes from.
//!
//! What is compared: services by key, real servers by address and port
//! within their service. A service or real server present in both with the
//! same configuration ([`same_service_config`], [`same_destination_config`])
//! is not touched, so its connections and counters stay. A different
//! configuration is an edit: the kernel can change every field of a service
//! (scheduler, flags, persistence timeout and netmask, persistence engine)
//! and of a real server (forwarding method, weight, thresholds, tunnel) in
//! place (Linux 6.1 `ip_vs_edit_service`, `ip_vs_edit_dest`). What changes
//! identity — another address, port, protocol or fwmark, or a real server
//! whose port is forced to the service's when it moves to direct routing
//! or tunnelling — is a removal plus an addition.
//!
//! Order: make before break. New services, service edits, new real
//! servers and real-server edits come first; then removed real servers, then
//! removed services. A service that stays never has fewer real servers than
//! in both the old and the new table (a service whose real servers are all
//! replaced never runs empty), and no change depends on a later one.

use std::net::IpAddr;

use crate::output::{
    destination_ref_rule, destination_rule, service_ref_rule, service_rule, RuleStyle, SystemNames,
};
use ipvs::client::Request;
use ipvs::model::ServiceKey;

use super::parse::Origins;
use super::table::{same_destination_config, same_service_config, show_dest, show_service, Table};

/// One change to make, and the rule-file line it comes from (`None` when
/// it removes something the file does not mention).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub request: Request,
    pub line: Option<usize>,
}

/// The changes that turn `live` into `desired`, in the order to apply them.
pub fn plan(live: &Table, desired: &Table, origins: &Origins) -> Vec<Step> {
    let mut add_services = Vec::new();
    let mut edit_services = Vec::new();
    let mut add_dests = Vec::new();
    let mut edit_dests = Vec::new();
    let mut delete_dests = Vec::new();
    let mut delete_services = Vec::new();

    for wanted in desired.services() {
        let service = wanted.service();
        let key = service.key;
        let current = live.service(&key);
        match current {
            None => add_services.push(Step {
                request: Request::AddService(service.clone()),
                line: origins.service(&key),
            }),
            Some(current) if !same_service_config(&current.service().config, &service.config) => {
                edit_services.push(Step {
                    request: Request::EditService(service.clone()),
                    line: origins.service(&key),
                })
            }
            Some(_) => {}
        }
        for dest in wanted.destinations() {
            let line = origins.destination(&key, dest.addr, dest.port);
            match current.and_then(|c| c.destination(dest.addr, dest.port)) {
                None => add_dests.push(Step {
                    request: Request::AddDestination(key, *dest),
                    line,
                }),
                Some(old) if !same_destination_config(&old.config, &dest.config) => edit_dests
                    .push(Step {
                        request: Request::EditDestination(key, *dest),
                        line,
                    }),
                Some(_) => {}
            }
        }
    }

    for current in live.services() {
        let key = current.service().key;
        match desired.service(&key) {
            None => delete_services.push(Step {
                request: Request::DeleteService(key),
                line: origins.service(&key),
            }),
            Some(wanted) => {
                for dest in current.destinations() {
                    if wanted.destination(dest.addr, dest.port).is_none() {
                        delete_dests.push(Step {
                            request: Request::DeleteDestination(key, dest.addr, dest.port),
                            line: origins.destination(&key, dest.addr, dest.port),
                        });
                    }
                }
            }
        }
    }

    [
        add_services,
        edit_services,
        add_dests,
        edit_dests,
        delete_dests,
        delete_services,
    ]
    .concat()
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
            "real server {} of service {}",
            show_dest(addr, port),
            show_service(key)
        )
    }
    match request {
        Request::AddService(s) | Request::EditService(s) => {
            format!("service {}", show_service(&s.key))
        }
        Request::DeleteService(key) => format!("service {}", show_service(key)),
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
