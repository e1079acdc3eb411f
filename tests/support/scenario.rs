//! Differential scenario files: `tests/scenarios/NNN-slug.scn`.
//!
//! UTF-8 text, one directive per line (blank lines are ignored):
//!
//! | line | meaning |
//! |---|---|
//! | `# text` | comment; the first one describes the scenario |
//! | `$ CMDLINE` | compared: stdout, stderr and exit code, reference vs ours |
//! | `> SHELLLINE` | setup, run in both passes; output recorded, not compared |
//! | `~ CMDLINE` | time-varying: reference and ours back to back in the ours pass, timers (`12:34`) masked |
//! | `~~ CMDLINE` | like `~`, with every number masked and blank runs squeezed (counters, rates) |
//! | `% CMDLINE` | exit code compared only (`-h`, `-v`) |
//! | `j CMDLINE` | JSON: the reference's text of a listing (`CMDLINE`, numeric and `--exact`) and ours' `CMDLINE --json`, back to back in the ours pass, must carry the same information (tests/json_text); connection expiry times not compared |
//! | `jj CMDLINE` | like `j`, nothing that traffic changes compared (counters, rates, connection counts) |
//!
//! Command lines run as shell commands (a subshell, as `sh -c` would) in the
//! guest, with `PATH` choosing the ipvsadm under test
//! (tests/vm/guest/scenarios.sh). In a file that mentions `--netns`, the
//! reference runs `ipvsadm --netns NAME ARGS` as `ip netns exec NAME ipvsadm
//! ARGS` (tests/vm/guest/netns-ref.sh).

use std::fmt;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

/// What a scenario line asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Directive {
    /// `$`: stdout, stderr and exit code must match.
    Compare,
    /// `>`: setup; not compared.
    Setup,
    /// `~`: compared with timers masked, reference and ours on the same state.
    Timers,
    /// `~~`: compared with all numbers masked, reference and ours on the same state.
    Numbers,
    /// `%`: only the exit code must match.
    ExitCode,
    /// `j`: ours' `--json` against the reference's text, expiry times masked.
    Json,
    /// `jj`: ours' `--json` against the reference's text, volatile numbers masked.
    JsonVolatile,
}

impl Directive {
    /// The prefix that introduces this directive in a scenario file.
    pub fn prefix(self) -> &'static str {
        match self {
            Directive::Compare => "$",
            Directive::Setup => ">",
            Directive::Timers => "~",
            Directive::Numbers => "~~",
            Directive::ExitCode => "%",
            Directive::Json => "j",
            Directive::JsonVolatile => "jj",
        }
    }

    fn parse(word: &str) -> Option<Directive> {
        Some(match word {
            "$" => Directive::Compare,
            ">" => Directive::Setup,
            "~" => Directive::Timers,
            "~~" => Directive::Numbers,
            "%" => Directive::ExitCode,
            "j" => Directive::Json,
            "jj" => Directive::JsonVolatile,
            _ => return None,
        })
    }
}

/// One command line of a scenario.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// 1-based line number in the scenario file.
    pub line: usize,
    pub directive: Directive,
    /// The shell command line, after the directive and one space.
    pub command: String,
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.directive.prefix(), self.command)
    }
}

/// A parsed scenario file.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// File name without `.scn`; also the name of its results directory.
    pub name: String,
    pub path: PathBuf,
    /// The first comment line, without `#`.
    pub description: String,
    pub steps: Vec<Step>,
}

impl Scenario {
    /// Reads and parses a scenario file.
    pub fn load(path: &Path) -> Result<Scenario> {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        let name = path
            .file_stem()
            .and_then(|stem| stem.to_str())
            .with_context(|| format!("no UTF-8 file name: {}", path.display()))?;
        Scenario::parse(name, path, &text).with_context(|| format!("in {}", path.display()))
    }

    /// Parses scenario text; `path` is only recorded for reports.
    pub fn parse(name: &str, path: &Path, text: &str) -> Result<Scenario> {
        let mut description = None;
        let mut steps = Vec::new();
        for (index, raw) in text.lines().enumerate() {
            let line = index + 1;
            let content = raw.strip_suffix('\r').unwrap_or(raw);
            if content.trim().is_empty() {
                continue;
            }
            if let Some(comment) = content.strip_prefix('#') {
                description.get_or_insert_with(|| comment.trim().to_string());
                continue;
            }
            let Some((word, command)) = content.split_once(' ') else {
                bail!("line {line}: expected a directive, a space and a command: {content:?}");
            };
            let Some(directive) = Directive::parse(word) else {
                bail!(
                    "line {line}: unknown directive {word:?} (expected $, >, ~, ~~, %, j, jj or #)"
                );
            };
            if command.trim().is_empty() {
                bail!("line {line}: {word} without a command");
            }
            steps.push(Step {
                line,
                directive,
                command: command.to_string(),
            });
        }
        Ok(Scenario {
            name: name.to_string(),
            path: path.to_path_buf(),
            description: description.unwrap_or_default(),
            steps,
        })
    }
}

/// Lists `*.scn` files in `dir`, sorted by name, keeping those `filter`
/// selects (see [`matches_filter`]).
pub fn scenario_files(dir: &Path, filter: Option<&str>) -> Result<Vec<PathBuf>> {
    files_with_extension(dir, "scn", filter)
}

/// Lists `*.EXTENSION` files in `dir` (none if it does not exist), sorted by
/// name, keeping those `filter` selects.
pub fn files_with_extension(
    dir: &Path,
    extension: &str,
    filter: Option<&str>,
) -> Result<Vec<PathBuf>> {
    if !dir.exists() {
        return Ok(Vec::new());
    }
    let entries = std::fs::read_dir(dir).with_context(|| format!("listing {}", dir.display()))?;
    let mut files = Vec::new();
    for entry in entries {
        let path = entry
            .with_context(|| format!("listing {}", dir.display()))?
            .path();
        if path.extension().is_some_and(|ext| ext == extension) {
            let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
            if filter.is_none_or(|f| matches_filter(f, stem)) {
                files.push(path);
            }
        }
    }
    files.sort();
    Ok(files)
}

/// Whether a scenario named `name` (file name without `.scn`) is selected by
/// `filter`: comma-separated patterns, each a glob (`*`, `?`) matched against
/// the whole name, or else a substring of it.
pub fn matches_filter(filter: &str, name: &str) -> bool {
    filter
        .split(',')
        .map(str::trim)
        .filter(|pattern| !pattern.is_empty())
        .any(|pattern| {
            let pattern = pattern
                .strip_suffix(".scn")
                .or_else(|| pattern.strip_suffix(".sh"))
                .unwrap_or(pattern);
            if pattern.contains(['*', '?']) {
                glob_matches(pattern.as_bytes(), name.as_bytes())
            } else {
                name.contains(pattern)
            }
        })
}

fn glob_matches(pattern: &[u8], name: &[u8]) -> bool {
    match pattern.split_first() {
        None => name.is_empty(),
        Some((b'*', rest)) => (0..=name.len()).any(|skip| glob_matches(rest, &name[skip..])),
        Some((&p, rest)) => match name.split_first() {
            Some((&c, name_rest)) if p == b'?' || p == c => glob_matches(rest, name_rest),
            _ => false,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Scenario> {
        Scenario::parse("t", Path::new("t.scn"), text)
    }

    #[test]
    fn parses_every_directive_with_line_numbers() {
        let s = parse(
            "# Adds a service\n# more\n\n$ ipvsadm -A -t vip:80\n> echo | nc -w 1 vip 80\n\
             ~ ipvsadm -Lnc\n~~ ipvsadm -Ln --rate\n% ipvsadm -h\r\n\
             j ipvsadm -Ln --stats --exact\njj ipvsadm -Lnc\n",
        )
        .unwrap();
        assert_eq!(s.description, "Adds a service");
        let kinds: Vec<_> = s.steps.iter().map(|s| (s.line, s.directive)).collect();
        assert_eq!(
            kinds,
            [
                (4, Directive::Compare),
                (5, Directive::Setup),
                (6, Directive::Timers),
                (7, Directive::Numbers),
                (8, Directive::ExitCode),
                (9, Directive::Json),
                (10, Directive::JsonVolatile)
            ]
        );
        assert_eq!(s.steps[1].command, "echo | nc -w 1 vip 80");
        assert_eq!(s.steps[4].command, "ipvsadm -h");
        assert_eq!(s.steps[2].to_string(), "~ ipvsadm -Lnc");
    }

    #[test]
    fn rejects_unknown_directives_and_empty_commands() {
        let err = parse("# x\n! ipvsadm\n").unwrap_err().to_string();
        assert!(
            err.contains("line 2") && err.contains("unknown directive"),
            "{err}"
        );
        assert!(parse("$\n").is_err());
        assert!(parse("$   \n").is_err());
        assert!(parse("$ipvsadm -L\n").is_err());
    }

    #[test]
    fn filters_by_substring_and_glob() {
        assert!(matches_filter("smoke", "000-smoke-basic"));
        assert!(matches_filter("0??-smoke-*", "000-smoke-basic"));
        assert!(matches_filter(
            "nomatch, 000-smoke-basic.scn",
            "000-smoke-basic"
        ));
        assert!(!matches_filter("0*-x", "000-smoke-basic"));
        assert!(!matches_filter("restore", "000-smoke-basic"));
        assert!(!matches_filter("", "000-smoke-basic"));
    }
}
