//! Helpers for the real-kernel integration test (tests/kernel.rs): the
//! scenario format, the guest's records, the comparison and its diffs, and
//! driving the guest scripts under tests/vm/.

pub mod compare;
pub mod diff;
pub mod guest;
pub mod record;
pub mod scenario;
