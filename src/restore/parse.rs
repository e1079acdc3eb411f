//! Rule files: from lines to changes, and from changes to the table,
//! timeouts and sync daemons they describe.
//!
//! A rule file is what `ipvsadm -S` writes: `-A` and `-a` lines, read the way
//! `ipvsadm -R` reads its input (whitespace-separated tokens, `ipvsadm` words
//! dropped, blank lines skipped), with `#` comments allowed. Every other
//! command that changes IPVS is accepted too and means what it means to
//! `ipvsadm -R`: `-E`, `-D`, `-C`, `-e`, `-d`, `--set`, `--start-daemon`,
//! `--stop-daemon` and `-Z`. Listing lines (`-L`, `-S`) are kept apart, to be
//! run once the changes are made; `-h`, `-v` (which end 1.31's `-R` at that
//! line) and `-R` are refused.
//!
//! [`desired_table`] runs the changes, in order, on a starting table (the
//! live one after `-C`, which keeps timeouts and daemons; the live one as it
//! is with `--noflush`) and reports every line the kernel would refuse for a
//! conflict: a service or real server defined twice, one that does not
//! exist, a sync daemon the file starts twice, ... Like 1.31's line-by-line
//! run, a `--start-daemon` of a daemon that ran before the file leaves it
//! running as it was (with a warning if the line asks for another one), and a
//! `--stop-daemon` of a daemon that does not run does nothing. `-Z` lines are
//! collected, to be run once the table is in place.

use std::borrow::Cow;
use std::io::{self, BufRead};
use std::net::IpAddr;
use std::ops::Range;

use rustc_hash::FxHashMap;

use crate::cli::restore_input::{LineTokens, RestoreOptions, RestoreReader};
use crate::cli::{CliErrorKind, Command, ListWhat, NameResolver, ParseConfig};
use ipvs::model::{DaemonState, Destination, ServiceKey, SyncDaemon, Timeouts};
use ipvs::Request;

use ipvs::reconcile::{Conflict, Table};

/// One change read from a rule file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    /// 1-based line number in the file.
    pub line: usize,
    pub request: Request,
}

/// A line that only prints (`-L`, `-S`): run as `ipvsadm` once the changes
/// are made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listing {
    /// 1-based line number in the file.
    pub line: usize,
    /// The argument vector, program name first.
    pub args: Vec<Vec<u8>>,
    /// The one service it lists, which must be in the table then.
    pub service: Option<ServiceKey>,
}

/// A line that cannot be restored, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineError {
    /// 1-based line number in the file.
    pub line: usize,
    pub message: String,
}

/// What a rule file holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RuleFile {
    /// The changes, in file order.
    pub rules: Vec<Rule>,
    /// The listing lines, in file order.
    pub listings: Vec<Listing>,
    /// The lines that are not valid rules, in file order.
    pub errors: Vec<LineError>,
    /// The bytes of every non-blank line (its tokens, comment removed), one
    /// after the other: a file of 100,000 lines is kept in one buffer, made
    /// text only for the few lines a message names.
    texts: Vec<u8>,
    /// Where each line's text is in `texts`, by line number (ascending).
    spans: Vec<(usize, Range<usize>)>,
}

impl RuleFile {
    /// The tokens of line `line`, space-separated (empty if it has none).
    pub fn text(&self, line: usize) -> Cow<'_, str> {
        match self
            .spans
            .binary_search_by_key(&line, |(number, _)| *number)
        {
            Ok(i) => String::from_utf8_lossy(&self.texts[self.spans[i].1.clone()]),
            Err(_) => Cow::Borrowed(""),
        }
    }

    /// Records the text of `line`: its tokens (after the program name),
    /// space-separated.
    fn keep_text(&mut self, line: &LineTokens<'_>) {
        let start = self.texts.len();
        line.join_into(&mut self.texts);
        self.spans.push((line.line_number, start..self.texts.len()));
    }
}

/// Reads and parses every line of a rule file. Name resolution goes
/// through `resolver`; `config` carries popt's environment settings.
pub fn read_rules(
    input: impl BufRead,
    config: &ParseConfig,
    resolver: &dyn NameResolver,
) -> io::Result<RuleFile> {
    let options = RestoreOptions {
        allow_comments: true,
    };
    let mut file = RuleFile::default();
    let mut reader = RestoreReader::new(input, b"ipvsadm", options);
    // Each line's tokens are read where the input buffer holds them.
    while let Some(line) = reader.next_line() {
        let line = line?;
        file.keep_text(&line);
        match parse_rule(&line, config, resolver) {
            Ok(Parsed::Change(request)) => file.rules.push(Rule {
                line: line.line_number,
                request,
            }),
            Ok(Parsed::Listing(service)) => file.listings.push(Listing {
                line: line.line_number,
                args: line.to_line().args,
                service,
            }),
            Err(message) => file.errors.push(LineError {
                line: line.line_number,
                message,
            }),
        }
    }
    // Kept while the live table is read beside them: without the room they
    // grew by (up to half of a large file's).
    file.rules.shrink_to_fit();
    file.texts.shrink_to_fit();
    file.spans.shrink_to_fit();
    Ok(file)
}

/// What a valid line is.
enum Parsed {
    Change(Request),
    /// A listing, of one service or not.
    Listing(Option<ServiceKey>),
}

/// One line as a change or a listing, or why it is neither.
fn parse_rule(
    line: &LineTokens<'_>,
    config: &ParseConfig,
    resolver: &dyn NameResolver,
) -> Result<Parsed, String> {
    let command = line.parse_using(config, resolver).map_err(|e| {
        if e.kind == CliErrorKind::Usage {
            if matches!(line.tokens().next(), Some(b"-R" | b"--restore")) {
                return "-R cannot be used in a rule file".to_string();
            }
            "a rule must start with a command: -A, -E, -D, -C, -a, -e, -d, -Z, --set, \
             --start-daemon, --stop-daemon, -L or -S"
                .to_string()
        } else {
            String::from_utf8_lossy(&e.message).trim_end().to_string()
        }
    })?;
    let request = match command {
        Command::AddService(s) => Request::AddService(s),
        Command::EditService(s) => Request::EditService(s),
        Command::DeleteService(k) => Request::DeleteService(k),
        Command::Flush => Request::Flush,
        Command::AddDestination(k, d) => Request::AddDestination(k, check_thresholds(d)?),
        Command::EditDestination(k, d) => Request::EditDestination(k, check_thresholds(d)?),
        Command::DeleteDestination(k, a, p) => Request::DeleteDestination(k, a, p),
        Command::DrainDestination { .. } => {
            return Err(
                "--drain cannot be used in a rule file: run ipvsadm-restore --drain".to_string(),
            )
        }
        Command::Zero(k) => Request::Zero(k),
        Command::SetTimeouts(t) => Request::SetTimeouts(t),
        Command::StartDaemon(d) => Request::StartDaemon(d),
        Command::StopDaemon { state, .. } => Request::StopDaemon(state),
        Command::List(list) => {
            let service = match list.what {
                ListWhat::Service(key) => Some(key),
                _ => None,
            };
            return Ok(Parsed::Listing(service));
        }
        Command::Save { .. } => return Ok(Parsed::Listing(None)),
        Command::Help => return Err(ends_the_run("-h")),
        Command::Version => return Err(ends_the_run("-v")),
        Command::Restore => return Err("-R cannot be used in a rule file".to_string()),
    };
    Ok(Parsed::Change(request))
}

/// Why `-h` and `-v` are refused: in 1.31's `-R` they print and end the run
/// right there, leaving the rest of the file undone.
fn ends_the_run(option: &str) -> String {
    format!(
        "{option} ends ipvsadm -R at this line and cannot be restored; a rule file holds \
         -A, -E, -D, -C, -a, -e, -d, -Z, --set, --start-daemon, --stop-daemon, -L and -S lines"
    )
}

/// The listing lines of one service that is not in `table`, the table the
/// changes end with (unless `base` leaves the live table unknown).
pub fn check_listings(listings: &[Listing], table: &Table, base: Base<'_>) -> Vec<LineError> {
    if matches!(base, Base::Unknown) {
        return Vec::new();
    }
    listings
        .iter()
        .filter_map(|listing| {
            let key = listing.service?;
            table.service(&key).is_none().then(|| LineError {
                line: listing.line,
                message: format!(
                    "no such service: {key} (listings run once the table is in place)"
                ),
            })
        })
        .collect()
}

/// The kernel refuses a real server whose lower threshold is above its upper
/// one (`ERANGE`, even when the upper one is 0, "no limit").
fn check_thresholds(dest: Destination) -> Result<Destination, String> {
    let c = &dest.config;
    if c.lower_threshold > c.upper_threshold {
        return Err(format!(
            "the lower threshold (-y {}) is above the upper threshold (-x {}); \
             the kernel refuses that",
            c.lower_threshold, c.upper_threshold
        ));
    }
    Ok(dest)
}

/// Which line of the rule file last decided each service, real server,
/// the timeouts and each sync daemon.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Origins {
    services: FxHashMap<ServiceKey, usize>,
    destinations: FxHashMap<(ServiceKey, IpAddr, u16), usize>,
    timeouts: Option<usize>,
    daemons: FxHashMap<DaemonState, usize>,
}

impl Origins {
    /// The line that last added, edited or removed the service.
    pub fn service(&self, key: &ServiceKey) -> Option<usize> {
        self.services.get(key).copied()
    }

    /// The line that last added, edited or removed the real server (a
    /// `-D` or `-C` removes the real servers of what it removes).
    pub fn destination(&self, key: &ServiceKey, addr: IpAddr, port: u16) -> Option<usize> {
        self.destinations.get(&(*key, addr, port)).copied()
    }

    /// The line that last started or stopped the sync daemon in `state`.
    pub fn daemon(&self, state: DaemonState) -> Option<usize> {
        self.daemons.get(&state).copied()
    }

    /// The line a change of a plan comes from: the one that last decided
    /// what it changes (`None` when it removes something the file does not
    /// mention).
    pub fn line_of(&self, request: &Request) -> Option<usize> {
        match request {
            Request::AddService(s) | Request::EditService(s) => self.service(&s.key),
            Request::DeleteService(key) => self.service(key),
            Request::AddDestination(key, d) | Request::EditDestination(key, d) => {
                self.destination(key, d.addr, d.port)
            }
            Request::DeleteDestination(key, addr, port) => self.destination(key, *addr, *port),
            Request::SetTimeouts(_) => self.timeouts,
            Request::StartDaemon(d) => self.daemon(d.state),
            Request::StopDaemon(state) => self.daemon(*state),
            Request::Flush | Request::Zero(_) => None,
        }
    }

    fn record(&mut self, table: &Table, request: &Request, line: usize) {
        match request {
            Request::AddService(s) | Request::EditService(s) => {
                self.services.insert(s.key, line);
            }
            Request::DeleteService(key) => self.record_service_removal(table, key, line),
            Request::Flush => {
                let keys: Vec<ServiceKey> = table.services().map(|s| s.service().key).collect();
                for key in keys {
                    self.record_service_removal(table, &key, line);
                }
            }
            Request::AddDestination(key, d) | Request::EditDestination(key, d) => {
                self.destinations.insert((*key, d.addr, d.port), line);
            }
            Request::DeleteDestination(key, addr, port) => {
                self.destinations.insert((*key, *addr, *port), line);
            }
            Request::SetTimeouts(_) => self.timeouts = Some(line),
            Request::StartDaemon(d) => {
                self.daemons.insert(d.state, line);
            }
            Request::StopDaemon(state) => {
                self.daemons.insert(*state, line);
            }
            Request::Zero(_) => {}
        }
    }

    fn record_service_removal(&mut self, table: &Table, key: &ServiceKey, line: usize) {
        self.services.insert(*key, line);
        if let Some(entry) = table.service(key) {
            for d in entry.destinations() {
                self.destinations.insert((*key, d.addr, d.port), line);
            }
        }
    }
}

/// The table the rules start from. A live table holds its timeouts and
/// sync daemons.
#[derive(Debug, Clone, Copy)]
pub enum Base<'a> {
    /// Nothing, not read (`--test`): no services, and no daemons known to run.
    Empty,
    /// The live table after `-C`: no services; its timeouts and daemons,
    /// which `-C` keeps.
    Flushed(&'a Table),
    /// The live table (`--noflush`).
    Live(&'a Table),
    /// The live table, not read (`--noflush --test`): references to
    /// services and real servers the file did not define are not checked.
    Unknown,
}

/// What the rules describe, where each part of it came from, and what they
/// ask for besides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Desired {
    /// The table, with its timeouts and sync daemons.
    pub table: Table,
    pub origins: Origins,
    /// The `-Z` lines, in file order: line and service (`None`: all).
    pub zeros: Vec<(usize, Option<ServiceKey>)>,
    /// Lines that take no effect, as 1.31's `-R` would leave them, and why.
    pub warnings: Vec<LineError>,
}

impl Desired {
    /// What the same rules describe over the live table after `-C`, from
    /// what they describe over an empty table (`self`, from [`Base::Empty`]).
    /// A flush leaves no services either way, so only the timeouts and sync
    /// daemons, which it keeps, are run again, from the live ones: the file's
    /// services and real servers are not checked twice.
    pub fn over_flushed(mut self, live: &Table, rules: &[Rule]) -> (Desired, Vec<LineError>) {
        let settings_rules = rules.iter().filter(|rule| {
            matches!(
                rule.request,
                Request::SetTimeouts(_) | Request::StartDaemon(_) | Request::StopDaemon(_)
            )
        });
        let (settings, errors) = desired_table(Base::Flushed(live), settings_rules);
        if let Some(timeouts) = settings.table.timeouts() {
            self.table = self.table.with_timeouts(timeouts);
        }
        if let Some(daemons) = settings.table.daemons() {
            self.table = self.table.with_daemons(daemons.to_vec());
        }
        self.origins.timeouts = settings.origins.timeouts;
        self.origins.daemons = settings.origins.daemons;
        // Only a daemon that ran before the file gives a warning.
        self.warnings = settings.warnings;
        (self, errors)
    }
}

/// Runs `rules` in order on `base`. Lines that conflict with the table as it
/// stands at that point are reported (in order) and left out.
pub fn desired_table<'r>(
    base: Base<'_>,
    rules: impl IntoIterator<Item = &'r Rule>,
) -> (Desired, Vec<LineError>) {
    let mut table = match base {
        Base::Live(live) => live.clone(),
        // What a flush leaves: no services, the timeouts and daemons.
        Base::Flushed(live) => {
            let mut table = Table::new();
            if let Some(timeouts) = live.timeouts() {
                table = table.with_timeouts(timeouts);
            }
            if let Some(daemons) = live.daemons() {
                table = table.with_daemons(daemons.to_vec());
            }
            table
        }
        // Timeouts of 0: a `--set` makes them what it sets, the rest "any".
        Base::Empty | Base::Unknown => Table::new()
            .with_timeouts(Timeouts::default())
            .with_daemons(Vec::new()),
    };
    // Whether the whole table is known: not so with an unknown base, until a flush.
    let mut known = !matches!(base, Base::Unknown);
    let rules = rules.into_iter();
    let mut origins = Origins::default();
    // Most rules are real servers: one entry each, without growing the map.
    origins.destinations.reserve(rules.size_hint().0);
    let mut errors = Vec::new();
    let mut zeros = Vec::new();
    let mut warnings = Vec::new();
    for rule in rules {
        // A removal is recorded before it runs, while what it removes is still there.
        let removal = match &rule.request {
            Request::Flush => true,
            Request::DeleteService(key) => table.service(key).is_some(),
            _ => false,
        };
        if removal {
            origins.record(&table, &rule.request, rule.line);
        }
        match table.apply(&rule.request) {
            Ok(_) => {
                if rule.request == Request::Flush {
                    known = true;
                }
                if !removal {
                    origins.record(&table, &rule.request, rule.line);
                }
                if let Request::Zero(key) = rule.request {
                    zeros.push((rule.line, key));
                }
            }
            // 1.31's start fails and the daemon that ran before the file
            // keeps running: so here.
            Err(Conflict::DaemonRunning(state)) if origins.daemon(state).is_none() => {
                if let Some(warning) = kept_daemon(&table, &rule.request, state) {
                    warnings.push(LineError {
                        line: rule.line,
                        message: warning,
                    });
                }
            }
            // Stopping a daemon that does not run changes nothing.
            Err(Conflict::NoSuchDaemon(_)) => {}
            Err(conflict) => {
                let unknown_reference = matches!(
                    conflict,
                    Conflict::NoSuchService(_) | Conflict::NoSuchDestination(..)
                );
                if known || !unknown_reference {
                    errors.push(LineError {
                        line: rule.line,
                        message: conflict_message(&conflict, &origins, base),
                    });
                }
            }
        }
    }
    let desired = Desired {
        table,
        origins,
        zeros,
        warnings,
    };
    (desired, errors)
}

/// The warning for a `--start-daemon` line that leaves the running daemon in
/// `state` as it is: `None` if that one runs as the line asks.
fn kept_daemon(table: &Table, request: &Request, state: DaemonState) -> Option<String> {
    let Request::StartDaemon(wanted) = request else {
        return None;
    };
    let running = table.daemons()?.iter().find(|d| d.state == state)?;
    let mut alike = table.clone();
    let _ = alike.apply(&Request::StopDaemon(state));
    let _ = alike.apply(&Request::StartDaemon(wanted.clone()));
    if alike.same_as(table) {
        return None;
    }
    Some(format!(
        "the {} sync daemon already runs ({}); it is left running as it is, as \
         ipvsadm -R leaves it (stop it in an earlier line to restart it)",
        state.name(),
        daemon_summary(running)
    ))
}

/// `mcast=dummy0, syncid=4`, as `--daemon` lists them.
fn daemon_summary(d: &SyncDaemon) -> String {
    format!("mcast={}, syncid={}", d.mcast_ifn, d.syncid)
}

/// A conflict, with where the existing service or real server came from.
fn conflict_message(conflict: &Conflict, origins: &Origins, base: Base<'_>) -> String {
    let defined_at = match conflict {
        Conflict::ServiceExists(key) => origins.service(key),
        Conflict::DestinationExists(key, addr, port) => origins.destination(key, *addr, *port),
        Conflict::DaemonRunning(state) => origins.daemon(*state),
        _ => None,
    };
    match (conflict, defined_at) {
        (Conflict::DaemonRunning(_), Some(line)) => format!("{conflict} (started at line {line})"),
        (Conflict::ServiceExists(_) | Conflict::DestinationExists(..), Some(line)) => {
            format!("{conflict} (defined at line {line})")
        }
        (Conflict::ServiceExists(_) | Conflict::DestinationExists(..), None)
            if matches!(base, Base::Live(_)) =>
        {
            format!("{conflict} in the live table")
        }
        _ => conflict.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::values::tests::FixedResolver;
    use crate::restore::test_support::{dest, fwmark, service, table, tcp};
    use ipvs::model::{AddressFamily, ForwardMethod, ServiceFlags};

    fn read(text: &str) -> RuleFile {
        read_rules(text.as_bytes(), &ParseConfig::default(), &FixedResolver).unwrap()
    }

    fn errors(file: &RuleFile) -> Vec<(usize, String)> {
        file.errors
            .iter()
            .map(|e| (e.line, e.message.clone()))
            .collect()
    }

    #[test]
    fn save_output_reads_back() {
        let file = read(
            "# ipvsadm-save of lb1\n\
             -A -t 10.0.0.1:80 -s rr -p 300 -M 255.255.255.0\n\
             -a -t 10.0.0.1:80 -r 10.0.0.2:80 -g -w 1\n\
             \n\
             ipvsadm -a -t 10.0.0.1:80 -r 10.0.0.3:8080 -m -w 2 # second\n\
             -A -f 5 -6 -s wlc\n",
        );
        assert_eq!(errors(&file), vec![]);
        let lines: Vec<usize> = file.rules.iter().map(|r| r.line).collect();
        assert_eq!(lines, vec![2, 3, 5, 6]);
        assert_eq!(file.text(5), "-a -t 10.0.0.1:80 -r 10.0.0.3:8080 -m -w 2");
        assert_eq!(file.text(1), "");
        let Request::AddService(web) = &file.rules[0].request else {
            panic!("{:?}", file.rules[0]);
        };
        assert_eq!(web.config.timeout, 300);
        assert_eq!(
            web.config.netmask,
            ipvs::model::Netmask::Ipv4([255, 255, 255, 0].into())
        );
        assert_eq!(
            file.rules[3].request,
            Request::AddService(service(fwmark(5, AddressFamily::Inet6), "wlc"))
        );
    }

    #[test]
    fn every_bad_line_is_reported() {
        let file = read(
            "-A -t 10.0.0.1:80 -s rr\n\
             -a -t 10.0.0.1:80 -r 10.0.0.2 -w x\n\
             -t 10.0.0.1:80\n\
             -R\n\
             --set 10 10 10\n\
             -a -t 10.0.0.1:80 -r 10.0.0.3 -y 5\n\
             -Z\n\
             -v\n\
             -a -t 10.0.0.1:80 -r 10.0.0.4 --bogus\n\
             -a -t 10.0.0.1:80 -r 10.0.0.5 -x 10 -y 5\n",
        );
        let e = errors(&file);
        assert_eq!(
            e.iter().map(|(l, _)| *l).collect::<Vec<_>>(),
            vec![2, 3, 4, 6, 8, 9]
        );
        assert_eq!(e[0].1, "illegal weight specified");
        assert!(e[1].1.starts_with("a rule must start with a command"));
        assert_eq!(e[2].1, "-R cannot be used in a rule file");
        assert_eq!(
            e[3].1,
            "the lower threshold (-y 5) is above the upper threshold (-x 0); the kernel refuses that"
        );
        assert!(e[4].1.starts_with("-v ends ipvsadm -R"));
        assert_eq!(e[5].1, "--bogus: unknown option");
        // --set and -Z are restored.
        assert_eq!(file.rules.len(), 4);
    }

    fn rules(requests: &[(usize, Request)]) -> Vec<Rule> {
        requests
            .iter()
            .map(|(line, request)| Rule {
                line: *line,
                request: request.clone(),
            })
            .collect()
    }

    #[test]
    fn duplicates_and_dangling_references_are_errors() {
        let web = tcp("10.0.0.1", 80);
        let other = tcp("10.0.0.9", 80);
        let d = dest("10.0.0.2", 80, ForwardMethod::Route, 1);
        let file = rules(&[
            (1, Request::AddService(service(web, "rr"))),
            (2, Request::AddDestination(web, d)),
            (3, Request::AddService(service(web, "wlc"))),
            (4, Request::AddDestination(web, d)),
            (5, Request::AddDestination(other, d)),
            (
                6,
                Request::EditDestination(web, dest("10.0.0.3", 80, ForwardMethod::Route, 1)),
            ),
            (7, Request::DeleteService(other)),
        ]);
        let (desired, errs) = desired_table(Base::Empty, &file);
        let messages: Vec<(usize, String)> =
            errs.iter().map(|e| (e.line, e.message.clone())).collect();
        assert_eq!(
            messages,
            vec![
                (
                    3,
                    "service -t 10.0.0.1:80 already exists (defined at line 1)".to_string()
                ),
                (
                    4,
                    "real server 10.0.0.2:80 of service -t 10.0.0.1:80 already exists \
                     (defined at line 2)"
                        .to_string()
                ),
                (5, "no such service: -t 10.0.0.9:80".to_string()),
                (
                    6,
                    "no such real server: 10.0.0.3:80 of service -t 10.0.0.1:80".to_string()
                ),
                (7, "no such service: -t 10.0.0.9:80".to_string()),
            ]
        );
        assert_eq!(desired.table.rule_count(), 2);
        assert_eq!(desired.origins.service(&web), Some(1));

        // With the live table unknown, only conflicts within the file count.
        let (_, errs) = desired_table(Base::Unknown, &file);
        let lines: Vec<usize> = errs.iter().map(|e| e.line).collect();
        assert_eq!(lines, vec![3, 4]);
    }

    #[test]
    fn unknown_base_is_known_after_a_flush() {
        let other = tcp("10.0.0.9", 80);
        let file = rules(&[
            (1, Request::DeleteService(other)),
            (2, Request::Flush),
            (3, Request::DeleteService(other)),
        ]);
        let (_, errs) = desired_table(Base::Unknown, &file);
        assert_eq!(errs.iter().map(|e| e.line).collect::<Vec<_>>(), vec![3]);
    }

    #[test]
    fn rules_run_on_the_live_table_with_noflush() {
        let web = tcp("10.0.0.1", 80);
        let live = table(&[
            Request::AddService(service(web, "rr")),
            Request::AddDestination(web, dest("10.0.0.2", 80, ForwardMethod::Route, 1)),
        ]);
        let mut persistent = service(web, "rr");
        persistent.config.flags = ServiceFlags::PERSISTENT;
        persistent.config.timeout = 60;
        let file = rules(&[
            (1, Request::AddService(service(web, "wlc"))),
            (2, Request::EditService(persistent.clone())),
            (
                3,
                Request::EditDestination(web, dest("10.0.0.2", 80, ForwardMethod::Route, 4)),
            ),
            (
                4,
                Request::AddDestination(web, dest("10.0.0.2", 80, ForwardMethod::Route, 4)),
            ),
        ]);
        let (desired, errs) = desired_table(Base::Live(&live), &file);
        let messages: Vec<(usize, String)> =
            errs.iter().map(|e| (e.line, e.message.clone())).collect();
        assert_eq!(
            messages,
            vec![
                (
                    1,
                    "service -t 10.0.0.1:80 already exists in the live table".to_string()
                ),
                (
                    4,
                    "real server 10.0.0.2:80 of service -t 10.0.0.1:80 already exists \
                     (defined at line 3)"
                        .to_string()
                ),
            ]
        );
        let want = table(&[
            Request::AddService(persistent),
            Request::AddDestination(web, dest("10.0.0.2", 80, ForwardMethod::Route, 4)),
        ]);
        assert_eq!(desired.table, want);
        assert_eq!(desired.origins.service(&web), Some(2));
        assert_eq!(
            desired
                .origins
                .destination(&web, "10.0.0.2".parse().unwrap(), 80),
            Some(3)
        );
    }

    #[test]
    fn removals_record_their_line() {
        let web = tcp("10.0.0.1", 80);
        let api = tcp("10.0.0.1", 443);
        let live = table(&[
            Request::AddService(service(web, "rr")),
            Request::AddDestination(web, dest("10.0.0.2", 80, ForwardMethod::Route, 1)),
            Request::AddService(service(api, "rr")),
        ]);
        let file = rules(&[(7, Request::DeleteService(web)), (9, Request::Flush)]);
        let (desired, errs) = desired_table(Base::Live(&live), &file);
        assert!(errs.is_empty());
        assert_eq!(desired.table.services().count(), 0);
        assert_eq!(desired.origins.service(&web), Some(7));
        assert_eq!(
            desired
                .origins
                .destination(&web, "10.0.0.2".parse().unwrap(), 80),
            Some(7)
        );
        assert_eq!(desired.origins.service(&api), Some(9));
    }
}
