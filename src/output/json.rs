//! `-L --json` (an extension of ipvsadm 1.31): every listing as one JSON
//! document, for monitoring scripts and exporters.
//!
//! The document always has every field, whatever `--stats`, `--rate`,
//! `--thresholds`, `--persistent-conn`, `--tun-info`, `-n` or `--exact` say:
//! numbers are exact (never scaled with K/M/G, 64-bit counters in full),
//! addresses are numeric strings (as `inet_ntop` writes them), ports are
//! numbers. Services and real servers are in ipvsadm's order unless
//! `opts.sort` is off (`--nosort`). The field names are part of the
//! interface and are listed in the man page (`JSON OUTPUT`); fields may be
//! added, never renamed or removed.
//!
//! Each writer prints one compact document and a newline. Every document
//! starts with `"json_schema_version"` ([`JSON_SCHEMA_VERSION`]), the
//! version of `doc/ipvsadm.schema.json` (a JSON Schema of all four kinds of
//! document) that it follows; the README's "JSON" section says when the
//! version changes.

use std::io::{self, Write};

use serde::Serialize;

use ipvs::model::{
    AddressFamily, DestinationEntry, ForwardMethod, KernelInfo, Netmask, ServiceEntry,
    ServiceFlags, ServiceKey, Stats, SyncDaemon, Timeouts,
};

use super::connections::ConnectionEntry;
use super::list::{forward_name, has_scheduler_flags, pe_name, scheduler_flags, tunnel_flag_index};
use super::names::inet_ntop;
use super::sort::{destination_order, service_order};
use super::ServiceListing;

/// `-L --json` and `-L -t|-u|-f SERVICE --json`: the kernel's IPVS version,
/// its connection table size and the services (one, or all) with their real
/// servers. `services` is in kernel order; it is sorted here unless `!sort`.
pub fn write_list_json(
    w: &mut dyn Write,
    info: &KernelInfo,
    services: &[ServiceListing],
    sort: bool,
) -> io::Result<()> {
    let (major, minor, patch) = info.version_triple();
    let document = ListDocument {
        version: format!("{major}.{minor}.{patch}"),
        conn_table_size: info.conn_table_size,
        services: service_order(services, sort)
            .into_iter()
            .map(|i| JsonService::new(&services[i], sort))
            .collect(),
    };
    write_document(w, &document)
}

/// `-L -c --json`: the connection table, in the kernel's order.
pub fn write_connections_json(w: &mut dyn Write, conns: &[ConnectionEntry]) -> io::Result<()> {
    let document = ConnectionsDocument {
        connections: conns.iter().map(JsonConnection::new).collect(),
    };
    write_document(w, &document)
}

/// `-L --timeout --json`: the three protocol timeouts in seconds.
pub fn write_timeouts_json(w: &mut dyn Write, timeouts: &Timeouts) -> io::Result<()> {
    let document = TimeoutsDocument {
        tcp: timeouts.tcp,
        tcp_fin: timeouts.tcp_fin,
        udp: timeouts.udp,
    };
    write_document(w, &document)
}

/// `-L --daemon --json`: the running sync daemons (an empty list when none runs).
pub fn write_daemons_json(w: &mut dyn Write, daemons: &[SyncDaemon]) -> io::Result<()> {
    let document = DaemonsDocument {
        daemons: daemons.iter().map(JsonDaemon::new).collect(),
    };
    write_document(w, &document)
}

/// The version of the JSON schema (`doc/ipvsadm.schema.json`) every
/// document follows, its first field `json_schema_version` (as nft's
/// `metainfo.json_schema_version`). Raised whenever the schema changes.
pub const JSON_SCHEMA_VERSION: u32 = 1;

/// A document with the schema version in front of its own fields.
#[derive(Serialize)]
struct Versioned<'a, T: Serialize> {
    json_schema_version: u32,
    #[serde(flatten)]
    document: &'a T,
}

fn write_document(w: &mut dyn Write, document: &impl Serialize) -> io::Result<()> {
    let versioned = Versioned {
        json_schema_version: JSON_SCHEMA_VERSION,
        document,
    };
    let mut bytes = serde_json::to_vec(&versioned).map_err(io::Error::from)?;
    bytes.push(b'\n');
    w.write_all(&bytes)
}

#[derive(Serialize)]
struct ListDocument<'a> {
    version: String,
    conn_table_size: u32,
    services: Vec<JsonService<'a>>,
}

#[derive(Serialize)]
struct JsonService<'a> {
    /// `ipv4` or `ipv6`.
    family: &'static str,
    /// `TCP`, `UDP` or `SCTP`; null for a firewall-mark service.
    protocol: Option<&'static str>,
    /// Null for a firewall-mark service.
    address: Option<String>,
    /// Null for a firewall-mark service.
    port: Option<u16>,
    /// Null for an address service.
    fwmark: Option<u32>,
    scheduler: &'a str,
    /// Names as `-b` takes them (`sh-port`, `flag-3`, ...).
    scheduler_flags: Vec<String>,
    persistent: bool,
    /// Persistence timeout in seconds (as the kernel has it; meaningful
    /// when `persistent`).
    timeout: u32,
    /// As `-M` takes it: a dotted mask for IPv4, a prefix length for IPv6.
    netmask: String,
    /// Persistence engine, or null.
    pe: Option<&'a str>,
    one_packet: bool,
    stats: JsonStats,
    rates: JsonRates,
    destinations: Vec<JsonDestination>,
}

impl<'a> JsonService<'a> {
    fn new(listing: &'a ServiceListing, sort: bool) -> Self {
        let entry: &ServiceEntry = &listing.entry;
        let config = &entry.service.config;
        let family = entry.service.key.family();
        let (protocol, address, port, fwmark) = match &entry.service.key {
            ServiceKey::Addr {
                protocol,
                addr,
                port,
            } => (
                Some(protocol.upper_name()),
                Some(inet_ntop(addr)),
                Some(*port),
                None,
            ),
            ServiceKey::Fwmark { mark, .. } => (None, None, None, Some(*mark)),
        };
        let scheduler_flags = if has_scheduler_flags(config.flags) {
            // As the text listing names them: for sh and mh, flag 3 has no
            // name and is left out (an empty name is not one).
            scheduler_flags(&config.scheduler, config.flags)
                .split(',')
                .filter(|name| !name.is_empty())
                .map(str::to_string)
                .collect()
        } else {
            Vec::new()
        };
        JsonService {
            family: family_name(family),
            protocol,
            address,
            port,
            fwmark,
            scheduler: &config.scheduler,
            scheduler_flags,
            persistent: config.flags.contains(ServiceFlags::PERSISTENT),
            timeout: config.timeout,
            netmask: match config.netmask {
                Netmask::Ipv4(mask) => mask.to_string(),
                Netmask::Ipv6(prefix) => prefix.to_string(),
            },
            pe: pe_name(entry),
            one_packet: config.flags.contains(ServiceFlags::ONEPACKET),
            stats: JsonStats::new(&entry.stats),
            rates: JsonRates::new(&entry.stats),
            destinations: destination_order(&listing.destinations, sort)
                .into_iter()
                .map(|i| JsonDestination::new(&listing.destinations[i]))
                .collect(),
        }
    }
}

fn family_name(family: AddressFamily) -> &'static str {
    match family {
        AddressFamily::Inet => "ipv4",
        AddressFamily::Inet6 => "ipv6",
    }
}

#[derive(Serialize)]
struct JsonStats {
    conns: u64,
    in_pkts: u64,
    out_pkts: u64,
    in_bytes: u64,
    out_bytes: u64,
}

impl JsonStats {
    fn new(stats: &Stats) -> Self {
        JsonStats {
            conns: stats.conns,
            in_pkts: stats.inpkts,
            out_pkts: stats.outpkts,
            in_bytes: stats.inbytes,
            out_bytes: stats.outbytes,
        }
    }
}

#[derive(Serialize)]
struct JsonRates {
    cps: u64,
    in_pps: u64,
    out_pps: u64,
    in_bps: u64,
    out_bps: u64,
}

impl JsonRates {
    fn new(stats: &Stats) -> Self {
        JsonRates {
            cps: stats.cps,
            in_pps: stats.inpps,
            out_pps: stats.outpps,
            in_bps: stats.inbps,
            out_bps: stats.outbps,
        }
    }
}

#[derive(Serialize)]
struct JsonDestination {
    family: &'static str,
    address: String,
    port: u16,
    /// `Route`, `Masq`, `Tunnel`, `Local` or `Bypass`.
    forward: &'static str,
    weight: i32,
    upper_threshold: u32,
    lower_threshold: u32,
    active_conns: u32,
    inactive_conns: u32,
    persistent_conns: u32,
    /// Null unless `forward` is `Tunnel`.
    tunnel: Option<JsonTunnel>,
    stats: JsonStats,
    rates: JsonRates,
}

impl JsonDestination {
    fn new(dest: &DestinationEntry) -> Self {
        let d = &dest.destination;
        let config = &d.config;
        JsonDestination {
            family: family_name(d.family()),
            address: inet_ntop(&d.addr),
            port: d.port,
            // `Bypass`, which ipvsadm 1.31 lists as `(null)`, gets a name.
            forward: forward_name(config.forward).unwrap_or("Bypass"),
            weight: config.weight,
            upper_threshold: config.upper_threshold,
            lower_threshold: config.lower_threshold,
            active_conns: dest.active_conns,
            inactive_conns: dest.inactive_conns,
            persistent_conns: dest.persistent_conns,
            tunnel: (config.forward == ForwardMethod::Tunnel).then(|| JsonTunnel {
                kind: config.tunnel_type.name(),
                port: config.tunnel_port,
                checksum: ["nocsum", "csum", "remcsum"][tunnel_flag_index(config.tunnel_flags)],
            }),
            stats: JsonStats::new(&dest.stats),
            rates: JsonRates::new(&dest.stats),
        }
    }
}

#[derive(Serialize)]
struct JsonTunnel {
    /// `ipip`, `gue` or `gre`.
    #[serde(rename = "type")]
    kind: &'static str,
    /// GUE destination port (0 when not set).
    port: u16,
    /// `nocsum`, `csum` or `remcsum`, as the `--tun-*` options name them.
    checksum: &'static str,
}

#[derive(Serialize)]
struct ConnectionsDocument<'a> {
    connections: Vec<JsonConnection<'a>>,
}

#[derive(Serialize)]
struct JsonConnection<'a> {
    /// As the kernel names it: `TCP`, `UDP`, `SCTP`, ...
    protocol: &'a str,
    client_address: String,
    client_port: u16,
    virtual_address: String,
    virtual_port: u16,
    destination_address: String,
    destination_port: u16,
    state: &'a str,
    /// Seconds until the entry expires.
    expires: u32,
    pe_name: Option<&'a str>,
    pe_data: Option<&'a str>,
}

impl<'a> JsonConnection<'a> {
    fn new(conn: &'a ConnectionEntry) -> Self {
        JsonConnection {
            protocol: &conn.protocol,
            client_address: inet_ntop(&conn.client_addr),
            client_port: conn.client_port,
            virtual_address: inet_ntop(&conn.virtual_addr),
            virtual_port: conn.virtual_port,
            destination_address: inet_ntop(&conn.dest_addr),
            destination_port: conn.dest_port,
            state: &conn.state,
            expires: conn.expires,
            pe_name: conn.pe_name.as_deref(),
            pe_data: conn.pe_data.as_deref(),
        }
    }
}

#[derive(Serialize)]
struct TimeoutsDocument {
    tcp: u32,
    tcp_fin: u32,
    udp: u32,
}

#[derive(Serialize)]
struct DaemonsDocument<'a> {
    daemons: Vec<JsonDaemon<'a>>,
}

#[derive(Serialize)]
struct JsonDaemon<'a> {
    /// `master` or `backup`.
    state: &'static str,
    mcast_interface: &'a str,
    syncid: u32,
    /// 0 when the kernel does not report it.
    sync_maxlen: u16,
    mcast_group: Option<String>,
    mcast_port: u16,
    mcast_ttl: u8,
}

impl<'a> JsonDaemon<'a> {
    fn new(daemon: &'a SyncDaemon) -> Self {
        JsonDaemon {
            state: daemon.state.name(),
            mcast_interface: &daemon.mcast_ifn,
            syncid: daemon.syncid,
            sync_maxlen: daemon.sync_maxlen,
            mcast_group: daemon.mcast_group.as_ref().map(inet_ntop),
            mcast_port: daemon.mcast_port,
            mcast_ttl: daemon.mcast_ttl,
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};

    use super::super::fixtures::{dest_entry, listing, master_daemon, tcp, KERNEL};
    use super::*;
    use ipvs::model::{DaemonState, DestinationConfig, TunnelType};

    fn service(key: ServiceKey, scheduler: &str, flags: ServiceFlags) -> ServiceListing {
        let mut s = listing(key, scheduler);
        s.entry.service.config.flags |= flags;
        s
    }

    fn dest(addr: &str, port: u16, forward: ForwardMethod, weight: i32) -> DestinationEntry {
        dest_entry(addr, port, forward, weight)
    }

    /// The schema the packages ship (doc/ipvsadm.schema.json), compiled,
    /// with address formats checked.
    fn schema() -> jsonschema::Validator {
        let schema: Value = serde_json::from_str(include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/doc/ipvsadm.schema.json"
        )))
        .unwrap();
        jsonschema::options()
            .should_validate_formats(true)
            .build(&schema)
            .unwrap()
    }

    /// One document printed by `write`, as text and value; it must follow
    /// the schema.
    fn render(write: impl FnOnce(&mut Vec<u8>) -> io::Result<()>) -> (String, Value) {
        let mut out = Vec::new();
        write(&mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.ends_with("}\n"), "{text}");
        assert_eq!(text.matches('\n').count(), 1, "one line: {text}");
        let value: Value = serde_json::from_str(&text).unwrap();
        let errors: Vec<String> = schema()
            .iter_errors(&value)
            .map(|e| e.to_string())
            .collect();
        assert!(errors.is_empty(), "{errors:?}\n{text}");
        assert_eq!(value["json_schema_version"], JSON_SCHEMA_VERSION);
        (text, value)
    }

    #[test]
    fn schema_names_this_version_and_rejects_what_we_do_not_print() {
        let schema_text = include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/doc/ipvsadm.schema.json"
        ));
        let document: Value = serde_json::from_str(schema_text).unwrap();
        assert_eq!(
            document["$defs"]["schema_version"]["const"],
            JSON_SCHEMA_VERSION
        );
        let validator = schema();
        let (_, good) = render(|w| write_timeouts_json(w, &Timeouts::default()));
        assert!(validator.is_valid(&good));
        // A document without the version, of another version, with a field
        // the schema does not have, or with a wrong type is refused.
        type Edit = Box<dyn Fn(&mut Value)>;
        let mut edits: Vec<Edit> = vec![
            Box::new(|v| {
                v.as_object_mut().unwrap().remove("json_schema_version");
            }),
            Box::new(|v| v["json_schema_version"] = json!(JSON_SCHEMA_VERSION + 1)),
            Box::new(|v| v["extra"] = json!(1)),
            Box::new(|v| v["tcp"] = json!("900")),
            Box::new(|v| v["udp"] = json!(-1)),
        ];
        for (i, edit) in edits.iter_mut().enumerate() {
            let mut bad = good.clone();
            edit(&mut bad);
            assert!(!validator.is_valid(&bad), "edit {i}: {bad}");
        }
        let (_, list) = render(|w| {
            let mut s = listing(tcp("10.0.0.3", 80), "rr");
            s.destinations = vec![dest("10.0.0.11", 80, ForwardMethod::Route, 1)];
            write_list_json(w, &KERNEL, &[s], true)
        });
        for (path, value) in [
            ("/services/0/address", json!("10.0.0.300")),
            ("/services/0/fwmark", json!(7)),
            ("/services/0/destinations/0/forward", json!("Tunnel")),
            ("/services/0/destinations/0/port", json!(65536)),
            ("/services/0/scheduler_flags", json!(["sh-port", "sh-port"])),
        ] {
            let mut bad = list.clone();
            *bad.pointer_mut(path).unwrap() = value;
            assert!(!validator.is_valid(&bad), "{path}: {bad}");
        }
    }

    fn big_stats() -> Stats {
        Stats {
            conns: 5_000_000_000,
            inpkts: 123_456_789_012,
            outpkts: 7,
            inbytes: u64::MAX,
            outbytes: 100_000_000,
            cps: 1,
            inpps: 2,
            outpps: 3,
            inbps: 4_000_000_000_000,
            outbps: 5,
        }
    }

    #[test]
    fn list_document_schema() {
        let mut web = service(tcp("10.0.0.3", 80), "sh", ServiceFlags::PERSISTENT);
        web.entry.service.config.flags |= ServiceFlags::SCHED1 | ServiceFlags::SCHED2;
        web.entry.service.config.timeout = 600;
        web.entry.service.config.netmask = Netmask::Ipv4([255, 255, 255, 0].into());
        web.entry.service.config.pe_name = Some("sip".into());
        web.entry.stats = big_stats();
        let mut tunnel = dest("10.0.0.13", 80, ForwardMethod::Tunnel, 2);
        tunnel.destination.config.tunnel_type = TunnelType::Gue;
        tunnel.destination.config.tunnel_port = 6080;
        tunnel.destination.config.tunnel_flags = DestinationConfig::TUN_FLAG_REMCSUM;
        tunnel.destination.config.upper_threshold = 100;
        tunnel.destination.config.lower_threshold = 50;
        tunnel.active_conns = 3;
        tunnel.inactive_conns = 4;
        tunnel.persistent_conns = 5;
        tunnel.stats = big_stats();
        web.destinations = vec![
            tunnel,
            dest("10.0.0.12", 8080, ForwardMethod::Masquerade, 0),
        ];
        let mark = service(
            ServiceKey::Fwmark {
                family: AddressFamily::Inet6,
                mark: 7,
            },
            "wlc",
            ServiceFlags::ONEPACKET,
        );
        let (text, v) = render(|w| write_list_json(w, &KERNEL, &[web, mark], true));
        insta::assert_snapshot!(text);

        assert!(text.starts_with("{\"json_schema_version\":1,"), "{text}");
        assert_eq!(v["version"], "1.2.1");
        assert_eq!(v["conn_table_size"], 4096);
        // ipvsadm's order: the fwmark service sorts after address services.
        let web = &v["services"][0];
        assert_eq!(web["address"], "10.0.0.3");
        assert_eq!(web["port"], 80);
        assert_eq!(web["protocol"], "TCP");
        assert_eq!(web["fwmark"], Value::Null);
        assert_eq!(web["scheduler_flags"], json!(["sh-fallback", "sh-port"]));
        assert_eq!(web["persistent"], true);
        assert_eq!(web["timeout"], 600);
        assert_eq!(web["netmask"], "255.255.255.0");
        assert_eq!(web["pe"], "sip");
        assert_eq!(web["stats"]["conns"], 5_000_000_000u64);
        assert_eq!(web["stats"]["in_bytes"], u64::MAX);
        assert_eq!(web["rates"]["in_bps"], 4_000_000_000_000u64);
        // Real servers sorted by address.
        let dests = web["destinations"].as_array().unwrap();
        assert_eq!(dests[0]["address"], "10.0.0.12");
        assert_eq!(dests[0]["forward"], "Masq");
        assert_eq!(dests[0]["tunnel"], Value::Null);
        assert_eq!(dests[1]["forward"], "Tunnel");
        assert_eq!(
            dests[1]["tunnel"],
            json!({"type": "gue", "port": 6080, "checksum": "remcsum"})
        );
        // Counters in full, not cut to 32 bits as ipvsadm 1.31 shows them.
        assert_eq!(dests[1]["stats"]["conns"], 5_000_000_000u64);
        let mark = &v["services"][1];
        assert_eq!(mark["fwmark"], 7);
        assert_eq!(mark["family"], "ipv6");
        assert_eq!(mark["address"], Value::Null);
        assert_eq!(mark["netmask"], "128");
        assert_eq!(mark["one_packet"], true);
        assert_eq!(mark["persistent"], false);
        assert_eq!(mark["destinations"], json!([]));
    }

    #[test]
    fn unnamed_scheduler_flag_is_no_empty_name() {
        // Found by the property test against the schema: sh with only
        // flag 3, which sh does not name.
        let s = service(tcp("10.0.0.3", 80), "sh", ServiceFlags::SCHED3);
        let (_, v) = render(|w| write_list_json(w, &KERNEL, &[s], true));
        assert_eq!(v["services"][0]["scheduler_flags"], json!([]));
        let s = service(
            tcp("10.0.0.3", 80),
            "mh",
            ServiceFlags::SCHED3 | ServiceFlags::SCHED2,
        );
        let (_, v) = render(|w| write_list_json(w, &KERNEL, &[s], true));
        assert_eq!(v["services"][0]["scheduler_flags"], json!(["mh-port"]));
    }

    #[test]
    fn nosort_keeps_kernel_order() {
        let mut a = service(tcp("192.168.0.1", 80), "rr", ServiceFlags::default());
        a.destinations = vec![
            dest("10.0.0.2", 80, ForwardMethod::Route, 1),
            dest("10.0.0.1", 80, ForwardMethod::Route, 1),
        ];
        let b = service(tcp("10.0.0.1", 80), "rr", ServiceFlags::default());
        let services = [a, b];
        let addresses = |v: &Value| -> Vec<String> {
            let mut out = Vec::new();
            for s in v["services"].as_array().unwrap() {
                out.push(s["address"].as_str().unwrap().to_string());
                for d in s["destinations"].as_array().unwrap() {
                    out.push(d["address"].as_str().unwrap().to_string());
                }
            }
            out
        };
        let (_, sorted) = render(|w| write_list_json(w, &KERNEL, &services, true));
        // ipvsadm's wrapping comparison puts 10.x after 192.168.x.
        assert_eq!(
            addresses(&sorted),
            ["192.168.0.1", "10.0.0.1", "10.0.0.2", "10.0.0.1"]
        );
        let (_, unsorted) = render(|w| write_list_json(w, &KERNEL, &services, false));
        assert_eq!(
            addresses(&unsorted),
            ["192.168.0.1", "10.0.0.2", "10.0.0.1", "10.0.0.1"]
        );
    }

    #[test]
    fn ipv6_addresses_as_inet_ntop_writes_them() {
        let mut s = service(tcp("::10.0.0.1", 443), "rr", ServiceFlags::default());
        s.destinations = vec![dest("2001:db8::1:2", 443, ForwardMethod::Masquerade, 1)];
        let (_, v) = render(|w| write_list_json(w, &KERNEL, &[s], true));
        assert_eq!(v["services"][0]["address"], "::10.0.0.1");
        assert_eq!(v["services"][0]["family"], "ipv6");
        assert_eq!(
            v["services"][0]["destinations"][0]["address"],
            "2001:db8::1:2"
        );
    }

    #[test]
    fn connections_document() {
        let conns = crate::output::parse_connections(
            "Pro FromIP   FPrt ToIP     TPrt DestIP   DPrt State       Expires PEName PEData\n\
             TCP C0A80A01 9C40 0A000003 0050 0A00000B 0050 ESTABLISHED     893\n\
             UDP 2001:0db8:0000:0000:0000:0000:0000:0002 13C4 2001:0db8:0000:0000:0000:0000:0000:0001 13C4 2001:0db8:0000:0000:0000:0000:0001:0002 13C4 NONE 170 sip abc@host\n",
        )
        .unwrap();
        let (text, v) = render(|w| write_connections_json(w, &conns));
        insta::assert_snapshot!(text);
        let c = &v["connections"];
        assert_eq!(c[0]["protocol"], "TCP");
        assert_eq!(c[0]["client_address"], "192.168.10.1");
        assert_eq!(c[0]["client_port"], 40000);
        assert_eq!(c[0]["virtual_address"], "10.0.0.3");
        assert_eq!(c[0]["destination_address"], "10.0.0.11");
        assert_eq!(c[0]["expires"], 893);
        assert_eq!(c[0]["pe_name"], Value::Null);
        assert_eq!(c[1]["client_address"], "2001:db8::2");
        assert_eq!(c[1]["destination_port"], 5060);
        assert_eq!(c[1]["pe_name"], "sip");
        assert_eq!(c[1]["pe_data"], "abc@host");
        let (_, empty) = render(|w| write_connections_json(w, &[]));
        assert_eq!(empty, json!({"json_schema_version": 1, "connections": []}));
    }

    #[test]
    fn timeouts_and_daemons_documents() {
        let t = Timeouts {
            tcp: 900,
            tcp_fin: 120,
            udp: 300,
        };
        let (_, v) = render(|w| write_timeouts_json(w, &t));
        assert_eq!(
            v,
            json!({"json_schema_version": 1, "tcp": 900, "tcp_fin": 120, "udp": 300})
        );

        let daemons = [
            master_daemon(),
            SyncDaemon {
                state: DaemonState::Backup,
                mcast_ifn: "eth1".into(),
                syncid: 0,
                sync_maxlen: 0,
                mcast_group: None,
                mcast_port: 0,
                mcast_ttl: 0,
            },
        ];
        let (_, v) = render(|w| write_daemons_json(w, &daemons));
        assert_eq!(
            v,
            json!({"json_schema_version": 1, "daemons": [
                {"state": "master", "mcast_interface": "eth0", "syncid": 1, "sync_maxlen": 1472,
                 "mcast_group": "224.0.0.81", "mcast_port": 8848, "mcast_ttl": 1},
                {"state": "backup", "mcast_interface": "eth1", "syncid": 0, "sync_maxlen": 0,
                 "mcast_group": null, "mcast_port": 0, "mcast_ttl": 0}
            ]})
        );
        let (_, none) = render(|w| write_daemons_json(w, &[]));
        assert_eq!(none, json!({"json_schema_version": 1, "daemons": []}));
    }

    #[test]
    fn closed_stream_is_an_error_not_a_panic() {
        struct Closed;
        impl Write for Closed {
            fn write(&mut self, _: &[u8]) -> io::Result<usize> {
                Err(io::ErrorKind::BrokenPipe.into())
            }
            fn flush(&mut self) -> io::Result<()> {
                Ok(())
            }
        }
        let t = Timeouts::default();
        assert!(write_timeouts_json(&mut Closed, &t).is_err());
        assert!(write_list_json(&mut Closed, &KERNEL, &[], true).is_err());
    }
}
