//! Does a `--json` document carry the same information as a text listing?
//!
//! [`check`] reads the reference ipvsadm's text output of a listing (`-L`
//! in any format, one service, `-c`, `--timeout`, `--daemon`) and our JSON
//! document of the same listing, and reports every difference. The text must
//! be numeric (`-n`) and, for `--stats` and `--rate`, exact (`--exact`), so
//! that every value in it can be read back; the JSON comes from
//! `ipvsadm ... --json` (without `-n`/`--exact`: JSON is always both).
//!
//! Every value the text shows is compared; JSON fields the text format does
//! not show are not. ipvsadm 1.31 shows some real-server counters cut to 32
//! bits (see `as_shown_by_ipvsadm` in src/output/list.rs); those are
//! compared modulo 2^32.
//!
//! [`check`] also validates the JSON against the schema the packages ship,
//! `doc/ipvsadm.schema.json` ([`check_schema`]).
//!
//! The functions depend only on `serde_json`, `jsonschema` (dev-dependencies)
//! and the standard library, so any test crate can include this module
//! (`mod json_text;`).

#![allow(dead_code)]

use std::net::IpAddr;
use std::sync::OnceLock;

use serde_json::Value;

/// The JSON Schema of every `--json` document, as shipped.
pub const SCHEMA_PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/doc/ipvsadm.schema.json");

/// The shipped schema, compiled once, with the `format`s (addresses)
/// checked too.
fn schema_validator() -> &'static jsonschema::Validator {
    static VALIDATOR: OnceLock<jsonschema::Validator> = OnceLock::new();
    VALIDATOR.get_or_init(|| {
        let text =
            std::fs::read_to_string(SCHEMA_PATH).unwrap_or_else(|e| panic!("{SCHEMA_PATH}: {e}"));
        let schema: Value =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{SCHEMA_PATH}: {e}"));
        jsonschema::options()
            .should_validate_formats(true)
            .build(&schema)
            .unwrap_or_else(|e| panic!("{SCHEMA_PATH} is not a valid JSON Schema: {e}"))
    })
}

/// Whether `document` follows `doc/ipvsadm.schema.json`; `Err` lists every
/// violation, one per line, with where it is.
pub fn check_schema(document: &Value) -> Result<(), String> {
    let problems: Vec<String> = schema_validator()
        .iter_errors(document)
        .map(|e| format!("schema: at {:?}: {e}", e.instance_path.to_string()))
        .collect();
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!("{}\n{document}", problems.join("\n")))
    }
}

/// Every document in `text` (one or more, as a writer prints them) must
/// follow the schema; panics with the violations otherwise.
pub fn assert_schema(text: &[u8]) {
    for document in serde_json::Deserializer::from_slice(text).into_iter::<Value>() {
        let document = document.unwrap_or_else(|e| panic!("not JSON: {e}"));
        if let Err(problems) = check_schema(&document) {
            panic!("{problems}");
        }
    }
}

/// Which numbers may differ between the text and the JSON, for listings
/// taken one after the other on a live table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Masking {
    /// Everything must be equal (a table without traffic).
    Exact,
    /// Connection expiry times are not compared (like the test bed's `~`).
    Timers,
    /// Nothing that traffic changes is compared: counters, rates,
    /// active/inactive/persistent connection counts and expiry times (like
    /// the test bed's `~~`). Configuration, addresses and order still are.
    Volatile,
}

/// Compares the reference's text listing with our JSON document of the same
/// listing; `Err` lists every difference found, one per line.
pub fn check(reference_text: &str, our_json: &str, masking: Masking) -> Result<(), String> {
    let json: Value = serde_json::from_str(our_json)
        .map_err(|e| format!("our output is not one JSON document: {e}\n{our_json}"))?;
    let mut report = Report::default();
    if let Err(problems) = check_schema(&json) {
        report.fail(problems);
    }
    let first = reference_text.lines().next().unwrap_or("");
    if first.starts_with("IP Virtual Server version") || first.starts_with("Prot LocalAddress") {
        check_services(reference_text, &json, masking, &mut report);
    } else if first == "IPVS connection entries" {
        check_connections(reference_text, &json, masking, &mut report);
    } else if first.starts_with("Timeout (tcp tcpfin udp):") {
        check_timeouts(first, &json, &mut report);
    } else if reference_text.is_empty() || first.contains(" sync daemon (") {
        check_daemons(reference_text, &json, &mut report);
    } else {
        report.fail(format!("unknown listing: {first:?}"));
    }
    report.finish()
}

/// Differences found so far, each with where it is.
#[derive(Default)]
struct Report {
    problems: Vec<String>,
}

impl Report {
    fn fail(&mut self, problem: impl Into<String>) {
        self.problems.push(problem.into());
    }

    /// The JSON value at `path` in `value` must be `expected`.
    fn expect(&mut self, value: &Value, path: &str, field: &str, expected: impl Into<Value>) {
        let expected = expected.into();
        let actual = &value[field];
        if *actual != expected {
            self.fail(format!(
                "{path}.{field}: text says {expected}, JSON has {actual}"
            ));
        }
    }

    /// A JSON number that the text shows (maybe cut to 32 bits).
    fn expect_number(&mut self, value: &Value, path: &str, field: &str, text: &str, cut: bool) {
        let Some(shown) = parse_u64(text) else {
            self.fail(format!(
                "{path}.{field}: text value {text:?} is not a number (use -n --exact)"
            ));
            return;
        };
        match value[field].as_u64() {
            Some(n) if (if cut { n & 0xffff_ffff } else { n }) == shown => {}
            _ => self.fail(format!(
                "{path}.{field}: text says {shown}{}, JSON has {}",
                if cut { " (mod 2^32)" } else { "" },
                value[field]
            )),
        }
    }

    /// A 32-bit JSON number that ipvsadm prints with `%d` (so values of
    /// 2^31 and more show negative).
    fn expect_c_int(&mut self, value: &Value, path: &str, field: &str, text: &str) {
        let Ok(shown) = text.parse::<i32>() else {
            self.fail(format!(
                "{path}.{field}: text value {text:?} is not a number"
            ));
            return;
        };
        match value[field].as_u64().and_then(|n| u32::try_from(n).ok()) {
            Some(n) if n as i32 == shown => {}
            _ => self.fail(format!(
                "{path}.{field}: text says {shown} (%d), JSON has {}",
                value[field]
            )),
        }
    }

    fn finish(self) -> Result<(), String> {
        if self.problems.is_empty() {
            Ok(())
        } else {
            Err(self.problems.join("\n"))
        }
    }
}

fn parse_u64(text: &str) -> Option<u64> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// `10.0.0.1:80` or `[2001:db8::1]:80`.
fn parse_addr_port(text: &str) -> Option<(IpAddr, u16)> {
    let (host, port) = text.rsplit_once(':')?;
    let host = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    Some((host.parse().ok()?, port.parse().ok()?))
}

/// Whether a JSON address string is the same address as `addr`.
fn same_address(value: &Value, addr: &IpAddr) -> bool {
    value
        .as_str()
        .and_then(|s| s.parse::<IpAddr>().ok())
        .is_some_and(|a| a == *addr)
}

fn expect_address(
    report: &mut Report,
    value: &Value,
    path: &str,
    (addr_field, port_field): (&str, &str),
    text: &str,
) {
    let Some((addr, port)) = parse_addr_port(text) else {
        report.fail(format!(
            "{path}: text address {text:?} is not numeric (use -n)"
        ));
        return;
    };
    if !same_address(&value[addr_field], &addr) {
        report.fail(format!(
            "{path}.{addr_field}: text says {addr}, JSON has {}",
            value[addr_field]
        ));
    }
    report.expect(value, path, port_field, port);
}

/// The column layout of a service listing, from its title lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Default,
    Stats,
    Rate,
    Thresholds,
    PersistentConn,
    TunInfo,
}

impl Format {
    fn from_titles(first: &str, second: &str) -> Option<Format> {
        let words: Vec<&str> = first.split_whitespace().collect();
        Some(match words.get(2).copied() {
            Some("Conns") => Format::Stats,
            Some("CPS") => Format::Rate,
            Some("Uthreshold") => Format::Thresholds,
            Some("Weight") => Format::PersistentConn,
            Some("Scheduler") if second.contains("TunnelInfo") => Format::TunInfo,
            Some("Scheduler") => Format::Default,
            _ => return None,
        })
    }
}

fn check_services(text: &str, json: &Value, masking: Masking, report: &mut Report) {
    let mut lines = text.lines().peekable();
    if let Some(version_line) = lines.next_if(|l| l.starts_with("IP Virtual Server version")) {
        // `IP Virtual Server version 1.2.1 (size=4096)`
        let rest = version_line.trim_start_matches("IP Virtual Server version ");
        match rest.split_once(" (size=") {
            Some((version, size)) => {
                report.expect(json, "", "version", version);
                report.expect_number(
                    json,
                    "",
                    "conn_table_size",
                    size.trim_end_matches(')'),
                    false,
                );
            }
            None => report.fail(format!("unreadable version line {version_line:?}")),
        }
    }
    let (Some(title1), Some(title2)) = (lines.next(), lines.next()) else {
        report.fail("text has no column titles");
        return;
    };
    let Some(format) = Format::from_titles(title1, title2) else {
        report.fail(format!("unknown column titles {title1:?}"));
        return;
    };
    let empty = Vec::new();
    let services = json["services"].as_array().unwrap_or(&empty);
    let mut index = 0;
    while let Some(service_line) = lines.next() {
        let path = format!("services[{index}]");
        let Some(service) = services.get(index) else {
            report.fail(format!(
                "{path}: in the text ({service_line:?}), not in the JSON"
            ));
            return;
        };
        check_service_line(service_line, service, &path, format, masking, report);
        let empty = Vec::new();
        let dests = service["destinations"].as_array().unwrap_or(&empty);
        let mut d = 0;
        while let Some(dest_line) = lines.next_if(|l| l.starts_with("  -> ")) {
            let dpath = format!("{path}.destinations[{d}]");
            match dests.get(d) {
                Some(dest) => {
                    check_destination_line(dest_line, dest, &dpath, format, masking, report)
                }
                None => report.fail(format!(
                    "{dpath}: in the text ({dest_line:?}), not in the JSON"
                )),
            }
            d += 1;
        }
        if dests.len() > d {
            report.fail(format!(
                "{path}: JSON has {} real servers, text {d}",
                dests.len()
            ));
        }
        index += 1;
    }
    if services.len() > index {
        report.fail(format!(
            "JSON has {} services, text {index}",
            services.len()
        ));
    }
}

/// The service part of a service line; returns the words after it.
fn check_service_label<'a>(
    words: &'a [&'a str],
    service: &Value,
    path: &str,
    report: &mut Report,
) -> &'a [&'a str] {
    match words {
        ["FWM", mark, rest @ ..] => {
            report.expect_c_int(service, path, "fwmark", mark);
            report.expect(service, path, "protocol", Value::Null);
            match rest {
                ["IPv6", rest @ ..] => {
                    report.expect(service, path, "family", "ipv6");
                    rest
                }
                _ => {
                    report.expect(service, path, "family", "ipv4");
                    rest
                }
            }
        }
        [protocol, address, rest @ ..] => {
            report.expect(service, path, "protocol", *protocol);
            report.expect(service, path, "fwmark", Value::Null);
            expect_address(report, service, path, ("address", "port"), address);
            let family = if address.starts_with('[') {
                "ipv6"
            } else {
                "ipv4"
            };
            report.expect(service, path, "family", family);
            rest
        }
        _ => {
            report.fail(format!("{path}: unreadable service line {words:?}"));
            &[]
        }
    }
}

fn check_service_line(
    line: &str,
    service: &Value,
    path: &str,
    format: Format,
    masking: Masking,
    report: &mut Report,
) {
    let words: Vec<&str> = line.split_whitespace().collect();
    let rest = check_service_label(&words, service, path, report);
    match format {
        Format::Stats | Format::Rate => {
            let (object, fields) = if format == Format::Stats {
                (
                    "stats",
                    ["conns", "in_pkts", "out_pkts", "in_bytes", "out_bytes"],
                )
            } else {
                ("rates", ["cps", "in_pps", "out_pps", "in_bps", "out_bps"])
            };
            if rest.len() != 5 {
                report.fail(format!("{path}: expected 5 numbers in {line:?}"));
                return;
            }
            if masking != Masking::Volatile {
                let opath = format!("{path}.{object}");
                for (field, text) in fields.iter().zip(rest) {
                    report.expect_number(&service[object], &opath, field, text, false);
                }
            }
        }
        _ => check_service_config(rest, service, path, report),
    }
}

/// `SCHED [(FLAGS)] [persistent T [mask M] [pe P]] [ops]`.
fn check_service_config(words: &[&str], service: &Value, path: &str, report: &mut Report) {
    let Some((scheduler, mut rest)) = words.split_first() else {
        report.fail(format!("{path}: no scheduler in the text"));
        return;
    };
    report.expect(service, path, "scheduler", *scheduler);
    let mut flags: Vec<Value> = Vec::new();
    if let Some(first) = rest.first().filter(|w| w.starts_with('(')) {
        let names = first.trim_start_matches('(').trim_end_matches(')');
        flags = names.split(',').map(Value::from).collect();
        rest = &rest[1..];
    }
    report.expect(service, path, "scheduler_flags", flags);
    let mut persistent = false;
    let mut mask: Option<&str> = None;
    let mut pe: Option<&str> = None;
    let mut ops = false;
    let mut i = 0;
    while i < rest.len() {
        match (rest[i], rest.get(i + 1)) {
            ("persistent", Some(timeout)) => {
                persistent = true;
                report.expect_number(service, path, "timeout", timeout, false);
                i += 2;
            }
            ("mask", Some(m)) => {
                mask = Some(m);
                i += 2;
            }
            ("pe", Some(p)) => {
                pe = Some(p);
                i += 2;
            }
            ("ops", _) => {
                ops = true;
                i += 1;
            }
            (word, _) => {
                report.fail(format!(
                    "{path}: unexpected word {word:?} in the service line"
                ));
                i += 1;
            }
        }
    }
    report.expect(service, path, "persistent", persistent);
    report.expect(service, path, "one_packet", ops);
    if persistent {
        // Text shows the mask only when it is not the family's full mask,
        // and the engine only when there is one.
        let default_mask = if service["family"] == "ipv6" {
            "128"
        } else {
            "255.255.255.255"
        };
        report.expect(service, path, "netmask", mask.unwrap_or(default_mask));
        report.expect(service, path, "pe", pe.map_or(Value::Null, Value::from));
    }
}

fn check_destination_line(
    line: &str,
    dest: &Value,
    path: &str,
    format: Format,
    masking: Masking,
    report: &mut Report,
) {
    let words: Vec<&str> = line["  -> ".len()..].split_whitespace().collect();
    let Some((address, columns)) = words.split_first() else {
        report.fail(format!("{path}: empty real-server line"));
        return;
    };
    expect_address(report, dest, path, ("address", "port"), address);
    let volatile = masking == Masking::Volatile;
    let want = match format {
        Format::TunInfo | Format::Stats | Format::Rate => 5,
        Format::Default | Format::Thresholds | Format::PersistentConn => 4,
    };
    if columns.len() != want {
        report.fail(format!("{path}: expected {want} columns in {line:?}"));
        return;
    }
    let conns = |report: &mut Report, active: &str, inactive: &str| {
        if !volatile {
            report.expect_number(dest, path, "active_conns", active, false);
            report.expect_number(dest, path, "inactive_conns", inactive, false);
        }
    };
    match format {
        Format::Default => {
            expect_forward(report, dest, path, columns[0]);
            report.expect_number(dest, path, "weight", columns[1], false);
            conns(report, columns[2], columns[3]);
        }
        Format::TunInfo => {
            expect_forward(report, dest, path, columns[0]);
            expect_tunnel(report, dest, path, columns[1]);
            report.expect_number(dest, path, "weight", columns[2], false);
            conns(report, columns[3], columns[4]);
        }
        Format::Thresholds => {
            report.expect_number(dest, path, "upper_threshold", columns[0], false);
            report.expect_number(dest, path, "lower_threshold", columns[1], false);
            conns(report, columns[2], columns[3]);
        }
        Format::PersistentConn => {
            report.expect_number(dest, path, "weight", columns[0], false);
            if !volatile {
                report.expect_number(dest, path, "persistent_conns", columns[1], false);
            }
            conns(report, columns[2], columns[3]);
        }
        Format::Stats if !volatile => {
            let opath = format!("{path}.stats");
            let fields = ["conns", "in_pkts", "out_pkts", "in_bytes", "out_bytes"];
            for (i, (field, text)) in fields.iter().zip(columns).enumerate() {
                // ipvsadm 1.31 shows the first three cut to 32 bits.
                report.expect_number(&dest["stats"], &opath, field, text, i < 3);
            }
        }
        Format::Rate if !volatile => {
            let opath = format!("{path}.rates");
            let fields = ["cps", "in_pps", "out_pps", "in_bps", "out_bps"];
            for (field, text) in fields.iter().zip(columns) {
                report.expect_number(&dest["rates"], &opath, field, text, true);
            }
        }
        Format::Stats | Format::Rate => {}
    }
}

fn expect_forward(report: &mut Report, dest: &Value, path: &str, text: &str) {
    let name = if text == "(null)" { "Bypass" } else { text };
    report.expect(dest, path, "forward", name);
}

/// `n/a`, `ipip`, `gue:PORT:FLAGS` or `gre:FLAGS` (flags `-c`, `+c`, `r+c`).
fn expect_tunnel(report: &mut Report, dest: &Value, path: &str, text: &str) {
    let tunnel = &dest["tunnel"];
    let tpath = format!("{path}.tunnel");
    let checksum = |flags: &str| match flags {
        "-c" => Some("nocsum"),
        "+c" => Some("csum"),
        "r+c" => Some("remcsum"),
        _ => None,
    };
    let parts: Vec<&str> = text.split(':').collect();
    match parts.as_slice() {
        ["n/a"] => report.expect(dest, path, "tunnel", Value::Null),
        ["ipip"] => report.expect(tunnel, &tpath, "type", "ipip"),
        ["gue", port, flags] => {
            report.expect(tunnel, &tpath, "type", "gue");
            report.expect_number(tunnel, &tpath, "port", port, false);
            match checksum(flags) {
                Some(c) => report.expect(tunnel, &tpath, "checksum", c),
                None => report.fail(format!("{tpath}: unknown flags {flags:?}")),
            }
        }
        ["gre", flags] => {
            report.expect(tunnel, &tpath, "type", "gre");
            match checksum(flags) {
                Some(c) => report.expect(tunnel, &tpath, "checksum", c),
                None => report.fail(format!("{tpath}: unknown flags {flags:?}")),
            }
        }
        _ => report.fail(format!("{tpath}: unreadable tunnel info {text:?}")),
    }
}

fn check_connections(text: &str, json: &Value, masking: Masking, report: &mut Report) {
    let mut lines = text.lines();
    lines.next();
    let persistent = lines.next().is_some_and(|title| title.contains("pe name"));
    let empty = Vec::new();
    let conns = json["connections"].as_array().unwrap_or(&empty);
    let mut count = 0;
    for (i, line) in lines.enumerate() {
        count = i + 1;
        let path = format!("connections[{i}]");
        let Some(conn) = conns.get(i) else {
            report.fail(format!("{path}: in the text ({line:?}), not in the JSON"));
            continue;
        };
        let words: Vec<&str> = line.split_whitespace().collect();
        if words.len() != 6 && words.len() != 8 {
            report.fail(format!("{path}: unreadable connection line {line:?}"));
            continue;
        }
        report.expect(conn, &path, "protocol", words[0]);
        if masking == Masking::Exact {
            match words[1]
                .split_once(':')
                .and_then(|(m, s)| Some(parse_u64(m)? * 60 + parse_u64(s)?))
            {
                Some(seconds) => report.expect(conn, &path, "expires", seconds),
                None => report.fail(format!("{path}: unreadable expiry {:?}", words[1])),
            }
        }
        report.expect(conn, &path, "state", words[2]);
        expect_address(
            report,
            conn,
            &path,
            ("client_address", "client_port"),
            words[3],
        );
        expect_address(
            report,
            conn,
            &path,
            ("virtual_address", "virtual_port"),
            words[4],
        );
        expect_address(
            report,
            conn,
            &path,
            ("destination_address", "destination_port"),
            words[5],
        );
        if words.len() == 8 {
            report.expect(conn, &path, "pe_name", words[6]);
            report.expect(conn, &path, "pe_data", words[7]);
        } else if persistent && conn["pe_name"].is_string() && conn["pe_data"].is_string() {
            report.fail(format!(
                "{path}: JSON has persistence-engine data the text does not show"
            ));
        }
    }
    if conns.len() > count {
        report.fail(format!(
            "JSON has {} connections, text {count}",
            conns.len()
        ));
    }
}

/// `Timeout (tcp tcpfin udp): 900 120 300`.
fn check_timeouts(line: &str, json: &Value, report: &mut Report) {
    let values: Vec<&str> = line
        .trim_start_matches("Timeout (tcp tcpfin udp):")
        .split_whitespace()
        .collect();
    if values.len() != 3 {
        report.fail(format!("unreadable timeout line {line:?}"));
        return;
    }
    for (field, text) in ["tcp", "tcp_fin", "udp"].iter().zip(values) {
        report.expect_c_int(json, "", field, text);
    }
}

/// One line per daemon:
/// `master sync daemon (mcast=eth0, syncid=1, maxlen=1472, group=224.0.0.81, port=8848, ttl=1)`;
/// fields left out of the text are zero (or no group) in the JSON.
fn check_daemons(text: &str, json: &Value, report: &mut Report) {
    let empty = Vec::new();
    let daemons = json["daemons"].as_array().unwrap_or(&empty);
    if !json["daemons"].is_array() {
        report.fail("JSON has no daemons list");
    }
    let lines: Vec<&str> = text.lines().collect();
    if lines.len() != daemons.len() {
        report.fail(format!(
            "text lists {} daemons, JSON {}",
            lines.len(),
            daemons.len()
        ));
    }
    for (i, (line, daemon)) in lines.iter().zip(daemons).enumerate() {
        let path = format!("daemons[{i}]");
        let Some((state, rest)) = line.split_once(" sync daemon (") else {
            report.fail(format!("{path}: unreadable daemon line {line:?}"));
            continue;
        };
        report.expect(daemon, &path, "state", state);
        let mut seen = (false, false, false, false);
        for pair in rest.trim_end_matches(')').split(", ") {
            let Some((key, value)) = pair.split_once('=') else {
                report.fail(format!("{path}: unreadable {pair:?}"));
                continue;
            };
            match key {
                "mcast" => report.expect(daemon, &path, "mcast_interface", value),
                "syncid" => report.expect_c_int(daemon, &path, "syncid", value),
                "maxlen" => {
                    seen.0 = true;
                    report.expect_number(daemon, &path, "sync_maxlen", value, false);
                }
                "group" => {
                    seen.1 = true;
                    match value.parse::<IpAddr>() {
                        Ok(addr) if same_address(&daemon["mcast_group"], &addr) => {}
                        _ => report.fail(format!(
                            "{path}.mcast_group: text says {value}, JSON has {}",
                            daemon["mcast_group"]
                        )),
                    }
                }
                "port" => {
                    seen.2 = true;
                    report.expect_number(daemon, &path, "mcast_port", value, false);
                }
                "ttl" => {
                    seen.3 = true;
                    report.expect_number(daemon, &path, "mcast_ttl", value, false);
                }
                other => report.fail(format!("{path}: unknown field {other:?}")),
            }
        }
        let absent: [(bool, &str, Value); 4] = [
            (seen.0, "sync_maxlen", 0.into()),
            (seen.1, "mcast_group", Value::Null),
            (seen.2, "mcast_port", 0.into()),
            (seen.3, "mcast_ttl", 0.into()),
        ];
        for (shown, field, value) in absent {
            if !shown {
                report.expect(daemon, &path, field, value);
            }
        }
    }
}
