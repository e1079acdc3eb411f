//! The option table: every flag ipvsadm 1.31 accepts, in one place.
//!
//! [`FLAGS`] drives the popt-compatible parser ([`super::popt`]), the `-h`
//! text ([`super::help`]) and [`clap_command`] (man page and shell
//! completions). The command/option rules (`commands_v_options` in
//! ipvsadm.c) live here too, as [`CommandKind::option_rule`].

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

/// Where a flag is listed in the help text.
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

/// A command's row of `commands_v_options` as bit sets of [`Opt::bit`].
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

impl CommandKind {
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
    /// of, as bit sets ([`Opt::bit`]): the matrix row, read once at compile time.
    pub fn option_masks(self) -> OptionMasks {
        const fn masks(row: &[u8; Opt::COUNT]) -> OptionMasks {
            let mut m = OptionMasks {
                required: 0,
                illegal: 0,
                exclusive: 0,
            };
            let mut i = 0;
            while i < Opt::COUNT {
                match row[i] {
                    b'+' => m.required |= 1 << i,
                    b'x' => m.illegal |= 1 << i,
                    b'1' => m.exclusive |= 1 << i,
                    _ => {}
                }
                i += 1;
            }
            m
        }
        const TABLE: [OptionMasks; 14] = [
            masks(CommandKind::Add.matrix_row()),
            masks(CommandKind::Edit.matrix_row()),
            masks(CommandKind::Delete.matrix_row()),
            masks(CommandKind::Flush.matrix_row()),
            masks(CommandKind::List.matrix_row()),
            masks(CommandKind::AddDest.matrix_row()),
            masks(CommandKind::DeleteDest.matrix_row()),
            masks(CommandKind::EditDest.matrix_row()),
            masks(CommandKind::Timeout.matrix_row()),
            masks(CommandKind::StartDaemon.matrix_row()),
            masks(CommandKind::StopDaemon.matrix_row()),
            masks(CommandKind::Restore.matrix_row()),
            masks(CommandKind::Save.matrix_row()),
            masks(CommandKind::Zero.matrix_row()),
        ];
        TABLE[self as usize]
    }

    /// This command's row of the command/option matrix, one byte per
    /// [`Opt`] in [`Opt::ALL`] order: `+` required, `x` illegal,
    /// `1` exclusive, ` ` optional.
    const fn matrix_row(self) -> &'static [u8; Opt::COUNT] {
        // Columns: -n -c svc -s -p -M -r fwd -w -x -y mcast-if timeout daemon
        // stats rate thresholds persistent-conn nosort syncid exact ops pe -b
        // mcast-group mcast-port mcast-ttl sync-maxlen tun-info tun-type
        // tun-port tun-nocsum tun-csum tun-remcsum json
        match self {
            CommandKind::Add | CommandKind::Edit => b"xx+   xxxxxxxxxxxxxxx   xxxxxxxxxxx",
            CommandKind::Delete => b"xx+xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
            CommandKind::Flush | CommandKind::Timeout | CommandKind::Restore => {
                b"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
            }
            CommandKind::List => b" 11xxxxxxxxx11       xxxxxxx xxxxx ",
            CommandKind::AddDest | CommandKind::EditDest => b"xx+xxx+    xxxxxxxxxxxxxxxxxx     x",
            CommandKind::DeleteDest => b"xx+xxx+xxxxxxxxxxxxxxxxxxxxxxxxxxxx",
            CommandKind::StartDaemon => b"xxxxxxxxxxx xxxxxxx xxxx    xxxxxxx",
            CommandKind::StopDaemon => b"xxxxxxxxxxxxxxxxxxx xxxxxxxxxxxxxxx",
            CommandKind::Save => b" xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
            CommandKind::Zero => b"xx xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
        }
    }

    /// How `opt` may be used with this command.
    pub fn option_rule(self, opt: Opt) -> OptionRule {
        match self.matrix_row()[opt as usize] {
            b'+' => OptionRule::Required,
            b'x' => OptionRule::Illegal,
            b'1' => OptionRule::Exclusive,
            _ => OptionRule::Optional,
        }
    }
}

/// The options ipvsadm tracks in its option bitset (`OPTC_*`), in bit order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Opt {
    Numeric,
    Connection,
    Service,
    Scheduler,
    Persistent,
    Netmask,
    Server,
    Forward,
    Weight,
    UThreshold,
    LThreshold,
    McastInterface,
    Timeout,
    Daemon,
    Stats,
    Rate,
    Thresholds,
    PersistentConn,
    NoSort,
    SyncId,
    Exact,
    OnePacket,
    PersistenceEngine,
    SchedFlags,
    McastGroup,
    McastPort,
    McastTtl,
    SyncMaxlen,
    TunInfo,
    TunType,
    TunPort,
    TunNoCsum,
    TunCsum,
    TunRemCsum,
    /// `--json`: not in ipvsadm 1.31; its bit comes after all of 1.31's, so
    /// the command/option checks report 1.31's options first.
    Json,
}

impl Opt {
    /// Number of options (1.31's `NUMBER_OF_OPT`, plus `--json`).
    pub const COUNT: usize = 35;

    /// All options in bit order.
    pub const ALL: [Opt; Opt::COUNT] = [
        Opt::Numeric,
        Opt::Connection,
        Opt::Service,
        Opt::Scheduler,
        Opt::Persistent,
        Opt::Netmask,
        Opt::Server,
        Opt::Forward,
        Opt::Weight,
        Opt::UThreshold,
        Opt::LThreshold,
        Opt::McastInterface,
        Opt::Timeout,
        Opt::Daemon,
        Opt::Stats,
        Opt::Rate,
        Opt::Thresholds,
        Opt::PersistentConn,
        Opt::NoSort,
        Opt::SyncId,
        Opt::Exact,
        Opt::OnePacket,
        Opt::PersistenceEngine,
        Opt::SchedFlags,
        Opt::McastGroup,
        Opt::McastPort,
        Opt::McastTtl,
        Opt::SyncMaxlen,
        Opt::TunInfo,
        Opt::TunType,
        Opt::TunPort,
        Opt::TunNoCsum,
        Opt::TunCsum,
        Opt::TunRemCsum,
        Opt::Json,
    ];

    /// The option's bit in an [`OptSet`].
    pub fn bit(self) -> u64 {
        1u64 << (self as u32)
    }

    /// The name ipvsadm uses in its messages (`optnames`).
    pub fn name(self) -> &'static str {
        match self {
            Opt::Numeric => "numeric",
            Opt::Connection => "connection",
            Opt::Service => "service-address",
            Opt::Scheduler => "scheduler",
            Opt::Persistent => "persistent",
            Opt::Netmask => "netmask",
            Opt::Server => "real-server",
            Opt::Forward => "forwarding-method",
            Opt::Weight => "weight",
            Opt::UThreshold => "u-threshold",
            Opt::LThreshold => "l-threshold",
            Opt::McastInterface => "mcast-interface",
            Opt::Timeout => "timeout",
            Opt::Daemon => "daemon",
            Opt::Stats => "stats",
            Opt::Rate => "rate",
            Opt::Thresholds => "thresholds",
            Opt::PersistentConn => "persistent-conn",
            Opt::NoSort => "nosort",
            Opt::SyncId => "syncid",
            Opt::Exact => "exact",
            Opt::OnePacket => "ops",
            Opt::PersistenceEngine => "pe",
            Opt::SchedFlags => "sched-flags",
            Opt::McastGroup => "mcast-group",
            Opt::McastPort => "mcast-port",
            Opt::McastTtl => "mcast-ttl",
            Opt::SyncMaxlen => "sync-maxlen",
            Opt::TunInfo => "tun-info",
            Opt::TunType => "tun-type",
            Opt::TunPort => "tun-port",
            Opt::TunNoCsum => "tun-nocsum",
            Opt::TunCsum => "tun-csum",
            Opt::TunRemCsum => "tun-remcsum",
            Opt::Json => "json",
        }
    }
}

/// A set of [`Opt`]s (ipvsadm's `options` bitset).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct OptSet(pub u64);

impl OptSet {
    pub fn contains(self, opt: Opt) -> bool {
        self.0 & opt.bit() != 0
    }

    pub fn insert(&mut self, opt: Opt) {
        self.0 |= opt.bit();
    }

    /// Whether any of `opts` is in the set.
    pub fn any(self, opts: &[Opt]) -> bool {
        opts.iter().any(|&o| self.contains(o))
    }
}

/// Identifies one row of [`FLAGS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FlagId {
    AddService,
    EditService,
    DeleteService,
    Clear,
    Restore,
    Save,
    AddServer,
    EditServer,
    DeleteServer,
    List,
    ListLower,
    Zero,
    Set,
    StartDaemon,
    StopDaemon,
    Help,
    Version,
    TcpService,
    UdpService,
    SctpService,
    FwmarkService,
    Ipv6,
    Scheduler,
    Pe,
    Persistent,
    Netmask,
    RealServer,
    Gatewaying,
    Ipip,
    Masquerading,
    TunType,
    TunPort,
    TunNoCsum,
    TunCsum,
    TunRemCsum,
    Weight,
    UThreshold,
    LThreshold,
    Connection,
    Timeout,
    Daemon,
    Stats,
    Rate,
    Exact,
    Thresholds,
    PersistentConn,
    TunInfo,
    NoSort,
    Sort,
    Ops,
    Numeric,
    SchedFlags,
    SyncId,
    SyncMaxlen,
    McastInterface,
    McastGroup,
    McastPort,
    McastTtl,
    Json,
}

/// One flag: its names, its value, its help, and what it means to ipvsadm.
#[derive(Debug, Clone, Copy)]
pub struct FlagDef {
    pub id: FlagId,
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
    /// The command this flag selects, if it is a command.
    pub command: Option<CommandKind>,
    /// The option bit it sets, if any (`-6` and `--sort` set none).
    pub option: Option<Opt>,
    /// The values the flag's value is chosen from, each with a short
    /// description, for the man page and shell completions (empty when the
    /// value is free-form). The parser does its own checking.
    pub choices: &'static [(&'static str, &'static str)],
}

const fn flag(id: FlagId, long: &'static str, short: Option<char>, help: &'static str) -> FlagDef {
    FlagDef {
        id,
        long,
        short,
        arg: ArgKind::None,
        value_name: None,
        positionals: &[],
        help,
        section: Section::Option,
        command: None,
        option: None,
        choices: &[],
    }
}

/// Rows are equal when they are the same row.
impl PartialEq for FlagDef {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
    }
}

impl Eq for FlagDef {}

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
        self.command = Some(kind);
        self.section = Section::Command;
        self
    }

    const fn sets(mut self, opt: Opt) -> Self {
        self.option = Some(opt);
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

    /// Whether this row is a second spelling of an earlier one and is left
    /// out of the help text and the clap command (`-l` for `-L`).
    pub fn is_alias(&self) -> bool {
        self.id == FlagId::ListLower
    }
}

use CommandKind as C;
use FlagId as F;

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
    flag(F::AddService, "add-service", Some('A'), "add a virtual service").command(C::Add),
    flag(F::EditService, "edit-service", Some('E'), "change a virtual service").command(C::Edit),
    flag(F::DeleteService, "delete-service", Some('D'), "delete a virtual service")
        .command(C::Delete),
    flag(F::Clear, "clear", Some('C'), "delete every virtual service").command(C::Flush),
    flag(F::Restore, "restore", Some('R'), "read commands from standard input")
        .command(C::Restore),
    flag(F::Save, "save", Some('S'), "print the table as commands").command(C::Save),
    flag(F::AddServer, "add-server", Some('a'), "add a real server to a service")
        .command(C::AddDest),
    flag(F::EditServer, "edit-server", Some('e'), "change a real server").command(C::EditDest),
    flag(F::DeleteServer, "delete-server", Some('d'), "remove a real server")
        .command(C::DeleteDest),
    flag(F::List, "list", Some('L'), "list the table (also -l)").command(C::List),
    flag(F::ListLower, "list", Some('l'), "list the table").command(C::List),
    flag(F::Zero, "zero", Some('Z'), "reset the counters of one service or all")
        .command(C::Zero),
    flag(F::Set, "set", None, "set the tcp, tcpfin and udp connection timeouts (seconds)")
        .command(C::Timeout)
        .positionals(&["tcp", "tcpfin", "udp"]),
    flag(F::StartDaemon, "start-daemon", None, "start a connection sync daemon")
        .value("master|backup")
        .choices(DAEMON_STATES)
        .command(C::StartDaemon),
    flag(F::StopDaemon, "stop-daemon", None, "stop a connection sync daemon")
        .value("master|backup")
        .choices(DAEMON_STATES)
        .command(C::StopDaemon),
    flag(F::Help, "help", Some('h'), "show this help").section(Section::Command),
    flag(F::Version, "version", Some('v'), "show the version").section(Section::Command),
    // Virtual service.
    flag(F::TcpService, "tcp-service", Some('t'), "TCP service, host[:port]")
        .value("service-address")
        .sets(Opt::Service)
        .section(Section::VirtualService),
    flag(F::UdpService, "udp-service", Some('u'), "UDP service, host[:port]")
        .value("service-address")
        .sets(Opt::Service)
        .section(Section::VirtualService),
    flag(F::SctpService, "sctp-service", None, "SCTP service, host[:port]")
        .value("service-address")
        .sets(Opt::Service)
        .section(Section::VirtualService),
    flag(F::FwmarkService, "fwmark-service", Some('f'), "firewall-mark service, mark > 0")
        .value("fwmark")
        .sets(Opt::Service)
        .section(Section::VirtualService),
    flag(F::Ipv6, "ipv6", Some('6'), "the firewall-mark service is IPv6 (after -f)")
        .section(Section::VirtualService),
    // Options.
    flag(F::Scheduler, "scheduler", Some('s'), "scheduler: rr wrr lc wlc lblc lblcr dh sh sed nq fo ovf mh (default: wlc)")
        .value("scheduler")
        .choices(SCHEDULERS)
        .sets(Opt::Scheduler),
    flag(F::Pe, "pe", None, "persistence engine, e.g. sip (default: none)")
        .value("engine")
        .choices(PERSISTENCE_ENGINES)
        .sets(Opt::PersistenceEngine),
    flag(F::Persistent, "persistent", Some('p'), "persistent service (default timeout: 360 s)")
        .optional_value("timeout")
        .sets(Opt::Persistent),
    flag(F::Netmask, "netmask", Some('M'), "persistence granularity: mask or IPv6 prefix")
        .value("netmask")
        .sets(Opt::Netmask),
    flag(F::RealServer, "real-server", Some('r'), "real server, host[:port]")
        .value("server-address")
        .sets(Opt::Server),
    flag(F::Gatewaying, "gatewaying", Some('g'), "forward by direct routing (default)")
        .sets(Opt::Forward),
    flag(F::Ipip, "ipip", Some('i'), "forward by tunnelling").sets(Opt::Forward),
    flag(F::Masquerading, "masquerading", Some('m'), "forward by NAT").sets(Opt::Forward),
    flag(F::TunType, "tun-type", None, "tunnel type: ipip, gue or gre (default: ipip)")
        .value("type")
        .choices(TUNNEL_TYPES)
        .sets(Opt::TunType),
    flag(F::TunPort, "tun-port", None, "tunnel destination port (gue)")
        .value("port")
        .sets(Opt::TunPort),
    flag(F::TunNoCsum, "tun-nocsum", None, "tunnel without checksum").sets(Opt::TunNoCsum),
    flag(F::TunCsum, "tun-csum", None, "tunnel with checksum").sets(Opt::TunCsum),
    flag(F::TunRemCsum, "tun-remcsum", None, "tunnel with remote checksum (gue)")
        .sets(Opt::TunRemCsum),
    flag(F::Weight, "weight", Some('w'), "real server weight, 0 or more (default: 1)")
        .value("weight")
        .sets(Opt::Weight),
    flag(F::UThreshold, "u-threshold", Some('x'), "upper connection threshold (0: none)")
        .value("uthreshold")
        .sets(Opt::UThreshold),
    flag(F::LThreshold, "l-threshold", Some('y'), "lower connection threshold")
        .value("lthreshold")
        .sets(Opt::LThreshold),
    flag(F::Connection, "connection", Some('c'), "list connections").sets(Opt::Connection),
    flag(F::Timeout, "timeout", None, "list the timeouts (tcp tcpfin udp)").sets(Opt::Timeout),
    flag(F::Daemon, "daemon", None, "list the sync daemons").sets(Opt::Daemon),
    flag(F::Stats, "stats", None, "list with traffic counters").sets(Opt::Stats),
    flag(F::Rate, "rate", None, "list with traffic rates").sets(Opt::Rate),
    flag(F::Exact, "exact", Some('X'), "print exact numbers, not K/M/G").sets(Opt::Exact),
    flag(F::Json, "json", Some('j'), "list as one JSON document (an extension)").sets(Opt::Json),
    flag(F::Thresholds, "thresholds", None, "list with thresholds").sets(Opt::Thresholds),
    flag(F::PersistentConn, "persistent-conn", None, "list with persistent connections")
        .sets(Opt::PersistentConn),
    flag(F::TunInfo, "tun-info", None, "list with tunnel details").sets(Opt::TunInfo),
    flag(F::NoSort, "nosort", None, "list in kernel order, unsorted").sets(Opt::NoSort),
    flag(F::Sort, "sort", None, "no effect (sorting is the default)"),
    flag(F::Ops, "ops", Some('o'), "one-packet scheduling (UDP and fwmark only)")
        .sets(Opt::OnePacket),
    flag(F::Numeric, "numeric", Some('n'), "print addresses and ports as numbers")
        .sets(Opt::Numeric),
    flag(F::SchedFlags, "sched-flags", Some('b'), "comma-separated scheduler flags: flag-1, flag-2, flag-3, sh-fallback, sh-port (sh), mh-fallback, mh-port (mh)")
        .value("flags")
        .choices(SCHED_FLAGS)
        .sets(Opt::SchedFlags),
    // Sync daemon options.
    flag(F::SyncId, "syncid", None, "sync id, 0-255")
        .value("id")
        .sets(Opt::SyncId)
        .section(Section::DaemonOption),
    flag(F::SyncMaxlen, "sync-maxlen", None, "maximum sync message length")
        .value("length")
        .sets(Opt::SyncMaxlen)
        .section(Section::DaemonOption),
    flag(F::McastInterface, "mcast-interface", None, "multicast interface (default: eth0)")
        .value("interface")
        .sets(Opt::McastInterface)
        .section(Section::DaemonOption),
    flag(F::McastGroup, "mcast-group", None, "IPv4 or IPv6 multicast group")
        .value("address")
        .sets(Opt::McastGroup)
        .section(Section::DaemonOption),
    flag(F::McastPort, "mcast-port", None, "UDP port of the sync messages")
        .value("port")
        .sets(Opt::McastPort)
        .section(Section::DaemonOption),
    flag(F::McastTtl, "mcast-ttl", None, "multicast TTL, 1-255")
        .value("ttl")
        .sets(Opt::McastTtl)
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

/// The row of [`FLAGS`] with this id.
pub fn flag_def(id: FlagId) -> &'static FlagDef {
    // Every FlagId has a row (checked by a unit test); the fallback keeps
    // this total without panicking.
    FLAGS.iter().find(|f| f.id == id).unwrap_or(&FLAGS[0])
}

/// A clap description of the command line, built from [`FLAGS`], for
/// generating the man page and shell completions.
///
/// It is not used for parsing: ipvsadm's command line is popt's, whose rules
/// clap does not reproduce — `-p` takes the next argument as its value only
/// when that does not start with `-`, a required value is taken even when it
/// does (`-s -t`), `-x=5` is `-x 5`, the first option must be the command,
/// `--set` takes three free-standing arguments from anywhere on the line,
/// and every mistake has popt's or ipvsadm's exact message and exit code.
/// [`super::parse`] does that.
pub fn clap_command() -> clap::Command {
    let mut cmd = clap::Command::new("ipvsadm")
        .about("Linux Virtual Server administration")
        .version(env!("CARGO_PKG_VERSION"))
        .disable_help_flag(true)
        .disable_version_flag(true);
    for def in FLAGS.iter().filter(|f| !f.is_alias()) {
        let mut arg = clap::Arg::new(def.long).long(def.long).help(def.help);
        if let Some(short) = def.short {
            arg = arg.short(short);
        }
        if def.id == FlagId::List {
            arg = arg.short_alias('l');
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
        match def.id {
            FlagId::SchedFlags => arg = arg.value_delimiter(','),
            FlagId::TcpService | FlagId::UdpService | FlagId::SctpService | FlagId::RealServer => {
                arg = arg.value_hint(clap::ValueHint::Hostname)
            }
            FlagId::McastGroup => arg = arg.value_hint(clap::ValueHint::Other),
            _ => {}
        }
        cmd = cmd.arg(arg.help_heading(def.section.heading()));
    }
    cmd
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_flag_id_has_one_row() {
        let ids = [
            F::AddService,
            F::EditService,
            F::DeleteService,
            F::Clear,
            F::Restore,
            F::Save,
            F::AddServer,
            F::EditServer,
            F::DeleteServer,
            F::List,
            F::ListLower,
            F::Zero,
            F::Set,
            F::StartDaemon,
            F::StopDaemon,
            F::Help,
            F::Version,
            F::TcpService,
            F::UdpService,
            F::SctpService,
            F::FwmarkService,
            F::Ipv6,
            F::Scheduler,
            F::Pe,
            F::Persistent,
            F::Netmask,
            F::RealServer,
            F::Gatewaying,
            F::Ipip,
            F::Masquerading,
            F::TunType,
            F::TunPort,
            F::TunNoCsum,
            F::TunCsum,
            F::TunRemCsum,
            F::Weight,
            F::UThreshold,
            F::LThreshold,
            F::Connection,
            F::Timeout,
            F::Daemon,
            F::Stats,
            F::Rate,
            F::Exact,
            F::Thresholds,
            F::PersistentConn,
            F::TunInfo,
            F::NoSort,
            F::Sort,
            F::Ops,
            F::Numeric,
            F::SchedFlags,
            F::SyncId,
            F::SyncMaxlen,
            F::McastInterface,
            F::McastGroup,
            F::McastPort,
            F::McastTtl,
            F::Json,
        ];
        assert_eq!(ids.len(), FLAGS.len());
        for id in ids {
            assert_eq!(FLAGS.iter().filter(|f| f.id == id).count(), 1, "{id:?}");
            assert_eq!(flag_def(id).id, id);
        }
    }

    #[test]
    fn names_are_unique_except_list() {
        for (i, a) in FLAGS.iter().enumerate() {
            for b in &FLAGS[i + 1..] {
                if a.long == b.long {
                    assert_eq!((a.id, b.id), (F::List, F::ListLower));
                }
                if a.short.is_some() {
                    assert_ne!(a.short, b.short, "{:?} {:?}", a.id, b.id);
                }
            }
        }
    }

    #[test]
    fn every_option_is_set_by_some_flag() {
        for opt in Opt::ALL {
            assert!(FLAGS.iter().any(|f| f.option == Some(opt)), "{opt:?}");
        }
        for (i, opt) in Opt::ALL.iter().enumerate() {
            assert_eq!(*opt as usize, i);
        }
    }

    #[test]
    fn short_names_find_their_first_flag() {
        assert!(FLAGS.len() < 255);
        for c in 0..=255u8 {
            let first = FLAGS
                .iter()
                .find(|f| f.short.is_some_and(|s| s.is_ascii() && s as u8 == c));
            assert_eq!(find_short(c).map(|f| f.id), first.map(|f| f.id), "{c}");
        }
    }

    #[test]
    fn option_masks_are_the_matrix_rows() {
        let kinds = [
            C::Add,
            C::Edit,
            C::Delete,
            C::Flush,
            C::List,
            C::AddDest,
            C::DeleteDest,
            C::EditDest,
            C::Timeout,
            C::StartDaemon,
            C::StopDaemon,
            C::Restore,
            C::Save,
            C::Zero,
        ];
        for kind in kinds {
            let masks = kind.option_masks();
            for opt in Opt::ALL {
                let rule = kind.option_rule(opt);
                let bit = |mask: u64| mask & opt.bit() != 0;
                assert_eq!(
                    bit(masks.required),
                    rule == OptionRule::Required,
                    "{kind:?} {opt:?}"
                );
                assert_eq!(
                    bit(masks.illegal),
                    rule == OptionRule::Illegal,
                    "{kind:?} {opt:?}"
                );
                assert_eq!(
                    bit(masks.exclusive),
                    rule == OptionRule::Exclusive,
                    "{kind:?} {opt:?}"
                );
            }
        }
    }

    #[test]
    fn matrix_cells_match_ipvsadm() {
        use OptionRule::*;
        assert_eq!(C::Add.option_rule(Opt::Service), Required);
        assert_eq!(C::Add.option_rule(Opt::OnePacket), Optional);
        assert_eq!(C::Add.option_rule(Opt::SchedFlags), Optional);
        assert_eq!(C::Add.option_rule(Opt::McastGroup), Illegal);
        assert_eq!(C::List.option_rule(Opt::Numeric), Optional);
        assert_eq!(C::List.option_rule(Opt::Connection), Exclusive);
        assert_eq!(C::List.option_rule(Opt::Daemon), Exclusive);
        assert_eq!(C::List.option_rule(Opt::SyncId), Optional);
        assert_eq!(C::List.option_rule(Opt::OnePacket), Illegal);
        assert_eq!(C::List.option_rule(Opt::TunInfo), Optional);
        assert_eq!(C::List.option_rule(Opt::TunType), Illegal);
        assert_eq!(C::AddDest.option_rule(Opt::Server), Required);
        assert_eq!(C::AddDest.option_rule(Opt::LThreshold), Optional);
        assert_eq!(C::AddDest.option_rule(Opt::McastInterface), Illegal);
        assert_eq!(C::AddDest.option_rule(Opt::TunInfo), Illegal);
        assert_eq!(C::AddDest.option_rule(Opt::TunRemCsum), Optional);
        assert_eq!(C::DeleteDest.option_rule(Opt::Forward), Illegal);
        assert_eq!(C::StartDaemon.option_rule(Opt::McastInterface), Optional);
        assert_eq!(C::StartDaemon.option_rule(Opt::SyncId), Optional);
        assert_eq!(C::StartDaemon.option_rule(Opt::SyncMaxlen), Optional);
        assert_eq!(C::StartDaemon.option_rule(Opt::TunInfo), Illegal);
        assert_eq!(C::StopDaemon.option_rule(Opt::SyncId), Optional);
        assert_eq!(C::StopDaemon.option_rule(Opt::McastInterface), Illegal);
        assert_eq!(C::Save.option_rule(Opt::Numeric), Optional);
        assert_eq!(C::Zero.option_rule(Opt::Service), Optional);
        assert_eq!(C::Flush.option_rule(Opt::Numeric), Illegal);
    }

    #[test]
    fn man_page_and_completions_render() {
        let mut man = Vec::new();
        clap_mangen::Man::new(clap_command())
            .render(&mut man)
            .unwrap();
        let man = String::from_utf8(man).unwrap();
        assert!(man.contains("tcp\\-service"), "{man}");
        for shell in [clap_complete::Shell::Bash, clap_complete::Shell::Zsh] {
            let mut out = Vec::new();
            clap_complete::generate(shell, &mut clap_command(), "ipvsadm", &mut out);
            let text = String::from_utf8(out).unwrap();
            assert!(text.contains("--start-daemon"));
        }
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
            .try_get_matches_from(["ipvsadm", "--set", "1", "2", "3"])
            .unwrap();
        assert_eq!(m.get_many::<String>("set").unwrap().count(), 3);
    }
}
