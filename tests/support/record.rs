//! What the guest recorded for one scenario: per pass, each command's
//! stdout, stderr and exit status (tests/vm/guest/scenarios.sh writes
//! `NAME.out`, `NAME.err` and `NAME.rc` files into `RESULTS/SCENARIO/PASS/`).

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, Result};

/// The output of one command run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Output {
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    /// Exit status as the guest's shell saw it (`timeout` exits 143 when it
    /// killed the command); `None` if the status file was unreadable.
    pub exit: Option<i32>,
}

impl Output {
    /// Output with the given text and exit status (for tests).
    #[cfg(test)]
    pub fn new(stdout: &str, stderr: &str, exit: i32) -> Output {
        Output {
            stdout: stdout.as_bytes().to_vec(),
            stderr: stderr.as_bytes().to_vec(),
            exit: Some(exit),
        }
    }
}

/// Names of the final-state records, with the command that made them: one
/// run of 1.31 reading the table, the timeouts and the daemons (each exec
/// of 1.31 costs tens of milliseconds in the emulated guest).
pub const STATE_RECORDS: [(&str, &str); 1] = [(
    "state",
    "ipvsadm -R` of `-S -n`, `-L --timeout` and `-L --daemon",
)];

/// Everything one pass (reference or ours) of a scenario recorded.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PassRecord {
    /// By record name: `L7` (line 7), `L7.ref` (line 7, the reference run of
    /// a `~` line in the ours pass), `state-save`, ...
    pub outputs: BTreeMap<String, Output>,
    /// The pass ran to its end.
    pub complete: bool,
    /// Namespace setup output (empty unless something went wrong).
    pub setup_log: String,
}

impl PassRecord {
    /// Loads a pass directory; a missing directory gives an empty,
    /// incomplete record.
    pub fn load(dir: &Path) -> Result<PassRecord> {
        let mut record = PassRecord::default();
        if !dir.is_dir() {
            return Ok(record);
        }
        record.complete = dir.join("complete").exists();
        record.setup_log = read_lossy(&dir.join("setup.log"))?;
        let entries =
            std::fs::read_dir(dir).with_context(|| format!("listing {}", dir.display()))?;
        for entry in entries {
            let path = entry
                .with_context(|| format!("listing {}", dir.display()))?
                .path();
            let Some(file_name) = path.file_name().and_then(|n| n.to_str()) else {
                continue;
            };
            let Some(name) = file_name.strip_suffix(".rc") else {
                continue;
            };
            let read = |ext: &str| {
                let path = dir.join(format!("{name}.{ext}"));
                std::fs::read(&path).with_context(|| format!("reading {}", path.display()))
            };
            let exit = String::from_utf8_lossy(&read("rc")?).trim().parse().ok();
            let output = Output {
                stdout: read("out")?,
                stderr: read("err")?,
                exit,
            };
            record.outputs.insert(name.to_string(), output);
        }
        Ok(record)
    }

    /// The output recorded under `name`.
    pub fn get(&self, name: &str) -> Option<&Output> {
        self.outputs.get(name)
    }
}

/// Both passes of one scenario.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScenarioRecord {
    pub reference: PassRecord,
    pub ours: PassRecord,
}

impl ScenarioRecord {
    /// Loads `RESULTS/SCENARIO/{ref,ours}`.
    pub fn load(dir: &Path) -> Result<ScenarioRecord> {
        ScenarioRecord::load_pass(dir, "ours")
    }

    /// Loads `RESULTS/SCENARIO/ref` and the pass of a binary under test
    /// (`ours`, or `ours2` for the second binary).
    pub fn load_pass(dir: &Path, ours: &str) -> Result<ScenarioRecord> {
        Ok(ScenarioRecord {
            reference: PassRecord::load(&dir.join("ref"))?,
            ours: PassRecord::load(&dir.join(ours))?,
        })
    }
}

fn read_lossy(path: &Path) -> Result<String> {
    match std::fs::read(path) {
        Ok(bytes) => Ok(String::from_utf8_lossy(&bytes).into_owned()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(String::new()),
        Err(e) => Err(e).with_context(|| format!("reading {}", path.display())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loads_a_pass_directory() {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("record-load-test");
        let _ = std::fs::remove_dir_all(&dir);
        let pass = dir.join("ours");
        std::fs::create_dir_all(&pass).unwrap();
        for (name, out, err, rc) in [("L3", "out\n", "", "0\n"), ("L3.ref", "", "oops\n", "2\n")] {
            std::fs::write(pass.join(format!("{name}.out")), out).unwrap();
            std::fs::write(pass.join(format!("{name}.err")), err).unwrap();
            std::fs::write(pass.join(format!("{name}.rc")), rc).unwrap();
        }
        std::fs::write(pass.join("complete"), "").unwrap();

        let record = ScenarioRecord::load(&dir).unwrap();
        assert!(record.ours.complete);
        assert_eq!(record.ours.get("L3"), Some(&Output::new("out\n", "", 0)));
        assert_eq!(
            record.ours.get("L3.ref"),
            Some(&Output::new("", "oops\n", 2))
        );
        assert!(!record.reference.complete);
        assert!(record.reference.outputs.is_empty());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
