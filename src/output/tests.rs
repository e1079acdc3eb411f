//! Snapshot tests of every listing format. Each snapshot ends with an
//! `<EOF>` line so trailing spaces and the final newline are checked too.

use std::collections::HashMap;
use std::io;
use std::net::IpAddr;

use insta::assert_snapshot;

use super::fixtures::{dest_entry, listing, master_daemon, NoNames, KERNEL};
use super::*;
use ipvs::model::{
    AddressFamily, DaemonState, DestinationConfig, DestinationEntry, ForwardMethod, KernelInfo,
    Netmask, Protocol, ServiceEntry, ServiceFlags, ServiceKey, Stats, SyncDaemon, Timeouts,
    TunnelType,
};

// ---------------------------------------------------------------- fixtures

/// Fixed names, like a test machine's /etc/hosts and /etc/services.
struct TestNames {
    hosts: HashMap<IpAddr, &'static str>,
    services: HashMap<(u16, Protocol), &'static str>,
}

impl TestNames {
    fn new() -> Self {
        let hosts = [
            ("10.0.0.1", "vip.example"),
            ("10.0.1.2", "web1.example"),
            ("10.0.1.3", "web2.example"),
            ("192.168.10.1", "client.example.net"),
            ("2001:db8::1", "vip6.example"),
            ("2001:db8::1:2", "web6.example"),
            ("10.9.9.9", "a-rather-long-host-name.example.com"),
            (
                "10.9.9.10",
                "an-extremely-long-host-name-that-overflows.sub.example.com",
            ),
        ];
        let services = [
            ((80, Protocol::Tcp), "http"),
            ((443, Protocol::Tcp), "https"),
            ((53, Protocol::Udp), "domain"),
            ((5060, Protocol::Udp), "sip"),
            ((80, Protocol::Sctp), "http"),
            ((8080, Protocol::Tcp), "http-alt"),
        ];
        TestNames {
            hosts: hosts
                .into_iter()
                .map(|(a, n)| (a.parse().unwrap(), n))
                .collect(),
            services: services.into_iter().collect(),
        }
    }
}

impl Names for TestNames {
    fn host_name(&self, addr: &IpAddr) -> Option<String> {
        self.hosts.get(addr).map(|n| n.to_string())
    }
    fn service_name(&self, port: u16, protocol: Protocol) -> Option<String> {
        self.services.get(&(port, protocol)).map(|n| n.to_string())
    }
}

fn service(protocol: Protocol, addr: &str, port: u16, scheduler: &str) -> ServiceListing {
    let key = ServiceKey::Addr {
        protocol,
        addr: addr.parse().unwrap(),
        port,
    };
    listing(key, scheduler)
}

fn fwmark(family: AddressFamily, mark: u32, scheduler: &str) -> ServiceListing {
    listing(ServiceKey::Fwmark { family, mark }, scheduler)
}

fn dest(addr: &str, port: u16, forward: ForwardMethod, weight: i32) -> DestinationEntry {
    dest_entry(addr, port, forward, weight)
}

fn with_dests(mut s: ServiceListing, dests: Vec<DestinationEntry>) -> ServiceListing {
    s.destinations = dests;
    s
}

/// Persistent, with the kernel's netmask word `netmask`.
fn persistent(mut s: ServiceListing, timeout: u32, netmask: u32) -> ServiceListing {
    let family = s.entry.service.key.family();
    let c = &mut s.entry.service.config;
    c.flags |= ServiceFlags::PERSISTENT;
    c.timeout = timeout;
    c.netmask = Netmask::from_raw(family, netmask);
    s
}

fn flags(mut s: ServiceListing, bits: ServiceFlags) -> ServiceListing {
    s.entry.service.config.flags |= bits;
    s
}

fn counts(mut d: DestinationEntry, active: u32, inactive: u32, persist: u32) -> DestinationEntry {
    d.active_conns = active;
    d.inactive_conns = inactive;
    d.persistent_conns = persist;
    d
}

fn tunnel(
    addr: &str,
    port: u16,
    kind: TunnelType,
    tun_port: u16,
    tun_flags: u16,
) -> DestinationEntry {
    let mut d = dest(addr, port, ForwardMethod::Tunnel, 1);
    d.destination.config.tunnel_type = kind;
    d.destination.config.tunnel_port = tun_port;
    d.destination.config.tunnel_flags = tun_flags;
    d
}

/// A realistic table, in a scrambled "kernel" order.
fn table() -> Vec<ServiceListing> {
    let mut sip = persistent(
        service(Protocol::Udp, "10.0.0.1", 5060, "rr"),
        360,
        0xffff_ffff,
    );
    sip.entry.service.config.pe_name = Some("sip".to_string());
    let mut gue = tunnel(
        "10.0.3.1",
        80,
        TunnelType::Gue,
        6080,
        DestinationConfig::TUN_FLAG_CSUM,
    );
    gue.destination.config.weight = 3;
    vec![
        with_dests(
            fwmark(AddressFamily::Inet6, 7, "wrr"),
            vec![
                dest("2001:db8::1:2", 0, ForwardMethod::Route, 1),
                dest("2001:db8::1:1", 0, ForwardMethod::Route, 1),
            ],
        ),
        with_dests(
            service(Protocol::Tcp, "10.0.0.1", 80, "wlc"),
            vec![
                counts(dest("10.0.1.3", 80, ForwardMethod::Masquerade, 1), 12, 3, 0),
                counts(
                    dest("10.0.1.2", 8080, ForwardMethod::Masquerade, 2),
                    7,
                    40,
                    0,
                ),
                dest("10.0.1.10", 80, ForwardMethod::Masquerade, 0),
            ],
        ),
        with_dests(
            persistent(
                fwmark(AddressFamily::Inet, 5, "lc"),
                300,
                u32::from_ne_bytes([255, 255, 255, 0]),
            ),
            vec![
                dest("10.0.2.2", 0, ForwardMethod::Route, 1),
                dest("10.0.2.1", 0, ForwardMethod::Route, 1),
            ],
        ),
        with_dests(
            flags(
                service(Protocol::Udp, "10.0.0.1", 53, "rr"),
                ServiceFlags::ONEPACKET,
            ),
            vec![dest("10.0.1.2", 53, ForwardMethod::Route, 1)],
        ),
        with_dests(
            persistent(service(Protocol::Tcp, "2001:db8::1", 443, "sh"), 600, 64),
            vec![
                dest("2001:db8::1:2", 443, ForwardMethod::Masquerade, 1),
                dest("10.0.1.2", 443, ForwardMethod::Tunnel, 1),
            ],
        ),
        with_dests(sip, vec![dest("10.0.1.3", 5060, ForwardMethod::Route, 1)]),
        with_dests(
            flags(
                service(Protocol::Tcp, "10.0.0.1", 443, "sh"),
                ServiceFlags::SCHED1 | ServiceFlags::SCHED2,
            ),
            vec![
                dest("10.0.0.1", 443, ForwardMethod::Local, 1),
                tunnel(
                    "10.0.3.2",
                    443,
                    TunnelType::Gre,
                    0,
                    DestinationConfig::TUN_FLAG_CSUM,
                ),
                tunnel("10.0.3.3", 443, TunnelType::Ipip, 0, 0),
            ],
        ),
        with_dests(
            flags(
                service(Protocol::Sctp, "10.0.0.2", 80, "mh"),
                ServiceFlags::SCHED2,
            ),
            vec![gue],
        ),
    ]
}

fn render(write: impl FnOnce(&mut Vec<u8>) -> io::Result<()>) -> String {
    let mut out = Vec::new();
    write(&mut out).unwrap();
    let mut text = String::from_utf8(out).unwrap();
    text.push_str("<EOF>");
    text
}

fn opts(numeric: bool, format: ListFormat) -> ListOptions {
    ListOptions {
        numeric,
        format,
        exact: false,
        sort: true,
    }
}

fn list(services: &[ServiceListing], opts: ListOptions) -> String {
    render(|w| write_list_with(w, &KERNEL, services, &opts, &TestNames::new()))
}

// ------------------------------------------------------------ list formats

#[test]
fn list_default_numeric() {
    assert_snapshot!(list(&table(), opts(true, ListFormat::Default)));
}

#[test]
fn list_default_names() {
    assert_snapshot!(list(&table(), opts(false, ListFormat::Default)));
}

#[test]
fn list_names_without_resolvable_names_equals_numeric() {
    let table = table();
    let numeric = list(&table, opts(true, ListFormat::Default));
    let unnamed = render(|w| {
        write_list_with(
            w,
            &KERNEL,
            &table,
            &opts(false, ListFormat::Default),
            &NoNames,
        )
    });
    assert_eq!(numeric, unnamed);
}

#[test]
fn list_nosort_keeps_kernel_order() {
    let mut o = opts(true, ListFormat::Default);
    o.sort = false;
    assert_snapshot!(list(&table(), o));
}

#[test]
fn list_empty_table() {
    assert_snapshot!(list(&[], opts(true, ListFormat::Default)));
}

#[test]
fn list_header_prints_version_and_size() {
    let info = KernelInfo {
        version: 0x01_02_00,
        conn_table_size: 1 << 20,
    };
    let text = render(|w| write_list_with(w, &info, &[], &ListOptions::default(), &NoNames));
    assert!(text.starts_with("IP Virtual Server version 1.2.0 (size=1048576)\n"));
}

#[test]
fn list_thresholds() {
    let mut table = table();
    let d = &mut table[1].destinations[0];
    d.destination.config.upper_threshold = 2000;
    d.destination.config.lower_threshold = 1500;
    assert_snapshot!(list(&table, opts(true, ListFormat::Thresholds)));
}

#[test]
fn list_persistent_conn() {
    let mut table = table();
    table[2].destinations[0] = counts(dest("10.0.2.2", 0, ForwardMethod::Route, 1), 4, 9, 17);
    assert_snapshot!(list(&table, opts(true, ListFormat::PersistentConn)));
}

#[test]
fn list_tun_info() {
    let mut table = table();
    table[1]
        .destinations
        .push(dest("10.0.1.20", 80, ForwardMethod::Bypass, 1));
    table.push(with_dests(
        service(Protocol::Udp, "10.0.0.5", 6080, "rr"),
        vec![
            tunnel(
                "10.0.4.1",
                6080,
                TunnelType::Gue,
                65535,
                DestinationConfig::TUN_FLAG_REMCSUM,
            ),
            tunnel("10.0.4.2", 6080, TunnelType::Gue, 1, 0),
            tunnel("10.0.4.3", 6080, TunnelType::Gre, 0, 0),
            tunnel(
                "10.0.4.4",
                6080,
                TunnelType::Gre,
                0,
                DestinationConfig::TUN_FLAG_REMCSUM,
            ),
        ],
    ));
    assert_snapshot!(list(&table, opts(true, ListFormat::TunInfo)));
}

/// Counters around every scaling threshold of `print_largenum`.
fn counters_table() -> Vec<ServiceListing> {
    let values: [u64; 5] = [0, 999, 1_000, 99_999_999, 100_000_000];
    let more: [u64; 5] = [
        999_999_999,
        1_000_000_000,
        99_999_999_999,
        100_000_000_000,
        99_999_999_999_999,
    ];
    let most: [u64; 5] = [
        100_000_000_000_000,
        1_234_567_890_123_456,
        u64::MAX,
        (1 << 32) + 5,
        (1 << 32) - 1,
    ];
    let stats = |v: [u64; 5]| Stats {
        conns: v[0],
        inpkts: v[1],
        outpkts: v[2],
        inbytes: v[3],
        outbytes: v[4],
        cps: v[0],
        inpps: v[1],
        outpps: v[2],
        inbps: v[3],
        outbps: v[4],
    };
    let mut web = with_dests(
        service(Protocol::Tcp, "10.0.0.1", 80, "wlc"),
        vec![
            dest("10.0.1.2", 80, ForwardMethod::Masquerade, 1),
            dest("10.0.1.3", 80, ForwardMethod::Masquerade, 1),
            dest("10.0.1.4", 80, ForwardMethod::Masquerade, 1),
        ],
    );
    web.entry.stats = stats(values);
    web.destinations[0].stats = stats(values);
    web.destinations[1].stats = stats(more);
    web.destinations[2].stats = stats(most);
    let mut six = with_dests(
        service(Protocol::Tcp, "2001:db8::1", 80, "rr"),
        vec![dest("2001:db8::1:2", 80, ForwardMethod::Masquerade, 1)],
    );
    six.entry.stats = stats(more);
    six.destinations[0].stats = stats(values);
    let mut mark = with_dests(
        fwmark(AddressFamily::Inet, 1, "rr"),
        vec![dest("10.0.2.1", 0, ForwardMethod::Route, 1)],
    );
    mark.entry.stats = stats(most);
    vec![web, six, mark]
}

#[test]
fn list_stats() {
    assert_snapshot!(list(&counters_table(), opts(true, ListFormat::Stats)));
}

#[test]
fn list_stats_exact() {
    let mut o = opts(true, ListFormat::Stats);
    o.exact = true;
    assert_snapshot!(list(&counters_table(), o));
}

#[test]
fn list_rate() {
    assert_snapshot!(list(&counters_table(), opts(true, ListFormat::Rate)));
}

#[test]
fn list_rate_exact() {
    let mut o = opts(true, ListFormat::Rate);
    o.exact = true;
    assert_snapshot!(list(&counters_table(), o));
}

#[test]
fn list_stats_names() {
    assert_snapshot!(list(&counters_table(), opts(false, ListFormat::Stats)));
}

#[test]
fn list_single_service_has_no_version_line() {
    let table = table();
    let text = render(|w| {
        write_service_with(
            w,
            &table[1],
            &opts(false, ListFormat::Default),
            &TestNames::new(),
        )
    });
    assert_snapshot!(text);
}

#[test]
fn list_single_service_stats_nosort() {
    let table = counters_table();
    let mut o = opts(true, ListFormat::Stats);
    o.sort = false;
    let text = render(|w| write_service_with(w, &table[0], &o, &NoNames));
    assert_snapshot!(text);
}

#[test]
fn list_long_names_are_cut_for_ipv4_only() {
    let table = vec![
        with_dests(
            service(Protocol::Sctp, "10.9.9.9", 8080, "rr"),
            vec![
                dest("10.9.9.9", 8080, ForwardMethod::Masquerade, 1),
                dest("10.9.9.10", 8080, ForwardMethod::Masquerade, 1),
                dest("2001:db8::1:2", 8080, ForwardMethod::Tunnel, 1),
            ],
        ),
        with_dests(
            service(Protocol::Tcp, "10.9.9.10", 8080, "rr"),
            vec![dest("10.9.9.9", 8080, ForwardMethod::Masquerade, 1)],
        ),
        with_dests(
            service(
                Protocol::Tcp,
                "2001:db8:1234:5678:9abc:def0:1234:5678",
                65535,
                "rr",
            ),
            vec![dest(
                "2001:db8:1234:5678:9abc:def0:1234:5679",
                65535,
                ForwardMethod::Masquerade,
                1,
            )],
        ),
    ];
    assert_snapshot!(
        "long_names_default",
        list(&table, opts(false, ListFormat::Default))
    );
    assert_snapshot!(
        "long_names_stats",
        list(&table, opts(false, ListFormat::Stats))
    );
    assert_snapshot!(
        "long_names_save",
        render(|w| write_save_with(w, &table, false, &TestNames::new()))
    );
}

#[test]
fn list_scheduler_flag_spellings() {
    let all = ServiceFlags::SCHED1 | ServiceFlags::SCHED2 | ServiceFlags::SCHED3;
    let table = vec![
        flags(service(Protocol::Tcp, "10.0.0.1", 1, "sh"), all),
        flags(
            service(Protocol::Tcp, "10.0.0.1", 2, "sh"),
            ServiceFlags::SCHED3,
        ),
        flags(
            service(Protocol::Tcp, "10.0.0.1", 3, "mh"),
            ServiceFlags::SCHED1,
        ),
        flags(service(Protocol::Tcp, "10.0.0.1", 4, "wrr"), all),
        flags(
            service(Protocol::Tcp, "10.0.0.1", 5, "rr"),
            ServiceFlags::SCHED2,
        ),
        flags(
            service(Protocol::Tcp, "10.0.0.1", 6, "mh"),
            all | ServiceFlags::ONEPACKET,
        ),
    ];
    assert_snapshot!(
        "sched_flags_list",
        list(&table, opts(true, ListFormat::Default))
    );
    assert_snapshot!(
        "sched_flags_save",
        render(|w| write_save_with(w, &table, true, &NoNames))
    );
}

#[test]
fn list_persistence_variants() {
    let mut pe_only = service(Protocol::Udp, "10.0.0.1", 5060, "rr");
    pe_only.entry.service.config.pe_name = Some("sip".to_string());
    let mut empty_pe = persistent(service(Protocol::Udp, "10.0.0.1", 5061, "rr"), 10, 0);
    empty_pe.entry.service.config.pe_name = Some(String::new());
    let table = vec![
        persistent(
            service(Protocol::Tcp, "10.0.0.1", 0, "wlc"),
            300,
            0xffff_ffff,
        ),
        persistent(
            service(Protocol::Tcp, "10.0.0.1", 1, "wlc"),
            1,
            u32::from_ne_bytes([255, 255, 0, 0]),
        ),
        persistent(service(Protocol::Tcp, "2001:db8::1", 0, "wlc"), 86400, 128),
        persistent(service(Protocol::Tcp, "2001:db8::1", 1, "wlc"), 60, 48),
        persistent(fwmark(AddressFamily::Inet6, 9, "wlc"), 60, 96),
        pe_only,
        empty_pe,
    ];
    assert_snapshot!(
        "persistence_list",
        list(&table, opts(true, ListFormat::Default))
    );
    assert_snapshot!(
        "persistence_save",
        render(|w| write_save_with(w, &table, true, &NoNames))
    );
}

// ----------------------------------------------------------------- sorting

/// Services and servers spread over the whole address space, where
/// ipvsadm's wrapping comparison puts far-apart addresses "backwards".
fn spread_table() -> Vec<ServiceListing> {
    let addrs = [
        "10.0.0.1",
        "192.168.0.1",
        "1.2.3.4",
        "172.16.0.1",
        "100.64.0.1",
        "255.255.255.254",
        "127.0.0.1",
        "128.0.0.1",
    ];
    let mut table: Vec<ServiceListing> = addrs
        .iter()
        .map(|a| service(Protocol::Tcp, a, 80, "rr"))
        .collect();
    table.push(service(Protocol::Udp, "10.0.0.1", 80, "rr"));
    table.push(service(Protocol::Tcp, "10.0.0.1", 79, "rr"));
    table.push(service(Protocol::Tcp, "::1", 80, "rr"));
    table.push(service(Protocol::Tcp, "ff02::1", 80, "rr"));
    table.push(service(Protocol::Tcp, "2001:db8::1", 80, "rr"));
    table.push(fwmark(AddressFamily::Inet, 1, "rr"));
    table.push(fwmark(AddressFamily::Inet, 0x8000_0001, "rr"));
    table.push(fwmark(AddressFamily::Inet, 0xffff_ffff, "rr"));
    table.push(fwmark(AddressFamily::Inet6, 1, "rr"));
    table[0].destinations = addrs
        .iter()
        .rev()
        .map(|a| dest(a, 80, ForwardMethod::Masquerade, 1))
        .chain([
            dest("10.0.0.1", 8080, ForwardMethod::Masquerade, 1),
            dest("2001:db8::5", 80, ForwardMethod::Tunnel, 1),
            dest("::10.0.0.1", 80, ForwardMethod::Tunnel, 1),
        ])
        .collect();
    table
}

#[test]
fn sort_order_across_address_ranges() {
    assert_snapshot!(list(&spread_table(), opts(true, ListFormat::Default)));
}

#[test]
fn sorted_listings_match_what_write_list_prints() {
    // The order a restore reads the live table in: services from
    // listings_in_order, each one's real servers sorted.
    let table = spread_table();
    let entries: Vec<ServiceEntry> = table.iter().map(|s| s.entry.clone()).collect();
    let sorted: Vec<ServiceListing> = listings_in_order(entries, true, |entry| {
        let found = table.iter().find(|s| s.entry == *entry).ok_or(())?;
        let mut destinations = found.destinations.clone();
        sort_destinations(&mut destinations);
        Ok::<_, ()>(destinations)
    })
    .collect::<Result<_, _>>()
    .unwrap();
    let mut o = opts(true, ListFormat::Default);
    let expected = list(&table, o);
    o.sort = false;
    assert_eq!(list(&sorted, o), expected);
}

/// Streams `table` through [`for_each_listing`] as `ipvsadm` does: the
/// services without real servers first, each one's servers fetched from
/// `table` when its turn comes.
fn streamed(
    table: &[ServiceListing],
    sort: bool,
    each: impl FnMut(&mut Vec<u8>, &ServiceListing) -> io::Result<()>,
) -> String {
    let mut each = each;
    let entries: Vec<ServiceEntry> = table.iter().map(|s| s.entry.clone()).collect();
    let mut out = Vec::new();
    let mut fetched = 0;
    let result: Result<(), StreamError<()>> = for_each_listing(
        entries,
        sort,
        |entry| {
            fetched += 1;
            let found = table.iter().find(|s| s.entry == *entry).ok_or(())?;
            Ok(found.destinations.clone())
        },
        |listing| each(&mut out, listing),
    );
    assert!(result.is_ok());
    assert_eq!(fetched, table.len());
    String::from_utf8(out).unwrap()
}

#[test]
fn streamed_listings_match_the_whole_table_ones() {
    for table in [table(), spread_table(), counters_table()] {
        for sort in [true, false] {
            for format in [ListFormat::Default, ListFormat::Stats, ListFormat::TunInfo] {
                let mut o = opts(true, format);
                o.sort = sort;
                let whole = render(|w| write_list_with(w, &KERNEL, &table, &o, &SystemNames));
                let stream = render(|w| {
                    write_list_heading(w, &KERNEL)?;
                    write_list_titles(w, format)?;
                    let blocks = streamed(&table, sort, |w, l| write_list_block(w, l, &o));
                    w.extend_from_slice(blocks.as_bytes());
                    Ok(())
                });
                assert_eq!(stream, whole);
            }
        }
        let whole = render(|w| write_save_with(w, &table, true, &SystemNames));
        let stream = render(|w| {
            let blocks = streamed(&table, true, |w, l| write_save_block(w, l, true));
            w.extend_from_slice(blocks.as_bytes());
            Ok(())
        });
        assert_eq!(stream, whole);
    }
}

#[test]
fn a_failed_fetch_stops_the_stream_after_the_earlier_services() {
    let table = table();
    let entries: Vec<ServiceEntry> = table.iter().map(|s| s.entry.clone()).collect();
    let mut calls = 0;
    let mut written = 0;
    let result = for_each_listing(
        entries,
        true,
        |_| {
            calls += 1;
            if calls == 2 {
                Err("gone")
            } else {
                Ok(Vec::new())
            }
        },
        |_| {
            written += 1;
            Ok(())
        },
    );
    assert!(matches!(result, Err(StreamError::Fetch("gone"))));
    assert_eq!((calls, written), (2, 1));
}

#[test]
fn sort_two_far_apart_services() {
    // 192.168.0.1 - 10.0.0.1 is more than 2^31: ipvsadm lists 192.168.0.1 first.
    let table = vec![
        service(Protocol::Tcp, "10.0.0.1", 80, "rr"),
        service(Protocol::Tcp, "192.168.0.1", 80, "rr"),
    ];
    let text = list(&table, opts(true, ListFormat::Default));
    let first = text.find("192.168.0.1").unwrap();
    let second = text.find("10.0.0.1").unwrap();
    assert!(first < second, "{text}");
}

// -------------------------------------------------------------------- save

#[test]
fn save_numeric() {
    assert_snapshot!(render(|w| write_save_with(
        w,
        &table(),
        true,
        &TestNames::new()
    )));
}

#[test]
fn save_names() {
    assert_snapshot!(render(|w| write_save_with(
        w,
        &table(),
        false,
        &TestNames::new()
    )));
}

#[test]
fn save_every_forwarding_and_tunnel_option() {
    let table = vec![with_dests(
        service(Protocol::Tcp, "10.0.0.1", 80, "wlc"),
        vec![
            dest("10.0.1.1", 80, ForwardMethod::Masquerade, 0),
            dest("10.0.1.2", 80, ForwardMethod::Route, 65535),
            dest("10.0.1.3", 80, ForwardMethod::Local, 2),
            dest("10.0.1.4", 80, ForwardMethod::Bypass, 1),
            tunnel("10.0.1.5", 80, TunnelType::Ipip, 0, 0),
            tunnel("10.0.1.6", 80, TunnelType::Gue, 5555, 0),
            tunnel(
                "10.0.1.7",
                80,
                TunnelType::Gue,
                5555,
                DestinationConfig::TUN_FLAG_CSUM,
            ),
            tunnel(
                "10.0.1.8",
                80,
                TunnelType::Gue,
                5555,
                DestinationConfig::TUN_FLAG_REMCSUM,
            ),
            tunnel("10.0.1.9", 80, TunnelType::Gre, 0, 0),
            tunnel(
                "10.0.1.10",
                80,
                TunnelType::Gre,
                0,
                DestinationConfig::TUN_FLAG_CSUM,
            ),
            tunnel(
                "2001:db8::9",
                80,
                TunnelType::Gre,
                0,
                DestinationConfig::TUN_FLAG_CSUM,
            ),
        ],
    )];
    assert_snapshot!(render(|w| write_save_with(w, &table, true, &NoNames)));
}

#[test]
fn save_large_fwmark_prints_signed() {
    let table = vec![
        fwmark(AddressFamily::Inet, 0xffff_ffff, "rr"),
        fwmark(AddressFamily::Inet6, 0x8000_0000, "rr"),
    ];
    let text = render(|w| write_save_with(w, &table, true, &NoNames));
    assert_eq!(text, "-A -f -2147483648 -6 -s rr\n-A -f -1 -s rr\n<EOF>");
    let text = list(&table, opts(true, ListFormat::Default));
    assert!(
        text.contains("\nFWM  -2147483648 IPv6 rr\nFWM  -1 rr\n"),
        "{text}"
    );
}

// ------------------------------------------------------- timeout and daemon

#[test]
fn timeouts_line() {
    let t = Timeouts {
        tcp: 900,
        tcp_fin: 120,
        udp: 300,
    };
    assert_eq!(
        render(|w| write_timeouts(w, &t)),
        "Timeout (tcp tcpfin udp): 900 120 300\n<EOF>"
    );
}

#[test]
fn daemons_lines() {
    let daemons = [
        master_daemon(),
        SyncDaemon {
            state: DaemonState::Backup,
            mcast_ifn: "dummy0".to_string(),
            syncid: 200,
            sync_maxlen: 0,
            mcast_group: Some("ff02::1:3".parse().unwrap()),
            mcast_port: 0,
            mcast_ttl: 0,
        },
        SyncDaemon {
            state: DaemonState::Backup,
            mcast_ifn: "lo".to_string(),
            syncid: 0,
            sync_maxlen: 0,
            mcast_group: None,
            mcast_port: 0,
            mcast_ttl: 0,
        },
    ];
    assert_snapshot!(render(|w| write_daemons(w, &daemons)));
    assert_eq!(render(|w| write_daemons(w, &[])), "<EOF>");
}

// ------------------------------------------------------------- connections

/// `/proc/net/ip_vs_conn` as Linux 6.1 writes it.
const PROC_CONN: &str = "\
Pro FromIP   FPrt ToIP     TPrt DestIP   DPrt State       Expires PEName PEData
TCP C0A80A01 D2F4 0A000001 0050 0A000102 1F90 ESTABLISHED     899
TCP C0A80A02 8AE1 0A000001 0050 0A000103 0050 SYN_RECV         59
UDP C0A80A01 13C4 0A000001 13C4 0A000103 13C4 UDP             179 sip a84b4c76e66710@pc33.example.com
UDP 0A000064 9C41 0A000001 0035 0A000102 0035 UDP              12
IP  C0A80A01 0000 0A000001 0000 0A000102 0000 NONE            299
SCTP C0A80A05 0BB8 0A000002 0050 0A000301 0050 ESTABLISHED    3601
TCP 2001:0db8:0000:0000:0000:0000:0000:0010 D2F4 2001:0db8:0000:0000:0000:0000:0000:0001 01BB 2001:0db8:0000:0000:0000:0000:0001:0002 01BB ESTABLISHED     900
TCP C0A80A03 C350 0A000001 01BB 2001:0db8:0000:0000:0000:0000:0000:0005 01BB FIN_WAIT          2
";

#[test]
fn parse_realistic_proc_text() {
    let conns = parse_connections(PROC_CONN).unwrap();
    assert_eq!(conns.len(), 8);
    let first = &conns[0];
    assert_eq!(first.protocol, "TCP");
    assert_eq!(first.client_addr, "192.168.10.1".parse::<IpAddr>().unwrap());
    assert_eq!(first.client_port, 0xD2F4);
    assert_eq!(first.virtual_addr, "10.0.0.1".parse::<IpAddr>().unwrap());
    assert_eq!(first.virtual_port, 80);
    assert_eq!(first.dest_addr, "10.0.1.2".parse::<IpAddr>().unwrap());
    assert_eq!(first.dest_port, 8080);
    assert_eq!(first.state, "ESTABLISHED");
    assert_eq!(first.expires, 899);
    assert_eq!(first.pe_name, None);
    assert_eq!(conns[2].pe_name.as_deref(), Some("sip"));
    assert_eq!(
        conns[2].pe_data.as_deref(),
        Some("a84b4c76e66710@pc33.example.com")
    );
    assert_eq!(conns[4].known_protocol(), None);
    assert_eq!(
        conns[6].client_addr,
        "2001:db8::10".parse::<IpAddr>().unwrap()
    );
    assert_eq!(conns[7].dest_addr, "2001:db8::5".parse::<IpAddr>().unwrap());
    assert_eq!(conns[7].virtual_addr, "10.0.0.1".parse::<IpAddr>().unwrap());
}

#[test]
fn parse_header_only_and_missing_header() {
    assert_eq!(parse_connections("Pro FromIP\n").unwrap(), vec![]);
    assert_eq!(parse_connections("Pro FromIP").unwrap(), vec![]);
    assert_eq!(parse_connections(""), Err(ParseError::MissingHeader));
    assert_eq!(
        ParseError::MissingHeader.to_string(),
        "unexpected input from /proc/net/ip_vs_conn"
    );
}

#[test]
fn parse_malformed_lines() {
    let bad = |line: &str| parse_connections(&format!("header\n{line}\n"));
    let line_of = |r: Result<Vec<ConnectionEntry>, ParseError>| match r {
        Err(ParseError::BadLine { line, .. }) => line,
        other => panic!("{other:?}"),
    };
    assert_eq!(line_of(bad("")), 2);
    assert_eq!(line_of(bad("   \t")), 2);
    assert_eq!(line_of(bad("TCP C0A80A01 D2F4")), 2);
    assert_eq!(
        line_of(bad(
            "TCP C0A80A01 XYZ 0A000001 0050 0A000102 0050 SYN_RECV 5"
        )),
        2
    );
    assert_eq!(
        line_of(bad(
            "TCP C0A80A01 0001 0A000001 0050 0A000102 0050 SYN_RECV soon"
        )),
        2
    );
    assert_eq!(
        line_of(bad("TCP ::1 0001 10.0.0.1 0050 0A000102 0050 SYN_RECV 5")),
        2
    );
    let ok = "TCP C0A80A01 0001 0A000001 0050 0A000102 0050 SYN_RECV 5\n";
    assert_eq!(line_of(parse_connections(&format!("h\n{ok}{ok}\n{ok}"))), 4);
    // Garbage hex addresses read as strtoul does; extra fields are ignored.
    let odd = bad("TCP zz 1 0x10 2 -1 3 S 0 pe data extra").unwrap();
    assert_eq!(odd[0].client_addr, "0.0.0.0".parse::<IpAddr>().unwrap());
    assert_eq!(odd[0].virtual_addr, "0.0.0.16".parse::<IpAddr>().unwrap());
    assert_eq!(
        odd[0].dest_addr,
        "255.255.255.255".parse::<IpAddr>().unwrap()
    );
    assert_eq!(odd[0].pe_data.as_deref(), Some("data"));
}

#[test]
fn parse_never_panics_on_odd_input() {
    let samples = [
        "\n\n",
        "h\n\u{0}\u{0}",
        "h\nTCP é é é é é é é é é é",
        "h\nTCP 1.2.3.4 0 ::1 0 1.2.3.4 0 S 0",
        "h\nTCP 1.2.3.4 0 5.6.7.8 0 ::ffff:1.2.3.4 FFFFFFFFFF S -99999999999999999999",
        "h\r\nTCP C0A80A01 0001 0A000001 0050 0A000102 0050 S 5\r\n",
        "h\n-\n",
        "h\n0x 0x 0x 0x 0x 0x 0x 0x 0x",
    ];
    for text in samples {
        let _ = parse_connections(text);
    }
    for len in 0..PROC_CONN.len() {
        if PROC_CONN.is_char_boundary(len) {
            let _ = parse_connections(&PROC_CONN[..len]);
        }
    }
}

fn connections(numeric: bool, format: ListFormat) -> String {
    let conns = parse_connections(PROC_CONN).unwrap();
    render(|w| write_connections_with(w, &conns, &opts(numeric, format), &TestNames::new()))
}

#[test]
fn connections_numeric() {
    assert_snapshot!(connections(true, ListFormat::Default));
}

#[test]
fn connections_names() {
    assert_snapshot!(connections(false, ListFormat::Default));
}

#[test]
fn connections_persistent_conn() {
    assert_snapshot!(connections(true, ListFormat::PersistentConn));
}

#[test]
fn connections_empty_table() {
    let conns = parse_connections("Pro FromIP   FPrt ToIP\n").unwrap();
    assert_snapshot!(render(|w| {
        write_connections_with(w, &conns, &opts(true, ListFormat::Default), &NoNames)
    }));
}

// ------------------------------------------------------------------ writes

/// A writer that fails like a closed pipe.
struct ClosedPipe;

impl io::Write for ClosedPipe {
    fn write(&mut self, _: &[u8]) -> io::Result<usize> {
        Err(io::Error::from(io::ErrorKind::BrokenPipe))
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[test]
fn write_errors_are_returned() {
    let table = table();
    let o = opts(true, ListFormat::Default);
    let names = TestNames::new();
    let conns = parse_connections(PROC_CONN).unwrap();
    let t = Timeouts::default();
    let errors = [
        write_list_with(&mut ClosedPipe, &KERNEL, &table, &o, &names),
        write_service_with(&mut ClosedPipe, &table[0], &o, &names),
        write_save_with(&mut ClosedPipe, &table, true, &names),
        write_connections_with(&mut ClosedPipe, &conns, &o, &names),
        write_timeouts(&mut ClosedPipe, &t),
    ];
    for result in errors {
        assert_eq!(result.unwrap_err().kind(), io::ErrorKind::BrokenPipe);
    }
}

#[test]
fn list_format_precedence() {
    assert_eq!(
        ListFormat::from_options(true, true, true, true, true),
        ListFormat::Stats
    );
    assert_eq!(
        ListFormat::from_options(false, true, true, true, true),
        ListFormat::Rate
    );
    assert_eq!(
        ListFormat::from_options(false, false, true, true, true),
        ListFormat::Thresholds
    );
    assert_eq!(
        ListFormat::from_options(false, false, false, true, true),
        ListFormat::PersistentConn
    );
    assert_eq!(
        ListFormat::from_options(false, false, false, false, true),
        ListFormat::TunInfo
    );
    assert_eq!(
        ListFormat::from_options(false, false, false, false, false),
        ListFormat::Default
    );
}
