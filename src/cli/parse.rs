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

use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

use super::command::{Command, ListFormat, ListRequest, ListWhat};
use super::error::CliError;
use super::flags::{opts, ArgKind, CommandKind, OptSet, OptionColumn, OptionRule, Role, COLUMNS};
use super::popt::Popt;
use super::values::{lossy, parse_host_port, string_to_number, NameResolver};
use ipvs::model::{
    AddressFamily, DaemonState, Destination, DestinationConfig, ForwardMethod, Netmask, Protocol,
    Service, ServiceConfig, ServiceFlags, ServiceKey, SyncDaemon, Timeouts, TunnelType,
};
use ipvs::reconcile::Drain;

/// Longest persistence timeout and protocol timeout: 31 days.
pub const MAX_TIMEOUT: u32 = 86400 * 31;
/// Persistence timeout when `-p` has no value (libipvs `IPVS_SVC_PERSISTENT_TIMEOUT`).
pub const DEFAULT_PERSISTENT_TIMEOUT: u32 = 360;
/// Scheduler when `-s` is not given.
pub const DEFAULT_SCHEDULER: &str = "wlc";
/// Sync daemon interface when `--mcast-interface` is not given.
pub const DEFAULT_MCAST_INTERFACE: &str = "eth0";

/// Bytes kept of `-s` (`IP_VS_SCHEDNAME_MAXLEN - 1`).
pub(super) const SCHED_NAME_MAX: usize = 15;
/// Bytes kept of `--pe` (`IP_VS_PENAME_MAXLEN`).
pub(super) const PE_NAME_MAX: usize = 16;
/// Bytes kept of `--mcast-interface` (`IP_VS_IFNAME_MAXLEN - 1`).
pub(super) const IFNAME_MAX: usize = 15;
/// Bytes kept of `-b` (a 128-byte buffer).
pub(super) const SCHED_FLAGS_MAX: usize = 127;

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

/// The program name ipvsadm prints in messages: `argv[0]` as given
/// (`ipvsadm` if there is none).
pub fn program_name<A: AsRef<[u8]>>(argv: &[A]) -> &[u8] {
    argv.first().map_or(b"ipvsadm", |a| a.as_ref())
}

/// Parses an argument vector of bytes (`argv[0]`, the program name used in
/// messages, included), resolving host and service names with `resolver`.
/// The arguments may be held anywhere (a restore lends slices of the line
/// it read).
///
/// No arguments after the program name means "list everything", as ipvsadm.
pub fn parse_args<A: AsRef<[u8]>>(
    argv: &[A],
    config: &ParseConfig,
    resolver: &dyn NameResolver,
) -> Result<Command, CliError> {
    if argv.len() <= 1 {
        return Ok(Command::List(ListRequest::default()));
    }
    let mut building = Building::new();
    let mut popt = Popt::new(argv, config.posixly_correct);
    let program = program_name(argv);

    // The first option must be the command.
    let first = match popt.next_option() {
        Ok(Some(first)) => first,
        Ok(None) | Err(_) => return Err(CliError::usage(program)),
    };
    let cmd = match first.flag.role {
        Role::Help => return Ok(Command::Help),
        Role::Version => return Ok(Command::Version),
        Role::Option => return Err(CliError::usage(program)),
        Role::Command(kind) => kind,
    };
    if first.flag.arg != ArgKind::None {
        // The daemon commands' master|backup.
        (first.flag.store)(&mut building, first.value.as_deref(), resolver)?;
    }

    // Everything else, in order.
    loop {
        let option = match popt.next_option() {
            Ok(Some(option)) => option,
            Ok(None) => break,
            Err(e) => return Err(CliError::option(popt.bad_option(), e.text())),
        };
        let flag = option.flag;
        if flag.role != Role::Option {
            // A second command, -h or -v after the command.
            return Err(fail_with(&[b"invalid option `", popt.bad_option(), b"'"]));
        }
        if let Some(column) = flag.option {
            building.set_option(column)?;
        }
        (flag.store)(&mut building, option.value.as_deref(), resolver)?;
    }

    if cmd == CommandKind::Timeout {
        let values = (
            popt.next_leftover(),
            popt.next_leftover(),
            popt.next_leftover(),
        );
        let (Some(tcp), Some(tcp_fin), Some(udp)) = values else {
            return Err(fail("--set option requires 3 timeout values"));
        };
        building.timeouts = Timeouts {
            tcp: parse_timeout(tcp, 0)?,
            tcp_fin: parse_timeout(tcp_fin, 0)?,
            udp: parse_timeout(udp, 0)?,
        };
    }
    if let Some(extra) = popt.next_leftover() {
        return Err(fail_with(&[b"unexpected argument ", extra]));
    }
    if !building.sched_flags_arg.is_empty() {
        building.flags |= parse_sched_flags(&building.sched_name, &building.sched_flags_arg)?;
    }

    check_options(cmd, building.options)?;
    building.into_command(cmd)
}

/// ipvsadm's message for an option given twice.
#[cold]
fn repeated_option(column: &OptionColumn) -> CliError {
    fail(format!("multiple '{}' options specified", column.name))
}

/// `fail(2, ...)` with a fixed or formatted message.
pub(super) fn fail(message: impl AsRef<str>) -> CliError {
    CliError::rejected(&[message.as_ref().as_bytes()])
}

/// `fail(2, ...)` with a message that echoes arguments byte for byte.
pub(super) fn fail_with(parts: &[&[u8]]) -> CliError {
    CliError::rejected(parts)
}

/// A number in `min..=max` (ipvsadm's `string_to_number`), or
/// "illegal `what` specified". A value is always present for the flags
/// that call this.
#[inline(always)]
pub(super) fn number(
    value: Option<&[u8]>,
    min: i64,
    max: i64,
    what: &str,
) -> Result<i64, CliError> {
    string_to_number(value.unwrap_or_default(), min, max)
        .ok_or_else(|| fail(format!("illegal {what} specified")))
}

/// `--start-daemon`/`--stop-daemon`'s value, or `message`.
pub(super) fn daemon_state(value: Option<&[u8]>, message: &str) -> Result<DaemonState, CliError> {
    match value {
        Some(b"master") => Ok(DaemonState::Master),
        Some(b"backup") => Ok(DaemonState::Backup),
        _ => Err(fail(message)),
    }
}

/// ipvsadm's `parse_timeout(buf, min, MAX_TIMEOUT)` for a given value.
pub(super) fn parse_timeout(text: &[u8], min: u32) -> Result<u32, CliError> {
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
    let mut first_exclusive: Option<&OptionColumn> = None;
    for column in COLUMNS.iter().flatten() {
        let rule = column.rule(cmd);
        if !options.contains(column) {
            if rule == OptionRule::Required {
                return Err(fail(format!(
                    "You need to supply the '{}' option for the '{}' command",
                    column.name,
                    cmd.name()
                )));
            }
            continue;
        }
        match rule {
            OptionRule::Illegal => {
                return Err(fail(format!(
                    "Illegal '{}' option with the '{}' command",
                    column.name,
                    cmd.name()
                )))
            }
            OptionRule::Exclusive => match first_exclusive {
                None => first_exclusive = Some(column),
                Some(earlier) => {
                    return Err(fail(format!(
                        "The option '{}' conflicts with the '{}' option in the '{}' command",
                        column.name,
                        earlier.name,
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
const TUNNEL_OPTS: [&OptionColumn; 4] = [
    &opts::TUN_PORT,
    &opts::TUN_NOCSUM,
    &opts::TUN_CSUM,
    &opts::TUN_REMCSUM,
];

/// ipvsadm's `tunnel_opt_check`.
fn check_tunnel_options(tun_type: TunnelType, options: OptSet) -> Result<(), CliError> {
    let row: &[u8; 4] = match tun_type {
        TunnelType::Ipip => b"xxxx",
        TunnelType::Gue => b"+111",
        TunnelType::Gre => b"x11x",
    };
    let name = tun_type.name();
    let mut first_exclusive: Option<&OptionColumn> = None;
    for (opt, rule) in TUNNEL_OPTS.into_iter().zip(row.iter()) {
        if !options.contains(opt) {
            if *rule == b'+' {
                return Err(fail(format!(
                    "You need to supply the '{}' option for the '{name}' tunnel type",
                    opt.name
                )));
            }
            continue;
        }
        match rule {
            b'x' => {
                return Err(fail(format!(
                    "Illegal '{}' option with the '{name}' tunnel type",
                    opt.name
                )))
            }
            b'1' => match first_exclusive {
                None => first_exclusive = Some(opt),
                Some(earlier) => {
                    return Err(fail(format!(
                    "The option '{}' conflicts with the '{}' option in the '{name}' tunnel type",
                    opt.name,
                    earlier.name
                )))
                }
            },
            _ => {}
        }
    }
    Ok(())
}

/// ipvsadm's `struct ipvs_command_entry` plus options and format, as the
/// options fill it in: what [`super::flags::FlagDef::store`] writes to.
pub struct Building {
    pub(super) options: OptSet,
    pub(super) format: ListFormat,

    pub(super) svc_family: Option<AddressFamily>,
    pub(super) protocol: Option<Protocol>,
    pub(super) svc_addr: IpAddr,
    pub(super) svc_port: u16,
    pub(super) fwmark: u32,
    pub(super) sched_name: Vec<u8>,
    pub(super) flags: ServiceFlags,
    pub(super) persistence_timeout: u32,
    /// `None`: the service family's default.
    pub(super) netmask: Option<Netmask>,
    pub(super) pe_name: Vec<u8>,
    pub(super) sched_flags_arg: Vec<u8>,

    pub(super) dest_family: Option<AddressFamily>,
    pub(super) dest_addr: IpAddr,
    pub(super) dest_port: u16,
    pub(super) forward: ForwardMethod,
    pub(super) weight: i32,
    pub(super) upper_threshold: u32,
    pub(super) lower_threshold: u32,
    pub(super) tun_type: TunnelType,
    pub(super) tun_port: u16,
    pub(super) tun_flags: u16,

    pub(super) timeouts: Timeouts,

    pub(super) daemon_state: Option<DaemonState>,
    pub(super) mcast_ifn: Vec<u8>,
    pub(super) syncid: u32,
    pub(super) sync_maxlen: u16,
    pub(super) mcast_group: Option<IpAddr>,
    pub(super) mcast_port: u16,
    pub(super) mcast_ttl: u8,

    /// `--drain=SECONDS`; `None`: [`Drain`]'s default.
    pub(super) drain_timeout: Option<u64>,
}

impl Building {
    /// ipvsadm's starting values (`process_options`).
    fn new() -> Self {
        Building {
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
            drain_timeout: None,
            mcast_group: None,
            mcast_port: 0,
            mcast_ttl: 0,
        }
    }

    /// `set_option`: each option at most once.
    #[inline(always)]
    fn set_option(&mut self, column: &OptionColumn) -> Result<(), CliError> {
        if self.options.contains(column) {
            return Err(repeated_option(column));
        }
        self.options.insert(column);
        Ok(())
    }

    /// `-t`, `-u`, `--sctp-service`: the service's address and port.
    #[inline(always)]
    pub(super) fn service_address(
        &mut self,
        protocol: Protocol,
        value: Option<&[u8]>,
        resolver: &dyn NameResolver,
    ) -> Result<(), CliError> {
        self.protocol = Some(protocol);
        let hp = parse_host_port(value.unwrap_or_default(), Some(protocol), resolver)
            .ok_or_else(|| fail("illegal virtual server address[:port] specified"))?;
        self.svc_addr = hp.addr;
        self.svc_family = Some(AddressFamily::of(&hp.addr));
        if hp.addr.is_ipv6() {
            self.netmask = None;
        }
        if let Some(port) = hp.port {
            self.svc_port = port;
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
                &opts::TUN_TYPE,
                &opts::TUN_PORT,
                &opts::TUN_NOCSUM,
                &opts::TUN_CSUM,
                &opts::TUN_REMCSUM,
            ];
            // Without tunnel options the type is ipip, which needs none.
            if options.any(&tunnel_opts) {
                if !tunnel {
                    return Err(fail("Tunnel options conflict with forward method"));
                }
                check_tunnel_options(self.tun_type, options)?;
            }
        }
        if cmd == CommandKind::List
            && ((options.any(&[&opts::CONNECTION, &opts::TIMEOUT, &opts::DAEMON])
                && options.any(&[&opts::STATS, &opts::RATE, &opts::THRESHOLDS]))
                || (options.any(&[&opts::TIMEOUT, &opts::DAEMON])
                    && options.contains(&opts::PERSISTENT_CONN)))
        {
            return Err(fail("options conflicts in the list command"));
        }

        Ok(match cmd {
            CommandKind::Add => Command::AddService(self.service()),
            CommandKind::Edit => Command::EditService(self.service()),
            CommandKind::Delete => Command::DeleteService(self.service_key()),
            CommandKind::Flush => Command::Flush,
            CommandKind::List => {
                let what = if options.contains(&opts::CONNECTION) {
                    ListWhat::Connections
                } else if options.contains(&opts::SERVICE) {
                    ListWhat::Service(self.service_key())
                } else if options.contains(&opts::TIMEOUT) {
                    ListWhat::Timeouts
                } else if options.contains(&opts::DAEMON) {
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
                let key = options.contains(&opts::SERVICE).then(|| self.service_key());
                Command::Zero(key.filter(|k| !is_unspecified_service(k)))
            }
            CommandKind::AddDest => Command::AddDestination(self.service_key(), self.destination()),
            CommandKind::EditDest => {
                Command::EditDestination(self.service_key(), self.destination())
            }
            CommandKind::DeleteDest if options.contains(&opts::DRAIN) => {
                Command::DrainDestination {
                    key: self.service_key(),
                    addr: self.dest_addr,
                    port: self.dest_port,
                    timeout: self
                        .drain_timeout
                        .map_or(Drain::default().timeout, Duration::from_secs),
                }
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
        parse_args(&argv, config, &FixedResolver)
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
            parse_args(&["ipvsadm"], &ParseConfig::default(), &FixedResolver),
            Ok(Command::List(ListRequest::default()))
        );
        assert_eq!(
            parse_args(&none, &ParseConfig::default(), &FixedResolver),
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
    fn drain_is_an_option_of_delete_server_only() {
        let key = ServiceKey::Addr {
            protocol: Protocol::Tcp,
            addr: "10.0.0.1".parse().unwrap(),
            port: 80,
        };
        let drain = |timeout: u64| {
            Ok(Command::DrainDestination {
                key,
                addr: "10.0.0.2".parse().unwrap(),
                port: 80,
                timeout: Duration::from_secs(timeout),
            })
        };
        let d = ["-d", "-t", "10.0.0.1:80", "-r", "10.0.0.2"];
        let with = |extra: &[&'static str]| parse(&[&d[..], extra].concat());
        assert_eq!(with(&["--drain"]), drain(300));
        assert_eq!(Drain::default().timeout, Duration::from_secs(300));
        assert_eq!(with(&["--drain=5"]), drain(5));
        assert_eq!(with(&["--drain", "7"]), drain(7));
        assert_eq!(with(&["--drain=0"]), drain(0));
        // Without it, -d is 1.31's.
        assert!(matches!(with(&[]), Ok(Command::DeleteDestination(..))));
        assert_eq!(
            err(&[&d[..], &["--drain=soon"]].concat()),
            ("illegal drain timeout specified\n".into(), 2)
        );
        assert_eq!(
            err(&[&d[..], &["--drain", "--drain"]].concat()),
            ("multiple 'drain' options specified\n".into(), 2)
        );
        assert_eq!(
            err(&["-a", "-t", "10.0.0.1:80", "-r", "10.0.0.2", "--drain"]),
            (
                "Illegal 'drain' option with the 'add-server' command\n".into(),
                2
            )
        );
        assert_eq!(
            err(&["-D", "-t", "10.0.0.1:80", "--drain=5"]),
            (
                "Illegal 'drain' option with the 'delete-service' command\n".into(),
                2
            )
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
        let e = parse_args(
            &["/usr/sbin/ipvsadm", "x"],
            &ParseConfig::default(),
            &FixedResolver,
        )
        .unwrap_err();
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
        let args: [&[u8]; 3] = [b"ipvsadm", b"-L", b"\xff\xfe"];
        let e = parse_args(&args, &ParseConfig::default(), &FixedResolver).unwrap_err();
        assert_eq!(e.message, b"unexpected argument \xff\xfe\n");
    }

    /// Awkward tokens that reach every corner of the tokenizer and the rules.
    const AWKWARD: &[&[u8]] = &[
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

    proptest::proptest! {
        #![proptest_config(proptest::test_runner::Config {
            cases: 2000,
            failure_persistence: None,
            ..Default::default()
        })]

        /// Every combination of awkward tokens parses to a command or to
        /// an error with one of ipvsadm's two failure statuses.
        #[test]
        fn awkward_tokens_parse_or_fail_cleanly(
            tokens in proptest::collection::vec(proptest::sample::select(AWKWARD), 0..7),
            posixly_correct in proptest::bool::ANY,
        ) {
            let argv: Vec<&[u8]> = std::iter::once(&b"ipvsadm"[..]).chain(tokens).collect();
            let config = ParseConfig { posixly_correct };
            if let Err(e) = parse_args(&argv, &config, &FixedResolver) {
                proptest::prop_assert!(matches!(e.exit_code(), 2 | 255), "{e:?}");
            }
        }
    }
}
