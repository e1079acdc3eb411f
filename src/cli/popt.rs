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

use std::borrow::Cow;

use super::flags::{find_long, find_short, ArgKind, FlagDef};

/// What popt's `expandNextArg` replaces with the next plain argument.
const MARK: &[u8] = b"!#:+";

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
pub struct PoptOption<'a> {
    pub flag: &'static FlagDef,
    /// The value, for flags that take one (`None` for an absent optional
    /// value): lent from the arguments unless `!#:+` was expanded in it.
    pub value: Option<Cow<'a, [u8]>>,
}

/// popt's parsing state over one argument vector (`argv[0]` included).
pub struct Popt<'a, A> {
    argv: &'a [A],
    /// Index of the next argument to look at.
    next: usize,
    /// Remaining characters of a short-option cluster: (argument, offset).
    cluster: Option<(usize, usize)>,
    rest_are_leftovers: bool,
    posix_me_harder: bool,
    /// Arguments consumed by `!#:+` (empty until one is).
    consumed: Vec<bool>,
    /// The same arguments, in the order they were consumed.
    consumed_order: Vec<usize>,
    /// The argument the last long option came from.
    last_long: usize,
    leftovers: Vec<usize>,
    next_leftover: usize,
}

impl<'a, A: AsRef<[u8]>> Popt<'a, A> {
    /// Starts after `argv[0]`.
    pub fn new(argv: &'a [A], posix_me_harder: bool) -> Self {
        Popt {
            argv,
            next: 1,
            cluster: None,
            rest_are_leftovers: false,
            posix_me_harder,
            consumed: Vec::new(),
            consumed_order: Vec::new(),
            last_long: 0,
            leftovers: Vec::new(),
            next_leftover: 0,
        }
    }

    /// The next option, `Ok(None)` when the arguments are used up.
    #[inline(always)]
    pub fn next_option(&mut self) -> Result<Option<PoptOption<'a>>, PoptError> {
        if let Some((index, offset)) = self.cluster.take() {
            return self.short_option(index, offset).map(Some);
        }
        loop {
            let index = self.next;
            let Some(arg) = self.argv.get(index).map(A::as_ref) else {
                return Ok(None);
            };
            self.next += 1;
            if self.is_consumed(index) {
                continue;
            }
            match arg {
                _ if self.rest_are_leftovers => {}
                b"--" => {
                    self.rest_are_leftovers = true;
                    continue;
                }
                [b'-', b'-', body @ ..] => {
                    let (name, value) = match body.iter().position(|&b| b == b'=') {
                        Some(eq) => (&body[..eq], Some(&body[eq + 1..])),
                        None => (body, None),
                    };
                    let flag = find_long(name).ok_or(PoptError::UnknownOption)?;
                    self.last_long = index;
                    return self.with_value(flag, value).map(Some);
                }
                // No flag of ipvsadm's is a one-dash long option, so `-xyz`
                // is always a cluster of short options.
                [b'-', _, ..] => return self.short_option(index, 1).map(Some),
                _ => {}
            }
            // `-`, or an argument not starting with `-`.
            if self.posix_me_harder {
                self.rest_are_leftovers = true;
            }
            self.leftovers.push(index);
        }
    }

    /// The short option at `offset` in argument `index` (a cluster).
    #[inline(always)]
    fn short_option(&mut self, index: usize, offset: usize) -> Result<PoptOption<'a>, PoptError> {
        let arg = self.arg(index);
        let c = arg.get(offset).copied().unwrap_or(0);
        let flag = find_short(c).ok_or(PoptError::UnknownOption)?;
        let rest = &arg[offset + 1..];
        if rest.is_empty() {
            return self.with_value(flag, None);
        }
        if flag.arg == ArgKind::None {
            if rest[0] == b'=' {
                return Err(PoptError::UnwantedArgument);
            }
            self.cluster = Some((index, offset + 1));
            return Ok(PoptOption { flag, value: None });
        }
        // A flag with a value takes the rest of the cluster.
        let rest = rest.strip_prefix(b"=").unwrap_or(rest);
        Ok(PoptOption {
            flag,
            value: Some(self.expand(rest)),
        })
    }

    /// `flag` with its value: `attached` (after `--name=`) or the next
    /// argument, as its [`ArgKind`] says.
    #[inline(always)]
    fn with_value(
        &mut self,
        flag: &'static FlagDef,
        attached: Option<&'a [u8]>,
    ) -> Result<PoptOption<'a>, PoptError> {
        let value = match (flag.arg, attached) {
            (ArgKind::None, None) => None,
            (ArgKind::None, Some(_)) => return Err(PoptError::UnwantedArgument),
            (_, Some(v)) => Some(self.expand(v)),
            (arg, None) => match self.argv.get(self.next).map(A::as_ref) {
                None if arg == ArgKind::Required => return Err(PoptError::MissingArgument),
                None => None,
                Some([b'-', ..]) if arg == ArgKind::Optional => None,
                Some(v) => {
                    self.next += 1;
                    Some(self.expand(v))
                }
            },
        };
        Ok(PoptOption { flag, value })
    }

    fn arg(&self, index: usize) -> &'a [u8] {
        self.argv[index].as_ref()
    }

    fn is_consumed(&self, index: usize) -> bool {
        self.consumed.get(index) == Some(&true)
    }

    /// popt's `expandNextArg`: substitutes `!#:+` with the next argument
    /// that does not start with `-` (looked up once per value).
    #[inline(always)]
    fn expand(&mut self, value: &'a [u8]) -> Cow<'a, [u8]> {
        // Most values have no `!`; they are lent as they are.
        match value.iter().position(|&b| b == b'!') {
            Some(bang) if value[bang..].windows(MARK.len()).any(|w| w == MARK) => {
                Cow::Owned(self.substitute(value))
            }
            _ => Cow::Borrowed(value),
        }
    }

    /// [`Popt::expand`] of a value with `!#:+` in it.
    #[cold]
    fn substitute(&mut self, value: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(value.len());
        let mut substitute: Option<usize> = None;
        let mut i = 0;
        while i < value.len() {
            if value[i..].starts_with(MARK) {
                if substitute.is_none() {
                    substitute = self.take_next_plain_arg();
                }
                if let Some(index) = substitute {
                    out.extend_from_slice(self.arg(index));
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
            .find(|&i| !self.is_consumed(i) && self.arg(i).first() != Some(&b'-'))?;
        if self.consumed.is_empty() {
            self.consumed = vec![false; self.argv.len()];
        }
        self.consumed[index] = true;
        self.consumed_order.push(index);
        Some(index)
    }

    /// The arguments the long option just returned took: its own, its
    /// value's when that was the next argument, and those `!#:+` in its
    /// value took (`expansions_before`: [`Popt::expansions`] before it was
    /// read). Long options only: a short one may share its argument.
    pub fn last_long_option_args(&self, expansions_before: usize) -> Vec<usize> {
        let mut args: Vec<usize> = (self.last_long..self.next).collect();
        args.extend_from_slice(
            &self.consumed_order[expansions_before.min(self.consumed_order.len())..],
        );
        args
    }

    /// How many arguments `!#:+` has taken so far.
    pub fn expansions(&self) -> usize {
        self.consumed_order.len()
    }

    /// popt's `poptBadOption`: the last argument looked at.
    pub fn bad_option(&self) -> &'a [u8] {
        self.argv
            .get(self.next.saturating_sub(1))
            .map_or(b"", |a| a.as_ref())
    }

    /// popt's `poptGetArg`: the next leftover argument.
    pub fn next_leftover(&mut self) -> Option<&'a [u8]> {
        let index = *self.leftovers.get(self.next_leftover)?;
        self.next_leftover += 1;
        Some(self.arg(index))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(args: &[&str]) -> Vec<Vec<u8>> {
        std::iter::once("ipvsadm")
            .chain(args.iter().copied())
            .map(|s| s.as_bytes().to_vec())
            .collect()
    }

    /// A flag's name as the runs below show it.
    fn n(name: &str) -> String {
        name.to_string()
    }

    /// Options, the error that stopped them, and the leftovers.
    type Run = (
        Vec<(String, Option<String>)>,
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
                Ok(Some(o)) => out.push((
                    o.flag.display_name(),
                    o.value.map(|v| String::from_utf8(v.into_owned()).unwrap()),
                )),
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
                (n("-L"), None),
                (n("-n"), None),
                (n("-t"), some("10.0.0.3:80"))
            ]
        );
        assert_eq!(e, None);
        let (o, _, _) = run(&["-Lnt", "10.0.0.3:80"]);
        assert_eq!(o[2], (n("-t"), some("10.0.0.3:80")));
        let (o, _, _) = run(&["-w=5", "-w5", "--weight=5", "--weight", "5", "--weight="]);
        assert_eq!(
            o,
            vec![
                (n("-w"), some("5")),
                (n("-w"), some("5")),
                (n("-w"), some("5")),
                (n("-w"), some("5")),
                (n("-w"), some("")),
            ]
        );
    }

    #[test]
    fn required_value_takes_a_dash_argument() {
        let (o, e, _) = run(&["-A", "-s", "-t", "x"]);
        assert_eq!(o[1], (n("-s"), some("-t")));
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
                (n("-p"), some("600")),
                (n("-p"), None),
                (n("-n"), None),
                (n("-p"), some("600")),
                (n("-p"), some("")),
                (n("-p"), some("7")),
                (n("-p"), None),
            ]
        );
        // An empty next argument does not start with '-': it is the value.
        let (o, _, _) = run(&["-p", ""]);
        assert_eq!(o, vec![(n("-p"), some(""))]);
        let (o, _, rest) = run(&["-p", "-"]);
        assert_eq!(o, vec![(n("-p"), None)]);
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
            vec![(n("-l"), None), (n("-i"), None), (n("-s"), some("t"))]
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
        assert_eq!(o, vec![(n("--set"), None)]);
        assert_eq!(rest, vec!["1", "2", "-", "-n", "3"]);
    }

    #[test]
    fn posix_me_harder_stops_at_the_first_leftover() {
        let argv = argv(&["--set", "1", "-n"]);
        let mut p = Popt::new(&argv, true);
        assert_eq!(p.next_option().unwrap().unwrap().flag.long, "set");
        assert_eq!(p.next_option(), Ok(None));
        assert_eq!(p.next_leftover(), Some(&b"1"[..]));
        assert_eq!(p.next_leftover(), Some(&b"-n"[..]));
    }

    #[test]
    fn next_arg_expansion() {
        let (o, _, rest) = run(&["-A", "-s", "!#:+", "rr"]);
        assert_eq!(o[1], (n("-s"), some("rr")));
        assert!(rest.is_empty());
        let (o, _, rest) = run(&["-A", "-s", "a!#:+b!#:+", "-n", "x", "y"]);
        assert_eq!(o[1], (n("-s"), some("axbx")));
        assert_eq!(o[2], (n("-n"), None));
        assert_eq!(rest, vec!["y"]);
        // Nothing to substitute: the text stays.
        let (o, _, _) = run(&["-A", "-s", "!#:+"]);
        assert_eq!(o[1], (n("-s"), some("!#:+")));
    }

    #[test]
    fn non_utf8_arguments() {
        let argv = vec![b"ipvsadm".to_vec(), b"-s\xff".to_vec(), vec![0xfe]];
        let mut p = Popt::new(&argv, false);
        let o = p.next_option().unwrap().unwrap();
        assert_eq!(o.value.as_deref(), Some(&[0xff][..]));
        assert_eq!(p.next_option(), Ok(None));
        assert_eq!(p.next_leftover(), Some(&[0xfe][..]));
        let argv = vec![b"ipvsadm".to_vec(), b"-\xff".to_vec()];
        let mut p = Popt::new(&argv, false);
        assert_eq!(p.next_option(), Err(PoptError::UnknownOption));
    }
}
