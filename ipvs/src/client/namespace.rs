//! Network namespaces: a [`Client`] whose socket lives in another one.
//!
//! A netlink socket belongs to the network namespace it was created in, for
//! its whole life, whatever thread later uses it; the kernel handles every
//! IPVS request in the socket's namespace (services, timeouts, sync
//! daemons). So [`Client::connect_in_namespace`] creates the socket on a
//! short-lived thread that has entered the namespace, and the caller's
//! threads stay where they are: a library that moved its caller's thread
//! would move every later socket, `/proc/thread-self/net` read and name
//! lookup of that thread too, and could not always move it back.

use std::fs::File;
use std::os::fd::AsFd;
use std::path::Path;

use rustix::thread::{move_into_link_name_space, LinkNameSpaceType};

use super::{Client, Error};

/// Moves the calling thread into the network namespace at `path`: a
/// namespace file such as `/proc/PID/ns/net`, or a bind mount of one such as
/// `/run/netns/NAME` (what `ip netns add` makes) or Docker's
/// `/var/run/docker/netns/...`. Needs `CAP_SYS_ADMIN`.
///
/// Every socket the thread opens afterwards, and what it reads under
/// `/proc/thread-self/net`, belong to that namespace. Called on the main
/// thread of a program that has started no other threads, it moves the
/// program as a whole (its `/proc/net` reads too), as `ip netns exec` does.
/// To talk to IPVS in a namespace without moving any thread, use
/// [`Client::connect_in_namespace`].
pub fn enter_network_namespace(path: impl AsRef<Path>) -> Result<(), Error> {
    let path = path.as_ref();
    let file = open(path)?;
    enter(&file, path)
}

/// Opens a namespace file (close-on-exec).
fn open(path: &Path) -> Result<File, Error> {
    File::open(path).map_err(|source| Error::NamespaceOpen {
        path: path.to_path_buf(),
        source,
    })
}

/// `setns(file, CLONE_NEWNET)` for the calling thread.
fn enter(file: &File, path: &Path) -> Result<(), Error> {
    move_into_link_name_space(file.as_fd(), Some(LinkNameSpaceType::Network)).map_err(|errno| {
        Error::NamespaceEnter {
            path: path.to_path_buf(),
            source: errno.into(),
        }
    })
}

impl Client {
    /// [`Client::connect`] inside the network namespace at `path` (see
    /// [`enter_network_namespace`] for the paths): the client sees and
    /// changes that namespace's IPVS table, timeouts and sync daemons.
    ///
    /// The socket is created by a thread of its own that enters the
    /// namespace and ends; no thread of the caller changes namespace.
    ///
    /// ```no_run
    /// use ipvs::Ipvs;
    ///
    /// # fn main() -> Result<(), ipvs::Error> {
    /// // Docker Swarm's ingress load balancer.
    /// let mut client = ipvs::Client::connect_in_namespace("/var/run/docker/netns/ingress_sbox")?;
    /// for listing in client.listing()? {
    ///     println!("{}", listing.entry.service.key);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub fn connect_in_namespace(path: impl AsRef<Path>) -> Result<Client, Error> {
        let path = path.as_ref();
        // Opened here: a path that does not exist is the caller's mistake,
        // reported before any thread starts.
        let file = open(path)?;
        std::thread::scope(|scope| {
            let connecting = std::thread::Builder::new()
                .name("ipvs-netns".into())
                .spawn_scoped(scope, || {
                    enter(&file, path)?;
                    Client::connect()
                })?;
            match connecting.join() {
                Ok(result) => result,
                Err(panic) => std::panic::resume_unwind(panic),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_namespace_or_another_file_is_an_error_of_its_own() {
        match Client::connect_in_namespace("/nonexistent/ns/net") {
            Err(Error::NamespaceOpen { path, source }) => {
                assert_eq!(path, Path::new("/nonexistent/ns/net"));
                assert_eq!(source.raw_os_error(), Some(libc::ENOENT));
            }
            other => panic!("{other:?}"),
        }
        // Not a namespace: setns refuses it, on the connecting thread.
        match Client::connect_in_namespace("/dev/null") {
            Err(e @ Error::NamespaceEnter { .. }) => assert_eq!(e.errno(), Some(libc::EINVAL)),
            other => panic!("{other:?}"),
        }
        let e = enter_network_namespace("/dev/null").unwrap_err();
        assert_eq!(
            e.to_string(),
            "cannot enter network namespace /dev/null: Invalid argument (os error 22)"
        );
    }
}
