//! `-R` input: lines of arguments, split the way ipvsadm 1.31 splits them
//! (its `config_stream_read`), each parsed like a command line.
//!
//! Splitting rules kept from 1.31:
//! - Tokens are separated by space, tab, carriage return and newline only;
//!   there is no quoting.
//! - Every token that is exactly `ipvsadm` is dropped (not only a leading one).
//! - A line without tokens is skipped.
//! - A token is cut at a NUL byte, and one longer than 4096 bytes is split
//!   into 4096-byte tokens.
//! - A last line without a newline is read, unless it ends in two or more
//!   blanks, in which case 1.31 drops it.
//! - `#` has no special meaning: a comment line reaches the parser and fails
//!   (exit 255, which ends the restore). [`RestoreOptions::allow_comments`]
//!   makes a token starting with `#` end the line instead.
//!
//! The caller reads every line first and can check them all before applying
//! any; ipvsadm 1.31 itself applies each line as soon as it is read.

use std::io::{self, BufRead};

use super::command::Command;
use super::error::CliError;
use super::parse::{parse_args, program_name, ParseConfig};
use super::values::NameResolver;

/// Longest token ipvsadm's reader keeps in one piece.
const MAX_TOKEN: usize = 4096;

/// How to read restore input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RestoreOptions {
    /// Treat a token starting with `#` as the start of a comment running to
    /// the end of the line (an extension; 1.31 rejects such lines).
    pub allow_comments: bool,
}

/// One command line of restore input, owned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RestoreLine {
    /// 1-based number of the input line.
    pub line_number: usize,
    /// The argument vector ipvsadm builds: the program name, then the tokens.
    pub args: Vec<Vec<u8>>,
}

impl RestoreLine {
    /// Parses the line as ipvsadm does inside `-R`: like a command line,
    /// except that `-R` itself is refused (try-help message, exit 255).
    ///
    /// `-h` and `-v` parse to [`Command::Help`]/[`Command::Version`]; 1.31
    /// prints the text and exits with status 0 on such a line, ending the restore.
    pub fn parse_using(
        &self,
        config: &ParseConfig,
        resolver: &dyn NameResolver,
    ) -> Result<Command, CliError> {
        parse_line(&self.args, config, resolver)
    }
}

/// A restore line's argument vector, parsed; `-R` inside `-R` is refused
/// (try-help message, exit 255).
fn parse_line<A: AsRef<[u8]>>(
    argv: &[A],
    config: &ParseConfig,
    resolver: &dyn NameResolver,
) -> Result<Command, CliError> {
    match parse_args(argv, config, resolver)? {
        Command::Restore => Err(CliError::usage(program_name(argv))),
        command => Ok(command),
    }
}

/// The tokens of one restore line, lent by [`RestoreReader::next_line`]:
/// slices of the line as read.
#[derive(Debug, Clone, Copy)]
pub struct LineTokens<'a> {
    /// 1-based number of the input line.
    pub line_number: usize,
    program: &'a [u8],
    line: &'a [u8],
    spans: &'a [(usize, usize)],
}

/// Tokens a line has at most for its argument vector to be built on the
/// stack (a save file's longest lines have 14).
const STACK_ARGS: usize = 16;

impl<'a> LineTokens<'a> {
    /// The tokens, in order (the program name not included).
    pub fn tokens(&self) -> impl Iterator<Item = &'a [u8]> + '_ {
        let line = self.line;
        self.spans
            .iter()
            .map(move |&(start, end)| &line[start..end])
    }

    /// Appends the tokens to `out`, one space between each two.
    pub fn join_into(&self, out: &mut Vec<u8>) {
        let (Some(&(first, _)), Some(&(_, last))) = (self.spans.first(), self.spans.last()) else {
            return;
        };
        let token_bytes: usize = self.spans.iter().map(|(start, end)| end - start).sum();
        if last - first == token_bytes + self.spans.len() - 1 {
            // One blank between each two tokens, as in any saved file: the
            // line in one copy (a copy per token costs more than the rest
            // of the line's handling with musl's memcpy), its blanks made
            // spaces.
            let base = out.len();
            out.extend_from_slice(&self.line[first..last]);
            for &(start, _) in &self.spans[1..] {
                out[base + (start - 1 - first)] = b' ';
            }
        } else {
            for (i, token) in self.tokens().enumerate() {
                if i > 0 {
                    out.push(b' ');
                }
                out.extend_from_slice(token);
            }
        }
    }

    /// [`RestoreLine::parse_using`] of these tokens.
    pub fn parse_using(
        &self,
        config: &ParseConfig,
        resolver: &dyn NameResolver,
    ) -> Result<Command, CliError> {
        if self.spans.len() < STACK_ARGS {
            let mut argv: [&[u8]; STACK_ARGS] = [&[]; STACK_ARGS];
            argv[0] = self.program;
            for (arg, token) in argv[1..].iter_mut().zip(self.tokens()) {
                *arg = token;
            }
            parse_line(&argv[..=self.spans.len()], config, resolver)
        } else {
            let argv: Vec<&[u8]> = std::iter::once(self.program).chain(self.tokens()).collect();
            parse_line(&argv, config, resolver)
        }
    }

    /// The line as an owned [`RestoreLine`].
    pub fn to_line(&self) -> RestoreLine {
        RestoreLine {
            line_number: self.line_number,
            args: std::iter::once(self.program)
                .chain(self.tokens())
                .map(<[u8]>::to_vec)
                .collect(),
        }
    }
}

/// Reads restore input line by line: [`RestoreReader::next_line`] lends
/// each line's tokens where the input's buffer holds them (a restore reads
/// tens of thousands of lines), copying only a line the buffer cuts; as an
/// iterator it yields owned lines.
pub struct RestoreReader<R> {
    input: R,
    options: RestoreOptions,
    program: Vec<u8>,
    line_number: usize,
    buf: Vec<u8>,
    /// Where each token of the current line is.
    spans: Vec<(usize, usize)>,
    /// Bytes of the input's buffer still lent as the current line.
    lent: usize,
}

impl<R: BufRead> RestoreReader<R> {
    /// `program` is the `argv[0]` of the `-R` invocation; it becomes each
    /// line's `argv[0]` and appears in messages.
    pub fn new(input: R, program: &[u8], options: RestoreOptions) -> Self {
        RestoreReader {
            input,
            options,
            program: program.to_vec(),
            line_number: 0,
            buf: Vec::new(),
            spans: Vec::new(),
            lent: 0,
        }
    }

    /// The next line with tokens, lent until the next call. `None` at the
    /// end of the input.
    pub fn next_line(&mut self) -> Option<io::Result<LineTokens<'_>>> {
        if self.lent > 0 {
            self.input.consume(self.lent);
            self.lent = 0;
        }
        loop {
            let available = match self.input.fill_buf() {
                Ok(available) => available,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Some(Err(e)),
            };
            self.spans.clear();
            let Some(len) = split_line(available, self.options, &mut self.spans) else {
                // The rest of the input, or a line longer than the buffer
                // holds: copied.
                match self.read_raw_line() {
                    Ok(true) => {}
                    Ok(false) => return None,
                    Err(e) => return Some(Err(e)),
                }
                self.spans.clear();
                split_line(&self.buf, self.options, &mut self.spans);
                if self.spans.is_empty() {
                    continue;
                }
                return Some(Ok(LineTokens {
                    line_number: self.line_number,
                    program: &self.program,
                    line: &self.buf,
                    spans: &self.spans,
                }));
            };
            // A whole line in the input's buffer is read where it is.
            self.line_number += 1;
            if self.spans.is_empty() {
                self.input.consume(len);
                continue;
            }
            // Consumed at the next call, once the line is no longer lent.
            self.lent = len;
            let line = match self.input.fill_buf() {
                Ok(available) => &available[..len],
                Err(e) => return Some(Err(e)),
            };
            return Some(Ok(LineTokens {
                line_number: self.line_number,
                program: &self.program,
                line,
                spans: &self.spans,
            }));
        }
    }

    /// Reads the next raw line into `buf`: true when there is one, false at
    /// the end (or at a last line 1.31 drops).
    fn read_raw_line(&mut self) -> io::Result<bool> {
        loop {
            self.buf.clear();
            match self.input.read_until(b'\n', &mut self.buf) {
                Ok(0) => return Ok(false),
                Ok(_) => {}
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
            self.line_number += 1;
            let terminated = self.buf.last() == Some(&b'\n');
            return Ok(terminated || trailing_blanks(&self.buf) < 2);
        }
    }
}

impl<R: BufRead> Iterator for RestoreReader<R> {
    type Item = io::Result<RestoreLine>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_line().map(|line| line.map(|l| l.to_line()))
    }
}

/// Reads all of `input` into lines (see [`RestoreReader`]).
pub fn read_restore_lines(
    input: impl BufRead,
    program: &[u8],
    options: RestoreOptions,
) -> io::Result<Vec<RestoreLine>> {
    RestoreReader::new(input, program, options).collect()
}

#[inline(always)]
fn is_blank(b: u8) -> bool {
    // Every blank is at most b' ': most bytes are decided by one comparison.
    b <= b' ' && matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

/// Blank bytes at the end of an unterminated last line (0 if it has no token).
fn trailing_blanks(line: &[u8]) -> usize {
    let blanks = line.iter().rev().take_while(|&&b| is_blank(b)).count();
    if blanks == line.len() {
        0
    } else {
        blanks
    }
}

/// Appends where each token of the line at the start of `buf` is (start,
/// end), in order, and returns the line's length with its newline: one pass
/// over the bytes. `None` if `buf` has no newline (its tokens are then all
/// of `buf`'s).
#[inline]
fn split_line(
    buf: &[u8],
    options: RestoreOptions,
    tokens: &mut Vec<(usize, usize)>,
) -> Option<usize> {
    let mut at = 0;
    loop {
        // Blanks up to a word; a newline ends the line.
        loop {
            match buf.get(at) {
                None => return None,
                Some(b'\n') => return Some(at + 1),
                Some(&b) if is_blank(b) => at += 1,
                Some(_) => break,
            }
        }
        let word_start = at;
        let mut nul = None;
        while let Some(&b) = buf.get(at) {
            if b <= b' ' {
                if is_blank(b) {
                    break;
                }
                if b == 0 && nul.is_none() {
                    nul = Some(at);
                }
            }
            at += 1;
        }
        if options.allow_comments && buf[word_start] == b'#' {
            // The rest of the line is a comment.
            return buf[at..]
                .iter()
                .position(|&b| b == b'\n')
                .map(|nl| at + nl + 1);
        }
        if at - word_start <= MAX_TOKEN {
            let end = nul.unwrap_or(at);
            if &buf[word_start..end] != b"ipvsadm" {
                tokens.push((word_start, end));
            }
            continue;
        }
        // A long word: 4096-byte tokens, each cut at its first NUL.
        let mut start = word_start;
        while start < at {
            let chunk_end = (start + MAX_TOKEN).min(at);
            let end = buf[start..chunk_end]
                .iter()
                .position(|&b| b == 0)
                .map_or(chunk_end, |nul| start + nul);
            if &buf[start..end] != b"ipvsadm" {
                tokens.push((start, end));
            }
            start = chunk_end;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::CliErrorKind;
    use crate::cli::SystemResolver;

    fn lines(input: &str, options: RestoreOptions) -> Vec<(usize, Vec<String>)> {
        read_restore_lines(input.as_bytes(), b"ipvsadm", options)
            .unwrap()
            .into_iter()
            .map(|l| {
                (
                    l.line_number,
                    l.args[1..]
                        .iter()
                        .map(|a| String::from_utf8(a.clone()).unwrap())
                        .collect(),
                )
            })
            .collect()
    }

    #[test]
    fn lent_lines_equal_the_owned_ones_and_parse_alike() {
        let long = "x".repeat(MAX_TOKEN * 2 + 5);
        let inputs = [
            "-A -t 10.0.0.1:80\n\n  -a -t 10.0.0.1:80 -r 10.0.0.2 -m\n",
            "ipvsadm -C\n# comment\n-A -t 1.2.3.4:80 # trailing\nipvsadm\n",
            "-A\t-t\r10.0.0.1:80\n-D -t 10.0.0.1:80",
            "-A -t 10.0.0.1:80  ",
            "-A -t a\0b c\n",
            &format!("-A -s {long}\n-a -t 1.1.1.1:1 -r 2.2.2.2 -w 3 -x 4 -y 5 -g\n-C\n"),
            "\0 \0ipvsadm -A\0x -t 10.0.0.1:80\n-R\n-A -t10.0.0.1:80 -srr\n-L -n -n\n",
            &format!("-a {}\n", "-t 1.1.1.1:1 ".repeat(STACK_ARGS)),
            &format!("-a {}\n", "-w 1 ".repeat(STACK_ARGS / 2 - 1)),
        ];
        for input in inputs {
            for allow_comments in [false, true] {
                let options = RestoreOptions { allow_comments };
                let owned = read_restore_lines(input.as_bytes(), b"prog", options).unwrap();
                // From buffers of every size.
                for capacity in [1, 2, 7, 64, 100_000] {
                    let input_reader = io::BufReader::with_capacity(capacity, input.as_bytes());
                    let mut reader = RestoreReader::new(input_reader, b"prog", options);
                    let mut index = 0;
                    while let Some(tokens) = reader.next_line() {
                        let tokens = tokens.unwrap();
                        let line = &owned[index];
                        index += 1;
                        assert_eq!(&tokens.to_line(), line);
                        // Joined after what the buffer already holds.
                        let mut joined = b"kept".to_vec();
                        tokens.join_into(&mut joined);
                        assert_eq!(joined, [&b"kept"[..], &line.args[1..].join(&b' ')].concat());
                        let config = ParseConfig::default();
                        match (
                            tokens.parse_using(&config, &SystemResolver),
                            line.parse_using(&config, &SystemResolver),
                        ) {
                            (Ok(a), Ok(b)) => assert_eq!(a, b, "{input:?}"),
                            (Err(a), Err(b)) => assert_eq!(a.message, b.message, "{input:?}"),
                            (a, b) => panic!("{input:?}: tokens {a:?}, line {b:?}"),
                        }
                    }
                    assert_eq!(index, owned.len());
                }
            }
        }
    }

    fn words(s: &str) -> Vec<String> {
        s.split(' ').map(str::to_string).collect()
    }

    #[test]
    fn splits_like_ipvsadm() {
        let input = "-A -t 10.0.0.1:80 -s rr\n\n  \t\r\nipvsadm -C\n-a\t-t 10.0.0.1:80  -r 10.0.0.2\r\nipvsadm\n-Ln ipvsadm -t x";
        assert_eq!(
            lines(input, RestoreOptions::default()),
            vec![
                (1, words("-A -t 10.0.0.1:80 -s rr")),
                (4, words("-C")),
                (5, words("-a -t 10.0.0.1:80 -r 10.0.0.2")),
                (7, words("-Ln -t x")),
            ]
        );
    }

    #[test]
    fn unterminated_last_line() {
        let d = RestoreOptions::default();
        assert_eq!(lines("-C", d), vec![(1, words("-C"))]);
        assert_eq!(lines("-C ", d), vec![(1, words("-C"))]);
        assert_eq!(lines("-Z\n-C  ", d), vec![(1, words("-Z"))]);
        assert_eq!(lines("-C\t\r", d), vec![]);
        assert_eq!(lines("-C  \n", d), vec![(1, words("-C"))]);
        assert_eq!(lines("   ", d), vec![]);
    }

    #[test]
    fn comments_pass_through_unless_allowed() {
        let input = "# saved rules\n-C # flush\n";
        assert_eq!(
            lines(input, RestoreOptions::default()),
            vec![(1, words("# saved rules")), (2, words("-C # flush"))]
        );
        let allow = RestoreOptions {
            allow_comments: true,
        };
        assert_eq!(lines(input, allow), vec![(2, words("-C"))]);
        assert_eq!(lines("-C a#b\n", allow), vec![(1, words("-C a#b"))]);
    }

    #[test]
    fn nul_and_long_tokens() {
        let got = read_restore_lines(&b"-s rr\0x -C\n"[..], b"ipvsadm", RestoreOptions::default())
            .unwrap();
        assert_eq!(
            got[0].args[1..],
            [b"-s".to_vec(), b"rr".to_vec(), b"-C".to_vec()]
        );
        let long = "a".repeat(MAX_TOKEN + 10);
        let got = lines(&format!("-s {long}\n"), RestoreOptions::default());
        assert_eq!(got[0].1.len(), 3);
        assert_eq!(got[0].1[1].len(), MAX_TOKEN);
        assert_eq!(got[0].1[2].len(), 10);
    }

    #[test]
    fn lines_parse_with_the_program_name() {
        let cfg = ParseConfig::default();
        let all = read_restore_lines(
            &b"-A -t 10.0.0.1:80\n-R\n# comment\n-L --bogus\n"[..],
            b"/sbin/ipvsadm",
            RestoreOptions::default(),
        )
        .unwrap();
        assert!(matches!(
            all[0].parse_using(&cfg, &SystemResolver),
            Ok(Command::AddService(_))
        ));
        let e = all[1].parse_using(&cfg, &SystemResolver).unwrap_err();
        assert_eq!(e.kind, CliErrorKind::Usage);
        assert_eq!(
            e.message_lossy(),
            "Try `/sbin/ipvsadm -h' or '/sbin/ipvsadm --help' for more information.\n"
        );
        let e = all[2].parse_using(&cfg, &SystemResolver).unwrap_err();
        assert_eq!((e.kind, e.exit_code()), (CliErrorKind::Usage, 255));
        let e = all[3].parse_using(&cfg, &SystemResolver).unwrap_err();
        assert_eq!(e.message_lossy(), "--bogus: unknown option\n");
        assert!(!e.ends_restore());
    }
}
