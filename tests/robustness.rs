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

use std::cell::Cell;
use std::io::Cursor;
use std::net::{IpAddr, Ipv4Addr};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use ipvs::model::{
    AddressFamily, DaemonState, Destination, DestinationConfig, ForwardMethod, KernelInfo,
    Protocol, Service, ServiceConfig, ServiceFlags, ServiceKey, Stats, SyncDaemon, Timeouts,
    TunnelType,
};
use ipvs::netlink::{
    daemon_attrs, decode_ipvs_message, destination_attrs, destination_entry_from_attrs,
    encode_family_lookup, encode_ipvs_message, family_id_from_reply, frames,
    kernel_info_from_attrs, service_attrs, service_entry_from_attrs, stats_attrs32, stats_attrs64,
    sync_daemon_from_attrs, timeouts_attrs, timeouts_from_attrs, DestAttr, IpvsCmd, IpvsCmdAttr,
    IpvsMessage, Reply, SvcAttr,
};
use ipvs::netlink::{Counter, DaemonAttr, InetAddr, IpvsFlags, StatsAttr};
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

/// splitmix64: small, fast, good enough to pick test inputs.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn chance(&mut self, one_in: usize) -> bool {
        self.below(one_in) == 0
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    fn bytes(&mut self, max_len: usize) -> Vec<u8> {
        let len = self.below(max_len + 1);
        (0..len).map(|_| self.next() as u8).collect()
    }
}

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Runs `check` on up to `PROPTEST_CASES` generated inputs, within the time
/// budget. A panic fails the test and shows the input that caused it.
///
/// `check` tells whether the input was accepted (parsed, decoded) all the
/// way; with `expect_accepted`, some inputs must be, so that a generator
/// that only ever reaches the first check is noticed.
fn property<T: std::fmt::Debug>(
    name: &str,
    expect_accepted: bool,
    generate: impl Fn(&mut Rng) -> T,
    check: impl Fn(&T) -> bool,
) {
    let cases = env_number("PROPTEST_CASES", 20_000);
    let budget = Duration::from_secs(env_number("ROBUSTNESS_SECONDS", 8));
    let seed = env_number("ROBUSTNESS_SEED", 0x1905_2026) ^ fnv1a(name.as_bytes());
    let mut rng = Rng(seed);
    let start = Instant::now();
    let mut tried = 0u64;
    let mut accepted = 0u64;
    while tried < cases && start.elapsed() < budget {
        let input = generate(&mut rng);
        match catch_unwind(AssertUnwindSafe(|| check(&input))) {
            Ok(ok) => accepted += u64::from(ok),
            Err(_) => panic!("{name}: panicked on input #{tried} (seed {seed:#x}): {input:?}"),
        }
        tried += 1;
    }
    eprintln!(
        "robustness: {name}: {tried} inputs ({accepted} accepted) in {:.2?}",
        start.elapsed()
    );
    assert!(tried > 0, "{name}: no input tried");
    assert!(
        !expect_accepted || accepted > 0,
        "{name}: no input was accepted; the generator is broken"
    );
}

fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ b as u64).wrapping_mul(0x0000_0100_0000_01b3)
    })
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

/// Changes a few bytes: flip, insert, delete, or an interesting byte.
fn mutate_bytes(rng: &mut Rng, bytes: &mut Vec<u8>) {
    const SPECIAL: &[u8] = &[
        0, 0xff, 0x80, b':', b'[', b']', b',', b'=', b'-', b'.', b'9', b' ',
    ];
    for _ in 0..=rng.below(3) {
        let len = bytes.len();
        match rng.below(4) {
            0 if len > 0 => bytes[rng.below(len)] ^= 1 << rng.below(8),
            1 => bytes.insert(rng.below(len + 1), *rng.pick(SPECIAL)),
            2 if len > 0 => {
                bytes.remove(rng.below(len));
            }
            _ if len > 0 => bytes[rng.below(len)] = *rng.pick(SPECIAL),
            _ => bytes.push(rng.next() as u8),
        }
    }
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
// Netlink

const FAMILY: u16 = 0x25;

fn stats() -> Stats {
    Stats {
        conns: 1,
        inpkts: 2,
        outpkts: 3,
        inbytes: 1 << 40,
        outbytes: 5,
        cps: 6,
        inpps: 7,
        outpps: 8,
        inbps: 9,
        outbps: u64::MAX,
    }
}

/// Replies like the kernel's, built with the crate's own encoders.
fn valid_messages() -> Vec<Vec<u8>> {
    let addr_key = ServiceKey::Addr {
        protocol: Protocol::Tcp,
        addr: "10.0.0.1".parse().unwrap(),
        port: 80,
    };
    let v6_key = ServiceKey::Addr {
        protocol: Protocol::Udp,
        addr: "2001:db8::1".parse().unwrap(),
        port: 53,
    };
    let mark_key = ServiceKey::Fwmark {
        family: AddressFamily::Inet6,
        mark: 7,
    };
    let service = |key, netmask| {
        let mut attrs = service_attrs(&Service {
            key,
            config: ServiceConfig {
                scheduler: "wrr".into(),
                flags: ServiceFlags(ServiceFlags::PERSISTENT),
                timeout: 300,
                netmask,
                pe_name: Some("sip".into()),
            },
        });
        attrs.push(SvcAttr::Stats(stats_attrs32(&stats())));
        attrs.push(SvcAttr::Stats64(stats_attrs64(&stats())));
        attrs
    };
    let dest = |addr: &str| {
        let mut attrs = destination_attrs(&Destination {
            addr: addr.parse().unwrap(),
            port: 8080,
            config: DestinationConfig {
                forward: ForwardMethod::Tunnel,
                weight: 3,
                upper_threshold: 100,
                lower_threshold: 10,
                tunnel_type: TunnelType::Gue,
                tunnel_port: 6080,
                tunnel_flags: 1,
            },
        });
        attrs.extend([
            DestAttr::ActiveConns(1),
            DestAttr::InactConns(2),
            DestAttr::PersistConns(3),
            DestAttr::Stats(stats_attrs32(&stats())),
            DestAttr::Stats64(stats_attrs64(&stats())),
        ]);
        attrs
    };
    let daemon = daemon_attrs(&SyncDaemon {
        state: DaemonState::Backup,
        mcast_ifn: "eth1".into(),
        syncid: 5,
        sync_maxlen: 1400,
        mcast_group: Some("ff02::1".parse().unwrap()),
        mcast_port: 8848,
        mcast_ttl: 2,
    });
    let messages = [
        IpvsMessage::with_attrs(
            IpvsCmd::NewService,
            vec![IpvsCmdAttr::Service(service(addr_key, 0xffff_ff00))],
        ),
        IpvsMessage::with_attrs(
            IpvsCmd::NewService,
            vec![IpvsCmdAttr::Service(service(v6_key, 64))],
        ),
        IpvsMessage::with_attrs(
            IpvsCmd::NewDest,
            vec![
                IpvsCmdAttr::Service(service(mark_key, 128)),
                IpvsCmdAttr::Dest(dest("2001:db8::2")),
            ],
        ),
        IpvsMessage::with_attrs(IpvsCmd::NewDest, vec![IpvsCmdAttr::Dest(dest("10.0.0.2"))]),
        IpvsMessage::with_attrs(IpvsCmd::NewDaemon, vec![IpvsCmdAttr::Daemon(daemon)]),
        IpvsMessage::with_attrs(
            IpvsCmd::SetConfig,
            timeouts_attrs(&Timeouts {
                tcp: 900,
                tcp_fin: 120,
                udp: 300,
            }),
        ),
    ];
    let mut out: Vec<Vec<u8>> = messages
        .iter()
        .enumerate()
        .map(|(i, m)| encode_ipvs_message(FAMILY, 0x2, i as u32, m))
        .collect();
    out.push(encode_family_lookup(0x5, 9, "IPVS"));
    // NLMSG_ERROR with an errno and NLMSG_DONE.
    out.push(control_message(2, &(-17i32).to_ne_bytes()));
    out.push(control_message(3, &0i32.to_ne_bytes()));
    out
}

fn control_message(msg_type: u16, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(&((16 + payload.len()) as u32).to_ne_bytes());
    out.extend_from_slice(&msg_type.to_ne_bytes());
    out.extend_from_slice(&0u16.to_ne_bytes());
    out.extend_from_slice(&[0; 8]);
    out.extend_from_slice(payload);
    out
}

/// Everything the client does with a received datagram, and rendering.
/// True if some message decoded to a service, real server or daemon.
fn check_datagram(datagram: &[u8]) -> bool {
    let mut decoded = false;
    for frame in frames(datagram) {
        let Ok(frame) = frame else { break };
        let Ok(reply) = frame.reply() else { continue };
        if let Reply::Data { payload, .. } = reply {
            let _ = family_id_from_reply(payload);
            decoded |= check_payload(payload);
        }
    }
    decoded
}

fn check_payload(payload: &[u8]) -> bool {
    let Ok(message) = decode_ipvs_message(payload) else {
        return false;
    };
    let mut decoded = false;
    // What decodes must encode again.
    let _ = encode_ipvs_message(FAMILY, 0, 0, &message);
    let mut listing = None;
    if let Some(attrs) = message.service() {
        if let Ok(entry) = service_entry_from_attrs(attrs) {
            decoded = true;
            listing = Some(ServiceListing {
                entry,
                destinations: Vec::new(),
            });
        }
    }
    if let Some(attrs) = message.dest() {
        for family in [AddressFamily::Inet, AddressFamily::Inet6] {
            if let Ok(dest) = destination_entry_from_attrs(attrs, family) {
                decoded = true;
                if let Some(l) = listing.as_mut() {
                    l.destinations.push(dest);
                }
            }
        }
    }
    if let Some(attrs) = message.daemon() {
        if let Ok(daemon) = sync_daemon_from_attrs(attrs) {
            decoded = true;
            let mut out = Vec::new();
            let _ = write_daemons(&mut out, std::slice::from_ref(&daemon));
            let _ = write_daemons_json(&mut out, &[daemon]);
        }
    }
    let timeouts = timeouts_from_attrs(&message.attrs);
    let mut out = Vec::new();
    let _ = write_timeouts(&mut out, &timeouts);
    let _ = write_timeouts_json(&mut out, &timeouts);
    let info = kernel_info_from_attrs(&message.attrs).unwrap_or(KernelInfo {
        version: 0x0001_0203,
        conn_table_size: 4096,
    });
    if let Some(listing) = listing {
        render_listing(&info, &[listing]);
    }
    decoded
}

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
        let _ = write_list_json(&mut Vec::new(), info, listings, sort);
    }
    for numeric in [false, true] {
        let mut saved = Vec::new();
        let _ = write_save_with(&mut saved, listings, numeric, &FixedNames);
        let _ = read_rules(Cursor::new(&saved), &ParseConfig::default(), &FixedResolver);
    }
}

/// One random change to a valid datagram: bytes, lengths, truncation.
fn mutate_datagram(rng: &mut Rng, bytes: &mut Vec<u8>) {
    let len = bytes.len();
    match rng.below(6) {
        // A 16-bit word (NLA length or type, genl fields) set to an edge value.
        0 | 1 if len >= 2 => {
            let at = rng.below(len - 1) & !1;
            let edge = [0u16, 1, 3, 4, 5, 7, 8, 0x7fff, 0x8000, 0xffff, 0x8004];
            let value = if rng.chance(2) {
                *rng.pick(&edge)
            } else {
                u16::from_ne_bytes([bytes[at], bytes[at + 1]])
                    .wrapping_add(rng.below(9) as u16)
                    .wrapping_sub(4)
            };
            bytes[at..at + 2].copy_from_slice(&value.to_ne_bytes());
        }
        // The netlink length word.
        2 if len >= 4 => {
            let edge = [
                0u32,
                15,
                16,
                17,
                20,
                len as u32 - 1,
                len as u32 + 1,
                u32::MAX,
            ];
            bytes[..4].copy_from_slice(&rng.pick(&edge).to_ne_bytes());
        }
        3 => bytes.truncate(rng.below(len + 1)),
        4 => {
            let extra = rng.bytes(32);
            bytes.extend_from_slice(&extra);
        }
        _ => mutate_bytes(rng, bytes),
    }
}

#[test]
fn netlink_arbitrary_bytes() {
    property(
        "netlink arbitrary bytes",
        false,
        |rng| {
            let mut bytes = rng.bytes(160);
            // Often a plausible header, so the payload decoders get reached.
            if bytes.len() >= 20 && rng.below(4) != 0 {
                let len = if rng.chance(2) {
                    bytes.len()
                } else {
                    rng.below(bytes.len() + 1)
                };
                bytes[..4].copy_from_slice(&(len as u32).to_ne_bytes());
                bytes[4..6].copy_from_slice(&FAMILY.to_ne_bytes());
                bytes[16] = 1 + rng.below(17) as u8;
            }
            bytes
        },
        |bytes| {
            let _ = family_id_from_reply(bytes);
            check_datagram(bytes) | check_payload(bytes)
        },
    );
}

#[test]
fn netlink_mutated_valid_messages() {
    let valid = valid_messages();
    for datagram in &valid {
        let count = frames(datagram).filter(|f| f.is_ok()).count();
        assert_eq!(count, 1, "encoder output is one message");
    }
    property(
        "netlink mutated valid messages",
        true,
        |rng| {
            let mut datagram = Vec::new();
            for _ in 0..=rng.below(3) {
                let mut message = rng.pick(&valid).clone();
                for _ in 0..=rng.below(3) {
                    mutate_datagram(rng, &mut message);
                }
                datagram.extend_from_slice(&message);
            }
            datagram
        },
        |datagram| check_datagram(datagram),
    );
}

/// A 32-bit value, often at an edge.
fn edgy_u32(rng: &mut Rng) -> u32 {
    const EDGES: &[u32] = &[
        0,
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
    ];
    if rng.chance(2) {
        *rng.pick(EDGES)
    } else {
        rng.next() as u32
    }
}

fn random_name(rng: &mut Rng) -> String {
    const PIECES: &[&str] = &["rr", "sh", "sip", "eth0", "\0", "é", "%s", "\n", " ", "x"];
    let mut name = String::new();
    let max = if rng.chance(8) { 40 } else { 4 };
    for _ in 0..rng.below(max) {
        name.push_str(rng.pick::<&str>(PIECES));
    }
    name
}

fn random_stats(rng: &mut Rng, wide: bool) -> Vec<StatsAttr> {
    let counter = |rng: &mut Rng| {
        if wide {
            Counter::U64(if rng.chance(2) {
                u64::MAX - rng.below(3) as u64
            } else {
                rng.next()
            })
        } else {
            Counter::U32(edgy_u32(rng))
        }
    };
    let all = [
        StatsAttr::Conns as fn(Counter) -> StatsAttr,
        StatsAttr::InPkts,
        StatsAttr::OutPkts,
        StatsAttr::InBytes,
        StatsAttr::OutBytes,
        StatsAttr::Cps,
        StatsAttr::InPps,
        StatsAttr::OutPps,
        StatsAttr::InBps,
        StatsAttr::OutBps,
    ];
    let mut attrs = Vec::new();
    for make in all {
        if !rng.chance(60) {
            attrs.push(make(counter(rng)));
        }
    }
    attrs
}

/// Service attributes with random values (and some left out).
fn random_service_attrs(rng: &mut Rng) -> Vec<SvcAttr> {
    let mut addr = [0u8; 16];
    for b in addr.iter_mut() {
        *b = rng.next() as u8;
    }
    let family = *rng.pick(&[2u16, 10, 2, 10, 2, 10, 0, 0xffff]);
    let attrs = vec![
        SvcAttr::Af(family),
        SvcAttr::Protocol(*rng.pick(&[6u16, 17, 132, 6, 17, 132, 0, 0xffff])),
        SvcAttr::Addr(InetAddr(addr)),
        SvcAttr::Port(rng.next() as u16),
        SvcAttr::Fwmark(edgy_u32(rng)),
        SvcAttr::SchedName(random_name(rng)),
        SvcAttr::Flags(IpvsFlags {
            flags: edgy_u32(rng),
            mask: edgy_u32(rng),
        }),
        SvcAttr::Timeout(edgy_u32(rng)),
        SvcAttr::Netmask(edgy_u32(rng)),
        SvcAttr::Stats(random_stats(rng, false)),
        SvcAttr::PeName(random_name(rng)),
        SvcAttr::Stats64(random_stats(rng, true)),
    ];
    attrs.into_iter().filter(|_| !rng.chance(30)).collect()
}

fn random_dest_attrs(rng: &mut Rng) -> Vec<DestAttr> {
    let mut addr = [0u8; 16];
    for b in addr.iter_mut() {
        *b = rng.next() as u8;
    }
    let attrs = vec![
        DestAttr::Addr(InetAddr(addr)),
        DestAttr::Port(rng.next() as u16),
        DestAttr::FwdMethod(edgy_u32(rng)),
        DestAttr::Weight(edgy_u32(rng)),
        DestAttr::UThresh(edgy_u32(rng)),
        DestAttr::LThresh(edgy_u32(rng)),
        DestAttr::ActiveConns(edgy_u32(rng)),
        DestAttr::InactConns(edgy_u32(rng)),
        DestAttr::PersistConns(edgy_u32(rng)),
        DestAttr::Stats(random_stats(rng, false)),
        DestAttr::AddrFamily(*rng.pick(&[2u16, 10, 0, 0xffff])),
        DestAttr::Stats64(random_stats(rng, true)),
        DestAttr::TunType(rng.next() as u8),
        DestAttr::TunPort(rng.next() as u16),
        DestAttr::TunFlags(rng.next() as u16),
    ];
    attrs.into_iter().filter(|_| !rng.chance(30)).collect()
}

fn random_daemon_attrs(rng: &mut Rng) -> Vec<DaemonAttr> {
    let attrs = vec![
        DaemonAttr::State(edgy_u32(rng)),
        DaemonAttr::McastIfn(random_name(rng)),
        DaemonAttr::SyncId(edgy_u32(rng)),
        DaemonAttr::SyncMaxlen(rng.next() as u16),
        DaemonAttr::McastGroup(Ipv4Addr::from(edgy_u32(rng))),
        DaemonAttr::McastGroup6(std::net::Ipv6Addr::from(
            (u128::from(rng.next()) << 64) | u128::from(rng.next()),
        )),
        DaemonAttr::McastPort(rng.next() as u16),
        DaemonAttr::McastTtl(rng.next() as u8),
    ];
    attrs.into_iter().filter(|_| !rng.chance(4)).collect()
}

/// Well-formed messages whose values are anything the wire can carry:
/// decoding and every renderer must cope (or refuse) without a panic.
#[test]
fn netlink_random_attribute_values() {
    property(
        "netlink random attribute values",
        true,
        |rng| {
            let mut attrs = Vec::new();
            match rng.below(4) {
                0 => attrs.push(IpvsCmdAttr::Service(random_service_attrs(rng))),
                1 => {
                    attrs.push(IpvsCmdAttr::Service(random_service_attrs(rng)));
                    attrs.push(IpvsCmdAttr::Dest(random_dest_attrs(rng)));
                }
                2 => attrs.push(IpvsCmdAttr::Daemon(random_daemon_attrs(rng))),
                _ => {
                    attrs.push(IpvsCmdAttr::TimeoutTcp(edgy_u32(rng)));
                    attrs.push(IpvsCmdAttr::TimeoutTcpFin(edgy_u32(rng)));
                    attrs.push(IpvsCmdAttr::TimeoutUdp(edgy_u32(rng)));
                }
            }
            let message = IpvsMessage::with_attrs(IpvsCmd::NewService, attrs);
            encode_ipvs_message(FAMILY, 0x2, 1, &message)
        },
        |datagram| check_datagram(datagram),
    );
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
            flags: ServiceFlags(flags),
            timeout,
            netmask,
            pe_name,
        },
    );
    let listing = (key, config, stats_values(), vec(destination_entry(), 0..5)).prop_map(
        |(key, config, stats, destinations)| ServiceListing {
            entry: ipvs::model::ServiceEntry {
                service: Service { key, config },
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
            let table = ipvsadm::restore::table::Table::from_listings(listings);
            let _ = table.rule_count();
            !listings.is_empty()
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
    let _ = write_connections_json(&mut Vec::new(), &entries);
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
                out.extend(std::iter::repeat(byte).take(count - 1));
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
                    args.extend(std::iter::repeat(unescape(token)).take(count));
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
        args.extend(std::iter::repeat(token.to_vec()).take(100_000));
        check_parse(&args);
    }
    let mut args = argv(&[b"-A", b"-t"]);
    args.push(vec![b'a'; 1 << 20]);
    assert!(parse(&args, false).is_err());

    eprintln!("robustness: huge arguments: {:.2?}", start.elapsed());
    // A 1 MiB token, 20,000 lines, and 1 MiB of blanks.
    let mut file = b"-A -t 10.0.0.1:80 -s ".to_vec();
    file.extend(std::iter::repeat(b'r').take(1 << 20));
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
    // A datagram of 5,000 messages, and one with a 1 MiB attribute region.
    let valid = valid_messages();
    let datagram: Vec<u8> = valid
        .iter()
        .cycle()
        .take(5_000)
        .flatten()
        .copied()
        .collect();
    assert_eq!(frames(&datagram).filter(|f| f.is_ok()).count(), 5_000);
    check_datagram(&datagram);
    let mut big = valid[0].clone();
    big.extend(std::iter::repeat(0u8).take(1 << 20));
    let len = big.len() as u32;
    big[..4].copy_from_slice(&len.to_ne_bytes());
    check_datagram(&big);

    eprintln!("robustness: huge netlink: {:.2?}", start.elapsed());
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
