//! Kernel errors as ipvsadm 1.31 reports them (libipvs `ipvs_strerror`),
//! and what ipvsadm does after each kind of failed kernel call.
//!
//! How ipvsadm 1.31 reacts, by operation:
//! - Connecting (`ipvs_init`) fails: [`init_failure_message`] on stderr, exit 2.
//! - A change (`-A -E -D -a -e -d -C -Z --set --start-daemon --stop-daemon`)
//!   fails: the message and a newline on stderr, exit status 255. In a `-R`
//!   restore the next line still runs; the exit status is the last line's.
//! - Listing services or servers (`-L`, `-S`, `-L -t ...`) fails: the
//!   message and a newline on stderr, exit 1 at once.
//! - `-L --timeout` or `-L --daemon` fails: nothing printed, exit 1.
//!
//! At start-up ipvsadm tries netlink, then runs `/sbin/modprobe -- ip_vs`
//! and tries again; when the IPVS netlink family is missing it falls back to
//! the old socket-option interface, which then fails with `ENOPROTOOPT`: on a
//! kernel without IPVS the message is "Can't initialize ipvs: Protocol not
//! available" whatever netlink said.

/// The libipvs call that failed; part of the key of ipvsadm's message table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Operation {
    /// Connecting and `IPVS_CMD_GET_INFO` at start-up.
    Init,
    AddService,
    EditService,
    DeleteService,
    ZeroService,
    AddDestination,
    EditDestination,
    DeleteDestination,
    SetTimeouts,
    StartDaemon,
    StopDaemon,
    /// Dump of all services (`-L`, `-S`). libipvs does not record this
    /// call (see [`Operation::records_itself`]).
    GetServices,
    /// Dump of a service's real servers.
    GetDestinations,
    /// One service (`-L -t ...`).
    GetService,
    GetTimeouts,
    GetDaemons,
    /// `-C`. libipvs does not record this call (see [`Operation::records_itself`]).
    Flush,
}

impl Operation {
    /// Whether libipvs records this call for its message table. For the
    /// calls that do not (flush, the service dump), `ipvs_strerror` uses the
    /// entries of the last call that did: start-up ([`Operation::Init`],
    /// which has none) for a single command, but in a `-R` restore possibly
    /// an earlier line's. A runner that wants that exactness passes the last
    /// recorded operation to [`kernel_error_message`] instead.
    pub fn records_itself(self) -> bool {
        !matches!(self, Operation::Flush | Operation::GetServices)
    }
}

/// What ipvsadm does when a kernel call fails.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KernelFailure {
    /// Exact text for standard error (may be empty).
    pub stderr: String,
    pub exit_code: i32,
    /// Whether the process ends at once (otherwise a restore goes on).
    pub exits_now: bool,
}

/// ipvsadm's reaction to `op` failing with `errno`.
pub fn kernel_failure(op: Operation, errno: i32) -> KernelFailure {
    let line = format!("{}\n", kernel_error_message(op, errno));
    match op {
        Operation::Init => KernelFailure {
            stderr: init_failure_message(errno),
            exit_code: 2,
            exits_now: true,
        },
        Operation::GetServices | Operation::GetDestinations | Operation::GetService => {
            KernelFailure {
                stderr: line,
                exit_code: 1,
                exits_now: true,
            }
        }
        Operation::GetTimeouts | Operation::GetDaemons => KernelFailure {
            stderr: String::new(),
            exit_code: 1,
            exits_now: true,
        },
        _ => KernelFailure {
            stderr: line,
            exit_code: 255,
            exits_now: false,
        },
    }
}

/// `ipvs_strerror`: the operation-specific text, else the generic one for
/// the error, else glibc's `strerror` text.
pub fn kernel_error_message(op: Operation, errno: i32) -> String {
    use Operation as O;
    let specific = match (op, errno) {
        (O::AddService, libc::EEXIST) => Some("Service already exists"),
        (O::AddService | O::EditService, libc::ENOENT) => {
            Some("Scheduler or persistence engine not found")
        }
        (
            O::EditService | O::DeleteService | O::ZeroService | O::GetDestinations | O::GetService,
            libc::ESRCH,
        ) => Some("No such service"),
        (O::AddDestination | O::EditDestination | O::DeleteDestination, libc::ESRCH) => {
            Some("Service not defined")
        }
        (O::AddDestination, libc::EEXIST) => Some("Destination already exists"),
        (O::EditDestination | O::DeleteDestination, libc::ENOENT) => Some("No such destination"),
        (O::StartDaemon, libc::EEXIST) => Some("Daemon has already run"),
        (O::StopDaemon, libc::ESRCH) => Some("No daemon is running"),
        _ => None,
    };
    let generic = || match errno {
        libc::EPERM => Some("Permission denied (you must be root)"),
        libc::EINVAL => {
            Some("Invalid operation.  Possibly wrong module version, address not unicast, ...")
        }
        libc::ENOPROTOOPT => Some("Protocol not available"),
        libc::ENOMEM => Some("Memory allocation problem"),
        libc::EOPNOTSUPP => Some("Operation not supported with IPv6"),
        libc::EAFNOSUPPORT => Some("Operation not supported with specified address family"),
        libc::EMSGSIZE => Some("Module is wrong version"),
        _ => None,
    };
    match specific.or_else(generic) {
        Some(text) => text.to_string(),
        None => strerror(errno),
    }
}

/// glibc's `strerror` text (C locale), e.g. "No such file or directory",
/// whatever C library we are built with: 1.31 is built with glibc.
pub fn strerror(errno: i32) -> String {
    super::errno_text::glibc_strerror(errno)
}

/// What ipvsadm prints when it cannot reach IPVS at start-up (exit 2).
pub fn init_failure_message(errno: i32) -> String {
    format!(
        "Can't initialize ipvs: {}\n\
         Are you sure that IP Virtual Server is built in the kernel or as module?\n",
        kernel_error_message(Operation::Init, errno)
    )
}

/// Oldest IPVS (kernel) version ipvsadm 1.31 accepts without a warning: 1.1.4.
pub const MINIMUM_IPVS_VERSION: u32 = 0x010104;

/// The warning ipvsadm 1.31 prints on stderr (and goes on) when the kernel's
/// IPVS is older than 1.1.4; `version` is encoded as `(major << 16) | (minor << 8) | patch`.
pub fn version_mismatch_warning(version: u32) -> Option<String> {
    if version >= MINIMUM_IPVS_VERSION {
        return None;
    }
    let part = |v: u32, shift: u32| (v >> shift) & 0xff;
    Some(format!(
        "Warning: IPVS version mismatch: \n  Kernel compiled with IPVS version {}.{}.{}\n  \
         ipvsadm v1.31  requires minimum IPVS version {}.{}.{}\n\n",
        part(version, 16),
        part(version, 8),
        part(version, 0),
        part(MINIMUM_IPVS_VERSION, 16),
        part(MINIMUM_IPVS_VERSION, 8),
        part(MINIMUM_IPVS_VERSION, 0),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use Operation as O;

    #[test]
    fn operation_specific_messages() {
        assert_eq!(
            kernel_error_message(O::AddService, libc::EEXIST),
            "Service already exists"
        );
        assert_eq!(
            kernel_error_message(O::EditService, libc::ENOENT),
            "Scheduler or persistence engine not found"
        );
        assert_eq!(
            kernel_error_message(O::DeleteService, libc::ESRCH),
            "No such service"
        );
        assert_eq!(
            kernel_error_message(O::ZeroService, libc::ESRCH),
            "No such service"
        );
        assert_eq!(
            kernel_error_message(O::AddDestination, libc::ESRCH),
            "Service not defined"
        );
        assert_eq!(
            kernel_error_message(O::AddDestination, libc::EEXIST),
            "Destination already exists"
        );
        assert_eq!(
            kernel_error_message(O::DeleteDestination, libc::ENOENT),
            "No such destination"
        );
        assert_eq!(
            kernel_error_message(O::StartDaemon, libc::EEXIST),
            "Daemon has already run"
        );
        assert_eq!(
            kernel_error_message(O::StopDaemon, libc::ESRCH),
            "No daemon is running"
        );
        assert_eq!(
            kernel_error_message(O::GetService, libc::ESRCH),
            "No such service"
        );
    }

    /// The messages the reference ipvsadm printed when a stand-in kernel
    /// failed each call with ENOENT, ESRCH and EEXIST.
    #[test]
    fn matches_the_reference_table() {
        let nf = "No such file or directory";
        let np = "No such process";
        let fe = "File exists";
        let rows: &[(Operation, [&str; 3])] = &[
            (
                O::AddService,
                [
                    "Scheduler or persistence engine not found",
                    np,
                    "Service already exists",
                ],
            ),
            (
                O::EditService,
                [
                    "Scheduler or persistence engine not found",
                    "No such service",
                    fe,
                ],
            ),
            (O::DeleteService, [nf, "No such service", fe]),
            (O::ZeroService, [nf, "No such service", fe]),
            (
                O::AddDestination,
                [nf, "Service not defined", "Destination already exists"],
            ),
            (
                O::EditDestination,
                ["No such destination", "Service not defined", fe],
            ),
            (
                O::DeleteDestination,
                ["No such destination", "Service not defined", fe],
            ),
            (O::Flush, [nf, np, fe]),
            (O::SetTimeouts, [nf, np, fe]),
            (O::StartDaemon, [nf, np, "Daemon has already run"]),
            (O::StopDaemon, [nf, "No daemon is running", fe]),
            (O::GetServices, [nf, np, fe]),
            (O::GetService, [nf, "No such service", fe]),
        ];
        for (op, texts) in rows {
            for (errno, text) in [libc::ENOENT, libc::ESRCH, libc::EEXIST].iter().zip(texts) {
                assert_eq!(kernel_error_message(*op, *errno), *text, "{op:?} {errno}");
            }
        }
    }

    #[test]
    fn unrecorded_calls_use_only_generic_entries() {
        // Observed with the reference: `-L` failing with ESRCH.
        assert_eq!(
            kernel_error_message(O::GetServices, libc::ESRCH),
            "No such process"
        );
        assert_eq!(
            kernel_error_message(O::Flush, libc::ESRCH),
            "No such process"
        );
        assert_eq!(
            kernel_error_message(O::GetDestinations, libc::ESRCH),
            "No such service"
        );
        assert!(!O::Flush.records_itself() && !O::GetServices.records_itself());
        assert!(O::GetService.records_itself());
    }

    #[test]
    fn generic_and_fallback_messages() {
        // ESRCH means nothing special for adding a service: strerror.
        assert_eq!(
            kernel_error_message(O::AddService, libc::ESRCH),
            "No such process"
        );
        assert_eq!(
            kernel_error_message(O::DeleteService, libc::EEXIST),
            "File exists"
        );
        assert_eq!(
            kernel_error_message(O::Flush, libc::ENOENT),
            "No such file or directory"
        );
        assert_eq!(
            kernel_error_message(O::AddDestination, libc::EINVAL),
            "Invalid operation.  Possibly wrong module version, address not unicast, ..."
        );
        assert_eq!(
            kernel_error_message(O::Init, libc::EPERM),
            "Permission denied (you must be root)"
        );
        assert_eq!(
            kernel_error_message(O::Init, libc::ENOPROTOOPT),
            "Protocol not available"
        );
        assert_eq!(
            kernel_error_message(O::SetTimeouts, libc::EMSGSIZE),
            "Module is wrong version"
        );
        assert_eq!(
            kernel_error_message(O::AddService, 12345),
            "Unknown error 12345"
        );
    }

    #[test]
    fn reactions() {
        let f = kernel_failure(O::AddService, libc::EEXIST);
        assert_eq!(f.stderr, "Service already exists\n");
        assert_eq!((f.exit_code, f.exits_now), (255, false));
        let f = kernel_failure(O::GetService, libc::ESRCH);
        assert_eq!((f.stderr.as_str(), f.exit_code), ("No such service\n", 1));
        let f = kernel_failure(O::GetTimeouts, libc::EPERM);
        assert_eq!((f.stderr.as_str(), f.exit_code), ("", 1));
        let f = kernel_failure(O::Init, libc::ENOPROTOOPT);
        assert_eq!(
            f.stderr,
            "Can't initialize ipvs: Protocol not available\n\
             Are you sure that IP Virtual Server is built in the kernel or as module?\n"
        );
        assert_eq!(f.exit_code, 2);
    }

    #[test]
    fn version_warning() {
        assert_eq!(version_mismatch_warning(0x010201), None);
        assert_eq!(version_mismatch_warning(0x010104), None);
        assert_eq!(
            version_mismatch_warning(0x010002).unwrap(),
            "Warning: IPVS version mismatch: \n  Kernel compiled with IPVS version 1.0.2\n  \
             ipvsadm v1.31  requires minimum IPVS version 1.1.4\n\n"
        );
    }
}
