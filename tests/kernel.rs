//! Differential test against a real IPVS kernel: boots qemu guests
//! (tests/vm/run-guest.sh) that run every scenario in tests/scenarios/ with
//! the reference ipvsadm 1.31 and with ours, then compares the records here.
//! The same boots run the guest checks in tests/guest-checks/: shell scripts
//! for what ours does beyond 1.31 (e.g. atomic restores), each in a fresh
//! network namespace with ours first in PATH; a check passes when it exits 0.
//!
//! The work is split over several guests that run at once (each its own
//! kernel, so their scenarios cannot disturb each other), balanced by the
//! measured cost of each scenario and check in tests/vm/costs.txt.
//!
//! Env:
//! - `IPVSADM_VM`: unset or empty skips this test (a plain `cargo test`);
//!   `required` runs it and fails when no guest can be booted on this host;
//!   any other value runs it when a guest can be booted and skips otherwise.
//! - `IPVSADM_SCENARIOS=PATTERN[,PATTERN...]`: run only the scenarios and
//!   checks whose name matches a glob (`*`, `?`) or contains a substring.
//! - `IPVSADM_OURS=PATH`: the binary under test instead of this crate's
//!   ipvsadm (`IPVSADM_OURS=/sbin/ipvsadm` validates the corpus: all pass).
//! - `IPVSADM_OURS2=PATH`: a second binary under test (e.g. the glibc build),
//!   run after ours on the scenarios `IPVSADM_OURS2_SCENARIOS` selects
//!   (patterns as above, default [`OURS2_SMOKE_SET`]; `*` for all) and
//!   compared with the same reference records.
//! - `IPVSADM_QUICKSTART=PATH`: the library's example program for the
//!   `library-quickstart` check (default `target/debug/examples/quickstart`,
//!   which `cargo test` builds).
//! - `IPVSADM_VM_GUESTS=N`: guests run at once (default 2).
//! - `IPVSADM_VM_COSTS=PATH`: write the guest time each scenario and check
//!   took in this run to PATH, in the format of tests/vm/costs.txt.
//! - `IPVSADM_VM_TIMEOUT=SECONDS`: stop each guest after this long.

mod json_text;
mod support;

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

use support::compare::compare;
use support::guest::{self, Availability, GuestReport, GuestRun};
use support::record::ScenarioRecord;
use support::scenario::{files_with_extension, matches_filter, scenario_files, Scenario};

/// Guest time allowed beyond the per-scenario allowance.
const BASE_TIMEOUT: Duration = Duration::from_secs(120);
/// Guest time allowed per scenario pass pair (a scenario usually takes 1-5 s).
const TIMEOUT_PER_SCENARIO: Duration = Duration::from_secs(15);
/// Guest time allowed per guest check (some build tables of 10,000 services).
const TIMEOUT_PER_CHECK: Duration = Duration::from_secs(240);

/// The scenarios the second binary runs unless `IPVSADM_OURS2_SCENARIOS`
/// says otherwise: every kind of work the binary does, in few scenarios —
/// the smoke set (add, list, restore, errors, traffic), restore and save
/// (also through the ipvsadm-save/-restore names, with names read back), the
/// usage errors, the sync daemons, live connections (IPv4 and IPv6), JSON,
/// and a run as an unprivileged user.
///
/// Host and service names are in it through `126-save-names-roundtrip`.
/// Ours reads nsswitch.conf, /etc/hosts and /etc/services itself with
/// glibc's rules whatever the C library (`src/resolve`), so both builds
/// (tests/all.sh runs the static musl one over the whole corpus and the
/// glibc one over this set) pass the other name scenarios too,
/// `013-list-names` and `028-host-names`, which this set leaves out only to
/// save guest time (`IPVSADM_OURS2_SCENARIOS` selects them).
pub const OURS2_SMOKE_SET: &str = "000-smoke-*,\
     080-missing-required-options,084-unknown-options,100-daemon-master,102-daemon-both,\
     110-restore-from-file,114-restore-kernel-error-continues,120-save-formats,\
     122-ipvsadm-save-script,123-ipvsadm-restore-script,126-save-names-roundtrip,\
     140-conn-tcp,143-conn-ipv6,181-unprivileged-user,190-json-listings";

/// The guest check that runs the library's example program, and where the
/// guest finds that program.
const QUICKSTART_CHECK: &str = "library-quickstart";
const QUICKSTART_IN_GUEST: &str = "/guest/bin/quickstart";

/// Checks that work on the scenarios' recorded tables (`$RESULTS/NAME/ref`):
/// each guest runs them over its own share of the corpus, so that together
/// they cover every scenario.
const PER_GUEST_CHECKS: [&str; 1] = ["restore-roundtrip"];

/// Guest seconds assumed for a scenario or check missing from
/// tests/vm/costs.txt.
const DEFAULT_SCENARIO_COST: f64 = 5.0;
const DEFAULT_CHECK_COST: f64 = 30.0;

#[test]
fn scenarios_match_the_reference_in_a_real_kernel() {
    if let Err(error) = run_corpus() {
        panic!("{error:#}");
    }
}

/// Writes a line to stderr directly, past the test harness's output capture,
/// so progress shows in a plain `cargo test`.
fn say(line: &str) {
    let _ = writeln!(std::io::stderr(), "{line}");
}

/// Reads an environment variable, treating empty as unset.
fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// One binary under test: its path and the name of its pass in the records.
struct Binary {
    path: PathBuf,
    pass: &'static str,
}

/// What one guest runs: scenarios (indices into the scenario list, with
/// whether the second binary runs them too) and checks (names).
#[derive(Default)]
struct Share {
    scenarios: Vec<(usize, bool)>,
    checks: Vec<String>,
    cost: f64,
}

fn run_corpus() -> Result<()> {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let required = match env("IPVSADM_VM") {
        None => {
            say("SKIPPED the real-kernel scenarios: IPVSADM_VM is not set \
                 (IPVSADM_VM=required runs them, as tests/all.sh does)");
            return Ok(());
        }
        Some(mode) => mode == "required",
    };
    let filter = env("IPVSADM_SCENARIOS");

    let files = scenario_files(&repo.join("tests/scenarios"), filter.as_deref())?;
    let checks = files_with_extension(&repo.join("tests/guest-checks"), "sh", filter.as_deref())?;
    if files.is_empty() && checks.is_empty() {
        match &filter {
            Some(filter) => bail!("IPVSADM_SCENARIOS={filter} selects no scenario"),
            None => bail!("no scenarios in tests/scenarios"),
        }
    }
    let mut scenarios = Vec::new();
    let mut failed = Vec::new();
    for file in &files {
        match Scenario::load(file) {
            Ok(scenario) => scenarios.push(scenario),
            Err(error) => {
                let name = file.file_stem().unwrap_or_default().to_string_lossy();
                say(&format!("FAIL {name}: cannot parse: {error:#}"));
                failed.push(name.into_owned());
            }
        }
    }
    let check_names: Vec<String> = checks
        .iter()
        .map(|check| {
            check
                .file_stem()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned()
        })
        .collect();

    match guest::prepare(repo)? {
        Availability::Ready => {}
        Availability::Unavailable(reason) if required => {
            bail!("IPVSADM_VM=required but no test guest: {reason}")
        }
        Availability::Unavailable(reason) => {
            say(&format!(
                "SKIPPED the real-kernel scenarios: {reason}\n\
                 (set IPVSADM_VM=required to make this a failure)"
            ));
            return Ok(());
        }
    }

    let ours = Binary {
        path: canonical_binary(
            env("IPVSADM_OURS").map_or_else(|| env!("CARGO_BIN_EXE_ipvsadm").into(), PathBuf::from),
        )?,
        pass: "ours",
    };
    let ours2 = match env("IPVSADM_OURS2") {
        Some(path) => Some(Binary {
            path: canonical_binary(PathBuf::from(path))?,
            pass: "ours2",
        }),
        None => None,
    };
    let ours2_filter = env("IPVSADM_OURS2_SCENARIOS").unwrap_or_else(|| OURS2_SMOKE_SET.into());
    let quickstart = env("IPVSADM_QUICKSTART").map_or_else(
        || {
            Path::new(env!("CARGO_TARGET_TMPDIR"))
                .parent()
                .unwrap_or(repo)
                .join("debug/examples/quickstart")
        },
        PathBuf::from,
    );

    let guests = env("IPVSADM_VM_GUESTS")
        .map(|n| n.trim().parse::<usize>())
        .transpose()
        .context("IPVSADM_VM_GUESTS needs a number")?
        .unwrap_or(2)
        .max(1);
    let costs = load_costs(&repo.join("tests/vm/costs.txt"))?;
    let mut items: Vec<(f64, Item)> = Vec::new();
    for (index, scenario) in scenarios.iter().enumerate() {
        let second = ours2.is_some() && matches_filter(&ours2_filter, &scenario.name);
        let cost = costs
            .iter()
            .find(|(name, _)| *name == scenario.name)
            .map_or(DEFAULT_SCENARIO_COST, |(_, cost)| *cost);
        // A pass is about half of the measured ref + ours pair.
        let cost = if second { cost * 1.5 } else { cost };
        items.push((cost, Item::Scenario(index, second)));
    }
    for name in check_names
        .iter()
        .filter(|name| !PER_GUEST_CHECKS.contains(&name.as_str()))
    {
        let key = format!("check:{name}");
        let cost = costs
            .iter()
            .find(|(entry, _)| *entry == key)
            .map_or(DEFAULT_CHECK_COST, |(_, cost)| *cost);
        items.push((cost, Item::Check(name.clone())));
    }
    let mut shares = balance(items, guests);
    let per_guest: Vec<&String> = check_names
        .iter()
        .filter(|name| PER_GUEST_CHECKS.contains(&name.as_str()))
        .collect();
    if !per_guest.is_empty() {
        if shares.is_empty() {
            shares.push(Share::default());
        }
        let with_scenarios = shares.iter().filter(|s| !s.scenarios.is_empty()).count();
        for (number, share) in shares.iter_mut().enumerate() {
            // A guest with no scenarios has no tables for them (only the
            // first one runs them then, and fails, as a lone guest would).
            if !share.scenarios.is_empty() || (with_scenarios == 0 && number == 0) {
                share
                    .checks
                    .extend(per_guest.iter().map(|name| name.to_string()));
                share.checks.sort_unstable();
            }
        }
    }

    let work = work_dir(repo)?;
    let mut runs = Vec::new();
    for (number, share) in shares.iter().enumerate() {
        let dir = work.join(format!("guest-{}", number + 1));
        let files_dir = dir.join("files");
        let scenario_dir = files_dir.join("scenarios");
        std::fs::create_dir_all(&scenario_dir)
            .with_context(|| format!("creating {}", scenario_dir.display()))?;
        let mut second_list = String::new();
        for &(index, second) in &share.scenarios {
            let scenario = &scenarios[index];
            let copy = scenario_dir.join(format!("{}.scn", scenario.name));
            std::fs::copy(&scenario.path, &copy)
                .with_context(|| format!("copying {}", scenario.path.display()))?;
            if second {
                second_list.push_str(&scenario.name);
                second_list.push('\n');
            }
        }
        std::fs::write(files_dir.join("ours2.list"), second_list)
            .with_context(|| format!("writing {}", files_dir.display()))?;

        let check_dir = files_dir.join("guest-checks");
        std::fs::create_dir_all(&check_dir)
            .with_context(|| format!("creating {}", check_dir.display()))?;
        let mut extras = Vec::new();
        for name in &share.checks {
            let check = repo.join("tests/guest-checks").join(format!("{name}.sh"));
            std::fs::copy(&check, check_dir.join(format!("{name}.sh")))
                .with_context(|| format!("copying {}", check.display()))?;
            // Without the program the check fails in the guest, saying so.
            if name == QUICKSTART_CHECK && quickstart.is_file() {
                extras.push((quickstart.clone(), QUICKSTART_IN_GUEST.to_string()));
            }
        }
        // Helpers the checks share (awk programs, sourced shell), next to
        // them in the guest.
        for extension in ["awk", "inc"] {
            for helper in files_with_extension(&repo.join("tests/guest-checks"), extension, None)? {
                let name = helper.file_name().unwrap_or_default();
                std::fs::copy(&helper, check_dir.join(name))
                    .with_context(|| format!("copying {}", helper.display()))?;
            }
        }

        let scenario_count = u32::try_from(share.scenarios.len()).unwrap_or(u32::MAX);
        let second_count =
            u32::try_from(share.scenarios.iter().filter(|s| s.1).count()).unwrap_or(u32::MAX);
        let check_count = u32::try_from(share.checks.len()).unwrap_or(u32::MAX);
        let timeout = std::env::var_os("IPVSADM_VM_TIMEOUT").is_none().then(|| {
            BASE_TIMEOUT
                + TIMEOUT_PER_SCENARIO * scenario_count
                + TIMEOUT_PER_SCENARIO / 2 * second_count
                + TIMEOUT_PER_CHECK * check_count
        });
        runs.push(GuestRun {
            ours: ours.path.clone(),
            ours2: ours2.as_ref().map(|b| b.path.clone()),
            extras,
            script: repo.join("tests/vm/guest/scenarios.sh"),
            files: files_dir,
            out: dir.join("results"),
            timeout,
        });
    }

    say(&format!(
        "booting {} test guest(s) at once for {} scenarios and {} checks, ours = {}{}",
        runs.len(),
        scenarios.len(),
        check_names.len(),
        ours.path.display(),
        match &ours2 {
            Some(binary) => format!(
                ", ours2 = {} ({} scenarios)",
                binary.path.display(),
                shares
                    .iter()
                    .flat_map(|s| &s.scenarios)
                    .filter(|s| s.1)
                    .count()
            ),
            None => String::new(),
        }
    ));
    for (number, share) in shares.iter().enumerate() {
        say(&format!(
            "guest {}: {} scenarios, {} checks, about {:.0}s of guest time",
            number + 1,
            share.scenarios.len(),
            share.checks.len(),
            share.cost
        ));
    }
    let started = Instant::now();
    let reports: Vec<Result<GuestReport>> = std::thread::scope(|scope| {
        let handles: Vec<_> = runs
            .iter()
            .map(|run| scope.spawn(move || run.run(repo)))
            .collect();
        handles
            .into_iter()
            .map(|handle| {
                handle
                    .join()
                    .unwrap_or_else(|_| Err(anyhow::anyhow!("the guest thread panicked")))
            })
            .collect()
    });

    if let Some(path) = env("IPVSADM_VM_COSTS") {
        write_costs(Path::new(&path), &shares, &runs)?;
        say(&format!("guest times written to {path}"));
    }

    // Every guest's records are compared, also when another guest failed.
    let mut guest_errors = Vec::new();
    for (number, (run, report)) in runs.iter().zip(&reports).enumerate() {
        match report {
            Ok(report) => say(&format!(
                "guest {} finished in {:.1}s",
                number + 1,
                report.elapsed.as_secs_f64()
            )),
            Err(error) => {
                say(&format!("FAIL guest {}: {error:#}", number + 1));
                guest_errors.push(format!(
                    "guest {} failed (files kept in {}, console in {})",
                    number + 1,
                    run.files.display(),
                    run.out.join("console.log").display()
                ));
            }
        }
    }
    let mut compared = 0;
    for (index, scenario) in scenarios.iter().enumerate() {
        let (run, second) = shares
            .iter()
            .zip(&runs)
            .find_map(|(share, run)| {
                share
                    .scenarios
                    .iter()
                    .find(|s| s.0 == index)
                    .map(|s| (run, s.1))
            })
            .context("a scenario assigned to no guest")?;
        let binaries = std::iter::once(&ours).chain(ours2.as_ref().filter(|_| second));
        for binary in binaries {
            let label = match binary.pass {
                "ours" => scenario.name.clone(),
                pass => format!("{} [{pass}]", scenario.name),
            };
            compared += 1;
            let record = ScenarioRecord::load_pass(&run.out.join(&scenario.name), binary.pass)?;
            let outcome = compare(scenario, &record);
            if outcome.passed() {
                say(&format!("ok   {label}"));
            } else {
                say(&format!("FAIL {label}"));
                if binary.pass != "ours" {
                    say(&format!(
                        "     ({} is {})",
                        binary.pass,
                        binary.path.display()
                    ));
                }
                say(&outcome.report(scenario));
                failed.push(label);
            }
        }
    }
    let mut check_runs = 0;
    for name in &check_names {
        let guests_running: Vec<(usize, &GuestRun)> = shares
            .iter()
            .zip(&runs)
            .enumerate()
            .filter(|(_, (share, _))| share.checks.contains(name))
            .map(|(number, (_, run))| (number + 1, run))
            .collect();
        if guests_running.is_empty() {
            bail!("check {name} assigned to no guest");
        }
        for (number, run) in &guests_running {
            let label = if guests_running.len() > 1 {
                format!("check {name} [guest {number}]")
            } else {
                format!("check {name}")
            };
            check_runs += 1;
            let dir = run.out.join("checks");
            let status = std::fs::read_to_string(dir.join(format!("{name}.rc")))
                .map(|rc| rc.trim().to_string())
                .unwrap_or_else(|_| "missing (the guest did not run it)".to_string());
            if status == "0" {
                say(&format!("ok   {label}"));
            } else {
                let log =
                    std::fs::read_to_string(dir.join(format!("{name}.log"))).unwrap_or_default();
                say(&format!("FAIL {label}: exit status {status}"));
                for line in log.lines() {
                    say(&format!("    {line}"));
                }
                failed.push(label);
            }
        }
    }
    let total = compared + (files.len() - scenarios.len()) + check_runs;
    say(&format!(
        "{} of {} scenario runs and guest checks passed; guests {}, total {:.1}s",
        total - failed.len(),
        total,
        reports
            .iter()
            .map(|r| match r {
                Ok(report) => format!("{:.1}s", report.elapsed.as_secs_f64()),
                Err(_) => "failed".into(),
            })
            .collect::<Vec<_>>()
            .join(" + "),
        started.elapsed().as_secs_f64()
    ));

    if failed.is_empty() && guest_errors.is_empty() {
        std::fs::remove_dir_all(&work).with_context(|| format!("removing {}", work.display()))?;
        Ok(())
    } else {
        let mut problems = guest_errors;
        if !failed.is_empty() {
            problems.push(format!(
                "{} of {} scenario runs and guest checks failed (records kept in {}): {}",
                failed.len(),
                total,
                work.display(),
                failed.join(", ")
            ));
        }
        bail!("{}", problems.join("\n"))
    }
}

/// A scenario (index, also run by the second binary) or a guest check.
enum Item {
    Scenario(usize, bool),
    Check(String),
}

/// Splits the work over `guests` guests, costliest first, each to the guest
/// with the least so far; each guest then runs its share in name order.
fn balance(mut items: Vec<(f64, Item)>, guests: usize) -> Vec<Share> {
    items.sort_by(|a, b| b.0.total_cmp(&a.0));
    let mut shares: Vec<Share> = (0..guests).map(|_| Share::default()).collect();
    for (cost, item) in items {
        let Some(share) = shares.iter_mut().min_by(|a, b| a.cost.total_cmp(&b.cost)) else {
            break;
        };
        share.cost += cost;
        match item {
            Item::Scenario(index, second) => share.scenarios.push((index, second)),
            Item::Check(name) => share.checks.push(name),
        }
    }
    shares.retain(|share| !share.scenarios.is_empty() || !share.checks.is_empty());
    for share in &mut shares {
        share.scenarios.sort_unstable();
        share.checks.sort_unstable();
    }
    shares
}

/// Reads tests/vm/costs.txt: `SECONDS NAME` lines (`check:NAME` for guest
/// checks), `#` comments.
fn load_costs(path: &Path) -> Result<Vec<(String, f64)>> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
    };
    let mut costs = Vec::new();
    for (number, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let parsed = line
            .split_once(char::is_whitespace)
            .and_then(|(seconds, name)| Some((seconds.parse::<f64>().ok()?, name.trim())));
        match parsed {
            Some((seconds, name)) if seconds.is_finite() && seconds >= 0.0 => {
                costs.push((name.to_string(), seconds))
            }
            _ => bail!("{}:{}: not `SECONDS NAME`", path.display(), number + 1),
        }
    }
    Ok(costs)
}

/// Writes the guest time of each item as tests/vm/costs.txt lines: for a
/// scenario, the console's `busy NAME PASS CENTISECONDS` lines of its
/// reference and ours passes (the time each held the turn; a background
/// pass's waits are not the guest's); for a check, from its
/// `[UPTIME s] guest check: NAME` line to the next such line or `done`.
fn write_costs(path: &Path, shares: &[Share], runs: &[GuestRun]) -> Result<()> {
    let mut lines = Vec::new();
    let mut notes = Vec::new();
    for (share, run) in shares.iter().zip(runs) {
        let console = std::fs::read_to_string(run.out.join("console.log")).unwrap_or_default();
        let mut marks: Vec<(f64, Option<String>)> = Vec::new();
        let mut scenario_costs: Vec<(String, f64)> = Vec::new();
        for line in console.lines().map(|l| l.trim_end_matches('\r')) {
            if let Some(rest) = line.strip_prefix("busy ") {
                let fields: Vec<&str> = rest.split_whitespace().collect();
                let [name, pass, centiseconds] = fields[..] else {
                    continue;
                };
                let Ok(centiseconds) = centiseconds.parse::<f64>() else {
                    continue;
                };
                if pass == "ours2" {
                    continue;
                }
                match scenario_costs.iter_mut().find(|(n, _)| n == name) {
                    Some((_, cost)) => *cost += centiseconds / 100.0,
                    None => scenario_costs.push((name.to_string(), centiseconds / 100.0)),
                }
                continue;
            }
            let Some(rest) = line.strip_prefix('[') else {
                continue;
            };
            let Some((uptime, text)) = rest.split_once("s] ") else {
                continue;
            };
            let Ok(uptime) = uptime.parse::<f64>() else {
                continue;
            };
            if text == "done" {
                marks.push((uptime, None));
            } else if let Some(check) = text.strip_prefix("guest check: ") {
                marks.push((uptime, Some(format!("check:{check}"))));
            }
        }
        let mut per_guest_time = 0.0;
        for pair in marks.windows(2) {
            let (Some(name), end) = (&pair[0].1, pair[1].0) else {
                continue;
            };
            let cost = end - pair[0].0;
            if PER_GUEST_CHECKS
                .iter()
                .any(|c| name == &format!("check:{c}"))
            {
                per_guest_time += cost;
            } else {
                lines.push(format!("{cost:.1} {name}"));
            }
        }
        // The per-guest checks work on the guest's scenarios' tables: each
        // scenario carries an equal part of their time, so that the split
        // balances it too.
        let part = per_guest_time / share.scenarios.len().max(1) as f64;
        notes.push(format!(
            "# {per_guest_time:.1} s of per-guest checks ({}) in a guest with {} scenarios",
            PER_GUEST_CHECKS.join(", "),
            share.scenarios.len()
        ));
        for (name, cost) in scenario_costs {
            lines.push(format!("{:.1} {name}", cost + part));
        }
    }
    lines.sort_by(|a, b| {
        a.split_once(' ')
            .map(|x| x.1)
            .cmp(&b.split_once(' ').map(|x| x.1))
    });
    let mut text = String::from(
        "# Guest seconds per scenario (the time its reference and ours passes\n\
         # held the turn, and a part of the per-guest restore-roundtrip check)\n\
         # and per guest check (check:NAME): guest uptime in a run of\n\
         # tests/kernel.rs (only the proportions matter). tests/kernel.rs\n\
         # splits the work over its guests by these; a missing entry counts\n\
         # as 5 s (scenario) or 30 s (check).\n\
         # Regenerate with IPVSADM_VM_COSTS=tests/vm/costs.txt.\n",
    );
    for line in notes.into_iter().chain(lines) {
        text.push_str(&line);
        text.push('\n');
    }
    std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))
}

fn canonical_binary(path: PathBuf) -> Result<PathBuf> {
    path.canonicalize()
        .with_context(|| format!("no binary under test at {}", path.display()))
}

/// A fresh directory for this run's guest files and records.
fn work_dir(repo: &Path) -> Result<PathBuf> {
    let cache = match std::env::var_os("IPVSADM_VM_CACHE") {
        Some(dir) => PathBuf::from(dir),
        None => repo.join("target/vm"),
    };
    let dir = cache
        .join("runs")
        .join(format!("scenarios-{}", std::process::id()));
    if dir.exists() {
        std::fs::remove_dir_all(&dir).with_context(|| format!("removing {}", dir.display()))?;
    }
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    Ok(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn balance_gives_each_guest_about_the_same_cost() {
        let items = vec![
            (10.0, Item::Scenario(0, false)),
            (4.0, Item::Scenario(1, true)),
            (3.0, Item::Check("b".into())),
            (3.0, Item::Check("a".into())),
            (1.0, Item::Scenario(2, false)),
        ];
        let shares = balance(items, 2);
        assert_eq!(shares.len(), 2);
        // 10 | 4, 3, 3 | then the 1 to the first of two equal guests.
        assert_eq!(shares[0].scenarios, vec![(0, false), (2, false)]);
        assert!(shares[0].checks.is_empty());
        assert_eq!(shares[1].scenarios, vec![(1, true)]);
        assert_eq!(shares[1].checks, vec!["a".to_string(), "b".to_string()]);
        assert_eq!((shares[0].cost, shares[1].cost), (11.0, 10.0));
    }

    #[test]
    fn balance_drops_guests_with_nothing_to_run() {
        let shares = balance(vec![(1.0, Item::Check("only".into()))], 3);
        assert_eq!(shares.len(), 1);
        assert_eq!(shares[0].checks, vec!["only".to_string()]);
    }

    #[test]
    fn costs_file_is_read_and_checked() {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("kernel-costs-test");
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("costs.txt");
        std::fs::write(&path, "# comment\n\n12.5 010-list\n40 check:big-one\n").unwrap();
        assert_eq!(
            load_costs(&path).unwrap(),
            vec![
                ("010-list".to_string(), 12.5),
                ("check:big-one".to_string(), 40.0)
            ]
        );
        std::fs::write(&path, "fast 010-list\n").unwrap();
        assert!(load_costs(&path).is_err());
        assert!(load_costs(&dir.join("none.txt")).unwrap().is_empty());
    }

    #[test]
    fn the_cost_table_names_existing_scenarios_and_checks() {
        let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
        for (name, _) in load_costs(&repo.join("tests/vm/costs.txt")).unwrap() {
            let path = match name.strip_prefix("check:") {
                Some(check) => repo.join(format!("tests/guest-checks/{check}.sh")),
                None => repo.join(format!("tests/scenarios/{name}.scn")),
            };
            assert!(
                path.is_file(),
                "tests/vm/costs.txt names {name}: no {}",
                path.display()
            );
        }
    }
}
