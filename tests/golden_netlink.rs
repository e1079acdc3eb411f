//! Golden-byte tests of the IPVS netlink encoding and decoding.
//!
//! ALL BYTES IN THIS FILE ARE HAND-DERIVED from the UAPI header
//! (`linux/ip_vs.h`), the kernel's netlink policy and dump code
//! (`net/netfilter/ipvs/ip_vs_ctl.c`, Linux 6.1) and what libipvs in
//! ipvsadm 1.31 sends. They have not (yet) been captured from a real kernel;
//! captured bytes will be added beside them. The family id (0x25), sequence
//! numbers and port ids are arbitrary; libnl also fills in its port id where
//! we send 0. Little-endian hosts only (netlink uses host byte order).
#![cfg(target_endian = "little")]

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use ipvs::client::Request;
use ipvs::model::{
    AddressFamily, DaemonState, Destination, DestinationConfig, ForwardMethod, Protocol, Service,
    ServiceConfig, ServiceFlags, ServiceKey, Stats, SyncDaemon, Timeouts, TunnelType,
};
use ipvs::netlink::{
    config_query, daemons_query, decode_ipvs_message, destination_entry_from_attrs,
    destinations_query, encode_family_lookup, encode_ipvs_message, family_id_from_reply, frames,
    info_query, kernel_info_from_attrs, service_entry_from_attrs, service_query, services_query,
    sync_daemon_from_attrs, timeouts_from_attrs, DestAttr, IpvsCmd, IpvsCmdAttr, Reply, SvcAttr,
    DUMP_FLAGS, REQUEST_FLAGS,
};
use netlink_packet_core::Nla;

const FAMILY: u16 = 0x25;

/// Hex pieces (whitespace ignored) to bytes.
fn bytes(pieces: &[&str]) -> Vec<u8> {
    let digits: String = pieces
        .concat()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    assert!(digits.len() % 2 == 0, "odd number of hex digits");
    (0..digits.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&digits[i..i + 2], 16).expect("hex"))
        .collect()
}

fn encode_request(request: &Request) -> Vec<u8> {
    encode_ipvs_message(FAMILY, REQUEST_FLAGS, 1, &request.to_message())
}

fn tcp(addr: &str, port: u16) -> ServiceKey {
    ServiceKey::Addr {
        protocol: Protocol::Tcp,
        addr: addr.parse().unwrap(),
        port,
    }
}

fn plain_config(scheduler: &str) -> ServiceConfig {
    ServiceConfig {
        scheduler: scheduler.into(),
        flags: ServiceFlags(0),
        timeout: 0,
        netmask: 0xffff_ffff,
        pe_name: None,
    }
}

fn dest_config(forward: ForwardMethod, weight: i32) -> DestinationConfig {
    DestinationConfig {
        forward,
        weight,
        upper_threshold: 0,
        lower_threshold: 0,
        tunnel_type: TunnelType::Ipip,
        tunnel_port: 0,
        tunnel_flags: 0,
    }
}

// The service nest of `-t 10.0.0.1:80` when only the key matters, as
// ipvsadm 1.31 fills it: empty scheduler, flags {0, ~0}, timeout 0, netmask ~0.
const REF_NEST_TCP_10_0_0_1_80: &[&str] = &[
    "5400 0180",           // IPVS_CMD_ATTR_SERVICE | NLA_F_NESTED, len 84
    "0600 0100 0200 0000", // AF = AF_INET (2)
    "0600 0200 0600 0000", // PROTOCOL = 6
    "1400 0300 0a000001 00000000 00000000 00000000", // ADDR = 10.0.0.1 in nf_inet_addr
    "0600 0400 0050 0000", // PORT = 80, big-endian
    "0500 0600 00 000000", // SCHED_NAME = "" (NUL only) + pad
    "0c00 0700 00000000 ffffffff", // FLAGS = {flags 0, mask ~0}
    "0800 0800 00000000",  // TIMEOUT = 0
    "0800 0900 ffffffff",  // NETMASK = 255.255.255.255
];

#[test]
fn flush() {
    let expected = bytes(&[
        "14000000 2500 0500 01000000 00000000", // nlmsghdr: len 20, type 0x25, REQUEST|ACK, seq 1
        "11 01 0000",                           // genlmsghdr: IPVS_CMD_FLUSH (17), version 1
    ]);
    assert_eq!(encode_request(&Request::Flush), expected);
}

#[test]
fn add_service_tcp_v4() {
    let service = Service {
        key: tcp("192.168.1.10", 80),
        config: plain_config("wlc"),
    };
    let expected = bytes(&[
        "68000000 2500 0500 01000000 00000000",          // len 104
        "01 01 0000",                                    // IPVS_CMD_NEW_SERVICE
        "5400 0180",                                     // SERVICE nest, len 84
        "0600 0100 0200 0000",                           // AF_INET
        "0600 0200 0600 0000",                           // TCP
        "1400 0300 c0a8010a 00000000 00000000 00000000", // 192.168.1.10
        "0600 0400 0050 0000",                           // port 80 (be16)
        "0800 0600 776c6300",                            // SCHED_NAME "wlc\0"
        "0c00 0700 00000000 ffffffff",                   // FLAGS {0, ~0}
        "0800 0800 00000000",                            // TIMEOUT 0
        "0800 0900 ffffffff",                            // NETMASK 255.255.255.255
    ]);
    assert_eq!(encode_request(&Request::AddService(service)), expected);
}

#[test]
fn edit_service_udp_v6_persistent_with_pe() {
    let service = Service {
        key: ServiceKey::Addr {
            protocol: Protocol::Udp,
            addr: "2001:db8::1".parse().unwrap(),
            port: 5060,
        },
        config: ServiceConfig {
            scheduler: "rr".into(),
            flags: ServiceFlags(ServiceFlags::PERSISTENT),
            timeout: 300,
            netmask: 64,
            pe_name: Some("sip".into()),
        },
    };
    let expected = bytes(&[
        "70000000 2500 0500 01000000 00000000",          // len 112
        "02 01 0000",                                    // IPVS_CMD_SET_SERVICE
        "5c00 0180",                                     // SERVICE nest, len 92
        "0600 0100 0a00 0000",                           // AF_INET6 (10)
        "0600 0200 1100 0000",                           // UDP (17)
        "1400 0300 20010db8 00000000 00000000 00000001", // 2001:db8::1
        "0600 0400 13c4 0000",                           // port 5060 (be16)
        "0700 0600 727200 00",                           // SCHED_NAME "rr\0" + 1 pad
        "0800 0b00 73697000", // PE_NAME "sip\0" (after SCHED_NAME, as libipvs)
        "0c00 0700 01000000 ffffffff", // FLAGS {PERSISTENT, ~0}
        "0800 0800 2c010000", // TIMEOUT 300
        "0800 0900 40000000", // NETMASK: IPv6 prefix length 64, host order
    ]);
    assert_eq!(encode_request(&Request::EditService(service)), expected);
}

#[test]
fn add_fwmark_service_with_netmask() {
    // -A -f 5 -s sh -b flag-1,flag-2 -p 60 -M 255.255.255.0
    let service = Service {
        key: ServiceKey::Fwmark {
            family: AddressFamily::Inet,
            mark: 5,
        },
        config: ServiceConfig {
            scheduler: "sh".into(),
            flags: ServiceFlags(
                ServiceFlags::PERSISTENT | ServiceFlags::SCHED1 | ServiceFlags::SCHED2,
            ),
            timeout: 60,
            // The model keeps the kernel's __be32 word: the mask's bytes in order.
            netmask: u32::from_ne_bytes([255, 255, 255, 0]),
            pe_name: None,
        },
    };
    let expected = bytes(&[
        "4c000000 2500 0500 01000000 00000000", // len 76
        "01 01 0000",                           // NEW_SERVICE
        "3800 0180",                            // SERVICE nest, len 56
        "0600 0100 0200 0000",                  // AF_INET
        "0800 0500 05000000",                   // FWMARK 5 (no PROTOCOL/ADDR/PORT)
        "0700 0600 736800 00",                  // SCHED_NAME "sh\0" + pad
        "0c00 0700 19000000 ffffffff",          // FLAGS {0x19, ~0}
        "0800 0800 3c000000",                   // TIMEOUT 60
        "0800 0900 ffffff00",                   // NETMASK 255.255.255.0 (network order bytes)
    ]);
    assert_eq!(encode_request(&Request::AddService(service)), expected);
}

#[test]
fn delete_service_fwmark_v6() {
    let key = ServiceKey::Fwmark {
        family: AddressFamily::Inet6,
        mark: 1,
    };
    let expected = bytes(&[
        "4c000000 2500 0500 01000000 00000000", // len 76
        "03 01 0000",                           // IPVS_CMD_DEL_SERVICE
        "3800 0180",                            // SERVICE nest, len 56
        "0600 0100 0a00 0000",                  // AF_INET6
        "0800 0500 01000000",                   // FWMARK 1
        "0500 0600 00 000000",                  // SCHED_NAME ""
        "0c00 0700 00000000 ffffffff",          // FLAGS {0, ~0}
        "0800 0800 00000000",                   // TIMEOUT 0
        "0800 0900 80000000",                   // NETMASK: ipvsadm's IPv6 default 128
    ]);
    assert_eq!(encode_request(&Request::DeleteService(key)), expected);
}

#[test]
fn add_destination_masquerade_with_thresholds() {
    let dest = Destination {
        addr: "192.168.0.2".parse().unwrap(),
        port: 8080,
        config: DestinationConfig {
            upper_threshold: 100,
            lower_threshold: 10,
            ..dest_config(ForwardMethod::Masquerade, 2)
        },
    };
    let mut pieces = vec![
        "c8000000 2500 0500 01000000 00000000", // len 200
        "05 01 0000",                           // IPVS_CMD_NEW_DEST
    ];
    pieces.extend_from_slice(REF_NEST_TCP_10_0_0_1_80);
    pieces.extend_from_slice(&[
        "6000 0280",           // IPVS_CMD_ATTR_DEST | NLA_F_NESTED, len 96
        "0600 0b00 0200 0000", // ADDR_FAMILY AF_INET
        "1400 0100 c0a80002 00000000 00000000 00000000", // ADDR 192.168.0.2
        "0600 0200 1f90 0000", // PORT 8080 (be16)
        "0800 0300 00000000",  // FWD_METHOD masquerade (0)
        "0800 0400 02000000",  // WEIGHT 2
        "0500 0d00 00 000000", // TUN_TYPE ipip (0)
        "0600 0e00 0000 0000", // TUN_PORT 0
        "0600 0f00 0000 0000", // TUN_FLAGS 0
        "0800 0500 64000000",  // U_THRESH 100
        "0800 0600 0a000000",  // L_THRESH 10
    ]);
    let request = Request::AddDestination(tcp("10.0.0.1", 80), dest);
    assert_eq!(encode_request(&request), bytes(&pieces));
}

#[test]
fn edit_destination_gue_tunnel_to_ipv6() {
    let dest = Destination {
        addr: "2001:db8::2".parse().unwrap(),
        port: 80,
        config: DestinationConfig {
            tunnel_type: TunnelType::Gue,
            tunnel_port: 6080,
            tunnel_flags: DestinationConfig::TUN_FLAG_CSUM | DestinationConfig::TUN_FLAG_REMCSUM,
            ..dest_config(ForwardMethod::Tunnel, 1)
        },
    };
    let mut pieces = vec![
        "c8000000 2500 0500 01000000 00000000", // len 200
        "06 01 0000",                           // IPVS_CMD_SET_DEST
    ];
    pieces.extend_from_slice(REF_NEST_TCP_10_0_0_1_80);
    pieces.extend_from_slice(&[
        "6000 0280",                                     // DEST nest, len 96
        "0600 0b00 0a00 0000", // ADDR_FAMILY AF_INET6 (differs from the service)
        "1400 0100 20010db8 00000000 00000000 00000002", // ADDR 2001:db8::2
        "0600 0200 0050 0000", // PORT 80
        "0800 0300 02000000",  // FWD_METHOD tunnel (2)
        "0800 0400 01000000",  // WEIGHT 1
        "0500 0d00 01 000000", // TUN_TYPE gue (1)
        "0600 0e00 17c0 0000", // TUN_PORT 6080 (be16)
        "0600 0f00 0300 0000", // TUN_FLAGS csum|remcsum (host order)
        "0800 0500 00000000",  // U_THRESH 0
        "0800 0600 00000000",  // L_THRESH 0
    ]);
    let request = Request::EditDestination(tcp("10.0.0.1", 80), dest);
    assert_eq!(encode_request(&request), bytes(&pieces));
}

#[test]
fn delete_destination() {
    let mut pieces = vec![
        "c8000000 2500 0500 01000000 00000000", // len 200
        "07 01 0000",                           // IPVS_CMD_DEL_DEST
    ];
    pieces.extend_from_slice(REF_NEST_TCP_10_0_0_1_80);
    pieces.extend_from_slice(&[
        "6000 0280",                                     // DEST nest, len 96
        "0600 0b00 0200 0000",                           // ADDR_FAMILY AF_INET
        "1400 0100 c0a80002 00000000 00000000 00000000", // ADDR 192.168.0.2
        "0600 0200 0050 0000",                           // PORT 80
        "0800 0300 03000000",                            // FWD_METHOD: ipvsadm's default, route (3)
        "0800 0400 01000000",                            // WEIGHT: ipvsadm's default 1
        "0500 0d00 00 000000",                           // TUN_TYPE 0
        "0600 0e00 0000 0000",                           // TUN_PORT 0
        "0600 0f00 0000 0000",                           // TUN_FLAGS 0
        "0800 0500 00000000",                            // U_THRESH 0
        "0800 0600 00000000",                            // L_THRESH 0
    ]);
    let request = Request::DeleteDestination(
        tcp("10.0.0.1", 80),
        IpAddr::V4(Ipv4Addr::new(192, 168, 0, 2)),
        80,
    );
    assert_eq!(encode_request(&request), bytes(&pieces));
}

#[test]
fn zero_all_and_one() {
    let all = bytes(&[
        "14000000 2500 0500 01000000 00000000", // len 20
        "10 01 0000",                           // IPVS_CMD_ZERO (16), no service: zero all
    ]);
    assert_eq!(encode_request(&Request::Zero(None)), all);
    // ipvsadm 1.31 leaves the service out when its address and port are zero.
    assert_eq!(encode_request(&Request::Zero(Some(tcp("0.0.0.0", 0)))), all);

    let mut pieces = vec![
        "68000000 2500 0500 01000000 00000000", // len 104
        "10 01 0000",                           // IPVS_CMD_ZERO
    ];
    pieces.extend_from_slice(REF_NEST_TCP_10_0_0_1_80);
    assert_eq!(
        encode_request(&Request::Zero(Some(tcp("10.0.0.1", 80)))),
        bytes(&pieces)
    );
}

#[test]
fn set_timeouts() {
    let timeouts = Timeouts {
        tcp: 900,
        tcp_fin: 120,
        udp: 300,
    };
    let expected = bytes(&[
        "2c000000 2500 0500 01000000 00000000", // len 44
        "0c 01 0000",                           // IPVS_CMD_SET_CONFIG (12)
        "0800 0400 84030000",                   // TIMEOUT_TCP 900
        "0800 0500 78000000",                   // TIMEOUT_TCP_FIN 120
        "0800 0600 2c010000",                   // TIMEOUT_UDP 300
    ]);
    assert_eq!(encode_request(&Request::SetTimeouts(timeouts)), expected);
}

#[test]
fn start_daemon_minimal_and_full() {
    let minimal = SyncDaemon {
        state: DaemonState::Master,
        mcast_ifn: "eth0".into(),
        syncid: 5,
        sync_maxlen: 0,
        mcast_group: None,
        mcast_port: 0,
        mcast_ttl: 0,
    };
    let expected = bytes(&[
        "34000000 2500 0500 01000000 00000000", // len 52
        "09 01 0000",                           // IPVS_CMD_NEW_DAEMON
        "2000 0380",                            // IPVS_CMD_ATTR_DAEMON | NLA_F_NESTED, len 32
        "0800 0100 01000000",                   // STATE master
        "0900 0200 65746830 00 000000",         // MCAST_IFN "eth0\0" + pad
        "0800 0300 05000000",                   // SYNC_ID 5
    ]);
    assert_eq!(
        encode_request(&Request::StartDaemon(minimal.clone())),
        expected
    );

    let full = SyncDaemon {
        state: DaemonState::Backup,
        sync_maxlen: 1500,
        mcast_group: Some(IpAddr::V6("ff02::51".parse::<Ipv6Addr>().unwrap())),
        mcast_port: 8848,
        mcast_ttl: 2,
        ..minimal.clone()
    };
    let expected = bytes(&[
        "60000000 2500 0500 01000000 00000000",          // len 96
        "09 01 0000",                                    // NEW_DAEMON
        "4c00 0380",                                     // DAEMON nest, len 76
        "0800 0100 02000000",                            // STATE backup
        "0900 0200 65746830 00 000000",                  // MCAST_IFN "eth0"
        "0800 0300 05000000",                            // SYNC_ID 5
        "0600 0400 dc05 0000",                           // SYNC_MAXLEN 1500 (host order)
        "0600 0700 9022 0000",                           // MCAST_PORT 8848 (host order, not be16)
        "0500 0800 02 000000",                           // MCAST_TTL 2
        "1400 0600 ff020000 00000000 00000000 00000051", // MCAST_GROUP6 ff02::51
    ]);
    assert_eq!(encode_request(&Request::StartDaemon(full)), expected);

    let v4_group = SyncDaemon {
        mcast_group: Some(IpAddr::V4(Ipv4Addr::new(224, 0, 0, 81))),
        ..minimal
    };
    let expected = bytes(&[
        "3c000000 2500 0500 01000000 00000000", // len 60
        "09 01 0000",                           // NEW_DAEMON
        "2800 0380",                            // DAEMON nest, len 40
        "0800 0100 01000000",                   // STATE master
        "0900 0200 65746830 00 000000",         // MCAST_IFN "eth0"
        "0800 0300 05000000",                   // SYNC_ID 5
        "0800 0500 e0000051",                   // MCAST_GROUP 224.0.0.81 (address bytes)
    ]);
    assert_eq!(encode_request(&Request::StartDaemon(v4_group)), expected);
}

#[test]
fn stop_daemon() {
    let expected = bytes(&[
        "30000000 2500 0500 01000000 00000000", // len 48
        "0a 01 0000",                           // IPVS_CMD_DEL_DAEMON (10)
        "1c00 0380",                            // DAEMON nest, len 28
        "0800 0100 02000000",                   // STATE backup
        "0500 0200 00 000000",                  // MCAST_IFN "" (as ipvsadm sends it)
        "0800 0300 00000000",                   // SYNC_ID 0
    ]);
    assert_eq!(
        encode_request(&Request::StopDaemon(DaemonState::Backup)),
        expected
    );
}

#[test]
fn listing_requests() {
    let dump = |cmd: &str| {
        bytes(&[
            "14000000 2500 0503 01000000 00000000", // len 20, REQUEST|ACK|DUMP (0x305)
            cmd,
        ])
    };
    assert_eq!(DUMP_FLAGS, 0x305);
    assert_eq!(
        encode_ipvs_message(FAMILY, DUMP_FLAGS, 1, &services_query()),
        dump("04 01 0000") // GET_SERVICE
    );
    assert_eq!(
        encode_ipvs_message(FAMILY, DUMP_FLAGS, 1, &daemons_query()),
        dump("0b 01 0000") // GET_DAEMON (11)
    );
    let plain = |cmd: &str| bytes(&["14000000 2500 0500 01000000 00000000", cmd]);
    assert_eq!(
        encode_ipvs_message(FAMILY, REQUEST_FLAGS, 1, &info_query()),
        plain("0f 01 0000") // GET_INFO (15)
    );
    assert_eq!(
        encode_ipvs_message(FAMILY, REQUEST_FLAGS, 1, &config_query()),
        plain("0d 01 0000") // GET_CONFIG (13)
    );

    // GET_DEST dump: the service key only.
    let expected = bytes(&[
        "44000000 2500 0503 01000000 00000000",          // len 68
        "08 01 0000",                                    // IPVS_CMD_GET_DEST
        "3000 0180",                                     // SERVICE nest, len 48
        "0600 0100 0200 0000",                           // AF_INET
        "0600 0200 0600 0000",                           // TCP
        "1400 0300 0a000001 00000000 00000000 00000000", // 10.0.0.1
        "0600 0400 0050 0000",                           // port 80
    ]);
    assert_eq!(
        encode_ipvs_message(
            FAMILY,
            DUMP_FLAGS,
            1,
            &destinations_query(&tcp("10.0.0.1", 80))
        ),
        expected
    );

    // Single GET_SERVICE: ipvsadm's zeroed lookup struct, so netmask 0.
    let expected = bytes(&[
        "68000000 2500 0500 01000000 00000000", // len 104
        "04 01 0000",                           // GET_SERVICE, no dump flag
        "5400 0180",                            // SERVICE nest, len 84
        "0600 0100 0200 0000",
        "0600 0200 0600 0000",
        "1400 0300 0a000001 00000000 00000000 00000000",
        "0600 0400 0050 0000",
        "0500 0600 00 000000",         // SCHED_NAME ""
        "0c00 0700 00000000 ffffffff", // FLAGS {0, ~0}
        "0800 0800 00000000",          // TIMEOUT 0
        "0800 0900 00000000",          // NETMASK 0
    ]);
    assert_eq!(
        encode_ipvs_message(
            FAMILY,
            REQUEST_FLAGS,
            1,
            &service_query(&tcp("10.0.0.1", 80))
        ),
        expected
    );
}

#[test]
fn family_lookup() {
    let expected = bytes(&[
        "20000000 1000 0500 07000000 00000000", // len 32, GENL_ID_CTRL (16), REQUEST|ACK, seq 7
        "03 02 0000",                           // CTRL_CMD_GETFAMILY, nlctrl version 2
        "0900 0200 49505653 00 000000",         // CTRL_ATTR_FAMILY_NAME "IPVS\0"
    ]);
    assert_eq!(encode_family_lookup(REQUEST_FLAGS, 7, "IPVS"), expected);

    // A NEWFAMILY reply body (after nlmsghdr): name, id 0x25, version, ...
    let reply = bytes(&[
        "01 02 0000",                   // CTRL_CMD_NEWFAMILY
        "0900 0200 49505653 00 000000", // FAMILY_NAME "IPVS"
        "0600 0100 2500 0000",          // FAMILY_ID 0x25
        "0800 0300 01000000",           // VERSION 1
        "0800 0400 00000000",           // HDRSIZE 0
        "0800 0500 06000000",           // MAXATTR 6
        "0800 ff00 12345678",           // an attribute we don't know: skipped
    ]);
    assert_eq!(family_id_from_reply(&reply).unwrap(), 0x25);
    assert!(family_id_from_reply(&reply[..20]).is_err()); // cut before FAMILY_ID
}

// ---------------------------------------------------------------------------
// Replies, as the kernel builds them: nests without NLA_F_NESTED, NLM_F_MULTI
// on dump entries, IPVS_STATS_ATTR_PAD before 64-bit values where the kernel's
// nla_put_u64_64bit would need alignment (placement here is illustrative).

/// A 32-bit stats nest body for the counters 1..=10 (conns=1 ... outbps=10).
const STATS32_BODY: &[&str] = &[
    "0800 0100 01000000",          // CONNS 1 (u32)
    "0800 0200 02000000",          // INPKTS 2
    "0800 0300 03000000",          // OUTPKTS 3
    "0400 0b00",                   // PAD
    "0c00 0400 04000000 00000000", // INBYTES 4 (u64)
    "0c00 0500 05000000 00000000", // OUTBYTES 5 (u64)
    "0800 0600 06000000",          // CPS 6
    "0800 0700 07000000",          // INPPS 7
    "0800 0800 08000000",          // OUTPPS 8
    "0800 0900 09000000",          // INBPS 9
    "0800 0a00 0a000000",          // OUTBPS 10
];

/// A 64-bit stats nest body: counters past 32 bits.
const STATS64_BODY: &[&str] = &[
    "0400 0b00",                   // PAD
    "0c00 0100 01000000 01000000", // CONNS 0x1_0000_0001
    "0c00 0200 02000000 00000000", // INPKTS 2
    "0c00 0300 03000000 00000000", // OUTPKTS 3
    "0c00 0400 00000000 10000000", // INBYTES 0x10_0000_0000
    "0c00 0500 05000000 00000000", // OUTBYTES 5
    "0c00 0600 06000000 00000000", // CPS 6
    "0c00 0700 07000000 00000000", // INPPS 7
    "0c00 0800 08000000 00000000", // OUTPPS 8
    "0c00 0900 09000000 00000000", // INBPS 9
    "0c00 0a00 0a000000 00000000", // OUTBPS 10
];

fn stats32() -> Stats {
    Stats {
        conns: 1,
        inpkts: 2,
        outpkts: 3,
        inbytes: 4,
        outbytes: 5,
        cps: 6,
        inpps: 7,
        outpps: 8,
        inbps: 9,
        outbps: 10,
    }
}

fn stats64() -> Stats {
    Stats {
        conns: 0x1_0000_0001,
        inbytes: 0x10_0000_0000,
        ..stats32()
    }
}

/// One datagram holding a reply message and its payload pieces.
fn message(header: &str, pieces: &[&str]) -> Vec<u8> {
    let body = bytes(pieces);
    let mut out = ((16 + body.len()) as u32).to_le_bytes().to_vec();
    out.extend(bytes(&[header]));
    out.extend(body);
    out
}

#[test]
fn decode_service_dump_entry_with_stats64() {
    let mut pieces = vec![
        "01 01 0000",                                    // NEW_SERVICE, version 1
        "3c01 0100",                                     // SERVICE nest (no NLA_F_NESTED), len 316
        "0600 0100 0200 0000",                           // AF_INET
        "0600 0200 0600 0000",                           // TCP
        "1400 0300 c0a8010a 00000000 00000000 00000000", // 192.168.1.10
        "0600 0400 0050 0000",                           // port 80
        "0800 0600 776c6300",                            // "wlc"
        "0c00 0700 03000000 ffffffff",                   // FLAGS {PERSISTENT|HASHED, ~0}
        "0800 0800 2c010000",                            // TIMEOUT 300
        "0800 0900 ffffff00",                            // NETMASK 255.255.255.0
        "6000 0a00",                                     // STATS, len 96
    ];
    pieces.extend_from_slice(STATS32_BODY);
    pieces.push("8000 0c00"); // STATS64, len 128
    pieces.extend_from_slice(STATS64_BODY);
    pieces.push("0800 6300 aabbccdd"); // an attribute from a future kernel (99)
                                       // nlmsghdr after the length: type 0x25, NLM_F_MULTI, seq 9, port 4242
    let datagram = message("2500 0200 09000000 92100000", &pieces);

    let frame = frames(&datagram).next().unwrap().unwrap();
    assert_eq!((frame.seq, frame.port, frame.flags), (9, 4242, 2));
    let Reply::Data { msg_type, payload } = frame.reply().unwrap() else {
        panic!("not data")
    };
    assert_eq!(msg_type, FAMILY);
    let msg = decode_ipvs_message(payload).unwrap();
    assert_eq!(msg.cmd, IpvsCmd::NewService);
    let attrs = msg.service().unwrap();
    assert!(matches!(attrs.last(), Some(SvcAttr::Other(nla)) if nla.kind() == 99));

    let entry = service_entry_from_attrs(attrs).unwrap();
    assert_eq!(entry.service.key, tcp("192.168.1.10", 80));
    assert_eq!(entry.service.config.scheduler, "wlc");
    assert_eq!(entry.service.config.flags, ServiceFlags(3));
    assert_eq!(entry.service.config.timeout, 300);
    assert_eq!(
        entry.service.config.netmask.to_ne_bytes(),
        [255, 255, 255, 0]
    );
    assert_eq!(entry.service.config.pe_name, None);
    assert_eq!(entry.stats, stats64(), "64-bit stats win over 32-bit ones");
}

#[test]
fn decode_fwmark_service_with_32bit_stats_only() {
    let mut pieces = vec![
        "01 01 0000",                  // NEW_SERVICE
        "a000 0100",                   // SERVICE nest, len 160
        "0600 0100 0a00 0000",         // AF_INET6
        "0800 0500 07000000",          // FWMARK 7
        "0800 0600 6c630000",          // "lc"
        "0800 0b00 73697000",          // PE_NAME "sip"
        "0c00 0700 00000000 ffffffff", // FLAGS {0, ~0}
        "0800 0800 00000000",          // TIMEOUT 0
        "0800 0900 80000000",          // NETMASK 128
        "6000 0a00",                   // STATS (an older kernel: no STATS64)
    ];
    pieces.extend_from_slice(STATS32_BODY);
    let datagram = message("2500 0200 09000000 00000000", &pieces);
    let frame = frames(&datagram).next().unwrap().unwrap();
    let Reply::Data { payload, .. } = frame.reply().unwrap() else {
        panic!("not data")
    };
    let msg = decode_ipvs_message(payload).unwrap();
    let entry = service_entry_from_attrs(msg.service().unwrap()).unwrap();
    assert_eq!(
        entry.service.key,
        ServiceKey::Fwmark {
            family: AddressFamily::Inet6,
            mark: 7
        }
    );
    assert_eq!(entry.service.config.pe_name.as_deref(), Some("sip"));
    assert_eq!(entry.service.config.netmask, 128);
    assert_eq!(entry.stats, stats32());
}

#[test]
fn decode_destination_dump_entry() {
    let mut pieces = vec![
        "05 01 0000",                                    // NEW_DEST
        "5801 0200",                                     // DEST nest, len 344
        "1400 0100 20010db8 00000000 00000000 00000002", // ADDR 2001:db8::2
        "0600 0200 1f90 0000",                           // PORT 8080
        "0800 0300 02000000",                            // FWD_METHOD tunnel
        "0800 0400 05000000",                            // WEIGHT 5
        "0500 0d00 02 000000",                           // TUN_TYPE gre
        "0600 0e00 0000 0000",                           // TUN_PORT 0
        "0600 0f00 0100 0000",                           // TUN_FLAGS csum
        "0800 0500 e8030000",                            // U_THRESH 1000
        "0800 0600 64000000",                            // L_THRESH 100
        "0800 0700 0b000000",                            // ACTIVE_CONNS 11
        "0800 0800 16000000",                            // INACT_CONNS 22
        "0800 0900 21000000",                            // PERSIST_CONNS 33
        "0600 0b00 0a00 0000",                           // ADDR_FAMILY AF_INET6
        "6000 0a00",                                     // STATS, len 96
    ];
    pieces.extend_from_slice(STATS32_BODY);
    pieces.push("8000 0c00"); // STATS64, len 128
    pieces.extend_from_slice(STATS64_BODY);
    let datagram = message("2500 0200 0a000000 00000000", &pieces);
    let frame = frames(&datagram).next().unwrap().unwrap();
    let Reply::Data { payload, .. } = frame.reply().unwrap() else {
        panic!("not data")
    };
    let msg = decode_ipvs_message(payload).unwrap();
    assert_eq!(msg.cmd, IpvsCmd::NewDest);
    // The service is IPv4; the destination says it is IPv6 and that wins.
    let entry = destination_entry_from_attrs(msg.dest().unwrap(), AddressFamily::Inet).unwrap();
    let d = entry.destination;
    assert_eq!(d.addr, "2001:db8::2".parse::<IpAddr>().unwrap());
    assert_eq!(d.port, 8080);
    assert_eq!(d.config.forward, ForwardMethod::Tunnel);
    assert_eq!(d.config.weight, 5);
    assert_eq!(d.config.tunnel_type, TunnelType::Gre);
    assert_eq!(d.config.tunnel_flags, DestinationConfig::TUN_FLAG_CSUM);
    assert_eq!(
        (d.config.upper_threshold, d.config.lower_threshold),
        (1000, 100)
    );
    assert_eq!(
        (
            entry.active_conns,
            entry.inactive_conns,
            entry.persistent_conns
        ),
        (11, 22, 33)
    );
    assert_eq!(entry.stats, stats64());
}

#[test]
fn decode_destination_without_family_or_tunnel_attrs() {
    // What a kernel before 4.x / 5.3 sends: no ADDR_FAMILY, no TUN_*, no STATS64.
    let attrs = vec![
        DestAttr::Addr(ipvs::netlink::InetAddr::from_ip(
            "10.1.1.1".parse().unwrap(),
        )),
        DestAttr::Port(80),
        DestAttr::FwdMethod(3),
        DestAttr::Weight(1),
        DestAttr::UThresh(0),
        DestAttr::LThresh(0),
        DestAttr::ActiveConns(0),
        DestAttr::InactConns(0),
        DestAttr::PersistConns(0),
    ];
    let entry = destination_entry_from_attrs(&attrs, AddressFamily::Inet).unwrap();
    assert_eq!(
        entry.destination.addr,
        "10.1.1.1".parse::<IpAddr>().unwrap()
    );
    assert_eq!(entry.destination.config.forward, ForwardMethod::Route);
    assert_eq!(entry.destination.config.tunnel_type, TunnelType::Ipip);
    assert_eq!(entry.stats, Stats::default());
    // Each required attribute is required.
    for skip in 0..attrs.len() {
        let mut partial = attrs.clone();
        partial.remove(skip);
        assert!(
            destination_entry_from_attrs(&partial, AddressFamily::Inet).is_err(),
            "accepted without {:?}",
            attrs[skip]
        );
    }
}

#[test]
fn decode_info_config_and_daemons() {
    let info = message(
        "2500 0000 03000000 00000000",
        &[
            "0e 01 0000",         // SET_INFO (14)
            "0800 0100 01020100", // VERSION 0x010201 (1.2.1)
            "0800 0200 00100000", // CONN_TAB_SIZE 4096
        ],
    );
    let frame = frames(&info).next().unwrap().unwrap();
    let Reply::Data { payload, .. } = frame.reply().unwrap() else {
        panic!("not data")
    };
    let msg = decode_ipvs_message(payload).unwrap();
    let info = kernel_info_from_attrs(&msg.attrs).unwrap();
    assert_eq!(info.version_triple(), (1, 2, 1));
    assert_eq!(info.conn_table_size, 4096);

    let config = message(
        "2500 0000 04000000 00000000",
        &[
            "0c 01 0000",         // SET_CONFIG (12)
            "0800 0400 84030000", // TCP 900
            "0800 0500 78000000", // TCP_FIN 120
            "0800 0600 2c010000", // UDP 300
        ],
    );
    let frame = frames(&config).next().unwrap().unwrap();
    let Reply::Data { payload, .. } = frame.reply().unwrap() else {
        panic!("not data")
    };
    let msg = decode_ipvs_message(payload).unwrap();
    assert_eq!(
        timeouts_from_attrs(&msg.attrs),
        Timeouts {
            tcp: 900,
            tcp_fin: 120,
            udp: 300
        }
    );

    // Two daemons in one datagram, then NLMSG_DONE (Linux sends every attribute).
    let mut datagram = message(
        "2500 0200 05000000 00000000",
        &[
            "09 01 0000",                   // NEW_DAEMON
            "4000 0300",                    // DAEMON nest, len 64
            "0800 0100 01000000",           // STATE master
            "0900 0200 65746830 00 000000", // "eth0"
            "0800 0300 05000000",           // SYNC_ID 5
            "0600 0400 b405 0000",          // SYNC_MAXLEN 1460
            "0600 0700 9022 0000",          // MCAST_PORT 8848
            "0500 0800 01 000000",          // MCAST_TTL 1
            "0800 0500 e0000051",           // MCAST_GROUP 224.0.0.81
        ],
    );
    datagram.extend(message(
        "2500 0200 05000000 00000000",
        &[
            "09 01 0000",
            "4c00 0300",                    // DAEMON nest, len 76
            "0800 0100 02000000",           // STATE backup
            "0900 0200 65746831 00 000000", // "eth1"
            "0800 0300 06000000",           // SYNC_ID 6
            "0600 0400 b405 0000",
            "0600 0700 9022 0000",
            "0500 0800 01 000000",
            "1400 0600 ff020000 00000000 00000000 00000051", // MCAST_GROUP6 ff02::51
        ],
    ));
    datagram.extend(message("0300 0200 05000000 00000000", &["00000000"])); // NLMSG_DONE
    let mut daemons = Vec::new();
    let mut done = false;
    for frame in frames(&datagram) {
        match frame.unwrap().reply().unwrap() {
            Reply::Data { payload, .. } => {
                let msg = decode_ipvs_message(payload).unwrap();
                daemons.push(sync_daemon_from_attrs(msg.daemon().unwrap()).unwrap());
            }
            Reply::Done { errno } => {
                assert_eq!(errno, 0);
                done = true;
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    assert!(done);
    assert_eq!(
        daemons,
        vec![
            SyncDaemon {
                state: DaemonState::Master,
                mcast_ifn: "eth0".into(),
                syncid: 5,
                sync_maxlen: 1460,
                mcast_group: Some("224.0.0.81".parse().unwrap()),
                mcast_port: 8848,
                mcast_ttl: 1,
            },
            SyncDaemon {
                state: DaemonState::Backup,
                mcast_ifn: "eth1".into(),
                syncid: 6,
                sync_maxlen: 1460,
                mcast_group: Some("ff02::51".parse().unwrap()),
                mcast_port: 8848,
                mcast_ttl: 1,
            },
        ]
    );
}

#[test]
fn decode_acks_and_errors() {
    // With NETLINK_CAP_ACK the kernel echoes only the request's header.
    let ack = message(
        "0200 0001 2a000000 00000000", // NLMSG_ERROR, NLM_F_CAPPED, seq 42
        &["00000000", "14000000 2500 0500 2a000000 00000000"],
    );
    let frame = frames(&ack).next().unwrap().unwrap();
    assert_eq!(frame.seq, 42);
    assert_eq!(frame.reply().unwrap(), Reply::Ack);

    let esrch = message(
        "0200 0001 2b000000 00000000",
        &["fdffffff", "14000000 2500 0500 2b000000 00000000"], // -3
    );
    let frame = frames(&esrch).next().unwrap().unwrap();
    assert_eq!(frame.reply().unwrap(), Reply::Error { errno: 3 });

    // A DONE without payload is allowed; a failed dump carries its error.
    let done = message("0300 0200 01000000 00000000", &[]);
    let frame = frames(&done).next().unwrap().unwrap();
    assert_eq!(frame.reply().unwrap(), Reply::Done { errno: 0 });
    let failed = message("0300 0200 01000000 00000000", &["f4ffffff"]); // -12
    let frame = frames(&failed).next().unwrap().unwrap();
    assert_eq!(frame.reply().unwrap(), Reply::Done { errno: 12 });
}

#[test]
fn malformed_replies_are_errors() {
    let good = message(
        "2500 0000 03000000 00000000",
        &["0c 01 0000", "0800 0400 84030000"],
    );
    // Datagram cut anywhere inside the message.
    for cut in 1..good.len() {
        let result: Vec<_> = frames(&good[..cut]).collect();
        assert!(
            result.iter().any(|r| r.is_err()),
            "a datagram cut at {cut} was accepted"
        );
    }
    // nlmsg_len smaller than a header, or past the end.
    let mut short = good.clone();
    short[0] = 8;
    assert!(frames(&short).next().unwrap().is_err());
    let mut long = good.clone();
    long[0] = 200;
    assert!(frames(&long).next().unwrap().is_err());

    // Attribute-level problems, each in a SET_CONFIG body.
    for body in [
        "0800 0400 8403",              // attribute longer than the buffer
        "0200 0400",                   // attribute length below its header
        "0600 0400 8403 0000",         // u32 attribute with 2 bytes
        "0c00 0400 84030000 00000000", // u32 attribute with 8 bytes
    ] {
        let payload = bytes(&["0c 01 0000", body]);
        assert!(decode_ipvs_message(&payload).is_err(), "accepted {body}");
    }
    // Unknown command, and a body shorter than the genetlink header.
    assert!(decode_ipvs_message(&bytes(&["63 01 0000"])).is_err());
    assert!(decode_ipvs_message(&bytes(&["0c 01"])).is_err());

    // Service nests with wrong lengths or missing pieces.
    for nest in [
        vec!["0600 0300 0a00 0000"],          // ADDR with 2 bytes
        vec!["0800 0700 00000000"],           // FLAGS with 4 bytes
        vec!["0800 0400 00500000"],           // PORT with 4 bytes
        vec!["0800 0a00 0700 0100 aa000000"], // STATS with a 3-byte counter
    ] {
        let mut pieces = vec!["01 01 0000"];
        let len = format!("{:02x}00 0100", 4 + bytes(&nest).len());
        pieces.push(&len);
        pieces.extend(nest.iter().copied());
        assert!(
            decode_ipvs_message(&bytes(&pieces)).is_err(),
            "accepted {nest:?}"
        );
    }
    let missing_sched = vec![
        SvcAttr::Af(2),
        SvcAttr::Fwmark(1),
        SvcAttr::Flags(Default::default()),
        SvcAttr::Timeout(0),
        SvcAttr::Netmask(0),
    ];
    assert!(service_entry_from_attrs(&missing_sched).is_err());
    let unknown_family = vec![
        SvcAttr::Af(99),
        SvcAttr::Fwmark(1),
        SvcAttr::SchedName("wlc".into()),
        SvcAttr::Flags(Default::default()),
        SvcAttr::Timeout(0),
        SvcAttr::Netmask(0),
    ];
    assert!(service_entry_from_attrs(&unknown_family).is_err());
    let mut unknown_protocol = unknown_family.clone();
    unknown_protocol[0] = SvcAttr::Af(2);
    unknown_protocol[1] = SvcAttr::Protocol(50);
    unknown_protocol.push(SvcAttr::Addr(Default::default()));
    unknown_protocol.push(SvcAttr::Port(0));
    assert!(service_entry_from_attrs(&unknown_protocol).is_err());
    assert!(kernel_info_from_attrs(&[IpvsCmdAttr::TimeoutTcp(1)]).is_err());
}
