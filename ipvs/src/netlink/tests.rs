//! Round trips through the attribute types, agreement with the rust-netlink
//! message types, and garbage that must be rejected without a panic.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use netlink_packet_core::{
    DefaultNla, Emitable, NetlinkHeader, NetlinkMessage, NetlinkPayload, NLA_F_NESTED,
};
use netlink_packet_generic::GenlMessage;

use super::*;
use crate::model::*;

fn sample_stats() -> Stats {
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
        outbps: 10,
    }
}

/// A kernel-like service dump message with every attribute kind.
fn sample_service_message() -> IpvsMessage {
    let mut svc = service_attrs(&Service {
        key: ServiceKey::Addr {
            protocol: Protocol::Sctp,
            addr: "2001:db8::7".parse().unwrap(),
            port: 443,
        },
        config: ServiceConfig {
            scheduler: "mh".into(),
            flags: ServiceFlags::PERSISTENT | ServiceFlags::SCHED2,
            timeout: 360,
            netmask: Netmask::Ipv6(96),
            pe_name: Some("sip".into()),
        },
    });
    svc.push(SvcAttr::Stats(stats_attrs32(&sample_stats())));
    svc.push(SvcAttr::Stats64(stats_attrs64(&sample_stats())));
    svc.push(SvcAttr::Other(DefaultNla::new(200, vec![1, 2, 3])));
    IpvsMessage::with_attrs(IpvsCmd::NewService, vec![IpvsCmdAttr::Service(svc)])
}

fn sample_dest_message() -> IpvsMessage {
    let mut dest = destination_attrs(&Destination {
        addr: "10.9.8.7".parse().unwrap(),
        port: 8443,
        config: DestinationConfig {
            forward: ForwardMethod::Masquerade,
            weight: 7,
            upper_threshold: 50,
            lower_threshold: 5,
            tunnel_type: TunnelType::Gue,
            tunnel_port: 5555,
            tunnel_flags: 2,
        },
    });
    dest.extend([
        DestAttr::ActiveConns(1),
        DestAttr::InactConns(2),
        DestAttr::PersistConns(3),
        DestAttr::Stats64(stats_attrs64(&sample_stats())),
    ]);
    IpvsMessage::with_attrs(
        IpvsCmd::NewDest,
        vec![
            IpvsCmdAttr::Service(service_key_attrs(&ServiceKey::Fwmark {
                family: AddressFamily::Inet,
                mark: 3,
            })),
            IpvsCmdAttr::Dest(dest),
        ],
    )
}

/// A real server as Linux 6.1 dumps it: attributes in the kernel's order
/// (the prefix the light decoder reads at fixed places), then both stats nests.
fn linux_dest_message() -> IpvsMessage {
    let stats = sample_stats();
    let dest = vec![
        DestAttr::Addr(InetAddr::from_ip("10.9.8.7".parse().unwrap())),
        DestAttr::Port(8443),
        DestAttr::FwdMethod(2),
        DestAttr::Weight(7),
        DestAttr::TunType(1),
        DestAttr::TunPort(5555),
        DestAttr::TunFlags(2),
        DestAttr::UThresh(50),
        DestAttr::LThresh(5),
        DestAttr::ActiveConns(1),
        DestAttr::InactConns(2),
        DestAttr::PersistConns(3),
        DestAttr::AddrFamily(2),
        DestAttr::Stats(stats_attrs32(&stats)),
        DestAttr::Stats64(stats_attrs64(&stats)),
    ];
    IpvsMessage::with_attrs(IpvsCmd::NewDest, vec![IpvsCmdAttr::Dest(dest)])
}

fn sample_daemon_message() -> IpvsMessage {
    IpvsMessage::with_attrs(
        IpvsCmd::NewDaemon,
        vec![IpvsCmdAttr::Daemon(daemon_attrs(&SyncDaemon {
            state: DaemonState::Backup,
            mcast_ifn: "bond0.12".into(),
            syncid: 255,
            sync_maxlen: 1400,
            mcast_group: Some(IpAddr::V4(Ipv4Addr::new(239, 1, 2, 3))),
            mcast_port: 9000,
            mcast_ttl: 4,
        }))],
    )
}

fn body(msg: &IpvsMessage) -> Vec<u8> {
    let mut out = vec![msg.cmd.to_raw(), 1, 0, 0];
    let start = out.len();
    out.resize(start + msg.buffer_len(), 0);
    msg.emit(&mut out[start..]);
    out
}

#[test]
fn messages_round_trip() {
    for msg in [
        sample_service_message(),
        sample_dest_message(),
        sample_daemon_message(),
        IpvsMessage::with_attrs(
            IpvsCmd::SetConfig,
            timeouts_attrs(&Timeouts {
                tcp: 1,
                tcp_fin: 2,
                udp: 3,
            }),
        ),
        IpvsMessage::with_attrs(
            IpvsCmd::SetInfo,
            vec![
                IpvsCmdAttr::Info(InfoAttr::Version(0x010201)),
                IpvsCmdAttr::Info(InfoAttr::ConnTabSize(4096)),
            ],
        ),
    ] {
        assert_eq!(decode_ipvs_message(&body(&msg)).unwrap(), msg);
    }
}

#[test]
fn conversions_round_trip() {
    let msg = decode_ipvs_message(&body(&sample_service_message())).unwrap();
    let entry = service_entry_from_attrs(msg.service().unwrap()).unwrap();
    assert_eq!(entry.service.config.pe_name.as_deref(), Some("sip"));
    assert_eq!(entry.service.config.netmask, Netmask::Ipv6(96));
    assert_eq!(entry.stats, sample_stats());
    assert_eq!(
        entry.service.key,
        ServiceKey::Addr {
            protocol: Protocol::Sctp,
            addr: "2001:db8::7".parse().unwrap(),
            port: 443
        }
    );

    let msg = decode_ipvs_message(&body(&sample_dest_message())).unwrap();
    let entry = destination_entry_from_attrs(msg.dest().unwrap(), AddressFamily::Inet6).unwrap();
    assert_eq!(
        entry.destination.addr,
        "10.9.8.7".parse::<IpAddr>().unwrap()
    );
    assert_eq!(entry.destination.config.tunnel_port, 5555);
    assert_eq!(entry.destination.config.tunnel_type, TunnelType::Gue);
    assert_eq!(entry.stats, sample_stats());

    let msg = decode_ipvs_message(&body(&sample_daemon_message())).unwrap();
    let daemon = sync_daemon_from_attrs(msg.daemon().unwrap()).unwrap();
    assert_eq!(daemon.mcast_ifn, "bond0.12");
    assert_eq!(daemon.mcast_port, 9000);

    let v6 = daemon_attrs(&SyncDaemon {
        mcast_group: Some(IpAddr::V6(Ipv6Addr::new(0xff05, 0, 0, 0, 0, 0, 0, 1))),
        ..daemon
    });
    let back = sync_daemon_from_attrs(&v6).unwrap();
    assert_eq!(back.mcast_group, Some("ff05::1".parse().unwrap()));
}

#[test]
fn weight_and_flags_keep_their_bits() {
    let attrs = destination_attrs(&Destination {
        addr: "10.0.0.1".parse().unwrap(),
        port: 1,
        config: DestinationConfig {
            weight: -1,
            ..unset_destination_config()
        },
    });
    assert!(attrs.contains(&DestAttr::Weight(u32::MAX)));
    // The kernel dumps mask ~0; a narrower mask means only those bits count.
    let flags = IpvsFlags {
        flags: 0x3,
        mask: 0x1,
    };
    assert_eq!(flags.effective(), 0x1);
}

#[test]
fn nested_flag_and_other_kinds_are_kept() {
    // The kernel accepts nests with NLA_F_NESTED and without; so do we.
    let mut bytes = body(&sample_daemon_message());
    assert_eq!(bytes[7] & 0x80, 0x80, "we set NLA_F_NESTED like libnl");
    bytes[7] &= 0x7f;
    assert_eq!(
        decode_ipvs_message(&bytes).unwrap(),
        sample_daemon_message()
    );
    // An unknown nested attribute keeps its flag bits.
    let other = IpvsCmdAttr::Other(DefaultNla::new(9 | NLA_F_NESTED, vec![0; 4]));
    let msg = IpvsMessage::with_attrs(IpvsCmd::NewService, vec![other]);
    assert_eq!(decode_ipvs_message(&body(&msg)).unwrap(), msg);
}

#[test]
fn agrees_with_rust_netlink_message_types() {
    let msg = sample_dest_message();
    let mut genl = GenlMessage::from_payload(msg.clone());
    genl.set_resolved_family_id(0x30);
    let mut header = NetlinkHeader::default();
    header.flags = REQUEST_FLAGS;
    header.sequence_number = 77;
    let mut nl = NetlinkMessage::new(header, NetlinkPayload::from(genl));
    nl.finalize();
    let mut theirs = vec![0; nl.buffer_len()];
    nl.serialize(&mut theirs);
    assert_eq!(encode_ipvs_message(0x30, REQUEST_FLAGS, 77, &msg), theirs);

    let parsed = NetlinkMessage::<GenlMessage<IpvsMessage>>::deserialize(&theirs).unwrap();
    let NetlinkPayload::InnerMessage(genl) = parsed.payload else {
        panic!("not an inner message")
    };
    assert_eq!(genl.payload, msg);
}

/// Everything a reply could be run through; must never panic.
fn chew(datagram: &[u8]) {
    for frame in frames(datagram) {
        let Ok(frame) = frame else { continue };
        let Ok(Reply::Data { payload, .. }) = frame.reply() else {
            continue;
        };
        let _ = family_id_from_reply(payload);
        let Ok(msg) = decode_ipvs_message(payload) else {
            continue;
        };
        let _ = kernel_info_from_attrs(&msg.attrs);
        let _ = timeouts_from_attrs(&msg.attrs);
        if let Some(attrs) = msg.service() {
            let full = service_entry_from_attrs(attrs);
            // The light path listings use must agree with the full one.
            let light = find_ipvs_attribute(payload, constants::IPVS_CMD_ATTR_SERVICE)
                .map(|nest| nest.map(service_entry_from_bytes));
            // Without counters: the same entry, counters zero.
            if let Ok(Some(Ok(light))) = &light {
                let nest = find_ipvs_attribute(payload, constants::IPVS_CMD_ATTR_SERVICE);
                let bare = nest.map(|nest| nest.map(service_entry_without_stats));
                let Ok(Some(Ok(bare))) = bare else {
                    panic!("decodes with counters but not without: {bare:?}")
                };
                assert_eq!(bare.stats, Default::default());
                assert_eq!(bare.service, light.service);
            }
            match (full, light) {
                (Ok(full), Ok(Some(Ok(light)))) => assert_eq!(full, light),
                (Err(_), Ok(Some(Err(_)))) => {}
                (full, light) => panic!("full {full:?}, light {light:?}"),
            }
        }
        if let Some(attrs) = msg.dest() {
            let full = destination_entry_from_attrs(attrs, AddressFamily::Inet);
            // The light path listings use must agree with the full one.
            let light = find_ipvs_attribute(payload, constants::IPVS_CMD_ATTR_DEST)
                .map(|nest| nest.map(|v| destination_entry_from_bytes(v, AddressFamily::Inet)));
            // Without counters: the same entry, counters zero.
            if let Ok(Some(Ok(light))) = &light {
                let nest = find_ipvs_attribute(payload, constants::IPVS_CMD_ATTR_DEST);
                let bare = nest.map(|nest| {
                    nest.map(|v| destination_entry_without_stats(v, AddressFamily::Inet))
                });
                let Ok(Some(Ok(bare))) = bare else {
                    panic!("decodes with counters but not without: {bare:?}")
                };
                assert_eq!(bare.stats, Default::default());
                assert_eq!(
                    DestinationEntry {
                        stats: bare.stats,
                        ..*light
                    },
                    bare
                );
            }
            match (full, light) {
                (Ok(full), Ok(Some(Ok(light)))) => assert_eq!(full, light),
                (Err(_), Ok(Some(Err(_)))) => {}
                (full, light) => panic!("full {full:?}, light {light:?}"),
            }
        }
        if let Some(attrs) = msg.daemon() {
            let _ = sync_daemon_from_attrs(attrs);
        }
        // Whatever decoded must encode again.
        let mut out = vec![0; msg.buffer_len()];
        msg.emit(&mut out);
    }
}

/// xorshift64*: deterministic bytes for the garbage tests.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
}

fn datagram_of(msg: &IpvsMessage) -> Vec<u8> {
    encode_ipvs_message(0x25, 2, 1, msg)
}

#[test]
fn garbage_never_panics() {
    let mut rng = Rng(0x1234_5678_9abc_def1);
    for _ in 0..20_000 {
        let len = (rng.next() % 160) as usize;
        let mut buf: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
        // Make the headers plausible often enough to reach the attribute code.
        if len >= 24 && rng.next() % 2 == 0 {
            buf[0..4].copy_from_slice(&(len as u32).to_ne_bytes());
            buf[4..6].copy_from_slice(&0x25u16.to_ne_bytes());
            buf[16] = (rng.next() % 18) as u8;
        }
        chew(&buf);
    }
}

#[test]
fn mutated_replies_never_panic() {
    let mut rng = Rng(42);
    for msg in [
        sample_service_message(),
        sample_dest_message(),
        linux_dest_message(),
        sample_daemon_message(),
    ] {
        let good = datagram_of(&msg);
        chew(&good);
        for cut in 0..good.len() {
            chew(&good[..cut]);
        }
        for pos in 0..good.len() {
            for value in [0u8, 1, 3, 4, 0x7f, 0x80, 0xff, rng.next() as u8] {
                let mut bad = good.clone();
                bad[pos] = value;
                chew(&bad);
            }
        }
        // Oversized: the message followed by junk, and a huge length field.
        let mut long = good.clone();
        long.extend((0..64).map(|_| rng.next() as u8));
        chew(&long);
        let mut huge = good.clone();
        huge[0..4].copy_from_slice(&u32::MAX.to_ne_bytes());
        chew(&huge);
    }
}

#[test]
fn truncated_service_is_rejected_not_guessed() {
    let attrs = match &sample_service_message().attrs[0] {
        IpvsCmdAttr::Service(attrs) => attrs.clone(),
        _ => unreachable!(),
    };
    // Dropping any of the required attributes fails; dropping stats, PE or
    // unknown ones does not.
    for skip in 0..attrs.len() {
        let mut partial = attrs.clone();
        let removed = partial.remove(skip);
        let result = service_entry_from_attrs(&partial);
        match removed {
            SvcAttr::Stats(_) | SvcAttr::Stats64(_) | SvcAttr::PeName(_) | SvcAttr::Other(_) => {
                assert!(result.is_ok(), "rejected without {removed:?}")
            }
            _ => assert!(result.is_err(), "accepted without {removed:?}"),
        }
    }
    // A stats nest missing a counter is an error, not zero.
    let mut stats = stats_attrs64(&sample_stats());
    stats.pop();
    assert!(stats_from_attrs(&stats).is_err());
}

#[test]
fn huge_strings_cannot_overflow_attribute_lengths() {
    let name = "x".repeat(100_000);
    let service = Service {
        key: ServiceKey::Fwmark {
            family: AddressFamily::Inet,
            mark: 1,
        },
        config: ServiceConfig {
            scheduler: name.clone(),
            flags: ServiceFlags::from_bits(0),
            timeout: 0,
            netmask: Netmask::Ipv6(0),
            pe_name: Some(name),
        },
    };
    let msg = IpvsMessage::with_attrs(
        IpvsCmd::NewService,
        vec![IpvsCmdAttr::Service(service_attrs(&service))],
    );
    let decoded = decode_ipvs_message(&body(&msg)).unwrap();
    let entry = service_entry_from_attrs(decoded.service().unwrap()).unwrap();
    assert_eq!(entry.service.config.scheduler.len(), MAX_STRING_BYTES);
}
