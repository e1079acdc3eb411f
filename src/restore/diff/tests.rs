use super::*;
use crate::cli::values::tests::FixedResolver;
use crate::cli::ParseConfig;
use crate::restore::parse::{desired_table, read_rules, Base, Desired};
use crate::restore::table::tests::{dest, service, table, tcp};
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
    let steps = plan(&live, &desired.table, &desired.origins);
    check_plan(&live, &desired.table, &steps);
    steps
        .iter()
        .map(|s| command_line(&s.request).unwrap().trim_end().to_string())
        .collect()
}

/// Every plan must reach the desired table, and every step must read back
/// (as `ipvsadm -R` reads it) to the same request.
fn check_plan(live: &Table, desired: &Table, steps: &[Step]) {
    let mut t = live.clone();
    for step in steps {
        t.apply(&step.request)
            .unwrap_or_else(|e| panic!("{step:?} does not apply: {e}"));
        let line = command_line(&step.request).unwrap();
        let back = read_rules(line.as_bytes(), &ParseConfig::default(), &FixedResolver).unwrap();
        assert!(back.errors.is_empty(), "{line}: {:?}", back.errors);
        assert_eq!(back.rules.len(), 1, "{line}");
        assert_eq!(back.rules[0].request, step.request, "{line}");
    }
    assert!(t.same_as(desired), "plan {steps:?} misses the target");
    assert!(plan(&t, desired, &Origins::default()).is_empty());
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
fn the_kernels_own_flags_are_not_changes() {
    let web = tcp("10.0.0.1", 80);
    let mut hashed = service(web, "rr");
    hashed.config.flags = ServiceFlags(ServiceFlags::HASHED);
    hashed.config.pe_name = Some(String::new());
    let live = table(&[
        Request::AddService(hashed),
        Request::AddDestination(web, dest("10.0.0.2", 80, ForwardMethod::Route, 1)),
        Request::AddDestination(web, dest("10.0.0.3", 80, ForwardMethod::Route, 1)),
    ]);
    let desired = rules_table(WEB);
    assert_eq!(plan(&live, &desired.table, &desired.origins), vec![]);
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
    let steps = plan(&live, &desired.table, &desired.origins);
    let lines: Vec<(String, Option<usize>)> = steps
        .iter()
        .map(|s| (command_line(&s.request).unwrap(), s.line))
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
        subject(&steps[2].request),
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

/// A small deterministic generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

/// A random valid rule text over a small universe, so that two of them
/// overlap: services, options and real servers of every kind.
fn random_rules(rng: &mut Rng) -> String {
    // (switch, v6, udp-or-fwmark, port)
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
    let mut text = String::new();
    for (switch, v6, one_packet_ok, port) in SERVICES {
        if rng.below(3) == 0 {
            continue;
        }
        let mut options = rng.pick(&OPTIONS).to_string();
        match rng.below(4) {
            0 if v6 => options.push_str(" -M 64"),
            0 => options.push_str(" -M 255.255.255.0"),
            1 if one_packet_ok => options.push_str(" -o"),
            _ => {}
        }
        text.push_str(&format!("-A {switch} {options}\n"));
        for host in 2..6 {
            if rng.below(2) == 0 {
                continue;
            }
            let dest_options = rng.pick(&DEST_OPTIONS);
            let other_family = dest_options.starts_with("-i") && rng.below(4) == 0;
            let addr = if v6 != other_family {
                format!("[2001:db8::{host}]")
            } else {
                format!("10.0.0.{host}")
            };
            let dest_port = rng.pick(&[port, "8080"]);
            text.push_str(&format!(
                "-a {switch} -r {addr}:{dest_port} {dest_options}\n"
            ));
        }
    }
    text
}

#[test]
fn random_transitions_reach_their_target() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut changes = 0;
    for _ in 0..400 {
        let from = rules_table(&random_rules(&mut rng)).table;
        let to = rules_table(&random_rules(&mut rng));
        let steps = plan(&from, &to.table, &to.origins);
        check_plan(&from, &to.table, &steps);
        changes += steps.len();

        // Make before break: every removal comes after every addition and edit.
        let first_removal = steps
            .iter()
            .position(|s| {
                matches!(
                    s.request,
                    Request::DeleteService(_) | Request::DeleteDestination(..)
                )
            })
            .unwrap_or(steps.len());
        assert!(steps[first_removal..].iter().all(|s| matches!(
            s.request,
            Request::DeleteService(_) | Request::DeleteDestination(..)
        )));

        // Minimal: nothing that is the same on both sides is touched.
        for step in &steps {
            match &step.request {
                Request::EditService(s) => assert!(!same_service_config(
                    &from.service(&s.key).unwrap().service().config,
                    &s.config
                )),
                Request::EditDestination(key, d) => {
                    let old = from.service(key).unwrap().destination(d.addr, d.port);
                    assert!(!same_destination_config(&old.unwrap().config, &d.config));
                }
                Request::DeleteDestination(key, ..) => assert!(to.table.service(key).is_some()),
                _ => {}
            }
        }
    }
    assert!(
        changes > 1000,
        "the generator made too few changes: {changes}"
    );
}
