//! The option table: every flag ipvsadm 1.31 accepts, each defined once.
//!
//! A row of [`FLAGS`] carries a flag's names, whether it takes a value, how
//! that value is checked and stored into the command being built
//! ([`FlagDef::store`]), the column of ipvsadm's command/option matrix it
//! sets ([`OptionColumn`]: which commands require, allow or forbid it, and
//! its name in 1.31's messages), and its help. The popt-compatible parser
//! ([`super::popt`], [`super::parse`]), the `-h` text ([`super::help`]),
//! the man pages and shell completions (`tests/generated_docs.rs`) and the
//! command/option rules all read the rows. Adding a flag is one row here
//! plus the field it stores into.

use super::error::CliError;
use super::parse::{
    daemon_state, fail, fail_with, number, parse_timeout, Building, DEFAULT_PERSISTENT_TIMEOUT,
    IFNAME_MAX, PE_NAME_MAX, SCHED_FLAGS_MAX, SCHED_NAME_MAX,
};
use super::values::{
    atoi, c_truncate, parse_fwmark, parse_host_port, parse_ipv4_netmask, parse_mcast_group,
    NameResolver,
};
use ipvs::model::{
    AddressFamily, DestinationConfig, ForwardMethod, Netmask, Protocol, ServiceFlags, TunnelType,
};

/// Whether a flag takes a value, as popt's `POPT_ARG_*` / `POPT_ARGFLAG_OPTIONAL`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArgKind {
    /// `POPT_ARG_NONE`: `--flag=x` and `-f=x` are "option does not take an argument".
    None,
    /// `POPT_ARG_STRING`: the value is attached (`-tADDR`, `-t=ADDR`,
    /// `--tcp-service=ADDR`) or is the next argument, whatever it looks like.
    Required,
    /// `POPT_ARG_STRING | POPT_ARGFLAG_OPTIONAL`: an attached value, or the
    /// next argument unless that starts with `-`.
    Optional,
}

/// Where a flag is listed in the help text and the man page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Command,
    VirtualService,
    Option,
    DaemonOption,
}

impl Section {
    /// All sections, in help order.
    pub const ALL: [Section; 4] = [
        Section::Command,
        Section::VirtualService,
        Section::Option,
        Section::DaemonOption,
    ];

    /// The heading printed above the section.
    pub fn heading(self) -> &'static str {
        match self {
            Section::Command => "Commands",
            Section::VirtualService => "Virtual service",
            Section::Option => "Options",
            Section::DaemonOption => "Sync daemon options",
        }
    }
}

/// ipvsadm's commands (`CMD_*`), in the order of its `cmdnames` table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CommandKind {
    Add,
    Edit,
    Delete,
    Flush,
    List,
    AddDest,
    DeleteDest,
    EditDest,
    Timeout,
    StartDaemon,
    StopDaemon,
    Restore,
    Save,
    Zero,
}

impl CommandKind {
    /// Number of commands.
    pub const COUNT: usize = 14;

    /// The name ipvsadm uses in its messages (`cmdnames`).
    pub fn name(self) -> &'static str {
        match self {
            CommandKind::Add => "add-service",
            CommandKind::Edit => "edit-service",
            CommandKind::Delete => "delete-service",
            CommandKind::Flush => "flush",
            CommandKind::List => "list",
            CommandKind::AddDest => "add-server",
            CommandKind::DeleteDest => "delete-server",
            CommandKind::EditDest => "edit-server",
            CommandKind::Timeout => "set",
            CommandKind::StartDaemon => "start-daemon",
            CommandKind::StopDaemon => "stop-daemon",
            CommandKind::Restore => "restore",
            CommandKind::Save => "save",
            CommandKind::Zero => "zero",
        }
    }

    /// The options this command requires, forbids, and allows only one
    /// of: its row of the command/option matrix, gathered from [`FLAGS`]
    /// at compile time.
    pub fn option_masks(self) -> OptionMasks {
        OPTION_MASKS[self as usize]
    }

    /// How `column` may be used with this command.
    pub fn option_rule(self, column: &OptionColumn) -> OptionRule {
        column.rule(self)
    }

    const fn bit(self) -> u16 {
        1 << self as u16
    }
}

/// A set of commands, as bits of [`CommandKind`].
const fn commands(kinds: &[CommandKind]) -> u16 {
    let mut set = 0;
    let mut i = 0;
    while i < kinds.len() {
        set |= kinds[i].bit();
        i += 1;
    }
    set
}

/// A command's row of `commands_v_options` as bit sets of [`OptionColumn::bit`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OptionMasks {
    pub required: u64,
    pub illegal: u64,
    pub exclusive: u64,
}

/// How an option relates to a command (one cell of `commands_v_options`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OptionRule {
    /// `+`: must be given.
    Required,
    /// `x`: must not be given.
    Illegal,
    /// `1`: at most one of the options marked so may be given.
    Exclusive,
    /// ` `: may be given.
    Optional,
}

/// One option of ipvsadm's option bitset (`OPTC_*`): a column of its
/// command/option matrix. Several flags may set the same option (`-t`,
/// `-u`, `--sctp-service` and `-f` all set `service-address`).
#[derive(Debug, PartialEq, Eq)]
pub struct OptionColumn {
    /// The option's bit: its place in 1.31's column order, which decides
    /// which mistake is reported first (`--json`, an extension, comes last).
    pub bit: u8,
    /// The name ipvsadm uses in its messages (`optnames`).
    pub name: &'static str,
    /// Commands that require it (`+`).
    required: u16,
    /// Commands that allow at most one of their `1` options.
    exclusive: u16,
    /// Commands that allow it (` `); every other command forbids it (`x`).
    allowed: u16,
}

impl OptionColumn {
    /// An option every command forbids, until told otherwise.
    const fn new(bit: u8, name: &'static str) -> Self {
        OptionColumn {
            bit,
            name,
            required: 0,
            exclusive: 0,
            allowed: 0,
        }
    }

    const fn required_by(mut self, kinds: &[CommandKind]) -> Self {
        self.required |= commands(kinds);
        self
    }

    const fn exclusive_in(mut self, kinds: &[CommandKind]) -> Self {
        self.exclusive |= commands(kinds);
        self
    }

    const fn allowed_in(mut self, kinds: &[CommandKind]) -> Self {
        self.allowed |= commands(kinds);
        self
    }

    /// The option's bit in an [`OptSet`].
    pub const fn mask(&self) -> u64 {
        1 << self.bit
    }

    /// How `kind` treats this option.
    pub fn rule(&self, kind: CommandKind) -> OptionRule {
        let bit = kind.bit();
        if self.required & bit != 0 {
            OptionRule::Required
        } else if self.exclusive & bit != 0 {
            OptionRule::Exclusive
        } else if self.allowed & bit != 0 {
            OptionRule::Optional
        } else {
            OptionRule::Illegal
        }
    }
}

/// A set of options (ipvsadm's `options` bitset).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct OptSet(pub u64);

impl OptSet {
    pub fn contains(self, column: &OptionColumn) -> bool {
        self.0 & column.mask() != 0
    }

    pub fn insert(&mut self, column: &OptionColumn) {
        self.0 |= column.mask();
    }

    /// Whether any of `columns` is in the set.
    pub fn any(self, columns: &[&OptionColumn]) -> bool {
        columns.iter().any(|c| self.contains(c))
    }
}

/// What a flag is to the parser.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Selects a command; only the first option may.
    Command(CommandKind),
    /// `-h`: the help text, whatever follows.
    Help,
    /// `-v`: the version, whatever follows.
    Version,
    /// An option of the command.
    Option,
}

/// How shells complete a flag's value (the completions only; the parser
/// does its own checking). No flag of ipvsadm takes a file name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueHint {
    /// One of [`FlagDef::choices`] if there are any, else nothing to
    /// complete (a number, a mask, an address).
    Default,
    /// A host name (or address), `[:port]` after it.
    Hostname,
    /// A network interface.
    Interface,
    /// A comma-separated list of [`FlagDef::choices`].
    CommaList,
}

/// Checks a flag's value and stores it into the command being built
/// (`None`: no value, the flag takes none or an optional one was absent).
pub type Store = fn(&mut Building, Option<&[u8]>, &dyn NameResolver) -> Result<(), CliError>;

/// One flag: its names, its value, its help, and what it means to ipvsadm.
#[derive(Debug, Clone, Copy)]
pub struct FlagDef {
    /// Long name without the leading `--`.
    pub long: &'static str,
    /// Short name, if any.
    pub short: Option<char>,
    pub arg: ArgKind,
    /// Name of the value in help text (for `ArgKind::Required`/`Optional`).
    pub value_name: Option<&'static str>,
    /// Positional values the flag consumes from the leftover arguments
    /// (only `--set`, whose three timeouts are not popt option values).
    pub positionals: &'static [&'static str],
    pub help: &'static str,
    pub section: Section,
    pub role: Role,
    /// The option it sets, if any (`-6` and `--sort` set none); given twice
    /// it is "multiple ... options specified".
    pub option: Option<&'static OptionColumn>,
    /// Checks and stores the value.
    pub store: Store,
    /// The values the flag's value is chosen from, each with a short
    /// description, for the man page and shell completions (empty when the
    /// value is free-form). [`FlagDef::store`] does the checking.
    pub choices: &'static [(&'static str, &'static str)],
    pub hint: ValueHint,
    /// A second spelling of the row before it (`-l` for `-L`): left out of
    /// the help text and given to clap as an alias.
    pub alias: bool,
}

/// Rows are equal when they have the same names.
impl PartialEq for FlagDef {
    fn eq(&self, other: &Self) -> bool {
        (self.long, self.short) == (other.long, other.short)
    }
}

impl Eq for FlagDef {}

const fn flag(long: &'static str, short: Option<char>, help: &'static str) -> FlagDef {
    FlagDef {
        long,
        short,
        arg: ArgKind::None,
        value_name: None,
        positionals: &[],
        help,
        section: Section::Option,
        role: Role::Option,
        option: None,
        store: |_, _, _| Ok(()),
        choices: &[],
        hint: ValueHint::Default,
        alias: false,
    }
}

impl FlagDef {
    const fn value(mut self, name: &'static str) -> Self {
        self.arg = ArgKind::Required;
        self.value_name = Some(name);
        self
    }

    const fn optional_value(mut self, name: &'static str) -> Self {
        self.arg = ArgKind::Optional;
        self.value_name = Some(name);
        self
    }

    const fn command(mut self, kind: CommandKind) -> Self {
        self.role = Role::Command(kind);
        self.section = Section::Command;
        self
    }

    const fn role(mut self, role: Role) -> Self {
        self.role = role;
        self.section = Section::Command;
        self
    }

    const fn sets(mut self, column: &'static OptionColumn) -> Self {
        self.option = Some(column);
        self
    }

    const fn store(mut self, store: Store) -> Self {
        self.store = store;
        self
    }

    const fn section(mut self, section: Section) -> Self {
        self.section = section;
        self
    }

    const fn positionals(mut self, names: &'static [&'static str]) -> Self {
        self.positionals = names;
        self
    }

    const fn choices(mut self, choices: &'static [(&'static str, &'static str)]) -> Self {
        self.choices = choices;
        self
    }

    const fn hint(mut self, hint: ValueHint) -> Self {
        self.hint = hint;
        self
    }

    const fn alias(mut self) -> Self {
        self.alias = true;
        self
    }

    /// The help line: [`FlagDef::help`] with `{choices}` replaced by the
    /// names of [`FlagDef::choices`], so lists of values in `-h` and the man
    /// page come from the same rows as the values the parser accepts.
    pub fn help_text(&self) -> String {
        let names: Vec<&str> = self.choices.iter().map(|(name, _)| *name).collect();
        self.help.replace("{choices}", &names.join(" "))
    }

    /// `-t`, or `--tcp-service` for a flag without a short name.
    pub fn display_name(&self) -> String {
        match self.short {
            Some(c) => format!("-{c}"),
            None => format!("--{}", self.long),
        }
    }
}

use CommandKind as C;

/// Options that several flags set, or that the per-command rules after
/// the matrix look at; every other option is written in its flag's row.
pub mod opts {
    use super::{list_option, server_option, CommandKind as C, OptionColumn};

    /// `-t`, `-u`, `--sctp-service`, `-f`.
    pub const SERVICE: OptionColumn = OptionColumn::new(2, "service-address")
        .required_by(&[
            C::Add,
            C::Edit,
            C::Delete,
            C::AddDest,
            C::DeleteDest,
            C::EditDest,
        ])
        .exclusive_in(&[C::List])
        .allowed_in(&[C::Zero]);
    /// `-g`, `-i`, `-m`.
    pub const FORWARD: OptionColumn = server_option(7, "forwarding-method");
    pub const CONNECTION: OptionColumn =
        OptionColumn::new(1, "connection").exclusive_in(&[C::List]);
    pub const TIMEOUT: OptionColumn = OptionColumn::new(12, "timeout").exclusive_in(&[C::List]);
    pub const DAEMON: OptionColumn = OptionColumn::new(13, "daemon").exclusive_in(&[C::List]);
    pub const STATS: OptionColumn = list_option(14, "stats");
    pub const RATE: OptionColumn = list_option(15, "rate");
    pub const THRESHOLDS: OptionColumn = list_option(16, "thresholds");
    pub const PERSISTENT_CONN: OptionColumn = list_option(17, "persistent-conn");
    pub const TUN_TYPE: OptionColumn = server_option(29, "tun-type");
    pub const TUN_PORT: OptionColumn = server_option(30, "tun-port");
    pub const TUN_NOCSUM: OptionColumn = server_option(31, "tun-nocsum");
    pub const TUN_CSUM: OptionColumn = server_option(32, "tun-csum");
    pub const TUN_REMCSUM: OptionColumn = server_option(33, "tun-remcsum");
    /// `--drain` (an extension), of `-d` only.
    pub const DRAIN: OptionColumn = OptionColumn::new(35, "drain").allowed_in(&[C::DeleteDest]);
}

/// An option of the real-server commands only.
const fn server_option(bit: u8, name: &'static str) -> OptionColumn {
    OptionColumn::new(bit, name).allowed_in(&[C::AddDest, C::EditDest])
}

/// An option of the service commands only.
const fn service_option(bit: u8, name: &'static str) -> OptionColumn {
    OptionColumn::new(bit, name).allowed_in(&[C::Add, C::Edit])
}

/// An option of `-L` only.
const fn list_option(bit: u8, name: &'static str) -> OptionColumn {
    OptionColumn::new(bit, name).allowed_in(&[C::List])
}

/// An option of `--start-daemon` only.
const fn daemon_option(bit: u8, name: &'static str) -> OptionColumn {
    OptionColumn::new(bit, name).allowed_in(&[C::StartDaemon])
}

/// `--start-daemon` and `--stop-daemon` values.
const DAEMON_STATES: &[(&str, &str)] = &[
    ("master", "send connection state to the backups"),
    ("backup", "receive connection state from a master"),
];

/// Schedulers of the Linux kernel (`-s`).
pub const SCHEDULERS: &[(&str, &str)] = &[
    ("rr", "round robin"),
    ("wrr", "weighted round robin"),
    ("lc", "least connections"),
    ("wlc", "weighted least connections (the default)"),
    ("lblc", "locality-based least connections"),
    ("lblcr", "locality-based least connections with replication"),
    ("dh", "destination hashing"),
    ("sh", "source hashing"),
    ("sed", "shortest expected delay"),
    ("nq", "never queue"),
    ("fo", "weighted failover"),
    ("ovf", "weighted overflow"),
    ("mh", "maglev hashing"),
    ("twos", "weighted random twos choice"),
];

/// Persistence engines of the Linux kernel (`--pe`).
const PERSISTENCE_ENGINES: &[(&str, &str)] = &[("sip", "SIP, by Call-ID")];

/// `--tun-type` values.
const TUNNEL_TYPES: &[(&str, &str)] = &[
    ("ipip", "IP in IP (the default)"),
    ("gue", "Generic UDP Encapsulation, needs --tun-port"),
    ("gre", "Generic Routing Encapsulation"),
];

/// `-b` values (comma-separated).
const SCHED_FLAGS: &[(&str, &str)] = &[
    ("flag-1", "scheduler flag 1"),
    ("flag-2", "scheduler flag 2"),
    ("flag-3", "scheduler flag 3"),
    ("sh-fallback", "sh: skip unavailable servers (flag 1)"),
    ("sh-port", "sh: hash the source port too (flag 2)"),
    ("mh-fallback", "mh: skip unavailable servers (flag 1)"),
    ("mh-port", "mh: hash the source port too (flag 2)"),
];

/// Every flag ipvsadm 1.31 accepts, in help order.
///
/// Lookup follows popt: a long name must match exactly (no abbreviations);
/// the first row with a matching name wins.
pub const FLAGS: &[FlagDef] = &[
    // Commands.
    flag("add-service", Some('A'), "add a virtual service").command(C::Add),
    flag("edit-service", Some('E'), "change a virtual service").command(C::Edit),
    flag("delete-service", Some('D'), "delete a virtual service").command(C::Delete),
    flag("clear", Some('C'), "delete every virtual service").command(C::Flush),
    flag("restore", Some('R'), "read commands from standard input").command(C::Restore),
    flag("save", Some('S'), "print the table as commands").command(C::Save),
    flag("add-server", Some('a'), "add a real server to a service").command(C::AddDest),
    flag("edit-server", Some('e'), "change a real server").command(C::EditDest),
    flag("delete-server", Some('d'), "remove a real server").command(C::DeleteDest),
    flag("list", Some('L'), "list the table (also -l)").command(C::List),
    flag("list", Some('l'), "list the table").command(C::List).alias(),
    flag("zero", Some('Z'), "reset the counters of one service or all").command(C::Zero),
    flag("set", None, "set the tcp, tcpfin and udp connection timeouts (seconds)")
        .command(C::Timeout)
        .positionals(&["tcp", "tcpfin", "udp"]),
    flag("start-daemon", None, "start a connection sync daemon")
        .value("master|backup")
        .choices(DAEMON_STATES)
        .command(C::StartDaemon)
        .store(|b, v, _| {
            b.daemon_state = Some(daemon_state(v, "illegal start-daemon parameter specified")?);
            Ok(())
        }),
    flag("stop-daemon", None, "stop a connection sync daemon")
        .value("master|backup")
        .choices(DAEMON_STATES)
        .command(C::StopDaemon)
        .store(|b, v, _| {
            b.daemon_state = Some(daemon_state(v, "illegal start_daemon specified")?);
            Ok(())
        }),
    flag("help", Some('h'), "show this help").role(Role::Help),
    flag("version", Some('v'), "show the version").role(Role::Version),
    // Virtual service.
    flag("tcp-service", Some('t'), "TCP service, host[:port]")
        .value("service-address")
        .hint(ValueHint::Hostname)
        .sets(&opts::SERVICE)
        .store(|b, v, r| b.service_address(Protocol::Tcp, v, r))
        .section(Section::VirtualService),
    flag("udp-service", Some('u'), "UDP service, host[:port]")
        .value("service-address")
        .hint(ValueHint::Hostname)
        .sets(&opts::SERVICE)
        .store(|b, v, r| b.service_address(Protocol::Udp, v, r))
        .section(Section::VirtualService),
    flag("sctp-service", None, "SCTP service, host[:port]")
        .value("service-address")
        .hint(ValueHint::Hostname)
        .sets(&opts::SERVICE)
        .store(|b, v, r| b.service_address(Protocol::Sctp, v, r))
        .section(Section::VirtualService),
    flag("fwmark-service", Some('f'), "firewall-mark service, mark > 0")
        .value("fwmark")
        .sets(&opts::SERVICE)
        .store(|b, v, _| {
            let v = v.unwrap_or_default();
            b.svc_family = Some(AddressFamily::Inet);
            b.protocol = Some(Protocol::Tcp);
            b.fwmark = parse_fwmark(v)
                .ok_or_else(|| fail_with(&[b"invalid fwmark value `", v, b"' specified"]))?;
            Ok(())
        })
        .section(Section::VirtualService),
    flag("ipv6", Some('6'), "the firewall-mark service is IPv6 (after -f)")
        .store(|b, _, _| {
            if b.fwmark == 0 {
                return Err(fail("-6 used before -f\n"));
            }
            b.svc_family = Some(AddressFamily::Inet6);
            b.netmask = None;
            Ok(())
        })
        .section(Section::VirtualService),
    // Options.
    flag("scheduler", Some('s'), "scheduler: {choices} (default: wlc)")
        .value("scheduler")
        .choices(SCHEDULERS)
        .sets(&service_option(3, "scheduler"))
        .store(|b, v, _| {
            b.sched_name = c_truncate(v.unwrap_or_default(), SCHED_NAME_MAX).to_vec();
            Ok(())
        }),
    flag("pe", None, "persistence engine, e.g. sip (default: none)")
        .value("engine")
        .choices(PERSISTENCE_ENGINES)
        .sets(&service_option(22, "pe"))
        .store(|b, v, _| {
            b.pe_name = c_truncate(v.unwrap_or_default(), PE_NAME_MAX).to_vec();
            Ok(())
        }),
    flag("persistent", Some('p'), "persistent service (default timeout: 360 s)")
        .optional_value("timeout")
        .sets(&service_option(4, "persistent"))
        .store(|b, v, _| {
            b.flags |= ServiceFlags::PERSISTENT;
            b.persistence_timeout = match v {
                None => DEFAULT_PERSISTENT_TIMEOUT,
                Some(text) => parse_timeout(text, 1)?,
            };
            Ok(())
        }),
    flag("netmask", Some('M'), "persistence granularity: mask or IPv6 prefix")
        .value("netmask")
        .sets(&service_option(5, "netmask"))
        .store(|b, v, r| {
            let v = v.unwrap_or_default();
            if b.svc_family != Some(AddressFamily::Inet6) {
                let mask = parse_ipv4_netmask(v, r)
                    .ok_or_else(|| fail("illegal virtual server persistent mask specified"))?;
                b.netmask = Some(Netmask::Ipv4(mask));
            } else {
                let prefix = atoi(v) as u32;
                if !(1..=128).contains(&prefix) {
                    return Err(fail("illegal ipv6 netmask specified"));
                }
                b.netmask = Some(Netmask::Ipv6(prefix));
            }
            Ok(())
        }),
    flag("real-server", Some('r'), "real server, host[:port]")
        .value("server-address")
        .hint(ValueHint::Hostname)
        .sets(&OptionColumn::new(6, "real-server").required_by(&[
            C::AddDest,
            C::DeleteDest,
            C::EditDest,
        ]))
        .store(|b, v, r| {
            let hp = parse_host_port(v.unwrap_or_default(), b.protocol, r)
                .ok_or_else(|| fail("illegal real server address[:port] specified"))?;
            b.dest_addr = hp.addr;
            b.dest_family = Some(AddressFamily::of(&hp.addr));
            b.dest_port = hp.port.unwrap_or(b.svc_port);
            Ok(())
        }),
    flag("gatewaying", Some('g'), "forward by direct routing (default)")
        .sets(&opts::FORWARD)
        .store(|b, _, _| {
            b.forward = ForwardMethod::Route;
            Ok(())
        }),
    flag("ipip", Some('i'), "forward by tunnelling")
        .sets(&opts::FORWARD)
        .store(|b, _, _| {
            b.forward = ForwardMethod::Tunnel;
            Ok(())
        }),
    flag("masquerading", Some('m'), "forward by NAT")
        .sets(&opts::FORWARD)
        .store(|b, _, _| {
            b.forward = ForwardMethod::Masquerade;
            Ok(())
        }),
    flag("tun-type", None, "tunnel type: ipip, gue or gre (default: ipip)")
        .value("type")
        .choices(TUNNEL_TYPES)
        .sets(&opts::TUN_TYPE)
        .store(|b, v, _| {
            b.tun_type = match v.unwrap_or_default() {
                b"ipip" => TunnelType::Ipip,
                b"gue" => TunnelType::Gue,
                b"gre" => TunnelType::Gre,
                _ => return Err(fail("illegal tunnel type specified")),
            };
            Ok(())
        }),
    flag("tun-port", None, "tunnel destination port (gue)")
        .value("port")
        .sets(&opts::TUN_PORT)
        .store(|b, v, _| {
            b.tun_port = number(v, 1, 65535, "tunnel port")? as u16;
            Ok(())
        }),
    flag("tun-nocsum", None, "tunnel without checksum").sets(&opts::TUN_NOCSUM),
    flag("tun-csum", None, "tunnel with checksum")
        .sets(&opts::TUN_CSUM)
        .store(|b, _, _| {
            b.tun_flags |= DestinationConfig::TUN_FLAG_CSUM;
            Ok(())
        }),
    flag("tun-remcsum", None, "tunnel with remote checksum (gue)")
        .sets(&opts::TUN_REMCSUM)
        .store(|b, _, _| {
            b.tun_flags |= DestinationConfig::TUN_FLAG_REMCSUM;
            Ok(())
        }),
    flag("weight", Some('w'), "real server weight, 0 or more (default: 1)")
        .value("weight")
        .sets(&server_option(8, "weight"))
        .store(|b, v, _| {
            // Upstream 1.31 stops at 65535; Debian's 1.31, the reference,
            // accepts any non-negative int (Debian bug #814348).
            b.weight = number(v, 0, i64::from(i32::MAX), "weight")? as i32;
            Ok(())
        }),
    flag("u-threshold", Some('x'), "upper connection threshold (0: none)")
        .value("uthreshold")
        .sets(&server_option(9, "u-threshold"))
        .store(|b, v, _| {
            b.upper_threshold = number(v, 0, i64::from(i32::MAX), "u_threshold")? as u32;
            Ok(())
        }),
    flag("l-threshold", Some('y'), "lower connection threshold")
        .value("lthreshold")
        .sets(&server_option(10, "l-threshold"))
        .store(|b, v, _| {
            b.lower_threshold = number(v, 0, i64::from(i32::MAX), "l_threshold")? as u32;
            Ok(())
        }),
    flag("connection", Some('c'), "list connections").sets(&opts::CONNECTION),
    flag("timeout", None, "list the timeouts (tcp tcpfin udp)").sets(&opts::TIMEOUT),
    flag("daemon", None, "list the sync daemons").sets(&opts::DAEMON),
    flag("stats", None, "list with traffic counters")
        .sets(&opts::STATS)
        .store(|b, _, _| {
            b.format.stats = true;
            Ok(())
        }),
    flag("rate", None, "list with traffic rates")
        .sets(&opts::RATE)
        .store(|b, _, _| {
            b.format.rate = true;
            Ok(())
        }),
    flag("exact", Some('X'), "print exact numbers, not K/M/G")
        .sets(&list_option(20, "exact"))
        .store(|b, _, _| {
            b.format.exact = true;
            Ok(())
        }),
    flag("json", Some('j'), "list as one JSON document (an extension)")
        .sets(&list_option(34, "json"))
        .store(|b, _, _| {
            b.format.json = true;
            Ok(())
        }),
    flag("drain", None, "with -d: weight 0 first, delete once idle or after SECONDS (default 300; an extension)")
        .optional_value("SECONDS")
        .sets(&opts::DRAIN)
        .store(|b, v, _| {
            // Absent: the library's default.
            b.drain_timeout = match v {
                None => None,
                Some(text) => Some(number(Some(text), 0, i64::from(i32::MAX), "drain timeout")? as u64),
            };
            Ok(())
        }),
    flag("netns", None, "act in network namespace NAME (as ip netns names them) or at PATH (an extension)")
        .value("NAME|PATH")
        // The command line's --netns is taken out before parsing
        // (cli::netns); this is one in -R or ipvsadm-restore input.
        .store(|_, _, _| Err(fail("--netns is an option of the command line, not of a rule")))
        .section(Section::Option),
    flag("thresholds", None, "list with thresholds")
        .sets(&opts::THRESHOLDS)
        .store(|b, _, _| {
            b.format.thresholds = true;
            Ok(())
        }),
    flag("persistent-conn", None, "list with persistent connections")
        .sets(&opts::PERSISTENT_CONN)
        .store(|b, _, _| {
            b.format.persistent_conn = true;
            Ok(())
        }),
    flag("tun-info", None, "list with tunnel details")
        .sets(&list_option(28, "tun-info"))
        .store(|b, _, _| {
            b.format.tun_info = true;
            Ok(())
        }),
    flag("nosort", None, "list in kernel order, unsorted")
        .sets(&list_option(18, "nosort"))
        .store(|b, _, _| {
            b.format.nosort = true;
            Ok(())
        }),
    flag("sort", None, "no effect (sorting is the default)"),
    flag("ops", Some('o'), "one-packet scheduling (UDP and fwmark only)")
        .sets(&service_option(21, "ops"))
        .store(|b, _, _| {
            b.flags |= ServiceFlags::ONEPACKET;
            Ok(())
        }),
    flag("numeric", Some('n'), "print addresses and ports as numbers")
        .sets(&OptionColumn::new(0, "numeric").allowed_in(&[C::List, C::Save]))
        .store(|b, _, _| {
            b.format.numeric = true;
            Ok(())
        }),
    flag("sched-flags", Some('b'), "comma-separated scheduler flags: flag-1, flag-2, flag-3, sh-fallback, sh-port (sh), mh-fallback, mh-port (mh)")
        .value("flags")
        .choices(SCHED_FLAGS)
        .hint(ValueHint::CommaList)
        .sets(&service_option(23, "sched-flags"))
        .store(|b, v, _| {
            b.sched_flags_arg = c_truncate(v.unwrap_or_default(), SCHED_FLAGS_MAX).to_vec();
            Ok(())
        }),
    // Sync daemon options.
    flag("syncid", None, "sync id, 0-255")
        .value("id")
        .sets(&OptionColumn::new(19, "syncid").allowed_in(&[
            C::List,
            C::StartDaemon,
            C::StopDaemon,
        ]))
        .store(|b, v, _| {
            b.syncid = number(v, 0, 255, "syncid")? as u32;
            Ok(())
        })
        .section(Section::DaemonOption),
    flag("sync-maxlen", None, "maximum sync message length")
        .value("length")
        .sets(&daemon_option(27, "sync-maxlen"))
        .store(|b, v, _| {
            b.sync_maxlen = number(v, 1, 65535 - 20 - 8, "sync-maxlen")? as u16;
            Ok(())
        })
        .section(Section::DaemonOption),
    flag("mcast-interface", None, "multicast interface (default: eth0)")
        .value("interface")
        .hint(ValueHint::Interface)
        .sets(&daemon_option(11, "mcast-interface"))
        .store(|b, v, _| {
            b.mcast_ifn = c_truncate(v.unwrap_or_default(), IFNAME_MAX).to_vec();
            Ok(())
        })
        .section(Section::DaemonOption),
    flag("mcast-group", None, "IPv4 or IPv6 multicast group")
        .value("address")
        .sets(&daemon_option(24, "mcast-group"))
        .store(|b, v, _| {
            let v = v.unwrap_or_default();
            let group = parse_mcast_group(v).map_err(|ipv6| {
                let family: &[u8] = if ipv6 { b"IPv6" } else { b"IPv4" };
                fail_with(&[b"invalid ", family, b" mcast-group `", v, b"'"])
            })?;
            b.mcast_group = Some(group);
            Ok(())
        })
        .section(Section::DaemonOption),
    flag("mcast-port", None, "UDP port of the sync messages")
        .value("port")
        .sets(&daemon_option(25, "mcast-port"))
        .store(|b, v, _| {
            b.mcast_port = number(v, 1, 65535, "mcast-port")? as u16;
            Ok(())
        })
        .section(Section::DaemonOption),
    flag("mcast-ttl", None, "multicast TTL, 1-255")
        .value("ttl")
        .sets(&daemon_option(26, "mcast-ttl"))
        .store(|b, v, _| {
            b.mcast_ttl = number(v, 1, 255, "mcast-ttl")? as u8;
            Ok(())
        })
        .section(Section::DaemonOption),
];

/// The flag with this long name (exact match, as popt).
pub fn find_long(name: &[u8]) -> Option<&'static FlagDef> {
    FLAGS.iter().find(|f| f.long.as_bytes() == name)
}

/// The flag with this short name.
pub fn find_short(c: u8) -> Option<&'static FlagDef> {
    // For each ASCII byte, 1 + the index of the first flag with that short
    // name, or 0: built at compile time from FLAGS.
    const BY_SHORT: [u8; 128] = {
        let mut table = [0u8; 128];
        let mut i = FLAGS.len();
        while i > 0 {
            i -= 1;
            if let Some(short) = FLAGS[i].short {
                if (short as u32) < 128 {
                    table[short as usize] = i as u8 + 1;
                }
            }
        }
        table
    };
    let slot = *BY_SHORT.get(usize::from(c))?;
    FLAGS.get(usize::from(slot).checked_sub(1)?)
}

/// Every option column, by bit (`None` for unused bits): the matrix's
/// columns in 1.31's order, gathered from [`FLAGS`] at compile time.
pub const COLUMNS: [Option<&OptionColumn>; 64] = {
    let mut columns: [Option<&OptionColumn>; 64] = [None; 64];
    let mut i = 0;
    while i < FLAGS.len() {
        if let Some(column) = FLAGS[i].option {
            columns[column.bit as usize] = Some(column);
        }
        i += 1;
    }
    columns
};

/// Each command's row of the matrix as bit sets, from [`COLUMNS`].
const OPTION_MASKS: [OptionMasks; CommandKind::COUNT] = {
    let empty = OptionMasks {
        required: 0,
        illegal: 0,
        exclusive: 0,
    };
    let mut masks = [empty; CommandKind::COUNT];
    let mut bit = 0;
    while bit < COLUMNS.len() {
        if let Some(column) = COLUMNS[bit] {
            let mut kind = 0;
            while kind < CommandKind::COUNT {
                let k = 1u16 << kind;
                if column.required & k != 0 {
                    masks[kind].required |= column.mask();
                } else if column.exclusive & k != 0 {
                    masks[kind].exclusive |= column.mask();
                } else if column.allowed & k == 0 {
                    masks[kind].illegal |= column.mask();
                }
                kind += 1;
            }
        }
        bit += 1;
    }
    masks
};

#[cfg(test)]
mod tests {
    use super::*;

    /// ipvsadm 1.31's `commands_v_options`, as in ipvsadm.c (one row per
    /// command in [`CommandKind`] order, one column per option bit), plus
    /// the extensions' columns (`--json`, `--drain`): what the rows' option
    /// columns must add up to.
    const MATRIX_1_31: [(CommandKind, &[u8; 36]); CommandKind::COUNT] = [
        (C::Add, b"xx+   xxxxxxxxxxxxxxx   xxxxxxxxxxxx"),
        (C::Edit, b"xx+   xxxxxxxxxxxxxxx   xxxxxxxxxxxx"),
        (C::Delete, b"xx+xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"),
        (C::Flush, b"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"),
        (C::List, b" 11xxxxxxxxx11       xxxxxxx xxxxx x"),
        (C::AddDest, b"xx+xxx+    xxxxxxxxxxxxxxxxxx     xx"),
        (C::DeleteDest, b"xx+xxx+xxxxxxxxxxxxxxxxxxxxxxxxxxxx "),
        (C::EditDest, b"xx+xxx+    xxxxxxxxxxxxxxxxxx     xx"),
        (C::Timeout, b"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"),
        (C::StartDaemon, b"xxxxxxxxxxx xxxxxxx xxxx    xxxxxxxx"),
        (C::StopDaemon, b"xxxxxxxxxxxxxxxxxxx xxxxxxxxxxxxxxxx"),
        (C::Restore, b"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"),
        (C::Save, b" xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"),
        (C::Zero, b"xx xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"),
    ];

    /// 1.31's `optnames`, in bit order, plus `json` and `drain`.
    const OPTNAMES_1_31: [&str; 36] = [
        "numeric",
        "connection",
        "service-address",
        "scheduler",
        "persistent",
        "netmask",
        "real-server",
        "forwarding-method",
        "weight",
        "u-threshold",
        "l-threshold",
        "mcast-interface",
        "timeout",
        "daemon",
        "stats",
        "rate",
        "thresholds",
        "persistent-conn",
        "nosort",
        "syncid",
        "exact",
        "ops",
        "pe",
        "sched-flags",
        "mcast-group",
        "mcast-port",
        "mcast-ttl",
        "sync-maxlen",
        "tun-info",
        "tun-type",
        "tun-port",
        "tun-nocsum",
        "tun-csum",
        "tun-remcsum",
        "json",
        "drain",
    ];

    #[test]
    fn option_columns_are_the_1_31_matrix() {
        let names: Vec<&str> = COLUMNS.iter().flatten().map(|c| c.name).collect();
        assert_eq!(names, OPTNAMES_1_31);
        for (bit, column) in COLUMNS.iter().enumerate() {
            if let Some(column) = column {
                assert_eq!(usize::from(column.bit), bit);
            }
        }
        for (i, (kind, row)) in MATRIX_1_31.iter().enumerate() {
            assert_eq!(*kind as usize, i);
            let masks = kind.option_masks();
            for column in COLUMNS.iter().flatten() {
                let rule = match row[usize::from(column.bit)] {
                    b'+' => OptionRule::Required,
                    b'x' => OptionRule::Illegal,
                    b'1' => OptionRule::Exclusive,
                    _ => OptionRule::Optional,
                };
                assert_eq!(kind.option_rule(column), rule, "{kind:?} {}", column.name);
                let bit = |mask: u64| mask & column.mask() != 0;
                assert_eq!(bit(masks.required), rule == OptionRule::Required);
                assert_eq!(bit(masks.illegal), rule == OptionRule::Illegal);
                assert_eq!(bit(masks.exclusive), rule == OptionRule::Exclusive);
            }
        }
    }

    #[test]
    fn one_column_per_option_name() {
        // Rows that share an option share its column, not a copy of it.
        for a in FLAGS.iter().filter_map(|f| f.option) {
            for b in FLAGS.iter().filter_map(|f| f.option) {
                assert_eq!(a.bit == b.bit, a.name == b.name, "{} {}", a.name, b.name);
                if a.bit == b.bit {
                    assert_eq!(a, b);
                }
            }
        }
    }

    #[test]
    fn names_are_unique_except_aliases() {
        for (i, a) in FLAGS.iter().enumerate() {
            for b in &FLAGS[i + 1..] {
                if a.long == b.long {
                    assert!(b.alias, "--{} twice", a.long);
                }
                if a.short.is_some() {
                    assert_ne!(a.short, b.short, "--{} --{}", a.long, b.long);
                }
            }
        }
        // An alias follows the row it spells again.
        for (i, row) in FLAGS.iter().enumerate().filter(|(_, f)| f.alias) {
            assert!(i > 0 && FLAGS[i - 1].long == row.long, "--{}", row.long);
        }
    }

    #[test]
    fn commands_have_rows_and_options_do_not_select_one() {
        for kind in MATRIX_1_31.map(|(kind, _)| kind) {
            assert!(
                FLAGS.iter().any(|f| f.role == Role::Command(kind)),
                "{kind:?}"
            );
        }
        for row in FLAGS {
            if row.role != Role::Option {
                assert!(row.option.is_none(), "--{}", row.long);
            }
        }
    }

    #[test]
    fn short_names_find_their_first_flag() {
        assert!(FLAGS.len() < 255);
        for c in 0..=255u8 {
            let first = FLAGS
                .iter()
                .find(|f| f.short.is_some_and(|s| s.is_ascii() && s as u8 == c));
            assert_eq!(find_short(c), first, "{c}");
        }
        assert_eq!(find_long(b"list").map(|f| f.short), Some(Some('L')));
        assert_eq!(find_long(b"lis"), None);
    }

    #[test]
    fn matrix_cells_match_ipvsadm() {
        use OptionRule::*;
        let column = |name: &str| {
            COLUMNS
                .iter()
                .flatten()
                .find(|c| c.name == name)
                .copied()
                .unwrap()
        };
        assert_eq!(C::Add.option_rule(&opts::SERVICE), Required);
        assert_eq!(C::Add.option_rule(column("ops")), Optional);
        assert_eq!(C::Add.option_rule(column("mcast-group")), Illegal);
        assert_eq!(C::List.option_rule(column("numeric")), Optional);
        assert_eq!(C::List.option_rule(&opts::CONNECTION), Exclusive);
        assert_eq!(C::List.option_rule(&opts::DAEMON), Exclusive);
        assert_eq!(C::List.option_rule(column("syncid")), Optional);
        assert_eq!(C::List.option_rule(&opts::TUN_TYPE), Illegal);
        assert_eq!(C::AddDest.option_rule(column("real-server")), Required);
        assert_eq!(C::AddDest.option_rule(&opts::TUN_REMCSUM), Optional);
        assert_eq!(C::DeleteDest.option_rule(&opts::FORWARD), Illegal);
        assert_eq!(C::StopDaemon.option_rule(column("syncid")), Optional);
        assert_eq!(C::Zero.option_rule(&opts::SERVICE), Optional);
        assert_eq!(C::Flush.option_rule(column("numeric")), Illegal);
    }
}
