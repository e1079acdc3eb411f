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

use clap_complete::Shell;
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
        let mut arg = clap::Arg::new(def.long).long(def.long).help(def.help);
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
        arg = match def.hint {
            ValueHint::Default => arg,
            ValueHint::Hostname => arg.value_hint(clap::ValueHint::Hostname),
            ValueHint::Text => arg.value_hint(clap::ValueHint::Other),
            ValueHint::CommaList => arg.value_delimiter(','),
        };
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

fn completion(shell: Shell) -> String {
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut clap_command(), "ipvsadm", &mut out);
    let script = String::from_utf8(out).expect("utf-8 script");
    let notice = "# Generated from src/cli/flags.rs by tests/generated_docs.rs; do not edit.\n\
                  # Regenerate: IPVSADM_UPDATE_DOCS=1 cargo test --test generated_docs\n";
    // zsh reads `#compdef` from the first line.
    match script.split_once('\n') {
        Some((first, rest)) if first.starts_with("#compdef") => {
            format!("{first}\n{notice}{rest}")
        }
        _ => format!("{notice}{script}"),
    }
}

/// Every generated file: path in the repository and content.
fn generated_files() -> Vec<(&'static str, String)> {
    vec![
        ("man/ipvsadm.8", man_page("man/src/ipvsadm.8.in")),
        ("man/ipvsadm-save.8", man_page("man/src/ipvsadm-save.8.in")),
        (
            "man/ipvsadm-restore.8",
            man_page("man/src/ipvsadm-restore.8.in"),
        ),
        ("completions/ipvsadm.bash", completion(Shell::Bash)),
        ("completions/_ipvsadm", completion(Shell::Zsh)),
        ("completions/ipvsadm.fish", completion(Shell::Fish)),
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

/// What bash completes after `words` (the last one being completed).
fn bash_complete(bash: &Path, words: &[&str]) -> Vec<String> {
    let script = generated_copy("completions/ipvsadm.bash");
    let quoted: Vec<String> = words.iter().map(|w| format!("'{w}'")).collect();
    let program = format!(
        "source '{}' && COMP_WORDS=({}) && COMP_CWORD={} && COMP_LINE='{}' && COMP_POINT=${{#COMP_LINE}} && \
         _ipvsadm ipvsadm '{}' '{}' && printf '%s\\n' \"${{COMPREPLY[@]}}\"",
        script.path().display(),
        quoted.join(" "),
        words.len() - 1,
        words.join(" "),
        words[words.len() - 1],
        words[words.len() - 2],
    );
    let (ok, out, err) = run(bash, &["--norc", "--noprofile", "-c", &program], &[]);
    assert!(ok, "bash completion failed: {err}");
    out.lines().map(str::to_string).collect()
}

#[test]
fn bash_completes_options_and_values() {
    let Some(bash) = tool("bash") else {
        note("SKIPPED bash completion check: bash is not installed");
        return;
    };
    let options = bash_complete(&bash, &["ipvsadm", "--"]);
    for option in ["--add-service", "--json", "--tun-type", "--start-daemon"] {
        assert!(options.iter().any(|o| o == option), "{option}: {options:?}");
    }
    let cases: [(&[&str], &[&str]); 5] = [
        (
            &["ipvsadm", "-A", "-t", "10.0.0.1:80", "-s", ""],
            &["rr", "wrr", "wlc", "mh", "twos"],
        ),
        (&["ipvsadm", "--start-daemon", ""], &["master", "backup"]),
        (
            &[
                "ipvsadm",
                "-a",
                "-t",
                "x",
                "-r",
                "y",
                "-i",
                "--tun-type",
                "",
            ],
            &["ipip", "gue", "gre"],
        ),
        (&["ipvsadm", "-A", "-u", "x", "--pe", ""], &["sip"]),
        (
            &["ipvsadm", "-A", "-t", "x", "-s", "sh", "-b", ""],
            &["sh-fallback", "sh-port", "flag-3"],
        ),
    ];
    for (words, expected) in cases {
        let offered = bash_complete(&bash, words);
        for value in expected {
            assert!(
                offered.iter().any(|o| o == value),
                "{words:?}: {value} not in {offered:?}"
            );
        }
    }
}

#[test]
fn zsh_and_fish_scripts_offer_the_values() {
    let zsh = generated("completions/_ipvsadm");
    let fish = generated("completions/ipvsadm.fish");
    for value in ["twos", "sip", "gue", "backup", "mh-port"] {
        assert!(zsh.contains(value), "_ipvsadm: no {value}");
        assert!(fish.contains(value), "ipvsadm.fish: no {value}");
    }
    assert!(zsh.starts_with("#compdef ipvsadm\n"));
}

#[test]
fn fish_completes_options_and_values() {
    let Some(fish) = tool("fish") else {
        note("SKIPPED fish completion check: fish is not installed (apt-get install fish)");
        return;
    };
    let script = generated_copy("completions/ipvsadm.fish");
    let cases: [(&str, &[&str]); 5] = [
        ("ipvsadm -A -t x -s ", &["rr", "wlc", "twos"]),
        ("ipvsadm --start-daemon ", &["master", "backup"]),
        ("ipvsadm --tun-type ", &["ipip", "gue", "gre"]),
        ("ipvsadm -b ", &["sh-port", "mh-fallback"]),
        ("ipvsadm --js", &["--json"]),
    ];
    for (line, expected) in cases {
        let program = format!(
            "source '{}'; complete --do-complete '{line}'",
            script.path().display()
        );
        let (ok, out, err) = run(&fish, &["--no-config", "-c", &program], &[]);
        assert!(ok && err.is_empty(), "fish: {err}");
        let offered: Vec<&str> = out
            .lines()
            .map(|l| l.split('\t').next().unwrap_or(""))
            .collect();
        for value in expected {
            assert!(
                offered.contains(value),
                "{line:?}: {value} not in {offered:?}"
            );
        }
    }
}
