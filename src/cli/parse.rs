//! From an argument vector to a checked [`Command`], in the order and with
//! the messages of ipvsadm 1.31 (`parse_options` and `process_options`).
//!
//! Parsing is pure: it never talks to the kernel (ipvsadm connects before
//! parsing; errors that need the kernel, such as listing a service that
//! does not exist, come when the command runs). It does resolve host and
//! service names through the C library, as ipvsadm does.
//!
//! Order of checks, as in ipvsadm: the first option must be a command
//! (`-h`/`-v` answer at once, whatever follows); then every option in
//! command-line order, each value checked as it comes; a popt error; the
//! `--set` values; leftover arguments; `--sched-flags`; the command/option
//! matrix; then the per-command rules.

use std::ffi::OsStr;
use std::net::{IpAddr, Ipv4Addr};
use std::os::unix::ffi::OsStrExt;

use super::command::{Command, ListFormat, ListRequest, ListWhat};
use super::error::CliError;
use super::flags::{
    find_long, find_short, ArgKind, CommandKind, FlagDef, FlagId, Opt, OptSet, OptionRule,
};
use super::popt::Popt;
use super::values::{
    atoi, c_truncate, lossy, parse_fwmark, parse_host_port, parse_ipv4_netmask, parse_mcast_group,
    string_to_number, NameResolver, SystemResolver,
};
use ipvs::model::{
    AddressFamily, DaemonState, Destination, DestinationConfig, ForwardMethod, Netmask, Protocol,
    Service, ServiceConfig, ServiceFlags, ServiceKey, SyncDaemon, Timeouts, TunnelType,
};

/// Longest persistence timeout and protocol timeout: 31 days.
pub const MAX_TIMEOUT: u32 = 86400 * 31;
/// Persistence timeout when `-p` has no value (libipvs `IPVS_SVC_PERSISTENT_TIMEOUT`).
pub const DEFAULT_PERSISTENT_TIMEOUT: u32 = 360;
/// Scheduler when `-s` is not given.
pub const DEFAULT_SCHEDULER: &str = "wlc";
/// Sync daemon interface when `--mcast-interface` is not given.
pub const DEFAULT_MCAST_INTERFACE: &str = "eth0";

/// Bytes kept of `-s` (`IP_VS_SCHEDNAME_MAXLEN - 1`).
const SCHED_NAME_MAX: usize = 15;
/// Bytes kept of `--pe` (`IP_VS_PENAME_MAXLEN`).
const PE_NAME_MAX: usize = 16;
/// Bytes kept of `--mcast-interface` (`IP_VS_IFNAME_MAXLEN - 1`).
const IFNAME_MAX: usize = 15;
/// Bytes kept of `-b` (a 128-byte buffer).
const SCHED_FLAGS_MAX: usize = 127;

/// Settings of the parser that come from the environment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ParseConfig {
    /// popt's `POSIXLY_CORRECT`/`POSIX_ME_HARDER` mode: options end at the
    /// first non-option argument.
    pub posixly_correct: bool,
}

impl ParseConfig {
    /// Reads `POSIXLY_CORRECT` and `POSIX_ME_HARDER`, as popt does.
    pub fn from_env() -> Self {
        ParseConfig {
            posixly_correct: std::env::var_os("POSIXLY_CORRECT").is_some()
                || std::env::var_os("POSIX_ME_HARDER").is_some(),
        }
    }
}

/// Parses a whole command line (`args[0]` is the program name, used in
/// messages), with popt's environment settings.
pub fn parse_command<S: AsRef<OsStr>>(args: &[S]) -> Result<Command, CliError> {
    parse_command_with(args, &ParseConfig::from_env())
}

/// [`parse_command`] with explicit settings.
pub fn parse_command_with<S: AsRef<OsStr>>(
    args: &[S],
    config: &ParseConfig,
) -> Result<Command, CliError> {
    let argv: Vec<Vec<u8>> = args
        .iter()
        .map(|a| a.as_ref().as_bytes().to_vec())
        .collect();
    parse_argv(&argv, config)
}

/// The program name ipvsadm prints in messages: `argv[0]` as given
/// (`ipvsadm` if there is none).
pub fn program_name(argv: &[Vec<u8>]) -> &[u8] {
    argv.first().map(|a| &a[..]).unwrap_or(b"ipvsadm")
}

/// Parses an argument vector of bytes (`argv[0]` included).
///
/// No arguments after the program name means "list everything", as ipvsadm.
pub fn parse_argv(argv: &[Vec<u8>], config: &ParseConfig) -> Result<Command, CliError> {
    parse_argv_using(argv, config, &SystemResolver)
}

/// [`parse_argv`] with the given host and service name resolver.
pub fn parse_argv_using(
    argv: &[Vec<u8>],
    config: &ParseConfig,
    resolver: &dyn NameResolver,
) -> Result<Command, CliError> {
    match parse_at_once(argv, resolver) {
        Some(command) => Ok(command),
        None => parse_general(argv, config, resolver),
    }
}

/// No arguments (list everything), or [`parse_plain`]'s command.
fn parse_at_once<A: AsRef<[u8]>>(argv: &[A], resolver: &dyn NameResolver) -> Option<Command> {
    if argv.len() <= 1 {
        return Some(Command::List(ListRequest::default()));
    }
    parse_plain(argv, resolver)
}

/// [`parse_argv_using`] of arguments held anywhere (a restore lends slices
/// of the line it read instead of copying each token); they are copied only
/// for the general path.
pub fn parse_args_using<A: AsRef<[u8]>>(
    argv: &[A],
    config: &ParseConfig,
    resolver: &dyn NameResolver,
) -> Result<Command, CliError> {
    match parse_at_once(argv, resolver) {
        Some(command) => Ok(command),
        None => {
            let owned: Vec<Vec<u8>> = argv.iter().map(|a| a.as_ref().to_vec()).collect();
            parse_general(&owned, config, resolver)
        }
    }
}

/// [`parse_argv_using`] through popt's rules, for every form of argument.
fn parse_general(
    argv: &[Vec<u8>],
    config: &ParseConfig,
    resolver: &dyn NameResolver,
) -> Result<Command, CliError> {
    let mut state = State::new();
    let mut popt = Popt::new(argv, config.posixly_correct);
    let program = program_name(argv);

    // The first option must be the command.
    let first = match popt.next_option() {
        Ok(Some(first)) => first,
        Ok(None) | Err(_) => return Err(CliError::usage(program)),
    };
    match first.flag.id {
        FlagId::Help => return Ok(Command::Help),
        FlagId::Version => return Ok(Command::Version),
        FlagId::StartDaemon | FlagId::StopDaemon => {
            let start = first.flag.id == FlagId::StartDaemon;
            state.cmd = Some(if start {
                CommandKind::StartDaemon
            } else {
                CommandKind::StopDaemon
            });
            state.daemon_state = match first.value.as_deref() {
                Some(b"master") => Some(DaemonState::Master),
                Some(b"backup") => Some(DaemonState::Backup),
                _ if start => return Err(fail("illegal start-daemon parameter specified")),
                _ => return Err(fail("illegal start_daemon specified")),
            };
        }
        _ => match first.flag.command {
            Some(kind) => state.cmd = Some(kind),
            None => return Err(CliError::usage(program)),
        },
    }

    // Everything else, in order.
    loop {
        let option = match popt.next_option() {
            Ok(Some(option)) => option,
            Ok(None) => break,
            Err(e) => return Err(CliError::option(popt.bad_option(), e.text())),
        };
        let value = option.value.as_deref();
        state.apply(option.flag.id, value, popt.bad_option(), resolver)?;
    }

    let cmd = state.cmd.unwrap_or(CommandKind::List);
    if cmd == CommandKind::Timeout {
        let values = (
            popt.next_leftover(),
            popt.next_leftover(),
            popt.next_leftover(),
        );
        let (Some(tcp), Some(tcp_fin), Some(udp)) = values else {
            return Err(fail("--set option requires 3 timeout values"));
        };
        state.timeouts = Timeouts {
            tcp: parse_timeout(tcp, 0)?,
            tcp_fin: parse_timeout(tcp_fin, 0)?,
            udp: parse_timeout(udp, 0)?,
        };
    }
    if let Some(extra) = popt.next_leftover() {
        return Err(fail_with(&[b"unexpected argument ", extra]));
    }
    if !state.sched_flags_arg.is_empty() {
        state.flags |= parse_sched_flags(&state.sched_name, &state.sched_flags_arg)?;
    }

    check_options(cmd, state.options)?;
    state.into_command(cmd)
}

/// The flag a whole argument names in the plain form: `-X` (one short
/// flag) or `--name` (no `=value`).
fn plain_flag(arg: &[u8]) -> Option<&'static FlagDef> {
    match arg {
        [b'-', b'-', name @ ..] if !name.is_empty() && !name.contains(&b'=') => find_long(name),
        [b'-', c] => find_short(*c),
        _ => None,
    }
}

/// The command, for arguments in the plain form that save files and scripts
/// use: the command flag first, then flags each in its own argument, values
/// in the next argument, no clusters, attached values, `--`, popt's `!#:+`
/// or arguments left over. For those, popt yields the flags and values in
/// order, which are applied as [`parse_argv_using`] applies them; anything
/// else, and any error (whose message the general path words), is `None`.
/// A restore parses every line, so skipping popt's machinery matters there.
fn parse_plain<A: AsRef<[u8]>>(argv: &[A], resolver: &dyn NameResolver) -> Option<Command> {
    let (first, mut rest) = argv.get(1..)?.split_first()?;
    let first = plain_flag(first.as_ref())?;
    let kind = first.command?;
    // The daemon commands take their state as a value; --set takes
    // positional values (leftovers); -h and -v are no commands.
    if first.arg != ArgKind::None || kind == CommandKind::Timeout {
        return None;
    }
    let mut state = State::new();
    state.cmd = Some(kind);
    while let Some((arg, tail)) = rest.split_first() {
        let arg = arg.as_ref();
        let flag = plain_flag(arg)?;
        let value = match flag.arg {
            ArgKind::None => {
                rest = tail;
                None
            }
            // popt takes the next argument, whatever it starts with.
            ArgKind::Required => {
                let (value, tail) = tail.split_first()?;
                rest = tail;
                Some(value.as_ref())
            }
            ArgKind::Optional => match tail.split_first() {
                Some((value, tail)) if value.as_ref().first() != Some(&b'-') => {
                    rest = tail;
                    Some(value.as_ref())
                }
                _ => {
                    rest = tail;
                    None
                }
            },
        };
        // (A `!` first: most values have none.)
        if value.is_some_and(|v| v.contains(&b'!') && v.windows(4).any(|w| w == b"!#:+")) {
            return None;
        }
        state.apply(flag.id, value, arg, resolver).ok()?;
    }
    if !state.sched_flags_arg.is_empty() {
        state.flags |= parse_sched_flags(&state.sched_name, &state.sched_flags_arg).ok()?;
    }
    check_options(kind, state.options).ok()?;
    state.into_command(kind).ok()
}

/// ipvsadm's message for an option given twice.
#[cold]
fn repeated_option(opt: Opt) -> CliError {
    fail(format!("multiple '{}' options specified", opt.name()))
}

/// `fail(2, ...)` with a fixed or formatted message.
fn fail(message: impl AsRef<str>) -> CliError {
    CliError::rejected(&[message.as_ref().as_bytes()])
}

/// `fail(2, ...)` with a message that echoes arguments byte for byte.
fn fail_with(parts: &[&[u8]]) -> CliError {
    CliError::rejected(parts)
}

/// ipvsadm's `parse_timeout(buf, min, MAX_TIMEOUT)` for a given value.
fn parse_timeout(text: &[u8], min: u32) -> Result<u32, CliError> {
    string_to_number(text, i64::from(min), i64::from(MAX_TIMEOUT))
        .map(|n| n as u32)
        .ok_or_else(|| fail_with(&[b"invalid timeout value `", text, b"' specified"]))
}

/// ipvsadm's `parse_sched_flags`: comma-separated flag names, some only
/// for the `sh` or `mh` scheduler (`wlc` when `-s` is not given).
fn parse_sched_flags(sched_name: &[u8], arg: &[u8]) -> Result<ServiceFlags, CliError> {
    let sched: &[u8] = if sched_name.is_empty() {
        DEFAULT_SCHEDULER.as_bytes()
    } else {
        sched_name
    };
    let mut names = arg
        .split(|&b| b == b',')
        .filter(|n| !n.is_empty())
        .peekable();
    if names.peek().is_none() {
        // ipvsadm 1.31 dereferences NULL here (only commas): refuse instead.
        return Err(fail_with(&[b"invalid scheduler flag `", arg, b"'"]));
    }
    let mut flags = ServiceFlags::default();
    for name in names {
        let (bit, needs) = match name {
            b"flag-1" => (ServiceFlags::SCHED1, None),
            b"flag-2" => (ServiceFlags::SCHED2, None),
            b"flag-3" => (ServiceFlags::SCHED3, None),
            b"sh-fallback" => (ServiceFlags::SCHED1, Some(&b"sh"[..])),
            b"sh-port" => (ServiceFlags::SCHED2, Some(&b"sh"[..])),
            b"mh-fallback" => (ServiceFlags::SCHED1, Some(&b"mh"[..])),
            b"mh-port" => (ServiceFlags::SCHED2, Some(&b"mh"[..])),
            _ => return Err(fail_with(&[b"invalid scheduler flag `", name, b"'"])),
        };
        flags |= bit;
        if needs.is_some_and(|needed| needed != sched) {
            return Err(fail_with(&[b"incompatible scheduler flag `", name, b"'"]));
        }
    }
    Ok(flags)
}

/// ipvsadm's `generic_opt_check`: the command/option matrix, column by column.
fn check_options(cmd: CommandKind, options: OptSet) -> Result<(), CliError> {
    // The usual case, at once: the loop below finds an error exactly when
    // one of these holds, and says which.
    let masks = cmd.option_masks();
    if options.0 & masks.illegal == 0
        && masks.required & !options.0 == 0
        && (options.0 & masks.exclusive).count_ones() <= 1
    {
        return Ok(());
    }
    let mut first_exclusive: Option<Opt> = None;
    for opt in Opt::ALL {
        let rule = cmd.option_rule(opt);
        if !options.contains(opt) {
            if rule == OptionRule::Required {
                return Err(fail(format!(
                    "You need to supply the '{}' option for the '{}' command",
                    opt.name(),
                    cmd.name()
                )));
            }
            continue;
        }
        match rule {
            OptionRule::Illegal => {
                return Err(fail(format!(
                    "Illegal '{}' option with the '{}' command",
                    opt.name(),
                    cmd.name()
                )))
            }
            OptionRule::Exclusive => match first_exclusive {
                None => first_exclusive = Some(opt),
                Some(earlier) => {
                    return Err(fail(format!(
                        "The option '{}' conflicts with the '{}' option in the '{}' command",
                        opt.name(),
                        earlier.name(),
                        cmd.name()
                    )))
                }
            },
            OptionRule::Required | OptionRule::Optional => {}
        }
    }
    Ok(())
}

/// The tunnel options in `tunnel_types_v_options` column order.
const TUNNEL_OPTS: [Opt; 4] = [Opt::TunPort, Opt::TunNoCsum, Opt::TunCsum, Opt::TunRemCsum];

/// ipvsadm's `tunnel_opt_check`.
fn check_tunnel_options(tun_type: TunnelType, options: OptSet) -> Result<(), CliError> {
    let row: &[u8; 4] = match tun_type {
        TunnelType::Ipip => b"xxxx",
        TunnelType::Gue => b"+111",
        TunnelType::Gre => b"x11x",
    };
    let name = tun_type.name();
    let mut first_exclusive: Option<Opt> = None;
    for (opt, rule) in TUNNEL_OPTS.into_iter().zip(row.iter()) {
        if !options.contains(opt) {
            if *rule == b'+' {
                return Err(fail(format!(
                    "You need to supply the '{}' option for the '{name}' tunnel type",
                    opt.name()
                )));
            }
            continue;
        }
        match rule {
            b'x' => {
                return Err(fail(format!(
                    "Illegal '{}' option with the '{name}' tunnel type",
                    opt.name()
                )))
            }
            b'1' => match first_exclusive {
                None => first_exclusive = Some(opt),
                Some(earlier) => {
                    return Err(fail(format!(
                    "The option '{}' conflicts with the '{}' option in the '{name}' tunnel type",
                    opt.name(),
                    earlier.name()
                )))
                }
            },
            _ => {}
        }
    }
    Ok(())
}

/// ipvsadm's `struct ipvs_command_entry` plus options and format, as the
/// options fill it in.
struct State {
    cmd: Option<CommandKind>,
    options: OptSet,
    format: ListFormat,

    svc_family: Option<AddressFamily>,
    protocol: Option<Protocol>,
    svc_addr: IpAddr,
    svc_port: u16,
    fwmark: u32,
    sched_name: Vec<u8>,
    flags: ServiceFlags,
    persistence_timeout: u32,
    /// `None`: the service family's default.
    netmask: Option<Netmask>,
    pe_name: Vec<u8>,
    sched_flags_arg: Vec<u8>,

    dest_family: Option<AddressFamily>,
    dest_addr: IpAddr,
    dest_port: u16,
    forward: ForwardMethod,
    weight: i32,
    upper_threshold: u32,
    lower_threshold: u32,
    tun_type: TunnelType,
    tun_port: u16,
    tun_flags: u16,

    timeouts: Timeouts,

    daemon_state: Option<DaemonState>,
    mcast_ifn: Vec<u8>,
    syncid: u32,
    sync_maxlen: u16,
    mcast_group: Option<IpAddr>,
    mcast_port: u16,
    mcast_ttl: u8,
}

impl State {
    /// ipvsadm's starting values (`process_options`).
    fn new() -> Self {
        State {
            cmd: None,
            options: OptSet::default(),
            format: ListFormat::default(),
            svc_family: None,
            protocol: None,
            svc_addr: IpAddr::V4(Ipv4Addr::UNSPECIFIED),
            svc_port: 0,
            fwmark: 0,
            sched_name: Vec::new(),
            flags: ServiceFlags::default(),
            persistence_timeout: 0,
            netmask: None,
            pe_name: Vec::new(),
            sched_flags_arg: Vec::new(),
            dest_family: None,
            dest_addr: IpAddr::V4(Ipv4Addr::UNSPECIFIED),
            dest_port: 0,
            forward: ForwardMethod::Route,
            weight: 1,
            upper_threshold: 0,
            lower_threshold: 0,
            tun_type: TunnelType::Ipip,
            tun_port: 0,
            tun_flags: 0,
            timeouts: Timeouts::default(),
            daemon_state: None,
            mcast_ifn: Vec::new(),
            syncid: 0,
            sync_maxlen: 0,
            mcast_group: None,
            mcast_port: 0,
            mcast_ttl: 0,
        }
    }

    /// `set_option`: each option at most once.
    #[inline(always)]
    fn set_option(&mut self, opt: Opt) -> Result<(), CliError> {
        if self.options.contains(opt) {
            return Err(repeated_option(opt));
        }
        self.options.insert(opt);
        Ok(())
    }

    /// One option after the command (the `while` loop of `parse_options`).
    fn apply(
        &mut self,
        id: FlagId,
        value: Option<&[u8]>,
        bad_option: &[u8],
        resolver: &dyn NameResolver,
    ) -> Result<(), CliError> {
        // Flags that take a value always have one here, except `-p`.
        let v = value.unwrap_or(b"");
        let number = |min: i64, max: i64, what: &str| {
            string_to_number(v, min, max).ok_or_else(|| fail(format!("illegal {what} specified")))
        };
        match id {
            FlagId::TcpService | FlagId::UdpService | FlagId::SctpService => {
                self.set_option(Opt::Service)?;
                let protocol = match id {
                    FlagId::TcpService => Protocol::Tcp,
                    FlagId::UdpService => Protocol::Udp,
                    _ => Protocol::Sctp,
                };
                self.protocol = Some(protocol);
                let hp = parse_host_port(v, Some(protocol), resolver)
                    .ok_or_else(|| fail("illegal virtual server address[:port] specified"))?;
                self.svc_addr = hp.addr;
                self.svc_family = Some(AddressFamily::of(&hp.addr));
                if hp.addr.is_ipv6() {
                    self.netmask = None;
                }
                if let Some(port) = hp.port {
                    self.svc_port = port;
                }
            }
            FlagId::FwmarkService => {
                self.set_option(Opt::Service)?;
                self.svc_family = Some(AddressFamily::Inet);
                self.protocol = Some(Protocol::Tcp);
                self.fwmark = parse_fwmark(v)
                    .ok_or_else(|| fail_with(&[b"invalid fwmark value `", v, b"' specified"]))?;
            }
            FlagId::Scheduler => {
                self.set_option(Opt::Scheduler)?;
                self.sched_name = c_truncate(v, SCHED_NAME_MAX).to_vec();
            }
            FlagId::Persistent => {
                self.set_option(Opt::Persistent)?;
                self.flags |= ServiceFlags::PERSISTENT;
                self.persistence_timeout = match value {
                    None => DEFAULT_PERSISTENT_TIMEOUT,
                    Some(text) => parse_timeout(text, 1)?,
                };
            }
            FlagId::Netmask => {
                self.set_option(Opt::Netmask)?;
                if self.svc_family != Some(AddressFamily::Inet6) {
                    let mask = parse_ipv4_netmask(v, resolver)
                        .ok_or_else(|| fail("illegal virtual server persistent mask specified"))?;
                    self.netmask = Some(Netmask::Ipv4(mask));
                } else {
                    let prefix = atoi(v) as u32;
                    if !(1..=128).contains(&prefix) {
                        return Err(fail("illegal ipv6 netmask specified"));
                    }
                    self.netmask = Some(Netmask::Ipv6(prefix));
                }
            }
            FlagId::RealServer => {
                self.set_option(Opt::Server)?;
                let hp = parse_host_port(v, self.protocol, resolver)
                    .ok_or_else(|| fail("illegal real server address[:port] specified"))?;
                self.dest_addr = hp.addr;
                self.dest_family = Some(AddressFamily::of(&hp.addr));
                self.dest_port = hp.port.unwrap_or(self.svc_port);
            }
            FlagId::Ipip | FlagId::Gatewaying | FlagId::Masquerading => {
                self.set_option(Opt::Forward)?;
                self.forward = match id {
                    FlagId::Ipip => ForwardMethod::Tunnel,
                    FlagId::Gatewaying => ForwardMethod::Route,
                    _ => ForwardMethod::Masquerade,
                };
            }
            FlagId::Weight => {
                self.set_option(Opt::Weight)?;
                // Upstream 1.31 stops at 65535; Debian's 1.31, the reference,
                // accepts any non-negative int (Debian bug #814348).
                self.weight = number(0, i64::from(i32::MAX), "weight")? as i32;
            }
            FlagId::UThreshold => {
                self.set_option(Opt::UThreshold)?;
                self.upper_threshold = number(0, i64::from(i32::MAX), "u_threshold")? as u32;
            }
            FlagId::LThreshold => {
                self.set_option(Opt::LThreshold)?;
                self.lower_threshold = number(0, i64::from(i32::MAX), "l_threshold")? as u32;
            }
            FlagId::Connection => self.set_option(Opt::Connection)?,
            FlagId::Numeric => {
                self.set_option(Opt::Numeric)?;
                self.format.numeric = true;
            }
            FlagId::McastInterface => {
                self.set_option(Opt::McastInterface)?;
                self.mcast_ifn = c_truncate(v, IFNAME_MAX).to_vec();
            }
            FlagId::SyncId => {
                self.set_option(Opt::SyncId)?;
                self.syncid = number(0, 255, "syncid")? as u32;
            }
            FlagId::Timeout => self.set_option(Opt::Timeout)?,
            FlagId::Daemon => self.set_option(Opt::Daemon)?,
            FlagId::Stats => {
                self.set_option(Opt::Stats)?;
                self.format.stats = true;
            }
            FlagId::Rate => {
                self.set_option(Opt::Rate)?;
                self.format.rate = true;
            }
            FlagId::Thresholds => {
                self.set_option(Opt::Thresholds)?;
                self.format.thresholds = true;
            }
            FlagId::PersistentConn => {
                self.set_option(Opt::PersistentConn)?;
                self.format.persistent_conn = true;
            }
            FlagId::NoSort => {
                self.set_option(Opt::NoSort)?;
                self.format.nosort = true;
            }
            FlagId::Sort => {}
            FlagId::Exact => {
                self.set_option(Opt::Exact)?;
                self.format.exact = true;
            }
            FlagId::Ipv6 => {
                if self.fwmark == 0 {
                    return Err(fail("-6 used before -f\n"));
                }
                self.svc_family = Some(AddressFamily::Inet6);
                self.netmask = None;
            }
            FlagId::Ops => {
                self.set_option(Opt::OnePacket)?;
                self.flags |= ServiceFlags::ONEPACKET;
            }
            FlagId::Pe => {
                self.set_option(Opt::PersistenceEngine)?;
                self.pe_name = c_truncate(v, PE_NAME_MAX).to_vec();
            }
            FlagId::SchedFlags => {
                self.set_option(Opt::SchedFlags)?;
                self.sched_flags_arg = c_truncate(v, SCHED_FLAGS_MAX).to_vec();
            }
            FlagId::McastGroup => {
                self.set_option(Opt::McastGroup)?;
                let group = parse_mcast_group(v).map_err(|ipv6| {
                    let family: &[u8] = if ipv6 { b"IPv6" } else { b"IPv4" };
                    fail_with(&[b"invalid ", family, b" mcast-group `", v, b"'"])
                })?;
                self.mcast_group = Some(group);
            }
            FlagId::McastPort => {
                self.set_option(Opt::McastPort)?;
                self.mcast_port = number(1, 65535, "mcast-port")? as u16;
            }
            FlagId::McastTtl => {
                self.set_option(Opt::McastTtl)?;
                self.mcast_ttl = number(1, 255, "mcast-ttl")? as u8;
            }
            FlagId::SyncMaxlen => {
                self.set_option(Opt::SyncMaxlen)?;
                self.sync_maxlen = number(1, 65535 - 20 - 8, "sync-maxlen")? as u16;
            }
            FlagId::TunInfo => {
                self.set_option(Opt::TunInfo)?;
                self.format.tun_info = true;
            }
            FlagId::TunType => {
                self.set_option(Opt::TunType)?;
                self.tun_type = match v {
                    b"ipip" => TunnelType::Ipip,
                    b"gue" => TunnelType::Gue,
                    b"gre" => TunnelType::Gre,
                    _ => return Err(fail("illegal tunnel type specified")),
                };
            }
            FlagId::TunPort => {
                self.set_option(Opt::TunPort)?;
                self.tun_port = number(1, 65535, "tunnel port")? as u16;
            }
            FlagId::Json => {
                self.set_option(Opt::Json)?;
                self.format.json = true;
            }
            FlagId::TunNoCsum => self.set_option(Opt::TunNoCsum)?,
            FlagId::TunCsum => {
                self.set_option(Opt::TunCsum)?;
                self.tun_flags |= DestinationConfig::TUN_FLAG_CSUM;
            }
            FlagId::TunRemCsum => {
                self.set_option(Opt::TunRemCsum)?;
                self.tun_flags |= DestinationConfig::TUN_FLAG_REMCSUM;
            }
            // A second command, -h or -v after the command.
            FlagId::AddService
            | FlagId::EditService
            | FlagId::DeleteService
            | FlagId::Clear
            | FlagId::Restore
            | FlagId::Save
            | FlagId::AddServer
            | FlagId::EditServer
            | FlagId::DeleteServer
            | FlagId::List
            | FlagId::ListLower
            | FlagId::Zero
            | FlagId::Set
            | FlagId::StartDaemon
            | FlagId::StopDaemon
            | FlagId::Help
            | FlagId::Version => {
                return Err(fail_with(&[b"invalid option `", bad_option, b"'"]));
            }
        }
        Ok(())
    }

    #[inline]
    fn service_key(&self) -> ServiceKey {
        if self.fwmark != 0 {
            ServiceKey::Fwmark {
                family: self.svc_family.unwrap_or(AddressFamily::Inet),
                mark: self.fwmark,
            }
        } else {
            ServiceKey::Addr {
                protocol: self.protocol.unwrap_or(Protocol::Tcp),
                addr: self.svc_addr,
                port: self.svc_port,
            }
        }
    }

    #[inline]
    fn service(&self) -> Service {
        Service {
            key: self.service_key(),
            config: ServiceConfig {
                scheduler: lossy(&self.sched_name),
                flags: self.flags,
                timeout: self.persistence_timeout,
                netmask: self
                    .netmask
                    .unwrap_or(Netmask::full(self.service_key().family())),
                pe_name: (!self.pe_name.is_empty()).then(|| lossy(&self.pe_name)),
            },
        }
    }

    #[inline]
    fn destination(&self) -> Destination {
        Destination {
            addr: self.dest_addr,
            port: self.dest_port,
            config: DestinationConfig {
                forward: self.forward,
                weight: self.weight,
                upper_threshold: self.upper_threshold,
                lower_threshold: self.lower_threshold,
                tunnel_type: self.tun_type,
                tunnel_port: self.tun_port,
                tunnel_flags: self.tun_flags,
            },
        }
    }

    /// The per-command rules and defaults of `process_options`, then the
    /// typed command.
    fn into_command(mut self, cmd: CommandKind) -> Result<Command, CliError> {
        let options = self.options;
        if matches!(cmd, CommandKind::Add | CommandKind::Edit) {
            if self.fwmark == 0
                && self.svc_port == 0
                && !self.flags.contains(ServiceFlags::PERSISTENT)
            {
                return Err(fail("Zero port specified for non-persistent service"));
            }
            if self.flags.contains(ServiceFlags::ONEPACKET)
                && self.fwmark == 0
                && self.protocol != Some(Protocol::Udp)
            {
                return Err(fail(
                    "One-Packet Scheduling is only for UDP virtual services",
                ));
            }
            if self.sched_name.is_empty() {
                self.sched_name = DEFAULT_SCHEDULER.as_bytes().to_vec();
            }
        }
        if cmd == CommandKind::StartDaemon && self.mcast_ifn.is_empty() {
            self.mcast_ifn = DEFAULT_MCAST_INTERFACE.as_bytes().to_vec();
        }
        if matches!(cmd, CommandKind::AddDest | CommandKind::EditDest) {
            let tunnel = self.forward == ForwardMethod::Tunnel;
            if self.fwmark == 0 && (tunnel || self.forward == ForwardMethod::Route) {
                self.dest_port = self.svc_port;
            }
            if self.dest_family != self.svc_family && !tunnel {
                return Err(fail(
                    "Different address family is allowed only for tunneling servers",
                ));
            }
            let tunnel_opts = [
                Opt::TunType,
                Opt::TunPort,
                Opt::TunNoCsum,
                Opt::TunCsum,
                Opt::TunRemCsum,
            ];
            if options.any(&tunnel_opts) && !tunnel {
                return Err(fail("Tunnel options conflict with forward method"));
            }
            check_tunnel_options(self.tun_type, options)?;
        }
        if cmd == CommandKind::List
            && ((options.any(&[Opt::Connection, Opt::Timeout, Opt::Daemon])
                && options.any(&[Opt::Stats, Opt::Rate, Opt::Thresholds]))
                || (options.any(&[Opt::Timeout, Opt::Daemon])
                    && options.contains(Opt::PersistentConn)))
        {
            return Err(fail("options conflicts in the list command"));
        }

        Ok(match cmd {
            CommandKind::Add => Command::AddService(self.service()),
            CommandKind::Edit => Command::EditService(self.service()),
            CommandKind::Delete => Command::DeleteService(self.service_key()),
            CommandKind::Flush => Command::Flush,
            CommandKind::List => {
                let what = if options.contains(Opt::Connection) {
                    ListWhat::Connections
                } else if options.contains(Opt::Service) {
                    ListWhat::Service(self.service_key())
                } else if options.contains(Opt::Timeout) {
                    ListWhat::Timeouts
                } else if options.contains(Opt::Daemon) {
                    ListWhat::Daemons
                } else {
                    ListWhat::All
                };
                Command::List(ListRequest {
                    what,
                    format: self.format,
                })
            }
            CommandKind::Zero => {
                let key = options.contains(Opt::Service).then(|| self.service_key());
                Command::Zero(key.filter(|k| !is_unspecified_service(k)))
            }
            CommandKind::AddDest => Command::AddDestination(self.service_key(), self.destination()),
            CommandKind::EditDest => {
                Command::EditDestination(self.service_key(), self.destination())
            }
            CommandKind::DeleteDest => {
                Command::DeleteDestination(self.service_key(), self.dest_addr, self.dest_port)
            }
            CommandKind::Timeout => Command::SetTimeouts(self.timeouts),
            CommandKind::StartDaemon => Command::StartDaemon(SyncDaemon {
                state: self.daemon_state.unwrap_or(DaemonState::Master),
                mcast_ifn: lossy(&self.mcast_ifn),
                syncid: self.syncid,
                sync_maxlen: self.sync_maxlen,
                mcast_group: self.mcast_group,
                mcast_port: self.mcast_port,
                mcast_ttl: self.mcast_ttl,
            }),
            CommandKind::StopDaemon => Command::StopDaemon {
                state: self.daemon_state.unwrap_or(DaemonState::Master),
                syncid: self.syncid,
            },
            CommandKind::Restore => Command::Restore,
            CommandKind::Save => Command::Save {
                numeric: self.format.numeric,
            },
        })
    }
}

/// Whether libipvs would send no service for `-Z`: no mark, an all-zero
/// address and port 0.
fn is_unspecified_service(key: &ServiceKey) -> bool {
    match key {
        ServiceKey::Addr { addr, port, .. } => addr.is_unspecified() && *port == 0,
        ServiceKey::Fwmark { .. } => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::values::tests::FixedResolver;
    use crate::cli::CliErrorKind;

    fn parse(args: &[&str]) -> Result<Command, CliError> {
        parse_with(args, &ParseConfig::default())
    }

    /// Parses without the system's name services.
    fn parse_with(args: &[&str], config: &ParseConfig) -> Result<Command, CliError> {
        let argv: Vec<Vec<u8>> = std::iter::once("ipvsadm")
            .chain(args.iter().copied())
            .map(|a| a.as_bytes().to_vec())
            .collect();
        parse_argv_using(&argv, config, &FixedResolver)
    }

    fn err(args: &[&str]) -> (String, i32) {
        let e = parse(args).unwrap_err();
        (e.message_lossy(), e.exit_code())
    }

    fn list(args: &[&str]) -> ListRequest {
        match parse(args) {
            Ok(Command::List(l)) => l,
            other => panic!("{args:?}: {other:?}"),
        }
    }

    #[test]
    fn no_arguments_lists_everything() {
        let none: [&str; 0] = [];
        assert_eq!(
            parse_command_with(&["ipvsadm"], &ParseConfig::default()),
            Ok(Command::List(ListRequest::default()))
        );
        assert_eq!(
            parse_command_with(&none, &ParseConfig::default()),
            Ok(Command::List(ListRequest::default()))
        );
    }

    #[test]
    fn list_formats() {
        let f = list(&["-L", "-n", "--stats", "--exact", "--nosort"]).format;
        assert_eq!(
            f,
            ListFormat {
                numeric: true,
                stats: true,
                exact: true,
                nosort: true,
                ..ListFormat::default()
            }
        );
        let f = list(&[
            "-l",
            "--rate",
            "--thresholds",
            "--persistent-conn",
            "--tun-info",
        ])
        .format;
        assert!(f.rate && f.thresholds && f.persistent_conn && f.tun_info);
        assert!(!f.numeric && !f.stats && !f.exact && !f.nosort);
        assert_eq!(list(&["-L", "--sort"]).format, ListFormat::default());
    }

    #[test]
    fn list_targets() {
        assert_eq!(list(&["-L"]).what, ListWhat::All);
        assert_eq!(list(&["-Lc"]).what, ListWhat::Connections);
        assert_eq!(list(&["-L", "--timeout"]).what, ListWhat::Timeouts);
        assert_eq!(list(&["-L", "--daemon"]).what, ListWhat::Daemons);
        assert_eq!(
            list(&["-Lnu", "10.0.0.1:53"]).what,
            ListWhat::Service(ServiceKey::Addr {
                protocol: Protocol::Udp,
                addr: "10.0.0.1".parse().unwrap(),
                port: 53
            })
        );
        assert_eq!(
            list(&["-L", "-f", "3", "-6"]).what,
            ListWhat::Service(ServiceKey::Fwmark {
                family: AddressFamily::Inet6,
                mark: 3
            })
        );
    }

    #[test]
    fn json_is_a_list_option() {
        assert!(list(&["-L", "--json"]).format.json);
        assert!(list(&["-Lnj"]).format.json);
        assert_eq!(list(&["-L", "-c", "-j"]).what, ListWhat::Connections);
        assert_eq!(list(&["-L", "--timeout", "-j"]).what, ListWhat::Timeouts);
        assert_eq!(list(&["-l", "--daemon", "--json"]).what, ListWhat::Daemons);
        let l = list(&["-L", "-t", "10.0.0.1:80", "--stats", "--json", "--nosort"]);
        assert!(l.format.json && l.format.stats && l.format.nosort);
        assert!(!list(&["-L"]).format.json);
        assert_eq!(
            err(&["-L", "-j", "--json"]),
            (
                "multiple 'json' options specified
"
                .into(),
                2
            )
        );
        assert_eq!(
            err(&["-A", "-t", "10.0.0.1:80", "--json"]),
            (
                "Illegal 'json' option with the 'add-service' command
"
                .into(),
                2
            )
        );
        assert_eq!(
            err(&["-S", "-j"]),
            (
                "Illegal 'json' option with the 'save' command
"
                .into(),
                2
            )
        );
        // 1.31's own options are checked first.
        assert_eq!(
            err(&["-Z", "--json", "-n"]).0,
            "Illegal 'numeric' option with the 'zero' command
"
        );
    }

    #[test]
    fn help_version_save_restore() {
        assert_eq!(parse(&["-h", "--bogus"]), Ok(Command::Help));
        assert_eq!(parse(&["--help"]), Ok(Command::Help));
        assert_eq!(parse(&["-v"]), Ok(Command::Version));
        assert_eq!(parse(&["-S"]), Ok(Command::Save { numeric: false }));
        assert_eq!(parse(&["-Sn"]), Ok(Command::Save { numeric: true }));
        assert_eq!(parse(&["-R"]), Ok(Command::Restore));
        assert_eq!(parse(&["-C"]), Ok(Command::Flush));
    }

    #[test]
    fn service_defaults() {
        let Ok(Command::AddService(s)) = parse(&["-A", "-t", "10.0.0.1:80"]) else {
            panic!()
        };
        assert_eq!(s.config.scheduler, "wlc");
        assert_eq!(s.config.flags, ServiceFlags::from_bits(0));
        assert_eq!(s.config.timeout, 0);
        assert_eq!(s.config.netmask, Netmask::full(AddressFamily::Inet));
        assert_eq!(s.config.pe_name, None);
        let Ok(Command::EditService(s)) = parse(&["-E", "-t", "[::1]:80", "-p", "-M", "64"]) else {
            panic!()
        };
        assert_eq!(s.config.flags, ServiceFlags::PERSISTENT);
        assert_eq!(s.config.timeout, DEFAULT_PERSISTENT_TIMEOUT);
        assert_eq!(s.config.netmask, Netmask::Ipv6(64));
        // An IPv4 mask is kept as the kernel receives it: network byte order.
        let Ok(Command::AddService(s)) = parse(&["-A", "-t", "10.0.0.1:80", "-M", "255.255.255.0"])
        else {
            panic!()
        };
        assert_eq!(s.config.netmask, Netmask::Ipv4([255, 255, 255, 0].into()));
    }

    #[test]
    fn destination_defaults_and_ports() {
        let Ok(Command::AddDestination(k, d)) =
            parse(&["-a", "-t", "10.0.0.1:80", "-r", "10.0.0.2:8080"])
        else {
            panic!()
        };
        assert_eq!(k.to_string(), "-t 10.0.0.1:80");
        // Direct routing: the port is the service's.
        assert_eq!(d.port, 80);
        assert_eq!(d.config.forward, ForwardMethod::Route);
        assert_eq!(d.config.weight, 1);
        let Ok(Command::EditDestination(_, d)) = parse(&[
            "-e",
            "-t",
            "10.0.0.1:80",
            "-r",
            "10.0.0.2:8080",
            "-m",
            "-w",
            "0",
        ]) else {
            panic!()
        };
        assert_eq!((d.port, d.config.weight), (8080, 0));
        assert_eq!(
            parse(&["-d", "-u", "10.0.0.1:53", "-r", "10.0.0.2"]),
            Ok(Command::DeleteDestination(
                ServiceKey::Addr {
                    protocol: Protocol::Udp,
                    addr: "10.0.0.1".parse().unwrap(),
                    port: 53
                },
                "10.0.0.2".parse().unwrap(),
                53
            ))
        );
    }

    #[test]
    fn daemons() {
        let Ok(Command::StartDaemon(d)) = parse(&["--start-daemon", "backup"]) else {
            panic!()
        };
        assert_eq!(d.state, DaemonState::Backup);
        assert_eq!(d.mcast_ifn, "eth0");
        assert_eq!(
            (d.syncid, d.sync_maxlen, d.mcast_port, d.mcast_ttl),
            (0, 0, 0, 0)
        );
        assert_eq!(d.mcast_group, None);
        assert_eq!(
            parse(&["--stop-daemon=master", "--syncid=4"]),
            Ok(Command::StopDaemon {
                state: DaemonState::Master,
                syncid: 4
            })
        );
    }

    #[test]
    fn zero_all_or_one() {
        assert_eq!(parse(&["-Z"]), Ok(Command::Zero(None)));
        assert_eq!(parse(&["-Z", "-t", "0.0.0.0"]), Ok(Command::Zero(None)));
        assert!(matches!(
            parse(&["-Z", "-f", "1"]),
            Ok(Command::Zero(Some(_)))
        ));
    }

    #[test]
    fn error_kinds_and_codes() {
        let e = parse(&["foo"]).unwrap_err();
        assert_eq!(
            (e.kind, e.exit_code(), e.ends_restore()),
            (CliErrorKind::Usage, 255, true)
        );
        let e = parse(&["-L", "--foo"]).unwrap_err();
        assert_eq!(
            (e.kind, e.exit_code(), e.ends_restore()),
            (CliErrorKind::Option, 255, false)
        );
        let e = parse(&["-L", "-w", "1"]).unwrap_err();
        assert_eq!(
            (e.kind, e.exit_code(), e.ends_restore()),
            (CliErrorKind::Rejected, 2, true)
        );
        assert_eq!(
            e.to_string(),
            "Illegal 'weight' option with the 'list' command"
        );
        assert_eq!(err(&["-A", "-6"]), ("-6 used before -f\n\n".into(), 2));
    }

    #[test]
    fn program_name_appears_in_try_help() {
        let e =
            parse_command_with(&["/usr/sbin/ipvsadm", "x"], &ParseConfig::default()).unwrap_err();
        assert_eq!(
            e.message_lossy(),
            "Try `/usr/sbin/ipvsadm -h' or '/usr/sbin/ipvsadm --help' for more information.\n"
        );
    }

    #[test]
    fn sched_flags_of_only_commas_are_refused() {
        // ipvsadm 1.31 crashes here.
        assert_eq!(
            err(&["-A", "-t", "10.0.0.1:80", "-b", ",,"]),
            ("invalid scheduler flag `,,'\n".into(), 2)
        );
    }

    #[test]
    fn posixly_correct_ends_options_at_the_first_argument() {
        let posix = ParseConfig {
            posixly_correct: true,
        };
        let e = parse_with(&["--set", "1", "2", "3", "-n"], &posix).unwrap_err();
        assert_eq!(e.message_lossy(), "unexpected argument -n\n");
        assert_eq!(
            err(&["--set", "1", "2", "3", "-n"]).0,
            "Illegal 'numeric' option with the 'set' command\n"
        );
    }

    #[test]
    fn non_utf8_arguments_are_echoed_byte_for_byte() {
        use std::ffi::OsStr;
        let args = [
            OsStr::new("ipvsadm"),
            OsStr::new("-L"),
            OsStr::from_bytes(b"\xff\xfe"),
        ];
        let e = parse_command_with(&args, &ParseConfig::default()).unwrap_err();
        assert_eq!(e.message, b"unexpected argument \xff\xfe\n");
    }

    /// The plain-form shortcut gives popt's result whenever it gives one,
    /// and gives one for the lines ipvsadm-save writes.
    #[test]
    fn plain_form_agrees_with_popt() {
        let pool: &[&[u8]] = &[
            b"-A",
            b"-E",
            b"-D",
            b"-a",
            b"-e",
            b"-d",
            b"-L",
            b"-l",
            b"-C",
            b"-Z",
            b"-S",
            b"-R",
            b"--add-service",
            b"--set",
            b"--start-daemon",
            b"-h",
            b"-v",
            b"-t",
            b"-u",
            b"--sctp-service",
            b"-f",
            b"-6",
            b"-s",
            b"-p",
            b"-M",
            b"-r",
            b"-g",
            b"-i",
            b"-m",
            b"-w",
            b"-x",
            b"-y",
            b"-b",
            b"-o",
            b"--pe",
            b"--tun-type",
            b"--tun-port",
            b"--tun-csum",
            b"-n",
            b"-c",
            b"--stats",
            b"--rate",
            b"--exact",
            b"--nosort",
            b"--json",
            b"--weight",
            b"--weight=5",
            b"-w5",
            b"-Ln",
            b"--",
            b"-",
            b"",
            b"-q",
            b"10.0.0.1:80",
            b"10.0.0.2",
            b"10.0.0.3:8080",
            b"010.0.0.1:80",
            b"10.1:80",
            b"[2001:db8::1]:443",
            b"2001:db8::2",
            b"[::1",
            b"1",
            b"0",
            b"7",
            b"65535",
            b"65536",
            b"-1",
            b"300",
            b"rr",
            b"wlc",
            b"sh",
            b"sip",
            b"gue",
            b"ipip",
            b"255.255.255.0",
            b"64",
            b"sh-port",
            b"master",
            b"!#:+",
            b"\xff",
            b"vip:http",
            b"rs1",
            b"10.0.0.1:http",
            b"10.0.0.1:0",
        ];
        let config = ParseConfig::default();
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        let mut plain = 0;
        for round in 0..200_000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let mut argv = vec![b"ipvsadm".to_vec()];
            let mut s = seed;
            for _ in 0..(seed % 9) as usize {
                argv.push(pool[(s % pool.len() as u64) as usize].to_vec());
                s /= pool.len() as u64;
            }
            if round % 3 == 0 && argv.len() > 1 {
                // Mostly well-formed: a command, then flag/value pairs.
                argv[1] = [b"-A".as_slice(), b"-a", b"-e", b"-d", b"-D", b"-E"][round % 6].to_vec();
            }
            if plain_agrees_with_general(&argv, &config) {
                plain += 1;
            }
        }
        assert!(plain > 1000, "only {plain} plain command lines");

        // Command lines built from option groups in random order, with
        // values good and bad: most parse.
        let groups: &[&[&[u8]]] = &[
            &[
                b"-t",
                b"10.0.0.1:80",
                b"10.0.0.1",
                b"[2001:db8::1]:80",
                b"10.0.0.1:0",
                b"vip:http",
            ],
            &[b"-u", b"10.0.0.1:53", b"10.0.0.9:53"],
            &[b"--sctp-service", b"10.0.0.1:99"],
            &[b"-f", b"1", b"4294967295", b"0"],
            &[b"-6"],
            &[b"-s", b"rr", b"wlc", b"sh", b"mh", b""],
            &[b"-p", b"60", b"0", b"2678401"],
            &[b"-p"],
            &[b"-M", b"255.255.255.0", b"64", b"129"],
            &[
                b"-r",
                b"10.0.0.2",
                b"10.0.0.2:8080",
                b"[2001:db8::2]:80",
                b"rs1:http",
            ],
            &[b"-g"],
            &[b"-i"],
            &[b"-m"],
            &[b"-w", b"0", b"1", b"65535", b"2147483647", b"-1", b"x"],
            &[b"-x", b"0", b"100"],
            &[b"-y", b"0", b"10"],
            &[b"-b", b"sh-port", b"flag-1,flag-2", b"nope"],
            &[b"--pe", b"sip"],
            &[b"-o"],
            &[b"--tun-type", b"gue", b"ipip", b"gre"],
            &[b"--tun-port", b"6080", b"0"],
            &[b"--tun-csum"],
            &[b"-n"],
            &[b"--stats"],
        ];
        let commands: &[&[u8]] = &[
            b"-A", b"-E", b"-D", b"-a", b"-e", b"-d", b"-L", b"-Z", b"-C",
        ];
        let mut agreed = 0;
        for round in 0..300_000u64 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let mut s = seed;
            let mut take = |n: usize| {
                let v = (s % n as u64) as usize;
                s = (s / n as u64) ^ round.rotate_left(17);
                v
            };
            let mut argv = vec![b"ipvsadm".to_vec(), commands[take(commands.len())].to_vec()];
            for _ in 0..take(7) {
                let group = groups[take(groups.len())];
                argv.push(group[0].to_vec());
                if group.len() > 1 {
                    argv.push(group[1 + take(group.len() - 1)].to_vec());
                }
            }
            if plain_agrees_with_general(&argv, &config) {
                agreed += 1;
            }
        }
        assert!(
            agreed > 10_000,
            "only {agreed} structured command lines parsed"
        );
        for line in [
            "-A -t 10.0.0.1:80 -s wlc",
            "-A -u 10.0.0.1:53 -s rr -p 300",
            "-A -f 7 -s sh -b sh-port -p",
            "-A -t [2001:db8::1]:443 -s wrr -p 60 -M 64",
            "-a -t 10.0.0.1:80 -r 10.0.0.2:8080 -m -w 1",
            "-a -u 10.0.0.1:53 -r 10.0.0.3 -i -w 5 --tun-type gue --tun-port 6080",
            "-a -f 7 -r 10.0.0.4 -g -w 0 -x 100 -y 10",
        ] {
            let mut argv = vec![b"ipvsadm".to_vec()];
            argv.extend(line.split(' ').map(|w| w.as_bytes().to_vec()));
            let fast = parse_plain(&argv, &FixedResolver);
            assert!(fast.is_some(), "{line}");
            assert_eq!(
                parse_general(&argv, &config, &FixedResolver).ok(),
                fast,
                "{line}"
            );
        }
    }

    /// Whether the plain path takes `argv`; when it does, its command must
    /// be the general path's.
    fn plain_agrees_with_general(argv: &[Vec<u8>], config: &ParseConfig) -> bool {
        let Some(fast) = parse_plain(argv, &FixedResolver) else {
            return false;
        };
        let general = parse_general(argv, config, &FixedResolver);
        assert_eq!(general.as_ref().ok(), Some(&fast), "{:?}", lossy_args(argv));
        true
    }

    fn lossy_args(argv: &[Vec<u8>]) -> Vec<String> {
        argv.iter()
            .map(|a| String::from_utf8_lossy(a).into_owned())
            .collect()
    }

    /// Every combination of awkward tokens parses to a command or an error.
    #[test]
    fn never_panics() {
        let pool: &[&[u8]] = &[
            b"-A",
            b"-a",
            b"-L",
            b"-R",
            b"--set",
            b"-t",
            b"-f",
            b"-6",
            b"-r",
            b"-p",
            b"-M",
            b"-s",
            b"-b",
            b"-w",
            b"--tun-type",
            b"--tun-port",
            b"-i",
            b"--",
            b"-",
            b"",
            b"10.0.0.1:80",
            b"[::1]:80",
            b"[::1",
            b"1",
            b"0",
            b"gue",
            b"-x=",
            b"-Ln=",
            b"!#:+",
            b"\xff",
            b"--mcast-group",
            b"ff02::1",
            b",",
            b"--start-daemon",
            b"master",
            b"-pe",
            b"=",
        ];
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..20_000 {
            let mut argv = vec![b"ipvsadm".to_vec()];
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let n = (seed % 7) as usize;
            let mut s = seed;
            for _ in 0..n {
                argv.push(pool[(s % pool.len() as u64) as usize].to_vec());
                s /= pool.len() as u64;
            }
            let _ = parse_argv_using(&argv, &ParseConfig::default(), &FixedResolver);
        }
    }
}
