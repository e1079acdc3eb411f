//! The `-h` and `-v` texts. Option lines come from [`FLAGS`].

use super::flags::{ArgKind, FlagDef, Section, FLAGS};

/// The ipvsadm release whose command line and output this one follows.
pub const COMPATIBLE_VERSION: &str = "v1.31";

/// Column where option descriptions start.
const HELP_COLUMN: usize = 36;
/// Width the help text is wrapped to.
const WIDTH: usize = 80;

/// The `-v` line (newline included).
pub fn version_text() -> String {
    format!(
        "ipvsadm {} (Rust), compatible with ipvsadm {COMPATIBLE_VERSION}\n",
        env!("CARGO_PKG_VERSION")
    )
}

/// Command forms shown under "Usage:"; `{}` stands for the program name.
const SYNOPSIS: &[&str] = &[
    "-A|E virtual-service [-s scheduler] [-p [timeout]] [-M netmask] [--pe engine] [-b flags]",
    "-D virtual-service",
    "-C",
    "-R",
    "-S [-n]",
    "-a|e virtual-service -r server-address [options]",
    "-d virtual-service -r server-address",
    "-L|l [virtual-service] [options]",
    "-Z [virtual-service]",
    "--set tcp tcpfin udp",
    "--start-daemon {master|backup} [daemon-options]",
    "--stop-daemon {master|backup}",
    "-h",
];

/// The `-h` text, with `program` (ipvsadm's `argv[0]`) in the usage lines.
pub fn help_text(program: &str) -> String {
    let mut out = version_text();
    out.push_str("Usage:\n");
    for form in SYNOPSIS {
        out.push_str(&format!("  {program} {form}\n"));
    }
    out.push_str(
        "\nA virtual service is -t|-u|--sctp-service host[:port] or -f fwmark.\n\
         Long and short option names are both accepted; short ones can be\n\
         grouped (-Ln) and take their value attached or as the next argument.\n",
    );
    for section in Section::ALL {
        out.push('\n');
        out.push_str(section.heading());
        out.push_str(":\n");
        for def in FLAGS.iter().filter(|f| f.section == section && !f.alias) {
            push_option_line(&mut out, def);
        }
    }
    out
}

/// `  -s, --scheduler scheduler         description`, wrapped.
fn push_option_line(out: &mut String, def: &FlagDef) {
    let mut left = match def.short {
        Some(c) => format!("  -{c}, --{}", def.long),
        None => format!("      --{}", def.long),
    };
    match (def.arg, def.value_name) {
        (ArgKind::Required, Some(name)) => left.push_str(&format!(" {name}")),
        (ArgKind::Optional, Some(name)) => left.push_str(&format!(" [{name}]")),
        _ => {
            for name in def.positionals {
                left.push(' ');
                left.push_str(name);
            }
        }
    }
    let mut line = left;
    if line.len() + 2 > HELP_COLUMN {
        out.push_str(&line);
        out.push('\n');
        line = String::new();
    }
    let mut first_word = true;
    for word in def.help_text().split(' ') {
        let pad = HELP_COLUMN.saturating_sub(line.len());
        if first_word {
            line.push_str(&" ".repeat(pad));
            first_word = false;
        } else if line.len() + 1 + word.len() > WIDTH {
            out.push_str(&line);
            out.push('\n');
            line = " ".repeat(HELP_COLUMN);
        } else {
            line.push(' ');
        }
        line.push_str(word);
    }
    out.push_str(&line);
    out.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_names_the_compatible_release() {
        assert_eq!(
            version_text(),
            format!(
                "ipvsadm {} (Rust), compatible with ipvsadm v1.31\n",
                env!("CARGO_PKG_VERSION")
            )
        );
    }

    #[test]
    fn help_lists_every_flag_within_80_columns() {
        let text = help_text("ipvsadm");
        for def in FLAGS.iter().filter(|f| !f.alias) {
            assert!(text.contains(&format!("--{}", def.long)), "{}", def.long);
        }
        for line in text.lines().filter(|l| !l.starts_with("  ipvsadm ")) {
            assert!(line.len() <= WIDTH, "{line:?}");
        }
        assert!(text.contains("  -p, --persistent [timeout]"));
        let drain_default = ipvs::reconcile::Drain::default().timeout.as_secs();
        assert!(text.contains(&format!("(default {drain_default};")));
        assert!(text.contains("      --set tcp tcpfin udp"));
        assert!(text.contains("  ipvsadm --set tcp tcpfin udp\n"));
        // Every scheduler the parser accepts is named, and nothing is left
        // unexpanded.
        for (name, _) in super::super::flags::SCHEDULERS {
            assert!(
                text.split_whitespace().any(|w| w == *name),
                "-h does not name the scheduler {name}"
            );
        }
        assert!(!text.contains("{choices}"), "{text}");
        assert!(text.ends_with('\n'));
    }

    #[test]
    fn help_snapshot() {
        // Without the version line, which changes with every release.
        let text = help_text("ipvsadm");
        let (_, rest) = text.split_once('\n').unwrap();
        insta::assert_snapshot!(rest);
    }
}
