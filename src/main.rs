//! `ipvsadm`, and `ipvsadm-save` / `ipvsadm-restore` when called by those names.

use std::io::{self, BufWriter};
use std::os::unix::ffi::OsStringExt;

use ipvs::cli::run::{run_ipvsadm, run_save, Streams};

fn main() {
    // Like the C tool: a closed stdout (`ipvsadm -Ln | head -1`) ends the
    // process quietly instead of making every write fail.
    // SAFETY: setting a signal disposition to its default has no preconditions.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let argv: Vec<Vec<u8>> = std::env::args_os().map(|a| a.into_vec()).collect();
    let program = argv
        .first()
        .map(|a| String::from_utf8_lossy(a).into_owned())
        .unwrap_or_else(|| "ipvsadm".to_string());
    let name = program.rsplit('/').next().unwrap_or(&program).to_string();
    let stdout = io::stdout();
    let stderr = io::stderr();
    let mut out = BufWriter::with_capacity(64 * 1024, stdout.lock());
    let mut err = stderr.lock();
    let mut streams = Streams {
        out: &mut out,
        err: &mut err,
        program,
    };
    let code = match name.as_str() {
        "ipvsadm-save" => run_save(&argv, &mut streams),
        "ipvsadm-restore" => ipvs::restore::run_restore(&argv, &mut streams),
        _ => run_ipvsadm(&argv, &mut streams),
    };
    drop(streams);
    drop(out);
    std::process::exit(code);
}
