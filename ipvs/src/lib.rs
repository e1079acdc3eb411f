//! A client library for the Linux Virtual Server (IPVS), the kernel's
//! layer-4 load balancer, over generic netlink.
//!
//! Layers, from the wire up:
//! - [`netlink`]: IPVS generic-netlink messages and attributes (encode/decode, no I/O).
//! - [`client`]: a socket to the kernel: requests, ACKs, dumps and batches.
//! - [`model`]: services, destinations, timeouts and sync daemons as typed values.

pub mod client;
pub mod model;
pub mod netlink;
