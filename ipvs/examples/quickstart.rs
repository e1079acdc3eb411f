//! Drives IPVS through the `ipvs` library: adds a service with real
//! servers, lists them, changes them by reconciling to a desired table, and
//! removes them. Needs root (`CAP_NET_ADMIN`) and the `ip_vs` module; run it
//! in a scratch network namespace (`unshare -n`) so as not to disturb a
//! live table. Exits non-zero on the first failure. Given the path of a
//! network namespace (`/run/netns/NAME`, `/proc/PID/ns/net`), it works on
//! that namespace's table instead, through [`Client::connect_in_namespace`].
//!
//! ```sh
//! cargo build --release -p ipvs --example quickstart
//! sudo unshare -n target/release/examples/quickstart
//! sudo ip netns add scratch
//! sudo target/release/examples/quickstart /run/netns/scratch
//! ```

use std::error::Error;
use std::net::IpAddr;
use std::process::ExitCode;

use ipvs::model::{Destination, ForwardMethod, Protocol, Service, ServiceKey, ServiceListing};
use ipvs::reconcile::{apply, plan, Outcome, Table};
use ipvs::{Client, Ipvs, Request};

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("quickstart: {e}");
            ExitCode::FAILURE
        }
    }
}

fn addr(text: &str) -> Result<IpAddr, Box<dyn Error>> {
    Ok(text.parse()?)
}

fn server(address: &str, port: u16, weight: i32) -> Result<Destination, Box<dyn Error>> {
    let mut server = Destination::new(addr(address)?, port);
    server.config.weight = weight;
    Ok(server)
}

fn show(listing: &[ServiceListing]) {
    if listing.is_empty() {
        println!("  (no services)");
    }
    for service in listing {
        let config = &service.entry.service.config;
        println!(
            "  {} scheduler {}",
            service.entry.service.key, config.scheduler
        );
        for dest in &service.destinations {
            let d = &dest.destination;
            println!(
                "    -> {} port {} {:?} weight {}",
                d.addr, d.port, d.config.forward, d.config.weight
            );
        }
    }
}

fn run() -> Result<(), Box<dyn Error>> {
    let mut client = match std::env::args_os().nth(1) {
        Some(namespace) => Client::connect_in_namespace(namespace)?,
        None => Client::connect()?,
    };
    let web = ServiceKey::Addr {
        protocol: Protocol::Tcp,
        addr: addr("10.0.0.3")?,
        port: 80,
    };

    // Add a weighted round-robin service with two real servers, one call each.
    println!("adding {web} (wrr) with real servers 10.0.0.11 and 10.0.0.12");
    client.add_service(&Service::new(web, "wrr"))?;
    client.add_destination(&web, &server("10.0.0.11", 80, 3)?)?;
    client.add_destination(&web, &server("10.0.0.12", 80, 1)?)?;

    let listing = client.listing()?;
    println!("the table now:");
    show(&listing);
    let servers = listing
        .iter()
        .find(|s| s.entry.service.key == web)
        .map_or(0, |s| s.destinations.len());
    if servers != 2 {
        return Err(format!("expected 2 real servers of {web}, listed {servers}").into());
    }

    // Describe the table wanted, and let reconciliation work out the
    // changes: 10.0.0.11 reweighted, 10.0.0.12 replaced by 10.0.0.13 (NAT),
    // a DNS service added.
    let dns = ServiceKey::Addr {
        protocol: Protocol::Udp,
        addr: addr("10.0.0.4")?,
        port: 53,
    };
    let mut desired = Table::new();
    desired.add_service(Service::new(web, "wrr"))?;
    desired.add_destination(web, server("10.0.0.11", 80, 5)?)?;
    let mut nat = server("10.0.0.13", 8080, 1)?;
    nat.config.forward = ForwardMethod::Masquerade;
    desired.add_destination(web, nat)?;
    desired.add_service(Service::new(dns, "rr"))?;
    desired.add_destination(dns, server("10.0.0.21", 53, 1)?)?;
    reconcile(&mut client, &desired)?;

    // Reconciling again finds nothing to do.
    let live = Table::from_listings(client.listing()?);
    if !live.same_as(&desired) || !plan(&live, &desired).is_empty() {
        return Err("the table is not the desired one after reconciling".into());
    }
    println!("the table now:");
    show(&client.listing()?);

    // Remove everything: reconcile to an empty table.
    reconcile(&mut client, &Table::new())?;
    let left = client.listing()?;
    println!("the table now:");
    show(&left);
    if !left.is_empty() {
        return Err(format!("{} services left after removing them all", left.len()).into());
    }
    Ok(())
}

/// Makes the live table `desired`, printing each change.
fn reconcile(client: &mut Client, desired: &Table) -> Result<(), Box<dyn Error>> {
    let live = Table::from_listings(client.listing()?);
    let changes = plan(&live, desired);
    println!("reconciling: {} changes", changes.len());
    for change in &changes {
        println!("  {}", describe(change));
    }
    match apply(client, &live, &changes) {
        Ok(Outcome::Applied) => Ok(()),
        Ok(Outcome::RolledBack {
            step,
            error,
            undone,
        }) => Err(format!(
            "change {} failed ({error}); the {undone} changes applied were undone",
            step + 1
        )
        .into()),
        Ok(Outcome::RollbackFailed {
            step,
            error,
            problems,
        }) => Err(format!(
            "change {} failed ({error}) and rolling back failed: {problems:?}",
            step + 1
        )
        .into()),
        Err((index, conflict)) => Err(format!(
            "change {} does not fit the live table: {conflict}",
            index + 1
        )
        .into()),
    }
}

/// One change in a line.
fn describe(change: &Request) -> String {
    let server = |d: &Destination| {
        format!(
            "{}:{} ({:?}, weight {})",
            d.addr, d.port, d.config.forward, d.config.weight
        )
    };
    match change {
        Request::AddService(s) => format!("add service {} ({})", s.key, s.config.scheduler),
        Request::EditService(s) => format!("edit service {} ({})", s.key, s.config.scheduler),
        Request::DeleteService(key) => format!("delete service {key}"),
        Request::AddDestination(key, d) => format!("add real server {} to {key}", server(d)),
        Request::EditDestination(key, d) => format!("edit real server {} of {key}", server(d)),
        Request::DeleteDestination(key, addr, port) => {
            format!("delete real server {addr}:{port} of {key}")
        }
        other => format!("{other:?}"),
    }
}
