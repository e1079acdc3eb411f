//! A client library for the Linux Virtual Server (IPVS), the kernel's
//! layer-4 load balancer, over generic netlink.
//!
//! - [`model`]: services, real servers, timeouts and sync daemons as typed values.
//! - [`Client`]: a connection to the kernel; [`Ipvs`]: what it does, as a
//!   trait, so that code can be tested against [`fake::FakeIpvs`].
//! - [`reconcile`]: make the live table equal to a desired one, all or nothing.
//!
//! Changing IPVS needs `CAP_NET_ADMIN` and the `ip_vs` module:
//!
//! ```no_run
//! use ipvs::model::{Destination, Protocol, Service, ServiceKey};
//! use ipvs::{Client, Ipvs};
//!
//! # fn main() -> Result<(), ipvs::Error> {
//! let mut client = Client::connect()?;
//! let key = ServiceKey::Addr {
//!     protocol: Protocol::Tcp,
//!     addr: "10.0.0.3".parse().unwrap(),
//!     port: 80,
//! };
//! client.add_service(&Service::new(key, "wrr"))?;
//! let mut server = Destination::new("10.0.0.11".parse().unwrap(), 80);
//! server.config.weight = 3;
//! client.add_destination(&key, &server)?;
//! for listing in client.listing()? {
//!     println!("{}: {} real servers", listing.entry.service.key, listing.destinations.len());
//! }
//! client.delete_service(&key)?;
//! # Ok(())
//! # }
//! ```

#![deny(missing_docs)]

mod client;
pub mod fake;
pub mod model;
mod netlink;
mod ops;
pub mod reconcile;

pub use client::{enter_network_namespace, Client, Error};
pub use netlink::Request;
pub use ops::Ipvs;
