use super::*;
use crate::cli::values::tests::FixedResolver;
use crate::cli::ParseConfig;
use crate::restore::fake::{FakeKernel, Fault};
use crate::restore::parse::{desired_table, read_rules, Base};

fn rules(text: &str) -> (Table, super::super::parse::Origins) {
    let file = read_rules(text.as_bytes(), &ParseConfig::default(), &FixedResolver).unwrap();
    assert!(file.errors.is_empty());
    let (desired, errors) = desired_table(Base::Empty, &file.rules);
    assert!(errors.is_empty());
    (desired.table, desired.origins)
}

const LIVE: &str = "-A -t 10.0.0.1:80 -s rr\n\
                    -a -t 10.0.0.1:80 -r 10.0.0.2:80 -g -w 1\n\
                    -a -t 10.0.0.1:80 -r 10.0.0.3:80 -g -w 1\n\
                    -A -t 10.0.0.1:443 -s wlc -p 300\n\
                    -a -t 10.0.0.1:443 -r 10.0.0.2:443 -m -w 2 -x 10 -y 5\n\
                    -A -f 9 -6 -s sh -b sh-port\n\
                    -a -f 9 -6 -r [2001:db8::4]:0 -g -w 1\n";

const TARGET: &str = "-A -t 10.0.0.1:80 -s wlc\n\
                      -a -t 10.0.0.1:80 -r 10.0.0.2:80 -g -w 5\n\
                      -a -t 10.0.0.1:80 -r 10.0.0.4:80 -g -w 1\n\
                      -A -u 10.0.0.1:53 -s rr\n\
                      -a -u 10.0.0.1:53 -r 10.0.0.5:53 -m -w 1\n\
                      -A -f 9 -6 -s rr\n";

fn live_and_plan() -> (Table, Table, Vec<Step>) {
    let (live, _) = rules(LIVE);
    let (target, origins) = rules(TARGET);
    let steps = plan(&live, &target, &origins);
    assert!(steps.len() >= 8, "{steps:?}");
    (live, target, steps)
}

#[test]
fn a_plan_that_goes_through_is_applied() {
    let (live, target, steps) = live_and_plan();
    let mut kernel = FakeKernel::new(live.clone());
    let outcome = apply_plan(&mut kernel, &live, &steps).unwrap();
    assert!(matches!(outcome, Outcome::Applied), "{outcome:?}");
    assert!(kernel.table.same_as(&target));
    assert_eq!(kernel.log.len(), steps.len());
}

#[test]
fn a_refusal_anywhere_leaves_the_table_as_it_was() {
    let (live, _, steps) = live_and_plan();
    for at in 0..steps.len() {
        let mut kernel = FakeKernel::new(live.clone());
        kernel.faults.push((at, Fault::Refuse));
        let outcome = apply_plan(&mut kernel, &live, &steps).unwrap();
        match outcome {
            Outcome::RolledBack { failure, undone } => {
                assert_eq!((failure.step, undone), (at, at));
                assert_eq!(failure.error.errno(), Some(libc::ENOENT));
            }
            other => panic!("step {at}: {other:?}"),
        }
        assert!(kernel.table.same_as(&live), "step {at}");
        // The failed step is not undone; the others are, newest first,
        // and no reconciling was needed.
        let undo_count: usize = {
            let mut t = live.clone();
            steps[..at]
                .iter()
                .map(|s| t.apply(&s.request).unwrap().len())
                .sum()
        };
        assert_eq!(kernel.log.len(), at + 1 + undo_count, "step {at}");
    }
}

#[test]
fn undo_runs_newest_first() {
    let (live, _, steps) = live_and_plan();
    let mut kernel = FakeKernel::new(live.clone());
    kernel.faults.push((3, Fault::Refuse));
    apply_plan(&mut kernel, &live, &steps).unwrap();
    let mut t = live.clone();
    let inverses: Vec<Vec<Request>> = steps[..3]
        .iter()
        .map(|s| t.apply(&s.request).unwrap())
        .collect();
    let expected: Vec<Request> = inverses.into_iter().rev().flatten().collect();
    assert_eq!(kernel.log[4..], expected[..]);
}

#[test]
fn an_unknown_outcome_is_undone_as_well() {
    let (live, _, steps) = live_and_plan();
    for fault in [Fault::ApplyThenLoseAck, Fault::Lose] {
        for at in 0..steps.len() {
            let mut kernel = FakeKernel::new(live.clone());
            kernel.faults.push((at, fault));
            let outcome = apply_plan(&mut kernel, &live, &steps).unwrap();
            assert!(
                matches!(outcome, Outcome::RolledBack { .. }),
                "{fault:?} at {at}: {outcome:?}"
            );
            assert!(kernel.table.same_as(&live), "{fault:?} at {at}");
        }
    }
}

#[test]
fn a_failed_undo_is_reconciled() {
    let (live, _, steps) = live_and_plan();
    let failing_step = steps.len() - 1;
    let mut kernel = FakeKernel::new(live.clone());
    kernel.faults.push((failing_step, Fault::Refuse));
    // The first undo request fails too.
    kernel.faults.push((failing_step + 1, Fault::Refuse));
    let outcome = apply_plan(&mut kernel, &live, &steps).unwrap();
    assert!(matches!(outcome, Outcome::RolledBack { .. }), "{outcome:?}");
    assert!(kernel.table.same_as(&live));
}

#[test]
fn a_rollback_that_cannot_finish_says_so() {
    let (live, _, steps) = live_and_plan();
    let mut kernel = FakeKernel::new(live.clone());
    kernel.refuse_from = Some(4);
    let outcome = apply_plan(&mut kernel, &live, &steps).unwrap();
    match outcome {
        Outcome::RollbackFailed { failure, problems } => {
            assert_eq!(failure.step, 4);
            assert!(problems[0].starts_with("undoing step 4 ("), "{problems:?}");
            assert_eq!(
                problems.last().unwrap(),
                "the table read back still differs from the table before the restore"
            );
        }
        other => panic!("{other:?}"),
    }
    assert!(!kernel.table.same_as(&live));

    let mut kernel = FakeKernel::new(live.clone());
    kernel.faults.push((2, Fault::Refuse));
    kernel.read_fails = true;
    let outcome = apply_plan(&mut kernel, &live, &steps).unwrap();
    match outcome {
        Outcome::RollbackFailed { problems, .. } => assert_eq!(
            problems,
            vec!["reading the table back failed: no answer from the kernel within the time limit"]
        ),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_plan_that_does_not_fit_is_not_sent() {
    let (_, _, steps) = live_and_plan();
    let mut kernel = FakeKernel::new(Table::new());
    let result = apply_plan(&mut kernel, &Table::new(), &steps);
    assert!(result.is_err());
    assert!(kernel.log.is_empty());
}
