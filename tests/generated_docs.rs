//! The man pages in man/ and the shell completions in completions/ are
//! generated from the option table (`ipvsadm::cli::flags`) and the hand-written
//! parts in man/src/; this test regenerates them and fails when a checked-in
//! file differs.
//!
//! To rewrite the checked-in files:
//!
//! ```sh
//! IPVSADM_UPDATE_DOCS=1 cargo test --test generated_docs
//! ```
//!
//! It also checks that the pages render without groff warnings and that the
//! completion scripts load in bash, zsh and fish (each check is skipped, with
//! a note, when the tool is not installed).

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

mod completions;

use ipvsadm::cli::flags::{ArgKind, Section, ValueHint, FLAGS};

/// The line of a man page template replaced by the generated option sections.
const OPTIONS_PLACEHOLDER: &str = ".\\\" @OPTIONS@";

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn read(path: &str) -> String {
    fs::read_to_string(repo().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Writes a line past the test harness's capture, so skip notes show.
fn note(line: &str) {
    let _ = writeln!(std::io::stderr(), "{line}");
}

/// man/src/option-details.txt: long name -> paragraph.
fn option_details() -> BTreeMap<String, String> {
    let text = read("man/src/option-details.txt");
    let mut details = BTreeMap::new();
    let mut current: Option<(String, Vec<String>)> = None;
    for line in text.lines() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            if let Some((name, words)) = current.take() {
                details.insert(name, words.join(" "));
            }
            assert!(
                !details.contains_key(name),
                "option-details.txt: [{name}] twice"
            );
            current = Some((name.to_string(), Vec::new()));
        } else {
            let (_, words) = current
                .as_mut()
                .unwrap_or_else(|| panic!("option-details.txt: text before a [name]: {line}"));
            words.push(line.trim().to_string());
        }
    }
    if let Some((name, words)) = current {
        details.insert(name, words.join(" "));
    }
    details
}

/// A clap description of the command line, built from the option table,
/// from which the man pages and completions are generated.
///
/// It is not used for parsing: ipvsadm's command line is popt's, whose rules
/// clap does not reproduce (`-p` takes the next argument as its value only
/// when that does not start with `-`, a required value is taken even when it
/// does, `-x=5` is `-x 5`, the first option must be the command, `--set`
/// takes three free-standing arguments from anywhere on the line, and every
/// mistake has popt's or ipvsadm's exact message and exit code). So clap is
/// only a dev-dependency and the binary does not link it.
fn clap_command() -> clap::Command {
    let mut cmd = clap::Command::new("ipvsadm")
        .about("Linux Virtual Server administration")
        .version(env!("CARGO_PKG_VERSION"))
        .disable_help_flag(true)
        .disable_version_flag(true);
    for (i, def) in FLAGS.iter().enumerate() {
        if def.alias {
            continue;
        }
        let mut arg = clap::Arg::new(def.long)
            .long(def.long)
            .help(def.help_text());
        if let Some(short) = def.short {
            arg = arg.short(short);
        }
        // The spellings of the next rows that are aliases of this one.
        for alias in FLAGS[i + 1..].iter().take_while(|f| f.alias) {
            if let Some(short) = alias.short {
                arg = arg.short_alias(short);
            }
        }
        arg = match def.arg {
            ArgKind::None if def.positionals.is_empty() => arg.action(clap::ArgAction::SetTrue),
            ArgKind::None => arg
                .num_args(def.positionals.len())
                .value_names(def.positionals.iter().copied()),
            ArgKind::Required => arg
                .num_args(1)
                .value_name(def.value_name.unwrap_or("value")),
            ArgKind::Optional => arg
                .num_args(0..=1)
                .value_name(def.value_name.unwrap_or("value")),
        };
        if !def.choices.is_empty() {
            let values = def
                .choices
                .iter()
                .map(|(name, help)| clap::builder::PossibleValue::new(*name).help(*help));
            arg = arg.value_parser(clap::builder::PossibleValuesParser::new(values));
        }
        if def.hint == ValueHint::CommaList {
            arg = arg.value_delimiter(',');
        }
        cmd = cmd.arg(arg.help_heading(def.section.heading()));
    }
    cmd
}

#[test]
fn clap_command_is_consistent() {
    let cmd = clap_command();
    cmd.clone().debug_assert();
    let m = cmd
        .clone()
        .try_get_matches_from(["ipvsadm", "-A", "-t", "10.0.0.1:80", "-p"])
        .unwrap();
    assert!(m.get_flag("add-service"));
    let m = cmd
        .clone()
        .try_get_matches_from(["ipvsadm", "--set", "1", "2", "3"])
        .unwrap();
    assert_eq!(m.get_many::<String>("set").unwrap().count(), 3);
    let m = cmd.try_get_matches_from(["ipvsadm", "-l"]).unwrap();
    assert!(m.get_flag("list"));
}

/// The option table's clap command with the man page's longer descriptions.
fn man_command() -> clap::Command {
    let details = option_details();
    let mut cmd = clap_command();
    for (name, text) in details {
        cmd = cmd.mut_arg(name, |arg| arg.long_help(text));
    }
    cmd
}

/// One man page section per section of the `-h` text, in its order
/// (clap_mangen alone would order them by first use).
fn options_sections() -> String {
    let mut roff = Vec::new();
    for section in Section::ALL {
        let mut cmd = man_command();
        for def in FLAGS.iter().filter(|f| !f.alias && f.section != section) {
            cmd = cmd.mut_arg(def.long, |arg| arg.hide(true));
        }
        clap_mangen::Man::new(cmd)
            .render_options_section(&mut roff)
            .expect("render options");
    }
    String::from_utf8(roff).expect("utf-8 roff")
}

/// The generated page header: what it comes from.
fn generated_notice(template: &str) -> String {
    format!(
        ".\\\" Generated from {template} and src/cli/flags.rs by tests/generated_docs.rs.\n\
         .\\\" Do not edit: change those and run IPVSADM_UPDATE_DOCS=1 cargo test --test generated_docs\n"
    )
}

fn man_page(template_path: &str) -> String {
    let template = read(template_path);
    let mut page = generated_notice(template_path);
    for line in template.lines() {
        if line == OPTIONS_PLACEHOLDER {
            page.push_str(&options_sections());
        } else {
            page.push_str(&line.replace("@VERSION@", env!("CARGO_PKG_VERSION")));
            page.push('\n');
        }
    }
    page
}

/// The built binary run as `name` (through a symbolic link, as installed)
/// with `args`: exit code, stdout, stderr.
fn run_binary_as(name: &str, args: &[&str]) -> (Option<i32>, String, String) {
    let dir = std::env::temp_dir().join(format!("ipvsadm-docs-bin-{}", std::process::id()));
    fs::create_dir_all(&dir).unwrap();
    let link = dir.join(name);
    // Tests run at once: another one may make the same link in between.
    match std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_ipvsadm"), &link) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(e) => panic!("{}: {e}", link.display()),
    }
    let output = Command::new(&link)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("{}: {e}", link.display()));
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// `ipvsadm-restore --help`, from the binary.
fn restore_help() -> String {
    let (code, out, err) = run_binary_as("ipvsadm-restore", &["--help"]);
    assert_eq!(code, Some(0), "ipvsadm-restore --help: {err}");
    out
}

/// ipvsadm-restore's options, as the binary lists them.
fn restore_options() -> Vec<completions::RestoreOption> {
    let options = completions::restore_options(&restore_help());
    assert!(options.len() >= 4, "{options:?}");
    options
}

/// Every generated file: path in the repository and content.
fn generated_files() -> Vec<(&'static str, String)> {
    let restore = restore_options();
    vec![
        ("man/ipvsadm.8", man_page("man/src/ipvsadm.8.in")),
        ("man/ipvsadm-save.8", man_page("man/src/ipvsadm-save.8.in")),
        (
            "man/ipvsadm-restore.8",
            man_page("man/src/ipvsadm-restore.8.in"),
        ),
        ("completions/ipvsadm.bash", completions::bash(&restore)),
        ("completions/_ipvsadm", completions::zsh(&restore)),
        ("completions/ipvsadm.fish", completions::fish(&restore)),
    ]
}

/// The generated content of one file (what the checked-in file must be).
fn generated(path: &str) -> String {
    generated_files()
        .into_iter()
        .find(|(p, _)| *p == path)
        .map(|(_, content)| content)
        .unwrap_or_else(|| panic!("{path} is not generated"))
}

/// The generated content of one file in a temporary file of the same name,
/// so the checks below test what is generated, not whatever is checked in
/// (that is `checked_in_files_are_current`), and do not race with it.
/// The file is removed when the value is dropped.
struct GeneratedCopy {
    dir: PathBuf,
    file: PathBuf,
}

impl GeneratedCopy {
    fn path(&self) -> &Path {
        &self.file
    }

    fn arg(&self) -> &str {
        self.file.to_str().expect("UTF-8 temporary path")
    }
}

impl Drop for GeneratedCopy {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.dir);
    }
}

fn generated_copy(path: &str) -> GeneratedCopy {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "ipvsadm-docs-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    fs::create_dir_all(&dir).unwrap();
    let file = dir.join(Path::new(path).file_name().unwrap());
    fs::write(&file, generated(path)).unwrap();
    GeneratedCopy { dir, file }
}

#[test]
fn checked_in_files_are_current() {
    let update = std::env::var("IPVSADM_UPDATE_DOCS").is_ok_and(|v| v == "1");
    let mut stale = Vec::new();
    for (path, content) in generated_files() {
        let full = repo().join(path);
        let current = fs::read_to_string(&full).ok();
        if current.as_deref() == Some(content.as_str()) {
            continue;
        }
        if update {
            if let Some(dir) = full.parent() {
                fs::create_dir_all(dir).unwrap();
            }
            fs::write(&full, &content).unwrap_or_else(|e| panic!("{path}: {e}"));
            note(&format!("updated {path}"));
        } else {
            let first_difference = match &current {
                None => "missing".to_string(),
                Some(current) => current
                    .lines()
                    .zip(content.lines())
                    .enumerate()
                    .find(|(_, (a, b))| a != b)
                    .map(|(i, (a, b))| format!("line {}: has {a:?}, should be {b:?}", i + 1))
                    .unwrap_or_else(|| "differs in length".to_string()),
            };
            stale.push(format!("{path}: {first_difference}"));
        }
    }
    assert!(
        stale.is_empty(),
        "generated files are out of date; run\n  IPVSADM_UPDATE_DOCS=1 cargo test --test generated_docs\n{}",
        stale.join("\n")
    );
}

#[test]
fn every_option_has_a_description_and_every_description_an_option() {
    let details = option_details();
    let names: BTreeSet<&str> = FLAGS.iter().filter(|f| !f.alias).map(|f| f.long).collect();
    for name in &names {
        let text = details
            .get(*name)
            .unwrap_or_else(|| panic!("man/src/option-details.txt has no [{name}]"));
        assert!(text.len() > 10, "[{name}] is too short");
    }
    for name in details.keys() {
        assert!(
            names.contains(name.as_str()),
            "option-details.txt: [{name}] is not an option"
        );
    }
}

#[test]
fn man_page_covers_every_option_and_value() {
    let page = man_page("man/src/ipvsadm.8.in");
    for def in FLAGS.iter().filter(|f| !f.alias) {
        let long = format!("\\-\\-{}", def.long.replace('-', "\\-"));
        assert!(page.contains(&long), "no {long} in ipvsadm.8");
        if let Some(short) = def.short {
            assert!(page.contains(&format!("\\-{short}")), "no -{short}");
        }
        for (value, _) in def.choices {
            assert!(
                page.contains(&value.replace('-', "\\-")),
                "--{}: no value {value}",
                def.long
            );
        }
    }
    for section in [
        "COMMANDS",
        "VIRTUAL SERVICE",
        "OPTIONS",
        "SYNC DAEMON OPTIONS",
        "JSON OUTPUT",
        "EXTENSIONS",
        "EXIT STATUS",
        "EXAMPLES",
    ] {
        assert!(
            page.contains(&format!(".SH \"{section}\""))
                || page.contains(&format!(".SH {section}\n")),
            "no section {section}"
        );
    }
    for example in [
        "Direct routing",
        "NAT",
        "Tunnelling",
        "Firewall marks",
        "Persistence",
        "Backup and restore",
    ] {
        assert!(
            page.contains(&format!(".SS {example}")),
            "no example {example}"
        );
    }
    // Every scheduler of the rows has its paragraph; NOTES and FILES say
    // what 1.31's page says that still holds, and both distro families.
    let section = |name: &str, next: &str| -> String {
        let start = page
            .find(&format!(".SH {name}\n"))
            .unwrap_or_else(|| panic!("no section {name}"));
        let end = page[start..].find(next).expect("a section after it") + start;
        page[start..end].to_string()
    };
    let schedulers = section("SCHEDULERS", ".SH NOTES");
    for (name, _) in ipvsadm::cli::flags::SCHEDULERS {
        assert!(
            schedulers.contains(&format!(".TP\n.B {name}\n")),
            "SCHEDULERS has no paragraph for {name}"
        );
    }
    let notes = section("NOTES", ".SH FILES");
    for word in [
        "drop_entry",
        "drop_packet",
        "secure_tcp",
        "amemthresh",
        "am_droprate",
    ] {
        assert!(notes.contains(word), "NOTES: no {word}");
    }
    let files = section("FILES", ".SH EXAMPLES");
    for file in [
        "/proc/net/ip_vs_conn",
        "/proc/sys/net/ipv4/vs/",
        "/etc/ipvsadm.rules",
        "/etc/default/ipvsadm",
        "/etc/sysconfig/ipvsadm\n",
        "/etc/sysconfig/ipvsadm\\-config",
        "/usr/share/ipvsadm/ipvsadm.schema.json",
    ] {
        assert!(files.contains(file), "FILES: no {file}");
    }
    let restore = man_page("man/src/ipvsadm-restore.8.in");
    for option in ["\\-\\-test", "\\-\\-dry\\-run", "\\-\\-noflush"] {
        assert!(restore.contains(option), "ipvsadm-restore.8: no {option}");
        assert!(page.contains(option), "ipvsadm.8 EXTENSIONS: no {option}");
    }
}

/// Every key of every JSON document kind, from documents our writers print
/// for a table that has every kind of value.
fn json_keys() -> BTreeSet<String> {
    use ipvs::model::*;
    use ipvsadm::output;

    fn collect(value: &serde_json::Value, keys: &mut BTreeSet<String>) {
        match value {
            serde_json::Value::Object(map) => {
                for (key, inner) in map {
                    keys.insert(key.clone());
                    collect(inner, keys);
                }
            }
            serde_json::Value::Array(items) => items.iter().for_each(|i| collect(i, keys)),
            _ => {}
        }
    }

    let dest = DestinationEntry {
        destination: Destination {
            addr: "10.0.0.11".parse().unwrap(),
            port: 80,
            config: DestinationConfig {
                forward: ForwardMethod::Tunnel,
                weight: 1,
                upper_threshold: 0,
                lower_threshold: 0,
                tunnel_type: TunnelType::Gue,
                tunnel_port: 6080,
                tunnel_flags: 0,
            },
        },
        active_conns: 0,
        inactive_conns: 0,
        persistent_conns: 0,
        stats: Stats::default(),
    };
    let listing = output::ServiceListing {
        entry: ServiceEntry {
            service: Service {
                key: ServiceKey::Addr {
                    protocol: Protocol::Tcp,
                    addr: "192.0.2.10".parse().unwrap(),
                    port: 80,
                },
                config: ServiceConfig {
                    scheduler: "wlc".into(),
                    flags: ServiceFlags::from_bits(0),
                    timeout: 0,
                    netmask: Netmask::full(AddressFamily::Inet),
                    pe_name: None,
                },
            },
            stats: Stats::default(),
        },
        destinations: vec![dest],
    };
    let info = KernelInfo {
        version: 0x010201,
        conn_table_size: 4096,
    };
    let conns = output::parse_connections(
        "header\nTCP C0A80A01 9C40 0A000003 0050 0A00000B 0050 ESTABLISHED 893\n",
    )
    .unwrap();
    let daemon = SyncDaemon {
        state: DaemonState::Master,
        mcast_ifn: "eth0".into(),
        syncid: 0,
        sync_maxlen: 0,
        mcast_group: None,
        mcast_port: 0,
        mcast_ttl: 0,
    };
    let mut out = Vec::new();
    output::write_list_json(&mut out, &info, &[listing], true).unwrap();
    output::write_connections_json(&mut out, &conns).unwrap();
    output::write_timeouts_json(&mut out, &Timeouts::default()).unwrap();
    output::write_daemons_json(&mut out, &[daemon]).unwrap();
    let mut keys = BTreeSet::new();
    for line in String::from_utf8(out).unwrap().lines() {
        collect(&serde_json::from_str(line).unwrap(), &mut keys);
    }
    keys
}

#[test]
fn man_page_documents_every_json_field() {
    let page = man_page("man/src/ipvsadm.8.in");
    let start = page.find(".SH JSON OUTPUT").expect("JSON OUTPUT section");
    let end = page[start..]
        .find(".SH EXTENSIONS")
        .expect("section after it")
        + start;
    let section = &page[start..end];
    let keys = json_keys();
    assert!(keys.len() > 40, "{keys:?}");
    for key in keys {
        assert!(
            section.contains(&format!("\\fB{key}\\fR")),
            "JSON OUTPUT does not document {key:?}"
        );
    }
}

fn tool(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

fn run(program: &Path, args: &[&str], env: &[(&str, &str)]) -> (bool, String, String) {
    let output = Command::new(program)
        .args(args)
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("{}: {e}", program.display()));
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn man_pages_render_without_warnings() {
    let Some(groff) = tool("groff") else {
        note("SKIPPED groff check: groff is not installed (apt-get install groff)");
        return;
    };
    for (path, content) in generated_files() {
        if !path.starts_with("man/") {
            continue;
        }
        let file = generated_copy(path);
        assert!(!content.is_empty());
        let file_arg = file.arg();
        let (ok, out, err) = run(
            &groff,
            &["-ww", "-b", "-man", "-Tutf8", "-P-cbou", file_arg],
            &[("LC_ALL", "C.UTF-8")],
        );
        assert!(ok && err.is_empty(), "{path}: groff says:\n{err}");
        assert!(out.contains("NAME"), "{path}: rendered nothing");
        // Lines wider than the page mean text that cannot be broken.
        for line in out.lines() {
            assert!(
                line.chars().count() <= 80,
                "{path}: line too wide: {line:?}"
            );
        }
        if let Some(man) = tool("man") {
            let (ok, out, err) = run(
                &man,
                &["-l", file_arg],
                &[("MANWIDTH", "80"), ("MANPAGER", "cat"), ("PAGER", "cat")],
            );
            assert!(ok && err.is_empty(), "{path}: man -l says:\n{err}");
            assert!(out.contains("EXAMPLES") || out.contains("EXIT STATUS"));
        }
    }
}

/// A completion script's syntax check by its shell, skipped when the shell
/// is not installed.
fn syntax_check(shell: &str, args: &[&str], path: &str) {
    let Some(program) = tool(shell) else {
        note(&format!(
            "SKIPPED {shell} -n {path}: {shell} is not installed (apt-get install {shell})"
        ));
        return;
    };
    let file = generated_copy(path);
    let mut all: Vec<&str> = args.to_vec();
    all.push(file.arg());
    let (ok, _, err) = run(&program, &all, &[]);
    assert!(ok && err.is_empty(), "{shell} -n {path}:\n{err}");
}

#[test]
fn completions_parse_in_their_shells() {
    syntax_check("bash", &["-n"], "completions/ipvsadm.bash");
    syntax_check("zsh", &["-n"], "completions/_ipvsadm");
    syntax_check("fish", &["--no-execute"], "completions/ipvsadm.fish");
}

/// A completion case: the command line up to the cursor, candidates that
/// must be offered, candidates that must not.
struct Case {
    line: String,
    offered: Vec<String>,
    not_offered: Vec<String>,
}

fn case(line: &str, offered: &[&str], not_offered: &[&str]) -> Case {
    Case {
        line: line.to_string(),
        offered: offered.iter().map(|s| s.to_string()).collect(),
        not_offered: not_offered.iter().map(|s| s.to_string()).collect(),
    }
}

/// A file in the working directory of every shell: never offered as a value
/// of ipvsadm's options, offered by ipvsadm-restore (its FILE).
const FILE_MARKER: &str = "zz-file-marker";

/// Host names every shell is told about (bash's HOSTFILE, zsh's `hosts`
/// style, fish's ~/.ssh/config).
const HOSTS: [&str; 2] = ["hostalpha", "hostbeta"];

/// The cases every shell must get right.
fn completion_cases() -> Vec<Case> {
    use ipvsadm::cli::flags::{CommandKind, Role, SCHEDULERS};
    let host = HOSTS[0];
    let schedulers: Vec<&str> = SCHEDULERS.iter().map(|(name, _)| *name).collect();
    let mut cases = vec![
        // Commands first (the first option must be the command).
        case(
            "ipvsadm ",
            &["-A", "--add-service", "-L", "--start-daemon", "--set", "-h"],
            &["--scheduler", "-t", FILE_MARKER],
        ),
        case(
            "ipvsadm --del",
            &["--delete-service", "--delete-server"],
            &["--add-service"],
        ),
        // Host names, never file names, after -t, -u and -r.
        case("ipvsadm -A -t ", &[host], &[FILE_MARKER]),
        case("ipvsadm -E -u ", &[host], &[FILE_MARKER]),
        case("ipvsadm -a -t x -r ", &[host], &[FILE_MARKER, "-w"]),
        case("ipvsadm -A -t x -s ", &schedulers, &[FILE_MARKER, "-p"]),
        case("ipvsadm -A -t x -s tw", &["twos"], &["rr"]),
        case("ipvsadm -A -u x --pe ", &["sip"], &[FILE_MARKER]),
        case(
            "ipvsadm -A -t x -b sh-port,",
            &["sh-port,sh-fallback", "sh-port,mh-port"],
            &["sh-fallback"],
        ),
        case(
            "ipvsadm --start-daemon ",
            &["master", "backup"],
            &[FILE_MARKER],
        ),
        // Interfaces after --mcast-interface.
        case(
            "ipvsadm --start-daemon master --mcast-interface ",
            &["lo"],
            &[FILE_MARKER],
        ),
        case(
            "ipvsadm -a -t x -r y -i --tun-type ",
            &["ipip", "gue", "gre"],
            &[],
        ),
        // Nothing to complete for a number; --set's three numbers.
        case("ipvsadm -a -t x -r y -w ", &[], &[FILE_MARKER, "-g"]),
        case("ipvsadm --set 900 ", &[], &[FILE_MARKER, "-n"]),
        // Grouped short options and attached values.
        case("ipvsadm -Ln -", &["--stats", "-c"], &["-n", "-s"]),
        case("ipvsadm -A -t x -srr -", &["-p", "--pe"], &["-s", "-r"]),
        // ipvsadm-save and ipvsadm-restore.
        case("ipvsadm-save ", &["-n"], &[FILE_MARKER, "-A"]),
        case(
            "ipvsadm-restore -",
            &["--test", "-t", "--noflush", "--dry-run"],
            &["-A", "--scheduler"],
        ),
        case("ipvsadm-restore --test -", &["--dry-run"], &["--test"]),
        case("ipvsadm-restore zz", &[FILE_MARKER], &[]),
    ];
    // Values after `--opt=`.
    cases.push(case(
        "ipvsadm -A -t x --scheduler=",
        &["--scheduler=twos", "--scheduler=rr"],
        &[],
    ));
    cases.push(case(
        "ipvsadm -A --tcp-service=",
        &[&format!("--tcp-service={host}")],
        &[],
    ));
    // After each command: exactly the options its row of the matrix accepts.
    for def in FLAGS.iter().filter(|f| !f.alias) {
        let Role::Command(kind) = def.role else {
            continue;
        };
        let mut line = format!("ipvsadm --{} ", def.long);
        match kind {
            CommandKind::StartDaemon | CommandKind::StopDaemon => line.push_str("master "),
            CommandKind::Timeout => line.push_str("1 2 3 "),
            _ => {}
        }
        line.push('-');
        let accepted = completions::accepted_options(kind);
        let mut offered = Vec::new();
        let mut not_offered = Vec::new();
        for row in FLAGS.iter().filter(|f| !f.alias && f.long != def.long) {
            let words = [
                Some(format!("--{}", row.long)),
                row.short.map(|c| format!("-{c}")),
            ];
            for word in words.into_iter().flatten() {
                if accepted.contains(&row.long) {
                    offered.push(word);
                } else {
                    not_offered.push(word);
                }
            }
        }
        cases.push(Case {
            line,
            offered,
            not_offered,
        });
    }
    cases
}

/// Checks what a shell offered for each case (`offered[i]` for `cases[i]`).
fn check_cases(shell: &str, cases: &[Case], offered: &[Vec<String>]) {
    assert_eq!(offered.len(), cases.len(), "{shell}: {offered:?}");
    let mut problems = Vec::new();
    for (case, got) in cases.iter().zip(offered) {
        // A shell may hand back only what follows the `=` of `--opt=`
        // (bash with = in COMP_WORDBREAKS, zsh's IPREFIX): put it back.
        let word = case.line.rsplit(' ').next().unwrap_or("");
        let got: Vec<String> = match word.rsplit_once('=') {
            Some((head, _)) if word.starts_with("--") => got
                .iter()
                .map(|w| {
                    if w.starts_with("--") {
                        w.clone()
                    } else {
                        format!("{head}={w}")
                    }
                })
                .collect(),
            _ => got.clone(),
        };
        let got = &got;
        for want in &case.offered {
            if !got.contains(want) {
                problems.push(format!("{:?}: {want} not offered; got {got:?}", case.line));
            }
        }
        for unwanted in &case.not_offered {
            if got.contains(unwanted) {
                problems.push(format!("{:?}: {unwanted} offered; got {got:?}", case.line));
            }
        }
        if case.offered.is_empty() && !got.is_empty() && case.line.ends_with(' ') {
            problems.push(format!("{:?}: expected nothing, got {got:?}", case.line));
        }
    }
    assert!(problems.is_empty(), "{shell}:\n{}", problems.join("\n"));
}

/// Splits a harness's output ("=== N" after each case's candidates).
fn split_cases(out: &str) -> Vec<Vec<String>> {
    let mut all = Vec::new();
    let mut current = Vec::new();
    for line in out.lines() {
        if line.starts_with("=== ") {
            all.push(std::mem::take(&mut current));
        } else if let Some(candidate) = line.strip_prefix("CAND:") {
            current.push(candidate.split('\t').next().unwrap_or("").to_string());
        }
    }
    all
}

/// A working directory with [`FILE_MARKER`] in it and a hosts file.
struct ShellDir {
    dir: PathBuf,
}

impl ShellDir {
    fn new(shell: &str) -> ShellDir {
        let dir =
            std::env::temp_dir().join(format!("ipvsadm-completion-{shell}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        fs::write(dir.join(FILE_MARKER), "").unwrap();
        fs::write(
            dir.join("hosts"),
            format!("198.51.100.7 {}\n", HOSTS.join(" ")),
        )
        .unwrap();
        ShellDir { dir }
    }
}

impl Drop for ShellDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.dir);
    }
}

fn run_in(dir: &Path, program: &Path, args: &[&str], env: &[(&str, &str)]) -> String {
    let output = Command::new("timeout")
        .arg("60")
        .arg(program)
        .args(args)
        .current_dir(dir)
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("{}: {e}", program.display()));
    let out = String::from_utf8_lossy(&output.stdout).into_owned();
    let err = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "{} failed ({:?}):\n{err}\n{out}",
        program.display(),
        output.status
    );
    out
}

fn sh_word(text: &str) -> String {
    format!("'{}'", text.replace('\'', "'\\''"))
}

#[test]
fn bash_completes_from_the_rows() {
    let Some(bash) = tool("bash") else {
        note("SKIPPED bash completion check: bash is not installed (apt-get install bash)");
        return;
    };
    let script = generated_copy("completions/ipvsadm.bash");
    let dir = ShellDir::new("bash");
    let cases = completion_cases();
    // The script registers all three names (the packages link the other
    // two names' files to it, where bash-completion looks them up).
    let mut program = format!(
        "source {}\n\
         complete -p ipvsadm ipvsadm-save ipvsadm-restore >/dev/null || exit 1\n\
         run() {{ COMP_LINE=$1 COMP_POINT=${{#1}} COMPREPLY=(); _ipvsadm; printf 'CAND:%s\\n' \"${{COMPREPLY[@]}}\"; printf '=== %s\\n' \"$1\"; }}\n",
        sh_word(script.arg())
    );
    for wordbreaks in ["$' \\t\\n\"\\'><=;|&(:'", "$' \\t\\n'"] {
        program.push_str(&format!("COMP_WORDBREAKS={wordbreaks}\n"));
        for case in &cases {
            program.push_str(&format!("run {}\n", sh_word(&case.line)));
        }
    }
    let hosts = dir.dir.join("hosts");
    let out = run_in(
        &dir.dir,
        &bash,
        &["--norc", "--noprofile", "-c", &program],
        &[("HOSTFILE", hosts.to_str().unwrap())],
    );
    // printf with no arguments prints one empty candidate.
    let offered: Vec<Vec<String>> = split_cases(&out)
        .into_iter()
        .map(|c| c.into_iter().filter(|w| !w.is_empty()).collect())
        .collect();
    let (with_breaks, without) = offered.split_at(cases.len());
    // With = and : in COMP_WORDBREAKS (bash's default), bash replaces only
    // what follows the `=`: the replies leave `--opt=` out.
    for (got, case) in with_breaks.iter().zip(&cases) {
        if case.line.ends_with('=') {
            assert!(got.iter().all(|w| !w.contains('=')), "{got:?}");
        }
    }
    check_cases("bash (default COMP_WORDBREAKS)", &cases, with_breaks);
    check_cases("bash (no = in COMP_WORDBREAKS)", &cases, without);
}

#[test]
fn fish_completes_from_the_rows() {
    let Some(fish) = tool("fish") else {
        note("SKIPPED fish completion check: fish is not installed (apt-get install fish)");
        return;
    };
    let script = generated_copy("completions/ipvsadm.fish");
    let dir = ShellDir::new("fish");
    let cases = completion_cases();
    let mut program = format!("source {}\n", sh_word(script.arg()));
    for case in &cases {
        program.push_str(&format!(
            "for c in (complete -C {}); echo CAND:$c; end; echo '=== {}'\n",
            sh_word(&case.line),
            case.line.replace('\'', "")
        ));
    }
    let ssh = dir.dir.join(".ssh");
    fs::create_dir_all(&ssh).unwrap();
    let config: String = HOSTS.iter().map(|h| format!("Host {h}\n")).collect();
    fs::write(ssh.join("config"), config).unwrap();
    let home = dir.dir.to_str().unwrap();
    let out = run_in(
        &dir.dir,
        &fish,
        &["--no-config", "-c", &program],
        &[("HOME", home)],
    );
    check_cases("fish", &cases, &split_cases(&out));
}

#[test]
fn zsh_completes_from_the_rows() {
    let Some(zsh) = tool("zsh") else {
        note("SKIPPED zsh completion check: zsh is not installed (apt-get install zsh)");
        return;
    };
    let script = generated_copy("completions/_ipvsadm");
    let dir = ShellDir::new("zsh");
    let cases = completion_cases();
    let fpath = script
        .path()
        .parent()
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    let out_file = dir.dir.join("out");
    let out_arg = out_file.to_str().unwrap();
    // An interactive zsh in a pseudo-terminal (zpty) with compinit and our
    // _ipvsadm in its fpath; each line is typed with a TAB, and a wrapper
    // of compadd writes down the matches the completion system adds.
    let setup = [
        format!("fpath=({} $fpath)", sh_word(&fpath)),
        "autoload -Uz compinit && compinit -u -D".to_string(),
        format!("zstyle ':completion:*' hosts {}", HOSTS.join(" ")),
        "unsetopt AUTO_LIST AUTO_MENU LIST_BEEP BEEP".to_string(),
        format!(
            "compadd() {{ local -a __m; builtin compadd -O __m \"$@\"; print -rl -- ${{__m/#/CAND:}} >> {}; builtin compadd \"$@\" }}",
            sh_word(out_arg)
        ),
        "PS1=RE\"\"ADY'> '".to_string(),
    ];
    let mut program = String::from("zmodload zsh/zpty\nzpty z zsh -f -i\n");
    for line in &setup {
        program.push_str(&format!("zpty -w z {}\n", sh_word(line)));
    }
    program.push_str("zpty -r z _ '*READY> *'\n");
    for (i, case) in cases.iter().enumerate() {
        program.push_str(&format!(
            "zpty -w -n z {}$'\\t'\nzpty -w -n z $'\\C-u'\nzpty -w z {}\nzpty -r z _ '*READY> *'\n",
            sh_word(&case.line),
            sh_word(&format!("print -r -- '=== {i}' >> {}", sh_word(out_arg)))
        ));
    }
    program.push_str("zpty -w z exit\nzpty -d z\n");
    run_in(&dir.dir, &zsh, &["-f", "-c", &program], &[]);
    let out = fs::read_to_string(&out_file).unwrap_or_default();
    check_cases("zsh", &cases, &split_cases(&out));
}

#[test]
fn restore_page_and_completions_follow_the_binary() {
    let help = restore_help();
    let page = man_page("man/src/ipvsadm-restore.8.in");
    // The synopsis names FILE, as the binary's usage does.
    assert!(help.starts_with("Usage: ipvsadm-restore "), "{help}");
    assert!(help.lines().next().unwrap().contains("[FILE]"), "{help}");
    let synopsis = &page[page.find(".SH SYNOPSIS").unwrap()..page.find(".SH DESCRIPTION").unwrap()];
    assert!(synopsis.contains("FILE"), "{synopsis}");
    // Every option of the binary, in the page.
    for option in restore_options() {
        let long = format!("\\-\\-{}", option.long.replace('-', "\\-"));
        assert!(
            page.contains(&long),
            "ipvsadm-restore.8 lacks --{}",
            option.long
        );
        if let Some(short) = &option.short {
            assert!(page.contains(&short.replace('-', "\\-")), "lacks {short}");
        }
    }
    // The exit codes the binary's help names, and only those, in EXIT STATUS.
    let status_line = help
        .split("Exit status:")
        .nth(1)
        .expect("the help names the exit codes");
    let codes: BTreeSet<String> = status_line
        .split(';')
        .filter_map(|part| part.split_whitespace().next())
        .map(str::to_string)
        .collect();
    let start = page.find(".SH EXIT STATUS").unwrap();
    let end = page[start..].find(".SH EXAMPLES").unwrap() + start;
    let documented: BTreeSet<String> = page[start..end]
        .lines()
        .filter_map(|l| l.strip_prefix(".B "))
        .map(str::to_string)
        .collect();
    assert_eq!(codes, documented, "ipvsadm-restore.8 EXIT STATUS");
    // And the binary exits so: usage 2, a bad file with --test 2, a good
    // one 0.
    let (code, _, _) = run_binary_as("ipvsadm-restore", &["--no-such-option"]);
    assert_eq!(code, Some(2));
    let dir = ShellDir::new("restore");
    let good = dir.dir.join("good.rules");
    fs::write(
        &good,
        "-A -t 10.0.0.1:80 -s rr\n-a -t 10.0.0.1:80 -r 10.0.0.2:80 -g\n",
    )
    .unwrap();
    let bad = dir.dir.join("bad.rules");
    fs::write(
        &bad,
        "-A -t 10.0.0.1:80 -s rr\n-a -t 10.0.0.1:80 -r 10.0.0.2:80 -w -5\n",
    )
    .unwrap();
    let (code, _, err) = run_binary_as("ipvsadm-restore", &["--test", good.to_str().unwrap()]);
    assert_eq!(code, Some(0), "{err}");
    let (code, _, _) = run_binary_as("ipvsadm-restore", &["--test", bad.to_str().unwrap()]);
    assert_eq!(code, Some(2));
}
