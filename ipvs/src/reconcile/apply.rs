//! Applying a plan all or nothing: the changes go to the kernel in order,
//! and when one fails, every change already applied is undone, newest first,
//! with the inverse computed beforehand from the live table (an added
//! service is deleted; a deleted one is added back with all its real servers
//! and their configuration; an edit is edited back; changed timeouts are set
//! back; a started sync daemon is stopped, a stopped one started again as it
//! ran). The table is then read back (with the timeouts and daemons, if the
//! live table holds them) and compared with the one before; should it still
//! differ (an undo failed, or a change's outcome was unknown), the difference
//! is reconciled once more and checked again. Zeroing counters cannot be
//! undone: put it after the changes it must follow.

use crate::client::Error;
use crate::ops::Ipvs;
use crate::Request;

use super::plan::plan;
use super::table::{Conflict, Table};

/// Something that went wrong while bringing the table back.
#[derive(Debug)]
#[non_exhaustive]
pub enum Problem {
    /// Undoing the change at index `step` with `request` failed.
    Undo {
        /// Index of the change in the plan.
        step: usize,
        /// The undo request that failed.
        request: Request,
        /// Why.
        error: Error,
    },
    /// Reading the table back failed.
    ReadBack(Error),
    /// A change reconciling the table back to what it was failed.
    Reconcile {
        /// The change.
        request: Request,
        /// Why.
        error: Error,
    },
    /// After reconciling once more, the table read back still differs from
    /// the one before.
    StillDiffers,
}

/// How applying a plan ended.
#[derive(Debug)]
pub enum Outcome {
    /// Every change was applied.
    Applied,
    /// The change at index `step` failed; the changes before it (as many
    /// as `step`) were undone and the table read back is the one from before.
    RolledBack {
        /// Index of the change that failed.
        step: usize,
        /// Why it failed.
        error: Error,
    },
    /// The change at index `step` failed and the table could not be brought
    /// back to what it was.
    RollbackFailed {
        /// Index of the change that failed.
        step: usize,
        /// Why it failed.
        error: Error,
        /// What went wrong on the way back, in order.
        problems: Vec<Problem>,
    },
}

/// Applies `changes` (a [`plan`](super::plan) from `live`) through `ipvs`,
/// whose table is `live`, all or nothing. A plan that does not fit `live`
/// is refused before anything is sent: the index of the change that does
/// not fit, and why.
///
/// A refusal from the kernel means the change did nothing; any other error
/// (a lost answer, a timeout, a socket error) leaves it unknown, so it is
/// undone too (an undo that finds nothing to undo fails harmlessly), and the
/// table read back decides.
pub fn apply(
    ipvs: &mut dyn Ipvs,
    live: &Table,
    changes: &[Request],
) -> Result<Outcome, (usize, Conflict)> {
    // The undo of every change, worked out before anything changes (on the
    // part of the table the changes touch).
    let mut simulated = live.part_for(changes);
    let mut inverses = Vec::with_capacity(changes.len());
    for (index, change) in changes.iter().enumerate() {
        inverses.push(simulated.apply(change).map_err(|c| (index, c))?);
    }

    let (failed, error) = match ipvs.execute_until_error(changes) {
        Ok(()) => return Ok(Outcome::Applied),
        Err(failure) => failure,
    };
    let uncertain = !matches!(error, Error::Kernel { .. });
    let mut problems = Vec::new();
    if uncertain {
        if let Some(undo) = inverses.get(failed) {
            for request in undo {
                // Fails if the change had not been applied: nothing to undo.
                let _ = ipvs.execute(request);
            }
        }
    }
    for step in (0..failed).rev() {
        for request in &inverses[step] {
            if let Err(error) = ipvs.execute(request) {
                problems.push(Problem::Undo {
                    step,
                    request: request.clone(),
                    error,
                });
            }
        }
    }

    // Check, and reconcile once more if the table is not what it was.
    for pass in 0..2 {
        let now = match read_back(ipvs, live) {
            Ok(now) => now,
            Err(e) => {
                problems.push(Problem::ReadBack(e));
                return Ok(Outcome::RollbackFailed {
                    step: failed,
                    error,
                    problems,
                });
            }
        };
        if now.same_as(live) {
            return Ok(Outcome::RolledBack {
                step: failed,
                error,
            });
        }
        if pass == 1 {
            problems.push(Problem::StillDiffers);
            break;
        }
        for request in plan(&now, live) {
            if let Err(error) = ipvs.execute(&request) {
                problems.push(Problem::Reconcile { request, error });
            }
        }
    }
    Ok(Outcome::RollbackFailed {
        step: failed,
        error,
        problems,
    })
}

/// The kernel's table now, holding the timeouts and daemons if `like` does.
fn read_back(ipvs: &mut dyn Ipvs, like: &Table) -> Result<Table, Error> {
    let mut now = Table::from_listings(ipvs.listing()?);
    if like.timeouts().is_some() {
        now = now.with_timeouts(ipvs.timeouts()?);
    }
    if like.daemons().is_some() {
        now = now.with_daemons(ipvs.daemons()?);
    }
    Ok(now)
}

#[cfg(test)]
mod tests;
