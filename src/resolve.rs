//! Names and numbers through the C library, the way ipvsadm 1.31 resolves
//! them: `inet_aton`/`inet_pton` for literals, `gethostbyname`/`gethostbyaddr`
//! for hosts (so `/etc/hosts` and NSS apply), `getservbyname`/`getservbyport`
//! for ports.
//!
//! The C functions return pointers into static storage, so every call copies
//! the result out while holding one process-wide lock.

use std::ffi::{CStr, CString};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::sync::Mutex;

use libc::{c_char, c_int, c_void, hostent, in6_addr, in_addr, socklen_t};

use ipvs::model::Protocol;

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

/// Looks a host name up with `gethostbyname` and returns its first IPv4
/// address; `None` when it has none or is not IPv4 (ipvsadm's `host_to_addr`).
pub fn host_to_ipv4(name: &str) -> Option<Ipv4Addr> {
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

/// The host name of an address from `gethostbyaddr`, if there is one.
pub fn addr_to_host(addr: &IpAddr) -> Option<String> {
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

/// The port of a service name for a protocol (`getservbyname`).
pub fn service_to_port(name: &str, protocol: Protocol) -> Option<u16> {
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

/// The service name of a port for a protocol (`getservbyport`).
pub fn port_to_service(port: u16, protocol: Protocol) -> Option<String> {
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
}
