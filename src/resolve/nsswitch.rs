//! The `hosts:` and `services:` lines of `/etc/nsswitch.conf`: which
//! sources answer, in which order, and when a miss ends the lookup.

/// What a source's lookup came to, as NSS names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Found.
    Success,
    /// The source answered: no such entry.
    NotFound,
    /// The source could not be asked (for `files`: no readable file).
    Unavail,
    /// A temporary failure.
    TryAgain,
}

impl Status {
    fn parse(word: &str) -> Option<Status> {
        Some(match word.to_ascii_lowercase().as_str() {
            "success" => Status::Success,
            "notfound" => Status::NotFound,
            "unavail" => Status::Unavail,
            "tryagain" => Status::TryAgain,
            _ => return None,
        })
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// One source of a lookup and what to do after each of its outcomes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    /// The service's name (`files`, `dns`, ...).
    pub name: String,
    /// Whether the lookup ends (`return`) after each [`Status`], indexed by
    /// it; the defaults are: after a success, yes; otherwise, go on.
    returns: [bool; 4],
}

impl Source {
    fn new(name: &str) -> Source {
        Source {
            name: name.to_owned(),
            returns: [true, false, false, false],
        }
    }

    /// Whether the lookup ends after this source came to `status`.
    pub fn returns_after(&self, status: Status) -> bool {
        self.returns[status.index()]
    }

    /// Applies one `[...]` criterion: `STATUS=ACTION` pairs, each status
    /// possibly negated with `!` (the action then applies to every other
    /// status). Unknown words are skipped.
    fn apply_criteria(&mut self, criteria: &str) {
        for pair in criteria.split_ascii_whitespace() {
            let Some((status, action)) = pair.split_once('=') else {
                continue;
            };
            let returns = match action.to_ascii_lowercase().as_str() {
                "return" => true,
                "continue" => false,
                // `merge` joins group entries; for hosts and services
                // glibc ends the lookup as `return` does.
                "merge" => true,
                _ => continue,
            };
            let (negated, status) = match status.strip_prefix('!') {
                Some(rest) => (true, rest),
                None => (false, status),
            };
            let Some(status) = Status::parse(status) else {
                continue;
            };
            for (i, slot) in self.returns.iter_mut().enumerate() {
                if (i == status.index()) != negated {
                    *slot = returns;
                }
            }
        }
    }
}

/// The sources of database `database` (`hosts`, `services`) in an
/// nsswitch.conf text: its first line for that database, or `None` when it
/// has none.
pub fn sources(conf: &str, database: &str) -> Option<Vec<Source>> {
    conf.lines().find_map(|line| {
        let line = line.split('#').next().unwrap_or_default();
        let (name, spec) = line.split_once(':')?;
        (name.trim() == database).then(|| parse_spec(spec))
    })
}

/// `files [NOTFOUND=return] dns ...` into its sources.
fn parse_spec(spec: &str) -> Vec<Source> {
    let mut out: Vec<Source> = Vec::new();
    let mut rest = spec.trim_start();
    while !rest.is_empty() {
        if let Some(inner) = rest.strip_prefix('[') {
            let (criteria, after) = inner.split_once(']').unwrap_or((inner, ""));
            if let Some(last) = out.last_mut() {
                last.apply_criteria(criteria);
            }
            rest = after.trim_start();
        } else {
            let end = rest
                .find(|c: char| c.is_ascii_whitespace() || c == '[')
                .unwrap_or(rest.len());
            out.push(Source::new(&rest[..end]));
            rest = rest[end..].trim_start();
        }
    }
    out
}

/// glibc's sources for a database missing from nsswitch.conf (or without
/// the file): `dns [!UNAVAIL=return] files` for hosts, `files` otherwise.
pub fn default_sources(database: &str) -> Vec<Source> {
    if database == "hosts" {
        parse_spec("dns [!UNAVAIL=return] files")
    } else {
        parse_spec("files")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONF: &str = include_str!("testdata/nsswitch.conf");

    fn names(sources: &[Source]) -> Vec<&str> {
        sources.iter().map(|s| s.name.as_str()).collect()
    }

    #[test]
    fn the_first_line_for_a_database_counts() {
        let hosts = sources(CONF, "hosts").unwrap();
        assert_eq!(names(&hosts), ["files", "dns"]);
        assert!(hosts[0].returns_after(Status::NotFound));
        assert!(!hosts[0].returns_after(Status::Unavail));
        assert!(hosts[0].returns_after(Status::Success));
        assert!(!hosts[1].returns_after(Status::NotFound));
        assert_eq!(names(&sources(CONF, "services").unwrap()), ["db", "files"]);
        assert_eq!(sources(CONF, "protocols"), None);
        assert_eq!(sources(CONF, "host"), None);
    }

    #[test]
    fn criteria_and_their_negation() {
        let spec = parse_spec("files[!UNAVAIL=return]dns [notfound=return tryagain=continue] x");
        assert_eq!(names(&spec), ["files", "dns", "x"]);
        assert!(spec[0].returns_after(Status::Success));
        assert!(spec[0].returns_after(Status::NotFound));
        assert!(spec[0].returns_after(Status::TryAgain));
        assert!(!spec[0].returns_after(Status::Unavail));
        assert!(spec[1].returns_after(Status::NotFound));
        assert!(!spec[1].returns_after(Status::TryAgain));
        assert!(!spec[2].returns_after(Status::NotFound));
        // Unknown words leave the defaults.
        let spec = parse_spec("files [BOGUS=return NOTFOUND=maybe] ");
        assert_eq!(names(&spec), ["files"]);
        assert!(!spec[0].returns_after(Status::NotFound));
    }

    #[test]
    fn defaults_for_a_missing_line() {
        let hosts = default_sources("hosts");
        assert_eq!(names(&hosts), ["dns", "files"]);
        assert!(hosts[0].returns_after(Status::NotFound));
        assert!(!hosts[0].returns_after(Status::Unavail));
        assert_eq!(names(&default_sources("services")), ["files"]);
        assert_eq!(
            names(&sources("hosts: files # dns", "hosts").unwrap()),
            ["files"]
        );
    }
}
