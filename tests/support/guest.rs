//! Runs the shell side of the test bed: tests/vm/prepare.sh (host
//! prerequisites) and tests/vm/run-guest.sh (one boot of the guest).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

/// Exit status of the tests/vm scripts meaning "no guest on this host".
const EXIT_UNAVAILABLE: i32 = 3;

/// Whether the guest can be booted here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Availability {
    Ready,
    /// Why not (qemu missing and not root, kernel not downloadable, ...).
    Unavailable(String),
}

/// Installs what it can (as root) and fetches the kernel: tests/vm/prepare.sh.
pub fn prepare(repo: &Path) -> Result<Availability> {
    let output = run_script(repo, "tests/vm/prepare.sh", &[])?;
    match output.status.code() {
        Some(0) => Ok(Availability::Ready),
        Some(EXIT_UNAVAILABLE) => {
            // The last line says why; earlier ones are progress notes.
            let stderr = String::from_utf8_lossy(&output.stderr);
            let reason = stderr.lines().rev().find(|l| !l.trim().is_empty());
            Ok(Availability::Unavailable(
                reason.unwrap_or("no reason given").trim().to_string(),
            ))
        }
        _ => bail!(
            "tests/vm/prepare.sh failed ({}):\n{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        ),
    }
}

/// One boot of the guest running a script (see tests/vm/run-guest.sh).
#[derive(Debug, Clone)]
pub struct GuestRun {
    /// The binary under test.
    pub ours: PathBuf,
    /// A second binary under test (`/opt/ours2/bin/ipvsadm` in the guest).
    pub ours2: Option<PathBuf>,
    /// Further executables: host path and guest path.
    pub extras: Vec<(PathBuf, String)>,
    /// Guest script, run as /guest/script.
    pub script: PathBuf,
    /// Directory copied to /guest/files.
    pub files: PathBuf,
    /// Receives the guest's $RESULTS and console.log.
    pub out: PathBuf,
    /// Stop the guest after this long (`None`: the script's default).
    pub timeout: Option<Duration>,
}

/// Debian's `ip` from the host (iproute2, for `ip netns`) and the wrapper
/// that runs the reference for scenarios written with ours' `--netns`
/// (tests/vm/guest/netns-ref.sh, as each of the three names), for every
/// boot: a few hundred KiB of initramfs. Without `ip` on the host the
/// wrapper says so in the guest, and those scenarios fail.
fn netns_reference(repo: &Path) -> Vec<(PathBuf, String)> {
    let wrapper = repo.join("tests/vm/guest/netns-ref.sh");
    let mut extras: Vec<(PathBuf, String)> = ["ipvsadm", "ipvsadm-save", "ipvsadm-restore"]
        .iter()
        .map(|name| (wrapper.clone(), format!("/guest/netns-ref/{name}")))
        .collect();
    if let Some(ip) = ["/usr/sbin/ip", "/sbin/ip", "/bin/ip"]
        .iter()
        .map(PathBuf::from)
        .find(|path| path.is_file())
    {
        extras.push((ip, "/opt/iproute2/ip".to_string()));
    }
    extras
}

/// What a finished boot left behind.
#[derive(Debug, Clone)]
pub struct GuestReport {
    pub elapsed: Duration,
}

impl GuestRun {
    /// Boots the guest and waits for it; fails with the console tail when the
    /// guest or its script failed.
    pub fn run(&self, repo: &Path) -> Result<GuestReport> {
        let mut args = vec![
            "--ours".into(),
            self.ours.clone().into_os_string(),
            "--script".into(),
            self.script.clone().into_os_string(),
            "--files".into(),
            self.files.clone().into_os_string(),
            "--out".into(),
            self.out.clone().into_os_string(),
        ];
        if let Some(ours2) = &self.ours2 {
            args.push("--ours2".into());
            args.push(ours2.clone().into_os_string());
        }
        for (source, dest) in self.extras.iter().chain(&netns_reference(repo)) {
            let mut extra = source.clone().into_os_string();
            extra.push("=");
            extra.push(dest);
            args.push("--extra".into());
            args.push(extra);
        }
        if let Some(timeout) = self.timeout {
            args.push("--timeout".into());
            args.push(timeout.as_secs().to_string().into());
        }
        let started = Instant::now();
        let output = run_script(repo, "tests/vm/run-guest.sh", &args)?;
        if !output.status.success() {
            bail!(
                "tests/vm/run-guest.sh failed ({}):\n{}{}",
                output.status,
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            );
        }
        Ok(GuestReport {
            elapsed: started.elapsed(),
        })
    }
}

fn run_script(repo: &Path, script: &str, args: &[std::ffi::OsString]) -> Result<Output> {
    Command::new("bash")
        .arg(repo.join(script))
        .args(args)
        .current_dir(repo)
        .output()
        .with_context(|| format!("running bash {script}"))
}
