//! Properties of the wire format, on generated inputs (proptest): decoding
//! arbitrary, mutated or truncated bytes never panics; what is encoded
//! decodes back to the same values; batches' key-only service nest names
//! the same service as ipvsadm's.

use crate::model::Netmask;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use proptest::prelude::*;

use super::constants::*;
use super::golden::{all_fixtures, fixture};
use super::*;
use crate::model::*;

/// Everything the client does with a received datagram; must never panic.
/// True if some message decoded to a service, real server or daemon.
fn chew(datagram: &[u8]) -> bool {
    let mut decoded = false;
    for frame in frames(datagram) {
        let Ok(frame) = frame else { break };
        let Ok(Reply::Data { payload, .. }) = frame.reply() else {
            continue;
        };
        let _ = family_id_from_reply(payload);
        let Ok((_, body)) = ipvs_body(payload) else {
            continue;
        };
        let _ = kernel_info(body);
        let _ = timeouts(body);
        if let Ok(Some(nest)) = find_attribute(body, IPVS_CMD_ATTR_SERVICE) {
            let full = service_entry(nest, Counters::Decode);
            // Without counters: the same service, counters zero.
            if let Ok(full) = &full {
                let bare = service_entry(nest, Counters::Skip).expect("decodes without counters");
                assert_eq!(
                    (&bare.service, bare.stats),
                    (&full.service, Stats::default())
                );
            }
            decoded |= full.is_ok();
        }
        if let Ok(Some(nest)) = find_attribute(body, IPVS_CMD_ATTR_DEST) {
            for family in [AddressFamily::Inet, AddressFamily::Inet6] {
                let full = destination_entry(nest, family, Counters::Decode);
                if let Ok(full) = &full {
                    let bare = destination_entry(nest, family, Counters::Skip)
                        .expect("decodes without counters");
                    let expected = DestinationEntry {
                        stats: Stats::default(),
                        ..*full
                    };
                    assert_eq!(bare, expected);
                }
                decoded |= full.is_ok();
            }
        }
        if let Ok(Some(nest)) = find_attribute(body, IPVS_CMD_ATTR_DAEMON) {
            decoded |= sync_daemon(nest).is_ok();
        }
    }
    decoded
}

/// Every reply fixture, hand-derived and captured.
fn reply_fixtures() -> Vec<Vec<u8>> {
    let replies = all_fixtures(include_str!("testdata/replies.hex"));
    let captured = all_fixtures(include_str!("testdata/captured.hex"));
    replies
        .into_iter()
        .chain(
            captured
                .into_iter()
                .filter(|(name, _)| name.starts_with("kernel_")),
        )
        .filter(|(name, _)| name != "family_reply_body")
        .map(|(_, bytes)| bytes)
        .collect()
}

#[test]
fn fixtures_decode_and_survive_every_cut_and_byte() {
    for good in reply_fixtures() {
        chew(&good);
        for cut in 0..good.len() {
            chew(&good[..cut]);
        }
        for pos in 0..good.len() {
            for value in [0x00, 0x01, 0x03, 0x04, 0x05, 0x7f, 0x80, 0xff] {
                let mut bad = good.clone();
                bad[pos] = value;
                chew(&bad);
            }
        }
    }
    let entry = fixture(
        include_str!("testdata/captured.hex"),
        "kernel_dest_gue6_stats",
    );
    assert!(chew(&entry), "a captured entry decodes");
}

/// A datagram: random bytes, often behind a plausible IPVS message header
/// so that the attribute decoders are reached.
fn arbitrary_datagram() -> impl Strategy<Value = Vec<u8>> {
    (
        prop::collection::vec(any::<u8>(), 0..200),
        prop::option::of((0usize..=200, 0u8..20)),
    )
        .prop_map(|(mut bytes, header)| {
            if let (Some((len, cmd)), true) = (header, bytes.len() >= 20) {
                let len = len.min(bytes.len()) as u32;
                bytes[..4].copy_from_slice(&len.to_ne_bytes());
                bytes[4..6].copy_from_slice(&0x25u16.to_ne_bytes());
                bytes[16] = cmd;
            }
            bytes
        })
}

/// One change to a valid datagram: a 16-bit word (attribute length or
/// kind) set to an edge value, a byte replaced, a cut, or junk appended.
#[derive(Debug, Clone)]
enum Mutation {
    Word(usize, u16),
    Byte(usize, u8),
    Cut(usize),
    Append(Vec<u8>),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let edge = prop::sample::select(vec![0u16, 1, 3, 4, 5, 7, 8, 0x7fff, 0x8000, 0xffff, 0x8004]);
    prop_oneof![
        (any::<usize>(), prop_oneof![edge, any::<u16>()]).prop_map(|(at, v)| Mutation::Word(at, v)),
        (any::<usize>(), any::<u8>()).prop_map(|(at, v)| Mutation::Byte(at, v)),
        any::<usize>().prop_map(Mutation::Cut),
        prop::collection::vec(any::<u8>(), 1..32).prop_map(Mutation::Append),
    ]
}

fn apply(bytes: &mut Vec<u8>, mutation: &Mutation) {
    let len = bytes.len();
    match mutation {
        Mutation::Word(at, v) if len >= 2 => {
            let at = (at % (len - 1)) & !1;
            bytes[at..at + 2].copy_from_slice(&v.to_ne_bytes());
        }
        Mutation::Byte(at, v) if len > 0 => bytes[at % len] = *v,
        Mutation::Cut(at) => bytes.truncate(at % (len + 1)),
        Mutation::Append(junk) => bytes.extend_from_slice(junk),
        _ => {}
    }
}

fn address() -> impl Strategy<Value = IpAddr> {
    prop_oneof![
        any::<u32>().prop_map(|a| IpAddr::V4(Ipv4Addr::from(a))),
        any::<u128>().prop_map(|a| IpAddr::V6(Ipv6Addr::from(a))),
    ]
}

fn family() -> impl Strategy<Value = AddressFamily> {
    prop_oneof![Just(AddressFamily::Inet), Just(AddressFamily::Inet6)]
}

fn service_key() -> impl Strategy<Value = ServiceKey> {
    prop_oneof![
        (family(), any::<u32>()).prop_map(|(family, mark)| ServiceKey::Fwmark { family, mark }),
        (
            prop::sample::select(vec![Protocol::Tcp, Protocol::Udp, Protocol::Sctp]),
            address(),
            any::<u16>()
        )
            .prop_map(|(protocol, addr, port)| ServiceKey::Addr {
                protocol,
                addr,
                port
            }),
    ]
}

/// Names as the kernel knows them: no NUL (a C string ends there).
fn name() -> impl Strategy<Value = String> {
    "[a-z0-9_.é-]{0,20}"
}

fn service() -> impl Strategy<Value = Service> {
    (
        service_key(),
        name(),
        any::<u32>(),
        any::<u32>(),
        any::<u32>(),
        prop::option::of(name()),
    )
        .prop_map(
            |(key, scheduler, flags, timeout, netmask, pe_name)| Service {
                key,
                config: ServiceConfig {
                    scheduler,
                    flags: ServiceFlags::from_bits(flags),
                    timeout,
                    netmask: Netmask::from_raw(key.family(), netmask),
                    pe_name,
                },
            },
        )
}

fn destination() -> impl Strategy<Value = Destination> {
    let forward = prop::sample::select(vec![
        ForwardMethod::Masquerade,
        ForwardMethod::Local,
        ForwardMethod::Tunnel,
        ForwardMethod::Route,
        ForwardMethod::Bypass,
    ]);
    let tunnel = prop::sample::select(vec![TunnelType::Ipip, TunnelType::Gue, TunnelType::Gre]);
    (
        address(),
        any::<u16>(),
        forward,
        any::<i32>(),
        (any::<u32>(), any::<u32>()),
        (tunnel, any::<u16>(), any::<u16>()),
    )
        .prop_map(
            |(addr, port, forward, weight, (upper, lower), (tunnel_type, tport, tflags))| {
                Destination {
                    addr,
                    port,
                    config: DestinationConfig {
                        forward,
                        weight,
                        upper_threshold: upper,
                        lower_threshold: lower,
                        tunnel_type,
                        tunnel_port: tport,
                        tunnel_flags: tflags,
                    },
                }
            },
        )
}

fn daemon() -> impl Strategy<Value = SyncDaemon> {
    (
        prop_oneof![Just(DaemonState::Master), Just(DaemonState::Backup)],
        name(),
        any::<u32>(),
        any::<u16>(),
        prop::option::of(address()),
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
        )
}

fn stats() -> impl Strategy<Value = Stats> {
    prop::array::uniform10(any::<u64>()).prop_map(|v| Stats {
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

fn request() -> impl Strategy<Value = Request> {
    prop_oneof![
        service().prop_map(Request::AddService),
        service().prop_map(Request::EditService),
        service_key().prop_map(Request::DeleteService),
        (service_key(), destination()).prop_map(|(k, d)| Request::AddDestination(k, d)),
        (service_key(), destination()).prop_map(|(k, d)| Request::EditDestination(k, d)),
        (service_key(), address(), any::<u16>())
            .prop_map(|(k, a, p)| Request::DeleteDestination(k, a, p)),
        Just(Request::Flush),
        prop::option::of(service_key()).prop_map(Request::Zero),
        (any::<u32>(), any::<u32>(), any::<u32>()).prop_map(|(tcp, tcp_fin, udp)| {
            Request::SetTimeouts(Timeouts { tcp, tcp_fin, udp })
        }),
        daemon().prop_map(Request::StartDaemon),
        prop_oneof![Just(DaemonState::Master), Just(DaemonState::Backup)]
            .prop_map(Request::StopDaemon),
    ]
}

/// A datagram of one reply message of `cmd` whose attributes `body` writes.
fn reply(cmd: IpvsCmd, body: impl FnOnce(&mut AttrWriter<'_>)) -> Vec<u8> {
    let mut out = Vec::new();
    let header = Header {
        msg_type: 0x25,
        flags: 2,
        seq: 1,
    };
    write_ipvs_message(&mut out, header, cmd, body);
    out
}

/// The nest of `kind` in a one-message datagram.
fn nest_in(datagram: &[u8], kind: u16) -> &[u8] {
    let frame = frames(datagram).next().unwrap().unwrap();
    let (_, body) = ipvs_body(frame.payload).unwrap();
    find_attribute(body, kind).unwrap().unwrap()
}

/// The kernel's answer for a service: what was sent, flags masked.
fn dumped(service: &Service) -> Service {
    let mut service = service.clone();
    service.config.pe_name = service.config.pe_name.filter(|pe| !pe.is_empty());
    service
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn arbitrary_bytes_never_panic(datagram in arbitrary_datagram()) {
        chew(&datagram);
        let _ = family_id_from_reply(&datagram);
        let _ = service_entry(&datagram, Counters::Decode);
        let _ = destination_entry(&datagram, AddressFamily::Inet, Counters::Decode);
        let _ = sync_daemon(&datagram);
        let _ = StatsNest::parse(&datagram);
    }

    /// The attribute walk splits attribute bytes (mutated replies' bodies,
    /// and every value in them taken as attributes) exactly as
    /// netlink-packet-core's `NlasIterator` does: the same attributes, then
    /// the same error.
    #[test]
    fn attribute_walk_agrees_with_netlink_packet_core(
        pick in any::<prop::sample::Index>(),
        mutations in prop::collection::vec(mutation(), 0..4),
    ) {
        let mut body = pick.get(&reply_fixtures()).get(20..).unwrap_or_default().to_vec();
        for m in &mutations {
            apply(&mut body, m);
        }
        walks_agree(&body)?;
    }

    #[test]
    fn mutated_replies_never_panic(
        picks in prop::collection::vec((any::<prop::sample::Index>(), prop::collection::vec(mutation(), 1..4)), 1..4)
    ) {
        let fixtures = reply_fixtures();
        let mut datagram = Vec::new();
        for (pick, mutations) in &picks {
            let mut message = pick.get(&fixtures).clone();
            for m in mutations {
                apply(&mut message, m);
            }
            datagram.extend_from_slice(&message);
        }
        chew(&datagram);
    }

    #[test]
    fn services_round_trip(service in service(), s32 in stats(), s64 in prop::option::of(stats())) {
        let mut nest = Vec::new();
        let mut w = AttrWriter::new(&mut nest);
        ServiceNest::Config(&service).emit(&mut w);
        let attrs = nest_value(&nest);
        let mut with_stats = attrs.to_vec();
        let stats32 = StatsNest::stats32(&s32).to_bytes();
        let mut w = AttrWriter::new(&mut with_stats);
        SvcAttr::Stats(&stats32).emit(&mut w);
        let stats64 = s64.map(|s| StatsNest::stats64(&s).to_bytes());
        if let Some(bytes) = &stats64 {
            SvcAttr::Stats64(bytes).emit(&mut w);
        }
        let entry = service_entry(&with_stats, Counters::Decode).unwrap();
        prop_assert_eq!(&entry.service, &dumped(&service));
        let expected = s64.unwrap_or(StatsNest::stats32(&s32).to_stats().unwrap());
        prop_assert_eq!(entry.stats, expected);
    }

    #[test]
    fn destinations_round_trip(dest in destination(), conns in any::<[u32; 3]>()) {
        let mut nest = Vec::new();
        emit_destination_nest(&mut AttrWriter::new(&mut nest), &dest);
        let mut value = nest_value(&nest).to_vec();
        let mut w = AttrWriter::new(&mut value);
        DestAttr::ActiveConns(conns[0]).emit(&mut w);
        DestAttr::InactConns(conns[1]).emit(&mut w);
        DestAttr::PersistConns(conns[2]).emit(&mut w);
        // The service's family does not matter: ADDR_FAMILY is sent.
        let entry = destination_entry(&value, AddressFamily::Inet, Counters::Decode).unwrap();
        prop_assert_eq!(entry.destination, dest);
        prop_assert_eq!(
            (entry.active_conns, entry.inactive_conns, entry.persistent_conns),
            (conns[0], conns[1], conns[2])
        );
    }

    #[test]
    fn daemons_round_trip(daemon in daemon()) {
        let datagram = reply(IpvsCmd::NewDaemon, |w| emit_daemon_nest(w, &daemon));
        let decoded = sync_daemon(nest_in(&datagram, IPVS_CMD_ATTR_DAEMON)).unwrap();
        prop_assert_eq!(decoded, daemon);
    }

    #[test]
    fn attributes_round_trip(
        kind in 13u16..200,
        flags in prop::sample::select(vec![0u16, NLA_F_NESTED_BIT]),
        value in prop::collection::vec(any::<u8>(), 0..40),
        name in name(),
    ) {
        let attrs = [
            SvcAttr::SchedName(name.as_str().into()),
            SvcAttr::Flags(IpvsFlags { flags: kind.into(), mask: !0 }),
            SvcAttr::Other(kind | flags, &value),
        ];
        let mut bytes = Vec::new();
        let mut w = AttrWriter::new(&mut bytes);
        attrs.iter().for_each(|a| a.emit(&mut w));
        let parsed: Vec<SvcAttr<'_>> = nla::attributes(&bytes)
            .map(|nla| SvcAttr::parse(&nla.unwrap()).unwrap())
            .collect();
        prop_assert_eq!(&parsed[..], &attrs[..]);
    }

    /// Batches send the key-only service nest: it holds exactly the key
    /// attributes ipvsadm's nest starts with, and the rest of the message
    /// is the same.
    #[test]
    fn key_only_nests_name_the_same_service(request in request()) {
        let header = Header { msg_type: 0x25, flags: REQUEST_FLAGS, seq: 7 };
        let (mut ipvsadm, mut keyed) = (Vec::new(), Vec::new());
        request.write(&mut ipvsadm, header, ServiceRef::Ipvsadm);
        request.write(&mut keyed, header, ServiceRef::Key);
        let split = |message: &[u8]| -> Vec<(u16, Vec<u8>)> {
            let (_, body) = ipvs_body(&message[16..]).unwrap();
            nla::attributes(body)
                .map(|nla| {
                    let nla = nla.unwrap();
                    (nla.kind(), nla.value().to_vec())
                })
                .collect()
        };
        let (full, key) = (split(&ipvsadm), split(&keyed));
        prop_assert_eq!(full.len(), key.len());
        for ((kind, full), (key_kind, key)) in full.iter().zip(&key) {
            prop_assert_eq!(kind, key_kind);
            let only_names = matches!(
                request,
                Request::DeleteService(_)
                    | Request::AddDestination(..)
                    | Request::EditDestination(..)
                    | Request::DeleteDestination(..)
                    | Request::Zero(_)
            );
            if *kind == IPVS_CMD_ATTR_SERVICE && only_names {
                prop_assert!(full.starts_with(key) && key.len() < full.len());
                let service = service_entry(key, Counters::Skip);
                prop_assert!(service.is_err(), "the key alone is no dumped service");
            } else {
                prop_assert_eq!(full, key);
            }
        }
    }
}

/// `NLA_F_NESTED`, for generated kinds.
const NLA_F_NESTED_BIT: u16 = netlink_packet_core::NLA_F_NESTED;

/// Our walk and `NlasIterator` split `bytes` alike, and each value too.
fn walks_agree(bytes: &[u8]) -> Result<(), TestCaseError> {
    let ours: Vec<_> = nla::attributes(bytes)
        .map(|a| {
            a.map(|a| (a.raw_kind(), a.value()))
                .map_err(|e| e.to_string())
        })
        .collect();
    let theirs: Vec<_> = netlink_packet_core::NlasIterator::new(bytes)
        .map(|nla| {
            nla.map(|nla| {
                let raw = nla.into_inner();
                (
                    u16::from_ne_bytes([raw[2], raw[3]]),
                    &raw[4..nla.length().into()],
                )
            })
            .map_err(|e| e.to_string())
        })
        .collect();
    prop_assert_eq!(&ours, &theirs);
    for (_, value) in ours.into_iter().flatten() {
        walks_agree(value)?;
    }
    Ok(())
}

/// The value of a single nested attribute.
fn nest_value(nest: &[u8]) -> &[u8] {
    let nla = nla::attributes(nest).next().unwrap().unwrap();
    nla.value()
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
            flags: ServiceFlags::default(),
            timeout: 0,
            netmask: Netmask::Ipv4(std::net::Ipv4Addr::UNSPECIFIED),
            pe_name: Some(name),
        },
    };
    let mut nest = Vec::new();
    ServiceNest::Config(&service).emit(&mut AttrWriter::new(&mut nest));
    let entry = service_entry(nest_value(&nest), Counters::Decode).unwrap();
    assert_eq!(entry.service.config.scheduler.len(), MAX_STRING_BYTES);
}

#[test]
fn huge_datagrams_decode() {
    // 5,000 messages in one datagram, and one with a 1 MiB attribute region.
    let mut fixtures = reply_fixtures();
    fixtures.retain(|f| frames(f).count() == 1);
    let datagram: Vec<u8> = fixtures
        .iter()
        .cycle()
        .take(5_000)
        .flatten()
        .copied()
        .collect();
    assert_eq!(frames(&datagram).filter(|f| f.is_ok()).count(), 5_000);
    assert!(chew(&datagram));
    let mut big = fixture(include_str!("testdata/captured.hex"), "kernel_svc_pe_sip");
    big.extend(std::iter::repeat_n(0u8, 1 << 20));
    let len = big.len() as u32;
    big[..4].copy_from_slice(&len.to_ne_bytes());
    chew(&big);
}
