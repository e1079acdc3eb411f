//! The internals of the `ipvsadm` binary: its command line, its output
//! formats and its restore front end, built on the [`ipvs`] library. This
//! crate is not a library for other programs; use [`ipvs`].
//!
//! - [`cli`]: ipvsadm's command line, its rules, and running a command.
//! - [`output`]: listings, save format and connection tables, as ipvsadm 1.31 prints them.
//! - [`restore`]: reading, checking and applying rule files.
//! - [`drain`]: waiting for draining real servers, on standard error.
//! - [`resolve`]: host and service names as glibc resolves them (nsswitch.conf,
//!   `/etc/hosts` and `/etc/services` read here; other sources through the C library).

pub mod cli;
pub mod drain;
pub mod output;
pub mod resolve;
pub mod restore;
