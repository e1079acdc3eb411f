//! Golden-byte tests of the IPVS netlink encoding and decoding.
//!
//! Two kinds of bytes:
//! - HAND-DERIVED (the first part): from the UAPI header (`linux/ip_vs.h`),
//!   the kernel's netlink policy and dump code (`net/netfilter/ipvs/ip_vs_ctl.c`,
//!   Linux 6.1) and what libipvs in ipvsadm 1.31 sends. The family id (0x25),
//!   sequence numbers and port ids are arbitrary.
//! - CAPTURED (the `captured_*` tests at the end): taken in the test guest
//!   (Debian's Linux 6.1.0-56-amd64, Debian's ipvsadm 1.31) with an nlmon
//!   interface, and from this client's `IPVS_NETLINK_TRACE`. There the family
//!   id was 0x20; libnl fills in sequence numbers and its port id where we
//!   send our own sequence and 0, so those 8 bytes are zeroed before comparing.
//!
//! Little-endian hosts only (netlink uses host byte order).
#![cfg(target_endian = "little")]

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use ipvs::client::Request;
use ipvs::model::{
    AddressFamily, DaemonState, Destination, DestinationConfig, ForwardMethod, Netmask, Protocol,
    Service, ServiceConfig, ServiceFlags, ServiceKey, Stats, SyncDaemon, Timeouts, TunnelType,
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
        flags: ServiceFlags::from_bits(0),
        timeout: 0,
        netmask: Netmask::full(AddressFamily::Inet),
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
            flags: ServiceFlags::PERSISTENT,
            timeout: 300,
            netmask: Netmask::Ipv6(64),
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
            flags: ServiceFlags::PERSISTENT | ServiceFlags::SCHED1 | ServiceFlags::SCHED2,
            timeout: 60,
            // The model keeps the kernel's __be32 word: the mask's bytes in order.
            netmask: Netmask::Ipv4([255, 255, 255, 0].into()),
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
// on dump entries. IPVS_STATS_ATTR_PAD is added as nla_put_u64_64bit does on
// architectures without efficient unaligned access (x86-64 never pads; the
// placement here is illustrative).

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
    assert_eq!(entry.service.config.flags, ServiceFlags::from_bits(3));
    assert_eq!(entry.service.config.timeout, 300);
    assert_eq!(
        entry.service.config.netmask,
        Netmask::Ipv4([255, 255, 255, 0].into())
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
    assert_eq!(entry.service.config.netmask, Netmask::Ipv6(128));
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

// ===========================================================================
// CAPTURED BYTES (see the file's header).

const CAPTURED_FAMILY: u16 = 0x20;

/// A captured message with its sequence number and port id zeroed.
fn captured(hex: &str) -> Vec<u8> {
    let mut message = bytes(&[hex]);
    message[8..16].fill(0);
    message
}

fn decode_captured(hex: &str) -> ipvs::netlink::IpvsMessage {
    let datagram = bytes(&[hex]);
    let frame = frames(&datagram).next().unwrap().unwrap();
    let Reply::Data { msg_type, payload } = frame.reply().unwrap() else {
        panic!("not a data message")
    };
    assert_eq!(msg_type, CAPTURED_FAMILY);
    decode_ipvs_message(payload).unwrap()
}

fn fwmark(family: AddressFamily, mark: u32) -> ServiceKey {
    ServiceKey::Fwmark { family, mark }
}

#[test]
fn captured_ipvsadm_requests_are_what_we_send() {
    let encode = |flags: u16, msg: ipvs::netlink::IpvsMessage| {
        encode_ipvs_message(CAPTURED_FAMILY, flags, 0, &msg)
    };
    let request = |r: Request| encode(REQUEST_FLAGS, r.to_message());
    let v4 = AddressFamily::Inet;
    let cases: Vec<(&str, &str, Vec<u8>)> = vec![
        ("-C", REQ_FLUSH, request(Request::Flush)),
        (
            "-A -t",
            REQ_NEW_SERVICE,
            request(Request::AddService(Service {
                key: tcp("192.168.1.10", 80),
                config: plain_config("wlc"),
            })),
        ),
        (
            "-E -u",
            REQ_SET_SERVICE,
            request(Request::EditService(Service {
                key: ServiceKey::Addr {
                    protocol: Protocol::Udp,
                    addr: "2001:db8::1".parse().unwrap(),
                    port: 5060,
                },
                config: ServiceConfig {
                    scheduler: "rr".into(),
                    flags: ServiceFlags::PERSISTENT,
                    timeout: 300,
                    netmask: Netmask::Ipv6(64),
                    pe_name: Some("sip".into()),
                },
            })),
        ),
        (
            "-A -f",
            REQ_NEW_SERVICE_FWMARK,
            request(Request::AddService(Service {
                key: fwmark(v4, 5),
                config: ServiceConfig {
                    scheduler: "sh".into(),
                    flags: ServiceFlags::from_bits(0x19),
                    timeout: 60,
                    netmask: Netmask::Ipv4([255, 255, 255, 0].into()),
                    pe_name: None,
                },
            })),
        ),
        (
            "-D -f -6",
            REQ_DEL_SERVICE,
            request(Request::DeleteService(fwmark(AddressFamily::Inet6, 1))),
        ),
        (
            "-a",
            REQ_NEW_DEST,
            request(Request::AddDestination(
                tcp("10.0.0.1", 80),
                Destination {
                    addr: "192.168.0.2".parse().unwrap(),
                    port: 8080,
                    config: DestinationConfig {
                        upper_threshold: 100,
                        lower_threshold: 10,
                        ..dest_config(ForwardMethod::Masquerade, 2)
                    },
                },
            )),
        ),
        (
            "-e",
            REQ_SET_DEST,
            request(Request::EditDestination(
                tcp("10.0.0.1", 80),
                Destination {
                    addr: "2001:db8::2".parse().unwrap(),
                    port: 80,
                    config: DestinationConfig {
                        tunnel_type: TunnelType::Gue,
                        tunnel_port: 6080,
                        tunnel_flags: DestinationConfig::TUN_FLAG_CSUM,
                        ..dest_config(ForwardMethod::Tunnel, 1)
                    },
                },
            )),
        ),
        (
            "-d",
            REQ_DEL_DEST,
            request(Request::DeleteDestination(
                tcp("10.0.0.1", 80),
                "192.168.0.2".parse().unwrap(),
                80,
            )),
        ),
        ("-Z", REQ_ZERO_ALL, request(Request::Zero(None))),
        (
            "-Z -t 0.0.0.0:0",
            REQ_ZERO_ANY,
            request(Request::Zero(Some(tcp("0.0.0.0", 0)))),
        ),
        (
            "-Z -t",
            REQ_ZERO_ONE,
            request(Request::Zero(Some(tcp("10.0.0.1", 80)))),
        ),
        (
            "--set",
            REQ_SET_CONFIG,
            request(Request::SetTimeouts(Timeouts {
                tcp: 900,
                tcp_fin: 120,
                udp: 300,
            })),
        ),
        (
            "--start-daemon master",
            REQ_NEW_DAEMON,
            request(Request::StartDaemon(SyncDaemon {
                state: DaemonState::Master,
                mcast_ifn: "eth0".into(),
                syncid: 5,
                sync_maxlen: 0,
                mcast_group: None,
                mcast_port: 0,
                mcast_ttl: 0,
            })),
        ),
        (
            "--start-daemon backup ...",
            REQ_NEW_DAEMON_FULL,
            request(Request::StartDaemon(SyncDaemon {
                state: DaemonState::Backup,
                mcast_ifn: "eth0".into(),
                syncid: 5,
                sync_maxlen: 1500,
                mcast_group: Some("ff02::51".parse().unwrap()),
                mcast_port: 8848,
                mcast_ttl: 2,
            })),
        ),
        (
            "--stop-daemon",
            REQ_DEL_DAEMON,
            request(Request::StopDaemon(DaemonState::Backup)),
        ),
        (
            "GET_INFO",
            REQ_GET_INFO,
            encode(REQUEST_FLAGS, info_query()),
        ),
        (
            "-L dump",
            REQ_GET_SERVICES,
            encode(DUMP_FLAGS, services_query()),
        ),
        (
            "-L dests",
            REQ_GET_DESTS,
            encode(DUMP_FLAGS, destinations_query(&tcp("192.168.1.10", 80))),
        ),
        (
            "-L -t",
            REQ_GET_SERVICE,
            encode(REQUEST_FLAGS, service_query(&tcp("10.0.0.1", 80))),
        ),
        (
            "--timeout",
            REQ_GET_CONFIG,
            encode(REQUEST_FLAGS, config_query()),
        ),
        (
            "--daemon",
            REQ_GET_DAEMONS,
            encode(DUMP_FLAGS, daemons_query()),
        ),
    ];
    for (what, hex, ours) in cases {
        assert_eq!(captured(hex), ours, "{what}");
    }
}

#[test]
fn captured_service_entries() {
    let entry = |hex| {
        let msg = decode_captured(hex);
        assert_eq!(msg.cmd, IpvsCmd::NewService);
        service_entry_from_attrs(msg.service().unwrap()).unwrap()
    };
    let e = entry(KERNEL_SVC_192_168_1_10);
    assert_eq!(e.service.key, tcp("192.168.1.10", 80));
    assert_eq!(e.service.config.scheduler, "wlc");
    assert_eq!(e.service.config.flags, ServiceFlags::HASHED);
    assert_eq!(e.service.config.netmask, Netmask::full(AddressFamily::Inet));
    assert_eq!(e.stats, Stats::default());

    let e = entry(KERNEL_SVC_FWMARK_5);
    assert_eq!(e.service.key, fwmark(AddressFamily::Inet, 5));
    assert_eq!(e.service.config.scheduler, "sh");
    assert_eq!(e.service.config.flags, ServiceFlags::from_bits(0x1b)); // persistent|hashed|sched1|sched2
    assert_eq!(e.service.config.timeout, 60);
    assert_eq!(
        e.service.config.netmask,
        Netmask::Ipv4([255, 255, 255, 0].into())
    );

    // The single GET_SERVICE reply carries the same service as its dump entry.
    let e = entry(KERNEL_SVC_SINGLE);
    assert_eq!(e.service.key, tcp("10.0.0.1", 80));
    assert_eq!(entry(KERNEL_SVC_10_0_0_1), e);

    let e = entry(KERNEL_SVC_PE_SIP);
    assert_eq!(
        e.service.key,
        ServiceKey::Addr {
            protocol: Protocol::Udp,
            addr: "10.0.0.102".parse().unwrap(),
            port: 5060
        }
    );
    assert_eq!(e.service.config.pe_name.as_deref(), Some("sip"));
    assert_eq!(
        (e.service.config.flags.bits(), e.service.config.timeout),
        (3, 60)
    );

    let e = entry(KERNEL_SVC_UDP6_OPS);
    assert_eq!(
        e.service.key,
        ServiceKey::Addr {
            protocol: Protocol::Udp,
            addr: "2001:db8::100".parse().unwrap(),
            port: 53
        }
    );
    assert_eq!(e.service.config.flags, ServiceFlags::from_bits(0x0e)); // hashed|onepacket|sched1
    assert_eq!(e.service.config.netmask, Netmask::Ipv6(128));

    let e = entry(KERNEL_SVC_PORT0_MASK);
    assert_eq!(e.service.key, tcp("10.0.0.101", 0));
    assert_eq!(
        (e.service.config.flags.bits(), e.service.config.timeout),
        (3, 300)
    );
    assert_eq!(
        e.service.config.netmask,
        Netmask::Ipv4([255, 255, 255, 0].into())
    );

    let e = entry(KERNEL_SVC_FWMARK6);
    assert_eq!(e.service.key, fwmark(AddressFamily::Inet6, 42));
    assert_eq!(e.service.config.netmask, Netmask::Ipv6(64));
    assert_eq!(e.service.config.timeout, 600);

    // After three connections: the 64-bit and 32-bit nests agree.
    let msg = decode_captured(KERNEL_SVC_WITH_STATS);
    let attrs = msg.service().unwrap();
    let e = service_entry_from_attrs(attrs).unwrap();
    assert_eq!(e.service.key, tcp("10.0.0.1", 80));
    assert_eq!(
        (
            e.stats.conns,
            e.stats.inpkts,
            e.stats.outpkts,
            e.stats.inbytes
        ),
        (3, 6, 0, 360)
    );
    let only32: Vec<SvcAttr> = attrs
        .iter()
        .filter(|a| !matches!(a, SvcAttr::Stats64(_)))
        .cloned()
        .collect();
    assert_eq!(service_entry_from_attrs(&only32).unwrap().stats, e.stats);
}

#[test]
fn captured_destination_entries() {
    let entry = |hex, family| {
        let msg = decode_captured(hex);
        assert_eq!(msg.cmd, IpvsCmd::NewDest);
        destination_entry_from_attrs(msg.dest().unwrap(), family).unwrap()
    };
    let e = entry(KERNEL_DEST_10_0_0_2, AddressFamily::Inet);
    assert_eq!(e.destination.addr, "10.0.0.2".parse::<IpAddr>().unwrap());
    assert_eq!(e.destination.port, 80);
    assert_eq!(
        e.destination.config,
        dest_config(ForwardMethod::Masquerade, 1)
    );

    let e = entry(KERNEL_DEST_MASQ_STATS, AddressFamily::Inet);
    assert_eq!(e.destination.addr, "10.0.0.2".parse::<IpAddr>().unwrap());
    assert_eq!(
        (e.stats.conns, e.stats.inpkts, e.stats.inbytes),
        (1, 2, 120)
    );

    // A mixed-family real server: the IPv6 family comes from ADDR_FAMILY.
    let e = entry(KERNEL_DEST_GUE6_STATS, AddressFamily::Inet);
    assert_eq!(e.destination.addr, "2001:db8::3".parse::<IpAddr>().unwrap());
    assert_eq!(
        e.destination.config,
        DestinationConfig {
            tunnel_type: TunnelType::Gue,
            tunnel_port: 6080,
            tunnel_flags: DestinationConfig::TUN_FLAG_CSUM,
            ..dest_config(ForwardMethod::Tunnel, 5)
        }
    );
    assert_eq!(
        (e.stats.conns, e.stats.inpkts, e.stats.inbytes),
        (2, 4, 240)
    );
    assert_eq!(e.active_conns + e.inactive_conns, 2);

    let e = entry(KERNEL_DEST_FWMARK6, AddressFamily::Inet6);
    assert_eq!(e.destination.addr, "2001:db8::5".parse::<IpAddr>().unwrap());
    assert_eq!(e.destination.port, 0);
    assert_eq!(e.destination.config, dest_config(ForwardMethod::Route, 2));
}

#[test]
fn captured_info_config_daemons_and_control_messages() {
    let info = decode_captured(KERNEL_SET_INFO);
    assert_eq!(info.cmd, IpvsCmd::SetInfo);
    let info = kernel_info_from_attrs(&info.attrs).unwrap();
    assert_eq!((info.version, info.conn_table_size), (0x010201, 4096));

    let config = decode_captured(KERNEL_SET_CONFIG);
    assert_eq!(config.cmd, IpvsCmd::SetConfig);
    assert_eq!(
        timeouts_from_attrs(&config.attrs),
        Timeouts {
            tcp: 900,
            tcp_fin: 120,
            udp: 300
        }
    );

    let daemon = |hex| sync_daemon_from_attrs(decode_captured(hex).daemon().unwrap()).unwrap();
    assert_eq!(
        daemon(KERNEL_DAEMON_MASTER),
        SyncDaemon {
            state: DaemonState::Master,
            mcast_ifn: "dummy0".into(),
            syncid: 5,
            sync_maxlen: 1472,
            mcast_group: Some("224.0.0.81".parse().unwrap()),
            mcast_port: 8848,
            mcast_ttl: 1,
        }
    );
    assert_eq!(
        daemon(KERNEL_DAEMON_BACKUP),
        SyncDaemon {
            state: DaemonState::Backup,
            mcast_ifn: "dummy0".into(),
            syncid: 6,
            sync_maxlen: 1400,
            mcast_group: Some("ff02::51".parse().unwrap()),
            mcast_port: 8850,
            mcast_ttl: 3,
        }
    );

    let done = bytes(&[KERNEL_DONE]);
    let frame = frames(&done).next().unwrap().unwrap();
    assert_eq!(frame.reply().unwrap(), Reply::Done { errno: 0 });

    // Without NETLINK_CAP_ACK (libnl's default) an error echoes the request.
    let error = bytes(&[KERNEL_ERR_ESRCH_UNCAPPED]);
    let frame = frames(&error).next().unwrap().unwrap();
    assert_eq!(frame.flags, 0);
    assert_eq!(frame.reply().unwrap(), Reply::Error { errno: 3 });
    assert_eq!(&frame.payload[4..], bytes(&[REQ_SET_SERVICE]).as_slice());
}

/// Every captured reply, cut and with each byte replaced, decodes or fails
/// cleanly (this runs every decoder on it; a panic fails the test).
#[test]
fn captured_replies_survive_mutation() {
    let replies = [
        KERNEL_SET_INFO,
        KERNEL_SET_CONFIG,
        KERNEL_SVC_FWMARK_5,
        KERNEL_SVC_WITH_STATS,
        KERNEL_SVC_PE_SIP,
        KERNEL_DEST_GUE6_STATS,
        KERNEL_DAEMON_BACKUP,
        KERNEL_ERR_ESRCH_UNCAPPED,
    ];
    let chew = |datagram: &[u8]| {
        for frame in frames(datagram).flatten() {
            let Ok(Reply::Data { payload, .. }) = frame.reply() else {
                continue;
            };
            let Ok(msg) = decode_ipvs_message(payload) else {
                continue;
            };
            let _ = kernel_info_from_attrs(&msg.attrs);
            let _ = timeouts_from_attrs(&msg.attrs);
            if let Some(attrs) = msg.service() {
                let _ = service_entry_from_attrs(attrs);
            }
            if let Some(attrs) = msg.dest() {
                let _ = destination_entry_from_attrs(attrs, AddressFamily::Inet);
            }
            if let Some(attrs) = msg.daemon() {
                let _ = sync_daemon_from_attrs(attrs);
            }
        }
    };
    for hex in replies {
        let good = bytes(&[hex]);
        for cut in 0..good.len() {
            chew(&good[..cut]);
        }
        for pos in 0..good.len() {
            for value in [0x00, 0x01, 0x03, 0x05, 0x7f, 0x80, 0xff] {
                let mut bad = good.clone();
                bad[pos] = value;
                chew(&bad);
            }
        }
    }
}

// ---- ipvsadm 1.31 requests, as sent (seq and port id as captured) ----

/// -C
const REQ_FLUSH: &str = "14000000200005000263026b8200c01111010000";

/// -A -t 192.168.1.10:80 -s wlc
const REQ_NEW_SERVICE: &str = concat!(
    "68000000200005000263026b8300c01101010000540001800600010002000000",
    "060002000600000014000300c0a8010a00000000000000000000000006000400",
    "0050000008000600776c63000c00070000000000ffffffff0800080000000000",
    "08000900ffffffff",
);

/// -E -u [2001:db8::1]:5060 -s rr -p 300 -M 64 --pe sip
const REQ_SET_SERVICE: &str = concat!(
    "70000000200005000263026b8400c011020100005c000180060001000a000000",
    "06000200110000001400030020010db800000000000000000000000106000400",
    "13c40000070006007272000008000b00736970000c00070001000000ffffffff",
    "080008002c0100000800090040000000",
);

/// -A -f 5 -s sh -b flag-1,flag-2 -p 60 -M 255.255.255.0
const REQ_NEW_SERVICE_FWMARK: &str = concat!(
    "4c000000200005000363026b8500801201010000380001800600010002000000",
    "080005000500000007000600736800000c00070019000000ffffffff08000800",
    "3c00000008000900ffffff00",
);

/// -D -f 1 -6
const REQ_DEL_SERVICE: &str = concat!(
    "4c000000200005000363026b860080120301000038000180060001000a000000",
    "080005000100000005000600000000000c00070000000000ffffffff08000800",
    "000000000800090080000000",
);

/// -a -t 10.0.0.1:80 -r 192.168.0.2:8080 -m -w 2 -x 100 -y 10
const REQ_NEW_DEST: &str = concat!(
    "c8000000200005000363026b8700801205010000540001800600010002000000",
    "0600020006000000140003000a00000100000000000000000000000006000400",
    "0050000005000600000000000c00070000000000ffffffff0800080000000000",
    "08000900ffffffff6000028006000b000200000014000100c0a8000200000000",
    "0000000000000000060002001f90000008000300000000000800040002000000",
    "05000d000000000006000e000000000006000f00000000000800050064000000",
    "080006000a000000",
);

/// -e -t 10.0.0.1:80 -r [2001:db8::2]:80 -i --tun-type gue --tun-port 6080 --tun-csum
const REQ_SET_DEST: &str = concat!(
    "c8000000200005000363026b8800801206010000540001800600010002000000",
    "0600020006000000140003000a00000100000000000000000000000006000400",
    "0050000005000600000000000c00070000000000ffffffff0800080000000000",
    "08000900ffffffff6000028006000b000a0000001400010020010db800000000",
    "0000000000000002060002000050000008000300020000000800040001000000",
    "05000d000100000006000e0017c0000006000f00010000000800050000000000",
    "0800060000000000",
);

/// -d -t 10.0.0.1:80 -r 192.168.0.2:80
const REQ_DEL_DEST: &str = concat!(
    "c8000000200005000363026b8900801207010000540001800600010002000000",
    "0600020006000000140003000a00000100000000000000000000000006000400",
    "0050000005000600000000000c00070000000000ffffffff0800080000000000",
    "08000900ffffffff6000028006000b000200000014000100c0a8000200000000",
    "0000000000000000060002000050000008000300030000000800040001000000",
    "05000d000000000006000e000000000006000f00000000000800050000000000",
    "0800060000000000",
);

/// -Z
const REQ_ZERO_ALL: &str = "14000000200005000363026b8a00801210010000";

/// -Z -t 0.0.0.0:0
const REQ_ZERO_ANY: &str = "14000000200005000363026b8b00801210010000";

/// -Z -t 10.0.0.1:80
const REQ_ZERO_ONE: &str = concat!(
    "68000000200005000363026b8c00801210010000540001800600010002000000",
    "0600020006000000140003000a00000100000000000000000000000006000400",
    "0050000005000600000000000c00070000000000ffffffff0800080000000000",
    "08000900ffffffff",
);

/// --set 900 120 300
const REQ_SET_CONFIG: &str = concat!(
    "2c000000200005000363026b8d0080120c010000080004008403000008000500",
    "78000000080006002c010000",
);

/// --start-daemon master --mcast-interface eth0 --syncid 5
const REQ_NEW_DAEMON: &str = concat!(
    "34000000200005000363026b8e00801209010000200003800800010001000000",
    "0900020065746830000000000800030005000000",
);

/// --start-daemon backup --mcast-interface eth0 --syncid 5 --sync-maxlen 1500 --mcast-port 8848 --mcast-ttl 2 --mcast-group ff02::51
const REQ_NEW_DAEMON_FULL: &str = concat!(
    "60000000200005000363026b8f008012090100004c0003800800010002000000",
    "090002006574683000000000080003000500000006000400dc05000006000700",
    "90220000050008000200000014000600ff020000000000000000000000000051",
);

/// --stop-daemon backup
const REQ_DEL_DAEMON: &str = concat!(
    "30000000200005000363026b900080120a0100001c0003800800010002000000",
    "05000200000000000800030000000000",
);

/// (every invocation) GET_INFO
const REQ_GET_INFO: &str = "14000000200005000263026b820000e70f010000";

/// -L -n: GET_SERVICE dump
const REQ_GET_SERVICES: &str = "14000000200005030463026b9300401204010000";

/// -L -n: GET_DEST dump of 192.168.1.10:80
const REQ_GET_DESTS: &str = concat!(
    "44000000200005030463026b9300003508010000300001800600010002000000",
    "060002000600000014000300c0a8010a00000000000000000000000006000400",
    "00500000",
);

/// -L -n -t 10.0.0.1:80: single GET_SERVICE
const REQ_GET_SERVICE: &str = concat!(
    "68000000200005000463026b9400401204010000540001800600010002000000",
    "0600020006000000140003000a00000100000000000000000000000006000400",
    "0050000005000600000000000c00070000000000ffffffff0800080000000000",
    "0800090000000000",
);

/// -L --timeout
const REQ_GET_CONFIG: &str = "14000000200005000463026b950040120d010000";

/// -L --daemon
const REQ_GET_DAEMONS: &str = "14000000200005030463026b9a0040120b010000";

// ---- Linux 6.1.0-56-amd64 replies to ipvsadm 1.31 ----

/// GET_INFO reply
const KERNEL_SET_INFO: &str = concat!(
    "24000000200000000263026b820000e70e010000080001000102010008000200",
    "00100000",
);

/// error reply to ipvsadm's -E (no NETLINK_CAP_ACK: echoes the request)
const KERNEL_ERR_ESRCH_UNCAPPED: &str = concat!(
    "84000000020000000263026b8400c011fdffffff70000000200005000263026b",
    "8400c011020100005c000180060001000a000000060002001100000014000300",
    "20010db80000000000000000000000010600040013c400000700060072720000",
    "08000b00736970000c00070001000000ffffffff080008002c01000008000900",
    "40000000",
);

/// dump entry: TCP 10.0.0.1:80 wlc (kernel order: hash buckets)
const KERNEL_SVC_10_0_0_1: &str = concat!(
    "40010000200002000463026b93004012010100002c0101000600010002000000",
    "0600020006000000140003000a00000100000000000000000000000006000400",
    "0050000008000600776c63000c00070002000000ffffffff0800080000000000",
    "08000900ffffffff5c000a000800010000000000080002000000000008000300",
    "000000000c00040000000000000000000c000500000000000000000008000600",
    "0000000008000700000000000800080000000000080009000000000008000a00",
    "000000007c000c000c00010000000000000000000c0002000000000000000000",
    "0c00030000000000000000000c00040000000000000000000c00050000000000",
    "000000000c00060000000000000000000c00070000000000000000000c000800",
    "00000000000000000c00090000000000000000000c000a000000000000000000",
);

/// dump entry: TCP 192.168.1.10:80 wlc
const KERNEL_SVC_192_168_1_10: &str = concat!(
    "40010000200002000463026b93004012010100002c0101000600010002000000",
    "060002000600000014000300c0a8010a00000000000000000000000006000400",
    "0050000008000600776c63000c00070002000000ffffffff0800080000000000",
    "08000900ffffffff5c000a000800010000000000080002000000000008000300",
    "000000000c00040000000000000000000c000500000000000000000008000600",
    "0000000008000700000000000800080000000000080009000000000008000a00",
    "000000007c000c000c00010000000000000000000c0002000000000000000000",
    "0c00030000000000000000000c00040000000000000000000c00050000000000",
    "000000000c00060000000000000000000c00070000000000000000000c000800",
    "00000000000000000c00090000000000000000000c000a000000000000000000",
);

/// dump entry: FWM 5 sh flag-1,flag-2 persistent 60 mask 255.255.255.0
const KERNEL_SVC_FWMARK_5: &str = concat!(
    "24010000200002000463026b9300401201010000100101000600010002000000",
    "080005000500000007000600736800000c0007001b000000ffffffff08000800",
    "3c00000008000900ffffff005c000a0008000100000000000800020000000000",
    "08000300000000000c00040000000000000000000c0005000000000000000000",
    "0800060000000000080007000000000008000800000000000800090000000000",
    "08000a00000000007c000c000c00010000000000000000000c00020000000000",
    "000000000c00030000000000000000000c00040000000000000000000c000500",
    "00000000000000000c00060000000000000000000c0007000000000000000000",
    "0c00080000000000000000000c00090000000000000000000c000a0000000000",
    "00000000",
);

/// NLMSG_DONE ending the service dump
const KERNEL_DONE: &str = "14000000030002000463026b9300401200000000";

/// dump entry: 10.0.0.2:80 masq weight 1
const KERNEL_DEST_10_0_0_2: &str = concat!(
    "64010000200002000463026b9300c05f0501000050010200140001000a000002",
    "0000000000000000000000000600020000500000080003000000000008000400",
    "0100000005000d000000000006000e000000000006000f000000000008000500",
    "0000000008000600000000000800070000000000080008000000000008000900",
    "0000000006000b00020000005c000a0008000100000000000800020000000000",
    "08000300000000000c00040000000000000000000c0005000000000000000000",
    "0800060000000000080007000000000008000800000000000800090000000000",
    "08000a00000000007c000c000c00010000000000000000000c00020000000000",
    "000000000c00030000000000000000000c00040000000000000000000c000500",
    "00000000000000000c00060000000000000000000c0007000000000000000000",
    "0c00080000000000000000000c00090000000000000000000c000a0000000000",
    "00000000",
);

/// single GET_SERVICE reply (no NLM_F_MULTI)
const KERNEL_SVC_SINGLE: &str = concat!(
    "40010000200000000463026b94004012010100002c0101000600010002000000",
    "0600020006000000140003000a00000100000000000000000000000006000400",
    "0050000008000600776c63000c00070002000000ffffffff0800080000000000",
    "08000900ffffffff5c000a000800010000000000080002000000000008000300",
    "000000000c00040000000000000000000c000500000000000000000008000600",
    "0000000008000700000000000800080000000000080009000000000008000a00",
    "000000007c000c000c00010000000000000000000c0002000000000000000000",
    "0c00030000000000000000000c00040000000000000000000c00050000000000",
    "000000000c00060000000000000000000c00070000000000000000000c000800",
    "00000000000000000c00090000000000000000000c000a000000000000000000",
);

/// GET_CONFIG reply
const KERNEL_SET_CONFIG: &str = concat!(
    "2c000000200000000463026b950040120c010000080004008403000008000500",
    "78000000080006002c010000",
);

/// daemon dump entry: master dummy0 syncid 5 group 224.0.0.81 port 8848
const KERNEL_DAEMON_MASTER: &str = concat!(
    "54000000200002000463026b9a00401209010000400003000800010001000000",
    "0b00020064756d6d79300000080003000500000006000400c005000006000700",
    "90220000050008000100000008000500e0000051",
);

/// daemon dump entry: backup dummy0 syncid 6 maxlen 1400 group ff02::51 port 8850 ttl 3
const KERNEL_DAEMON_BACKUP: &str = concat!(
    "60000000200002000463026b9a004012090100004c0003000800010002000000",
    "0b00020064756d6d793000000800030006000000060004007805000006000700",
    "92220000050008000300000014000600ff020000000000000000000000000051",
);

// ---- Linux 6.1.0-56-amd64 replies to this client, after some traffic ----

/// dump entry: UDP 10.0.0.102:5060 rr persistent 60 pe sip
const KERNEL_SVC_PE_SIP: &str = concat!(
    "480100002000020003000000c000000001010000340101000600010002000000",
    "0600020011000000140003000a00006600000000000000000000000006000400",
    "13c40000070006007272000008000b00736970000c00070003000000ffffffff",
    "080008003c00000008000900ffffffff5c000a00080001000000000008000200",
    "0000000008000300000000000c00040000000000000000000c00050000000000",
    "0000000008000600000000000800070000000000080008000000000008000900",
    "0000000008000a00000000007c000c000c00010000000000000000000c000200",
    "00000000000000000c00030000000000000000000c0004000000000000000000",
    "0c00050000000000000000000c00060000000000000000000c00070000000000",
    "000000000c00080000000000000000000c00090000000000000000000c000a00",
    "0000000000000000",
);

/// dump entry: UDP [2001:db8::100]:53 sh flag-1 one-packet
const KERNEL_SVC_UDP6_OPS: &str = concat!(
    "400100002000020003000000c0000000010100002c010100060001000a000000",
    "06000200110000001400030020010db800000000000000000000010006000400",
    "0035000007000600736800000c0007000e000000ffffffff0800080000000000",
    "08000900800000005c000a000800010000000000080002000000000008000300",
    "000000000c00040000000000000000000c000500000000000000000008000600",
    "0000000008000700000000000800080000000000080009000000000008000a00",
    "000000007c000c000c00010000000000000000000c0002000000000000000000",
    "0c00030000000000000000000c00040000000000000000000c00050000000000",
    "000000000c00060000000000000000000c00070000000000000000000c000800",
    "00000000000000000c00090000000000000000000c000a000000000000000000",
);

/// dump entry: TCP 10.0.0.101:0 lc persistent 300 mask 255.255.255.0
const KERNEL_SVC_PORT0_MASK: &str = concat!(
    "400100002000020003000000c0000000010100002c0101000600010002000000",
    "0600020006000000140003000a00006500000000000000000000000006000400",
    "00000000070006006c6300000c00070003000000ffffffff080008002c010000",
    "08000900ffffff005c000a000800010000000000080002000000000008000300",
    "000000000c00040000000000000000000c000500000000000000000008000600",
    "0000000008000700000000000800080000000000080009000000000008000a00",
    "000000007c000c000c00010000000000000000000c0002000000000000000000",
    "0c00030000000000000000000c00040000000000000000000c00050000000000",
    "000000000c00060000000000000000000c00070000000000000000000c000800",
    "00000000000000000c00090000000000000000000c000a000000000000000000",
);

/// dump entry: TCP 10.0.0.1:80 wlc after 3 connections
const KERNEL_SVC_WITH_STATS: &str = concat!(
    "400100002000020003000000c0000000010100002c0101000600010002000000",
    "0600020006000000140003000a00000100000000000000000000000006000400",
    "0050000008000600776c63000c00070002000000ffffffff0800080000000000",
    "08000900ffffffff5c000a000800010003000000080002000600000008000300",
    "000000000c00040068010000000000000c000500000000000000000008000600",
    "0000000008000700010000000800080000000000080009002d00000008000a00",
    "000000007c000c000c00010003000000000000000c0002000600000000000000",
    "0c00030000000000000000000c00040068010000000000000c00050000000000",
    "000000000c00060000000000000000000c00070001000000000000000c000800",
    "00000000000000000c0009002d000000000000000c000a000000000000000000",
);

/// dump entry: FWM 42 IPv6 rr persistent 600 mask 64
const KERNEL_SVC_FWMARK6: &str = concat!(
    "240100002000020003000000c00000000101000010010100060001000a000000",
    "080005002a00000007000600727200000c00070003000000ffffffff08000800",
    "5802000008000900400000005c000a0008000100000000000800020000000000",
    "08000300000000000c00040000000000000000000c0005000000000000000000",
    "0800060000000000080007000000000008000800000000000800090000000000",
    "08000a00000000007c000c000c00010000000000000000000c00020000000000",
    "000000000c00030000000000000000000c00040000000000000000000c000500",
    "00000000000000000c00060000000000000000000c0007000000000000000000",
    "0c00080000000000000000000c00090000000000000000000c000a0000000000",
    "00000000",
);

/// dump entry: [2001:db8::3]:80 tunnel gue port 6080 csum weight 5, 2 connections
const KERNEL_DEST_GUE6_STATS: &str = concat!(
    "640100002000020004000000c000000005010000500102001400010020010db8",
    "0000000000000000000000030600020000500000080003000200000008000400",
    "0500000005000d000100000006000e0017c0000006000f000100000008000500",
    "0000000008000600000000000800070002000000080008000000000008000900",
    "0000000006000b000a0000005c000a0008000100020000000800020004000000",
    "08000300000000000c000400f0000000000000000c0005000000000000000000",
    "080006000000000008000700000000000800080000000000080009001e000000",
    "08000a00000000007c000c000c00010002000000000000000c00020004000000",
    "000000000c00030000000000000000000c000400f0000000000000000c000500",
    "00000000000000000c00060000000000000000000c0007000000000000000000",
    "0c00080000000000000000000c0009001e000000000000000c000a0000000000",
    "00000000",
);

/// dump entry: 10.0.0.2:80 masq weight 1, 1 connection
const KERNEL_DEST_MASQ_STATS: &str = concat!(
    "640100002000020004000000c00000000501000050010200140001000a000002",
    "0000000000000000000000000600020000500000080003000000000008000400",
    "0100000005000d000000000006000e000000000006000f000000000008000500",
    "0000000008000600000000000800070001000000080008000000000008000900",
    "0000000006000b00020000005c000a0008000100010000000800020002000000",
    "08000300000000000c00040078000000000000000c0005000000000000000000",
    "080006000000000008000700000000000800080000000000080009000f000000",
    "08000a00000000007c000c000c00010001000000000000000c00020002000000",
    "000000000c00030000000000000000000c00040078000000000000000c000500",
    "00000000000000000c00060000000000000000000c0007000000000000000000",
    "0c00080000000000000000000c0009000f000000000000000c000a0000000000",
    "00000000",
);

/// dump entry: [2001:db8::5]:0 route weight 2
const KERNEL_DEST_FWMARK6: &str = concat!(
    "640100002000020008000000c000000005010000500102001400010020010db8",
    "0000000000000000000000050600020000000000080003000300000008000400",
    "0200000005000d000000000006000e000000000006000f000000000008000500",
    "0000000008000600000000000800070000000000080008000000000008000900",
    "0000000006000b000a0000005c000a0008000100000000000800020000000000",
    "08000300000000000c00040000000000000000000c0005000000000000000000",
    "0800060000000000080007000000000008000800000000000800090000000000",
    "08000a00000000007c000c000c00010000000000000000000c00020000000000",
    "000000000c00030000000000000000000c00040000000000000000000c000500",
    "00000000000000000c00060000000000000000000c0007000000000000000000",
    "0c00080000000000000000000c00090000000000000000000c000a0000000000",
    "00000000",
);
