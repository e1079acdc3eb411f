//! Hex tracing of netlink traffic: with `IPVS_NETLINK_TRACE` set to a file
//! path, every message sent (`> hex`) and received (`< hex`) is appended
//! to that file, one message per line.

use std::fmt::Write as _;
use std::fs::{File, OpenOptions};
use std::io::{self, Write};

use crate::netlink::frames;

/// Environment variable naming a file to append a hex trace of all netlink traffic to.
pub const TRACE_ENV: &str = "IPVS_NETLINK_TRACE";

/// Where traffic is traced, if anywhere.
#[derive(Debug, Default)]
pub(super) struct Trace(Option<File>);

impl Trace {
    /// The trace file [`TRACE_ENV`] names, opened for appending; none if unset or empty.
    pub(super) fn from_env() -> io::Result<Self> {
        Ok(Trace(match std::env::var_os(TRACE_ENV) {
            Some(path) if !path.is_empty() => {
                Some(OpenOptions::new().create(true).append(true).open(path)?)
            }
            _ => None,
        }))
    }

    /// Appends one line per netlink message of `bytes`. Tracing is best
    /// effort: a failed write does not fail the request.
    #[inline]
    pub(super) fn record(&mut self, direction: char, bytes: &[u8]) {
        if let Some(file) = self.0.as_mut() {
            write_trace(file, direction, bytes);
        }
    }
}

#[cold]
fn write_trace(file: &mut File, direction: char, bytes: &[u8]) {
    let mut text = String::new();
    let mut consumed = 0;
    for frame in frames(bytes).map_while(Result::ok) {
        consumed = frame.raw.as_ptr() as usize - bytes.as_ptr() as usize + frame.raw.len();
        line(&mut text, direction, frame.raw);
    }
    let rest = &bytes[consumed.min(bytes.len())..];
    if rest.iter().any(|&b| b != 0) {
        line(&mut text, direction, rest);
    }
    let _ = file.write_all(text.as_bytes());
}

/// `direction`, a space, lowercase hex of `bytes`, a newline.
fn line(text: &mut String, direction: char, bytes: &[u8]) {
    text.push(direction);
    text.push(' ');
    for b in bytes {
        let _ = write!(text, "{b:02x}");
    }
    text.push('\n');
}
