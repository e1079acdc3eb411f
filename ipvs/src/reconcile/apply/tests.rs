use super::*;
use crate::fake::{FakeIpvs, Fault};
use crate::model::{
    AddressFamily, DaemonState, Destination, ForwardMethod, Protocol, Service, ServiceFlags,
    ServiceKey, SyncDaemon, Timeouts,
};

fn tcp(addr: &str, port: u16) -> ServiceKey {
    ServiceKey::Addr {
        protocol: Protocol::Tcp,
        addr: addr.parse().unwrap(),
        port,
    }
}

fn dest(addr: &str, port: u16, forward: ForwardMethod, weight: i32) -> Destination {
    let mut d = Destination::new(addr.parse().unwrap(), port);
    d.config.forward = forward;
    d.config.weight = weight;
    d
}

/// `-A -t 10.0.0.1:80 -s rr`, two real servers; `-A -t 10.0.0.1:443 -s wlc
/// -p 300` with one; `-A -f 9 -6 -s sh -b sh-port` with one.
fn live() -> Table {
    let web = tcp("10.0.0.1", 80);
    let tls = tcp("10.0.0.1", 443);
    let mark = ServiceKey::Fwmark {
        family: AddressFamily::Inet6,
        mark: 9,
    };
    let mut t = Table::new();
    t.add_service(Service::new(web, "rr")).unwrap();
    t.add_destination(web, dest("10.0.0.2", 80, ForwardMethod::Route, 1))
        .unwrap();
    t.add_destination(web, dest("10.0.0.3", 80, ForwardMethod::Route, 1))
        .unwrap();
    let mut persistent = Service::new(tls, "wlc");
    persistent.config.flags = ServiceFlags::PERSISTENT;
    persistent.config.timeout = 300;
    t.add_service(persistent).unwrap();
    let mut limited = dest("10.0.0.2", 443, ForwardMethod::Masquerade, 2);
    limited.config.upper_threshold = 10;
    limited.config.lower_threshold = 5;
    t.add_destination(tls, limited).unwrap();
    let mut sh = Service::new(mark, "sh");
    sh.config.flags = ServiceFlags::SCHED2;
    t.add_service(sh).unwrap();
    t.add_destination(mark, dest("2001:db8::4", 0, ForwardMethod::Route, 1))
        .unwrap();
    t
}

/// The web service edited (wlc, a server reweighted, one replaced), a new
/// UDP service, the TLS one gone, the fwmark one without real servers.
fn target() -> Table {
    let web = tcp("10.0.0.1", 80);
    let dns = ServiceKey::Addr {
        protocol: Protocol::Udp,
        addr: "10.0.0.1".parse().unwrap(),
        port: 53,
    };
    let mark = ServiceKey::Fwmark {
        family: AddressFamily::Inet6,
        mark: 9,
    };
    let mut t = Table::new();
    t.add_service(Service::new(web, "wlc")).unwrap();
    t.add_destination(web, dest("10.0.0.2", 80, ForwardMethod::Route, 5))
        .unwrap();
    t.add_destination(web, dest("10.0.0.4", 80, ForwardMethod::Route, 1))
        .unwrap();
    t.add_service(Service::new(dns, "rr")).unwrap();
    t.add_destination(dns, dest("10.0.0.5", 53, ForwardMethod::Masquerade, 1))
        .unwrap();
    t.add_service(Service::new(mark, "rr")).unwrap();
    t
}

fn live_and_plan() -> (Table, Table, Vec<Request>) {
    let live = live();
    let target = target();
    let steps = plan(&live, &target);
    assert!(steps.len() >= 8, "{steps:?}");
    (live, target, steps)
}

#[test]
fn a_plan_that_goes_through_is_applied() {
    let (live, target, steps) = live_and_plan();
    let mut kernel = FakeIpvs::new(live.clone());
    let outcome = apply(&mut kernel, &live, &steps).unwrap();
    assert!(matches!(outcome, Outcome::Applied), "{outcome:?}");
    assert!(kernel.table().same_as(&target));
    assert_eq!(kernel.log().len(), steps.len());
}

/// What the rollback of `steps` sends when the kernel refuses the change at
/// `refused` (and, the fake being exact, whatever no longer fits after it):
/// how many changes were applied, and their undos, newest first.
fn expected_undos(live: &Table, steps: &[Request], refused: usize) -> (usize, Vec<Request>) {
    let mut planned = live.clone();
    let inverses: Vec<Vec<Request>> = steps
        .iter()
        .map(|s| {
            let mut undo = Vec::new();
            planned.apply_with_undo(s, &mut undo).unwrap();
            undo
        })
        .collect();
    let mut kernel = live.clone();
    let applied: Vec<usize> = (0..steps.len())
        .filter(|&i| i != refused && kernel.apply(&steps[i]).is_ok())
        .collect();
    let undos = applied
        .iter()
        .rev()
        .flat_map(|&i| inverses[i].iter().cloned())
        .collect();
    (applied.len(), undos)
}

#[test]
fn a_refusal_anywhere_leaves_the_table_as_it_was() {
    let (live, _, steps) = live_and_plan();
    for at in 0..steps.len() {
        let mut kernel = FakeIpvs::new(live.clone());
        kernel.fail_at(at, Fault::Refuse);
        let outcome = apply(&mut kernel, &live, &steps).unwrap();
        let (applied, undos) = expected_undos(&live, &steps, at);
        match outcome {
            Outcome::RolledBack {
                step,
                error,
                undone,
            } => {
                assert_eq!(step, at);
                assert_eq!(error.errno(), Some(libc::ENOENT));
                assert_eq!(undone, applied, "step {at}");
            }
            other => panic!("step {at}: {other:?}"),
        }
        assert!(kernel.table().same_as(&live), "step {at}");
        // The plan fits in one round: every change is sent; then the
        // applied ones are undone, newest first, and no reconciling was
        // needed.
        assert_eq!(kernel.log()[..steps.len()], steps[..], "step {at}");
        assert_eq!(kernel.log()[steps.len()..], undos[..], "step {at}");
    }
}

#[test]
fn rounds_stop_at_the_first_that_fails() {
    // 600 services added: three rounds (256, 256, 88).
    let target = Table::new();
    let mut desired = Table::new();
    for port in 1..=600u16 {
        desired
            .add_service(Service::new(tcp("10.0.0.1", port), "rr"))
            .unwrap();
    }
    let steps = plan(&target, &desired);
    assert_eq!(steps.len(), 600);
    for (at, sent) in [(0, 256), (255, 256), (256, 512), (599, 600)] {
        let mut kernel = FakeIpvs::new(target.clone());
        kernel.fail_at(at, Fault::Refuse);
        let outcome = apply(&mut kernel, &target, &steps).unwrap();
        assert!(
            matches!(outcome, Outcome::RolledBack { step, undone, .. } if step == at && undone == sent - 1),
            "{at}: {outcome:?}"
        );
        assert_eq!(kernel.log().len(), sent + (sent - 1), "{at}");
        assert!(kernel.table().same_as(&target), "{at}");
    }
}

#[test]
fn a_settings_change_waits_for_the_changes_before_it() {
    let (live, _, mut steps) = live_and_plan();
    steps.push(Request::Zero(None));
    let mut kernel = FakeIpvs::new(live.clone());
    kernel.fail_at(0, Fault::Refuse);
    apply(&mut kernel, &live, &steps).unwrap();
    assert!(!kernel.log().contains(&Request::Zero(None)));
}

#[test]
fn an_unknown_outcome_is_undone_as_well() {
    let (live, _, steps) = live_and_plan();
    for fault in [Fault::ApplyThenLoseAck, Fault::Lose] {
        for at in 0..steps.len() {
            let mut kernel = FakeIpvs::new(live.clone());
            kernel.fail_at(at, fault);
            let outcome = apply(&mut kernel, &live, &steps).unwrap();
            assert!(
                matches!(outcome, Outcome::RolledBack { .. }),
                "{fault:?} at {at}: {outcome:?}"
            );
            assert!(kernel.table().same_as(&live), "{fault:?} at {at}");
        }
    }
}

#[test]
fn a_failed_undo_is_reconciled() {
    let (live, _, steps) = live_and_plan();
    let failing_step = steps.len() - 1;
    let mut kernel = FakeIpvs::new(live.clone());
    kernel.fail_at(failing_step, Fault::Refuse);
    // The first undo request fails too.
    kernel.fail_at(failing_step + 1, Fault::Refuse);
    let outcome = apply(&mut kernel, &live, &steps).unwrap();
    assert!(matches!(outcome, Outcome::RolledBack { .. }), "{outcome:?}");
    assert!(kernel.table().same_as(&live));
}

#[test]
fn a_rollback_that_cannot_finish_says_so() {
    let (live, _, steps) = live_and_plan();
    let mut kernel = FakeIpvs::new(live.clone());
    kernel.refuse_from(4);
    let outcome = apply(&mut kernel, &live, &steps).unwrap();
    match outcome {
        Outcome::RollbackFailed { step, problems, .. } => {
            assert_eq!(step, 4);
            assert!(
                matches!(problems[0], Problem::Undo { step: 3, .. }),
                "{problems:?}"
            );
            assert!(matches!(problems.last(), Some(Problem::StillDiffers)));
        }
        other => panic!("{other:?}"),
    }
    assert!(!kernel.table().same_as(&live));

    let mut kernel = FakeIpvs::new(live.clone());
    kernel.fail_at(2, Fault::Refuse);
    kernel.fail_reads();
    let outcome = apply(&mut kernel, &live, &steps).unwrap();
    match outcome {
        Outcome::RollbackFailed { problems, .. } => {
            assert!(
                matches!(problems[..], [Problem::ReadBack(Error::Timeout)]),
                "{problems:?}"
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_plan_that_does_not_fit_is_not_sent() {
    let (_, _, steps) = live_and_plan();
    let mut kernel = FakeIpvs::new(Table::new());
    let result = apply(&mut kernel, &Table::new(), &steps);
    assert!(result.is_err());
    assert!(kernel.log().is_empty());
}

fn daemon(state: DaemonState, syncid: u32) -> SyncDaemon {
    SyncDaemon {
        state,
        mcast_ifn: "dummy0".to_string(),
        syncid,
        sync_maxlen: 0,
        mcast_group: None,
        mcast_port: 0,
        mcast_ttl: 0,
    }
}

/// `live()` with timeouts 900 120 300 and a backup daemon; `target()` with
/// timeouts 600 60 300 and a master daemon instead.
fn with_settings() -> (Table, Table, Vec<Request>) {
    let live = live()
        .with_timeouts(Timeouts {
            tcp: 900,
            tcp_fin: 120,
            udp: 300,
        })
        .with_daemons(vec![daemon(DaemonState::Backup, 1)]);
    let target = target()
        .with_timeouts(Timeouts {
            tcp: 600,
            tcp_fin: 60,
            udp: 300,
        })
        .with_daemons(vec![daemon(DaemonState::Master, 4)]);
    let steps = plan(&live, &target);
    assert_eq!(
        steps[..3],
        [
            Request::SetTimeouts(Timeouts {
                tcp: 600,
                tcp_fin: 60,
                udp: 0
            }),
            Request::StopDaemon(DaemonState::Backup),
            Request::StartDaemon(daemon(DaemonState::Master, 4)),
        ]
    );
    (live, target, steps)
}

#[test]
fn timeouts_and_daemons_are_applied_with_the_table() {
    let (live, target, steps) = with_settings();
    let mut kernel = FakeIpvs::new(live.clone());
    let outcome = apply(&mut kernel, &live, &steps).unwrap();
    assert!(matches!(outcome, Outcome::Applied), "{outcome:?}");
    assert!(kernel.table().same_as(&target));
    assert_eq!(kernel.timeouts().unwrap().tcp_fin, 60);
    assert!(plan(kernel.table(), &target).is_empty());
}

#[test]
fn a_refused_set_or_daemon_start_leaves_timeouts_and_daemons_as_they_were() {
    let (live, _, steps) = with_settings();
    for fault in [Fault::Refuse, Fault::ApplyThenLoseAck, Fault::Lose] {
        for at in 0..steps.len() {
            let mut kernel = FakeIpvs::new(live.clone());
            kernel.fail_at(at, fault);
            let outcome = apply(&mut kernel, &live, &steps).unwrap();
            assert!(
                matches!(outcome, Outcome::RolledBack { step, .. } if step == at),
                "{fault:?} at {at}: {outcome:?}"
            );
            assert!(kernel.table().same_as(&live), "{fault:?} at {at}");
            assert_eq!(kernel.timeouts().unwrap().tcp, 900);
            assert_eq!(
                kernel.daemons().unwrap(),
                vec![daemon(DaemonState::Backup, 1)],
                "{fault:?} at {at}"
            );
        }
    }
    // The daemon start refused after the --set and the stop: both undone,
    // newest first, and the table never touched.
    let mut kernel = FakeIpvs::new(live.clone());
    kernel.fail_at(2, Fault::Refuse);
    apply(&mut kernel, &live, &steps).unwrap();
    assert_eq!(
        kernel.log()[3..],
        [
            Request::StartDaemon(daemon(DaemonState::Backup, 1)),
            Request::SetTimeouts(Timeouts {
                tcp: 900,
                tcp_fin: 120,
                udp: 0
            }),
        ]
    );
}

#[test]
fn a_daemon_that_cannot_be_restarted_is_reported() {
    let (live, _, steps) = with_settings();
    let mut kernel = FakeIpvs::new(live.clone());
    // The master start fails, and so does starting the backup again.
    kernel.fail_at(2, Fault::Refuse);
    kernel.refuse_from(3);
    let outcome = apply(&mut kernel, &live, &steps).unwrap();
    match outcome {
        Outcome::RollbackFailed { step, problems, .. } => {
            assert_eq!(step, 2);
            assert!(
                matches!(
                    &problems[0],
                    Problem::Undo { step: 1, request: Request::StartDaemon(d), .. }
                        if d.state == DaemonState::Backup
                ),
                "{problems:?}"
            );
            assert!(matches!(problems.last(), Some(Problem::StillDiffers)));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn zeroing_after_the_table_needs_no_undo_and_a_missing_service_does_not_fit() {
    let (live, target, mut steps) = live_and_plan();
    steps.push(Request::Zero(Some(tcp("10.0.0.1", 80))));
    steps.push(Request::Zero(None));
    let mut kernel = FakeIpvs::new(live.clone());
    kernel.fail_at(steps.len() - 1, Fault::Refuse);
    let outcome = apply(&mut kernel, &live, &steps).unwrap();
    assert!(matches!(outcome, Outcome::RolledBack { .. }), "{outcome:?}");
    assert!(kernel.table().same_as(&live));

    let mut kernel = FakeIpvs::new(live.clone());
    assert!(matches!(
        apply(&mut kernel, &live, &steps).unwrap(),
        Outcome::Applied
    ));
    assert!(kernel.table().same_as(&target));

    // -Z of the TLS service, which the plan removes.
    steps.push(Request::Zero(Some(tcp("10.0.0.1", 443))));
    let result = apply(&mut FakeIpvs::new(live.clone()), &live, &steps);
    assert!(matches!(result, Err((i, Conflict::NoSuchService(_))) if i == steps.len() - 1));
}

#[test]
fn the_part_of_the_table_a_plan_touches_gives_the_whole_tables_undos() {
    let (live, _, steps) = live_and_plan();
    let (settings_live, _, settings_steps) = with_settings();
    let web = tcp("10.0.0.1", 80);
    let extra = [
        // The same service removed, added back and changed: each change
        // must see the ones before it.
        Request::DeleteService(web),
        Request::AddService(Service::new(web, "sh")),
        Request::AddDestination(web, dest("10.0.0.9", 80, ForwardMethod::Route, 3)),
        Request::EditDestination(web, dest("10.0.0.9", 80, ForwardMethod::Route, 4)),
        Request::Zero(Some(web)),
        Request::Zero(None),
        // Conflicts: a service that exists, one that does not.
        Request::AddService(Service::new(tcp("10.0.0.1", 443), "rr")),
        Request::DeleteService(tcp("10.9.9.9", 1)),
        Request::Flush,
        Request::AddService(Service::new(web, "rr")),
    ];
    for (table, changes) in [
        (&live, steps.clone()),
        (&settings_live, settings_steps),
        (&live, extra.to_vec()),
        (&live, [steps, extra.to_vec()].concat()),
    ] {
        let mut whole = table.clone();
        let mut part = table.part_for(&changes);
        for change in &changes {
            assert_eq!(part.apply(change), whole.apply(change), "{change:?}");
        }
    }
}
