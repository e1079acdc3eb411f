use super::*;
use crate::cli::values::tests::FixedResolver;
use ipvs::fake::{FakeIpvs, Fault};
use ipvs::model::Timeouts;

fn argv(args: &[&str]) -> Vec<Vec<u8>> {
    std::iter::once("ipvsadm-restore")
        .chain(args.iter().copied())
        .map(|a| a.as_bytes().to_vec())
        .collect()
}

#[test]
fn options() {
    let run = |args: &[&str]| parse_options(&argv(args));
    assert_eq!(run(&[]), Invocation::Run(Options::default()));
    assert_eq!(run(&["-"]), Invocation::Run(Options::default()));
    assert_eq!(
        run(&["--test", "--noflush", "rules"]),
        Invocation::Run(Options {
            test: true,
            noflush: true,
            dry_run: false,
            drain: None,
            file: Some("rules".into()),
        })
    );
    assert_eq!(
        run(&["-n", "--dry-run", "--", "-odd"]),
        Invocation::Run(Options {
            test: false,
            noflush: true,
            dry_run: true,
            drain: None,
            file: Some("-odd".into()),
        })
    );
    assert_eq!(run(&["rules", "-h"]), Invocation::Help);
    assert_eq!(
        run(&["--bogus"]),
        Invocation::Usage("unknown option `--bogus'".into())
    );
    assert_eq!(
        run(&["a", "b"]),
        Invocation::Usage("only one rule file can be given".into())
    );
    assert!(matches!(
        run(&["--test", "--dry-run"]),
        Invocation::Usage(_)
    ));
}

/// What a restore did: exit status, stdout, stderr.
struct Run {
    code: ExitCode,
    out: String,
    err: String,
}

/// Runs a restore of `text` against `kernel` (`None`: connecting fails).
fn run(options: Options, text: &str, kernel: Option<&mut FakeIpvs>) -> Run {
    let file = read_rules(text.as_bytes(), &ParseConfig::default(), &FixedResolver).unwrap();
    let mut out = Vec::new();
    let mut err = Vec::new();
    let mut streams = Streams {
        out: &mut out,
        err: &mut err,
        program: "ipvsadm-restore".into(),
    };
    let report = Reporter {
        program: "ipvsadm-restore".into(),
        name: "rules".into(),
        file: &file,
    };
    let dir = std::env::temp_dir().join(format!(
        "ipvsadm-restore-test-{}-{:?}",
        std::process::id(),
        std::thread::current().id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let code = restore(
        &options,
        &file,
        &report,
        &mut streams,
        |_| kernel.ok_or(EXIT_FAILED),
        &dir.join(lock::LOCK_FILE_NAME),
        |args, streams| {
            let words: Vec<String> = args
                .iter()
                .map(|a| String::from_utf8_lossy(a).into_owned())
                .collect();
            let _ = writeln!(streams.out, "[{}]", words.join(" "));
            0
        },
    );
    drop(streams);
    let _ = std::fs::remove_dir_all(&dir);
    Run {
        code,
        out: String::from_utf8(out).unwrap(),
        err: String::from_utf8(err).unwrap(),
    }
}

/// `ipvsadm -R`-style parsing of a whole text into a table, on an empty one.
fn table_of(text: &str) -> Table {
    let file = read_rules(text.as_bytes(), &ParseConfig::default(), &FixedResolver).unwrap();
    assert!(file.errors.is_empty(), "{:?}", file.errors);
    let (desired, errors) = desired_table(Base::Empty, &file.rules);
    assert!(errors.is_empty(), "{errors:?}");
    desired.table
}

const LIVE: &str = "-A -t 10.0.0.1:80 -s rr\n\
                    -a -t 10.0.0.1:80 -r 10.0.0.2:80 -g -w 1\n\
                    -A -t 10.0.0.1:443 -s rr\n";

const FILE: &str = "# backup\n\
                    -A -t 10.0.0.1:80 -s rr\n\
                    -a -t 10.0.0.1:80 -r 10.0.0.2:80 -g -w 3\n\
                    -A -u 10.0.0.1:53 -s nosuch\n\
                    -a -u 10.0.0.1:53 -r 10.0.0.5:53 -m -w 1\n";

#[test]
fn test_mode_reports_every_bad_line_without_ipvs() {
    let text = "-A -t 10.0.0.1:80 -s rr\n\
                -a -t 10.0.0.1:80 -r 10.0.0.2 -w x\n\
                -A -t 10.0.0.1:80 -s wlc\n\
                --set 1 2 3\n\
                -h\n\
                --start-daemon master --mcast-interface dummy0\n\
                --start-daemon master --mcast-interface dummy0 --syncid 2\n\
                -Z -t 10.0.0.1:81\n";
    let r = run(
        Options {
            test: true,
            ..Options::default()
        },
        text,
        None,
    );
    assert_eq!(r.code, EXIT_INVALID);
    assert_eq!(r.out, "");
    assert_eq!(
        r.err,
        "ipvsadm-restore: rules:2: `-a -t 10.0.0.1:80 -r 10.0.0.2 -w x': illegal weight specified\n\
         ipvsadm-restore: rules:3: `-A -t 10.0.0.1:80 -s wlc': service -t 10.0.0.1:80 already \
         exists (defined at line 1)\n\
         ipvsadm-restore: rules:5: `-h': -h ends ipvsadm -R at this line and cannot be \
         restored; a rule file holds -A, -E, -D, -C, -a, -e, -d, -Z, --set, --start-daemon, \
         --stop-daemon, -L and -S lines\n\
         ipvsadm-restore: rules:7: `--start-daemon master --mcast-interface dummy0 --syncid 2': \
         the master sync daemon is already running (started at line 6)\n\
         ipvsadm-restore: rules:8: `-Z -t 10.0.0.1:81': no such service: -t 10.0.0.1:81\n"
    );
    let good = run(
        Options {
            test: true,
            ..Options::default()
        },
        FILE,
        None,
    );
    assert_eq!((good.code, good.err.as_str()), (EXIT_OK, ""));
}

#[test]
fn a_bad_line_stops_everything_before_ipvs_is_touched() {
    let r = run(
        Options::default(),
        "-A -t 10.0.0.1:80 -s rr\n-a -t 10.0.0.1:80 -r 10.0.0.2 -w x\n",
        None,
    );
    assert_eq!(r.code, EXIT_INVALID);
    assert!(
        r.err.ends_with("ipvsadm-restore: nothing was changed\n"),
        "{}",
        r.err
    );
}

#[test]
fn replaces_the_table_with_only_the_differences() {
    let mut kernel = FakeIpvs::new(table_of(LIVE));
    let file = FILE.replace("nosuch", "wlc");
    let r = run(Options::default(), &file, Some(&mut kernel));
    assert_eq!((r.code, r.out.as_str(), r.err.as_str()), (EXIT_OK, "", ""));
    assert!(kernel.table().same_as(&table_of(&file)));
    let sent: Vec<String> = kernel.log().iter().map(command_line).collect();
    assert_eq!(
        sent.concat(),
        "-A -u 10.0.0.1:53 -s wlc\n\
         -a -u 10.0.0.1:53 -r 10.0.0.5:53 -m -w 1\n\
         -e -t 10.0.0.1:80 -r 10.0.0.2:80 -g -w 3\n\
         -D -t 10.0.0.1:443\n"
    );
}

#[test]
fn dry_run_prints_and_applies_nothing() {
    let mut kernel = FakeIpvs::new(table_of(LIVE));
    let r = run(
        Options {
            dry_run: true,
            drain: None,
            ..Options::default()
        },
        FILE,
        Some(&mut kernel),
    );
    assert_eq!(r.code, EXIT_OK);
    assert_eq!(
        r.out,
        "-A -u 10.0.0.1:53 -s nosuch\n\
         -a -u 10.0.0.1:53 -r 10.0.0.5:53 -m -w 1\n\
         -e -t 10.0.0.1:80 -r 10.0.0.2:80 -g -w 3\n\
         -D -t 10.0.0.1:443\n"
    );
    assert!(kernel.log().is_empty());
    assert!(kernel.table().same_as(&table_of(LIVE)));
}

#[test]
fn a_refused_change_is_undone_and_named() {
    let mut kernel = FakeIpvs::new(table_of(LIVE));
    // The new service (sent first) is refused: an unknown scheduler. Its
    // real server is refused too; the two other changes of the round went
    // through.
    kernel.fail_at(0, Fault::Refuse);
    let r = run(Options::default(), FILE, Some(&mut kernel));
    assert_eq!(r.code, EXIT_FAILED);
    assert_eq!(
        r.err,
        "ipvsadm-restore: rules:4: `-A -u 10.0.0.1:53 -s nosuch': adding service \
         -u 10.0.0.1:53: Scheduler or persistence engine not found\n\
         ipvsadm-restore: nothing was changed: the kernel refused change 1 of 4, and the 2 \
         change(s) it had applied were undone\n"
    );
    assert!(kernel.table().same_as(&table_of(LIVE)));

    // A removal of something the file does not mention, refused after
    // three changes were made.
    let mut kernel = FakeIpvs::new(table_of(LIVE));
    kernel.fail_at(3, Fault::Refuse);
    let r = run(Options::default(), FILE, Some(&mut kernel));
    assert_eq!(r.code, EXIT_FAILED);
    assert!(
        r.err.starts_with(
            "ipvsadm-restore: rules: removing service -t 10.0.0.1:443 (not in the file): "
        ),
        "{}",
        r.err
    );
    assert!(r
        .err
        .contains("refused change 4 of 4, and the 3 change(s) it had applied were undone"));
    assert!(kernel.table().same_as(&table_of(LIVE)));
}

#[test]
fn a_failed_rollback_is_loud() {
    let mut kernel = FakeIpvs::new(table_of(LIVE));
    kernel.refuse_from(2);
    let r = run(Options::default(), FILE, Some(&mut kernel));
    assert_eq!(r.code, EXIT_ROLLBACK_FAILED);
    assert!(r.err.contains("ROLLBACK FAILED"), "{}", r.err);
    assert!(r.err.ends_with(
        "ipvsadm-restore: the table before the restore was:\n\
         --set 0 0 0\n\
         -A -t 10.0.0.1:80 -s rr\n\
         -a -t 10.0.0.1:80 -r 10.0.0.2:80 -g -w 1\n\
         -A -t 10.0.0.1:443 -s rr\n"
    ));
}

#[test]
fn noflush_adds_to_the_live_table() {
    let mut kernel = FakeIpvs::new(table_of(LIVE));
    let r = run(
        Options {
            noflush: true,
            ..Options::default()
        },
        "-a -t 10.0.0.1:443 -r 10.0.0.3:443 -m\n-d -t 10.0.0.1:80 -r 10.0.0.2:80\n",
        Some(&mut kernel),
    );
    assert_eq!((r.code, r.err.as_str()), (EXIT_OK, ""));
    assert!(kernel.table().same_as(&table_of(
        "-A -t 10.0.0.1:80 -s rr\n\
         -A -t 10.0.0.1:443 -s rr\n\
         -a -t 10.0.0.1:443 -r 10.0.0.3:443 -m -w 1\n"
    )));

    // What conflicts with the live table is refused before any change.
    let mut kernel = FakeIpvs::new(table_of(LIVE));
    let r = run(
        Options {
            noflush: true,
            ..Options::default()
        },
        "-A -t 10.0.0.1:8080 -s rr\n-A -t 10.0.0.1:80 -s wlc\n-e -t 10.0.0.1:80 -r 10.0.0.9:80\n",
        Some(&mut kernel),
    );
    assert_eq!(r.code, EXIT_INVALID);
    assert_eq!(
        r.err,
        "ipvsadm-restore: rules:2: `-A -t 10.0.0.1:80 -s wlc': service -t 10.0.0.1:80 \
         already exists in the live table\n\
         ipvsadm-restore: rules:3: `-e -t 10.0.0.1:80 -r 10.0.0.9:80': no such real server: \
         10.0.0.9:80 of service -t 10.0.0.1:80\n\
         ipvsadm-restore: nothing was changed\n"
    );
    assert!(kernel.log().is_empty());
}

#[test]
fn connecting_failure_changes_nothing() {
    let r = run(Options::default(), FILE, None);
    assert_eq!(r.code, EXIT_FAILED);
}

/// LIVE with timeouts 900 120 300 and a backup sync daemon (syncid 7).
fn live_with_settings() -> FakeIpvs {
    let backup = read_rules(
        "--start-daemon backup --mcast-interface dummy0 --syncid 7\n".as_bytes(),
        &ParseConfig::default(),
        &FixedResolver,
    )
    .unwrap();
    let Request::StartDaemon(backup) = backup.rules[0].request.clone() else {
        panic!("{backup:?}");
    };
    FakeIpvs::new(
        table_of(LIVE)
            .with_timeouts(Timeouts {
                tcp: 900,
                tcp_fin: 120,
                udp: 300,
            })
            .with_daemons(vec![backup]),
    )
}

const SETTINGS: &str = "-A -t 10.0.0.1:80 -s rr\n\
                        -a -t 10.0.0.1:80 -r 10.0.0.2:80 -g -w 1\n\
                        --set 600 0 120\n\
                        --start-daemon master --mcast-interface dummy0 --syncid 4\n\
                        -Z\n";

fn sent(kernel: &FakeIpvs) -> String {
    kernel.log().iter().map(command_line).collect()
}

#[test]
fn timeouts_daemons_and_zeroing_are_restored_changing_only_what_differs() {
    let mut kernel = live_with_settings();
    let r = run(Options::default(), SETTINGS, Some(&mut kernel));
    assert_eq!((r.code, r.out.as_str(), r.err.as_str()), (EXIT_OK, "", ""));
    // The backup daemon runs on (-C keeps it); -Z comes last.
    assert_eq!(
        sent(&kernel),
        "--set 600 0 120\n\
         --start-daemon master --mcast-interface dummy0 --syncid 4\n\
         -D -t 10.0.0.1:443\n\
         -Z\n"
    );
    let timeouts = kernel.timeouts().unwrap();
    assert_eq!(
        (timeouts.tcp, timeouts.tcp_fin, timeouts.udp),
        (600, 120, 120)
    );
    let states: Vec<&str> = kernel
        .daemons()
        .unwrap()
        .iter()
        .map(|d| d.state.name())
        .collect();
    assert_eq!(states, ["backup", "master"]);

    // Again: everything is as the file says; only the zeroing runs.
    let before = kernel.log().len();
    let r = run(Options::default(), SETTINGS, Some(&mut kernel));
    assert_eq!((r.code, r.err.as_str()), (EXIT_OK, ""));
    assert_eq!(kernel.log()[before..], [Request::Zero(None)]);
}

#[test]
fn a_daemon_that_ran_before_the_file_runs_on_as_with_ipvsadm_r() {
    let mut kernel = live_with_settings();
    let text = "--start-daemon backup --mcast-interface dummy0 --syncid 9\n\
                --stop-daemon master\n\
                -Z -t 10.0.0.1:443\n\
                -A -t 10.0.0.1:443 -s rr\n\
                -Z -t 10.0.0.1:443\n\
                -Z -t 10.0.0.1:443\n";
    let r = run(Options::default(), text, Some(&mut kernel));
    assert_eq!(r.code, EXIT_INVALID, "{}", r.err);
    // Zeroing a service before the line that adds it: no such service then.
    assert_eq!(
        r.err,
        "ipvsadm-restore: rules:3: `-Z -t 10.0.0.1:443': no such service: -t 10.0.0.1:443\n\
         ipvsadm-restore: nothing was changed\n"
    );
    let text = text.replacen("-Z -t 10.0.0.1:443\n", "", 1);
    let r = run(Options::default(), &text, Some(&mut kernel));
    assert_eq!(r.code, EXIT_OK);
    assert_eq!(
        r.err,
        "ipvsadm-restore: rules:1: `--start-daemon backup --mcast-interface dummy0 --syncid 9': \
         the backup sync daemon already runs (mcast=dummy0, syncid=7); it is left running as it \
         is, as ipvsadm -R leaves it (stop it in an earlier line to restart it)\n"
    );
    assert_eq!(
        sent(&kernel),
        "-D -t 10.0.0.1:80\n-Z -t 10.0.0.1:443\n",
        "one -Z per service"
    );
    assert_eq!(kernel.daemons().unwrap()[0].syncid, 7);
    // Stopped first, it is restarted as the file says.
    let r = run(
        Options::default(),
        &format!("--stop-daemon backup\n{text}"),
        Some(&mut kernel),
    );
    assert_eq!((r.code, r.err.as_str()), (EXIT_OK, ""));
    assert_eq!(kernel.daemons().unwrap()[0].syncid, 9);
}

#[test]
fn dry_run_and_noflush_cover_timeouts_daemons_and_zeroing() {
    let mut kernel = live_with_settings();
    let r = run(
        Options {
            dry_run: true,
            ..Options::default()
        },
        &format!("--stop-daemon backup\n{SETTINGS}-Z -t 10.0.0.1:80\n"),
        Some(&mut kernel),
    );
    assert_eq!((r.code, r.err.as_str()), (EXIT_OK, ""));
    assert_eq!(
        r.out,
        "--set 600 0 120\n\
         --stop-daemon backup\n\
         --start-daemon master --mcast-interface dummy0 --syncid 4\n\
         -D -t 10.0.0.1:443\n\
         -Z\n"
    );
    assert!(kernel.log().is_empty());

    let r = run(
        Options {
            noflush: true,
            ..Options::default()
        },
        "--set 0 60 0\n-Z -t 10.0.0.1:443\n--stop-daemon backup\n",
        Some(&mut kernel),
    );
    assert_eq!((r.code, r.err.as_str()), (EXIT_OK, ""));
    assert_eq!(
        sent(&kernel),
        "--set 0 60 0\n--stop-daemon backup\n-Z -t 10.0.0.1:443\n"
    );
    let want = table_of(LIVE)
        .with_timeouts(Timeouts {
            tcp: 900,
            tcp_fin: 60,
            udp: 300,
        })
        .with_daemons(Vec::new());
    assert!(kernel.table().same_as(&want) && want.same_as(kernel.table()));
}

#[test]
fn a_refused_daemon_start_or_set_undoes_table_timeouts_and_daemons() {
    let file = format!("--stop-daemon backup\n{SETTINGS}");
    // Steps: --set, --stop-daemon backup, --start-daemon master, -D, -Z.
    for (at, named) in [
        (0, "rules:4: `--set 600 0 120': setting timeouts: "),
        (
            2,
            "rules:5: `--start-daemon master --mcast-interface dummy0 --syncid 4': \
             starting master sync daemon: ",
        ),
        (4, "rules:6: `-Z': zeroing the counters of every service: "),
    ] {
        let mut kernel = live_with_settings();
        let before = kernel.table().clone();
        kernel.fail_at(at, Fault::Refuse);
        let r = run(Options::default(), &file, Some(&mut kernel));
        assert_eq!(r.code, EXIT_FAILED, "{}", r.err);
        assert!(
            r.err.starts_with(&format!("ipvsadm-restore: {named}")),
            "{}",
            r.err
        );
        assert!(r.err.contains("nothing was changed"), "{}", r.err);
        assert!(kernel.table().same_as(&before), "refused at {at}");
        assert_eq!(kernel.table().timeouts(), before.timeouts());
        assert_eq!(
            kernel.table().daemons(),
            before.daemons(),
            "refused at {at}"
        );
    }
}

#[test]
fn listing_lines_run_once_the_table_is_in_place() {
    let text = "-L -n\n-A -t 10.0.0.1:80 -s rr\n-S -n\n-L -t 10.0.0.1:80 --stats\n--set 5 6 7\n";
    let mut kernel = live_with_settings();
    let r = run(Options::default(), text, Some(&mut kernel));
    assert_eq!((r.code, r.err.as_str()), (EXIT_OK, ""));
    assert_eq!(
        r.out,
        "[ipvsadm -L -n]\n[ipvsadm -S -n]\n[ipvsadm -L -t 10.0.0.1:80 --stats]\n"
    );
    assert_eq!(
        sent(&kernel),
        "--set 5 6 7\n-d -t 10.0.0.1:80 -r 10.0.0.2:80\n-D -t 10.0.0.1:443\n"
    );

    // Not in a dry run, nor after a refusal.
    let mut kernel = live_with_settings();
    let r = run(
        Options {
            dry_run: true,
            ..Options::default()
        },
        text,
        Some(&mut kernel),
    );
    assert_eq!(
        r.out,
        "--set 5 6 7\n-d -t 10.0.0.1:80 -r 10.0.0.2:80\n-D -t 10.0.0.1:443\n"
    );
    kernel.fail_at(1, Fault::Refuse);
    let r = run(Options::default(), text, Some(&mut kernel));
    assert_eq!((r.code, r.out.as_str()), (EXIT_FAILED, ""));

    // A service that the table will not have cannot be listed.
    let r = run(
        Options {
            test: true,
            ..Options::default()
        },
        "-A -t 10.0.0.1:80 -s rr\n-L -t 10.0.0.1:81\n",
        None,
    );
    assert_eq!(r.code, EXIT_INVALID);
    assert_eq!(
        r.err,
        "ipvsadm-restore: rules:2: `-L -t 10.0.0.1:81': no such service: -t 10.0.0.1:81 \
         (listings run once the table is in place)\n"
    );
}

#[test]
fn drain_option() {
    let run = |args: &[&str]| parse_options(&argv(args));
    let drain = |seconds: u64| {
        Invocation::Run(Options {
            drain: Some(Duration::from_secs(seconds)),
            ..Options::default()
        })
    };
    assert_eq!(run(&["--drain"]), drain(Drain::default().timeout.as_secs()));
    assert_eq!(run(&["--drain=5"]), drain(5));
    assert_eq!(
        run(&["--drain=5s"]),
        Invocation::Usage("--drain takes a number of seconds, not `5s'".into())
    );
    assert!(matches!(run(&["--drain="]), Invocation::Usage(_)));
}

/// LIVE with a second real server on port 80 and one on 443.
const DRAIN_LIVE: &str = "-A -t 10.0.0.1:80 -s rr\n\
                          -a -t 10.0.0.1:80 -r 10.0.0.2:80 -g -w 1\n\
                          -a -t 10.0.0.1:80 -r 10.0.0.3:80 -g -w 2\n\
                          -A -t 10.0.0.1:443 -s rr\n\
                          -a -t 10.0.0.1:443 -r 10.0.0.4:443 -m -w 1\n";

/// Keeps 10.0.0.2 only, edits its weight, adds a UDP service.
const DRAIN_FILE: &str = "-A -t 10.0.0.1:80 -s rr\n\
                          -a -t 10.0.0.1:80 -r 10.0.0.2:80 -g -w 5\n\
                          -A -u 10.0.0.1:53 -s rr\n";

#[test]
fn drain_dry_run_shows_the_steps() {
    let mut kernel = FakeIpvs::new(table_of(DRAIN_LIVE));
    let r = run(
        Options {
            dry_run: true,
            drain: Some(Duration::from_secs(9)),
            ..Options::default()
        },
        DRAIN_FILE,
        Some(&mut kernel),
    );
    assert_eq!((r.code, r.err.as_str()), (EXIT_OK, ""));
    assert_eq!(
        r.out,
        "-A -u 10.0.0.1:53 -s rr\n\
         -e -t 10.0.0.1:80 -r 10.0.0.2:80 -g -w 5\n\
         -e -t 10.0.0.1:80 -r 10.0.0.3:80 -g -w 0\n\
         -e -t 10.0.0.1:443 -r 10.0.0.4:443 -m -w 0\n\
         # drain: wait until IPVS counts no connection through real server 10.0.0.3:80 of \
         service -t 10.0.0.1:80 (at most 9 s)\n\
         # drain: wait until IPVS counts no connection through real server 10.0.0.4:443 of \
         service -t 10.0.0.1:443 (at most 9 s)\n\
         -d -t 10.0.0.1:80 -r 10.0.0.3:80\n\
         -D -t 10.0.0.1:443\n"
    );
    assert!(kernel.log().is_empty());
    // Nothing to drain: the same plan as without --drain.
    let drained = run(
        Options {
            dry_run: true,
            drain: Some(Duration::from_secs(9)),
            ..Options::default()
        },
        FILE,
        Some(&mut FakeIpvs::new(table_of(LIVE))),
    );
    let mut live = FakeIpvs::new(table_of(LIVE));
    let plain = run(
        Options {
            dry_run: true,
            ..Options::default()
        },
        FILE,
        Some(&mut live),
    );
    assert_eq!(plain.out, drained.out);
}

#[test]
fn drain_sets_weight_0_then_deletes_what_drained() {
    let mut kernel = FakeIpvs::new(table_of(DRAIN_LIVE));
    let key = ipvs::model::ServiceKey::Addr {
        protocol: ipvs::model::Protocol::Tcp,
        addr: "10.0.0.1".parse().unwrap(),
        port: 80,
    };
    // 10.0.0.3 keeps a connection: deleted when the (zero) timeout passes;
    // 10.0.0.4 has none: deleted at the first reading, then its service.
    kernel.set_connections(key, "10.0.0.3".parse().unwrap(), 80, [1, 0, 0]);
    let r = run(
        Options {
            drain: Some(Duration::ZERO),
            ..Options::default()
        },
        DRAIN_FILE,
        Some(&mut kernel),
    );
    assert_eq!((r.code, r.out.as_str()), (EXIT_OK, ""), "{}", r.err);
    assert!(kernel.table().same_as(&table_of(DRAIN_FILE)));
    let sent: Vec<String> = kernel.log().iter().map(command_line).collect();
    assert_eq!(
        sent.concat(),
        "-A -u 10.0.0.1:53 -s rr\n\
         -e -t 10.0.0.1:80 -r 10.0.0.2:80 -g -w 5\n\
         -e -t 10.0.0.1:80 -r 10.0.0.3:80 -g -w 0\n\
         -e -t 10.0.0.1:443 -r 10.0.0.4:443 -m -w 0\n\
         -d -t 10.0.0.1:80 -r 10.0.0.3:80\n\
         -d -t 10.0.0.1:443 -r 10.0.0.4:443\n\
         -D -t 10.0.0.1:443\n"
    );
    assert!(
        r.err.contains(
            "ipvsadm-restore: draining real server 10.0.0.3:80 of service -t 10.0.0.1:80 \
             (weight 0), at most 0 s\n"
        ),
        "{}",
        r.err
    );
    assert!(
        r.err.contains(
            "ipvsadm-restore: real server 10.0.0.3:80 of service -t 10.0.0.1:80 deleted after \
             0 s with 1 connection(s) (active 1, inactive 0, persistent 0) left\n"
        ),
        "{}",
        r.err
    );
}

#[test]
fn drain_with_nothing_to_drain_is_a_plain_restore() {
    let mut kernel = FakeIpvs::new(table_of(LIVE));
    let file = FILE.replace("nosuch", "wlc");
    let r = run(
        Options {
            drain: Some(Duration::from_secs(300)),
            ..Options::default()
        },
        &file,
        Some(&mut kernel),
    );
    // -D of a service without real servers: nothing drains through it.
    assert_eq!((r.code, r.out.as_str(), r.err.as_str()), (EXIT_OK, "", ""));
    assert!(kernel.table().same_as(&table_of(&file)));
}

#[test]
fn drain_is_not_a_rule() {
    let r = run(
        Options {
            test: true,
            ..Options::default()
        },
        "-A -t 10.0.0.1:80 -s rr\n-d -t 10.0.0.1:80 -r 10.0.0.2 --drain\n",
        None,
    );
    assert_eq!(r.code, EXIT_INVALID);
    assert_eq!(
        r.err,
        "ipvsadm-restore: rules:2: `-d -t 10.0.0.1:80 -r 10.0.0.2 --drain': --drain cannot be \
         used in a rule file: run ipvsadm-restore --drain\n"
    );
}
