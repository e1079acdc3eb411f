//! Names and numbers the way ipvsadm 1.31 resolves them with glibc:
//! `inet_aton`/`inet_pton` for literals, `gethostbyname`/`gethostbyaddr` for
//! hosts, `getservbyname`/`getservbyport` for ports.
//!
//! The sources are those `/etc/nsswitch.conf` names for `hosts:` and
//! `services:`, in its order. The `files` source is read here, with glibc's
//! rules ([`files`]), whatever C library the binary is linked with: musl's
//! resolver matches `/etc/hosts` case-sensitively and asks DNS even where
//! nsswitch.conf says not to. Every other source (`dns`, `myhostname`, ...)
//! is left to the C library's functions. The files are read once, at the
//! first lookup that needs them.
//!
//! The C functions return pointers into static storage, so every call copies
//! the result out while holding one process-wide lock.

pub mod files;
pub mod nsswitch;

use std::ffi::{CStr, CString};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::sync::{Mutex, OnceLock};

use libc::{c_char, c_int, c_void, hostent, in6_addr, in_addr, socklen_t};

use ipvs::model::Protocol;

use files::{Family, Hosts, Services};
use nsswitch::{Source, Status};

extern "C" {
    fn inet_aton(cp: *const c_char, inp: *mut in_addr) -> c_int;
    fn inet_pton(af: c_int, src: *const c_char, dst: *mut c_void) -> c_int;
    fn gethostbyname(name: *const c_char) -> *mut hostent;
    fn gethostbyaddr(addr: *const c_void, len: socklen_t, kind: c_int) -> *mut hostent;
}

/// Serialises calls into the non-reentrant C resolver functions.
static RESOLVER: Mutex<()> = Mutex::new(());

fn lock() -> std::sync::MutexGuard<'static, ()> {
    RESOLVER
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Calls `f` with `text` as a C string, or returns `None` if it holds a NUL.
/// Short strings (every address) go through a stack buffer: a restore
/// parses tens of thousands of them.
fn with_c_str<T>(text: &str, f: impl FnOnce(&CStr) -> Option<T>) -> Option<T> {
    let mut buf = [0u8; 64];
    if text.len() < buf.len() {
        buf[..text.len()].copy_from_slice(text.as_bytes());
        let c = CStr::from_bytes_with_nul(&buf[..=text.len()]).ok()?;
        f(c)
    } else {
        f(&CString::new(text).ok()?)
    }
}

/// Parses an IPv4 address the way `inet_aton` does (so `10.1`, `0x0a000001`
/// and `167772161` are accepted, as ipvsadm accepts them).
pub fn parse_ipv4_aton(text: &str) -> Option<Ipv4Addr> {
    with_c_str(text, |c| {
        let mut out = in_addr { s_addr: 0 };
        // SAFETY: `c` is a valid NUL-terminated string and `out` a valid in_addr.
        let ok = unsafe { inet_aton(c.as_ptr(), &mut out) };
        (ok != 0).then(|| Ipv4Addr::from(u32::from_be(out.s_addr)))
    })
}

/// Parses a dotted-quad IPv4 address with `inet_pton` (strict form).
pub fn parse_ipv4_pton(text: &str) -> Option<Ipv4Addr> {
    with_c_str(text, |c| {
        let mut out = in_addr { s_addr: 0 };
        // SAFETY: valid string, and `out` is large enough for AF_INET.
        let ok = unsafe { inet_pton(libc::AF_INET, c.as_ptr(), &mut out as *mut _ as *mut c_void) };
        (ok > 0).then(|| Ipv4Addr::from(u32::from_be(out.s_addr)))
    })
}

/// Parses an IPv6 address with `inet_pton`.
pub fn parse_ipv6(text: &str) -> Option<Ipv6Addr> {
    with_c_str(text, |c| {
        let mut out = in6_addr { s6_addr: [0; 16] };
        // SAFETY: valid string, and `out` is large enough for AF_INET6.
        let ok = unsafe {
            inet_pton(
                libc::AF_INET6,
                c.as_ptr(),
                &mut out as *mut _ as *mut c_void,
            )
        };
        (ok > 0).then_some(Ipv6Addr::from(out.s6_addr))
    })
}

/// The first IPv4 address of a host name, as glibc's `gethostbyname` gives
/// it; `None` when it has none (ipvsadm's `host_to_addr`).
pub fn host_to_ipv4(name: &str) -> Option<Ipv4Addr> {
    if numeric_host_name(name) {
        return None;
    }
    let from_files = || {
        let hosts = hosts_file()?;
        match hosts.address_of(name, Family::V4) {
            Some(IpAddr::V4(addr)) => Ok(Some(addr)),
            _ => Ok(None),
        }
    };
    lookup(&config().hosts, from_files, || library_host_to_ipv4(name))
}

/// The host name of an address, as glibc's `gethostbyaddr` gives it.
pub fn addr_to_host(addr: &IpAddr) -> Option<String> {
    // glibc answers "not found" for `::` before asking any source.
    if *addr == IpAddr::V6(Ipv6Addr::UNSPECIFIED) {
        return None;
    }
    let from_files = || Ok(hosts_file()?.name_of(addr).map(str::to_owned));
    lookup(&config().hosts, from_files, || library_addr_to_host(addr))
}

/// The port of a service name for a protocol (`getservbyname`).
pub fn service_to_port(name: &str, protocol: Protocol) -> Option<u16> {
    let from_files = || Ok(services_file()?.port_of(name, protocol.lower_name()));
    lookup(&config().services, from_files, || {
        library_service_to_port(name, protocol)
    })
}

/// The service name of a port for a protocol (`getservbyport`).
pub fn port_to_service(port: u16, protocol: Protocol) -> Option<String> {
    let from_files = || {
        let services = services_file()?;
        Ok(services
            .name_of(port, protocol.lower_name())
            .map(str::to_owned))
    };
    lookup(&config().services, from_files, || {
        library_port_to_service(port, protocol)
    })
}

/// Names glibc's `gethostbyname` settles without asking any source
/// (`__nss_hostname_digits_dots`): all digits and dots, or an IPv6-like
/// string of hex digits, colons and dots, not ending in a dot. The numbers
/// among them never reach this point (`inet_aton` takes them first), and an
/// IPv6 one is no IPv4 address, so each is "not found".
fn numeric_host_name(name: &str) -> bool {
    let bytes = name.as_bytes();
    let Some(&first) = bytes.first() else {
        return false;
    };
    if bytes.last() == Some(&b'.') {
        return false;
    }
    let digits_dots =
        first.is_ascii_digit() && bytes.iter().all(|&b| b.is_ascii_digit() || b == b'.');
    let ipv6_like = ((first.is_ascii_hexdigit() && bytes.contains(&b':')) || first == b':')
        && bytes
            .iter()
            .all(|&b| b.is_ascii_hexdigit() || b == b':' || b == b'.');
    digits_dots || ipv6_like
}

/// Where the files' sources and tables come from.
const NSSWITCH_CONF: &str = "/etc/nsswitch.conf";
const HOSTS: &str = "/etc/hosts";
const SERVICES: &str = "/etc/services";

/// The `hosts:` and `services:` sources, read once.
struct Config {
    hosts: Vec<Source>,
    services: Vec<Source>,
}

fn config() -> &'static Config {
    static CONFIG: OnceLock<Config> = OnceLock::new();
    CONFIG.get_or_init(|| {
        let conf = std::fs::read(NSSWITCH_CONF).unwrap_or_default();
        let conf = String::from_utf8_lossy(&conf);
        let sources = |database| {
            nsswitch::sources(&conf, database)
                .unwrap_or_else(|| nsswitch::default_sources(database))
        };
        Config {
            hosts: sources("hosts"),
            services: sources("services"),
        }
    })
}

/// A source that could not be asked: NSS's `UNAVAIL`.
struct Unavailable;

fn hosts_file() -> Result<&'static Hosts, Unavailable> {
    static HOSTS_FILE: OnceLock<Option<Hosts>> = OnceLock::new();
    HOSTS_FILE
        .get_or_init(|| std::fs::read(HOSTS).ok().map(|text| Hosts::parse(&text)))
        .as_ref()
        .ok_or(Unavailable)
}

fn services_file() -> Result<&'static Services, Unavailable> {
    static SERVICES_FILE: OnceLock<Option<Services>> = OnceLock::new();
    SERVICES_FILE
        .get_or_init(|| {
            std::fs::read(SERVICES)
                .ok()
                .map(|text| Services::parse(&text))
        })
        .as_ref()
        .ok_or(Unavailable)
}

/// Asks `sources` in order, as NSS does: `files` here, and at the first
/// other source the C library, which then asks that source and the rest
/// (with glibc it asks the whole list again; `files` misses again).
fn lookup<T>(
    sources: &[Source],
    files: impl Fn() -> Result<Option<T>, Unavailable>,
    library: impl FnOnce() -> Option<T>,
) -> Option<T> {
    for source in sources {
        if source.name != "files" {
            return library();
        }
        let status = match files() {
            Ok(Some(found)) => return Some(found),
            Ok(None) => Status::NotFound,
            Err(Unavailable) => Status::Unavail,
        };
        if source.returns_after(status) {
            return None;
        }
    }
    None
}

/// `gethostbyname`'s first address, when it is IPv4.
fn library_host_to_ipv4(name: &str) -> Option<Ipv4Addr> {
    let c = CString::new(name).ok()?;
    let _guard = lock();
    // SAFETY: valid string; the returned pointer is read only under the lock.
    unsafe {
        let host = gethostbyname(c.as_ptr());
        if host.is_null() {
            return None;
        }
        let host = &*host;
        if host.h_addrtype != libc::AF_INET || host.h_length != 4 || host.h_addr_list.is_null() {
            return None;
        }
        let first = *host.h_addr_list;
        if first.is_null() {
            return None;
        }
        let bytes = std::slice::from_raw_parts(first as *const u8, 4);
        Some(Ipv4Addr::new(bytes[0], bytes[1], bytes[2], bytes[3]))
    }
}

/// `gethostbyaddr`'s name of an address.
fn library_addr_to_host(addr: &IpAddr) -> Option<String> {
    let _guard = lock();
    // SAFETY: the address buffers live for the call; the result is copied
    // out under the lock.
    unsafe {
        let host = match addr {
            IpAddr::V4(a) => {
                let octets = a.octets();
                gethostbyaddr(octets.as_ptr() as *const c_void, 4, libc::AF_INET)
            }
            IpAddr::V6(a) => {
                let octets = a.octets();
                gethostbyaddr(octets.as_ptr() as *const c_void, 16, libc::AF_INET6)
            }
        };
        if host.is_null() || (*host).h_name.is_null() {
            return None;
        }
        Some(
            CStr::from_ptr((*host).h_name)
                .to_string_lossy()
                .into_owned(),
        )
    }
}

/// `getservbyname`'s port.
fn library_service_to_port(name: &str, protocol: Protocol) -> Option<u16> {
    let c = CString::new(name).ok()?;
    let proto = CString::new(protocol.lower_name()).ok()?;
    let _guard = lock();
    // SAFETY: valid strings; the result is read under the lock.
    unsafe {
        let serv = libc::getservbyname(c.as_ptr(), proto.as_ptr());
        if serv.is_null() {
            return None;
        }
        Some(u16::from_be((*serv).s_port as u16))
    }
}

/// `getservbyport`'s name.
fn library_port_to_service(port: u16, protocol: Protocol) -> Option<String> {
    let proto = CString::new(protocol.lower_name()).ok()?;
    let _guard = lock();
    // SAFETY: valid string; the result is copied out under the lock.
    unsafe {
        let serv = libc::getservbyport(c_int::from(port.to_be()), proto.as_ptr());
        if serv.is_null() || (*serv).s_name.is_null() {
            return None;
        }
        Some(
            CStr::from_ptr((*serv).s_name)
                .to_string_lossy()
                .into_owned(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aton_accepts_the_short_forms_ipvsadm_accepts() {
        assert_eq!(parse_ipv4_aton("10.1"), Some(Ipv4Addr::new(10, 0, 0, 1)));
        assert_eq!(
            parse_ipv4_aton("0x0a000001"),
            Some(Ipv4Addr::new(10, 0, 0, 1))
        );
        assert_eq!(parse_ipv4_aton("10.0.0.256"), None);
        assert_eq!(parse_ipv4_aton("a\0b"), None);
        assert_eq!(parse_ipv4_pton("10.1"), None);
    }

    #[test]
    fn ipv6_literals() {
        assert_eq!(parse_ipv6("::1"), Some(Ipv6Addr::LOCALHOST));
        assert_eq!(parse_ipv6("1::2::3"), None);
    }

    fn chain(spec: &str) -> Vec<Source> {
        nsswitch::sources(&format!("hosts: {spec}"), "hosts").unwrap()
    }

    /// `lookup` over `spec` with a `files` source answering `files` and a
    /// C library answering 2; also whether the C library was asked.
    fn run(spec: &str, files: Result<Option<u8>, ()>) -> (Option<u8>, bool) {
        let asked = std::cell::Cell::new(false);
        let found = lookup(
            &chain(spec),
            || files.map_err(|()| Unavailable),
            || {
                asked.set(true);
                Some(2)
            },
        );
        (found, asked.get())
    }

    #[test]
    fn sources_are_asked_in_order_and_criteria_end_the_lookup() {
        assert_eq!(run("files", Ok(Some(1))), (Some(1), false));
        assert_eq!(run("files", Ok(None)), (None, false));
        assert_eq!(run("files", Err(())), (None, false));
        assert_eq!(run("files dns", Ok(Some(1))), (Some(1), false));
        assert_eq!(run("files dns", Ok(None)), (Some(2), true));
        assert_eq!(run("files dns", Err(())), (Some(2), true));
        assert_eq!(run("files [NOTFOUND=return] dns", Ok(None)), (None, false));
        assert_eq!(run("files [NOTFOUND=return] dns", Err(())), (Some(2), true));
        assert_eq!(run("files [UNAVAIL=return] dns", Err(())), (None, false));
        assert_eq!(run("dns files", Ok(Some(1))), (Some(2), true));
        assert_eq!(run("myhostname", Ok(Some(1))), (Some(2), true));
        assert_eq!(run("", Ok(Some(1))), (None, false));
    }

    #[test]
    fn names_glibc_settles_without_a_lookup() {
        for name in [
            "10.0.0.256",
            "1.2.3.4.5",
            "999",
            "1..2",
            "::1",
            "fe80::1",
            ":a",
            "a:b",
        ] {
            assert!(numeric_host_name(name), "{name}");
        }
        for name in [
            "",
            "10.0.0.1.",
            "1a.2",
            "vip",
            "rs6-1",
            "a.b",
            "fe80::1.",
            ":x",
        ] {
            assert!(!numeric_host_name(name), "{name}");
        }
    }
}
