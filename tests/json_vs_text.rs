//! The `--json` documents against the text listings, on the host.
//!
//! Our text writers print what ipvsadm 1.31 prints (the kernel suite checks
//! that); here every listing form is rendered both ways from the same table
//! and [`json_text::check`] must find them equal, and must find the
//! difference when the JSON is changed. The kernel suite runs the same check
//! against the reference binary's own text.

mod json_text;

use std::net::IpAddr;

use ipvs::model::{
    AddressFamily, DaemonState, Destination, DestinationConfig, DestinationEntry, ForwardMethod,
    KernelInfo, Netmask, Protocol, Service, ServiceConfig, ServiceEntry, ServiceFlags, ServiceKey,
    Stats, SyncDaemon, Timeouts, TunnelType,
};
use ipvsadm::output::{self, ListFormat, ListOptions, ServiceListing};
use json_text::{check, Masking};
use serde_json::Value;

const KERNEL: KernelInfo = KernelInfo {
    version: 0x01_02_01,
    conn_table_size: 4096,
};

const FORMATS: [ListFormat; 6] = [
    ListFormat::Default,
    ListFormat::Stats,
    ListFormat::Rate,
    ListFormat::Thresholds,
    ListFormat::PersistentConn,
    ListFormat::TunInfo,
];

fn stats(seed: u64) -> Stats {
    Stats {
        conns: 5_000_000_000 + seed,
        inpkts: 123_456_789 * seed,
        outpkts: 7 + seed,
        inbytes: 1 << 40,
        outbytes: 100_000_000 + seed,
        cps: seed,
        inpps: 2 * seed,
        outpps: 3,
        inbps: 4_000_000_000_000 + seed,
        outbps: 5,
    }
}

fn service(key: ServiceKey, scheduler: &str, flags: ServiceFlags) -> ServiceListing {
    ServiceListing {
        entry: ServiceEntry {
            service: Service {
                key,
                config: ServiceConfig {
                    scheduler: scheduler.to_string(),
                    flags: ServiceFlags::HASHED | flags,
                    timeout: 0,
                    netmask: Netmask::full(key.family()),
                    pe_name: None,
                },
            },
            stats: stats(3),
        },
        destinations: Vec::new(),
    }
}

fn addr_key(protocol: Protocol, addr: &str, port: u16) -> ServiceKey {
    ServiceKey::Addr {
        protocol,
        addr: addr.parse().unwrap(),
        port,
    }
}

fn dest(addr: &str, port: u16, forward: ForwardMethod, weight: i32, seed: u64) -> DestinationEntry {
    DestinationEntry {
        destination: Destination {
            addr: addr.parse::<IpAddr>().unwrap(),
            port,
            config: DestinationConfig {
                forward,
                weight,
                upper_threshold: 100 * seed as u32,
                lower_threshold: 50 * seed as u32,
                tunnel_type: TunnelType::Ipip,
                tunnel_port: 0,
                tunnel_flags: 0,
            },
        },
        active_conns: seed as u32,
        inactive_conns: 2 * seed as u32,
        persistent_conns: 3 * seed as u32,
        stats: stats(seed),
    }
}

/// A table with every kind of service and real server.
fn table() -> Vec<ServiceListing> {
    let mut web = service(
        addr_key(Protocol::Tcp, "10.0.0.3", 80),
        "rr",
        ServiceFlags::default(),
    );
    let mut gue = dest("10.0.0.13", 80, ForwardMethod::Tunnel, 2, 3);
    gue.destination.config.tunnel_type = TunnelType::Gue;
    gue.destination.config.tunnel_port = 6080;
    gue.destination.config.tunnel_flags = DestinationConfig::TUN_FLAG_CSUM;
    let mut gre = dest("10.0.0.14", 80, ForwardMethod::Tunnel, 1, 4);
    gre.destination.config.tunnel_type = TunnelType::Gre;
    web.destinations = vec![
        dest("10.0.0.11", 80, ForwardMethod::Route, 3, 1),
        dest("10.0.0.12", 8080, ForwardMethod::Masquerade, 0, 2),
        gue,
        gre,
        dest("10.0.0.15", 80, ForwardMethod::Tunnel, 1, 5),
        dest("10.0.0.16", 80, ForwardMethod::Local, 1, 6),
        dest("10.0.0.17", 80, ForwardMethod::Bypass, 1, 7),
    ];

    let mut persistent = service(
        addr_key(Protocol::Udp, "10.0.0.4", 5060),
        "sh",
        ServiceFlags::PERSISTENT | ServiceFlags::ONEPACKET | ServiceFlags::SCHED2,
    );
    persistent.entry.service.config.timeout = 600;
    persistent.entry.service.config.netmask =
        Netmask::Ipv4(std::net::Ipv4Addr::new(255, 255, 255, 0));
    persistent.entry.service.config.pe_name = Some("sip".into());
    persistent.destinations = vec![dest("10.0.0.21", 5060, ForwardMethod::Masquerade, 1, 8)];

    let mut six = service(
        addr_key(Protocol::Sctp, "2001:db8::1", 443),
        "wlc",
        ServiceFlags::PERSISTENT,
    );
    six.entry.service.config.timeout = 360;
    six.entry.service.config.netmask = Netmask::Ipv6(64);
    six.destinations = vec![
        dest("2001:db8::1:2", 443, ForwardMethod::Masquerade, 5, 9),
        dest("::10.0.0.5", 8443, ForwardMethod::Masquerade, 5, 10),
    ];

    let mut mark = service(
        ServiceKey::Fwmark {
            family: AddressFamily::Inet,
            mark: 7,
        },
        "wrr",
        ServiceFlags::SCHED1 | ServiceFlags::SCHED3,
    );
    mark.destinations = vec![dest("192.168.1.1", 0, ForwardMethod::Route, 1, 11)];
    let mark6 = service(
        ServiceKey::Fwmark {
            family: AddressFamily::Inet6,
            mark: 0x8000_0001,
        },
        "mh",
        ServiceFlags::PERSISTENT,
    );
    let empty = service(
        addr_key(Protocol::Tcp, "192.168.0.1", 0),
        "lc",
        ServiceFlags::PERSISTENT,
    );
    vec![web, persistent, six, mark, mark6, empty]
}

fn text_of(services: &[ServiceListing], format: ListFormat, sort: bool) -> String {
    let opts = ListOptions {
        numeric: true,
        format,
        exact: true,
        sort,
    };
    let mut out = Vec::new();
    output::write_list(&mut out, &KERNEL, services, &opts).unwrap();
    String::from_utf8(out).unwrap()
}

fn json_of(services: &[ServiceListing], sort: bool) -> String {
    let mut out = Vec::new();
    output::write_list_json(&mut out, &KERNEL, services, sort).unwrap();
    String::from_utf8(out).unwrap()
}

/// A change made to a JSON document, to see that the check notices it.
type Change = Box<dyn Fn(&mut Value)>;

fn edit(json: &str, change: impl FnOnce(&mut Value)) -> String {
    let mut value: Value = serde_json::from_str(json).unwrap();
    change(&mut value);
    value.to_string()
}

#[test]
fn every_list_format_matches() {
    let services = table();
    for sort in [true, false] {
        let json = json_of(&services, sort);
        for format in FORMATS {
            let text = text_of(&services, format, sort);
            if let Err(e) = check(&text, &json, Masking::Exact) {
                panic!("{format:?} sort={sort}:\n{e}\n{text}");
            }
        }
    }
}

#[test]
fn one_service_matches() {
    let services = table();
    for one in &services {
        let one = std::slice::from_ref(one);
        let json = json_of(one, true);
        for format in FORMATS {
            let opts = ListOptions {
                numeric: true,
                format,
                exact: true,
                sort: true,
            };
            let mut out = Vec::new();
            output::write_service(&mut out, &one[0], &opts).unwrap();
            let text = String::from_utf8(out).unwrap();
            check(&text, &json, Masking::Exact)
                .unwrap_or_else(|e| panic!("{format:?}:\n{e}\n{text}"));
        }
    }
}

#[test]
fn list_differences_are_found() {
    let services = table();
    let json = json_of(&services, true);
    let default = text_of(&services, ListFormat::Default, true);
    let cases: Vec<(ListFormat, &str, Change)> = vec![
        (
            ListFormat::Default,
            "version",
            Box::new(|v| v["version"] = "1.2.2".into()),
        ),
        (
            ListFormat::Default,
            "conn_table_size",
            Box::new(|v| v["conn_table_size"] = 1.into()),
        ),
        (
            ListFormat::Default,
            "scheduler",
            Box::new(|v| v["services"][0]["scheduler"] = "wrr".into()),
        ),
        (
            ListFormat::Default,
            "port",
            Box::new(|v| v["services"][0]["port"] = 81.into()),
        ),
        (
            ListFormat::Default,
            "address",
            Box::new(|v| v["services"][2]["address"] = "2001:db8::2".into()),
        ),
        (
            ListFormat::Default,
            "weight",
            Box::new(|v| v["services"][0]["destinations"][0]["weight"] = 4.into()),
        ),
        (
            ListFormat::Default,
            "forward",
            Box::new(|v| v["services"][0]["destinations"][6]["forward"] = "Route".into()),
        ),
        (
            ListFormat::Default,
            "netmask",
            Box::new(|v| v["services"][1]["netmask"] = "255.255.0.0".into()),
        ),
        (
            ListFormat::Default,
            "pe",
            Box::new(|v| v["services"][1]["pe"] = Value::Null),
        ),
        (
            ListFormat::Default,
            "one_packet",
            Box::new(|v| v["services"][1]["one_packet"] = false.into()),
        ),
        (
            ListFormat::Default,
            "scheduler_flags",
            Box::new(|v| v["services"][3]["scheduler_flags"] = serde_json::json!(["flag-1"])),
        ),
        (
            ListFormat::Default,
            "fwmark",
            Box::new(|v| v["services"][3]["fwmark"] = 8.into()),
        ),
        (
            ListFormat::Default,
            "family",
            Box::new(|v| v["services"][4]["family"] = "ipv4".into()),
        ),
        (
            ListFormat::Default,
            "destinations[6]",
            Box::new(|v| {
                v["services"][0]["destinations"]
                    .as_array_mut()
                    .unwrap()
                    .pop();
            }),
        ),
        (
            ListFormat::Default,
            "services",
            Box::new(|v| {
                v["services"].as_array_mut().unwrap().push(Value::Null);
            }),
        ),
        (
            ListFormat::Stats,
            "in_bytes",
            Box::new(|v| v["services"][0]["stats"]["in_bytes"] = 1.into()),
        ),
        (
            ListFormat::Stats,
            "conns",
            Box::new(|v| v["services"][0]["destinations"][1]["stats"]["conns"] = 2.into()),
        ),
        (
            ListFormat::Rate,
            "out_bps",
            Box::new(|v| v["services"][0]["rates"]["out_bps"] = 6.into()),
        ),
        (
            ListFormat::Thresholds,
            "upper_threshold",
            Box::new(|v| v["services"][0]["destinations"][0]["upper_threshold"] = 1.into()),
        ),
        (
            ListFormat::PersistentConn,
            "persistent_conns",
            Box::new(|v| v["services"][0]["destinations"][0]["persistent_conns"] = 0.into()),
        ),
        (
            ListFormat::TunInfo,
            "checksum",
            Box::new(|v| {
                v["services"][0]["destinations"][2]["tunnel"]["checksum"] = "remcsum".into()
            }),
        ),
        (
            ListFormat::TunInfo,
            "tunnel",
            Box::new(|v| {
                v["services"][0]["destinations"][0]["tunnel"] = serde_json::json!({"type": "ipip"})
            }),
        ),
    ];
    for (format, field, change) in cases {
        let text = if format == ListFormat::Default {
            default.clone()
        } else {
            text_of(&services, format, true)
        };
        let changed = edit(&json, change);
        match check(&text, &changed, Masking::Exact) {
            Ok(()) => panic!("{format:?}: a changed {field} went unnoticed"),
            Err(e) => assert!(e.contains(field), "{format:?} {field}: {e}"),
        }
    }
}

#[test]
fn json_outside_the_schema_is_found() {
    // Documents that carry the text's information but not the schema's
    // shape: the check validates against doc/ipvsadm.schema.json too.
    let services = table();
    let text = text_of(&services, ListFormat::Default, true);
    let json = json_of(&services, true);
    check(&text, &json, Masking::Exact).unwrap();
    let changes: Vec<(&str, Change)> = vec![
        (
            "json_schema_version",
            Box::new(|v| {
                v.as_object_mut().unwrap().remove("json_schema_version");
            }),
        ),
        (
            "/services/0",
            Box::new(|v| v["services"][0]["comment"] = serde_json::json!("x")),
        ),
        (
            "/services/0/destinations/0/weight",
            Box::new(|v| v["services"][0]["destinations"][0]["weight"] = serde_json::json!(1.5)),
        ),
    ];
    for (place, change) in changes {
        let changed = edit(&json, change);
        match check(&text, &changed, Masking::Exact) {
            Ok(()) => panic!("{place}: a document outside the schema went unnoticed"),
            Err(e) => assert!(e.contains("schema") && e.contains(place), "{place}: {e}"),
        }
    }
}

#[test]
fn sort_order_matters() {
    let services = table();
    let text = text_of(&services, ListFormat::Default, true);
    let unsorted = json_of(&services, false);
    assert!(check(&text, &unsorted, Masking::Exact).is_err());
}

#[test]
fn volatile_masking_ignores_counters_but_not_configuration() {
    let services = table();
    let json = json_of(&services, true);
    let counters = edit(&json, |v| {
        v["services"][0]["stats"]["conns"] = 0.into();
        v["services"][0]["destinations"][0]["active_conns"] = 99.into();
        v["services"][0]["destinations"][0]["rates"]["cps"] = 99.into();
    });
    for format in FORMATS {
        let text = text_of(&services, format, true);
        check(&text, &counters, Masking::Volatile).unwrap();
    }
    assert!(check(
        &text_of(&services, ListFormat::Default, true),
        &counters,
        Masking::Exact
    )
    .is_err());
    let weight = edit(&json, |v| {
        v["services"][0]["destinations"][0]["weight"] = 9.into()
    });
    assert!(check(
        &text_of(&services, ListFormat::Default, true),
        &weight,
        Masking::Volatile
    )
    .is_err());
}

/// Connection table text as the kernel writes it (`/proc/net/ip_vs_conn`).
const PROC_CONN: &str = "Pro FromIP   FPrt ToIP     TPrt DestIP   DPrt State       Expires PEName PEData\n\
    TCP C0A80A01 9C40 0A000003 0050 0A00000B 0050 ESTABLISHED     893\n\
    TCP C0A80A02 9C41 0A000003 0050 0A00000C 1F90 SYN_RECV         59\n\
    UDP 2001:0db8:0000:0000:0000:0000:0000:0002 13C4 2001:0db8:0000:0000:0000:0000:0000:0001 13C4 2001:0db8:0000:0000:0000:0000:0001:0002 13C4 NONE 6170 sip abc@host\n";

fn connections_text(conns: &[output::ConnectionEntry], format: ListFormat) -> String {
    let opts = ListOptions {
        numeric: true,
        format,
        exact: false,
        sort: true,
    };
    let mut out = Vec::new();
    output::write_connections(&mut out, conns, &opts).unwrap();
    String::from_utf8(out).unwrap()
}

#[test]
fn connections_match() {
    let conns = output::parse_connections(PROC_CONN).unwrap();
    let mut out = Vec::new();
    output::write_connections_json(&mut out, &conns).unwrap();
    let json = String::from_utf8(out).unwrap();
    for format in [ListFormat::Default, ListFormat::PersistentConn] {
        let text = connections_text(&conns, format);
        check(&text, &json, Masking::Exact).unwrap_or_else(|e| panic!("{e}\n{text}"));
    }
    let persistent = connections_text(&conns, ListFormat::PersistentConn);
    let cases: Vec<(&str, Change)> = vec![
        (
            "expires",
            Box::new(|v| v["connections"][0]["expires"] = 894.into()),
        ),
        (
            "state",
            Box::new(|v| v["connections"][1]["state"] = "SYN_SENT".into()),
        ),
        (
            "destination_port",
            Box::new(|v| v["connections"][1]["destination_port"] = 80.into()),
        ),
        (
            "client_address",
            Box::new(|v| v["connections"][2]["client_address"] = "2001:db8::3".into()),
        ),
        (
            "pe_data",
            Box::new(|v| v["connections"][2]["pe_data"] = "other".into()),
        ),
        (
            "connections",
            Box::new(|v| {
                v["connections"].as_array_mut().unwrap().pop();
            }),
        ),
    ];
    for (field, change) in cases {
        let changed = edit(&json, change);
        match check(&persistent, &changed, Masking::Exact) {
            Ok(()) => panic!("a changed {field} went unnoticed"),
            Err(e) => assert!(e.contains(field), "{field}: {e}"),
        }
    }
    let later = edit(&json, |v| v["connections"][0]["expires"] = 880.into());
    check(&persistent, &later, Masking::Timers).unwrap();
}

#[test]
fn reference_samples_match() {
    // Texts as ipvsadm 1.31 prints them, typed in by hand.
    let timeouts = "Timeout (tcp tcpfin udp): 900 120 300\n";
    check(
        timeouts,
        r#"{"json_schema_version":1,"tcp":900,"tcp_fin":120,"udp":300}"#,
        Masking::Exact,
    )
    .unwrap();
    let e = check(
        timeouts,
        r#"{"json_schema_version":1,"tcp":900,"tcp_fin":121,"udp":300}"#,
        Masking::Exact,
    )
    .unwrap_err();
    assert!(e.contains("tcp_fin"), "{e}");

    let daemons = "master sync daemon (mcast=eth0, syncid=1, maxlen=1472, group=224.0.0.81, port=8848, ttl=1)\n\
                   backup sync daemon (mcast=eth1, syncid=0)\n";
    let json = r#"{"json_schema_version":1,"daemons":[
        {"state":"master","mcast_interface":"eth0","syncid":1,"sync_maxlen":1472,"mcast_group":"224.0.0.81","mcast_port":8848,"mcast_ttl":1},
        {"state":"backup","mcast_interface":"eth1","syncid":0,"sync_maxlen":0,"mcast_group":null,"mcast_port":0,"mcast_ttl":0}]}"#;
    check(daemons, json, Masking::Exact).unwrap();
    let wrong = json.replace(r#""mcast_port":0"#, r#""mcast_port":8848"#);
    let e = check(daemons, &wrong, Masking::Exact).unwrap_err();
    assert!(e.contains("daemons[1].mcast_port"), "{e}");
    check(
        "",
        r#"{"json_schema_version":1,"daemons":[]}"#,
        Masking::Exact,
    )
    .unwrap();
    assert!(check(
        "",
        r#"{"json_schema_version":1,"daemons":[{"state":"master"}]}"#,
        Masking::Exact
    )
    .is_err());

    let list = "IP Virtual Server version 1.2.1 (size=4096)\n\
                Prot LocalAddress:Port Scheduler Flags\n\
                \x20 -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n\
                TCP  10.0.0.3:80 rr\n\
                \x20 -> 10.0.0.11:80                 Route   3      0          0         \n";
    let json = r#"{"json_schema_version":1,"version":"1.2.1","conn_table_size":4096,"services":[{"family":"ipv4","protocol":"TCP","address":"10.0.0.3","port":80,"fwmark":null,"scheduler":"rr","scheduler_flags":[],"persistent":false,"timeout":0,"netmask":"255.255.255.255","pe":null,"one_packet":false,
        "stats":{"conns":0,"in_pkts":0,"out_pkts":0,"in_bytes":0,"out_bytes":0},"rates":{"cps":0,"in_pps":0,"out_pps":0,"in_bps":0,"out_bps":0},
        "destinations":[{"family":"ipv4","address":"10.0.0.11","port":80,"forward":"Route","weight":3,"upper_threshold":0,"lower_threshold":0,"active_conns":0,"inactive_conns":0,"persistent_conns":0,"tunnel":null,
        "stats":{"conns":0,"in_pkts":0,"out_pkts":0,"in_bytes":0,"out_bytes":0},"rates":{"cps":0,"in_pps":0,"out_pps":0,"in_bps":0,"out_bps":0}}]}]}"#;
    check(list, json, Masking::Exact).unwrap();
    let e = check(list, "not json", Masking::Exact).unwrap_err();
    assert!(e.contains("not one JSON document"), "{e}");
    // Text with names cannot be compared.
    let names = list.replace("10.0.0.11:80 ", "web1:http    ");
    assert!(check(&names, json, Masking::Exact).is_err());
}

#[test]
fn timeouts_and_daemons_from_our_writers_match() {
    let t = Timeouts {
        tcp: 7200,
        tcp_fin: 0,
        udp: 1,
    };
    let (mut text, mut json) = (Vec::new(), Vec::new());
    output::write_timeouts(&mut text, &t).unwrap();
    output::write_timeouts_json(&mut json, &t).unwrap();
    check(
        std::str::from_utf8(&text).unwrap(),
        std::str::from_utf8(&json).unwrap(),
        Masking::Exact,
    )
    .unwrap();

    let daemons = [SyncDaemon {
        state: DaemonState::Backup,
        mcast_ifn: "dummy0".into(),
        syncid: 200,
        sync_maxlen: 0,
        mcast_group: Some("ff02::1:81".parse().unwrap()),
        mcast_port: 0,
        mcast_ttl: 3,
    }];
    let (mut text, mut json) = (Vec::new(), Vec::new());
    output::write_daemons(&mut text, &daemons).unwrap();
    output::write_daemons_json(&mut json, &daemons).unwrap();
    check(
        std::str::from_utf8(&text).unwrap(),
        std::str::from_utf8(&json).unwrap(),
        Masking::Exact,
    )
    .unwrap();
}
