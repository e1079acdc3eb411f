//! `ipvsadm-restore`: makes the live IPVS table what a rule file says,
//! checked first, changing only what differs, and all or nothing.
//!
//! - [`parse`]: the rule file, line by line, and the table it describes.
//! - [`diff`]: the plan from the live table to the desired one
//!   ([`ipvs::reconcile`]), with the lines the changes come from and as
//!   `ipvsadm` commands.
//! - [`lock`]: one restore at a time.
//!
//! Planning, applying and rolling back are the library's
//! ([`ipvs::reconcile`]); this front end reads the file, reports in its
//! terms and holds the lock.
//!
//! ```text
//! ipvsadm-restore [--test] [--noflush] [--dry-run] [FILE]
//! ```
//!
//! Exit status: 0 done; 1 the kernel refused a change (everything undone),
//! or the kernel or the lock could not be had (nothing changed); 2 invalid
//! input or usage (nothing changed); 3 a change failed and the table could
//! not be brought back.

pub mod diff;
pub mod lock;
pub mod parse;

#[cfg(test)]
mod test_support;

use std::fs::File;
use std::io::{self, BufRead, BufReader};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use crate::cli::messages::{kernel_error_message, Operation};
use crate::cli::run::{connect_kernel, ExitCode, Streams};
use crate::cli::{ParseConfig, SystemResolver};
use crate::output::sort_listing;
use ipvs::reconcile::{apply, Outcome, Problem, Table};
use ipvs::{Error as ClientError, Ipvs, Request};

use diff::{command_line, plan_with_lines, subject};
use parse::{desired_table, read_rules, Base, LineError, RuleFile};

/// Everything done (or nothing to do).
pub const EXIT_OK: ExitCode = 0;
/// The kernel refused a change and everything was undone, or the kernel or
/// the lock could not be had: the table is as it was.
pub const EXIT_FAILED: ExitCode = 1;
/// Invalid input or usage: the kernel was not touched.
pub const EXIT_INVALID: ExitCode = 2;
/// A change failed and undoing the changes made failed too.
pub const EXIT_ROLLBACK_FAILED: ExitCode = 3;

/// What `ipvsadm-restore` was asked to do.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Options {
    /// `--test`: check the file only, without the kernel.
    pub test: bool,
    /// `--noflush`: add to the live table instead of replacing it.
    pub noflush: bool,
    /// `--dry-run`: print the changes as ipvsadm commands, apply none.
    pub dry_run: bool,
    /// The rule file; standard input when `None` (or `-`).
    pub file: Option<PathBuf>,
}

/// What the command line asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Invocation {
    Run(Options),
    Help,
    /// A usage error, with its message.
    Usage(String),
}

fn parse_options(argv: &[Vec<u8>]) -> Invocation {
    let mut options = Options::default();
    let mut files: Vec<&[u8]> = Vec::new();
    let mut only_files = false;
    for arg in argv.iter().skip(1) {
        let arg = arg.as_slice();
        if only_files || arg == b"-" || !arg.starts_with(b"-") {
            files.push(arg);
            continue;
        }
        match arg {
            b"--" => only_files = true,
            b"-t" | b"--test" => options.test = true,
            b"-n" | b"--noflush" => options.noflush = true,
            b"--dry-run" => options.dry_run = true,
            b"-h" | b"--help" => return Invocation::Help,
            other => {
                return Invocation::Usage(format!(
                    "unknown option `{}'",
                    String::from_utf8_lossy(other)
                ))
            }
        }
    }
    if options.test && options.dry_run {
        return Invocation::Usage("--test and --dry-run cannot be used together".into());
    }
    match files.as_slice() {
        [] | [b"-"] => {}
        [file] => options.file = Some(PathBuf::from(std::ffi::OsStr::from_bytes(file))),
        _ => return Invocation::Usage("only one rule file can be given".into()),
    }
    Invocation::Run(options)
}

fn help_text(program: &str) -> String {
    format!(
        "Usage: {program} [--test] [--noflush] [--dry-run] [FILE]\n\
         Makes the IPVS table what FILE says (standard input if FILE is absent or -):\n\
         rules as ipvsadm-save or ipvsadm -S writes them, # comments allowed.\n\
         The whole file is checked before the kernel is touched. Only the differences\n\
         are applied: services and real servers that did not change keep their\n\
         connections. If the kernel refuses a change, the changes already made are\n\
         undone and the table is left as it was.\n\
         \n\
         \x20 -t, --test      check FILE and report every bad line; the kernel is not used\n\
         \x20 -n, --noflush   add to the live table instead of replacing it\n\
         \x20     --dry-run   print the changes as ipvsadm commands (for ipvsadm -R) and\n\
         \x20                 apply none\n\
         \x20 -h, --help      print this help\n\
         \n\
         Exit status: 0 done; 1 the kernel refused a change (all undone) or could not\n\
         be used; 2 invalid input or usage; 3 a change failed and could not be undone.\n"
    )
}

/// Runs `ipvsadm-restore` with `argv` (program name first) and returns its
/// exit status.
pub fn run_restore(argv: &[Vec<u8>], streams: &mut Streams<'_>) -> ExitCode {
    let program = base_name(&streams.program);
    let options = match parse_options(argv) {
        Invocation::Run(options) => options,
        Invocation::Help => {
            let text = help_text(&program);
            return match streams.out.write_all(text.as_bytes()) {
                Ok(()) => EXIT_OK,
                Err(_) => EXIT_FAILED,
            };
        }
        Invocation::Usage(message) => {
            let _ = write!(
                streams.err,
                "{program}: {message}\nTry `{program} --help' for more information.\n"
            );
            return EXIT_INVALID;
        }
    };
    let (name, input): (String, Box<dyn BufRead>) = match &options.file {
        // 64 KiB reads, as `ipvsadm -R` does: a large file in a tenth of the reads.
        None => (
            "<stdin>".to_string(),
            Box::new(BufReader::with_capacity(64 * 1024, io::stdin().lock())),
        ),
        Some(path) => match File::open(path) {
            Ok(f) => (
                path.display().to_string(),
                Box::new(BufReader::with_capacity(64 * 1024, f)),
            ),
            Err(e) => {
                let _ = writeln!(
                    streams.err,
                    "{program}: cannot open {}: {e}",
                    path.display()
                );
                return EXIT_INVALID;
            }
        },
    };
    let file = match read_rules(input, &ParseConfig::from_env(), &SystemResolver) {
        Ok(file) => file,
        Err(e) => {
            let _ = writeln!(streams.err, "{program}: cannot read {name}: {e}");
            return EXIT_INVALID;
        }
    };
    let report = Reporter {
        program,
        name,
        file: &file,
    };
    let lock = lock::lock_path();
    let code = restore(
        &options,
        &file,
        &report,
        streams,
        |streams| connect_kernel(streams).map_err(|_| EXIT_FAILED),
        &lock,
    );
    let _ = streams.out.flush();
    let _ = streams.err.flush();
    code
}

/// The last part of a path.
fn base_name(program: &str) -> String {
    program.rsplit('/').next().unwrap_or(program).to_string()
}

/// Writes messages about the rule file.
struct Reporter<'a> {
    program: String,
    /// The file as named in messages.
    name: String,
    file: &'a RuleFile,
}

impl Reporter<'_> {
    /// `PROGRAM: MESSAGE`.
    fn say(&self, streams: &mut Streams<'_>, message: &str) {
        let _ = writeln!(streams.err, "{}: {message}", self.program);
    }

    /// `PROGRAM: FILE:LINE: `TEXT': MESSAGE`.
    fn line_error(&self, streams: &mut Streams<'_>, error: &LineError) {
        let location = self.location(Some(error.line));
        self.say(streams, &format!("{location}: {}", error.message));
    }

    /// `FILE:LINE: `TEXT'`, or `FILE` for changes no line asked for.
    fn location(&self, line: Option<usize>) -> String {
        match line {
            Some(line) => format!("{}:{line}: `{}'", self.name, self.file.text(line)),
            None => self.name.clone(),
        }
    }

    /// Why a change failed, with the line it comes from.
    fn step_failure(
        &self,
        streams: &mut Streams<'_>,
        step: Option<(&Request, Option<usize>)>,
        error: &ClientError,
    ) {
        let Some((request, line)) = step else {
            self.say(streams, &format!("{}: {error}", self.name));
            return;
        };
        let action = match request {
            Request::AddService(_) | Request::AddDestination(..) => "adding",
            Request::EditService(_) | Request::EditDestination(..) => "changing",
            _ => "removing",
        };
        let unmentioned = if line.is_none() {
            " (not in the file)"
        } else {
            ""
        };
        self.say(
            streams,
            &format!(
                "{}: {action} {}{unmentioned}: {}",
                self.location(line),
                subject(request),
                error_text(request, error)
            ),
        );
    }
}

/// A kernel error in ipvsadm's words for the request that got it.
fn error_text(request: &Request, error: &ClientError) -> String {
    let operation = match request {
        Request::AddService(_) => Operation::AddService,
        Request::EditService(_) => Operation::EditService,
        Request::DeleteService(_) => Operation::DeleteService,
        Request::AddDestination(..) => Operation::AddDestination,
        Request::EditDestination(..) => Operation::EditDestination,
        Request::DeleteDestination(..) => Operation::DeleteDestination,
        Request::Flush => Operation::Flush,
        Request::Zero(_) => Operation::ZeroService,
        Request::SetTimeouts(_) => Operation::SetTimeouts,
        Request::StartDaemon(_) => Operation::StartDaemon,
        Request::StopDaemon(_) => Operation::StopDaemon,
    };
    match error {
        ClientError::Kernel { errno } => kernel_error_message(operation, *errno),
        other => other.to_string(),
    }
}

/// Every problem in `errors`, in line order.
fn report_line_errors(report: &Reporter<'_>, streams: &mut Streams<'_>, errors: &[LineError]) {
    let mut sorted: Vec<&LineError> = errors.iter().collect();
    sorted.sort_by_key(|e| e.line);
    for error in sorted {
        report.line_error(streams, error);
    }
}

/// The restore proper, after the file was read: check, lock, diff, apply.
fn restore<K: Ipvs>(
    options: &Options,
    file: &RuleFile,
    report: &Reporter<'_>,
    streams: &mut Streams<'_>,
    connect: impl FnOnce(&mut Streams<'_>) -> Result<K, ExitCode>,
    lock_path: &Path,
) -> ExitCode {
    // Everything that can be checked without the kernel.
    let offline_base = if options.noflush {
        Base::Unknown
    } else {
        Base::Empty
    };
    let (offline, conflicts) = desired_table(offline_base, &file.rules);
    let mut errors = file.errors.clone();
    errors.extend(conflicts);
    if !errors.is_empty() {
        report_line_errors(report, streams, &errors);
        if !options.test {
            report.say(streams, "nothing was changed");
        }
        return EXIT_INVALID;
    }
    if options.test {
        return EXIT_OK;
    }

    let mut kernel = match connect(streams) {
        Ok(kernel) => kernel,
        Err(code) => return code,
    };
    let _lock = if options.dry_run {
        None
    } else {
        let program = report.program.clone();
        let err = &mut *streams.err;
        match lock::acquire(lock_path, |path| {
            let _ = writeln!(
                err,
                "{program}: waiting for another restore to finish (lock {})",
                path.display()
            );
        }) {
            Ok(lock) => Some(lock),
            Err(e) => {
                report.say(
                    streams,
                    &format!("cannot lock {}: {e}", lock_path.display()),
                );
                return EXIT_FAILED;
            }
        }
    };

    let live = match read_live_table(&mut kernel) {
        Ok(live) => live,
        Err(e) => {
            report.say(streams, &format!("cannot read the IPVS table: {e}"));
            return EXIT_FAILED;
        }
    };
    // Without --noflush the file replaces the table: what it describes was
    // worked out above, without conflicts.
    let (desired, conflicts) = if options.noflush {
        desired_table(Base::Live(&live), &file.rules)
    } else {
        (offline, Vec::new())
    };
    if !conflicts.is_empty() {
        report_line_errors(report, streams, &conflicts);
        report.say(streams, "nothing was changed");
        return EXIT_INVALID;
    }
    let (changes, lines) = plan_with_lines(&live, &desired);

    if options.dry_run {
        for change in &changes {
            if let Some(line) = command_line(change) {
                if streams.out.write_all(line.as_bytes()).is_err() {
                    return EXIT_FAILED;
                }
            }
        }
        return EXIT_OK;
    }

    // From here on, an interrupt would leave a half-applied table: hold it
    // back until the outcome is reported.
    let _deferred = DeferSignals::new();
    let code = apply_and_report(&mut kernel, &live, &changes, &lines, report, streams);
    let _ = streams.out.flush();
    let _ = streams.err.flush();
    code
}

/// The live table: every service with its real servers, in `ipvsadm -S`
/// order (so that plans and dry runs come out the same every time).
fn read_live_table(kernel: &mut dyn Ipvs) -> Result<Table, ClientError> {
    let mut listing = kernel.listing()?;
    sort_listing(&mut listing);
    Ok(Table::from_listings(&listing))
}

/// Applies the plan and reports how it went.
fn apply_and_report<K: Ipvs>(
    kernel: &mut K,
    live: &Table,
    changes: &[Request],
    lines: &[Option<usize>],
    report: &Reporter<'_>,
    streams: &mut Streams<'_>,
) -> ExitCode {
    let step = |index: usize| changes.get(index).zip(lines.get(index).copied());
    match apply(kernel, live, changes) {
        Ok(Outcome::Applied) => EXIT_OK,
        Ok(Outcome::RolledBack {
            step: failed,
            error,
        }) => {
            report.step_failure(streams, step(failed), &error);
            // Every change before the failed one had been applied and was undone.
            let undone = failed;
            let message = match undone {
                0 => "nothing was changed: the kernel refused the first change".to_string(),
                n => format!(
                    "nothing was changed: the kernel refused a change, and the {n} \
                     change(s) made before it were undone"
                ),
            };
            report.say(streams, &message);
            EXIT_FAILED
        }
        Ok(Outcome::RollbackFailed {
            step: failed,
            error,
            problems,
        }) => {
            report.step_failure(streams, step(failed), &error);
            report.say(
                streams,
                "ROLLBACK FAILED: the IPVS table is left part-way between the old table \
                 and the new one",
            );
            for problem in &problems {
                report.say(streams, &problem_text(problem));
            }
            report.say(streams, "the table before the restore was:");
            write_table(streams, live);
            EXIT_ROLLBACK_FAILED
        }
        Err((index, conflict)) => {
            report.say(
                streams,
                &format!(
                    "internal error: change {} does not fit the live table ({conflict}); \
                     nothing was changed",
                    index + 1
                ),
            );
            EXIT_FAILED
        }
    }
}

/// A problem met while rolling back, for the report.
fn problem_text(problem: &Problem) -> String {
    match problem {
        Problem::Undo {
            step,
            request,
            error,
        } => format!(
            "undoing step {} ({}) failed: {error}",
            step + 1,
            describe(request)
        ),
        Problem::ReadBack(error) => format!("reading the table back failed: {error}"),
        Problem::Reconcile { request, error } => {
            format!("restoring {} failed: {error}", describe(request))
        }
        Problem::StillDiffers => {
            "the table read back still differs from the table before the restore".to_string()
        }
        other => format!("{other:?}"),
    }
}

/// A request as the command line that makes it.
fn describe(request: &Request) -> String {
    command_line(request)
        .map(|line| line.trim_end().to_string())
        .unwrap_or_else(|| format!("{request:?}"))
}

/// Holds back SIGINT, SIGTERM, SIGHUP and SIGQUIT while alive; they take
/// effect when it is dropped.
struct DeferSignals {
    previous: libc::sigset_t,
}

impl DeferSignals {
    fn new() -> Option<Self> {
        // SAFETY: sigset_t is plain data that sigemptyset initialises; the
        // calls only read and write the sets passed.
        unsafe {
            let mut set: libc::sigset_t = std::mem::zeroed();
            libc::sigemptyset(&mut set);
            for signal in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP, libc::SIGQUIT] {
                libc::sigaddset(&mut set, signal);
            }
            let mut previous: libc::sigset_t = std::mem::zeroed();
            (libc::pthread_sigmask(libc::SIG_BLOCK, &set, &mut previous) == 0)
                .then_some(DeferSignals { previous })
        }
    }
}

impl Drop for DeferSignals {
    fn drop(&mut self) {
        // SAFETY: restores the mask saved by `new`.
        unsafe {
            libc::pthread_sigmask(libc::SIG_SETMASK, &self.previous, std::ptr::null_mut());
        }
    }
}

/// A table as `ipvsadm -R` lines, on standard error.
fn write_table(streams: &mut Streams<'_>, table: &Table) {
    for entry in table.services() {
        let service = entry.service();
        let lines = std::iter::once(Request::AddService(service.clone())).chain(
            entry
                .destinations()
                .map(|d| Request::AddDestination(service.key, *d)),
        );
        for request in lines {
            if let Some(line) = command_line(&request) {
                let _ = streams.err.write_all(line.as_bytes());
            }
        }
    }
}

#[cfg(test)]
mod tests;
