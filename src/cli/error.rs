//! Command-line errors with ipvsadm 1.31's exact text and exit status.

/// How ipvsadm 1.31 reacts to a bad command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CliErrorKind {
    /// `fail(2, ...)`: the command was rejected; the process exits with 2,
    /// ending a `-R` restore at that line.
    Rejected,
    /// `tryhelp_exit`: no command came first (or `-R` was read by `-R`);
    /// prints only the "Try ..." line and exits with 255, ending a restore.
    Usage,
    /// popt failed on an option after the command (`X: unknown option`):
    /// exit status 255, but a `-R` restore goes on with the next line.
    Option,
}

/// A rejected command line: what to print on standard error and the exit status.
///
/// The message is bytes because ipvsadm echoes arguments as given, and
/// arguments need not be UTF-8.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", String::from_utf8_lossy(message).trim_end())]
pub struct CliError {
    pub kind: CliErrorKind,
    /// The exact bytes for standard error, trailing newline(s) included.
    pub message: Vec<u8>,
}

impl CliError {
    /// `fail(2, ...)`: the concatenated parts and a newline.
    pub fn rejected(parts: &[&[u8]]) -> Self {
        let mut message = parts.concat();
        message.push(b'\n');
        CliError {
            kind: CliErrorKind::Rejected,
            message,
        }
    }

    /// `tryhelp_exit(program, -1)`.
    pub fn usage(program: &[u8]) -> Self {
        let message = [
            &b"Try `"[..],
            program,
            b" -h' or '",
            program,
            b" --help' for more information.\n",
        ]
        .concat();
        CliError {
            kind: CliErrorKind::Usage,
            message,
        }
    }

    /// A popt error after the command: `"<argument>: <popt message>\n"`.
    pub fn option(bad_option: &[u8], popt_message: &str) -> Self {
        let message = [bad_option, b": ", popt_message.as_bytes(), b"\n"].concat();
        CliError {
            kind: CliErrorKind::Option,
            message,
        }
    }

    /// The message as text (invalid UTF-8 shown as U+FFFD).
    pub fn message_lossy(&self) -> String {
        String::from_utf8_lossy(&self.message).into_owned()
    }

    /// The process exit status ipvsadm 1.31 ends with.
    pub fn exit_code(&self) -> i32 {
        match self.kind {
            CliErrorKind::Rejected => 2,
            CliErrorKind::Usage | CliErrorKind::Option => 255,
        }
    }

    /// Whether ipvsadm exits at once; otherwise (popt errors) a restore
    /// continues with its next line.
    pub fn ends_restore(&self) -> bool {
        self.kind != CliErrorKind::Option
    }
}
