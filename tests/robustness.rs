//! Robustness: no input may make a parser or decoder panic.
//!
//! Three parts:
//! - Fuzz-style property tests over random and mutated inputs for the
//!   command-line parser, the restore readers, the netlink decoders and the
//!   `/proc/net/ip_vs_conn` parser; what they accept is also rendered (text,
//!   JSON, `-S` read back), and so are random listings of any model values.
//! - Huge inputs, handled without a panic and quickly.
//! - The malformed corpus in `tests/malformed/`: every command line there
//!   must be rejected with ipvsadm 1.31's exit code, every restore file must
//!   have a rejected line. `tests/scenarios/180-malformed-corpus.scn` replays
//!   part of it against the reference in the kernel test bed.
//!
//! The command-line, restore, connection-table and listing properties draw
//! their inputs from proptest strategies (deterministic: the same inputs on
//! every run; a failure is shrunk to a minimal input). The netlink
//! properties still use a small seeded generator. Knobs, all optional:
//! - `PROPTEST_CASES`: inputs per property (defaults per property, 1024 to
//!   20000);
//! - `ROBUSTNESS_SECONDS`: time budget of the seeded properties (default 8);
//! - `ROBUSTNESS_SEED`: another seed for them, to explore further.
//!
//! Every run prints how many inputs each property tried (`--nocapture`).
//!
//! Names are resolved by a fixed table ([`FixedResolver`]): random host
//! names must never reach the system resolver (that would send DNS queries
//! off the machine).

mod json_text;

use std::cell::Cell;
use std::io::Cursor;
use std::net::{IpAddr, Ipv4Addr};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use ipvs::model::{
    AddressFamily, DaemonState, Destination, DestinationConfig, ForwardMethod, KernelInfo, Netmask,
    Protocol, Service, ServiceConfig, ServiceFlags, ServiceKey, Stats, SyncDaemon, Timeouts,
    TunnelType,
};
use ipvsadm::cli::restore_input::{read_restore_lines, RestoreOptions};
use ipvsadm::cli::{parse_args, CliError, NameResolver, ParseConfig};
use ipvsadm::output::{
    parse_connections, write_connections_json, write_connections_with, write_daemons,
    write_daemons_json, write_list_json, write_list_with, write_save_with, write_timeouts,
    write_timeouts_json, ListFormat, ListOptions, Names, ServiceListing,
};
use ipvsadm::restore::parse::{desired_table, read_rules, Base};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::{select, Index};
use proptest::test_runner::{Config as ProptestConfig, RngAlgorithm, TestRng, TestRunner};

// ---------------------------------------------------------------------------
// Harness

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Host and service names from a fixed table; nothing else resolves.
struct FixedResolver;

impl NameResolver for FixedResolver {
    fn host_to_ipv4(&self, name: &str) -> Option<Ipv4Addr> {
        match name {
            "localhost" => Some(Ipv4Addr::LOCALHOST),
            "web.example.invalid" => Some(Ipv4Addr::new(192, 0, 2, 80)),
            _ => None,
        }
    }

    fn service_to_port(&self, name: &str, protocol: Protocol) -> Option<u16> {
        match (name, protocol) {
            ("http", _) => Some(80),
            ("domain", _) => Some(53),
            ("sip", Protocol::Udp) => Some(5060),
            _ => None,
        }
    }
}

/// Names for rendering: some addresses get a (long) name, ports never.
struct FixedNames;

impl Names for FixedNames {
    fn host_name(&self, addr: &IpAddr) -> Option<String> {
        match addr {
            IpAddr::V4(a) if a.octets()[3] == 1 => Some("x".repeat(300)),
            IpAddr::V6(a) if a.is_loopback() => Some("ip6-localhost".into()),
            _ => None,
        }
    }

    fn service_name(&self, port: u16, _protocol: Protocol) -> Option<String> {
        (port == 80).then(|| "http".into())
    }
}

fn argv(args: &[&[u8]]) -> Vec<Vec<u8>> {
    std::iter::once(&b"ipvsadm"[..])
        .chain(args.iter().copied())
        .map(<[u8]>::to_vec)
        .collect()
}

fn parse(args: &[Vec<u8>], posix: bool) -> Result<ipvsadm::cli::Command, CliError> {
    let config = ParseConfig {
        posixly_correct: posix,
    };
    parse_args(args, &config, &FixedResolver)
}

/// Every rejection must carry one of ipvsadm's two failure statuses.
/// True if the line parsed (in either popt mode).
fn check_parse(args: &[Vec<u8>]) -> bool {
    let mut accepted = false;
    for posix in [false, true] {
        match parse(args, posix) {
            Ok(_) => accepted = true,
            Err(e) => {
                let code = e.exit_code();
                assert!(code == 2 || code == 255, "exit code {code}");
                assert!(!e.message.is_empty());
                let _ = e.message_lossy();
                let _ = e.to_string();
            }
        }
    }
    accepted
}

// ---------------------------------------------------------------------------
// Command line

/// Every option ipvsadm 1.31 knows, short and long, plus look-alikes.
const OPTION_TOKENS: &[&str] = &[
    "-A",
    "-E",
    "-D",
    "-C",
    "-R",
    "-S",
    "-a",
    "-e",
    "-d",
    "-L",
    "-l",
    "-Z",
    "-h",
    "-v",
    "--add-service",
    "--edit-service",
    "--delete-service",
    "--clear",
    "--restore",
    "--save",
    "--add-server",
    "--edit-server",
    "--delete-server",
    "--list",
    "--zero",
    "--set",
    "--help",
    "--version",
    "--start-daemon",
    "--stop-daemon",
    "-t",
    "-u",
    "--sctp-service",
    "-f",
    "--tcp-service",
    "--udp-service",
    "--fwmark-service",
    "-s",
    "--scheduler",
    "-p",
    "--persistent",
    "-M",
    "--netmask",
    "-b",
    "--sched-flags",
    "-r",
    "--real-server",
    "-g",
    "--gatewaying",
    "-i",
    "--ipip",
    "-m",
    "--masquerading",
    "-w",
    "--weight",
    "-x",
    "--u-threshold",
    "-y",
    "--l-threshold",
    "-c",
    "--connection",
    "--tun-type",
    "--tun-port",
    "--tun-nocsum",
    "--tun-csum",
    "--tun-remcsum",
    "--mcast-interface",
    "--syncid",
    "--sync-maxlen",
    "--mcast-group",
    "--mcast-port",
    "--mcast-ttl",
    "-n",
    "--numeric",
    "--exact",
    "--stats",
    "--rate",
    "--thresholds",
    "--persistent-conn",
    "--nosort",
    "--sort",
    "-o",
    "--ops",
    "--pe",
    "-6",
    "--timeout",
    "--daemon",
    "--tun-info",
    "-Ln",
    "-ln",
    "-Lnc",
    "-lcn",
    "-At",
    "-at",
    "-nL",
    "-Zt",
    "-6f",
    "-",
    "--",
    "---",
    "-X",
    "--bogus",
    "--list=",
    "--weight=",
    "--set=1",
    "-w=5",
    "-s=rr",
    "--add-service=1",
    "-tu",
    "-r=1.2.3.4",
];

/// Values, good and bad, for the options above.
const VALUE_TOKENS: &[&str] = &[
    "10.0.0.1:80",
    "10.0.0.1",
    "10.0.0.2:8080",
    "[::1]:80",
    "::1",
    "[2001:db8::1]:443",
    "[::1]",
    "[::1",
    "::1]:80",
    "localhost:http",
    "localhost",
    "web.example.invalid:domain",
    "nosuch.invalid",
    "10.0.0.1:http",
    "10.0.0.1:sip",
    "1.2.3.4:65535",
    "1.2.3.4:65536",
    "1.2.3.4:-1",
    "1.2.3.4:",
    ":80",
    "0",
    "1",
    "-1",
    "255",
    "256",
    "65535",
    "65536",
    "2147483647",
    "2147483648",
    "4294967295",
    "4294967296",
    "-2147483648",
    "99999999999999999999999",
    "0x10",
    "010",
    "1e3",
    " 5",
    "5 ",
    "+5",
    "2678400",
    "2678401",
    "rr",
    "wrr",
    "wlc",
    "sh",
    "mh",
    "lblc",
    "nosuch",
    "rrrrrrrrrrrrrrrrrrrr",
    "sh-fallback",
    "sh-port",
    "sh-fallback,sh-port",
    "flag-1,flag-2,flag-3",
    "flag-4",
    ",",
    "sip",
    "nosuchpe",
    "master",
    "backup",
    "both",
    "eth0",
    "lo",
    "averyveryverylongifname0",
    "224.0.0.81",
    "ff02::1",
    "10.0.0.1/8",
    "255.255.255.0",
    "255.255.255.255",
    "0.0.0.0",
    "64",
    "128",
    "129",
    "ipip",
    "gue",
    "gre",
    "tcp",
    "udp",
    "",
    " ",
    "=",
    "\t",
    // popt substitutes `!#:+` in a value with the next plain argument.
    "!#:+",
    "a!#:+b",
    "!#:+!#:+",
    "10.0.0.1:!#:+",
];

/// Command lines that ipvsadm 1.31 accepts, to mutate.
const VALID_LINES: &[&str] = &[
    "-A -t 10.0.0.1:80 -s rr",
    "-A -u [2001:db8::1]:53 -s sh -b sh-fallback,sh-port -p 600 -M 64",
    "-A -f 7 -6 -s mh -b flag-1 --pe sip -p",
    "-E -t 10.0.0.1:80 -s wlc -p 300 -M 255.255.255.0",
    "-D --sctp-service 10.0.0.1:9000",
    "-a -t 10.0.0.1:80 -r 10.0.0.2:8080 -m -w 5 -x 100 -y 10",
    "-a -t 10.0.0.1:80 -r 10.0.0.3 -i --tun-type gue --tun-port 6080 --tun-remcsum",
    "-e -f 7 -6 -r [2001:db8::2]:80 -g -w 0",
    "-d -t localhost:http -r 10.0.0.2:8080",
    "-L -n --stats --exact",
    "-L -t 10.0.0.1:80 --rate --nosort",
    "-l -c --persistent-conn",
    "-Z -t 10.0.0.1:80",
    "--set 900 120 300",
    "--start-daemon master --mcast-interface eth1 --syncid 5 --sync-maxlen 1400 \
     --mcast-group 224.0.0.81 --mcast-port 8848 --mcast-ttl 2",
    "--stop-daemon backup --syncid 5",
    "-C",
    "-S -n",
    "-L --timeout",
    "-l --daemon -n",
];

fn split_line(line: &str) -> Vec<Vec<u8>> {
    argv(
        &line
            .split_whitespace()
            .map(str::as_bytes)
            .collect::<Vec<_>>(),
    )
}

/// Runs `check` on `cases` inputs from `strategy` (`PROPTEST_CASES` if
/// set), the same ones on every run. A panic fails the test with the input
/// proptest shrank it to.
///
/// `check` tells whether the input was accepted (parsed, decoded) all the
/// way; with `expect_accepted`, some inputs must be, so that a strategy
/// that only ever reaches the first check is noticed.
fn prop_check<S: Strategy>(
    name: &str,
    cases: u64,
    expect_accepted: bool,
    strategy: S,
    check: impl Fn(&S::Value) -> bool,
) {
    let config = ProptestConfig {
        cases: u32::try_from(env_number("PROPTEST_CASES", cases)).unwrap_or(u32::MAX),
        failure_persistence: None,
        ..ProptestConfig::default()
    };
    let rng = TestRng::deterministic_rng(RngAlgorithm::ChaCha);
    let mut runner = TestRunner::new_with_rng(config, rng);
    let start = Instant::now();
    let tried = Cell::new(0u64);
    let accepted = Cell::new(0u64);
    let result = runner.run(&strategy, |input| {
        tried.set(tried.get() + 1);
        if check(&input) {
            accepted.set(accepted.get() + 1);
        }
        Ok(())
    });
    if let Err(e) = result {
        panic!("{name}: {e}");
    }
    eprintln!(
        "robustness: {name}: {} inputs ({} accepted) in {:.2?}",
        tried.get(),
        accepted.get(),
        start.elapsed()
    );
    assert!(
        !expect_accepted || accepted.get() > 0,
        "{name}: no input was accepted; the strategy is broken"
    );
}

/// An argument: mostly option and value tokens, sometimes bytes.
fn token() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        4 => select(OPTION_TOKENS).prop_map(|t| t.as_bytes().to_vec()),
        3 => select(VALUE_TOKENS).prop_map(|t| t.as_bytes().to_vec()),
        1 => (select(OPTION_TOKENS), select(VALUE_TOKENS))
            .prop_map(|(o, v)| format!("{o}={v}").into_bytes()),
        1 => any::<u64>().prop_map(|n| n.to_string().into_bytes()),
        1 => vec(any::<u8>(), 0..=12),
    ]
}

/// A byte that matters to some parser.
fn special_byte() -> impl Strategy<Value = u8> {
    select(
        &[
            0u8, 0xff, 0x80, b':', b'[', b']', b',', b'=', b'-', b'.', b'9', b' ',
        ][..],
    )
}

/// One change to a byte string.
#[derive(Debug, Clone)]
enum ByteEdit {
    Flip(Index, u8),
    Insert(Index, u8),
    Remove(Index),
    Set(Index, u8),
}

fn byte_edits() -> impl Strategy<Value = Vec<ByteEdit>> {
    let edit = prop_oneof![
        (any::<Index>(), 0..8u8).prop_map(|(i, bit)| ByteEdit::Flip(i, bit)),
        (any::<Index>(), special_byte()).prop_map(|(i, b)| ByteEdit::Insert(i, b)),
        any::<Index>().prop_map(ByteEdit::Remove),
        (any::<Index>(), special_byte()).prop_map(|(i, b)| ByteEdit::Set(i, b)),
    ];
    vec(edit, 1..=4)
}

fn edit_bytes(bytes: &mut Vec<u8>, edits: &[ByteEdit]) {
    for edit in edits {
        let len = bytes.len();
        match *edit {
            ByteEdit::Insert(i, b) => bytes.insert(i.index(len + 1), b),
            _ if len == 0 => bytes.push(0),
            ByteEdit::Flip(i, bit) => bytes[i.index(len)] ^= 1 << bit,
            ByteEdit::Remove(i) => {
                bytes.remove(i.index(len));
            }
            ByteEdit::Set(i, b) => bytes[i.index(len)] = b,
        }
    }
}

/// One change to an argument vector (`args[0]` is kept).
#[derive(Debug, Clone)]
enum ArgEdit {
    Remove(Index),
    Insert(Index, Vec<u8>),
    Duplicate(Index),
    Swap(Index, Index),
    Replace(Index, Vec<u8>),
    Bytes(Index, Vec<ByteEdit>),
    Truncate(Index, Index),
    AppendValue(&'static str),
}

fn arg_edits() -> impl Strategy<Value = Vec<ArgEdit>> {
    let edit = prop_oneof![
        any::<Index>().prop_map(ArgEdit::Remove),
        (any::<Index>(), token()).prop_map(|(i, t)| ArgEdit::Insert(i, t)),
        any::<Index>().prop_map(ArgEdit::Duplicate),
        (any::<Index>(), any::<Index>()).prop_map(|(i, j)| ArgEdit::Swap(i, j)),
        (any::<Index>(), token()).prop_map(|(i, t)| ArgEdit::Replace(i, t)),
        (any::<Index>(), byte_edits()).prop_map(|(i, e)| ArgEdit::Bytes(i, e)),
        (any::<Index>(), any::<Index>()).prop_map(|(i, k)| ArgEdit::Truncate(i, k)),
        select(VALUE_TOKENS).prop_map(ArgEdit::AppendValue),
    ];
    vec(edit, 1..=4)
}

fn edit_args(args: &mut Vec<Vec<u8>>, edits: &[ArgEdit]) {
    for edit in edits {
        // Arguments after args[0]: 1..=n.
        let n = args.len() - 1;
        let at = |i: &Index| 1 + i.index(n);
        match edit {
            ArgEdit::Insert(i, token) => args.insert(1 + i.index(n + 1), token.clone()),
            ArgEdit::AppendValue(v) => args.last_mut().into_iter().for_each(|last| {
                last.extend_from_slice(v.as_bytes());
            }),
            _ if n == 0 => {}
            ArgEdit::Remove(i) => {
                args.remove(at(i));
            }
            ArgEdit::Duplicate(i) => {
                let copy = args[at(i)].clone();
                args.insert(at(i), copy);
            }
            ArgEdit::Swap(i, j) => args.swap(at(i), at(j)),
            ArgEdit::Replace(i, token) => args[at(i)] = token.clone(),
            ArgEdit::Bytes(i, edits) => edit_bytes(&mut args[at(i)], edits),
            ArgEdit::Truncate(i, keep) => {
                let arg = &mut args[at(i)];
                arg.truncate(keep.index(arg.len() + 1));
            }
        }
    }
}

#[test]
fn cli_arbitrary_bytes() {
    // argv[0] appears in messages: sometimes odd, sometimes missing.
    let program = prop_oneof![
        3 => Just(b"ipvsadm".to_vec()),
        1 => vec(any::<u8>(), 0..=8),
    ];
    let argv = (program, vec(vec(any::<u8>(), 0..=24), 0..8))
        .prop_map(|(program, rest)| std::iter::once(program).chain(rest).collect::<Vec<_>>());
    let argv = prop_oneof![49 => argv, 1 => Just(Vec::new())];
    prop_check("cli arbitrary bytes", 4096, false, argv, |args| {
        check_parse(args)
    });
}

#[test]
fn cli_option_tokens_and_random_values() {
    // Usually a command first, so parsing goes past the first check.
    let command = prop::option::weighted(0.75, select(&OPTION_TOKENS[..31]));
    let argv = (command, vec(token(), 0..12)).prop_map(|(command, tokens)| {
        let mut args = vec![b"ipvsadm".to_vec()];
        args.extend(command.map(|c| c.as_bytes().to_vec()));
        args.extend(tokens);
        args
    });
    prop_check("cli option tokens", 4096, true, argv, |args| {
        check_parse(args)
    });
}

#[test]
fn cli_mutated_valid_lines() {
    for line in VALID_LINES {
        let args = split_line(line);
        assert!(parse(&args, false).is_ok(), "not valid: {line}");
    }
    let argv = (select(VALID_LINES), arg_edits()).prop_map(|(line, edits)| {
        let mut args = split_line(line);
        edit_args(&mut args, &edits);
        args
    });
    prop_check("cli mutated valid lines", 4096, true, argv, |args| {
        check_parse(args)
    });
}

// ---------------------------------------------------------------------------
// Restore input

/// A realistic `ipvsadm -S -n` output with most option kinds.
const SAVE_FILE: &str = "\
-A -t 10.0.0.1:80 -s rr
-a -t 10.0.0.1:80 -r 10.0.0.2:8080 -m -w 5
-a -t 10.0.0.1:80 -r 10.0.0.3:80 -g -w 1 -x 100 -y 10
-A -u [2001:db8::1]:53 -s sh -b sh-fallback,sh-port -p 600 -M 64
-a -u [2001:db8::1]:53 -r [2001:db8::2]:53 -m -w 1
-A -f 7 -s mh -b flag-1 -p 300 -M 255.255.255.0 --pe sip
-a -f 7 -r 10.0.0.4:0 -i -w 3 --tun-type gue --tun-port 6080 --tun-remcsum
-A --sctp-service 10.0.0.9:9000 -s wlc
-e -t 10.0.0.1:80 -r 10.0.0.2:8080 -m -w 7
-d -t 10.0.0.1:80 -r 10.0.0.3:80
-E -t 10.0.0.1:80 -s wrr
ipvsadm -D -u [2001:db8::1]:53
# a comment
";

/// True if the file held at least one valid rule.
fn check_restore(bytes: &[u8]) -> bool {
    let config = ParseConfig::default();
    for allow_comments in [false, true] {
        let options = RestoreOptions { allow_comments };
        let lines = read_restore_lines(Cursor::new(bytes), b"ipvsadm", options)
            .expect("reading from memory does not fail");
        for line in &lines {
            assert!(line.args.len() > 1, "a line without tokens was kept");
            if let Err(e) = line.parse_using(&config, &FixedResolver) {
                assert!(matches!(e.exit_code(), 2 | 255));
            }
        }
    }
    let file = read_rules(Cursor::new(bytes), &config, &FixedResolver)
        .expect("reading from memory does not fail");
    for error in &file.errors {
        let _ = file.text(error.line);
    }
    for base in [Base::Empty, Base::Unknown] {
        let (desired, _errors) = desired_table(base, &file.rules);
        let (again, _) = desired_table(Base::Live(&desired.table), &file.rules);
        let _ = again.table.rule_count();
    }
    !file.rules.is_empty()
}

#[test]
fn restore_arbitrary_bytes() {
    // Bytes weighted towards the characters that matter to the reader.
    const INTERESTING: &[u8] = b" \t\r\n\0#-:[].,=0123456789ipvsadmAtar";
    let byte = prop_oneof![2 => select(INTERESTING), 1 => any::<u8>()];
    prop_check(
        "restore arbitrary bytes",
        2048,
        false,
        vec(byte, 0..200),
        |bytes| check_restore(bytes),
    );
}

/// One change to the lines of a rule file.
#[derive(Debug, Clone)]
enum LineEdit {
    Remove(Index),
    Duplicate(Index, Index),
    Args(Index, Vec<ArgEdit>),
    Insert(Index, Vec<Vec<u8>>),
    Bytes(Index, Vec<ByteEdit>),
}

#[test]
fn restore_mutated_save_files() {
    let file = read_rules(
        Cursor::new(SAVE_FILE),
        &ParseConfig::default(),
        &FixedResolver,
    )
    .unwrap();
    assert!(file.errors.is_empty(), "{:?}", file.errors);
    assert_eq!(file.rules.len(), 12);
    let edit = prop_oneof![
        any::<Index>().prop_map(LineEdit::Remove),
        (any::<Index>(), any::<Index>()).prop_map(|(i, j)| LineEdit::Duplicate(i, j)),
        (any::<Index>(), arg_edits()).prop_map(|(i, e)| LineEdit::Args(i, e)),
        (any::<Index>(), vec(token(), 0..8)).prop_map(|(i, t)| LineEdit::Insert(i, t)),
        (any::<Index>(), byte_edits()).prop_map(|(i, e)| LineEdit::Bytes(i, e)),
    ];
    let text = (vec(edit, 1..=5), any::<bool>()).prop_map(|(edits, final_newline)| {
        let mut lines: Vec<Vec<u8>> = SAVE_FILE.lines().map(|l| l.as_bytes().to_vec()).collect();
        for edit in &edits {
            let n = lines.len();
            match edit {
                LineEdit::Insert(i, tokens) => lines.insert(i.index(n + 1), tokens.join(&b' ')),
                _ if n == 0 => {}
                LineEdit::Remove(i) => {
                    lines.remove(i.index(n));
                }
                LineEdit::Duplicate(i, to) => {
                    let copy = lines[i.index(n)].clone();
                    lines.insert(to.index(n + 1), copy);
                }
                LineEdit::Args(i, edits) => {
                    let line = &mut lines[i.index(n)];
                    let mut args = split_line(&String::from_utf8_lossy(line));
                    edit_args(&mut args, edits);
                    *line = args[1..].join(&b' ');
                }
                LineEdit::Bytes(i, edits) => edit_bytes(&mut lines[i.index(n)], edits),
            }
        }
        let mut text = lines.join(&b'\n');
        if final_newline {
            text.push(b'\n');
        }
        text
    });
    prop_check("restore mutated save files", 2048, true, text, |bytes| {
        check_restore(bytes)
    });
}

// ---------------------------------------------------------------------------
// Listings
//
// The netlink decoders' robustness (arbitrary, mutated and truncated
// datagrams, random attribute values) is tested inside the ipvs crate
// (`ipvs/src/netlink/tests.rs`, proptest); what they can produce is model
// values, which the properties below feed to every renderer.

fn list_options() -> Vec<ListOptions> {
    let formats = [
        ListFormat::Default,
        ListFormat::Stats,
        ListFormat::Rate,
        ListFormat::Thresholds,
        ListFormat::PersistentConn,
        ListFormat::TunInfo,
    ];
    formats
        .iter()
        .enumerate()
        .map(|(i, &format)| ListOptions {
            numeric: i % 2 == 0,
            format,
            exact: i % 3 == 0,
            sort: i % 2 == 1,
        })
        .collect()
}

/// Every text and JSON form of a listing; the `-S` form is read back.
fn render_listing(info: &KernelInfo, listings: &[ServiceListing]) {
    for opts in list_options() {
        let mut out = Vec::new();
        let _ = write_list_with(&mut out, info, listings, &opts, &FixedNames);
    }
    for sort in [false, true] {
        let mut json = Vec::new();
        assert!(write_list_json(&mut json, info, listings, sort).is_ok());
        json_text::assert_schema(&json);
    }
    for numeric in [false, true] {
        let mut saved = Vec::new();
        let _ = write_save_with(&mut saved, listings, numeric, &FixedNames);
        let _ = read_rules(Cursor::new(&saved), &ParseConfig::default(), &FixedResolver);
    }
}

/// A 32-bit value, often at an edge.
fn edgy() -> impl Strategy<Value = u32> {
    prop_oneof![
        select(
            &[
                0u32,
                1,
                2,
                3,
                6,
                10,
                17,
                32,
                64,
                128,
                129,
                255,
                256,
                0x7fff_ffff,
                0x8000_0000,
                0xffff_fffe,
                0xffff_ffff,
                0xffff_ff00,
            ][..]
        ),
        any::<u32>(),
    ]
}

/// A scheduler, engine or interface name, with odd characters.
fn name() -> impl Strategy<Value = String> {
    vec(
        select(&["rr", "sh", "sip", "eth0", "\0", "é", "%s", "\n", " ", "x"][..]),
        0..6,
    )
    .prop_map(|pieces| pieces.concat())
}

fn ip() -> impl Strategy<Value = IpAddr> {
    const SOME: &[&str] = &[
        "10.0.0.1",
        "10.0.0.2",
        "0.0.0.0",
        "255.255.255.255",
        "::",
        "::1",
        "2001:db8::1",
        "::ffff:10.0.0.1",
        "fe80::1",
        "ff02::1",
    ];
    prop_oneof![
        select(SOME).prop_map(|a| a.parse().unwrap()),
        any::<u32>().prop_map(|a| IpAddr::V4(Ipv4Addr::from(a))),
        any::<u128>().prop_map(|a| IpAddr::V6(std::net::Ipv6Addr::from(a))),
    ]
}

fn stats_values() -> impl Strategy<Value = Stats> {
    let v = prop_oneof![
        1 => (0..2u64).prop_map(|d| u64::MAX - d),
        2 => (any::<u64>(), 0..64u32).prop_map(|(n, shift)| n >> shift),
    ];
    [(); 10].map(|()| v.clone()).prop_map(|v| Stats {
        conns: v[0],
        inpkts: v[1],
        outpkts: v[2],
        inbytes: v[3],
        outbytes: v[4],
        cps: v[5],
        inpps: v[6],
        outpps: v[7],
        inbps: v[8],
        outbps: v[9],
    })
}

fn destination_entry() -> impl Strategy<Value = ipvs::model::DestinationEntry> {
    let forward = select(
        &[
            ForwardMethod::Masquerade,
            ForwardMethod::Local,
            ForwardMethod::Tunnel,
            ForwardMethod::Route,
        ][..],
    );
    let tunnel = select(&[TunnelType::Ipip, TunnelType::Gue, TunnelType::Gre][..]);
    let config = (
        forward,
        edgy(),
        edgy(),
        edgy(),
        tunnel,
        any::<u16>(),
        any::<u16>(),
    )
        .prop_map(
            |(forward, weight, upper, lower, tunnel_type, tunnel_port, tunnel_flags)| {
                DestinationConfig {
                    forward,
                    weight: weight as i32,
                    upper_threshold: upper,
                    lower_threshold: lower,
                    tunnel_type,
                    tunnel_port,
                    tunnel_flags,
                }
            },
        );
    (
        ip(),
        any::<u16>(),
        config,
        edgy(),
        edgy(),
        edgy(),
        stats_values(),
    )
        .prop_map(
            |(addr, port, config, active, inactive, persistent, stats)| {
                ipvs::model::DestinationEntry {
                    destination: Destination { addr, port, config },
                    active_conns: active,
                    inactive_conns: inactive,
                    persistent_conns: persistent,
                    stats,
                }
            },
        )
}

/// Listings with any values the model can hold: several services of mixed
/// families and kinds, real servers of either family, extreme numbers.
fn listings() -> impl Strategy<Value = Vec<ServiceListing>> {
    let family = select(&[AddressFamily::Inet, AddressFamily::Inet6][..]);
    let protocol = select(&[Protocol::Tcp, Protocol::Udp, Protocol::Sctp][..]);
    let key = prop_oneof![
        1 => (family, edgy()).prop_map(|(family, mark)| ServiceKey::Fwmark { family, mark }),
        2 => (protocol, ip(), any::<u16>())
            .prop_map(|(protocol, addr, port)| ServiceKey::Addr { protocol, addr, port }),
    ];
    let config = (name(), edgy(), edgy(), edgy(), prop::option::of(name())).prop_map(
        |(scheduler, flags, timeout, netmask, pe_name)| ServiceConfig {
            scheduler,
            flags: ServiceFlags::from_bits(flags),
            timeout,
            // The kernel's raw word; the service's family decides its meaning.
            netmask: Netmask::Ipv6(netmask),
            pe_name,
        },
    );
    let listing = (key, config, stats_values(), vec(destination_entry(), 0..5)).prop_map(
        |(key, mut config, stats, destinations)| ServiceListing {
            entry: ipvs::model::ServiceEntry {
                service: Service {
                    key,
                    config: {
                        config.netmask = Netmask::from_raw(key.family(), config.netmask.to_raw());
                        config
                    },
                },
                stats,
            },
            destinations,
        },
    );
    vec(listing, 0..6)
}

/// Sorting and printing any table the model can hold: text, JSON, `-S`.
#[test]
fn output_random_listings() {
    let input = (edgy(), listings());
    prop_check(
        "output random listings",
        1024,
        false,
        input,
        |(version, listings)| {
            let info = KernelInfo {
                version: *version,
                conn_table_size: u32::MAX,
            };
            render_listing(&info, listings);
            let table = ipvs::reconcile::Table::from_listings(listings);
            let _ = table.rule_count();
            !listings.is_empty()
        },
    );
}

/// Sync daemons and timeouts with any values the model can hold, printed
/// as text and as JSON (what `--daemon` and `--timeout` show).
#[test]
fn output_random_daemons_and_timeouts() {
    let daemon = (
        select(&[DaemonState::Master, DaemonState::Backup][..]),
        name(),
        edgy(),
        any::<u16>(),
        prop::option::of(ip()),
        any::<u16>(),
        any::<u8>(),
    )
        .prop_map(
            |(state, mcast_ifn, syncid, sync_maxlen, mcast_group, mcast_port, mcast_ttl)| {
                SyncDaemon {
                    state,
                    mcast_ifn,
                    syncid,
                    sync_maxlen,
                    mcast_group,
                    mcast_port,
                    mcast_ttl,
                }
            },
        );
    let timeouts =
        (edgy(), edgy(), edgy()).prop_map(|(tcp, tcp_fin, udp)| Timeouts { tcp, tcp_fin, udp });
    prop_check(
        "output random daemons and timeouts",
        1024,
        true,
        (vec(daemon, 0..3), timeouts),
        |(daemons, timeouts)| {
            let mut text = Vec::new();
            let mut json = Vec::new();
            let written = write_daemons(&mut text, daemons).is_ok()
                && write_daemons_json(&mut json, daemons).is_ok()
                && write_timeouts(&mut text, timeouts).is_ok()
                && write_timeouts_json(&mut json, timeouts).is_ok();
            assert!(written, "writing to memory cannot fail");
            let documents = serde_json::Deserializer::from_slice(&json)
                .into_iter::<serde_json::Value>()
                .count();
            assert_eq!(documents, 2, "one JSON document each");
            json_text::assert_schema(&json);
            true
        },
    );
}

// ---------------------------------------------------------------------------
// /proc/net/ip_vs_conn

const CONN_HEADER: &str =
    "Pro FromIP   FPrt ToIP     TPrt DestIP   DPrt State       Expires PEName PEData\n";

const CONN_LINES: &[&str] = &[
    "TCP 0A000064 9C40 0A000001 0050 0A000002 1F90 ESTABLISHED    899\n",
    "UDP 0A000064 E0F1 0A000001 0035 0A000003 0035 UDP            299\n",
    "TCP 2001:0db8:0000:0000:0000:0000:0000:0064 9C40 2001:0db8:0000:0000:0000:0000:0000:0001 \
     0050 2001:0db8:0000:0000:0000:0000:0000:0002 0050 FIN_WAIT        119\n",
    "IP  0A000064 0000 0A000001 0000 0A000002 0000 NONE           359\n",
    "UDP 0A000064 13C4 0A000001 13C4 0A000002 13C4 UDP            299 sip 6162636465\n",
    "SCTP 10.0.0.100 9C40 10.0.0.1 0050 10.0.0.2 0050 ESTABLISHED 10\n",
];

/// True if the text parsed to at least one connection.
fn check_connections(text: &str) -> bool {
    let Ok(entries) = parse_connections(text) else {
        return false;
    };
    for entry in &entries {
        let _ = entry.known_protocol();
    }
    for opts in list_options() {
        let mut out = Vec::new();
        let _ = write_connections_with(&mut out, &entries, &opts, &FixedNames);
    }
    let mut json = Vec::new();
    assert!(write_connections_json(&mut json, &entries).is_ok());
    json_text::assert_schema(&json);
    !entries.is_empty()
}

#[test]
fn connections_arbitrary_text() {
    const PIECES: &[&str] = &[
        " ",
        "  ",
        "\t",
        "\n",
        "\x0b",
        "\x0c",
        "\r",
        "0",
        "F",
        "x",
        ":",
        ".",
        "-",
        "+",
        "0x",
        "ffffffffffffffffffff",
        "99999999999",
        "TCP",
        "UDP",
        "é",
        "\u{a0}",
        "\u{2028}",
        "0A000001",
        "2001:db8::1",
        "1.2.3.4",
    ];
    let piece = prop_oneof![
        7 => select(PIECES).prop_map(str::to_string),
        1 => any::<char>().prop_map(String::from),
    ];
    let text = vec(piece, 0..80).prop_map(|pieces| pieces.concat());
    prop_check("connections arbitrary text", 4096, false, text, |text| {
        check_connections(text)
    });
}

#[test]
fn connections_mutated_realistic_text() {
    let mut valid = CONN_HEADER.to_string();
    valid.extend(CONN_LINES.iter().copied());
    assert_eq!(parse_connections(&valid).unwrap().len(), CONN_LINES.len());
    let line = (
        select(CONN_LINES),
        prop::option::weighted(0.67, byte_edits()),
    )
        .prop_map(|(line, edits)| {
            let mut line = line.as_bytes().to_vec();
            if let Some(edits) = edits {
                edit_bytes(&mut line, &edits);
            }
            line
        });
    let cut = prop::option::weighted(0.25, any::<Index>());
    let text = (vec(line, 1..=6), cut).prop_map(|(lines, cut)| {
        let mut text = CONN_HEADER.as_bytes().to_vec();
        text.extend(lines.concat());
        if let Some(cut) = cut {
            text.truncate(cut.index(text.len() + 1));
        }
        String::from_utf8_lossy(&text).into_owned()
    });
    prop_check("connections mutated text", 4096, true, text, |text| {
        check_connections(text)
    });
}

// ---------------------------------------------------------------------------
// Malformed corpus

fn corpus_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/malformed")
        .join(name)
}

/// Undoes the corpus escapes in one field: `\xHH` a byte, `\s` a space,
/// `\t` a tab, `\n` a newline, `\r` a carriage return, `\\` a backslash,
/// `\e` nothing (so that `\e` alone is the empty argument), and `\{N}` the
/// byte before it N times in all.
fn unescape(text: &str) -> Vec<u8> {
    let bytes = text.as_bytes();
    let mut out: Vec<u8> = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'\\' {
            out.push(bytes[i]);
            i += 1;
            continue;
        }
        let escape = bytes.get(i + 1).copied().unwrap_or(b'\\');
        i += 2;
        match escape {
            b'x' => {
                let hex = std::str::from_utf8(&bytes[i..i + 2]).unwrap();
                out.push(u8::from_str_radix(hex, 16).unwrap());
                i += 2;
            }
            b's' => out.push(b' '),
            b't' => out.push(b'\t'),
            b'n' => out.push(b'\n'),
            b'r' => out.push(b'\r'),
            b'\\' => out.push(b'\\'),
            b'e' => {}
            b'{' => {
                let close = i + text[i..].find('}').unwrap();
                let count: usize = text[i..close].parse().unwrap();
                let byte = *out.last().expect("\\{N} after a byte");
                out.extend(std::iter::repeat_n(byte, count - 1));
                i = close + 1;
            }
            other => panic!("unknown escape \\{}", other as char),
        }
    }
    out
}

/// `EXPECTED ARGS...` lines (comments `#`, blank lines skipped). A field
/// `*N:TOKEN` stands for N arguments TOKEN.
fn command_cases(name: &str) -> Vec<(usize, String, Vec<Vec<u8>>)> {
    let text = std::fs::read_to_string(corpus_path(name)).unwrap();
    let mut cases = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let mut fields = line.split(' ');
        let expected = fields.next().unwrap().to_string();
        let mut args = vec![b"ipvsadm".to_vec()];
        for field in fields {
            match field.strip_prefix('*').and_then(|f| f.split_once(':')) {
                Some((count, token)) => {
                    let count: usize = count.parse().unwrap();
                    args.extend(std::iter::repeat_n(unescape(token), count));
                }
                None => args.push(unescape(field)),
            }
        }
        cases.push((i + 1, expected, args));
    }
    cases
}

fn expected_codes(expected: &str) -> &'static [i32] {
    match expected {
        "2" => &[2],
        "255" => &[255],
        "?" => &[2, 255],
        other => panic!("bad expected status {other:?}"),
    }
}

#[test]
fn malformed_command_lines_are_rejected() {
    let mut failures = Vec::new();
    let mut total = 0;
    for name in ["commands.txt", "values.txt", "bytes.txt"] {
        for (line, expected, args) in command_cases(name) {
            let result = catch_unwind(AssertUnwindSafe(|| parse(&args, false)));
            let shown = || format!("{name}:{line}: {:?}", truncated(&args));
            match result {
                Err(_) => failures.push(format!("{}: panicked", shown())),
                Ok(Ok(command)) => failures.push(format!("{}: accepted as {command:?}", shown())),
                Ok(Err(e)) if !expected_codes(&expected).contains(&e.exit_code()) => {
                    failures.push(format!(
                        "{}: exit {} ({}), expected {expected}",
                        shown(),
                        e.exit_code(),
                        e.message_lossy().trim_end()
                    ))
                }
                Ok(Err(_)) => {}
            }
            total += 1;
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    eprintln!("robustness: malformed command lines: {total}");
}

fn truncated(args: &[Vec<u8>]) -> Vec<String> {
    args.iter()
        .take(12)
        .map(|a| {
            let text = String::from_utf8_lossy(a);
            text.chars().take(60).collect()
        })
        .collect()
}

/// `EXPECTED CONTENT` lines: CONTENT is a whole restore file with the
/// escapes of [`unescape`]. A restore fails at its first rejected line;
/// EXPECTED is that line's status (as `ipvsadm -R` would exit with it, or
/// go on past it for a popt error).
#[test]
fn malformed_restore_files_are_rejected() {
    let text = std::fs::read_to_string(corpus_path("restore.txt")).unwrap();
    let config = ParseConfig::default();
    let mut total = 0;
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let (expected, content) = line.split_once(' ').unwrap();
        let bytes = unescape(content);
        let shown = format!("restore.txt:{}", i + 1);
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            let lines =
                read_restore_lines(Cursor::new(&bytes), b"ipvsadm", RestoreOptions::default())
                    .unwrap();
            let first_error = lines.iter().find_map(|l| {
                let comment = l.args[1].starts_with(b"#");
                l.parse_using(&config, &FixedResolver)
                    .err()
                    .map(|e| (e, comment))
            });
            let rules = read_rules(Cursor::new(&bytes), &config, &FixedResolver).unwrap();
            (first_error, rules.errors.len())
        }));
        let Ok((first_error, rule_errors)) = outcome else {
            panic!("{shown}: panicked");
        };
        let (error, comment) =
            first_error.unwrap_or_else(|| panic!("{shown}: every line accepted"));
        assert!(
            expected_codes(expected).contains(&error.exit_code()),
            "{shown}: exit {} ({}), expected {expected}",
            error.exit_code(),
            error.message_lossy().trim_end()
        );
        // Rule files (`ipvsadm-restore`) allow comments; ipvsadm -R does not.
        assert!(
            rule_errors > 0 || comment,
            "{shown}: read_rules found no error"
        );
        total += 1;
    }
    eprintln!("robustness: malformed restore files: {total}");
}

#[test]
fn corpus_escapes() {
    assert_eq!(unescape(r"a\x00b\xff"), b"a\x00b\xff");
    assert_eq!(unescape(r"\e"), b"");
    assert_eq!(unescape(r"x\{4}.invalid"), b"xxxx.invalid");
    assert_eq!(unescape(r"\s\t\n\\"), b" \t\n\\");
}

/// The kernel scenario `180-malformed-corpus.scn` replays part of the corpus
/// against the reference: its command lines must be shell-safe (split on
/// blanks only) corpus lines that this parser rejects.
#[test]
fn malformed_scenario_lines_come_from_the_corpus() {
    let scenario =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/scenarios/180-malformed-corpus.scn");
    let text = std::fs::read_to_string(scenario).unwrap();
    let corpus: Vec<String> = ["commands.txt", "values.txt", "bytes.txt"]
        .iter()
        .flat_map(|name| {
            let text = std::fs::read_to_string(corpus_path(name)).unwrap();
            text.lines()
                .filter_map(|l| l.split_once(' ').map(|(_, args)| args.to_string()))
                .collect::<Vec<_>>()
        })
        .collect();
    let mut count = 0;
    for line in text.lines().filter_map(|l| l.strip_prefix("$ ipvsadm ")) {
        if line == "-Ln" {
            continue;
        }
        assert!(
            line.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b" -.:,=_+".contains(&b)),
            "not shell-safe: {line}"
        );
        assert!(
            corpus.iter().any(|c| c == line),
            "not in the corpus: {line}"
        );
        assert!(parse(&split_line(line), false).is_err(), "accepted: {line}");
        count += 1;
    }
    assert!(count >= 50, "only {count} lines");
}

/// Very large inputs: each is handled (accepted or refused) without a
/// panic and in linear-ish time (a quadratic path would take minutes here).
#[test]
fn huge_inputs_are_handled_quickly() {
    let start = Instant::now();

    // 100,000 arguments of each kind.
    for token in [&b"-n"[..], b"extra", b"--bogus", b"-t", b"!#:+", b"-"] {
        let mut args = argv(&[b"-L"]);
        args.extend(std::iter::repeat_n(token.to_vec(), 100_000));
        check_parse(&args);
    }
    let mut args = argv(&[b"-A", b"-t"]);
    args.push(vec![b'a'; 1 << 20]);
    assert!(parse(&args, false).is_err());

    eprintln!("robustness: huge arguments: {:.2?}", start.elapsed());
    // A 1 MiB token, 20,000 lines, and 1 MiB of blanks.
    let mut file = b"-A -t 10.0.0.1:80 -s ".to_vec();
    file.extend(std::iter::repeat_n(b'r', 1 << 20));
    file.push(b'\n');
    check_restore(&file);
    let many: Vec<u8> = (0..20_000)
        .flat_map(|i| {
            format!("-a -t 10.0.0.1:80 -r 10.{}.{}.1:80 -m\n", i / 250, i % 250).into_bytes()
        })
        .collect();
    let mut with_service = b"-A -t 10.0.0.1:80\n".to_vec();
    with_service.extend_from_slice(&many);
    let file = read_rules(
        Cursor::new(&with_service),
        &ParseConfig::default(),
        &FixedResolver,
    )
    .unwrap();
    assert_eq!(file.rules.len(), 20_001);
    assert!(file.errors.is_empty());
    let (desired, errors) = desired_table(Base::Empty, &file.rules);
    assert!(errors.is_empty());
    assert_eq!(desired.table.rule_count(), 20_001);
    check_restore(&vec![b' '; 1 << 20]);

    eprintln!("robustness: huge restore: {:.2?}", start.elapsed());
    // 20,000 connections.
    let mut text = CONN_HEADER.to_string();
    for _ in 0..20_000 {
        text.push_str(CONN_LINES[0]);
    }
    assert_eq!(parse_connections(&text).unwrap().len(), 20_000);
    check_connections(&text);

    let elapsed = start.elapsed();
    eprintln!("robustness: huge inputs in {elapsed:.2?}");
    assert!(elapsed < Duration::from_secs(120), "took {elapsed:?}");
}
