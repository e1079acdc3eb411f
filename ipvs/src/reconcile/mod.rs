//! Desired-state reconciliation: make the live table of services and real
//! servers (and, if asked, the timeouts and sync daemons) equal to a desired
//! one, changing only what differs, all or nothing.
//!
//! - [`Table`]: services and their real servers in memory, and the timeouts
//!   and sync daemons when it holds them ([`Table::with_timeouts`],
//!   [`Table::with_daemons`]), changed by the same
//!   [`Request`](crate::Request)s as the kernel, with the kernel's conflicts.
//! - [`plan`]: the ordered changes from a live table to a desired one
//!   (make before break; untouched rules keep their connections).
//! - [`apply`]: those changes through an [`Ipvs`](crate::Ipvs), in batches,
//!   undone newest first if the kernel refuses one midway.
//! - [`draining`] and [`drain`]: real servers the desired table drops leave
//!   at weight 0 first and are deleted once their connections are gone.
//!
//! ```no_run
//! use ipvs::reconcile::{apply, plan, Outcome, Table};
//! use ipvs::{Client, Ipvs};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let mut client = Client::connect()?;
//! let live = Table::from_listings(client.listing()?);
//! let desired = Table::new(); // an empty table: remove everything
//! let changes = plan(&live, &desired);
//! match apply(&mut client, &live, &changes) {
//!     Ok(Outcome::Applied) => println!("{} changes applied", changes.len()),
//!     Ok(other) => eprintln!("not applied: {other:?}"),
//!     Err((index, conflict)) => eprintln!("change {index} does not fit: {conflict}"),
//! }
//! # Ok(())
//! # }
//! ```

mod apply;
mod drain;
mod plan;
mod settings;
mod table;

// Every public item of these modules is part of reconciliation.
pub use apply::*;
pub use drain::*;
pub use plan::*;
pub use table::*;
