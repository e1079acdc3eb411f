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

#[cfg(test)]
mod tests;

pub use connections::{
    parse_connections, write_connections, write_connections_with, ConnectionEntry, ParseError,
    CONN_PROC_FILE,
};
pub use json::{write_connections_json, write_daemons_json, write_list_json, write_timeouts_json};
pub use list::{write_list, write_list_with, write_service, write_service_with};
pub use names::{inet_ntop, Names, SystemNames};
pub use save::{
    destination_ref_rule, destination_rule, service_ref_rule, service_rule, write_save,
    write_save_with, RuleStyle,
};
pub use sort::sort_listing;
pub use status::{write_daemons, write_timeouts};

use crate::model::{DestinationEntry, ServiceEntry};

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

/// One service with its real servers, as listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceListing {
    pub entry: ServiceEntry,
    pub destinations: Vec<DestinationEntry>,
}
