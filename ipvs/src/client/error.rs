//! What can go wrong talking to the kernel.

use std::io;
use std::path::PathBuf;

use crate::netlink::DecodeError;

/// What can go wrong talking to the kernel.
#[derive(thiserror::Error, Debug)]
pub enum Error {
    /// The IPVS generic-netlink family is not registered (module not loaded).
    #[error("the IPVS generic netlink family is not registered (is the ip_vs module loaded?)")]
    FamilyNotFound,
    /// The kernel answered a request with an error (positive errno).
    #[error("the kernel refused the request: {}", io::Error::from_raw_os_error(*errno))]
    Kernel {
        /// The kernel's error number, e.g. `libc::EEXIST`.
        errno: i32,
    },
    /// A reply could not be decoded.
    #[error("malformed netlink reply: {0}")]
    Decode(String),
    /// Socket I/O failed.
    #[error("netlink socket error: {0}")]
    Io(#[from] io::Error),
    /// No answer within the time limit.
    #[error("no answer from the kernel within the time limit")]
    Timeout,
    /// The kernel's answer to this request was dropped because the socket's
    /// receive buffer overflowed: whether the request was applied is unknown.
    #[error("the kernel's answer was lost (receive buffer overflow); whether the request was applied is unknown")]
    AckLost,
    /// A dump was flagged inconsistent (the table changed while it was read)
    /// on every attempt; no listing is returned rather than a partial one.
    #[error("the table kept changing while it was listed; gave up after {attempts} attempts")]
    DumpInterrupted {
        /// How many times the dump was started.
        attempts: usize,
    },
    /// The network namespace file could not be opened (it does not exist,
    /// say).
    #[error("cannot open network namespace {}: {source}", path.display())]
    NamespaceOpen {
        /// The namespace file as given.
        path: PathBuf,
        /// Why `open` failed.
        source: io::Error,
    },
    /// The file is not a network namespace, or entering it was not allowed
    /// (`setns` needs `CAP_SYS_ADMIN`).
    #[error("cannot enter network namespace {}: {source}", path.display())]
    NamespaceEnter {
        /// The namespace file as given.
        path: PathBuf,
        /// Why `setns` failed.
        source: io::Error,
    },
}

impl Error {
    /// The errno behind the error: the kernel's, or the raw OS error of an I/O failure.
    pub fn errno(&self) -> Option<i32> {
        match self {
            Error::Kernel { errno } => Some(*errno),
            Error::Io(e) => e.raw_os_error(),
            Error::NamespaceOpen { source, .. } | Error::NamespaceEnter { source, .. } => {
                source.raw_os_error()
            }
            _ => None,
        }
    }

    /// Whether the socket dropped messages for want of buffer space.
    pub(super) fn is_enobufs(&self) -> bool {
        matches!(self, Error::Io(io) if io.raw_os_error() == Some(libc::ENOBUFS))
    }
}

impl From<DecodeError> for Error {
    fn from(e: DecodeError) -> Self {
        Error::Decode(e.to_string())
    }
}
