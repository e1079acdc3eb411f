//! Applying a plan all or nothing: the steps go to the kernel in order, and
//! when one fails, every step already applied is undone, newest first, with
//! the inverse computed beforehand from the live table (an added service is
//! deleted; a deleted one is added back with all its real servers and their
//! configuration; an edit is edited back). The table is then read back and
//! compared with the one before the restore; should it still differ (an undo
//! step failed, or a step's outcome was unknown), the difference is
//! reconciled once more and checked again.

use crate::output::{sort_listing, ServiceListing};
use ipvs::client::{Client, Error as ClientError, Request};

use super::diff::{plan, Step};
use super::parse::Origins;
use super::table::{Conflict, Table};

/// What applying needs from the kernel; [`Client`] is one, tests use a fake.
pub trait Kernel {
    /// Runs requests in order and stops at the first that fails: its index
    /// and error. Requests before it were applied; later ones were not sent.
    fn execute_until_error(&mut self, requests: &[Request]) -> Result<(), (usize, ClientError)>;
    /// Runs one request.
    fn execute(&mut self, request: &Request) -> Result<(), ClientError>;
    /// Reads the whole live table.
    fn read_table(&mut self) -> Result<Table, ClientError>;
}

impl Kernel for Client {
    fn execute_until_error(&mut self, requests: &[Request]) -> Result<(), (usize, ClientError)> {
        Client::execute_until_error(self, requests)
    }

    fn execute(&mut self, request: &Request) -> Result<(), ClientError> {
        Client::execute(self, request)
    }

    fn read_table(&mut self) -> Result<Table, ClientError> {
        read_live_table(self)
    }
}

/// The live table: every service with its real servers, in `ipvsadm -S`
/// order (so that plans and dry runs come out the same every time).
pub fn read_live_table(client: &mut Client) -> Result<Table, ClientError> {
    let mut listings = Vec::new();
    for entry in client.services()? {
        let destinations = client.destinations(&entry.service.key)?;
        listings.push(ServiceListing {
            entry,
            destinations,
        });
    }
    sort_listing(&mut listings);
    Ok(Table::from_listings(&listings))
}

/// The step that failed and the kernel's answer.
#[derive(Debug)]
pub struct Failure {
    /// Index of the step in the plan.
    pub step: usize,
    pub error: ClientError,
}

/// How applying a plan ended.
#[derive(Debug)]
pub enum Outcome {
    /// Every step was applied.
    Applied,
    /// A step failed; the steps before it were undone and the table read
    /// back is the one from before the restore.
    RolledBack {
        failure: Failure,
        /// How many steps had been applied (and were undone).
        undone: usize,
    },
    /// A step failed and the table could not be brought back to what it
    /// was: what went wrong on the way, in order.
    RollbackFailed {
        failure: Failure,
        problems: Vec<String>,
    },
}

/// Applies `steps` to the kernel, whose table is `live`. A plan that does
/// not fit `live` is refused before anything is sent (`Err`).
pub fn apply_plan(
    kernel: &mut dyn Kernel,
    live: &Table,
    steps: &[Step],
) -> Result<Outcome, (usize, Conflict)> {
    // The undo of every step, worked out before anything changes.
    let mut simulated = live.clone();
    let mut inverses = Vec::with_capacity(steps.len());
    for (index, step) in steps.iter().enumerate() {
        inverses.push(simulated.apply(&step.request).map_err(|c| (index, c))?);
    }

    let requests: Vec<Request> = steps.iter().map(|s| s.request.clone()).collect();
    let (failed, error) = match kernel.execute_until_error(&requests) {
        Ok(()) => return Ok(Outcome::Applied),
        Err(failure) => failure,
    };
    let failure = Failure {
        step: failed,
        error,
    };
    // A refusal from the kernel means the step did nothing; any other error
    // (lost answer, timeout, socket error) leaves it unknown, so it is
    // undone too, and its undo may fail harmlessly.
    let uncertain = !matches!(failure.error, ClientError::Kernel { .. });
    let mut problems = Vec::new();
    if uncertain {
        if let Some(undo) = inverses.get(failed) {
            for request in undo {
                // Fails if the step had not been applied: nothing to undo.
                let _ = kernel.execute(request);
            }
        }
    }
    for index in (0..failed).rev() {
        for request in &inverses[index] {
            if let Err(e) = kernel.execute(request) {
                problems.push(format!(
                    "undoing step {} ({}) failed: {e}",
                    index + 1,
                    describe(request)
                ));
            }
        }
    }

    // Check, and reconcile once more if the table is not what it was.
    for pass in 0..2 {
        let now = match kernel.read_table() {
            Ok(now) => now,
            Err(e) => {
                problems.push(format!("reading the table back failed: {e}"));
                return Ok(Outcome::RollbackFailed { failure, problems });
            }
        };
        if now.same_as(live) {
            return Ok(Outcome::RolledBack {
                failure,
                undone: failed,
            });
        }
        if pass == 1 {
            problems
                .push("the table read back still differs from the table before the restore".into());
            break;
        }
        for step in plan(&now, live, &Origins::default()) {
            if let Err(e) = kernel.execute(&step.request) {
                problems.push(format!("restoring {} failed: {e}", describe(&step.request)));
            }
        }
    }
    Ok(Outcome::RollbackFailed { failure, problems })
}

/// A request as the command line that makes it.
fn describe(request: &Request) -> String {
    super::diff::command_line(request)
        .map(|line| line.trim_end().to_string())
        .unwrap_or_else(|| format!("{request:?}"))
}

#[cfg(test)]
mod tests;
