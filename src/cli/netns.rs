//! `--netns NAME|PATH` (an extension): run in another network namespace,
//! exactly as `ip netns exec NAME ipvsadm ...` (or, for a path,
//! `nsenter --net=PATH ipvsadm ...`) runs ipvsadm 1.31.
//!
//! The option is taken out of the command line before anything else
//! happens, the process enters the namespace, and the rest runs as without
//! it: connecting, parsing (and the name lookups it does), listings and the
//! connection table (`/proc/net/ip_vs_conn`), which the kernel shows for the
//! namespace of the reading process. `ipvsadm --netns X ARGS` is
//! `ip netns exec X ipvsadm ARGS`, with ARGS the arguments without the
//! `--netns` option and its value.
//!
//! The whole process moves (`setns` on its only thread, as `ip netns exec`
//! does) rather than only its netlink socket ([`ipvs::Client::connect_in_namespace`]),
//! because the connection table is read from `/proc/net` and host names are
//! looked up from inside the namespace too.
//!
//! For a NAME, as `ip netns exec`: the files in `/etc/netns/NAME/` are bound
//! over their namesakes in `/etc` (`hosts`, `services`, `resolv.conf`, ...)
//! in a mount namespace of the process's own, so name listings read the
//! namespace's files. Unlike `ip netns exec`, `/sys` is not remounted
//! (ipvsadm reads nothing there), and nothing is done to the mounts when
//! `/etc/netns/NAME` does not exist. A PATH is entered as `nsenter --net`
//! does: no `/etc` files. Failures are reported in `ip netns exec`'s words,
//! with its exit status, 255.

use std::borrow::Cow;
use std::ffi::OsStr;
use std::fs;
use std::io::Write;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use super::flags::find_long;
use super::messages::strerror;
use super::parse::ParseConfig;
use super::popt::Popt;

/// Where `ip netns` keeps named namespaces (Debian's iproute2: `/run/netns`,
/// which `/var/run/netns` is a link to).
pub const NETNS_RUN_DIR: &str = "/run/netns";
/// Where `ip netns exec` finds a namespace's own `/etc` files.
pub const NETNS_ETC_DIR: &str = "/etc/netns";
/// The option's long name.
pub const OPTION: &str = "netns";
/// Exit status when the namespace cannot be entered (`ip netns exec`'s).
pub const EXIT_NETNS: i32 = 255;
/// Longest name `ip netns` accepts (`NAME_MAX`).
const NAME_MAX: usize = 255;

/// A command line with its `--netns` taken out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Taken {
    /// The value of the last `--netns` given.
    pub value: Vec<u8>,
    /// The arguments without every `--netns` option and its value.
    pub argv: Vec<Vec<u8>>,
}

/// Whether any argument could be a `--netns` option: nothing else is done
/// for command lines without one.
fn mentions_option(argv: &[Vec<u8>]) -> bool {
    argv.iter().skip(1).any(|arg| arg.starts_with(b"--netns"))
}

/// Takes `--netns` out of an ipvsadm command line, reading it with popt's
/// rules (a `--netns` that is another option's value, or follows `--`, is
/// not one). Options after a popt error are not looked at: the error is
/// reported as without `--netns`.
pub fn take_from_ipvsadm_args(argv: &[Vec<u8>], config: &ParseConfig) -> Option<Taken> {
    if !mentions_option(argv) {
        return None;
    }
    let row = find_long(OPTION.as_bytes())?;
    let mut popt = Popt::new(argv, config.posixly_correct);
    let mut value = None;
    let mut drop = vec![false; argv.len()];
    loop {
        let expansions = popt.expansions();
        match popt.next_option() {
            Ok(Some(option)) if std::ptr::eq(option.flag, row) => {
                value = Some(option.value.map(|v| v.into_owned()).unwrap_or_default());
                for index in popt.last_long_option_args(expansions) {
                    drop[index] = true;
                }
            }
            Ok(Some(_)) => {}
            Ok(None) | Err(_) => break,
        }
    }
    let value = value?;
    let argv = argv
        .iter()
        .zip(&drop)
        .filter(|(_, &dropped)| !dropped)
        .map(|(arg, _)| arg.clone())
        .collect();
    Some(Taken { value, argv })
}

/// The last argument is a `--netns` without its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MissingValue;

/// Takes `--netns VALUE` and `--netns=VALUE` out of an `ipvsadm-save` or
/// `ipvsadm-restore` command line (up to `--`).
pub fn take_from_script_args(argv: &[Vec<u8>]) -> Result<Option<Taken>, MissingValue> {
    if !mentions_option(argv) {
        return Ok(None);
    }
    let mut value = None;
    let mut kept = Vec::with_capacity(argv.len());
    let mut args = argv.iter().enumerate();
    while let Some((index, arg)) = args.next() {
        if index == 0 || arg.as_slice() == b"--" {
            kept.push(arg.clone());
            if index > 0 {
                kept.extend(args.map(|(_, a)| a.clone()));
                break;
            }
            continue;
        }
        if arg.as_slice() == b"--netns" {
            value = Some(args.next().ok_or(MissingValue)?.1.clone());
        } else if let Some(v) = arg.strip_prefix(b"--netns=") {
            value = Some(v.to_vec());
        } else {
            kept.push(arg.clone());
        }
    }
    Ok(value.map(|value| Taken { value, argv: kept }))
}

/// Why a script front end (`ipvsadm-save`, `ipvsadm-restore`) stops at its
/// `--netns`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScriptStop {
    /// The last argument is a `--netns` without its value (a usage error).
    MissingValue,
    /// The namespace could not be entered (message written): exit with this.
    Exit(i32),
}

/// For `ipvsadm-save` and `ipvsadm-restore`: enters the namespace of the
/// command line's `--netns`, if any, and gives the arguments without it.
pub fn enter_from_script_args<'a>(
    argv: &'a [Vec<u8>],
    err: &mut dyn Write,
) -> Result<Cow<'a, [Vec<u8>]>, ScriptStop> {
    let taken = take_from_script_args(argv).map_err(|MissingValue| ScriptStop::MissingValue)?;
    enter_taken(argv, taken, err).map_err(ScriptStop::Exit)
}

/// Enters the namespace of a `--netns` taken out of `argv`, if any, and
/// gives the arguments to go on with; on failure the exit status (message
/// written).
pub fn enter_taken<'a>(
    argv: &'a [Vec<u8>],
    taken: Option<Taken>,
    err: &mut dyn Write,
) -> Result<Cow<'a, [Vec<u8>]>, i32> {
    match taken {
        Some(taken) => {
            enter(&taken.value, err)?;
            Ok(Cow::Owned(taken.argv))
        }
        None => Ok(Cow::Borrowed(argv)),
    }
}

/// Moves the process into the network namespace `value` names (a name
/// under [`NETNS_RUN_DIR`], or a path when it has a `/`), with
/// `/etc/netns/NAME` bound over `/etc` for a name. On failure writes
/// `ip netns exec`'s message to `err` and returns [`EXIT_NETNS`].
pub fn enter(value: &[u8], err: &mut dyn Write) -> Result<(), i32> {
    let shown = String::from_utf8_lossy(value);
    let is_path = value.contains(&b'/');
    if !is_path && (value.is_empty() || value.len() > NAME_MAX || value == b"." || value == b"..") {
        let _ = writeln!(err, "Invalid netns name \"{shown}\"");
        return Err(EXIT_NETNS);
    }
    let path = if is_path {
        PathBuf::from(OsStr::from_bytes(value))
    } else {
        Path::new(NETNS_RUN_DIR).join(OsStr::from_bytes(value))
    };
    match ipvs::enter_network_namespace(&path) {
        Ok(()) => {}
        Err(ipvs::Error::NamespaceOpen { source, .. }) => {
            let reason = strerror(source.raw_os_error().unwrap_or(libc::EINVAL));
            let _ = writeln!(err, "Cannot open network namespace \"{shown}\": {reason}");
            return Err(EXIT_NETNS);
        }
        Err(e) => {
            let reason = strerror(e.errno().unwrap_or(libc::EINVAL));
            let _ = writeln!(
                err,
                "setting the network namespace \"{shown}\" failed: {reason}"
            );
            return Err(EXIT_NETNS);
        }
    }
    if !is_path {
        bind_etc(value, err)?;
    }
    Ok(())
}

/// `ip netns exec`'s `/etc` files: each entry of `/etc/netns/NAME` bound
/// over `/etc/ENTRY`, in a mount namespace of this process's own that
/// passes no mount back. A bind that fails is reported and skipped, as
/// `ip` does.
fn bind_etc(name: &[u8], err: &mut dyn Write) -> Result<(), i32> {
    let dir = Path::new(NETNS_ETC_DIR).join(OsStr::from_bytes(name));
    let Ok(entries) = fs::read_dir(&dir) else {
        return Ok(());
    };
    // SAFETY: a new mount namespace only; the process has one thread and
    // no descriptor table or other state is unshared.
    if let Err(e) = unsafe { rustix::thread::unshare_unsafe(rustix::thread::UnshareFlags::NEWNS) } {
        let _ = writeln!(err, "unshare failed: {}", strerror(e.raw_os_error()));
        return Err(EXIT_NETNS);
    }
    let slave = rustix::mount::MountPropagationFlags::DOWNSTREAM
        | rustix::mount::MountPropagationFlags::REC;
    if let Err(e) = rustix::mount::mount_change("/", slave) {
        let _ = writeln!(
            err,
            "\"mount --make-rslave /\" failed: {}",
            strerror(e.raw_os_error())
        );
        return Err(EXIT_NETNS);
    }
    for entry in entries.flatten() {
        let source = entry.path();
        let target = Path::new("/etc").join(entry.file_name());
        if let Err(e) = rustix::mount::mount_bind(&source, &target) {
            let _ = writeln!(
                err,
                "Bind {} -> {} failed: {}",
                source.display(),
                target.display(),
                strerror(e.raw_os_error())
            );
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<Vec<u8>> {
        list.iter().map(|a| a.as_bytes().to_vec()).collect()
    }

    fn taken(value: &str, rest: &[&str]) -> Option<Taken> {
        Some(Taken {
            value: value.as_bytes().to_vec(),
            argv: args(rest),
        })
    }

    fn ipvsadm(list: &[&str]) -> Option<Taken> {
        take_from_ipvsadm_args(&args(list), &ParseConfig::default())
    }

    #[test]
    fn ipvsadm_takes_the_option_and_its_value_anywhere() {
        assert_eq!(
            ipvsadm(&["ipvsadm", "--netns", "blue", "-Ln"]),
            taken("blue", &["ipvsadm", "-Ln"])
        );
        assert_eq!(
            ipvsadm(&[
                "ipvsadm",
                "-A",
                "-t",
                "10.0.0.1:80",
                "--netns=/proc/1/ns/net",
                "-s",
                "rr"
            ]),
            taken(
                "/proc/1/ns/net",
                &["ipvsadm", "-A", "-t", "10.0.0.1:80", "-s", "rr"]
            )
        );
        // Only the namespace: ipvsadm with no arguments lists everything.
        assert_eq!(
            ipvsadm(&["ipvsadm", "--netns", "blue"]),
            taken("blue", &["ipvsadm"])
        );
        // The value is the next argument, whatever it looks like.
        assert_eq!(
            ipvsadm(&["ipvsadm", "-L", "--netns", "-n"]),
            taken("-n", &["ipvsadm", "-L"])
        );
        // The last one counts; all are taken out.
        assert_eq!(
            ipvsadm(&["ipvsadm", "--netns", "a", "-L", "--netns=b"]),
            taken("b", &["ipvsadm", "-L"])
        );
        // popt's `!#:+` in the value takes a later argument along.
        assert_eq!(
            ipvsadm(&["ipvsadm", "-L", "--netns", "!#:+", "-n", "blue"]),
            taken("blue", &["ipvsadm", "-L", "-n"])
        );
    }

    #[test]
    fn ipvsadm_leaves_what_popt_does_not_read_as_the_option() {
        // Without the option nothing is done.
        assert_eq!(ipvsadm(&["ipvsadm", "-Ln"]), None);
        // Another option's value, an argument after `--`, an abbreviation.
        assert_eq!(ipvsadm(&["ipvsadm", "-A", "-s", "--netns", "x"]), None);
        assert_eq!(ipvsadm(&["ipvsadm", "-L", "--", "--netns", "x"]), None);
        assert_eq!(ipvsadm(&["ipvsadm", "-L", "--netn", "x"]), None);
        // After a popt error, as the parse that reports it.
        assert_eq!(ipvsadm(&["ipvsadm", "-L", "--bogus", "--netns", "x"]), None);
        // No value: popt's "missing argument", reported by the parse.
        assert_eq!(ipvsadm(&["ipvsadm", "-L", "--netns"]), None);
        // POSIXLY_CORRECT: options end at the first leftover.
        let posix = ParseConfig {
            posixly_correct: true,
        };
        assert_eq!(
            take_from_ipvsadm_args(&args(&["ipvsadm", "--set", "1", "--netns", "x"]), &posix),
            None
        );
    }

    #[test]
    fn scripts_take_the_option_up_to_a_double_dash() {
        let take = |list: &[&str]| take_from_script_args(&args(list));
        assert_eq!(take(&["ipvsadm-save", "-n"]), Ok(None));
        assert_eq!(
            take(&["ipvsadm-save", "--netns", "blue", "-n"]),
            Ok(taken("blue", &["ipvsadm-save", "-n"]))
        );
        assert_eq!(
            take(&["ipvsadm-restore", "--netns=/run/netns/x", "--test", "rules"]),
            Ok(taken(
                "/run/netns/x",
                &["ipvsadm-restore", "--test", "rules"]
            ))
        );
        assert_eq!(take(&["ipvsadm-restore", "--", "--netns", "x"]), Ok(None));
        assert_eq!(
            take(&["ipvsadm-restore", "--netns", "x", "--", "--netns=y"]),
            Ok(taken("x", &["ipvsadm-restore", "--", "--netns=y"]))
        );
        assert_eq!(take(&["ipvsadm-save", "--netns"]), Err(MissingValue));
    }

    #[test]
    fn bad_names_and_missing_namespaces_are_reported_as_ip_netns_exec_does() {
        let mut err = Vec::new();
        assert_eq!(enter(b"", &mut err), Err(EXIT_NETNS));
        assert_eq!(enter(b"..", &mut err), Err(EXIT_NETNS));
        assert_eq!(
            enter(b"ipvsadm-test-no-such-namespace", &mut err),
            Err(EXIT_NETNS)
        );
        assert_eq!(enter(b"/nonexistent/ns", &mut err), Err(EXIT_NETNS));
        // A file that is not a namespace.
        assert_eq!(enter(b"/dev/null", &mut err), Err(EXIT_NETNS));
        assert_eq!(
            String::from_utf8(err).unwrap(),
            "Invalid netns name \"\"\n\
             Invalid netns name \"..\"\n\
             Cannot open network namespace \"ipvsadm-test-no-such-namespace\": No such file or directory\n\
             Cannot open network namespace \"/nonexistent/ns\": No such file or directory\n\
             setting the network namespace \"/dev/null\" failed: Invalid argument\n"
        );
    }

    #[test]
    fn a_rule_with_the_option_is_refused() {
        // What -R and ipvsadm-restore input reach: the command line's own
        // --netns never gets to the parser.
        let line = ["ipvsadm", "-A", "-t", "10.0.0.1:80", "--netns", "blue"];
        let e = crate::cli::parse_args(&line, &ParseConfig::default(), &crate::cli::SystemResolver)
            .unwrap_err();
        assert_eq!(
            e.message_lossy(),
            "--netns is an option of the command line, not of a rule\n"
        );
        assert_eq!(e.exit_code(), 2);
    }
}
