//! Judges one scenario: compares what ours did with what the reference did
//! and explains every difference with the scenario line and a diff.

use std::fmt::Write as _;

use super::diff;
use super::record::{Output, PassRecord, ScenarioRecord, STATE_RECORDS};
use super::scenario::{Directive, Scenario, Step};
use crate::json_text;

/// At most this many differences are explained per scenario.
const MAX_PROBLEMS: usize = 10;
/// `timeout` (busybox) exits with this when it killed the command.
const TIMEOUT_EXIT: i32 = 143;

/// The verdict on one scenario.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub name: String,
    /// One explanation per difference; empty when the scenario passed.
    pub problems: Vec<String>,
    /// Output of the setup lines, shown with the problems.
    pub setup_output: String,
}

impl Outcome {
    pub fn passed(&self) -> bool {
        self.problems.is_empty()
    }

    /// A readable failure report: file, differing lines, diffs, setup output.
    pub fn report(&self, scenario: &Scenario) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "FAIL {}: {}", scenario.name, scenario.description);
        let _ = writeln!(out, "  file: {}", scenario.path.display());
        for problem in self.problems.iter().take(MAX_PROBLEMS) {
            out.push_str(problem);
        }
        if self.problems.len() > MAX_PROBLEMS {
            let more = self.problems.len() - MAX_PROBLEMS;
            let _ = writeln!(out, "  ... and {more} more differences");
        }
        out.push_str(&self.setup_output);
        out
    }
}

/// Compares both passes of `scenario`.
pub fn compare(scenario: &Scenario, record: &ScenarioRecord) -> Outcome {
    let mut problems = Vec::new();
    for (pass, label) in [(&record.reference, "reference"), (&record.ours, "ours")] {
        if !pass.complete {
            problems.push(format!(
                "  the {label} pass did not finish (did the guest stop early?)\n"
            ));
        }
    }
    for step in &scenario.steps {
        if let Some(problem) = compare_step(step, record) {
            problems.push(problem);
        }
    }
    for (name, command) in STATE_RECORDS {
        let expected = record.reference.get(name);
        let actual = record.ours.get(name);
        let heading = format!("final state: `{command}` (read by the reference after each pass)");
        if let Some(problem) = explain(&heading, expected, actual, Masking::None, true) {
            problems.push(problem);
        }
    }
    let setup_output = if problems.is_empty() {
        String::new()
    } else {
        setup_report(scenario, record)
    };
    Outcome {
        name: scenario.name.clone(),
        problems,
        setup_output,
    }
}

fn compare_step(step: &Step, record: &ScenarioRecord) -> Option<String> {
    let key = format!("L{}", step.line);
    let heading = format!("line {}: {step}", step.line);
    match step.directive {
        Directive::Setup => None,
        Directive::Compare => explain(
            &heading,
            record.reference.get(&key),
            record.ours.get(&key),
            Masking::None,
            true,
        ),
        Directive::ExitCode => explain(
            &heading,
            record.reference.get(&key),
            record.ours.get(&key),
            Masking::None,
            false,
        ),
        Directive::Timers | Directive::Numbers => {
            let masking = if step.directive == Directive::Timers {
                Masking::Timers
            } else {
                Masking::Numbers
            };
            // Both runs happen in the ours pass, on the same state.
            let expected = record.ours.get(&format!("{key}.ref"));
            explain(&heading, expected, record.ours.get(&key), masking, true)
        }
        Directive::Json | Directive::JsonVolatile => {
            let masking = if step.directive == Directive::Json {
                json_text::Masking::Timers
            } else {
                json_text::Masking::Volatile
            };
            let text = record.ours.get(&format!("{key}.ref"));
            explain_json(&heading, text, record.ours.get(&key), masking)
        }
    }
}

/// `j`/`jj`: the reference's text and ours' JSON of the same listing must
/// both succeed (same exit code, nothing on stderr) and carry the same
/// information.
fn explain_json(
    heading: &str,
    text: Option<&Output>,
    json: Option<&Output>,
    masking: json_text::Masking,
) -> Option<String> {
    let (Some(text), Some(json)) = (text, json) else {
        return Some(format!(
            "  {heading}\n    no record of the reference's text or of ours' JSON\n"
        ));
    };
    let mut problems = String::new();
    if text.exit != json.exit {
        let _ = writeln!(
            problems,
            "    exit code: reference (text) {:?}, ours (--json) {:?}",
            text.exit, json.exit
        );
    }
    for (who, output) in [("reference (text)", text), ("ours (--json)", json)] {
        if !output.stderr.is_empty() {
            let _ = writeln!(
                problems,
                "    {who} wrote to stderr: {}",
                String::from_utf8_lossy(&output.stderr).trim_end()
            );
        }
    }
    let reference = String::from_utf8_lossy(&text.stdout);
    let ours = String::from_utf8_lossy(&json.stdout);
    if let Err(differences) = json_text::check(&reference, &ours, masking) {
        for line in differences.lines() {
            let _ = writeln!(problems, "    {line}");
        }
        let _ = writeln!(problems, "    reference text:");
        for line in reference.lines() {
            let _ = writeln!(problems, "      {line}");
        }
    }
    if problems.is_empty() {
        None
    } else {
        Some(format!("  {heading}\n{problems}"))
    }
}

/// How output is normalised before comparing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Masking {
    None,
    /// Every `\d+:\d\d` becomes `MM:SS`.
    Timers,
    /// Every run of decimal digits becomes `#` and every run of spaces and
    /// tabs one space (columns widen with their numbers).
    Numbers,
}

impl Masking {
    pub fn apply(self, text: &[u8]) -> Vec<u8> {
        match self {
            Masking::None => text.to_vec(),
            Masking::Timers => mask_timers(text),
            Masking::Numbers => mask_numbers(text),
        }
    }
}

fn mask_timers(text: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    let mut i = 0;
    while i < text.len() {
        let digits = text[i..].iter().take_while(|b| b.is_ascii_digit()).count();
        if digits == 0 {
            out.push(text[i]);
            i += 1;
            continue;
        }
        let rest = &text[i + digits..];
        if rest.len() >= 3 && rest[0] == b':' && rest[1..3].iter().all(u8::is_ascii_digit) {
            out.extend_from_slice(b"MM:SS");
            i += digits + 3;
        } else {
            out.extend_from_slice(&text[i..i + digits]);
            i += digits;
        }
    }
    out
}

fn mask_numbers(text: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    let mut previous = 0u8;
    for &b in text {
        let class = if b.is_ascii_digit() {
            b'#'
        } else if b == b' ' || b == b'\t' {
            b' '
        } else {
            out.push(b);
            previous = 0;
            continue;
        };
        if class != previous {
            out.push(class);
        }
        previous = class;
    }
    out
}

/// Explains how `actual` differs from `expected`, or `None` if it does not.
fn explain(
    heading: &str,
    expected: Option<&Output>,
    actual: Option<&Output>,
    masking: Masking,
    compare_text: bool,
) -> Option<String> {
    let (expected, actual) = match (expected, actual) {
        (Some(e), Some(a)) => (e, a),
        (e, a) => {
            let missing = match (e.is_none(), a.is_none()) {
                (true, true) => "reference and ours",
                (true, false) => "the reference",
                _ => "ours",
            };
            return Some(format!("  {heading}\n    no result from {missing}\n"));
        }
    };
    let mut out = String::new();
    if expected.exit != actual.exit {
        let _ = writeln!(
            out,
            "    exit code: reference {}, ours {}{}",
            show_exit(expected.exit),
            show_exit(actual.exit),
            if actual.exit == Some(TIMEOUT_EXIT) {
                " (143: probably killed by the per-command timeout)"
            } else {
                ""
            }
        );
    }
    if compare_text {
        for (stream, e, a) in [
            ("stdout", &expected.stdout, &actual.stdout),
            ("stderr", &expected.stderr, &actual.stderr),
        ] {
            let text = diff::unified(&masking.apply(e), &masking.apply(a), "      ");
            if !text.is_empty() {
                let masked = match masking {
                    Masking::None => "",
                    Masking::Timers => ", timers masked",
                    Masking::Numbers => ", numbers masked",
                };
                let _ = writeln!(
                    out,
                    "    {stream} differs (--- reference, +++ ours{masked}):"
                );
                out.push_str(&text);
            }
        }
    }
    if out.is_empty() {
        None
    } else {
        Some(format!("  {heading}\n{out}"))
    }
}

fn show_exit(exit: Option<i32>) -> String {
    exit.map_or_else(|| "unknown".to_string(), |code| code.to_string())
}

/// The setup lines' output in both passes (once if the passes agree).
fn setup_report(scenario: &Scenario, record: &ScenarioRecord) -> String {
    let mut out = String::new();
    let setups: Vec<&Step> = scenario
        .steps
        .iter()
        .filter(|s| s.directive == Directive::Setup)
        .collect();
    if setups.is_empty() {
        return out;
    }
    let _ = writeln!(out, "  setup lines:");
    for step in setups {
        let key = format!("L{}", step.line);
        let reference = record.reference.get(&key);
        let ours = record.ours.get(&key);
        let _ = writeln!(out, "    line {}: {step}", step.line);
        if reference == ours {
            describe_output(&mut out, "both passes", reference);
        } else {
            describe_output(&mut out, "reference pass", reference);
            describe_output(&mut out, "ours pass", ours);
        }
    }
    let setup_logs = [("reference", &record.reference), ("ours", &record.ours)];
    for (label, pass) in setup_logs {
        describe_setup_log(&mut out, label, pass);
    }
    out
}

fn describe_output(out: &mut String, label: &str, output: Option<&Output>) {
    let Some(output) = output else {
        let _ = writeln!(out, "      {label}: no result");
        return;
    };
    let _ = writeln!(out, "      {label}: exit {}", show_exit(output.exit));
    for (stream, bytes) in [("stdout", &output.stdout), ("stderr", &output.stderr)] {
        for line in String::from_utf8_lossy(bytes).lines() {
            let _ = writeln!(out, "        {stream} | {line}");
        }
    }
}

fn describe_setup_log(out: &mut String, label: &str, pass: &PassRecord) {
    if !pass.setup_log.trim().is_empty() {
        let _ = writeln!(out, "    {label} pass namespace setup said:");
        for line in pass.setup_log.lines() {
            let _ = writeln!(out, "        | {line}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn scenario(text: &str) -> Scenario {
        Scenario::parse("100-demo", Path::new("tests/scenarios/100-demo.scn"), text).unwrap()
    }

    fn pass(outputs: &[(&str, Output)]) -> PassRecord {
        let mut record = PassRecord {
            complete: true,
            ..PassRecord::default()
        };
        for (name, output) in outputs {
            record.outputs.insert(name.to_string(), output.clone());
        }
        for (name, _) in STATE_RECORDS {
            record
                .outputs
                .entry(name.to_string())
                .or_insert_with(|| Output::new("state\n", "", 0));
        }
        record
    }

    const LISTING: &str = "IP Virtual Server version 1.2.1 (size=4096)\n\
        Prot LocalAddress:Port Scheduler Flags\n\
        TCP  10.0.0.3:80 wrr\n  -> 10.0.0.11:80 Route 3 0 0\n";

    #[test]
    fn identical_results_pass() {
        let s = scenario("# Demo\n> printf x > f\n$ ipvsadm -Ln\n% ipvsadm -h\n");
        let both = pass(&[
            ("L2", Output::new("", "", 0)),
            ("L3", Output::new(LISTING, "", 0)),
            ("L4", Output::new("usage", "", 0)),
        ]);
        let mut ours = both.clone();
        // Setup output and `%` text are not compared.
        ours.outputs
            .insert("L2".into(), Output::new("other", "", 1));
        ours.outputs
            .insert("L4".into(), Output::new("our usage", "", 0));
        let outcome = compare(
            &s,
            &ScenarioRecord {
                reference: both,
                ours,
            },
        );
        assert!(outcome.passed(), "{}", outcome.report(&s));
    }

    #[test]
    fn a_differing_line_fails_with_a_readable_diff() {
        let s = scenario("# Lists one service\n> echo setup\n$ ipvsadm -Ln\n");
        let reference = pass(&[
            ("L2", Output::new("setup\n", "", 0)),
            ("L3", Output::new(LISTING, "", 0)),
        ]);
        let ours = pass(&[
            ("L2", Output::new("setup\n", "", 0)),
            (
                "L3",
                Output::new(&LISTING.replace("wrr", "rr"), "warning\n", 1),
            ),
        ]);
        let outcome = compare(&s, &ScenarioRecord { reference, ours });
        assert!(!outcome.passed());
        let report = outcome.report(&s);
        let expected = "\
FAIL 100-demo: Lists one service
  file: tests/scenarios/100-demo.scn
  line 3: $ ipvsadm -Ln
    exit code: reference 0, ours 1
    stdout differs (--- reference, +++ ours):
      @@ -1,4 +1,4 @@
       IP Virtual Server version 1.2.1 (size=4096)
       Prot LocalAddress:Port Scheduler Flags
      -TCP  10.0.0.3:80 wrr
      +TCP  10.0.0.3:80 rr
         -> 10.0.0.11:80 Route 3 0 0
    stderr differs (--- reference, +++ ours):
      @@ -0,0 +1 @@
      +warning
  setup lines:
    line 2: > echo setup
      both passes: exit 0
        stdout | setup
";
        assert_eq!(report, expected);
    }

    #[test]
    fn exit_code_lines_ignore_text_but_not_status() {
        let s = scenario("% ipvsadm -h\n");
        let reference = pass(&[("L1", Output::new("usage\n", "", 0))]);
        let ours = pass(&[("L1", Output::new("usage\n", "", 2))]);
        let report = compare(&s, &ScenarioRecord { reference, ours }).report(&s);
        assert!(report.contains("line 1: % ipvsadm -h\n    exit code: reference 0, ours 2\n"));
        assert!(!report.contains("stdout"), "{report}");
    }

    #[test]
    fn time_varying_lines_compare_masked_runs_of_the_ours_pass() {
        let s = scenario("~ ipvsadm -Lnc\n~~ ipvsadm -Ln --rate\n");
        let reference = pass(&[]);
        let ours = pass(&[
            ("L1.ref", Output::new("TCP 00:59  SYN_RECV\n", "", 0)),
            ("L1", Output::new("TCP 00:58  SYN_RECV\n", "", 0)),
            ("L2.ref", Output::new("TCP 10.0.0.3:80 12 1024\n", "", 0)),
            ("L2", Output::new("TCP 10.0.0.3:80 9 980\n", "", 0)),
        ]);
        let record = ScenarioRecord { reference, ours };
        let outcome = compare(&s, &record);
        assert!(outcome.passed(), "{}", outcome.report(&s));

        let mut changed = record.clone();
        changed
            .ours
            .outputs
            .insert("L1".into(), Output::new("TCP 00:58  ESTABLISHED\n", "", 0));
        let report = compare(&s, &changed).report(&s);
        assert!(
            report.contains("stdout differs (--- reference, +++ ours, timers masked):"),
            "{report}"
        );
        assert!(report.contains("-TCP MM:SS  SYN_RECV\n      +TCP MM:SS  ESTABLISHED\n"));
    }

    #[test]
    fn final_state_and_missing_results_are_reported() {
        let s = scenario("$ ipvsadm -A -t 10.0.0.3:80\n");
        let reference = pass(&[("L1", Output::new("", "", 0))]);
        let mut ours = pass(&[]);
        ours.complete = false;
        ours.outputs.insert("state".into(), Output::new("", "", 0));
        let report = compare(&s, &ScenarioRecord { reference, ours }).report(&s);
        assert!(report.contains("the ours pass did not finish"), "{report}");
        assert!(report.contains("line 1: $ ipvsadm -A -t 10.0.0.3:80\n    no result from ours\n"));
        assert!(
            report.contains("final state: `ipvsadm -R` of `-S -n`"),
            "{report}"
        );
        assert!(report.contains("      -state\n"), "{report}");
    }

    #[test]
    fn masks_timers_and_numbers() {
        assert_eq!(
            Masking::Timers.apply(b"TCP 01:59 x 123:45 1:2 10.0.0.3:80"),
            b"TCP MM:SS x MM:SS 1:2 10.0.0.MM:SS".to_vec()
        );
        assert_eq!(
            Masking::Numbers.apply(b"10.0.0.3:80  12\t x1y\n  9 10\n"),
            b"#.#.#.#:# # x#y\n # #\n".to_vec()
        );
    }
}
