use proptest::prelude::*;

use super::*;
use crate::cli::values::tests::FixedResolver;
use crate::cli::ParseConfig;
use crate::restore::parse::{desired_table, read_rules, Base, Desired};
use crate::restore::test_support::{dest, service, table, tcp};
use ipvs::model::{ForwardMethod, ServiceFlags};

/// The table a rule text describes (every line must be valid).
fn rules_table(text: &str) -> Desired {
    let file = read_rules(text.as_bytes(), &ParseConfig::default(), &FixedResolver).unwrap();
    assert!(file.errors.is_empty(), "{text}: {:?}", file.errors);
    let (desired, errors) = desired_table(Base::Empty, &file.rules);
    assert!(errors.is_empty(), "{text}: {errors:?}");
    desired
}

/// The plan from the table of `from` to the table of `to`, as command lines.
fn transition(from: &str, to: &str) -> Vec<String> {
    let live = rules_table(from).table;
    let desired = rules_table(to);
    let steps = plan(&live, &desired.table);
    check_plan(&live, &desired.table, &steps);
    steps
        .iter()
        .map(|s| command_line(s).trim_end().to_string())
        .collect()
}

/// Every plan must reach the desired table, and every step must read back
/// (as `ipvsadm -R` reads it) to the same request.
fn check_plan(live: &Table, desired: &Table, steps: &[Request]) {
    let mut t = live.clone();
    for step in steps {
        t.apply(step)
            .unwrap_or_else(|e| panic!("{step:?} does not apply: {e}"));
        let line = command_line(step);
        let back = read_rules(line.as_bytes(), &ParseConfig::default(), &FixedResolver).unwrap();
        assert!(back.errors.is_empty(), "{line}: {:?}", back.errors);
        assert_eq!(back.rules.len(), 1, "{line}");
        assert_eq!(&back.rules[0].request, step, "{line}");
    }
    assert!(t.same_as(desired), "plan {steps:?} misses the target");
    assert!(plan(&t, desired).is_empty());
}

const WEB: &str = "-A -t 10.0.0.1:80 -s rr\n\
                   -a -t 10.0.0.1:80 -r 10.0.0.2:80 -g -w 1\n\
                   -a -t 10.0.0.1:80 -r 10.0.0.3:80 -g -w 1\n";

#[test]
fn an_unchanged_table_needs_nothing() {
    assert!(transition(WEB, WEB).is_empty());
    assert!(transition("", "").is_empty());
}

#[test]
fn linux_own_flags_are_not_changes() {
    let web = tcp("10.0.0.1", 80);
    let mut hashed = service(web, "rr");
    hashed.config.flags = ServiceFlags::HASHED;
    hashed.config.pe_name = Some(String::new());
    let live = table(&[
        Request::AddService(hashed),
        Request::AddDestination(web, dest("10.0.0.2", 80, ForwardMethod::Route, 1)),
        Request::AddDestination(web, dest("10.0.0.3", 80, ForwardMethod::Route, 1)),
    ]);
    let desired = rules_table(WEB);
    assert_eq!(plan(&live, &desired.table), vec![]);
}

#[test]
fn from_and_to_nothing() {
    assert_eq!(
        transition("", WEB),
        vec![
            "-A -t 10.0.0.1:80 -s rr",
            "-a -t 10.0.0.1:80 -r 10.0.0.2:80 -g -w 1",
            "-a -t 10.0.0.1:80 -r 10.0.0.3:80 -g -w 1",
        ]
    );
    assert_eq!(transition(WEB, ""), vec!["-D -t 10.0.0.1:80"]);
}

#[test]
fn edits_in_place() {
    let to = "-A -t 10.0.0.1:80 -s wlc -p 600 -M 255.255.255.0\n\
              -a -t 10.0.0.1:80 -r 10.0.0.2:80 -g -w 5 -x 100 -y 10\n\
              -a -t 10.0.0.1:80 -r 10.0.0.3:80 -i -w 1 --tun-type gue --tun-port 6080 --tun-csum\n";
    assert_eq!(
        transition(WEB, to),
        vec![
            "-E -t 10.0.0.1:80 -s wlc -p 600 -M 255.255.255.0",
            "-e -t 10.0.0.1:80 -r 10.0.0.2:80 -g -w 5 -x 100 -y 10",
            "-e -t 10.0.0.1:80 -r 10.0.0.3:80 -i -w 1 --tun-type gue --tun-port 6080 --tun-csum",
        ]
    );
}

#[test]
fn new_servers_come_before_old_ones_go() {
    let to = "-A -t 10.0.0.1:80 -s rr\n\
              -a -t 10.0.0.1:80 -r 10.0.0.4:80 -g -w 1\n\
              -a -t 10.0.0.1:80 -r 10.0.0.5:80 -g -w 1\n";
    assert_eq!(
        transition(WEB, to),
        vec![
            "-a -t 10.0.0.1:80 -r 10.0.0.4:80 -g -w 1",
            "-a -t 10.0.0.1:80 -r 10.0.0.5:80 -g -w 1",
            "-d -t 10.0.0.1:80 -r 10.0.0.2:80",
            "-d -t 10.0.0.1:80 -r 10.0.0.3:80",
        ]
    );
}

#[test]
fn a_new_port_is_a_new_server() {
    // Masquerading to 8080, then direct routing: the port becomes the
    // service's, so it is another real server.
    let from = "-A -t 10.0.0.1:80 -s rr\n-a -t 10.0.0.1:80 -r 10.0.0.2:8080 -m -w 1\n";
    let to = "-A -t 10.0.0.1:80 -s rr\n-a -t 10.0.0.1:80 -r 10.0.0.2:8080 -g -w 1\n";
    assert_eq!(
        transition(from, to),
        vec![
            "-a -t 10.0.0.1:80 -r 10.0.0.2:80 -g -w 1",
            "-d -t 10.0.0.1:80 -r 10.0.0.2:8080",
        ]
    );
    // Masquerading to the service's own port: an edit.
    let from = "-A -t 10.0.0.1:80 -s rr\n-a -t 10.0.0.1:80 -r 10.0.0.2:80 -m -w 1\n";
    let to = "-A -t 10.0.0.1:80 -s rr\n-a -t 10.0.0.1:80 -r 10.0.0.2 -g -w 1\n";
    assert_eq!(
        transition(from, to),
        vec!["-e -t 10.0.0.1:80 -r 10.0.0.2:80 -g -w 1"]
    );
}

#[test]
fn a_new_key_is_a_new_service() {
    let to = "-A -t 10.0.0.1:8080 -s rr\n\
              -a -t 10.0.0.1:8080 -r 10.0.0.2:8080 -g -w 1\n";
    assert_eq!(
        transition(WEB, to),
        vec![
            "-A -t 10.0.0.1:8080 -s rr",
            "-a -t 10.0.0.1:8080 -r 10.0.0.2:8080 -g -w 1",
            "-D -t 10.0.0.1:80",
        ]
    );
}

#[test]
fn ipv6_fwmark_and_one_packet() {
    let from = "-A -f 7 -6 -s rr\n\
                -a -f 7 -6 -r [2001:db8::2]:0 -g -w 1\n\
                -A -u 10.0.0.1:53 -s rr -o\n";
    let to = "-A -f 7 -6 -s rr -p 60 -M 64\n\
              -a -f 7 -6 -r [2001:db8::2]:0 -g -w 1\n\
              -a -f 7 -6 -r 10.0.0.9:0 -i -w 1\n\
              -A -t [2001:db8::1]:443 -s sh -b sh-port\n\
              -A -u 10.0.0.1:53 -s rr\n";
    assert_eq!(
        transition(from, to),
        vec![
            "-A -t [2001:db8::1]:443 -s sh -b sh-port",
            "-E -f 7 -6 -s rr -p 60 -M 64",
            "-E -u 10.0.0.1:53 -s rr",
            "-a -f 7 -6 -r 10.0.0.9:0 -i -w 1 --tun-type ipip",
        ]
    );
}

#[test]
fn steps_name_their_lines() {
    let live = rules_table(
        "-A -t 10.0.0.1:80 -s rr\n\
         -a -t 10.0.0.1:80 -r 10.0.0.2:80 -g -w 1\n\
         -A -t 10.0.0.9:80 -s rr\n",
    )
    .table;
    let desired = rules_table(
        "# new\n\
         -A -t 10.0.0.1:80 -s wlc\n\
         -a -t 10.0.0.1:80 -r 10.0.0.3:80 -g -w 1\n",
    );
    let (steps, step_lines) = plan_towards(&live, &desired.table, &desired);
    let lines: Vec<(String, Option<usize>)> = steps
        .iter()
        .zip(step_lines)
        .map(|(s, line)| (command_line(s), line))
        .collect();
    assert_eq!(
        lines,
        vec![
            ("-E -t 10.0.0.1:80 -s wlc\n".to_string(), Some(2)),
            (
                "-a -t 10.0.0.1:80 -r 10.0.0.3:80 -g -w 1\n".to_string(),
                Some(3)
            ),
            ("-d -t 10.0.0.1:80 -r 10.0.0.2:80\n".to_string(), None),
            ("-D -t 10.0.0.9:80\n".to_string(), None),
        ]
    );
    assert_eq!(
        subject(&steps[2]),
        "real server 10.0.0.2:80 of service -t 10.0.0.1:80"
    );
}

#[test]
fn a_real_server_in_two_services() {
    let from = "-A -t 10.0.0.1:80 -s rr\n\
                -a -t 10.0.0.1:80 -r 10.0.0.2:80 -g -w 1\n\
                -A -t 10.0.0.1:443 -s rr\n\
                -a -t 10.0.0.1:443 -r 10.0.0.2:443 -g -w 1\n";
    let to = "-A -t 10.0.0.1:80 -s rr\n\
              -a -t 10.0.0.1:80 -r 10.0.0.2:80 -g -w 2\n\
              -A -t 10.0.0.1:443 -s rr\n\
              -a -t 10.0.0.1:443 -r 10.0.0.2:443 -g -w 1\n";
    assert_eq!(
        transition(from, to),
        vec!["-e -t 10.0.0.1:80 -r 10.0.0.2:80 -g -w 2"]
    );
}

/// (switch, v6, udp-or-fwmark, port) of the services the generated rule
/// texts draw from: a small universe, so that two texts overlap.
const SERVICES: [(&str, bool, bool, &str); 7] = [
    ("-t 10.0.0.1:80", false, false, "80"),
    ("-t 10.0.0.1:443", false, false, "443"),
    ("-u 10.0.0.1:53", false, true, "53"),
    ("--sctp-service 10.0.0.1:9", false, false, "9"),
    ("-t [2001:db8::1]:80", true, false, "80"),
    ("-f 5", false, true, "0"),
    ("-f 6 -6", true, true, "0"),
];
const OPTIONS: [&str; 9] = [
    "-s rr",
    "-s wlc",
    "-s sh -b sh-port",
    "-s mh -b mh-fallback,mh-port",
    "-s rr -p 300",
    "-s lc -p 30 --pe sip",
    "-s wrr -p",
    "-s rr -b flag-3",
    "-s dh",
];
const DEST_OPTIONS: [&str; 11] = [
    "-g -w 1",
    "-g -w 3",
    "-m -w 1",
    "-m -w 0",
    "-i -w 2",
    "-i --tun-type gue --tun-port 6080 --tun-csum -w 1",
    "-i --tun-type gre --tun-csum",
    "-i --tun-type gue --tun-port 7 --tun-remcsum -w 4",
    "-m -x 100 -y 10",
    "-g -x 50",
    "-m -w 7 -y 0",
];

/// One real server of a generated service: its host (2-5), its options,
/// whether it is of the other address family (tunnels only), whether it
/// is on port 8080 rather than the service's.
type DestChoice = (u8, (usize, bool, bool));
/// One generated service: its options, its extra option (0: none, 1: a
/// netmask, 2: one-packet where allowed), its real servers.
type ServiceChoice = (usize, u8, Vec<DestChoice>);

/// A valid rule text over [`SERVICES`]: services, options and real servers
/// of every kind; shrinks towards fewer services and real servers.
fn rules_text() -> impl Strategy<Value = String> {
    let dest = (
        0..DEST_OPTIONS.len(),
        prop::bool::weighted(0.25),
        any::<bool>(),
    );
    let service = (
        0..OPTIONS.len(),
        0u8..4,
        prop::collection::btree_map(2u8..6, dest, 0..=4)
            .prop_map(|by_host| by_host.into_iter().collect::<Vec<DestChoice>>()),
    );
    prop::collection::vec(prop::option::weighted(0.67, service), SERVICES.len())
        .prop_map(|services| render_rules(&services))
}

fn render_rules(services: &[Option<ServiceChoice>]) -> String {
    let mut text = String::new();
    for ((switch, v6, one_packet_ok, port), choice) in SERVICES.iter().zip(services) {
        let Some((options, extra, dests)) = choice else {
            continue;
        };
        let mut options = OPTIONS[*options].to_string();
        match extra {
            1 if *v6 => options.push_str(" -M 64"),
            1 => options.push_str(" -M 255.255.255.0"),
            2 if *one_packet_ok => options.push_str(" -o"),
            _ => {}
        }
        text.push_str(&format!("-A {switch} {options}\n"));
        for (host, (dest_options, other_family, other_port)) in dests {
            let dest_options = DEST_OPTIONS[*dest_options];
            let other_family = *other_family && dest_options.starts_with("-i");
            let addr = if *v6 != other_family {
                format!("[2001:db8::{host}]")
            } else {
                format!("10.0.0.{host}")
            };
            let dest_port = if *other_port { "8080" } else { port };
            text.push_str(&format!(
                "-a {switch} -r {addr}:{dest_port} {dest_options}\n"
            ));
        }
    }
    text
}

/// A table with only `service` (and `dest`, if given) of `table`.
fn only(table: &Table, key: &ServiceKey, dest: Option<(IpAddr, u16)>) -> Table {
    let entry = table.service(key).unwrap();
    let mut t = Table::new();
    t.add_service(entry.service().clone()).unwrap();
    if let Some((addr, port)) = dest {
        t.add_destination(*key, *entry.destination(addr, port).unwrap())
            .unwrap();
    }
    t
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    /// Every plan reaches its target, makes before it breaks and touches
    /// nothing that is the same on both sides.
    #[test]
    fn random_transitions_reach_their_target(from in rules_text(), to in rules_text()) {
        let from = rules_table(&from).table;
        let to = rules_table(&to);
        let steps = plan(&from, &to.table);
        check_plan(&from, &to.table, &steps);

        // Make before break: every removal comes after every addition and edit.
        let is_removal =
            |s: &Request| matches!(s, Request::DeleteService(_) | Request::DeleteDestination(..));
        let first_removal = steps.iter().position(is_removal).unwrap_or(steps.len());
        prop_assert!(steps[first_removal..].iter().all(is_removal));

        // Minimal: nothing that is the same on both sides is touched.
        for step in &steps {
            match step {
                Request::EditService(s) => prop_assert!(
                    !only(&from, &s.key, None).same_as(&only(&to.table, &s.key, None))
                ),
                Request::EditDestination(key, d) => {
                    let id = Some((d.addr, d.port));
                    let old = only(&from, key, id);
                    let mut new = old.clone();
                    new.apply(step).unwrap();
                    prop_assert!(!old.same_as(&new));
                }
                Request::DeleteDestination(key, ..) => {
                    prop_assert!(to.table.service(key).is_some())
                }
                _ => {}
            }
        }
    }
}

#[test]
fn timeouts_daemons_and_zeroing_read_back_and_carry_their_lines() {
    let live = rules_table("-A -t 10.0.0.1:80 -s rr\n--start-daemon backup --syncid 3\n").table;
    let text = "-A -t 10.0.0.1:80 -s rr\n\
                --set 10 0 30\n\
                -Z -t 10.0.0.1:80\n\
                --stop-daemon backup\n\
                --start-daemon master --mcast-interface dummy0 --syncid 255 --sync-maxlen 1000 \
                --mcast-group 224.0.0.100 --mcast-port 9000 --mcast-ttl 5\n\
                --start-daemon backup --mcast-interface lo --mcast-group ff02::8:81\n\
                -Z -t 10.0.0.1:80\n";
    let desired = rules_table(text);
    let (steps, step_lines) = plan_towards(&live, &desired.table, &desired);
    let lines: Vec<(String, Option<usize>)> = steps
        .iter()
        .zip(step_lines)
        .map(|(s, line)| (command_line(s), line))
        .collect();
    assert_eq!(
        lines,
        vec![
            ("--set 10 0 30\n".to_string(), Some(2)),
            ("--stop-daemon backup\n".to_string(), Some(6)),
            (
                "--start-daemon master --mcast-interface dummy0 --syncid 255 --sync-maxlen 1000 \
                 --mcast-group 224.0.0.100 --mcast-port 9000 --mcast-ttl 5\n"
                    .to_string(),
                Some(5)
            ),
            (
                "--start-daemon backup --mcast-interface lo --syncid 0 --mcast-group ff02::8:81\n"
                    .to_string(),
                Some(6)
            ),
            ("-Z -t 10.0.0.1:80\n".to_string(), Some(3)),
        ]
    );
    assert_eq!(subject(&steps[2]), "master sync daemon");
    // Every step reads back (as `ipvsadm -R` reads it) to itself.
    for step in &steps {
        let line = command_line(step);
        let back = read_rules(line.as_bytes(), &ParseConfig::default(), &FixedResolver).unwrap();
        assert!(back.errors.is_empty(), "{line}: {:?}", back.errors);
        assert_eq!(&back.rules[0].request, step, "{line}");
    }
    assert_eq!(command_line(&Request::Zero(None)), "-Z\n");
}
