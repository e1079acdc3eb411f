//! `ipvsadm -L --timeout` and `ipvsadm -L --daemon`.

use std::io::{self, Write};

use ipvs::model::{SyncDaemon, Timeouts};

use super::names::inet_ntop;

/// `Timeout (tcp tcpfin udp): 900 120 300`.
pub fn write_timeouts(w: &mut dyn Write, t: &Timeouts) -> io::Result<()> {
    // ipvsadm prints the three values with %d.
    writeln!(
        w,
        "Timeout (tcp tcpfin udp): {} {} {}",
        t.tcp as i32, t.tcp_fin as i32, t.udp as i32
    )
}

/// One line per running sync daemon, e.g.
/// `master sync daemon (mcast=eth0, syncid=1, maxlen=1472, group=224.0.0.81, port=8848, ttl=1)`.
/// Zero maxlen, port and ttl and an unset group are left out. Nothing is
/// printed when no daemon runs.
pub fn write_daemons(w: &mut dyn Write, daemons: &[SyncDaemon]) -> io::Result<()> {
    for daemon in daemons {
        let mut line = format!(
            "{} sync daemon (mcast={}, syncid={}",
            daemon.state.name(),
            daemon.mcast_ifn,
            daemon.syncid as i32
        );
        if daemon.sync_maxlen != 0 {
            line.push_str(&format!(", maxlen={}", daemon.sync_maxlen));
        }
        if let Some(group) = &daemon.mcast_group {
            line.push_str(&format!(", group={}", inet_ntop(group)));
        }
        if daemon.mcast_port != 0 {
            line.push_str(&format!(", port={}", daemon.mcast_port));
        }
        if daemon.mcast_ttl != 0 {
            line.push_str(&format!(", ttl={}", daemon.mcast_ttl));
        }
        line.push_str(")\n");
        w.write_all(line.as_bytes())?;
    }
    Ok(())
}
