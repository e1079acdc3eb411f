//! One restore at a time: an exclusive `flock` on a lock file, held until
//! the restore is over (the lock goes with the process, even if it dies).
//!
//! The file is `/run/ipvsadm-restore.lock`; on a system without `/run`,
//! `/var/run/...`, else `/tmp/...`. The choice depends only on which
//! directories exist, so every restore on the machine picks the same file.

use std::fs::{File, OpenOptions};
use std::io;
use std::os::fd::AsRawFd;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

/// The lock file's name, in the first of [`LOCK_DIRS`] that exists.
pub const LOCK_FILE_NAME: &str = "ipvsadm-restore.lock";
/// Where the lock file goes, in order of preference.
pub const LOCK_DIRS: [&str; 3] = ["/run", "/var/run", "/tmp"];

/// A held restore lock; dropping it releases the lock.
#[derive(Debug)]
pub struct RestoreLock {
    _file: File,
    path: PathBuf,
}

impl RestoreLock {
    /// The lock file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// The lock file for this system.
pub fn lock_path() -> PathBuf {
    let dir = LOCK_DIRS
        .iter()
        .map(Path::new)
        .find(|dir| dir.is_dir())
        .unwrap_or(Path::new("/tmp"));
    dir.join(LOCK_FILE_NAME)
}

/// Takes the restore lock at `path`, waiting for another holder to let go;
/// `on_wait` is called once, before waiting, if it has to.
pub fn acquire(path: &Path, on_wait: impl FnOnce(&Path)) -> io::Result<RestoreLock> {
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC)
        .open(path)?;
    if !try_flock(&file, libc::LOCK_EX | libc::LOCK_NB)? {
        on_wait(path);
        while !try_flock(&file, libc::LOCK_EX)? {}
    }
    Ok(RestoreLock {
        _file: file,
        path: path.to_path_buf(),
    })
}

/// `flock`: `Ok(false)` when a non-blocking attempt found the lock taken or
/// a wait was interrupted by a signal.
fn try_flock(file: &File, operation: i32) -> io::Result<bool> {
    // SAFETY: flock on a file descriptor this process owns.
    if unsafe { libc::flock(file.as_raw_fd(), operation) } == 0 {
        return Ok(true);
    }
    let e = io::Error::last_os_error();
    match e.raw_os_error() {
        Some(libc::EWOULDBLOCK) | Some(libc::EINTR) => Ok(false),
        _ => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;
    use std::time::Duration;

    #[test]
    fn a_second_holder_waits_for_the_first() {
        let dir = std::env::temp_dir().join(format!("ipvsadm-lock-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(LOCK_FILE_NAME);
        let first = acquire(&path, |_| panic!("nobody holds it yet")).unwrap();
        assert_eq!(first.path(), path);

        let (tx, rx) = mpsc::channel();
        let waiter_path = path.clone();
        let waiter = std::thread::spawn(move || {
            let mut waited = false;
            // flock locks belong to the open file, so a second open waits.
            let lock = acquire(&waiter_path, |_| waited = true).unwrap();
            tx.send(()).unwrap();
            drop(lock);
            waited
        });
        assert!(rx.recv_timeout(Duration::from_millis(300)).is_err());
        drop(first);
        rx.recv_timeout(Duration::from_secs(10)).unwrap();
        assert!(waiter.join().unwrap());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn the_path_is_in_an_existing_directory() {
        let path = lock_path();
        assert!(path.parent().unwrap().is_dir());
        assert!(path.ends_with(LOCK_FILE_NAME));
    }
}
