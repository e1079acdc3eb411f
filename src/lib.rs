//! A client library for the Linux Virtual Server (IPVS) and the pieces of an
//! `ipvsadm` 1.31 drop-in built on it.
//!
//! Layers, from the wire up:
//! - [`netlink`]: IPVS generic-netlink messages and attributes (encode/decode, no I/O).
//! - [`client`]: a socket to the kernel: requests, ACKs, dumps and batches.
//! - [`model`]: services, destinations, timeouts and sync daemons as typed values.
//! - [`cli`]: ipvsadm's command line, its rules, and running a command.
//! - [`output`]: listings, save format and connection tables, as ipvsadm 1.31 prints them.
//! - [`restore`]: reading, checking and applying rule files.

pub mod cli;
pub mod client;
pub mod model;
pub mod netlink;
pub mod output;
pub mod resolve;
pub mod restore;
