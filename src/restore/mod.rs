//! `ipvsadm-restore`: makes the live IPVS table, timeouts and sync daemons
//! what a rule file says, checked first, changing only what differs, and all
//! or nothing; then zeroes the counters the file's `-Z` lines name.
//!
//! - [`parse`]: the rule file, line by line, and the table (with timeouts
//!   and daemons) it describes.
//! - [`diff`]: the plan from the live table to the desired one
//!   ([`ipvs::reconcile`]), then the zeroing, with the lines the changes
//!   come from and as `ipvsadm` commands.
//! - [`lock`]: one restore at a time.
//!
//! Planning, applying and rolling back are the library's
//! ([`ipvs::reconcile`]); this front end reads the file, reports in its
//! terms and holds the lock.
//!
//! ```text
//! ipvsadm-restore [--test] [--noflush] [--dry-run] [--drain[=SECONDS]] [--netns NAME|PATH] [FILE]
//! ```
//!
//! With `--drain`, real servers the file removes are set to weight 0 with
//! the other changes and deleted once their connections are gone
//! ([`ipvs::reconcile::draining`], [`crate::drain`]).
//!
//! Exit status: 0 done; 1 the kernel refused a change (everything undone),
//! or the kernel or the lock could not be had (nothing changed); 2 invalid
//! input or usage (nothing changed); 3 a change failed and the table could
//! not be brought back; 4 interrupted while draining (the changes made, the
//! draining real servers left at weight 0).

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
use crate::cli::netns;
use crate::cli::run::{base_name, connect_kernel, run_ipvsadm, ExitCode, Streams};
use crate::cli::{ParseConfig, SystemResolver};
use crate::output::{listings_in_order, sort_destinations};
use std::time::Duration;

use crate::drain::{run_drain, Ended};
use ipvs::reconcile::{apply, draining, plan, Drain, Outcome, Problem, Table};
use ipvs::{Error as ClientError, Ipvs, Request};

use diff::{command_line, plan_towards, subject};
use parse::{check_listings, desired_table, read_rules, Base, LineError, RuleFile};

/// Everything done (or nothing to do).
pub const EXIT_OK: ExitCode = 0;
/// The kernel refused a change and everything was undone, or the kernel or
/// the lock could not be had: the table is as it was.
pub const EXIT_FAILED: ExitCode = 1;
/// Invalid input or usage: the kernel was not touched.
pub const EXIT_INVALID: ExitCode = 2;
/// A change failed and undoing the changes made failed too.
pub const EXIT_ROLLBACK_FAILED: ExitCode = 3;
/// Interrupted while draining: every change was made, the real servers
/// still draining are at weight 0; the next `--drain` run goes on.
pub use crate::drain::EXIT_INTERRUPTED;

/// What `ipvsadm-restore` was asked to do.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Options {
    /// `--test`: check the file only, without the kernel.
    pub test: bool,
    /// `--noflush`: add to the live table instead of replacing it.
    pub noflush: bool,
    /// `--dry-run`: print the changes as ipvsadm commands, apply none.
    pub dry_run: bool,
    /// `--drain[=SECONDS]`: real servers the file removes drain first, for
    /// at most this long.
    pub drain: Option<Duration>,
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
            b"--drain" => options.drain = Some(Drain::default().timeout),
            _ if arg.starts_with(b"--drain=") => match drain_seconds(&arg[b"--drain=".len()..]) {
                Some(seconds) => options.drain = Some(Duration::from_secs(seconds)),
                None => {
                    return Invocation::Usage(format!(
                        "--drain takes a number of seconds, not `{}'",
                        String::from_utf8_lossy(&arg[b"--drain=".len()..])
                    ))
                }
            },
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

/// `--drain=SECONDS`: 0 to 2^31 - 1.
fn drain_seconds(text: &[u8]) -> Option<u64> {
    let text = std::str::from_utf8(text).ok()?;
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse::<u64>().ok().filter(|s| *s <= i32::MAX as u64)
}

fn help_text(program: &str) -> String {
    format!(
        "Usage: {program} [--test] [--noflush] [--dry-run] [--drain[=SECONDS]] \
         [--netns NAME|PATH] [FILE]\n\
         Makes the IPVS table what FILE says (standard input if FILE is absent or -):\n\
         rules as ipvsadm-save or ipvsadm -S writes them, # comments allowed, and\n\
         --set, --start-daemon, --stop-daemon and -Z lines (-Z runs after the\n\
         changes, then -L and -S lines, which show the new table).\n\
         The whole file is checked before the kernel is touched. Only the differences\n\
         are applied: services and real servers that did not change keep their\n\
         connections. If the kernel refuses a change, the changes already made are\n\
         undone and the table, timeouts and daemons are left as they were.\n\
         \n\
         \x20 -t, --test      check FILE and report every bad line; the kernel is not used\n\
         \x20 -n, --noflush   add to the live table instead of replacing it\n\
         \x20     --dry-run   print the changes as ipvsadm commands (for ipvsadm -R) and\n\
         \x20                 apply none\n\
         \x20     --drain[=SECONDS]\n\
         \x20                 real servers the file removes are set to weight 0 first and\n\
         \x20                 deleted when IPVS counts no connection through them (active,\n\
         \x20                 inactive, persistent), or after SECONDS (default {default});\n\
         \x20                 then the services the file removes. Interrupted, it leaves\n\
         \x20                 them at weight 0; the next --drain run goes on.\n\
         \x20     --netns NAME|PATH\n\
         \x20                 act in that network namespace, as ip netns exec NAME\n\
         \x20 -h, --help      print this help\n\
         \n\
         Exit status: 0 done; 1 the kernel refused a change (all undone) or could not\n\
         be used; 2 invalid input or usage; 3 a change failed and could not be undone;\n\
         4 interrupted while draining (the draining servers are left at weight 0).\n",
        default = Drain::default().timeout.as_secs()
    )
}

/// Runs `ipvsadm-restore` with `argv` (program name first) and returns its
/// exit status.
pub fn run_restore(argv: &[Vec<u8>], streams: &mut Streams<'_>) -> ExitCode {
    let program = base_name(&streams.program).to_string();
    let argv = match netns::enter_from_script_args(argv, streams.err) {
        Ok(argv) => argv,
        Err(netns::ScriptStop::Exit(code)) => return code,
        Err(netns::ScriptStop::MissingValue) => {
            let _ = write!(
                streams.err,
                "{program}: option --netns requires a value\nTry `{program} --help' for more information.\n"
            );
            return EXIT_INVALID;
        }
    };
    let options = match parse_options(&argv) {
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
        run_ipvsadm,
    );
    let _ = streams.out.flush();
    let _ = streams.err.flush();
    code
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
            Request::SetTimeouts(_) => "setting",
            Request::StartDaemon(_) => "starting",
            Request::StopDaemon(_) => "stopping",
            Request::Zero(_) => "zeroing",
            Request::DeleteService(_) | Request::DeleteDestination(..) | Request::Flush => {
                "removing"
            }
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

/// The restore proper, after the file was read: check, lock, diff, apply,
/// then the listing lines through `run_listing` (`ipvsadm` with those
/// arguments).
fn restore<K: Ipvs>(
    options: &Options,
    file: &RuleFile,
    report: &Reporter<'_>,
    streams: &mut Streams<'_>,
    connect: impl FnOnce(&mut Streams<'_>) -> Result<K, ExitCode>,
    lock_path: &Path,
    mut run_listing: impl FnMut(&[Vec<u8>], &mut Streams<'_>) -> ExitCode,
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
    errors.extend(check_listings(&file.listings, &offline.table, offline_base));
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
    let (base, (desired, mut conflicts)) = if options.noflush {
        // Over a live table that is kept, every rule runs again.
        drop(offline);
        let base = Base::Live(&live);
        (base, desired_table(base, &file.rules))
    } else {
        (
            Base::Flushed(&live),
            offline.over_flushed(&live, &file.rules),
        )
    };
    conflicts.extend(check_listings(&file.listings, &desired.table, base));
    if !conflicts.is_empty() {
        report_line_errors(report, streams, &conflicts);
        report.say(streams, "nothing was changed");
        return EXIT_INVALID;
    }
    for warning in &desired.warnings {
        report.line_error(streams, warning);
    }
    // Draining: first towards the desired table with the real servers it
    // drops kept at weight 0 (`None`: nothing drains).
    let first = options
        .drain
        .and_then(|timeout| Some((draining(&live, &desired.table)?, timeout)));
    let target = first.as_ref().map_or(&desired.table, |(first, _)| first);
    let (changes, lines) = plan_towards(&live, target, &desired);

    if options.dry_run {
        let mut text: String = changes.iter().map(command_line).collect();
        if let Some((first, timeout)) = &first {
            text.push_str(&drain_steps(first, &desired.table, *timeout));
        }
        if streams.out.write_all(text.as_bytes()).is_err() {
            return EXIT_FAILED;
        }
        return EXIT_OK;
    }

    let code = {
        // From here on, an interrupt would leave a half-applied table: hold
        // it back until the outcome is reported.
        let _deferred = DeferSignals::new();
        let code = apply_and_report(&mut kernel, &live, &changes, &lines, report, streams);
        match (code, &first) {
            // SIGINT and SIGTERM stop the wait, not the process (see
            // `crate::drain`); SIGHUP and SIGQUIT stay held back until the
            // drain ends, so a closed terminal does not cut it short.
            (EXIT_OK, Some((first, timeout))) => match run_drain(
                &mut kernel,
                first,
                &desired.table,
                *timeout,
                &report.program,
                streams.err,
            ) {
                Ok(Ended::Done) => EXIT_OK,
                Ok(Ended::Interrupted) => EXIT_INTERRUPTED,
                Err(e) => {
                    report.say(
                        streams,
                        &format!(
                            "draining stopped: {e}; the real servers still draining are left \
                             at weight 0"
                        ),
                    );
                    EXIT_FAILED
                }
            },
            _ => code,
        }
    };
    // The listing lines show the table in place. What they print, errors
    // included, is theirs; the restore is done whatever they give.
    if code == EXIT_OK {
        for listing in &file.listings {
            let _ = streams.out.flush();
            let _ = run_listing(&listing.args, streams);
        }
    }
    let _ = streams.out.flush();
    let _ = streams.err.flush();
    code
}

/// The drain for `--dry-run`: a comment per real server to wait for, then
/// the deletions that follow (from `first`, the table with the draining
/// real servers, to `desired`).
fn drain_steps(first: &Table, desired: &Table, timeout: Duration) -> String {
    let deletions = plan(first, desired);
    let mut text = String::new();
    for change in &deletions {
        if let Request::DeleteDestination(..) = change {
            text.push_str(&format!(
                "# drain: wait until IPVS counts no connection through {} (at most {} s)\n",
                subject(change),
                timeout.as_secs()
            ));
        }
    }
    for current in first.services() {
        let key = current.service().key;
        if desired.service(&key).is_none() {
            for dest in current.destinations() {
                let step = Request::DeleteDestination(key, dest.addr, dest.port);
                text.push_str(&format!(
                    "# drain: wait until IPVS counts no connection through {} (at most {} s)\n",
                    subject(&step),
                    timeout.as_secs()
                ));
            }
        }
    }
    text.extend(deletions.iter().map(command_line));
    text
}

/// The live table: every service with its real servers, in `ipvsadm -S`
/// order (so that plans and dry runs come out the same every time), with the
/// timeouts and sync daemons.
fn read_live_table(kernel: &mut dyn Ipvs) -> Result<Table, ClientError> {
    let services = kernel.services()?;
    // Service by service: the real servers of a large table (with their
    // counters, which a listing carries) are never all held at once.
    let mut failure = None;
    let listings = listings_in_order(services, true, |entry| {
        let mut destinations = kernel.destinations(&entry.service.key)?;
        sort_destinations(&mut destinations);
        Ok(destinations)
    })
    .map_while(|listing| listing.map_err(|e| failure = Some(e)).ok());
    let table = Table::from_listings(listings);
    if let Some(e) = failure {
        return Err(e);
    }
    Ok(table
        .with_timeouts(kernel.timeouts()?)
        .with_daemons(kernel.daemons()?))
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
            undone,
        }) => {
            report.step_failure(streams, step(failed), &error);
            let total = changes.len();
            let message = match undone {
                0 => format!(
                    "nothing was changed: the kernel refused change {} of {total} \
                     before it had applied any",
                    failed + 1
                ),
                n => format!(
                    "nothing was changed: the kernel refused change {} of {total}, and \
                     the {n} change(s) it had applied were undone",
                    failed + 1
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
    command_line(request).trim_end().to_string()
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

/// A table as `ipvsadm -R` lines, on standard error: its timeouts and
/// daemons, then its services.
fn write_table(streams: &mut Streams<'_>, table: &Table) {
    let settings = table
        .timeouts()
        .map(Request::SetTimeouts)
        .into_iter()
        .chain(
            table
                .daemons()
                .unwrap_or_default()
                .iter()
                .map(|d| Request::StartDaemon(d.clone())),
        );
    for request in settings {
        let _ = streams.err.write_all(command_line(&request).as_bytes());
    }
    for entry in table.services() {
        let service = entry.service();
        let lines = std::iter::once(Request::AddService(service.clone())).chain(
            entry
                .destinations()
                .map(|d| Request::AddDestination(service.key, *d)),
        );
        for request in lines {
            let _ = streams.err.write_all(command_line(&request).as_bytes());
        }
    }
}

#[cfg(test)]
mod tests;
