use super::*;
use crate::fake::FakeIpvs;
use crate::model::{
    Destination, DestinationEntry, Protocol, Service, ServiceEntry, SyncDaemon, Timeouts,
};
use crate::reconcile::{apply, plan, Outcome};

fn key(port: u16) -> ServiceKey {
    ServiceKey::Addr {
        protocol: Protocol::Tcp,
        addr: "10.0.0.1".parse().unwrap(),
        port,
    }
}

fn ip(host: u8) -> IpAddr {
    format!("10.0.0.{host}").parse().unwrap()
}

fn server(host: u8, weight: i32) -> Destination {
    let mut d = Destination::new(ip(host), 80);
    d.config.weight = weight;
    d
}

/// Services by port, each with its real servers (host, weight).
fn table(services: &[(u16, &[(u8, i32)])]) -> Table {
    let mut t = Table::new();
    for (port, servers) in services {
        t.add_service(Service::new(key(*port), "rr")).unwrap();
        for (host, weight) in *servers {
            t.add_destination(key(*port), server(*host, *weight))
                .unwrap();
        }
    }
    t
}

/// Never waits: the tests count readings, not seconds.
fn no_wait(timeout: u64) -> Drain {
    Drain {
        timeout: Duration::from_secs(timeout),
        interval: Duration::ZERO,
    }
}

/// Applies the plan towards `draining(live, desired)` to a fake holding
/// `live`; the fake and that first table.
fn started(live: &Table, desired: &Table) -> (FakeIpvs, Table) {
    let first = draining(live, desired).unwrap();
    let mut fake = FakeIpvs::new(live.clone());
    let outcome = apply(&mut fake, live, &plan(live, &first)).unwrap();
    assert!(matches!(outcome, Outcome::Applied), "{outcome:?}");
    assert!(fake.table().same_as(&first));
    (fake, first)
}

#[test]
fn dropped_servers_stay_at_weight_0_and_their_service_with_them() {
    let live = table(&[(80, &[(2, 3), (3, 1)]), (443, &[(4, 2)]), (8080, &[])]);
    let desired = table(&[(80, &[(2, 5)])]);
    let first = draining(&live, &desired).unwrap();
    let expected = table(&[(80, &[(2, 5), (3, 0)]), (443, &[(4, 0)])]);
    assert!(first.same_as(&expected), "{first:?}");
    // Every other change first; the drained ones only lose their weight.
    assert_eq!(
        plan(&live, &first),
        vec![
            Request::EditDestination(key(80), server(2, 5)),
            Request::EditDestination(key(80), server(3, 0)),
            Request::EditDestination(key(443), server(4, 0)),
            Request::DeleteService(key(8080)),
        ]
    );
    // What is left to do once drained: deletions only.
    assert_eq!(
        plan(&first, &desired),
        vec![
            Request::DeleteDestination(key(80), ip(3), 80),
            Request::DeleteService(key(443)),
        ]
    );
    // Nothing to drain.
    assert!(draining(&desired, &desired).is_none());
    assert!(draining(&table(&[(80, &[(2, 1)]), (8080, &[])]), &desired).is_none());
    // A drain already under way (weight 0, not desired) goes on unchanged.
    assert!(plan(&first, &draining(&first, &desired).unwrap()).is_empty());
}

#[test]
fn nothing_to_drain_reads_nothing() {
    struct NoReads;
    impl Ipvs for NoReads {
        fn services(&mut self) -> Result<Vec<ServiceEntry>, Error> {
            panic!("read")
        }
        fn service(&mut self, _: &ServiceKey) -> Result<ServiceEntry, Error> {
            panic!("read")
        }
        fn destinations(&mut self, _: &ServiceKey) -> Result<Vec<DestinationEntry>, Error> {
            panic!("read")
        }
        fn timeouts(&mut self) -> Result<Timeouts, Error> {
            panic!("read")
        }
        fn daemons(&mut self) -> Result<Vec<SyncDaemon>, Error> {
            panic!("read")
        }
        fn execute(&mut self, _: &Request) -> Result<(), Error> {
            panic!("change")
        }
        fn execute_batch(&mut self, _: &[Request]) -> Result<Vec<Result<(), Error>>, Error> {
            panic!("change")
        }
    }
    let t = table(&[(80, &[(2, 1)])]);
    let end = drain(&mut NoReads, &t, &t, &no_wait(300), |_| panic!("watched")).unwrap();
    assert_eq!(end, Drained::All);
}

#[test]
fn servers_without_connections_go_at_the_first_reading_then_their_service() {
    let live = table(&[(80, &[(2, 1), (3, 1)]), (443, &[(4, 1)])]);
    let desired = table(&[(80, &[(2, 1)])]);
    let (mut fake, first) = started(&live, &desired);
    let sent = fake.log().len();
    let end = drain(&mut fake, &first, &desired, &no_wait(300), |_| {
        panic!("nothing was left to watch")
    })
    .unwrap();
    assert_eq!(end, Drained::All);
    assert_eq!(
        &fake.log()[sent..],
        &[
            Request::DeleteDestination(key(80), ip(3), 80),
            Request::DeleteDestination(key(443), ip(4), 80),
            Request::DeleteService(key(443)),
        ]
    );
    assert!(fake.table().same_as(&desired));
}

/// A fake whose connections through 10.0.0.3 end after some readings.
struct Closing {
    fake: FakeIpvs,
    readings_left: u32,
}

impl Ipvs for Closing {
    fn services(&mut self) -> Result<Vec<ServiceEntry>, Error> {
        self.fake.services()
    }
    fn service(&mut self, key: &ServiceKey) -> Result<ServiceEntry, Error> {
        self.fake.service(key)
    }
    fn destinations(&mut self, key: &ServiceKey) -> Result<Vec<DestinationEntry>, Error> {
        if self.readings_left == 0 {
            self.fake.set_connections(*key, ip(3), 80, [0, 0, 0]);
        } else {
            self.readings_left -= 1;
        }
        self.fake.destinations(key)
    }
    fn timeouts(&mut self) -> Result<Timeouts, Error> {
        self.fake.timeouts()
    }
    fn daemons(&mut self) -> Result<Vec<SyncDaemon>, Error> {
        self.fake.daemons()
    }
    fn execute(&mut self, request: &Request) -> Result<(), Error> {
        self.fake.execute(request)
    }
    fn execute_batch(&mut self, requests: &[Request]) -> Result<Vec<Result<(), Error>>, Error> {
        self.fake.execute_batch(requests)
    }
}

#[test]
fn a_server_with_connections_is_deleted_when_they_end() {
    let live = table(&[(80, &[(2, 1), (3, 1)])]);
    let desired = table(&[(80, &[(2, 1)])]);
    let (mut fake, first) = started(&live, &desired);
    fake.set_connections(key(80), ip(3), 80, [1, 2, 1]);
    fake.set_connections(key(80), ip(2), 80, [7, 7, 7]);
    let mut kernel = Closing {
        fake,
        readings_left: 3,
    };
    let mut seen = Vec::new();
    let end = drain(&mut kernel, &first, &desired, &no_wait(300), |left| {
        seen.push(left.to_vec());
        ControlFlow::Continue(())
    })
    .unwrap();
    assert_eq!(end, Drained::All);
    assert_eq!(seen.len(), 3);
    for left in &seen {
        let [(k, entry)] = left.as_slice() else {
            panic!("{left:?}")
        };
        assert_eq!(*k, key(80));
        assert_eq!(entry.destination, server(3, 0));
        assert_eq!(
            (
                entry.active_conns,
                entry.inactive_conns,
                entry.persistent_conns
            ),
            (1, 2, 1)
        );
    }
    assert!(kernel.fake.table().same_as(&desired));
}

#[test]
fn the_timeout_deletes_servers_that_still_have_connections() {
    let live = table(&[(80, &[(2, 1), (3, 1)]), (443, &[(4, 1)])]);
    let desired = table(&[(80, &[(2, 1)])]);
    let (mut fake, first) = started(&live, &desired);
    fake.set_connections(key(80), ip(3), 80, [0, 0, 1]);
    let end = drain(&mut fake, &first, &desired, &no_wait(0), |_| {
        panic!("no wait after the timeout")
    })
    .unwrap();
    let Drained::TimedOut(forced) = end else {
        panic!("{end:?}")
    };
    assert_eq!(forced.len(), 1);
    assert_eq!(forced[0].0, key(80));
    assert_eq!(forced[0].1.destination, server(3, 0));
    assert_eq!(forced[0].1.persistent_conns, 1);
    assert!(fake.table().same_as(&desired));
}

#[test]
fn stopped_leaves_the_servers_at_weight_0_and_the_next_run_finishes() {
    let live = table(&[(80, &[(2, 1)]), (443, &[(4, 1)])]);
    let desired = table(&[(80, &[(2, 1)])]);
    let (mut fake, first) = started(&live, &desired);
    fake.set_connections(key(443), ip(4), 80, [1, 0, 0]);
    let end = drain(&mut fake, &first, &desired, &no_wait(300), |_| {
        ControlFlow::Break(())
    })
    .unwrap();
    let Drained::Stopped(left) = end else {
        panic!("{end:?}")
    };
    assert_eq!(left.len(), 1);
    assert!(fake.table().same_as(&first));

    // The next run starts from the live table alone.
    let live = Table::from_listings(fake.listing().unwrap());
    let again = draining(&live, &desired).unwrap();
    assert!(again.same_as(&first));
    assert!(plan(&live, &again).is_empty());
    fake.set_connections(key(443), ip(4), 80, [0, 0, 0]);
    let end = drain(&mut fake, &again, &desired, &no_wait(300), |_| {
        ControlFlow::Continue(())
    })
    .unwrap();
    assert_eq!(end, Drained::All);
    assert!(fake.table().same_as(&desired));
}

#[test]
fn servers_deleted_by_someone_else_count_as_drained() {
    let live = table(&[(80, &[(2, 1), (3, 1)])]);
    let desired = table(&[(80, &[(2, 1)])]);
    let (mut fake, first) = started(&live, &desired);
    fake.delete_destination(&key(80), ip(3), 80).unwrap();
    let end = drain(&mut fake, &first, &desired, &no_wait(300), |_| {
        ControlFlow::Continue(())
    })
    .unwrap();
    assert_eq!(end, Drained::All);
    assert!(fake.table().same_as(&desired));
}

#[test]
fn a_read_error_ends_the_wait() {
    let live = table(&[(80, &[(2, 1), (3, 1)])]);
    let desired = table(&[(80, &[(2, 1)])]);
    let (mut fake, first) = started(&live, &desired);
    fake.fail_reads();
    let end = drain(&mut fake, &first, &desired, &no_wait(300), |_| {
        ControlFlow::Continue(())
    });
    assert!(matches!(end, Err(Error::Timeout)), "{end:?}");
}
