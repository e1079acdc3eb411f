//! contrib/: the systemd unit is valid and does what contrib/README.md says.

use std::path::Path;
use std::process::Command;

fn read(path: &str) -> String {
    let full = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The values of `Key=` lines of a unit file.
fn values<'a>(unit: &'a str, key: &str) -> Vec<&'a str> {
    unit.lines()
        .filter_map(|l| l.strip_prefix(key)?.strip_prefix('='))
        .collect()
}

#[test]
fn unit_restores_at_start_and_saves_at_stop() {
    let unit = read("contrib/ipvsadm.service");
    assert_eq!(values(&unit, "Type"), ["oneshot"]);
    assert_eq!(values(&unit, "RemainAfterExit"), ["yes"]);
    let start = values(&unit, "ExecStart");
    assert_eq!(start.len(), 1);
    assert!(start[0].contains("ipvsadm-restore < /etc/ipvsadm.rules"));
    let reload = values(&unit, "ExecReload");
    assert!(reload[0].contains("ipvsadm-restore < /etc/ipvsadm.rules"));
    let stop = values(&unit, "ExecStop");
    assert_eq!(stop.len(), 1);
    assert!(stop[0].contains("ipvsadm-save -n > /etc/ipvsadm.rules.new"));
    assert!(stop[0].contains("mv -f /etc/ipvsadm.rules.new /etc/ipvsadm.rules"));
    assert_eq!(values(&unit, "WantedBy"), ["multi-user.target"]);

    // The README installs every program the unit runs.
    let readme = read("contrib/README.md");
    for program in ["ipvsadm-restore", "ipvsadm-save"] {
        assert!(unit.contains(&format!("/usr/local/bin/{program}")));
        assert!(readme.contains(&format!("ln -sf ipvsadm /usr/local/bin/{program}")));
    }
    assert!(readme.contains("cargo install --locked --path . --root /usr/local"));
}

#[test]
fn unit_passes_systemd_analyze_verify() {
    let unit = Path::new(env!("CARGO_MANIFEST_DIR")).join("contrib/ipvsadm.service");
    let output = match Command::new("systemd-analyze")
        .arg("verify")
        .arg(&unit)
        .output()
    {
        Ok(output) => output,
        Err(_) => {
            eprintln!("SKIPPED systemd-analyze verify: systemd-analyze is not installed");
            return;
        }
    };
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success() && stderr.trim().is_empty(),
        "systemd-analyze verify:\n{stderr}"
    );
}

/// The units that ship (contrib/ and the packages') are hardened: no worse
/// than MEDIUM in `systemd-analyze security`, with only CAP_NET_ADMIN.
#[test]
fn units_are_hardened() {
    for path in [
        "contrib/ipvsadm.service",
        "packaging/debian/ipvsadm.service",
        "packaging/rpm/ipvsadm.service",
    ] {
        let unit = read(path);
        assert_eq!(
            values(&unit, "CapabilityBoundingSet"),
            ["CAP_NET_ADMIN"],
            "{path}"
        );
        assert_eq!(values(&unit, "ProtectKernelModules"), ["yes"], "{path}");
        let full = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
        let output = match Command::new("systemd-analyze")
            .args(["security", "--offline=true"])
            .arg(&full)
            .output()
        {
            Ok(output) if output.status.success() => output,
            // Older systemd (before 250) has no --offline.
            _ => {
                eprintln!("SKIPPED systemd-analyze security --offline=true: not available");
                return;
            }
        };
        let stdout = String::from_utf8_lossy(&output.stdout);
        let level = stdout
            .lines()
            .find_map(|l| l.strip_prefix("→ Overall exposure level for ipvsadm.service: "))
            .unwrap_or_else(|| panic!("{path}: no exposure level in:\n{stdout}"));
        let word = level.split_whitespace().nth(1).unwrap_or("");
        assert!(
            ["PERFECT", "SAFE", "OK", "MEDIUM"].contains(&word),
            "{path}: exposure {level}"
        );
    }
}

/// Only module loading and unloading run outside the sandbox (`+`).
#[test]
fn packaged_units_leave_the_sandbox_only_for_modules() {
    for (path, family) in [
        ("packaging/debian/ipvsadm.service", "debian"),
        ("packaging/rpm/ipvsadm.service", "redhat"),
    ] {
        let unit = read(path);
        for key in [
            "ExecStartPre",
            "ExecStart",
            "ExecReload",
            "ExecStop",
            "ExecStopPost",
        ] {
            for command in values(&unit, key) {
                let script = format!("/usr/libexec/ipvsadm/ipvsadm-service {family} ");
                let (privileged, rest) = match command.strip_prefix('+') {
                    Some(rest) => (true, rest),
                    None => (false, command),
                };
                let action = rest
                    .strip_prefix(&script)
                    .unwrap_or_else(|| panic!("{path}: {key}={command}"));
                assert_eq!(
                    privileged,
                    ["modules", "unload"].contains(&action),
                    "{path}: {key}={command}"
                );
            }
        }
    }
}
