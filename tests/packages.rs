//! packaging/: what the packaged units run, `ipvsadm-service`, does what
//! each family's ipvsadm service does with its configuration files.
//!
//! The script runs with `IPVSADM_SERVICE_ROOT` set to a scratch directory
//! whose `usr/sbin/ipvsadm` is a stand-in: it logs how it was called (its
//! name, its arguments, the first line of a restore's input) and prints a
//! table for `ipvsadm-save`. The steps that load and unload modules are not
//! run here. The packages themselves are built, installed and checked by
//! `packaging/check.sh`.

use std::fs;
use std::os::unix::fs::{symlink, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::Command;

/// What the stand-in ipvsadm-save prints.
const SAVED: &str = "-A -t 10.9.9.9:80 -s rr\n";

/// The stand-in for /usr/sbin/ipvsadm and its two names. `FAIL` (a word of
/// its arguments) makes calls with that word fail.
const STAND_IN: &str = r#"#!/bin/sh
root=${0%/usr/sbin/*}
name=${0##*/}
case $name in
ipvsadm-restore) echo "$name $* < $(head -n 1)" >>"$root/log" ;;
*) echo "$name $*" >>"$root/log" ;;
esac
if [ -n "${FAIL:-}" ]; then case " $* " in *" $FAIL "*) exit 2 ;; esac; fi
[ "$name" != ipvsadm-save ] || printf '%s\n' '-A -t 10.9.9.9:80 -s rr'
"#;

struct Scratch {
    root: PathBuf,
}

impl Scratch {
    fn new(test: &str) -> Self {
        let root =
            std::env::temp_dir().join(format!("ipvsadm-packages-{}-{test}", std::process::id()));
        let _ = fs::remove_dir_all(&root);
        let sbin = root.join("usr/sbin");
        fs::create_dir_all(&sbin).unwrap_or_else(|e| panic!("{}: {e}", sbin.display()));
        let ipvsadm = sbin.join("ipvsadm");
        write(&ipvsadm, STAND_IN);
        fs::set_permissions(&ipvsadm, fs::Permissions::from_mode(0o755))
            .unwrap_or_else(|e| panic!("{}: {e}", ipvsadm.display()));
        for name in ["ipvsadm-save", "ipvsadm-restore"] {
            symlink("ipvsadm", sbin.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        }
        Scratch { root }
    }

    fn path(&self, path: &str) -> PathBuf {
        self.root.join(path)
    }

    /// Installs a file of the repository at `path` under the root.
    fn install(&self, source: &str, path: &str) {
        let text = read(&Path::new(env!("CARGO_MANIFEST_DIR")).join(source));
        write(&self.path(path), &text);
    }

    /// Runs `ipvsadm-service FAMILY ACTION`; its exit status and the calls
    /// of the stand-in (the log is emptied).
    fn run(&self, family: &str, action: &str, fail: &str) -> (i32, Vec<String>) {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("packaging/ipvsadm-service");
        let output = Command::new(&script)
            .args([family, action])
            .env("IPVSADM_SERVICE_ROOT", &self.root)
            .env("FAIL", fail)
            .output()
            .unwrap_or_else(|e| panic!("{}: {e}", script.display()));
        let log = self.path("log");
        let calls = fs::read_to_string(&log)
            .unwrap_or_default()
            .lines()
            .map(str::to_owned)
            .collect();
        let _ = fs::remove_file(&log);
        (output.status.code().unwrap_or(-1), calls)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.root);
    }
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn write(path: &Path, text: &str) {
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    }
    fs::write(path, text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}

/// Debian's defaults (AUTO="false", DAEMON="none"): the service touches
/// nothing, as Debian's init script does not.
#[test]
fn debian_defaults_do_nothing() {
    let s = Scratch::new("debian-defaults");
    s.install("packaging/debian/default", "etc/default/ipvsadm");
    s.install("packaging/debian/ipvsadm.rules", "etc/ipvsadm.rules");
    for action in ["start", "reload", "stop"] {
        assert_eq!(s.run("debian", action, ""), (0, vec![]), "{action}");
    }
}

/// AUTO="true" and DAEMON="both": the rules replace the table at start and
/// reload, both sync daemons start on IFACE with SYNCID, and stop stops
/// them and clears the table.
#[test]
fn debian_auto_and_both_daemons() {
    let s = Scratch::new("debian-both");
    write(
        &s.path("etc/default/ipvsadm"),
        "AUTO=\"true\"\nDAEMON=\"both\"\nIFACE=\"eth1\"\nSYNCID=\"7\"\n",
    );
    write(&s.path("etc/ipvsadm.rules"), "-A -t 10.0.0.1:80 -s wlc\n");
    let restore = "ipvsadm-restore  < -A -t 10.0.0.1:80 -s wlc";
    assert_eq!(
        s.run("debian", "start", ""),
        (
            0,
            vec![
                restore.to_owned(),
                "ipvsadm --start-daemon master --mcast-interface eth1 --syncid 7".to_owned(),
                "ipvsadm --start-daemon backup --mcast-interface eth1 --syncid 7".to_owned(),
            ]
        )
    );
    assert_eq!(s.run("debian", "reload", ""), (0, vec![restore.to_owned()]));
    assert_eq!(
        s.run("debian", "stop", ""),
        (
            0,
            vec![
                "ipvsadm --stop-daemon master".to_owned(),
                "ipvsadm --stop-daemon backup".to_owned(),
                "ipvsadm -C".to_owned(),
            ]
        )
    );
}

/// A daemon that does not start fails the start; a stop goes on past a
/// daemon that does not stop (the table is still cleared) and then fails.
#[test]
fn debian_failures() {
    let s = Scratch::new("debian-failures");
    write(
        &s.path("etc/default/ipvsadm"),
        "AUTO=\"true\"\nDAEMON=\"both\"\nIFACE=\"eth0\"\nSYNCID=\"0\"\n",
    );
    let (status, calls) = s.run("debian", "start", "master");
    assert_ne!(status, 0);
    // No rules file: an empty table, as the init script creates an empty file.
    assert_eq!(
        calls,
        [
            "ipvsadm -C",
            "ipvsadm --start-daemon master --mcast-interface eth0 --syncid 0"
        ]
    );
    let (status, calls) = s.run("debian", "stop", "master");
    assert_eq!(status, 1);
    assert_eq!(
        calls,
        [
            "ipvsadm --stop-daemon master",
            "ipvsadm --stop-daemon backup",
            "ipvsadm -C"
        ]
    );
    write(&s.path("etc/default/ipvsadm"), "DAEMON=\"primary\"\n");
    assert_eq!(s.run("debian", "start", ""), (1, vec![]));
}

/// RHEL's defaults: the rules are loaded and listed numerically at start,
/// and stop clears the table without saving.
#[test]
fn redhat_defaults_load_and_clear() {
    let s = Scratch::new("redhat-defaults");
    s.install(
        "packaging/rpm/ipvsadm-config",
        "etc/sysconfig/ipvsadm-config",
    );
    write(
        &s.path("etc/sysconfig/ipvsadm"),
        "-A -u 10.0.0.2:53 -s rr\n",
    );
    assert_eq!(
        s.run("redhat", "start", ""),
        (
            0,
            vec![
                "ipvsadm-restore  < -A -u 10.0.0.2:53 -s rr".to_owned(),
                "ipvsadm -L -n".to_owned(),
            ]
        )
    );
    assert_eq!(
        s.run("redhat", "stop", ""),
        (0, vec!["ipvsadm -C".to_owned()])
    );
    assert_eq!(
        read(&s.path("etc/sysconfig/ipvsadm")),
        "-A -u 10.0.0.2:53 -s rr\n"
    );
    // The packaged rules file is valid and loads; a missing one is skipped.
    s.install("packaging/rpm/ipvsadm.rules", "etc/sysconfig/ipvsadm");
    assert_eq!(s.run("redhat", "reload", "").0, 0);
    fs::remove_file(s.path("etc/sysconfig/ipvsadm")).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        s.run("redhat", "start", ""),
        (0, vec!["ipvsadm -L -n".to_owned()])
    );
}

/// IPVS_SAVE_ON_STOP=yes: stop saves (numeric) over the rules, then clears;
/// a failed save keeps the old rules and fails the stop.
#[test]
fn redhat_save_on_stop() {
    let s = Scratch::new("redhat-save-stop");
    write(
        &s.path("etc/sysconfig/ipvsadm-config"),
        "IPVS_SAVE_ON_STOP=\"yes\"\nIPVS_STATUS_NUMERIC=\"no\"\n",
    );
    write(&s.path("etc/sysconfig/ipvsadm"), "old\n");
    let (status, calls) = s.run("redhat", "stop", "-n");
    assert_ne!(status, 0);
    assert_eq!(calls, ["ipvsadm-save -n"]);
    assert_eq!(read(&s.path("etc/sysconfig/ipvsadm")), "old\n");
    assert!(!s.path("etc/sysconfig/ipvsadm.new").exists());
    assert_eq!(
        s.run("redhat", "stop", ""),
        (
            0,
            vec!["ipvsadm-save -n".to_owned(), "ipvsadm -C".to_owned()]
        )
    );
    assert_eq!(read(&s.path("etc/sysconfig/ipvsadm")), SAVED);
    assert!(!s.path("etc/sysconfig/ipvsadm.new").exists());
    assert_eq!(
        s.run("redhat", "start", "").1,
        ["ipvsadm-restore  < -A -t 10.9.9.9:80 -s rr", "ipvsadm -L"]
    );
}

/// IPVS_SAVE_ON_RESTART=yes: a stop keeps the table aside, and the start
/// that follows makes it the rules before loading them.
#[test]
fn redhat_save_on_restart() {
    let s = Scratch::new("redhat-save-restart");
    write(
        &s.path("etc/sysconfig/ipvsadm-config"),
        "IPVS_SAVE_ON_RESTART=\"yes\"\n",
    );
    write(
        &s.path("etc/sysconfig/ipvsadm"),
        "-A -t 10.0.0.3:80 -s sh\n",
    );
    assert_eq!(
        s.run("redhat", "stop", ""),
        (
            0,
            vec!["ipvsadm-save -n".to_owned(), "ipvsadm -C".to_owned()]
        )
    );
    assert_eq!(
        read(&s.path("etc/sysconfig/ipvsadm")),
        "-A -t 10.0.0.3:80 -s sh\n"
    );
    assert_eq!(
        s.run("redhat", "start", "").1,
        [
            "ipvsadm-restore  < -A -t 10.9.9.9:80 -s rr",
            "ipvsadm -L -n"
        ]
    );
    assert_eq!(read(&s.path("etc/sysconfig/ipvsadm")), SAVED);
    assert!(!s.path("run/ipvsadm/restart.rules").exists());
}

#[test]
fn usage_errors() {
    let s = Scratch::new("usage");
    for (family, action) in [("debian", "status"), ("redhat", "save"), ("suse", "start")] {
        assert_eq!(s.run(family, action, ""), (2, vec![]), "{family} {action}");
    }
}
