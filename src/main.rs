//! `ipvsadm`, and `ipvsadm-save` / `ipvsadm-restore` when called by those names.
//!
//! The binary has a C `main` (`#![no_main]`): Rust's runtime set-up before
//! `fn main` (an alternate signal stack for stack-overflow reports, which on
//! glibc means reading `/proc/self/maps`) costs more than the rest of a
//! single `ipvsadm -A` in the emulated test kernel, and scripts run ipvsadm
//! once per rule. What of that set-up matters here is done below: standard
//! descriptors 0-2 are made valid, and SIGPIPE keeps its default action.
//! The arguments are read from `main`'s own `argc`/`argv`, which every C
//! library passes (glibc and musl alike).
#![no_main]

use std::ffi::CStr;
use std::io::{self, BufWriter};
use std::os::raw::{c_char, c_int};

use ipvsadm::cli::run::{base_name, run_ipvsadm, run_save, Streams};

// See Cargo.toml: musl's allocator returns memory to the kernel too eagerly
// for tables of a hundred thousand rules.
#[cfg(target_env = "musl")]
#[global_allocator]
static ALLOCATOR: dlmalloc::GlobalDlmalloc = dlmalloc::GlobalDlmalloc;

/// The process entry point, called by the C runtime.
#[no_mangle]
pub extern "C" fn main(argc: c_int, argv: *const *const c_char) -> c_int {
    open_missing_standard_fds();
    let argv = arguments(argc, argv);
    let program = argv
        .first()
        .map(|a| String::from_utf8_lossy(a).into_owned())
        .unwrap_or_else(|| "ipvsadm".to_string());
    let name = base_name(&program).to_string();
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
        "ipvsadm-restore" => ipvsadm::restore::run_restore(&argv, &mut streams),
        _ => run_ipvsadm(&argv, &mut streams),
    };
    drop(streams);
    drop(out);
    // Flushes standard output and exits. Like the C tool, a closed stdout
    // (`ipvsadm -Ln | head -1`) has ended the process quietly by SIGPIPE
    // before this, rather than making every write fail.
    std::process::exit(code)
}

/// The process's arguments as byte strings, from the C runtime's `argv`.
fn arguments(argc: c_int, argv: *const *const c_char) -> Vec<Vec<u8>> {
    let count = usize::try_from(argc).unwrap_or(0);
    if argv.is_null() {
        return Vec::new();
    }
    (0..count)
        .map(|i| {
            // SAFETY: the C runtime passes `argc` valid pointers in `argv`;
            // `i < argc`, so this reads one of them.
            let arg = unsafe { *argv.add(i) };
            if arg.is_null() {
                return Vec::new();
            }
            // SAFETY: each argument is a NUL-terminated string that lives
            // for the whole process.
            unsafe { CStr::from_ptr(arg) }.to_bytes().to_vec()
        })
        .collect()
}

/// Opens /dev/null on any of descriptors 0-2 that is closed, so that the
/// netlink socket never becomes "standard output" (the standard library's
/// runtime does the same before a Rust `main`).
fn open_missing_standard_fds() {
    for fd in 0..3 {
        // SAFETY: F_GETFD on any descriptor number only reads its flags.
        let closed = unsafe { libc::fcntl(fd, libc::F_GETFD) } == -1
            && io::Error::last_os_error().raw_os_error() == Some(libc::EBADF);
        if closed {
            // SAFETY: a NUL-terminated path; open returns the lowest free
            // descriptor, which is `fd` since the ones below it are open.
            let opened = unsafe { libc::open(c"/dev/null".as_ptr(), libc::O_RDWR) };
            if opened != fd {
                std::process::abort();
            }
        }
    }
}
