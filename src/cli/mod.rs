//! ipvsadm's command line: the option table, parsing, the command/option rules,
//! and running a parsed command.
//!
//! - [`flags`]: the one table of flags (parser, command/option rules, help text, man
//!   pages and completions).
//! - [`popt`]: popt 1.19's tokenizing rules.
//! - [`parse`]: from arguments to a checked [`Command`], with ipvsadm's messages.
//! - [`restore_input`]: `-R` input split into lines of arguments, each parsed.
//! - [`messages`]: kernel errors as ipvsadm words them.
//! - [`help`]: the `-h` and `-v` texts.
//! - [`netns`]: `--netns`, taken out of the command line and entered first.
//!
//! Driving it (what `run.rs` does, minus the kernel):
//!
//! ```
//! use ipvsadm::cli::{parse_args, Command, ParseConfig, SystemResolver};
//!
//! let args = ["ipvsadm", "-A", "-t", "10.0.0.1:80", "-s", "rr", "-p"];
//! match parse_args(&args, &ParseConfig::default(), &SystemResolver) {
//!     Ok(Command::AddService(service)) => assert_eq!(service.config.timeout, 360),
//!     Ok(other) => panic!("unexpected {other:?}"),
//!     // On error: write `e.message` (bytes) to stderr, exit with `e.exit_code()`.
//!     Err(e) => panic!("{e}"),
//! }
//! ```

pub mod command;
mod errno_text;
pub mod error;
pub mod flags;
pub mod help;
pub mod messages;
pub mod netns;
pub mod parse;
pub mod popt;
pub mod restore_input;
pub mod run;
pub mod values;

pub use command::{Command, ListFormat, ListRequest, ListWhat};
pub use error::{CliError, CliErrorKind};
pub use parse::{parse_args, program_name, ParseConfig};
pub use values::{NameResolver, SystemResolver};

#[cfg(test)]
mod reference_tests;
