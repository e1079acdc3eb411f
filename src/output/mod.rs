//! Listings, save format and connection tables, byte for byte as ipvsadm 1.31
//! prints them, and the same listings as JSON ([`write_list_json`] and
//! friends, an extension).
//!
//! Every writer builds whole lines and writes them to the given `Write`;
//! write errors (a closed pipe) are returned, never panicked on. Wrap
//! standard output in a `BufWriter` for large tables.
//!
//! Functions that may print names come in two forms: one resolving through
//! the C library ([`SystemNames`]) and a `_with` form taking any [`Names`].

mod connections;
mod json;
mod list;
mod names;
mod save;
mod sort;
mod status;
mod text;

/// Listings and keys for tests, here and in `restore`.
#[cfg(test)]
pub(crate) mod fixtures;
#[cfg(test)]
mod tests;

pub use connections::{
    parse_connections, write_connections, write_connections_with, ConnectionEntry, ParseError,
    CONN_PROC_FILE,
};
pub use json::{
    write_connections_json, write_daemons_json, write_list_json, write_timeouts_json,
    JSON_SCHEMA_VERSION,
};
pub use list::{
    push_list_block, write_list, write_list_block, write_list_heading, write_list_titles,
    write_list_with, write_service, write_service_with,
};
pub use names::{inet_ntop, Names, SystemNames};
pub use save::{
    destination_ref_rule, destination_rule, push_save_block, service_ref_rule, service_rule,
    write_save, write_save_block, write_save_with, RuleStyle,
};
pub use sort::sort_destinations;
pub use status::{write_daemons, write_timeouts};

use std::io;

use ipvs::model::{DestinationEntry, ServiceEntry};

/// Which columns a listing shows (`--stats`, `--rate`, `--thresholds`,
/// `--persistent-conn`, `--tun-info`, or none of them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ListFormat {
    #[default]
    Default,
    Stats,
    Rate,
    Thresholds,
    PersistentConn,
    TunInfo,
}

impl ListFormat {
    /// The format ipvsadm uses when several of these options are given
    /// together: the first of stats, rate, thresholds, persistent-conn and
    /// tun-info wins.
    pub fn from_options(
        stats: bool,
        rate: bool,
        thresholds: bool,
        persistent_conn: bool,
        tun_info: bool,
    ) -> Self {
        if stats {
            ListFormat::Stats
        } else if rate {
            ListFormat::Rate
        } else if thresholds {
            ListFormat::Thresholds
        } else if persistent_conn {
            ListFormat::PersistentConn
        } else if tun_info {
            ListFormat::TunInfo
        } else {
            ListFormat::Default
        }
    }
}

/// How to print a listing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ListOptions {
    /// `-n`: addresses and ports as numbers, no name lookups.
    pub numeric: bool,
    pub format: ListFormat,
    /// `--exact`: counters in full instead of scaled with K/M/G/T.
    pub exact: bool,
    /// Sort services and real servers (ipvsadm's default; `--nosort` clears it).
    pub sort: bool,
}

impl Default for ListOptions {
    fn default() -> Self {
        ListOptions {
            numeric: false,
            format: ListFormat::Default,
            exact: false,
            sort: true,
        }
    }
}

pub use ipvs::model::ServiceListing;

/// A listing streamed with [`for_each_listing`] failed.
#[derive(Debug)]
pub enum StreamError<E> {
    /// Fetching a service's real servers failed; the services before it
    /// were written.
    Fetch(E),
    /// Writing failed (a closed pipe, say).
    Write(io::Error),
}

/// Hands `services` to `each` one at a time in listing order (ipvsadm's sort
/// unless `sort` is off), each with its real servers fetched by `fetch` just
/// before: a listing then holds the services and one service's real servers,
/// not the whole table, and what came before a failing fetch is written, as
/// with ipvsadm 1.31. `services` is in the kernel's order.
pub fn for_each_listing<E>(
    services: Vec<ServiceEntry>,
    sort: bool,
    fetch: impl FnMut(&ServiceEntry) -> Result<Vec<DestinationEntry>, E>,
    mut each: impl FnMut(&ServiceListing) -> io::Result<()>,
) -> Result<(), StreamError<E>> {
    for listing in listings_in_order(services, sort, fetch) {
        each(&listing.map_err(StreamError::Fetch)?).map_err(StreamError::Write)?;
    }
    Ok(())
}

/// `services` in listing order (ipvsadm's sort unless `sort` is off), each
/// with its real servers fetched by `fetch` when its turn comes, so that
/// only one service's real servers are held at a time. `services` is in the
/// kernel's order.
pub fn listings_in_order<E>(
    services: Vec<ServiceEntry>,
    sort: bool,
    mut fetch: impl FnMut(&ServiceEntry) -> Result<Vec<DestinationEntry>, E>,
) -> impl Iterator<Item = Result<ServiceListing, E>> {
    let order = sort::entry_order(services.iter(), sort);
    let mut slots: Vec<Option<ServiceEntry>> = services.into_iter().map(Some).collect();
    order.into_iter().filter_map(move |index| {
        let entry = slots.get_mut(index).and_then(Option::take)?;
        Some(fetch(&entry).map(|destinations| ServiceListing {
            entry,
            destinations,
        }))
    })
}
