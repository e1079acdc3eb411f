//! Differential test against a real IPVS kernel: boots one qemu guest
//! (tests/vm/run-guest.sh) that runs every scenario in tests/scenarios/ with
//! the reference ipvsadm 1.31 and with ours, then compares the records here.
//! In the same boot it runs the guest checks in tests/guest-checks/: shell
//! scripts for what ours does beyond 1.31 (e.g. atomic restores), each in a
//! fresh network namespace with ours first in PATH; a check passes when it
//! exits 0.
//!
//! Env:
//! - `IPVSADM_VM=required`: fail (instead of skipping) when no guest can be
//!   booted on this host.
//! - `IPVSADM_SCENARIOS=PATTERN[,PATTERN...]`: run only the scenarios whose
//!   name matches a glob (`*`, `?`) or contains a substring.
//! - `IPVSADM_OURS=PATH`: the binary under test instead of this crate's
//!   ipvsadm (`IPVSADM_OURS=/sbin/ipvsadm` validates the corpus: all pass).
//! - `IPVSADM_VM_TIMEOUT=SECONDS`: stop the guest after this long.

mod json_text;
mod support;

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

use support::compare::compare;
use support::guest::{self, Availability, GuestRun};
use support::record::ScenarioRecord;
use support::scenario::{files_with_extension, scenario_files, Scenario};

/// Guest time allowed beyond the per-scenario allowance.
const BASE_TIMEOUT: Duration = Duration::from_secs(120);
/// Guest time allowed per scenario (a scenario usually takes 1-5 s).
const TIMEOUT_PER_SCENARIO: Duration = Duration::from_secs(15);
/// Guest time allowed per guest check (some build tables of 10,000 services).
const TIMEOUT_PER_CHECK: Duration = Duration::from_secs(240);

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

fn run_corpus() -> Result<()> {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let filter = std::env::var("IPVSADM_SCENARIOS")
        .ok()
        .filter(|f| !f.trim().is_empty());
    let required = std::env::var("IPVSADM_VM").is_ok_and(|v| v == "required");

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

    let ours = match std::env::var_os("IPVSADM_OURS") {
        Some(path) => PathBuf::from(path),
        None => PathBuf::from(env!("CARGO_BIN_EXE_ipvsadm")),
    };
    let ours = ours
        .canonicalize()
        .with_context(|| format!("no binary under test at {}", ours.display()))?;

    let work = work_dir(repo)?;
    let files_dir = work.join("files");
    let scenario_dir = files_dir.join("scenarios");
    std::fs::create_dir_all(&scenario_dir)
        .with_context(|| format!("creating {}", scenario_dir.display()))?;
    for scenario in &scenarios {
        let copy = scenario_dir.join(format!("{}.scn", scenario.name));
        std::fs::copy(&scenario.path, &copy)
            .with_context(|| format!("copying {}", scenario.path.display()))?;
    }

    let check_dir = files_dir.join("guest-checks");
    std::fs::create_dir_all(&check_dir)
        .with_context(|| format!("creating {}", check_dir.display()))?;
    let mut check_names = Vec::new();
    for check in &checks {
        let name = check.file_name().unwrap_or_default();
        std::fs::copy(check, check_dir.join(name))
            .with_context(|| format!("copying {}", check.display()))?;
        check_names.push(
            check
                .file_stem()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned(),
        );
    }

    // Helpers the checks share (awk programs, sourced shell), next to them
    // in the guest.
    for extension in ["awk", "inc"] {
        for helper in files_with_extension(&repo.join("tests/guest-checks"), extension, None)? {
            let name = helper.file_name().unwrap_or_default();
            std::fs::copy(&helper, check_dir.join(name))
                .with_context(|| format!("copying {}", helper.display()))?;
        }
    }

    let scenario_count = u32::try_from(scenarios.len()).unwrap_or(u32::MAX);
    let check_count = u32::try_from(checks.len()).unwrap_or(u32::MAX);
    let timeout = std::env::var_os("IPVSADM_VM_TIMEOUT").is_none().then(|| {
        BASE_TIMEOUT + TIMEOUT_PER_SCENARIO * scenario_count + TIMEOUT_PER_CHECK * check_count
    });
    say(&format!(
        "booting the test guest for {} scenarios, ours = {}",
        scenarios.len(),
        ours.display()
    ));
    let started = Instant::now();
    let run = GuestRun {
        ours,
        script: repo.join("tests/vm/guest/scenarios.sh"),
        files: files_dir,
        out: work.join("results"),
        timeout,
    };
    let report = run.run(repo).with_context(|| {
        format!(
            "the test guest failed (files kept in {}, console in {})",
            work.display(),
            run.out.join("console.log").display()
        )
    })?;

    for scenario in &scenarios {
        let record = ScenarioRecord::load(&run.out.join(&scenario.name))?;
        let outcome = compare(scenario, &record);
        if outcome.passed() {
            say(&format!("ok   {}", scenario.name));
        } else {
            say(&format!("FAIL {}", scenario.name));
            say(&outcome.report(scenario));
            failed.push(scenario.name.clone());
        }
    }
    for name in &check_names {
        let dir = run.out.join("checks");
        let status = std::fs::read_to_string(dir.join(format!("{name}.rc")))
            .map(|rc| rc.trim().to_string())
            .unwrap_or_else(|_| "missing (the guest did not run it)".to_string());
        if status == "0" {
            say(&format!("ok   check {name}"));
        } else {
            let log = std::fs::read_to_string(dir.join(format!("{name}.log"))).unwrap_or_default();
            say(&format!("FAIL check {name}: exit status {status}"));
            for line in log.lines() {
                say(&format!("    {line}"));
            }
            failed.push(format!("check {name}"));
        }
    }
    let total = files.len() + check_names.len();
    say(&format!(
        "{} of {} scenarios and guest checks passed; guest run {:.1}s, total {:.1}s",
        total - failed.len(),
        total,
        report.elapsed.as_secs_f64(),
        started.elapsed().as_secs_f64()
    ));

    if failed.is_empty() {
        std::fs::remove_dir_all(&work).with_context(|| format!("removing {}", work.display()))?;
        Ok(())
    } else {
        bail!(
            "{} of {} scenarios and guest checks failed (records kept in {}): {}",
            failed.len(),
            total,
            work.display(),
            failed.join(", ")
        )
    }
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
