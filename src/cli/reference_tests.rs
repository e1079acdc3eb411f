//! Checks the parser against recorded behaviour of the reference ipvsadm
//! 1.31 (`testdata/reference_cases.txt`): for every case, the same exit
//! status and standard error, and a command that makes the same netlink
//! requests (rendered in the same canonical text as the recording).
//!
//! Names are resolved by a fixed table (`localhost`, `http`, `domain`),
//! the names the recording resolved through the host's files, so the test
//! needs no name service.
//!
//! Cases whose recorded run needed more than parsing (`-L -c` reads
//! `/proc/net/ip_vs_conn`, `-h`/`-v` print texts that are ours) are matched
//! on the command kind.

use std::net::IpAddr;

use super::command::{Command, ListWhat};
use super::parse::{parse_args, ParseConfig};
use super::restore_input::{RestoreOptions, RestoreReader};
use super::values::tests::FixedResolver;
use ipvs::model::{AddressFamily, Destination, Service, ServiceKey};

const CASES: &str = include_str!("testdata/reference_cases.txt");

struct Case {
    args: Vec<Vec<u8>>,
    stdin: Option<Vec<u8>>,
    rc: i32,
    stderr: Vec<u8>,
    requests: Vec<String>,
}

fn unescape(text: &str) -> Vec<u8> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() + 1 {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap();
            out.push(u8::from_str_radix(hex, 16).unwrap());
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    out
}

fn cases() -> Vec<Case> {
    let mut cases = Vec::new();
    for block in CASES.split("\n\n") {
        let mut case: Option<Case> = None;
        for line in block.lines().filter(|l| !l.starts_with('#')) {
            let (key, value) = line
                .split_once(": ")
                .unwrap_or((line.trim_end_matches(':'), ""));
            match key {
                "case" => {
                    let mut args = vec![b"ipvsadm".to_vec()];
                    if !value.is_empty() {
                        args.extend(value.split(' ').map(unescape));
                    }
                    case = Some(Case {
                        args,
                        stdin: None,
                        rc: 0,
                        stderr: Vec::new(),
                        requests: Vec::new(),
                    });
                }
                "stdin" => case.as_mut().unwrap().stdin = Some(unescape(value)),
                "rc" => case.as_mut().unwrap().rc = value.parse().unwrap(),
                "stderr" => case.as_mut().unwrap().stderr = unescape(value),
                "req" => case.as_mut().unwrap().requests.push(value.to_string()),
                other => panic!("bad line {other:?}"),
            }
        }
        cases.extend(case);
    }
    cases
}

fn family_number(family: AddressFamily) -> u16 {
    family.to_raw()
}

fn key_text(key: &ServiceKey) -> String {
    match key {
        ServiceKey::Addr {
            protocol,
            addr,
            port,
        } => format!(
            "af={} proto={} addr={addr} port={port}",
            family_number(AddressFamily::of(addr)),
            protocol.to_raw()
        ),
        ServiceKey::Fwmark { family, mark } => {
            format!("af={} fwmark={mark}", family_number(*family))
        }
    }
}

fn service_text(name: &str, s: &Service) -> String {
    let pe = s
        .config
        .pe_name
        .as_ref()
        .map(|p| format!(" pe={p}"))
        .unwrap_or_default();
    let netmask: String = s
        .config
        .netmask
        .to_raw()
        .to_ne_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!(
        "{name} {} sched={}{pe} flags={:#x} timeout={} netmask={netmask}",
        key_text(&s.key),
        s.config.scheduler,
        s.config.flags.bits(),
        s.config.timeout
    )
}

fn dest_base(name: &str, key: &ServiceKey, addr: &IpAddr, port: u16) -> String {
    format!(
        "{name} {} dest af={} addr={addr} port={port}",
        key_text(key),
        family_number(AddressFamily::of(addr))
    )
}

fn dest_text(name: &str, key: &ServiceKey, d: &Destination) -> String {
    let c = &d.config;
    format!(
        "{} fwd={} weight={} uthr={} lthr={} tun_type={} tun_port={} tun_flags={}",
        dest_base(name, key, &d.addr, d.port),
        c.forward.to_raw(),
        c.weight,
        c.upper_threshold,
        c.lower_threshold,
        c.tunnel_type.to_raw(),
        c.tunnel_port,
        c.tunnel_flags
    )
}

/// The requests ipvsadm 1.31 sends for `cmd` when the kernel has no services.
fn requests(cmd: &Command) -> Vec<String> {
    match cmd {
        Command::AddService(s) => vec![service_text("NEW_SERVICE", s)],
        Command::EditService(s) => vec![service_text("SET_SERVICE", s)],
        Command::DeleteService(k) => vec![format!("DEL_SERVICE {}", key_text(k))],
        Command::Flush => vec!["FLUSH".into()],
        Command::List(l) => match &l.what {
            ListWhat::All => vec!["GET_SERVICE".into()],
            ListWhat::Service(k) => {
                vec![format!("GET_SERVICE {}", key_text(k)), "GET_DEST".into()]
            }
            ListWhat::Connections => vec!["(connections)".into()],
            ListWhat::Timeouts => vec!["GET_CONFIG".into()],
            ListWhat::Daemons => vec!["GET_DAEMON".into()],
        },
        Command::Zero(None) => vec!["ZERO".into()],
        Command::Zero(Some(k)) => vec![format!("ZERO {}", key_text(k))],
        Command::AddDestination(k, d) => vec![dest_text("NEW_DEST", k, d)],
        Command::EditDestination(k, d) => vec![dest_text("SET_DEST", k, d)],
        Command::DeleteDestination(k, a, p) => vec![dest_base("DEL_DEST", k, a, *p)],
        // An extension (no 1.31 recording has it): the service is read first.
        Command::DrainDestination { key, .. } => {
            vec![format!("GET_SERVICE {}", key_text(key)), "GET_DEST".into()]
        }
        Command::SetTimeouts(t) => vec![format!(
            "SET_CONFIG tcp={} tcpfin={} udp={}",
            t.tcp, t.tcp_fin, t.udp
        )],
        Command::StartDaemon(d) => {
            let mut s = format!(
                "NEW_DAEMON state={} syncid={} ifn={}",
                d.state.to_raw(),
                d.syncid,
                d.mcast_ifn
            );
            if d.sync_maxlen != 0 {
                s += &format!(" maxlen={}", d.sync_maxlen);
            }
            if d.mcast_port != 0 {
                s += &format!(" mport={}", d.mcast_port);
            }
            if d.mcast_ttl != 0 {
                s += &format!(" ttl={}", d.mcast_ttl);
            }
            if let Some(g) = d.mcast_group {
                s += &format!(" group={g}");
            }
            vec![s]
        }
        Command::StopDaemon { state, syncid } => {
            vec![format!(
                "DEL_DAEMON state={} syncid={syncid}",
                state.to_raw()
            )]
        }
        Command::Save { .. } => vec!["GET_SERVICE".into()],
        Command::Restore | Command::Help | Command::Version => vec![],
    }
}

/// What the recorded run did, as far as parsing decides it.
#[derive(Debug, PartialEq)]
struct Outcome {
    rc: i32,
    stderr: String,
    requests: Vec<String>,
}

const CONN_FILE_ERROR: &[u8] = b"cannot open file /proc/net/ip_vs_conn\n";

/// Runs one command line as ipvsadm would against an empty fake kernel.
fn simulate(args: &[Vec<u8>], stdin: Option<&[u8]>) -> Outcome {
    let config = ParseConfig::default();
    let mut out = Outcome {
        rc: 0,
        stderr: String::new(),
        requests: Vec::new(),
    };
    match parse_args(args, &config, &FixedResolver) {
        Err(e) => {
            out.rc = e.exit_code();
            out.stderr = e.message_lossy();
        }
        Ok(Command::Restore) => {
            let input = stdin.unwrap_or(b"");
            for line in RestoreReader::new(input, &args[0], RestoreOptions::default()) {
                let line = line.unwrap();
                match line.parse_using(&config, &FixedResolver) {
                    Ok(Command::Help | Command::Version) => {
                        out.rc = 0;
                        break;
                    }
                    Ok(Command::List(l)) if l.what == ListWhat::Connections => {
                        out.rc = 1;
                        out.stderr += &String::from_utf8_lossy(CONN_FILE_ERROR);
                        break;
                    }
                    Ok(cmd) => {
                        out.rc = 0;
                        out.requests.extend(requests(&cmd));
                    }
                    Err(e) => {
                        out.rc = e.exit_code();
                        out.stderr += &e.message_lossy();
                        if e.ends_restore() {
                            break;
                        }
                    }
                }
            }
        }
        Ok(Command::List(l)) if l.what == ListWhat::Connections => {
            out.rc = 1;
            out.stderr = String::from_utf8_lossy(CONN_FILE_ERROR).into_owned();
        }
        Ok(cmd) => out.requests = requests(&cmd),
    }
    out
}

/// Cases where we knowingly differ, with the reason.
const KNOWN_DIFFERENCES: &[(&[u8], &str)] = &[(
    b"-s\xffrr",
    "the model keeps scheduler names as String: a non-UTF-8 name is sent \
     with U+FFFD instead of its bytes (the kernel knows neither)",
)];

#[test]
fn parser_matches_the_reference_ipvsadm() {
    let cases = cases();
    assert!(cases.len() >= 500, "only {} cases", cases.len());
    let mut failures = Vec::new();
    for case in &cases {
        if case
            .args
            .iter()
            .any(|a| KNOWN_DIFFERENCES.iter().any(|(arg, _)| a == arg))
        {
            continue;
        }
        let expected = Outcome {
            rc: case.rc,
            stderr: String::from_utf8_lossy(&case.stderr).into_owned(),
            requests: case.requests.clone(),
        };
        let got = simulate(&case.args, case.stdin.as_deref());
        if got != expected {
            let args: Vec<String> = case.args[1..]
                .iter()
                .map(|a| String::from_utf8_lossy(a).into_owned())
                .collect();
            failures.push(format!(
                "{args:?}\n  expected {expected:?}\n  got      {got:?}"
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn error_bytes_are_exact() {
    // Messages echo arguments byte for byte, even when not UTF-8.
    for case in cases().iter().filter(|c| c.rc != 0 && c.stdin.is_none()) {
        let Err(e) = parse_args(&case.args, &ParseConfig::default(), &FixedResolver) else {
            continue;
        };
        assert_eq!(e.message, case.stderr, "{:?}", case.args);
    }
}
