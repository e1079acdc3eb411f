//! Running a command line against the kernel, the way ipvsadm 1.31's `main`
//! and `process_options` do: connect first, then parse, then act, with
//! ipvsadm's messages and exit codes.

use std::fs;
use std::io::{self, Write};
use std::net::IpAddr;
use std::process;
use std::time::Duration;

use crate::drain::{run_drain, Ended, EXIT_INTERRUPTED};
use crate::output::{
    self, ConnectionEntry, ListOptions, ServiceListing, StreamError, CONN_PROC_FILE,
};
use ipvs::model::{ServiceEntry, ServiceKey};
use ipvs::reconcile::{draining, plan, Table};
use ipvs::{Client, Error as ClientError, Request};

use super::command::{Command, ListFormat, ListRequest, ListWhat};
use super::error::CliError;
use super::help;
use super::messages::{self, kernel_failure, Operation};
use super::netns;
use super::parse::{parse_args, program_name, ParseConfig};
use super::restore_input::{RestoreOptions, RestoreReader};
use super::values::SystemResolver;

/// How a run ended: the exit status, after everything was written.
pub type ExitCode = i32;

/// Where a command writes: standard output and standard error.
pub struct Streams<'a> {
    pub out: &'a mut dyn Write,
    pub err: &'a mut dyn Write,
    /// The program name (`argv[0]`) used in help and messages.
    pub program: String,
}

/// A failure that ends the process with a status (its message is already written).
struct Exit(ExitCode);

impl From<io::Error> for Exit {
    /// A write to a closed or broken stream: end quietly with ipvsadm's
    /// listing-failure status.
    fn from(_: io::Error) -> Self {
        Exit(1)
    }
}

type Outcome = Result<ExitCode, Exit>;

/// The last part of a program's path: `/usr/sbin/ipvsadm-save` is
/// `ipvsadm-save` (the name that picks the front end and starts messages).
pub fn base_name(program: &str) -> &str {
    program.rsplit('/').next().unwrap_or(program)
}

/// Runs `ipvsadm` with `argv` (program name first) and returns its exit status.
pub fn run_ipvsadm(argv: &[Vec<u8>], streams: &mut Streams<'_>) -> ExitCode {
    let config = ParseConfig::from_env();
    let taken = netns::take_from_ipvsadm_args(argv, &config);
    let argv = match netns::enter_taken(argv, taken, streams.err) {
        Ok(argv) => argv,
        Err(code) => return code,
    };
    let argv = &*argv;
    let mut client = match connect(streams) {
        Ok(client) => client,
        Err(Exit(code)) => return code,
    };
    let result = if argv.len() <= 1 {
        list(&mut client, &ListRequest::default(), streams)
    } else {
        match parse_args(argv, &config, &SystemResolver) {
            Ok(Command::Restore) => restore_from_stdin(&mut client, argv, &config, streams),
            Ok(command) => execute(&mut client, &command, streams),
            Err(e) => Ok(report_cli_error(&e, streams)),
        }
    };
    finish(result, streams)
}

/// Runs `ipvsadm-save [-n]`: what `ipvsadm -S [-n]` prints. Any other option
/// is an error, as with Debian's script.
pub fn run_save(argv: &[Vec<u8>], streams: &mut Streams<'_>) -> ExitCode {
    let usage = |streams: &mut Streams<'_>| {
        let name = String::from_utf8_lossy(program_name(argv)).into_owned();
        let base = base_name(&name);
        let _ = write!(
            streams.err,
            "{base}: Script to save the IPVS table to stdout.\n   \
             With the -n option, prints out the table in numeric format.\n"
        );
        1
    };
    let argv = match netns::enter_from_script_args(argv, streams.err) {
        Ok(argv) => argv,
        Err(netns::ScriptStop::Exit(code)) => return code,
        Err(netns::ScriptStop::MissingValue) => return usage(streams),
    };
    let mut numeric = false;
    for arg in argv.iter().skip(1) {
        if arg.as_slice() == b"-n" {
            numeric = true;
        } else if arg.first() == Some(&b'-') {
            return usage(streams);
        }
    }
    let mut client = match connect(streams) {
        Ok(client) => client,
        Err(Exit(code)) => return code,
    };
    let result = execute(&mut client, &Command::Save { numeric }, streams);
    finish(result, streams)
}

fn finish(result: Outcome, streams: &mut Streams<'_>) -> ExitCode {
    let code = match result {
        Ok(code) | Err(Exit(code)) => code,
    };
    // A flush failure means stdout was closed: nothing more to say.
    let _ = streams.out.flush();
    let _ = streams.err.flush();
    code
}

/// Opens the kernel connection as ipvsadm does at start-up: when that
/// fails it runs `modprobe ip_vs`, and if that succeeds, tries once more.
fn connect(streams: &mut Streams<'_>) -> Result<Client, Exit> {
    let first = match open_client() {
        Ok(client) => return Ok(client),
        Err(e) => e,
    };
    let error = if modprobe_ipvs() {
        match open_client() {
            Ok(client) => return Ok(client),
            Err(e) => e,
        }
    } else {
        first
    };
    let _ = streams
        .err
        .write_all(messages::init_failure_message(init_errno(&error)).as_bytes());
    Err(Exit(2))
}

/// Opens the kernel connection as ipvsadm does at start-up (running
/// `modprobe ip_vs` and trying again if needed). On failure ipvsadm's
/// message is written to standard error and its exit status returned.
pub fn connect_kernel(streams: &mut Streams<'_>) -> Result<Client, ExitCode> {
    connect(streams).map_err(|Exit(code)| code)
}

/// A socket with the family resolved, checked with `GET_INFO` as libipvs does.
fn open_client() -> Result<Client, ClientError> {
    let mut client = Client::connect()?;
    client.info()?;
    Ok(client)
}

/// The errno ipvsadm reports when start-up fails. Without the netlink
/// family, 1.31 falls back to its socket-option interface, which fails
/// with `ENOPROTOOPT` ("Protocol not available").
fn init_errno(error: &ClientError) -> i32 {
    match error {
        ClientError::FamilyNotFound => libc::ENOPROTOOPT,
        other => other.errno().unwrap_or(libc::EINVAL),
    }
}

/// `/sbin/modprobe -- ip_vs`, as ipvsadm runs it; true when it succeeded.
fn modprobe_ipvs() -> bool {
    process::Command::new("/sbin/modprobe")
        .args(["--", "ip_vs"])
        .stdin(process::Stdio::null())
        .status()
        .map(|status| status.success())
        .unwrap_or(false)
}

fn report_cli_error(error: &CliError, streams: &mut Streams<'_>) -> ExitCode {
    let _ = streams.err.write_all(&error.message);
    error.exit_code()
}

/// Runs one parsed command (not `-R`).
fn execute(client: &mut Client, command: &Command, streams: &mut Streams<'_>) -> Outcome {
    match command {
        Command::List(request) => list(client, request, streams),
        Command::Save { numeric } => {
            let numeric = *numeric;
            let entries = fetch_services(client, streams, false)?;
            let mut block = Vec::new();
            stream_services(client, streams, entries, true, false, |out, listing| {
                block.clear();
                output::push_save_block(&mut block, listing, numeric);
                out.write_all(&block)
            })
        }
        Command::Help => {
            let text = help::help_text(&streams.program);
            streams.out.write_all(text.as_bytes())?;
            Ok(0)
        }
        Command::Version => {
            streams.out.write_all(help::version_text().as_bytes())?;
            Ok(0)
        }
        Command::Restore => Ok(0),
        Command::DrainDestination {
            key,
            addr,
            port,
            timeout,
        } => drain_destination(client, *key, *addr, *port, *timeout, streams),
        change => {
            let Some((request, operation)) = change_request(change) else {
                return Ok(0);
            };
            match client.execute(&request) {
                Ok(()) => Ok(0),
                Err(e) if stopped_without_ack(&request, &e) => Ok(0),
                Err(e) => kernel_error(operation, &e, streams),
            }
        }
    }
}

/// Linux answers `--stop-daemon` with `EINTR` (and no ACK) when the sync
/// thread had not run yet; the daemon is stopped all the same.
fn stopped_without_ack(request: &Request, error: &ClientError) -> bool {
    matches!(request, Request::StopDaemon(_)) && error.errno() == Some(libc::EINTR)
}

/// The kernel request and libipvs operation of a command that changes the table.
pub fn change_request(command: &Command) -> Option<(Request, Operation)> {
    let pair = match command {
        Command::AddService(s) => (Request::AddService(s.clone()), Operation::AddService),
        Command::EditService(s) => (Request::EditService(s.clone()), Operation::EditService),
        Command::DeleteService(k) => (Request::DeleteService(*k), Operation::DeleteService),
        Command::Flush => (Request::Flush, Operation::Flush),
        Command::Zero(k) => (Request::Zero(*k), Operation::ZeroService),
        Command::AddDestination(k, d) => {
            (Request::AddDestination(*k, *d), Operation::AddDestination)
        }
        Command::EditDestination(k, d) => {
            (Request::EditDestination(*k, *d), Operation::EditDestination)
        }
        Command::DeleteDestination(k, a, p) => (
            Request::DeleteDestination(*k, *a, *p),
            Operation::DeleteDestination,
        ),
        Command::SetTimeouts(t) => (Request::SetTimeouts(*t), Operation::SetTimeouts),
        Command::StartDaemon(d) => (Request::StartDaemon(d.clone()), Operation::StartDaemon),
        Command::StopDaemon { state, .. } => (Request::StopDaemon(*state), Operation::StopDaemon),
        Command::List(_)
        | Command::DrainDestination { .. }
        | Command::Restore
        | Command::Save { .. }
        | Command::Help
        | Command::Version => return None,
    };
    Some(pair)
}

/// `-d ... --drain`: the real server goes to weight 0 (its other settings
/// kept), then is deleted once IPVS counts no connection through it, or
/// when `timeout` has passed. A missing service or real server gets
/// `-d`'s own message.
fn drain_destination(
    client: &mut Client,
    key: ServiceKey,
    addr: IpAddr,
    port: u16,
    timeout: Duration,
    streams: &mut Streams<'_>,
) -> Outcome {
    let operation = Operation::DeleteDestination;
    let listing = match client
        .service(&key)
        .and_then(|entry| Ok((entry, client.destinations(&key)?)))
    {
        Ok((entry, destinations)) => ipvs::model::ServiceListing {
            entry,
            destinations,
        },
        Err(e) => return kernel_error(operation, &e, streams),
    };
    if !listing
        .destinations
        .iter()
        .any(|d| d.destination.addr == addr && d.destination.port == port)
    {
        let missing = ClientError::Kernel {
            errno: libc::ENOENT,
        };
        return kernel_error(operation, &missing, streams);
    }
    let live = Table::from_listings([&listing]);
    let mut desired = live.clone();
    if let Err(conflict) = desired.apply(&Request::DeleteDestination(key, addr, port)) {
        writeln!(streams.err, "{conflict}")?;
        return Err(Exit(255));
    }
    let first = draining(&live, &desired).unwrap_or_else(|| desired.clone());
    for request in plan(&live, &first) {
        if let Err(e) = client.execute(&request) {
            return kernel_error(Operation::EditDestination, &e, streams);
        }
    }
    let program = base_name(&streams.program).to_string();
    match run_drain(client, &first, &desired, timeout, &program, streams.err) {
        Ok(Ended::Done) => Ok(0),
        Ok(Ended::Interrupted) => Ok(EXIT_INTERRUPTED),
        Err(e) => kernel_error(operation, &e, streams),
    }
}

/// Writes ipvsadm's message for a failed kernel call and returns the status
/// (`Err` when ipvsadm would exit at once).
fn kernel_error(operation: Operation, error: &ClientError, streams: &mut Streams<'_>) -> Outcome {
    match error.errno() {
        Some(errno) => {
            let failure = kernel_failure(operation, errno);
            streams.err.write_all(failure.stderr.as_bytes())?;
            if failure.exits_now {
                Err(Exit(failure.exit_code))
            } else {
                Ok(failure.exit_code)
            }
        }
        None => {
            // Not an errno (timeout, lost ACK, malformed reply): say what happened.
            writeln!(streams.err, "{error}")?;
            Err(Exit(255))
        }
    }
}

fn list_options(format: &ListFormat) -> ListOptions {
    ListOptions {
        numeric: format.numeric,
        format: output::ListFormat::from_options(
            format.stats,
            format.rate,
            format.thresholds,
            format.persistent_conn,
            format.tun_info,
        ),
        exact: format.exact,
        sort: !format.nosort,
    }
}

fn list(client: &mut Client, request: &ListRequest, streams: &mut Streams<'_>) -> Outcome {
    if request.format.json {
        return list_json(client, request, streams);
    }
    let opts = list_options(&request.format);
    match &request.what {
        ListWhat::All => {
            let info = match client.info() {
                Ok(info) => info,
                Err(e) => return kernel_error(Operation::GetServices, &e, streams),
            };
            // ipvsadm prints the version line before it asks for the services.
            output::write_list_heading(streams.out, &info)?;
            let counters = matches!(
                opts.format,
                output::ListFormat::Stats | output::ListFormat::Rate
            );
            let entries = fetch_services(client, streams, counters)?;
            output::write_list_titles(streams.out, opts.format)?;
            // One buffer for every service's block.
            let mut block = Vec::new();
            return stream_services(
                client,
                streams,
                entries,
                opts.sort,
                counters,
                |out, listing| {
                    block.clear();
                    output::push_list_block(&mut block, listing, &opts);
                    out.write_all(&block)
                },
            );
        }
        ListWhat::Service(key) => {
            let listing = fetch_one(client, key, streams)?;
            output::write_service(streams.out, &listing, &opts)?;
        }
        ListWhat::Connections => list_connections(&opts, streams)?,
        ListWhat::Timeouts => match client.timeouts() {
            Ok(t) => output::write_timeouts(streams.out, &t)?,
            Err(e) => return kernel_error(Operation::GetTimeouts, &e, streams),
        },
        ListWhat::Daemons => match client.daemons() {
            Ok(d) => output::write_daemons(streams.out, &d)?,
            Err(e) => return kernel_error(Operation::GetDaemons, &e, streams),
        },
    }
    Ok(0)
}

/// `-L --json`: the same listings as one JSON document each, with the same
/// kernel calls, messages and exit codes as the text listings.
fn list_json(client: &mut Client, request: &ListRequest, streams: &mut Streams<'_>) -> Outcome {
    let sort = !request.format.nosort;
    match &request.what {
        ListWhat::All | ListWhat::Service(_) => {
            let services = match &request.what {
                ListWhat::Service(key) => vec![fetch_one(client, key, streams)?],
                _ => fetch_all(client, streams)?,
            };
            let info = match client.info() {
                Ok(info) => info,
                Err(e) => return kernel_error(Operation::GetServices, &e, streams),
            };
            output::write_list_json(streams.out, &info, &services, sort)?;
        }
        ListWhat::Connections => {
            let conns = read_connections(streams)?;
            output::write_connections_json(streams.out, &conns)?;
        }
        ListWhat::Timeouts => match client.timeouts() {
            Ok(t) => output::write_timeouts_json(streams.out, &t)?,
            Err(e) => return kernel_error(Operation::GetTimeouts, &e, streams),
        },
        ListWhat::Daemons => match client.daemons() {
            Ok(d) => output::write_daemons_json(streams.out, &d)?,
            Err(e) => return kernel_error(Operation::GetDaemons, &e, streams),
        },
    }
    Ok(0)
}

/// Writes `entries` (services in kernel order) with `each`, in listing order
/// (sorted unless `sort` is off), fetching each one's real servers just
/// before: one service's real servers in memory at a time; their counters
/// only when `counters` is set. A failed fetch is reported as ipvsadm does.
fn stream_services(
    client: &mut Client,
    streams: &mut Streams<'_>,
    entries: Vec<ServiceEntry>,
    sort: bool,
    counters: bool,
    mut each: impl FnMut(&mut dyn Write, &ServiceListing) -> io::Result<()>,
) -> Outcome {
    let out = &mut *streams.out;
    let streamed = output::for_each_listing(
        entries,
        sort,
        |entry| {
            if counters {
                client.destinations(&entry.service.key)
            } else {
                client.destinations_without_counters(&entry.service.key)
            }
        },
        |listing| each(out, listing),
    );
    match streamed {
        Ok(()) => Ok(0),
        Err(StreamError::Fetch(e)) => kernel_error(Operation::GetDestinations, &e, streams),
        Err(StreamError::Write(e)) => Err(e.into()),
    }
}

/// The services, in kernel order; their counters only when `counters` is set.
fn fetch_services(
    client: &mut Client,
    streams: &mut Streams<'_>,
    counters: bool,
) -> Result<Vec<ServiceEntry>, Exit> {
    let services = if counters {
        client.services()
    } else {
        client.services_without_counters()
    };
    services.or_else(|e| {
        kernel_error(Operation::GetServices, &e, streams)?;
        Err(Exit(1))
    })
}

/// Every service with its real servers, in kernel order.
fn fetch_all(client: &mut Client, streams: &mut Streams<'_>) -> Result<Vec<ServiceListing>, Exit> {
    let entries = fetch_services(client, streams, true)?;
    let mut listings = Vec::with_capacity(entries.len());
    for entry in entries {
        let destinations = match client.destinations(&entry.service.key) {
            Ok(d) => d,
            Err(e) => {
                return kernel_error(Operation::GetDestinations, &e, streams).map(|_| Vec::new())
            }
        };
        listings.push(ServiceListing {
            entry,
            destinations,
        });
    }
    Ok(listings)
}

fn fetch_one(
    client: &mut Client,
    key: &ServiceKey,
    streams: &mut Streams<'_>,
) -> Result<ServiceListing, Exit> {
    let entry = match client.service(key) {
        Ok(entry) => entry,
        Err(e) => {
            kernel_error(Operation::GetService, &e, streams)?;
            return Err(Exit(1));
        }
    };
    let destinations = match client.destinations(key) {
        Ok(d) => d,
        Err(e) => {
            kernel_error(Operation::GetDestinations, &e, streams)?;
            return Err(Exit(1));
        }
    };
    Ok(ServiceListing {
        entry,
        destinations,
    })
}

fn list_connections(opts: &ListOptions, streams: &mut Streams<'_>) -> Result<(), Exit> {
    let conns = read_connections(streams)?;
    output::write_connections(streams.out, &conns, opts)?;
    Ok(())
}

/// The kernel's connection table, with ipvsadm's messages when it cannot be read.
fn read_connections(streams: &mut Streams<'_>) -> Result<Vec<ConnectionEntry>, Exit> {
    let text = match fs::read(CONN_PROC_FILE) {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(_) => {
            writeln!(streams.err, "cannot open file {CONN_PROC_FILE}")?;
            return Err(Exit(1));
        }
    };
    match output::parse_connections(&text) {
        Ok(conns) => Ok(conns),
        Err(_) => {
            writeln!(streams.err, "unexpected input from {CONN_PROC_FILE}")?;
            Err(Exit(1))
        }
    }
}

/// `-R`: reads every line from standard input and checks all of them before
/// the kernel is touched; then applies them in order, in batches, reporting
/// kernel errors per line as ipvsadm does. The status is the last line's.
///
/// Lines are parsed as they are read, straight into the requests to send,
/// so a large restore holds each rule once.
fn restore_from_stdin(
    client: &mut Client,
    argv: &[Vec<u8>],
    config: &ParseConfig,
    streams: &mut Streams<'_>,
) -> Outcome {
    let stdin = io::stdin();
    let options = RestoreOptions {
        allow_comments: true,
    };
    let mut steps: Vec<RestoreStep> = Vec::new();
    // 64 KiB reads: a large restore is read in a tenth of the system calls
    // standard input's own 8 KiB buffer takes.
    let input = io::BufReader::with_capacity(64 * 1024, stdin.lock());
    let mut reader = RestoreReader::new(input, program_name(argv), options);
    while let Some(line) = reader.next_line() {
        let line = match line {
            Ok(line) => line,
            Err(e) => {
                writeln!(streams.err, "ipvsadm: cannot read standard input: {e}")?;
                return Err(Exit(2));
            }
        };
        let command = match line.parse_using(config, &SystemResolver) {
            Ok(command) => command,
            Err(e) => {
                streams.err.write_all(&e.message)?;
                let text: Vec<String> = line
                    .tokens()
                    .map(|a| String::from_utf8_lossy(a).into_owned())
                    .collect();
                writeln!(
                    streams.err,
                    "ipvsadm: restore: line {}: `{}' is not valid; nothing was applied",
                    line.line_number,
                    text.join(" ")
                )?;
                return Err(Exit(2));
            }
        };
        match (change_request(&command), steps.last_mut()) {
            (Some((request, operation)), Some(RestoreStep::Changes(requests, operations))) => {
                requests.push(request);
                operations.push(operation);
            }
            (Some((request, operation)), _) => {
                steps.push(RestoreStep::Changes(vec![request], vec![operation]));
            }
            (None, _) => steps.push(RestoreStep::Other(command)),
        }
    }
    let mut status = 0;
    for step in &steps {
        match step {
            RestoreStep::Changes(requests, operations) => {
                status = apply_batch(client, requests, operations, streams)?;
            }
            RestoreStep::Other(command) => {
                status = execute(client, command, streams)?;
                if matches!(command, Command::Help | Command::Version) {
                    // ipvsadm exits after printing these, ending the restore.
                    return Ok(status);
                }
            }
        }
    }
    Ok(status)
}

/// A part of a `-R` input: a run of changes to send as one batch (each
/// request with the libipvs operation its errors are reported as), or
/// another command (a listing, say) run between them.
enum RestoreStep {
    Changes(Vec<Request>, Vec<Operation>),
    Other(Command),
}

/// Sends a run of changes as one batch and reports each failure as ipvsadm
/// reports a failing line; returns the last request's status.
fn apply_batch(
    client: &mut Client,
    requests: &[Request],
    operations: &[Operation],
    streams: &mut Streams<'_>,
) -> Outcome {
    let failures = match client.execute_batch_failures(requests) {
        Ok(failures) => failures,
        Err(e) => {
            writeln!(streams.err, "ipvsadm: {e}")?;
            return Err(Exit(255));
        }
    };
    // The status is the last request's: 0 unless it is among the failures.
    let last = requests.len().checked_sub(1);
    let mut status = 0;
    for (index, error) in failures {
        let code = if stopped_without_ack(&requests[index], &error) {
            0
        } else {
            kernel_error(operations[index], &error, streams)?
        };
        status = if Some(index) == last { code } else { 0 };
    }
    Ok(status)
}
