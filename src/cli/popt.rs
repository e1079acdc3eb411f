//! A tokenizer that splits a command line into options the way popt 1.19
//! (`poptGetNextOpt`) does for ipvsadm's option table, which has no aliases,
//! no execs and no callbacks.
//!
//! The rules it reproduces:
//! - Arguments are bytes; nothing assumes UTF-8.
//! - An argument not starting with `-`, or exactly `-`, is a leftover
//!   (a positional argument); `--` makes every later argument a leftover.
//!   With `POSIXLY_CORRECT`/`POSIX_ME_HARDER` set, the first leftover does so.
//! - `--name` and `--name=value` must match a long name exactly. `-name`
//!   is never a long option here: it is the cluster `-n -a -m -e`.
//! - In a cluster, a flag that takes a value takes the rest of the argument
//!   (one leading `=` dropped): `-t10.0.0.1:80`, `-w=5`. A flag without a
//!   value followed by `=` is an error (`-n=`).
//! - A required value with nothing attached is the next argument, whatever
//!   it is (`-s -t` makes `-t` the scheduler); an optional one (`-p`) is the
//!   next argument only if that does not start with `-`.
//! - `!#:+` inside a value is replaced by the next argument that does not
//!   start with `-`, which is then skipped.

use super::flags::{find_long, find_short, ArgKind, FlagDef};

/// Why popt stopped (`POPT_ERROR_*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PoptError {
    /// `POPT_ERROR_BADOPT`: "unknown option".
    UnknownOption,
    /// `POPT_ERROR_NOARG`: "missing argument".
    MissingArgument,
    /// `POPT_ERROR_UNWANTEDARG`: "option does not take an argument".
    UnwantedArgument,
}

impl PoptError {
    /// popt's `poptStrerror` text.
    pub fn text(self) -> &'static str {
        match self {
            PoptError::UnknownOption => "unknown option",
            PoptError::MissingArgument => "missing argument",
            PoptError::UnwantedArgument => "option does not take an argument",
        }
    }
}

/// One parsed option and its value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoptOption {
    pub flag: &'static FlagDef,
    /// The value, for flags that take one (`None` for an absent optional value).
    pub value: Option<Vec<u8>>,
}

/// popt's parsing state over one argument vector (`argv[0]` included).
pub struct Popt<'a> {
    argv: &'a [Vec<u8>],
    /// Index of the next argument to look at.
    next: usize,
    /// Remaining characters of a short-option cluster: (argument, offset).
    cluster: Option<(usize, usize)>,
    rest_are_leftovers: bool,
    posix_me_harder: bool,
    /// Arguments consumed by `!#:+`.
    consumed: Vec<bool>,
    leftovers: Vec<usize>,
    next_leftover: usize,
}

impl<'a> Popt<'a> {
    /// Starts after `argv[0]`.
    pub fn new(argv: &'a [Vec<u8>], posix_me_harder: bool) -> Self {
        Popt {
            argv,
            next: 1,
            cluster: None,
            rest_are_leftovers: false,
            posix_me_harder,
            consumed: vec![false; argv.len()],
            leftovers: Vec::new(),
            next_leftover: 0,
        }
    }

    /// The next option, `Ok(None)` when the arguments are used up.
    pub fn next_option(&mut self) -> Result<Option<PoptOption>, PoptError> {
        loop {
            if self.cluster.is_none() && self.next >= self.argv.len() {
                return Ok(None);
            }
            let mut long_value: Option<&'a [u8]> = None;
            let mut found: Option<&'static FlagDef> = None;

            if self.cluster.is_none() {
                let index = self.next;
                if self.consumed[index] {
                    self.next += 1;
                    continue;
                }
                let arg = &self.argv[index][..];
                self.next += 1;
                if self.rest_are_leftovers || arg.first() != Some(&b'-') || arg == b"-" {
                    if self.posix_me_harder {
                        self.rest_are_leftovers = true;
                    }
                    self.leftovers.push(index);
                    continue;
                }
                if arg == b"--" {
                    self.rest_are_leftovers = true;
                    continue;
                }
                if arg[1] == b'-' {
                    let body = &arg[2..];
                    let (name, value) = match body.iter().position(|&b| b == b'=') {
                        Some(eq) => (&body[..eq], Some(&body[eq + 1..])),
                        None => (body, None),
                    };
                    found = Some(find_long(name).ok_or(PoptError::UnknownOption)?);
                    long_value = value;
                } else {
                    // No flag of ipvsadm's is a one-dash long option, so
                    // `-xyz` is always a cluster of short options.
                    self.cluster = Some((index, 1));
                }
            }

            if let Some((index, offset)) = self.cluster.take() {
                let arg = &self.argv[index];
                let c = arg.get(offset).copied().unwrap_or(0);
                let def = find_short(c).ok_or(PoptError::UnknownOption)?;
                if offset + 1 < arg.len() {
                    self.cluster = Some((index, offset + 1));
                }
                found = Some(def);
            }

            let Some(flag) = found else {
                return Err(PoptError::UnknownOption);
            };
            let value = match flag.arg {
                ArgKind::None => {
                    let attached_eq = self
                        .cluster
                        .is_some_and(|(i, off)| self.argv[i].get(off) == Some(&b'='));
                    if long_value.is_some() || attached_eq {
                        return Err(PoptError::UnwantedArgument);
                    }
                    None
                }
                ArgKind::Required | ArgKind::Optional => {
                    if let Some(v) = long_value {
                        Some(self.expand(v))
                    } else if let Some((i, off)) = self.cluster.take() {
                        let rest = &self.argv[i][off..];
                        let rest = rest.strip_prefix(b"=").unwrap_or(rest);
                        Some(self.expand(rest))
                    } else if self.next >= self.argv.len() {
                        if flag.arg == ArgKind::Required {
                            return Err(PoptError::MissingArgument);
                        }
                        None
                    } else if flag.arg == ArgKind::Optional
                        && self.argv[self.next].first() == Some(&b'-')
                    {
                        None
                    } else {
                        let v = &self.argv[self.next][..];
                        self.next += 1;
                        Some(self.expand(v))
                    }
                }
            };
            return Ok(Some(PoptOption { flag, value }));
        }
    }

    /// popt's `expandNextArg`: substitutes `!#:+` with the next argument
    /// that does not start with `-` (looked up once per value).
    fn expand(&mut self, value: &[u8]) -> Vec<u8> {
        const MARK: &[u8] = b"!#:+";
        if !value.windows(MARK.len()).any(|w| w == MARK) {
            return value.to_vec();
        }
        let mut out = Vec::with_capacity(value.len());
        let mut substitute: Option<usize> = None;
        let mut i = 0;
        while i < value.len() {
            if value[i..].starts_with(MARK) {
                if substitute.is_none() {
                    substitute = self.take_next_plain_arg();
                }
                if let Some(index) = substitute {
                    out.extend_from_slice(&self.argv[index]);
                    i += MARK.len();
                    continue;
                }
            }
            out.push(value[i]);
            i += 1;
        }
        out
    }

    /// popt's `findNextArg(con, 1, 1)`.
    fn take_next_plain_arg(&mut self) -> Option<usize> {
        let index = (self.next..self.argv.len())
            .find(|&i| !self.consumed[i] && self.argv[i].first() != Some(&b'-'))?;
        self.consumed[index] = true;
        Some(index)
    }

    /// popt's `poptBadOption`: the last argument looked at.
    pub fn bad_option(&self) -> &'a [u8] {
        self.argv
            .get(self.next.saturating_sub(1))
            .map(|a| &a[..])
            .unwrap_or(b"")
    }

    /// popt's `poptGetArg`: the next leftover argument.
    pub fn next_leftover(&mut self) -> Option<&'a [u8]> {
        let index = *self.leftovers.get(self.next_leftover)?;
        self.next_leftover += 1;
        Some(&self.argv[index])
    }
}

#[cfg(test)]
mod tests {
    use super::super::flags::FlagId;
    use super::*;

    fn argv(args: &[&str]) -> Vec<Vec<u8>> {
        std::iter::once("ipvsadm")
            .chain(args.iter().copied())
            .map(|s| s.as_bytes().to_vec())
            .collect()
    }

    /// Options, the error that stopped them, and the leftovers.
    type Run = (
        Vec<(FlagId, Option<String>)>,
        Option<(PoptError, String)>,
        Vec<String>,
    );

    /// All options as (id, value) until the end or an error.
    fn run(args: &[&str]) -> Run {
        let argv = argv(args);
        let mut p = Popt::new(&argv, false);
        let mut out = Vec::new();
        let err = loop {
            match p.next_option() {
                Ok(Some(o)) => {
                    out.push((o.flag.id, o.value.map(|v| String::from_utf8(v).unwrap())))
                }
                Ok(None) => break None,
                Err(e) => break Some((e, String::from_utf8(p.bad_option().to_vec()).unwrap())),
            }
        };
        let mut rest = Vec::new();
        while let Some(l) = p.next_leftover() {
            rest.push(String::from_utf8(l.to_vec()).unwrap());
        }
        (out, err, rest)
    }

    fn some(s: &str) -> Option<String> {
        Some(s.to_string())
    }

    #[test]
    fn clusters_and_attached_values() {
        let (o, e, _) = run(&["-Lnt10.0.0.3:80"]);
        assert_eq!(
            o,
            vec![
                (FlagId::List, None),
                (FlagId::Numeric, None),
                (FlagId::TcpService, some("10.0.0.3:80"))
            ]
        );
        assert_eq!(e, None);
        let (o, _, _) = run(&["-Lnt", "10.0.0.3:80"]);
        assert_eq!(o[2], (FlagId::TcpService, some("10.0.0.3:80")));
        let (o, _, _) = run(&["-w=5", "-w5", "--weight=5", "--weight", "5", "--weight="]);
        assert_eq!(
            o,
            vec![
                (FlagId::Weight, some("5")),
                (FlagId::Weight, some("5")),
                (FlagId::Weight, some("5")),
                (FlagId::Weight, some("5")),
                (FlagId::Weight, some("")),
            ]
        );
    }

    #[test]
    fn required_value_takes_a_dash_argument() {
        let (o, e, _) = run(&["-A", "-s", "-t", "x"]);
        assert_eq!(o[1], (FlagId::Scheduler, some("-t")));
        assert_eq!(e, None);
    }

    #[test]
    fn optional_value() {
        let (o, _, _) = run(&[
            "-p",
            "600",
            "-p",
            "-n",
            "-p600",
            "-p=",
            "--persistent=7",
            "-p",
        ]);
        assert_eq!(
            o,
            vec![
                (FlagId::Persistent, some("600")),
                (FlagId::Persistent, None),
                (FlagId::Numeric, None),
                (FlagId::Persistent, some("600")),
                (FlagId::Persistent, some("")),
                (FlagId::Persistent, some("7")),
                (FlagId::Persistent, None),
            ]
        );
        // An empty next argument does not start with '-': it is the value.
        let (o, _, _) = run(&["-p", ""]);
        assert_eq!(o, vec![(FlagId::Persistent, some(""))]);
        let (o, _, rest) = run(&["-p", "-"]);
        assert_eq!(o, vec![(FlagId::Persistent, None)]);
        assert_eq!(rest, vec!["-"]);
    }

    #[test]
    fn errors_and_bad_option_text() {
        let (_, e, _) = run(&["-L", "--bogus"]);
        assert_eq!(e, Some((PoptError::UnknownOption, "--bogus".into())));
        let (_, e, _) = run(&["-Lq"]);
        assert_eq!(e, Some((PoptError::UnknownOption, "-Lq".into())));
        let (_, e, _) = run(&["-L", "-t"]);
        assert_eq!(e, Some((PoptError::MissingArgument, "-t".into())));
        let (_, e, _) = run(&["-Ln="]);
        assert_eq!(e, Some((PoptError::UnwantedArgument, "-Ln=".into())));
        let (_, e, _) = run(&["--numeric=1"]);
        assert_eq!(e, Some((PoptError::UnwantedArgument, "--numeric=1".into())));
        // No abbreviations, no one-dash long options.
        let (_, e, _) = run(&["--num"]);
        assert_eq!(e, Some((PoptError::UnknownOption, "--num".into())));
        let (o, e, _) = run(&["-list"]);
        assert_eq!(
            o,
            vec![
                (FlagId::ListLower, None),
                (FlagId::Ipip, None),
                (FlagId::Scheduler, some("t"))
            ]
        );
        assert_eq!(e, None);
        let (_, e, _) = run(&["---L"]);
        assert_eq!(e, Some((PoptError::UnknownOption, "---L".into())));
        let (_, e, _) = run(&["--=x"]);
        assert_eq!(e, Some((PoptError::UnknownOption, "--=x".into())));
    }

    #[test]
    fn leftovers_and_double_dash() {
        let (o, _, rest) = run(&["1", "--set", "2", "-", "--", "-n", "3"]);
        assert_eq!(o, vec![(FlagId::Set, None)]);
        assert_eq!(rest, vec!["1", "2", "-", "-n", "3"]);
    }

    #[test]
    fn posix_me_harder_stops_at_the_first_leftover() {
        let argv = argv(&["--set", "1", "-n"]);
        let mut p = Popt::new(&argv, true);
        assert_eq!(p.next_option().unwrap().unwrap().flag.id, FlagId::Set);
        assert_eq!(p.next_option(), Ok(None));
        assert_eq!(p.next_leftover(), Some(&b"1"[..]));
        assert_eq!(p.next_leftover(), Some(&b"-n"[..]));
    }

    #[test]
    fn next_arg_expansion() {
        let (o, _, rest) = run(&["-A", "-s", "!#:+", "rr"]);
        assert_eq!(o[1], (FlagId::Scheduler, some("rr")));
        assert!(rest.is_empty());
        let (o, _, rest) = run(&["-A", "-s", "a!#:+b!#:+", "-n", "x", "y"]);
        assert_eq!(o[1], (FlagId::Scheduler, some("axbx")));
        assert_eq!(o[2], (FlagId::Numeric, None));
        assert_eq!(rest, vec!["y"]);
        // Nothing to substitute: the text stays.
        let (o, _, _) = run(&["-A", "-s", "!#:+"]);
        assert_eq!(o[1], (FlagId::Scheduler, some("!#:+")));
    }

    #[test]
    fn non_utf8_arguments() {
        let argv = vec![b"ipvsadm".to_vec(), b"-s\xff".to_vec(), vec![0xfe]];
        let mut p = Popt::new(&argv, false);
        let o = p.next_option().unwrap().unwrap();
        assert_eq!(o.value, Some(vec![0xff]));
        assert_eq!(p.next_option(), Ok(None));
        assert_eq!(p.next_leftover(), Some(&[0xfe][..]));
        let argv = vec![b"ipvsadm".to_vec(), b"-\xff".to_vec()];
        let mut p = Popt::new(&argv, false);
        assert_eq!(p.next_option(), Err(PoptError::UnknownOption));
    }
}
