//! Applying a plan all or nothing. The changes go to the kernel in order,
//! in rounds: each round is one batch (one write and its ACKs for up to
//! 256 changes to services and real servers), and a change of the
//! settings (timeouts, daemons, zeroing, flush) is a round of its own. A
//! round is sent only once every change before it was applied.
//!
//! When a change fails, every change the kernel applied is undone, newest
//! first: the ones before the round, and those of its round that went
//! through (the kernel runs every message of a write, whatever the earlier
//! ones gave). The inverses are computed beforehand from the live table (an
//! added service is deleted; a deleted one is added back with all its real
//! servers and their configuration; an edit is edited back; changed
//! timeouts are set back; a started sync daemon is stopped, a stopped one
//! started again as it ran). The table is then read back (with the
//! timeouts and daemons, if the live table holds them) and compared with
//! the one before; should it still differ (an undo failed, a change's
//! outcome was unknown, or a change after the failed one was undone to a
//! state that assumed the failed one), the difference is reconciled once
//! more and checked again. Zeroing counters cannot be undone: put it after
//! the changes it must follow.

use crate::client::Error;
use crate::ops::Ipvs;
use crate::Request;

use super::plan::plan;
use super::table::{Conflict, Table};

/// The most changes to services and real servers sent in one round. A
/// failure makes the kernel run (and the rollback undo) at most this many
/// changes more than it had to; one write and one wait for every 256
/// changes cost little next to the changes themselves.
const ROUND: usize = 256;

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
    /// The change at index `step` failed; the `undone` changes the kernel
    /// had applied (before it, and after it in its round) were undone and
    /// the table read back is the one from before.
    RolledBack {
        /// Index of the change that failed.
        step: usize,
        /// Why it failed.
        error: Error,
        /// How many changes had been applied (or might have been) and were
        /// undone.
        undone: usize,
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

/// What became of one change of the round that failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sent {
    Applied,
    /// Refused by the kernel: it did nothing.
    Refused,
    /// A lost answer, a timeout, a socket error: it may have been applied.
    Unknown,
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
    // All of them in one vector: change i's are `undo[ends[i - 1]..ends[i]]`.
    let mut undo = Vec::with_capacity(changes.len());
    let mut ends = Vec::with_capacity(changes.len());
    for (index, change) in changes.iter().enumerate() {
        simulated
            .apply_with_undo(change, &mut undo)
            .map_err(|c| (index, c))?;
        ends.push(undo.len());
    }
    let inverse = |step: usize| &undo[step.checked_sub(1).map_or(0, |i| ends[i])..ends[step]];

    let Some(failure) = send_in_rounds(ipvs, changes) else {
        return Ok(Outcome::Applied);
    };
    let RoundFailure {
        start,
        step: failed,
        error,
        sent,
    } = failure;

    // The undos, newest first: the failed round's applied (or maybe applied)
    // changes, then every change before the round.
    let mut undos = Vec::new();
    let mut owners = Vec::new();
    let mut undone = start;
    for (offset, outcome) in sent.iter().enumerate().rev() {
        if *outcome == Sent::Refused {
            continue;
        }
        undone += 1;
        let step = start + offset;
        for request in inverse(step) {
            undos.push(request.clone());
            // An unknown change's undo fails harmlessly if it had not been applied.
            owners.push((step, *outcome == Sent::Applied));
        }
    }
    for step in (0..start).rev() {
        for request in inverse(step) {
            undos.push(request.clone());
            owners.push((step, true));
        }
    }
    let mut problems = Vec::new();
    for (index, error) in send_all(ipvs, &undos) {
        let (step, applied) = owners[index];
        if applied {
            problems.push(Problem::Undo {
                step,
                request: undos[index].clone(),
                error,
            });
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
                undone,
            });
        }
        if pass == 1 {
            problems.push(Problem::StillDiffers);
            break;
        }
        let back = plan(&now, live);
        for (index, error) in send_all(ipvs, &back) {
            problems.push(Problem::Reconcile {
                request: back[index].clone(),
                error,
            });
        }
    }
    Ok(Outcome::RollbackFailed {
        step: failed,
        error,
        problems,
    })
}

/// The round in which a change failed.
struct RoundFailure {
    /// Index of the round's first change (every change before it was applied).
    start: usize,
    /// Index of the first change that failed.
    step: usize,
    /// Why it failed.
    error: Error,
    /// What became of each change of the round.
    sent: Vec<Sent>,
}

/// Sends `changes` round by round until a round has a change that fails.
fn send_in_rounds(ipvs: &mut dyn Ipvs, changes: &[Request]) -> Option<RoundFailure> {
    let mut start = 0;
    while start < changes.len() {
        let end = round_end(changes, start);
        let round = &changes[start..end];
        let outcomes = match ipvs.execute_batch(round) {
            Ok(outcomes) => outcomes,
            Err(error) => {
                return Some(RoundFailure {
                    start,
                    step: start,
                    error,
                    sent: vec![Sent::Unknown; round.len()],
                })
            }
        };
        if outcomes.iter().any(Result::is_err) {
            let sent = outcomes
                .iter()
                .map(|outcome| match outcome {
                    Ok(()) => Sent::Applied,
                    Err(Error::Kernel { .. }) => Sent::Refused,
                    Err(_) => Sent::Unknown,
                })
                .collect();
            let (offset, error) = outcomes
                .into_iter()
                .enumerate()
                .find_map(|(offset, outcome)| outcome.err().map(|e| (offset, e)))?;
            return Some(RoundFailure {
                start,
                step: start + offset,
                error,
                sent,
            });
        }
        start = end;
    }
    None
}

/// Where the round starting at `start` ends: a change of the settings is a
/// round of its own; changes to services and real servers go together, up
/// to [`ROUND`] of them.
fn round_end(changes: &[Request], start: usize) -> usize {
    let is_table_change = |change: &Request| {
        matches!(
            change,
            Request::AddService(_)
                | Request::EditService(_)
                | Request::DeleteService(_)
                | Request::AddDestination(..)
                | Request::EditDestination(..)
                | Request::DeleteDestination(..)
        )
    };
    if !changes.get(start).is_some_and(is_table_change) {
        return start + 1;
    }
    let limit = changes.len().min(start + ROUND);
    changes[start..limit]
        .iter()
        .position(|change| !is_table_change(change))
        .map_or(limit, |offset| start + offset)
}

/// Sends `requests` as one batch, each attempted whatever the others gave:
/// the ones that failed, with why. An exchange that broke off counts
/// against the first request; the read-back decides what it left.
fn send_all(ipvs: &mut dyn Ipvs, requests: &[Request]) -> Vec<(usize, Error)> {
    if requests.is_empty() {
        return Vec::new();
    }
    match ipvs.execute_batch(requests) {
        Ok(outcomes) => outcomes
            .into_iter()
            .enumerate()
            .filter_map(|(index, outcome)| outcome.err().map(|e| (index, e)))
            .collect(),
        Err(e) => vec![(0, e)],
    }
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
