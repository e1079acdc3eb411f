//! Shell completions for `ipvsadm`, `ipvsadm-save` and `ipvsadm-restore`,
//! generated from the option table (`ipvsadm::cli::flags`) and, for
//! `ipvsadm-restore`, from the binary's own `--help`.
//!
//! clap_complete cannot do what ipvsadm's command line needs (only the
//! options the command given accepts, by the command/option matrix; host
//! names, interfaces or nothing, never file names, as values; values after
//! `--opt=`), so the scripts are generated here. All three shells share one
//! POSIX sh function, `__ipvsadm_complete PROGRAM WORD... CURRENT`, made of
//! tables written from the rows: it prints one candidate per line (`word`,
//! a tab, a description) or asks the shell for a kind of value it knows how
//! to list (`@hosts|PREFIX|CURRENT`, `@interfaces|...`, `@files|...`). bash
//! and zsh define it as a function, fish runs it with `sh`; each shell's
//! driver turns the lines into its own candidates.

use std::fmt::Write as _;

use ipvsadm::cli::flags::{ArgKind, CommandKind, OptionRule, Role, ValueHint, FLAGS};

/// An option of `ipvsadm-restore`, as its `--help` lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RestoreOption {
    pub short: Option<String>,
    pub long: String,
    pub help: String,
}

/// The options `ipvsadm-restore --help` (the binary) lists.
pub fn restore_options(help: &str) -> Vec<RestoreOption> {
    let mut options: Vec<RestoreOption> = Vec::new();
    for line in help.lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with('-') && line.starts_with("  ") {
            let (names, text) = trimmed.split_once("  ").unwrap_or((trimmed, ""));
            let mut short = None;
            let mut long = String::new();
            for name in names.split(", ") {
                if let Some(l) = name.strip_prefix("--") {
                    // `--drain[=SECONDS]`, `--netns NAME`: the name alone.
                    let end = l.find(['[', '=', ' ']).unwrap_or(l.len());
                    long = l[..end].to_string();
                } else {
                    short = Some(name.to_string());
                }
            }
            options.push(RestoreOption {
                short,
                long,
                help: text.trim().to_string(),
            });
        } else if line.starts_with("                ") && !trimmed.is_empty() {
            if let Some(last) = options.last_mut() {
                last.help.push(' ');
                last.help.push_str(trimmed);
            }
        } else if !options.is_empty() {
            // The option list is one block.
            if trimmed.is_empty() {
                break;
            }
        }
    }
    options
}

/// `text` as one sh word in single quotes.
fn sh_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "'\\''"))
}

/// The kind letter of a flag in the sh tables: `c` a command, `v` a command
/// with a value, `h` help/version, `n` no value, `r` a value, `o` an
/// optional value, `s` `--set`'s three words.
fn kind(def: &ipvsadm::cli::flags::FlagDef) -> char {
    match (def.role, def.arg) {
        (Role::Help | Role::Version, _) => 'h',
        (Role::Command(_), ArgKind::Required) => 'v',
        (Role::Command(_), _) if !def.positionals.is_empty() => 's',
        (Role::Command(_), _) => 'c',
        (Role::Option, ArgKind::None) => 'n',
        (Role::Option, ArgKind::Required) => 'r',
        (Role::Option, ArgKind::Optional) => 'o',
    }
}

const COMMANDS: [CommandKind; CommandKind::COUNT] = [
    CommandKind::Add,
    CommandKind::Edit,
    CommandKind::Delete,
    CommandKind::Flush,
    CommandKind::List,
    CommandKind::AddDest,
    CommandKind::DeleteDest,
    CommandKind::EditDest,
    CommandKind::Timeout,
    CommandKind::StartDaemon,
    CommandKind::StopDaemon,
    CommandKind::Restore,
    CommandKind::Save,
    CommandKind::Zero,
];

/// The long names of the options `kind` accepts: every option its row of
/// the matrix does not forbid, and the options outside the matrix.
pub fn accepted_options(kind: CommandKind) -> Vec<&'static str> {
    FLAGS
        .iter()
        .filter(|f| !f.alias && f.role == Role::Option)
        .filter(|f| {
            !f.option
                .is_some_and(|column| kind.option_rule(column) == OptionRule::Illegal)
        })
        .map(|f| f.long)
        .collect()
}

/// The long name of the row selecting `kind`.
fn command_long(kind: CommandKind) -> &'static str {
    FLAGS
        .iter()
        .find(|f| f.role == Role::Command(kind))
        .map(|f| f.long)
        .expect("every command has a row")
}

/// The shared POSIX sh completer.
pub fn sh_core(restore: &[RestoreOption]) -> String {
    let mut out = String::new();
    // Option word -> long name and kind.
    out.push_str(
        "# __ipvsadm_flag WORD: _ipv_long and _ipv_kind of an option word (-X or\n\
         # --long); kind: c command, v command with a value, s --set, h -h/-v,\n\
         # n no value, r a value, o an optional value; empty when unknown.\n\
         __ipvsadm_flag() {\n    case $1 in\n",
    );
    for (i, def) in FLAGS.iter().enumerate() {
        let mut words = Vec::new();
        if let Some(short) = def.short {
            words.push(format!("-{short}"));
        }
        if !def.alias {
            words.push(format!("--{}", def.long));
        }
        // Aliases spell the row before them again.
        let long = if def.alias {
            FLAGS[i - 1].long
        } else {
            def.long
        };
        writeln!(
            out,
            "        {}) _ipv_long={long} _ipv_kind={} ;;",
            words.join("|"),
            kind(def)
        )
        .unwrap();
    }
    out.push_str("        *) _ipv_long= _ipv_kind= ;;\n    esac\n}\n\n");

    // Long name -> short name and help.
    out.push_str(
        "# __ipvsadm_option LONG: _ipv_short (without -) and _ipv_help of an option.\n\
         __ipvsadm_option() {\n    case $1 in\n",
    );
    for def in FLAGS.iter().filter(|f| !f.alias) {
        writeln!(
            out,
            "        {}) _ipv_short={} _ipv_help={} ;;",
            def.long,
            def.short.map(String::from).unwrap_or_default(),
            sh_quote(&def.help_text())
        )
        .unwrap();
    }
    out.push_str("    esac\n}\n\n");

    // Values.
    out.push_str(
        "# __ipvsadm_values LONG PREFIX CURRENT: the candidates for LONG's value.\n\
         __ipvsadm_values() {\n    case $1 in\n",
    );
    for def in FLAGS.iter().filter(|f| !f.alias) {
        let choices: Vec<String> = def
            .choices
            .iter()
            .map(|(name, help)| sh_quote(&format!("{name}\t{help}")))
            .collect();
        let action = match def.hint {
            ValueHint::Hostname => "printf '@hosts|%s|%s\\n' \"$2\" \"$3\"".to_string(),
            ValueHint::Interface => "printf '@interfaces|%s|%s\\n' \"$2\" \"$3\"".to_string(),
            ValueHint::CommaList => format!("__ipvsadm_list \"$2\" \"$3\" {}", choices.join(" ")),
            ValueHint::Default if !choices.is_empty() => {
                format!("__ipvsadm_choices \"$2\" \"$3\" {}", choices.join(" "))
            }
            ValueHint::Default => continue,
        };
        writeln!(out, "        {}) {action} ;;", def.long).unwrap();
    }
    out.push_str("    esac\n}\n\n");

    // Options per command.
    out.push_str(
        "# __ipvsadm_accepts COMMAND: the options COMMAND accepts (its row of the\n\
         # command/option matrix); no COMMAND: the commands.\n\
         __ipvsadm_accepts() {\n    case $1 in\n",
    );
    for kind in COMMANDS {
        writeln!(
            out,
            "        {}) echo {} ;;",
            command_long(kind),
            sh_quote(&accepted_options(kind).join(" "))
        )
        .unwrap();
    }
    let commands: Vec<&str> = FLAGS
        .iter()
        .filter(|f| !f.alias && f.role != Role::Option)
        .map(|f| f.long)
        .collect();
    writeln!(
        out,
        "        '') echo {} ;;\n    esac\n}}\n",
        sh_quote(&commands.join(" "))
    )
    .unwrap();

    // ipvsadm-restore's options, from its --help.
    out.push_str(
        "# __ipvsadm_restore_option WORD: _ipv_long of an ipvsadm-restore option.\n\
         __ipvsadm_restore_option() {\n    case $1 in\n",
    );
    for option in restore {
        let mut words = vec![format!("--{}", option.long)];
        words.extend(option.short.clone());
        writeln!(
            out,
            "        {}) _ipv_long={} ;;",
            words.join("|"),
            option.long
        )
        .unwrap();
    }
    out.push_str("        *) _ipv_long= ;;\n    esac\n}\n\n");
    out.push_str("# __ipvsadm_restore_options: lines \"long short help\" (tab-separated).\n__ipvsadm_restore_options() {\n");
    for option in restore {
        writeln!(
            out,
            "    printf '%s\\t%s\\t%s\\n' {} {} {}",
            option.long,
            sh_quote(option.short.as_deref().unwrap_or("")),
            sh_quote(&option.help)
        )
        .unwrap();
    }
    out.push_str("}\n\n");
    out.push_str(SH_ENGINE);
    out
}

/// The part of the sh completer that is not a table.
const SH_ENGINE: &str = r#"# __ipvsadm_choices PREFIX CURRENT 'VALUE<tab>HELP'...: the values that
# start with CURRENT, PREFIX in front.
__ipvsadm_choices() {
    _ipv_p=$1 _ipv_c=$2
    shift 2
    for _ipv_x; do
        case ${_ipv_x%%	*} in
            "$_ipv_c"*) printf '%s%s\n' "$_ipv_p" "$_ipv_x" ;;
        esac
    done
}

# __ipvsadm_list PREFIX CURRENT CHOICE...: the next item of a comma list.
__ipvsadm_list() {
    _ipv_p=$1 _ipv_c=$2
    shift 2
    case $_ipv_c in
        *,*) __ipvsadm_choices "$_ipv_p${_ipv_c%,*}," "${_ipv_c##*,}" "$@" ;;
        *) __ipvsadm_choices "$_ipv_p" "$_ipv_c" "$@" ;;
    esac
}

# __ipvsadm_take: records the option just read (_ipv_long, _ipv_kind).
__ipvsadm_take() {
    case $_ipv_kind in
        c | v | s | h) [ -n "$_ipv_cmd" ] || _ipv_cmd=$_ipv_long ;;
    esac
    _ipv_used="$_ipv_used$_ipv_long "
}

# __ipvsadm_wants: what the words after the option just read are.
__ipvsadm_wants() {
    case $_ipv_kind in
        r | v) _ipv_expect=$_ipv_long ;;
        s) _ipv_skip=3 ;;
    esac
}

# __ipvsadm_offer LONG SHORT HELP: the option's names that start with the
# current word.
__ipvsadm_offer() {
    case --$1 in
        "$_ipv_cur"*) printf '%s\t%s\n' "--$1" "$3" ;;
    esac
    case $_ipv_cur in
        --*) ;;
        *)
            if [ -n "$2" ]; then
                case -${2#-} in
                    "$_ipv_cur"*) printf '%s\t%s\n' "-${2#-}" "$3" ;;
                esac
            fi
            ;;
    esac
}

# __ipvsadm_complete PROGRAM WORD... CURRENT: the candidates for CURRENT,
# after the words before it.
__ipvsadm_complete() {
    local _ipv_prog _ipv_cur _ipv_n _ipv_i _ipv_w _ipv_cmd _ipv_used _ipv_expect \
        _ipv_skip _ipv_long _ipv_kind _ipv_rest _ipv_ch _ipv_short _ipv_help \
        _ipv_p _ipv_c _ipv_x _ipv_files
    _ipv_prog=${1##*/}
    shift
    eval "_ipv_cur=\${$#}"
    _ipv_n=$(($# - 1)) _ipv_i=0 _ipv_cmd= _ipv_used=' ' _ipv_expect= _ipv_skip=0 _ipv_files=
    case $_ipv_prog in
        ipvsadm-save)
            while [ "$_ipv_i" -lt "$_ipv_n" ]; do
                _ipv_i=$((_ipv_i + 1))
                eval "_ipv_w=\${$_ipv_i}"
                [ "$_ipv_w" = -n ] && return
            done
            case -n in
                "$_ipv_cur"*) printf '%s\t%s\n' -n 'print addresses and ports as numbers' ;;
            esac
            return
            ;;
        ipvsadm-restore)
            while [ "$_ipv_i" -lt "$_ipv_n" ]; do
                _ipv_i=$((_ipv_i + 1))
                eval "_ipv_w=\${$_ipv_i}"
                if [ "$_ipv_w" = -- ]; then
                    _ipv_files=1
                elif [ -z "$_ipv_files" ]; then
                    __ipvsadm_restore_option "$_ipv_w"
                    [ -n "$_ipv_long" ] && _ipv_used="$_ipv_used$_ipv_long "
                fi
            done
            case $_ipv_files$_ipv_cur in
                -*)
                    __ipvsadm_restore_options | while IFS='	' read -r _ipv_long _ipv_short _ipv_help; do
                        case $_ipv_used in *" $_ipv_long "*) continue ;; esac
                        __ipvsadm_offer "$_ipv_long" "$_ipv_short" "$_ipv_help"
                    done
                    ;;
                *) printf '@files||%s\n' "$_ipv_cur" ;;
            esac
            return
            ;;
    esac
    while [ "$_ipv_i" -lt "$_ipv_n" ]; do
        _ipv_i=$((_ipv_i + 1))
        eval "_ipv_w=\${$_ipv_i}"
        if [ -n "$_ipv_expect" ]; then
            _ipv_expect=
            continue
        fi
        if [ "$_ipv_skip" -gt 0 ]; then
            _ipv_skip=$((_ipv_skip - 1))
            continue
        fi
        case $_ipv_w in
            --*=*)
                __ipvsadm_flag "${_ipv_w%%=*}"
                __ipvsadm_take
                ;;
            --?*)
                __ipvsadm_flag "$_ipv_w"
                __ipvsadm_take
                __ipvsadm_wants
                ;;
            -?*)
                # Short options, grouped (-Ln); a value may be attached (-srr).
                _ipv_rest=${_ipv_w#-}
                while [ -n "$_ipv_rest" ]; do
                    _ipv_ch=${_ipv_rest%"${_ipv_rest#?}"}
                    _ipv_rest=${_ipv_rest#?}
                    __ipvsadm_flag "-$_ipv_ch"
                    [ -n "$_ipv_long" ] || break
                    __ipvsadm_take
                    if [ -z "$_ipv_rest" ]; then
                        __ipvsadm_wants
                    else
                        case $_ipv_kind in r | v | o) break ;; esac
                    fi
                done
                ;;
        esac
    done
    if [ -n "$_ipv_expect" ]; then
        __ipvsadm_values "$_ipv_expect" '' "$_ipv_cur"
        return
    fi
    [ "$_ipv_skip" -gt 0 ] && return
    case $_ipv_cur in
        --*=*)
            __ipvsadm_flag "${_ipv_cur%%=*}"
            [ -n "$_ipv_long" ] && __ipvsadm_values "$_ipv_long" "${_ipv_cur%%=*}=" "${_ipv_cur#*=}"
            return
            ;;
    esac
    for _ipv_x in $(__ipvsadm_accepts "$_ipv_cmd"); do
        case $_ipv_used in *" $_ipv_x "*) continue ;; esac
        __ipvsadm_option "$_ipv_x"
        __ipvsadm_offer "$_ipv_x" "$_ipv_short" "$_ipv_help"
    done
}
"#;

const NOTICE: &str = "# Generated from src/cli/flags.rs and ipvsadm-restore --help by\n\
                      # tests/generated_docs.rs; do not edit.\n\
                      # Regenerate: IPVSADM_UPDATE_DOCS=1 cargo test --test generated_docs\n";

/// The bash script: `complete -F` for the three names.
pub fn bash(restore: &[RestoreOption]) -> String {
    format!(
        "# bash completion for ipvsadm, ipvsadm-save and ipvsadm-restore.\n{NOTICE}\n{core}\n{BASH_DRIVER}",
        core = sh_core(restore)
    )
}

const BASH_DRIVER: &str = r#"# The words are split from the line up to the cursor (not COMP_WORDS, which
# bash breaks at = and :); the replies then drop what bash does not replace
# (up to the last = or : that is in COMP_WORDBREAKS).
_ipvsadm() {
    local line=${COMP_LINE:0:COMP_POINT} cur strip= i c word m p
    local -a words
    read -ra words <<<"$line"
    if [[ ${#words[@]} -eq 0 || $line == *[[:space:]] ]]; then
        words+=("")
    fi
    cur=${words[${#words[@]}-1]}
    for ((i = ${#cur} - 1; i >= 0; i--)); do
        c=${cur:i:1}
        if [[ ($c == = || $c == :) && ${COMP_WORDBREAKS-} == *"$c"* ]]; then
            strip=${cur:0:i+1}
            break
        fi
    done
    COMPREPLY=()
    while IFS=$'\t' read -r word _; do
        case $word in
            @hosts\|*)
                m=${word#@hosts|} p=${m%%|*}
                while read -r c; do COMPREPLY+=("$p$c"); done < <(compgen -A hostname -- "${m#*|}")
                ;;
            @interfaces\|*)
                m=${word#@interfaces|} p=${m%%|*}
                for c in /sys/class/net/*; do
                    c=${c##*/}
                    [[ -e /sys/class/net/$c && $c == "${m#*|}"* ]] && COMPREPLY+=("$p$c")
                done
                ;;
            @files\|*)
                m=${word#@files|}
                compopt -o filenames 2>/dev/null
                while read -r c; do COMPREPLY+=("$c"); done < <(compgen -f -- "${m#*|}")
                ;;
            *) COMPREPLY+=("$word") ;;
        esac
    done < <(__ipvsadm_complete "${words[@]}")
    if [[ -n $strip ]]; then
        for i in "${!COMPREPLY[@]}"; do
            COMPREPLY[i]=${COMPREPLY[i]#"$strip"}
        done
    fi
}
complete -F _ipvsadm ipvsadm ipvsadm-save ipvsadm-restore
"#;

/// The zsh script (`_ipvsadm`, for fpath): `#compdef` for the three names.
pub fn zsh(restore: &[RestoreOption]) -> String {
    let core = sh_core(restore).replace(
        "__ipvsadm_complete() {\n",
        "__ipvsadm_complete() {\n    emulate -L sh\n",
    );
    format!("#compdef ipvsadm ipvsadm-save ipvsadm-restore\n{NOTICE}\n{core}\n{ZSH_DRIVER}")
}

const ZSH_DRIVER: &str = r#"_ipvsadm() {
    local line word m p
    local -a lines described
    lines=("${(@f)$(__ipvsadm_complete "${(@)words[1,CURRENT]}")}")
    for line in "${lines[@]}"; do
        [[ -n $line ]] || continue
        word=${line%%$'\t'*}
        case $word in
            @hosts\|*|@interfaces\|*|@files\|*)
                m=${word#*|} p=${m%%|*}
                IPREFIX=$IPREFIX$p
                PREFIX=${PREFIX#"$p"}
                case $word in
                    @hosts*) _hosts ;;
                    @interfaces*) _net_interfaces ;;
                    @files*) _files ;;
                esac
                ;;
            *) described+=("${word//:/\\:}:${line#*$'\t'}") ;;
        esac
    done
    (( ${#described} )) && _describe -t values 'ipvsadm' described
}

_ipvsadm "$@"
"#;

/// The fish script: one function, registered for the three names.
pub fn fish(restore: &[RestoreOption]) -> String {
    let core = sh_core(restore);
    let quoted = core.replace('\\', "\\\\").replace('\'', "\\'");
    format!(
        "# fish completion for ipvsadm, ipvsadm-save and ipvsadm-restore.\n{NOTICE}\n\
         # The shared sh completer (see the bash and zsh scripts), run by sh.\n\
         set -g __ipvsadm_core '{quoted}'\n\n{FISH_DRIVER}"
    )
}

const FISH_DRIVER: &str = r#"function __ipvsadm_complete_fish
    set -l words (commandline -opc)
    set -l current (commandline -ct)
    for line in (command sh -c "$__ipvsadm_core"'
__ipvsadm_complete "$@"' sh $words "$current")
        switch $line
            case '@hosts|*' '@interfaces|*' '@files|*'
                set -l parts (string split -m 2 '|' -- $line)
                switch $parts[1]
                    case @hosts
                        for host in (__fish_print_hostnames)
                            echo $parts[2]$host
                        end
                    case @interfaces
                        for interface in (__fish_print_interfaces)
                            echo $parts[2]$interface
                        end
                    case @files
                        __fish_complete_path $parts[3]
                end
            case '*'
                echo $line
        end
    end
end

complete -c ipvsadm -f -a '(__ipvsadm_complete_fish)'
complete -c ipvsadm-save -f -a '(__ipvsadm_complete_fish)'
complete -c ipvsadm-restore -f -a '(__ipvsadm_complete_fish)'
"#;
