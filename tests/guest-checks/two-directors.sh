#!/bin/sh
# Two directors: a master's connections reach a backup through the IPVS sync
# daemons, with LVS-DR as on a real network. One LAN (a bridge; every host
# joins it by a veth pair from its own network namespace) holds
#   client  192.168.77.10
#   d1      192.168.77.1  the master: holds the VIP (as keepalived would)
#                         and a master sync daemon
#   d2      192.168.77.2  the backup: the same services, a backup sync daemon
#   d3      192.168.77.3  a backup that must NOT take d1's connections (a
#                         cluster with another syncid, or one listening on
#                         another multicast group and port)
#   rs      192.168.77.20 the real server: the VIPs on lo, arp_ignore, a TCP
#                         echo server on port 80; replies go straight to the
#                         client
# In three rounds, each with its own VIP (192.168.77.10N), services and
# daemons:
#   1. ours -> ours; d3 a backup of another cluster (another syncid)
#   2. 1.31 -> ours with --mcast-group/--mcast-port/--mcast-ttl, ours' backup
#      with syncid 0 (accepts any); d3 on the default group and port
#   3. ours -> 1.31 with the same options; d3 1.31 with another syncid
# every director gets the round's services from its own program: TCP VIP:80
# persistent (-p 60, so a template per client) and UDP VIP:53, both direct
# routing to rs. Through d1, the client opens two TCP connections that carry
# data (the kernel syncs a TCP entry once it is ESTABLISHED and has seen its
# third packet) and sends a UDP flow of 5 datagrams (synced at its 3rd
# packet: net.ipv4.vs.sync_threshold "3 50"). d2's `ipvsadm -Lnc` must then
# list exactly d1's entries for the VIP (the template included, the expiry
# column aside) within the sync interval, also as the other program lists
# them; d3's must list none. `-L --daemon` read by the other program must
# show each daemon's options.
#
# Guest check: ours is /opt/ours/bin/ipvsadm (env OURS), the reference
# /sbin/ipvsadm. It prints what it runs and what the directors list; that
# transcript is also what `tests/vm/try-it.sh --ha` shows.
set -u
OURS=${OURS:-/opt/ours/bin/ipvsadm}
REF=/sbin/ipvsadm
LAN=192.168.77
CLIENT=$LAN.10
RS=$LAN.20
# Seconds the backup gets to list the master's entries: the master sends a
# sync buffer once it is 2 s old (or full).
SYNC_WAIT=10

fail() {
    echo "FAIL two-directors: $*" >&2
    exit 1
}
# wait_for and on.
. "$(dirname "$0")/hosts.inc"
[ -x "$OURS" ] || fail "no ipvsadm under test at $OURS"
work=$(mktemp -d) || fail "mktemp"
cd "$work" || fail "cd $work"

holders="" helpers=""
cleanup() {
    exec 3>&- 4>&-
    # shellcheck disable=SC2086 # lists of process ids
    kill $helpers $holders 2>/dev/null
    ip link del br0 2>/dev/null
    cd / && rm -rf "$work"
}
trap cleanup EXIT
# A timeout's TERM ends the check through the EXIT trap, leaving no process.
trap 'exit 143' TERM INT

# prog ours|ref: the path of that ipvsadm.
prog() {
    case $1 in
    ours) echo "$OURS" ;;
    ref) echo "$REF" ;;
    *) fail "prog $1" ;;
    esac
}
# label ours|ref: how the transcript names that ipvsadm.
label() {
    case $1 in
    ours) echo ours ;;
    *) echo 1.31 ;;
    esac
}

# adm HOST ours|ref ARGS...: runs that ipvsadm in HOST, echoing the command;
# a failure fails the check.
adm() {
    adm_host=$1 adm_impl=$2
    shift 2
    echo "$adm_host# ipvsadm $*    ($(label "$adm_impl"))"
    on "$adm_host" "$(prog "$adm_impl")" "$@" >adm.out 2>&1 ||
        fail "on $adm_host, $(label "$adm_impl") ipvsadm $* failed: $(cat adm.out)"
    cat adm.out
}

ns_ready() {
    [ "$(readlink "/proc/$1/ns/net")" != "$(readlink /proc/self/ns/net)" ]
}

# host NAME ADDRESS MAC: a new network namespace (kept by a sleeping
# process, $pid_NAME) whose eth0 (ADDRESS/24, MAC) is one end of a veth
# pair; the other end, lan-NAME, is on the LAN bridge.
host() {
    unshare -n sleep 600 &
    eval "pid_$1=$!"
    holders="$holders $!"
    wait_for 5 ns_ready $! || fail "namespace $1 did not come up"
    ip link add "lan-$1" type veth || fail "veth for $1"
    # The kernel names the peer vethN (busybox ip cannot name it).
    link=$(ip link show "lan-$1")
    peer=${link#*"lan-$1"@}
    peer=${peer%%:*}
    ip link set "$peer" netns "$(eval "echo \$pid_$1")" &&
        ip link set "lan-$1" master br0 &&
        ip link set "lan-$1" up &&
        on "$1" sh -c "ip link set $peer name eth0 && ip link set eth0 address $3 &&
            ip link set lo up && ip link set eth0 up && ip addr add $2/24 dev eth0" ||
        fail "network of $1 ($link)"
}

# The LAN and its hosts last the whole check; each round has its own VIP.
ip link add br0 type bridge || fail "no bridge (module bridge)"
ip link set br0 up || fail "br0 up"
host client "$CLIENT" 02:00:00:77:00:10
host rs "$RS" 02:00:00:77:00:20
host d1 "$LAN.1" 02:00:00:77:00:01
host d2 "$LAN.2" 02:00:00:77:00:02
host d3 "$LAN.3" 02:00:00:77:00:03
# LVS-DR real server: accepts the VIPs' packets (VIPs on lo) without
# answering ARP for them; a TCP echo server on port 80. Nothing listens on
# UDP port 53 (busybox has no UDP server): an hour-long ICMP rate limit keeps
# rs from answering the client's datagrams with port-unreachable errors,
# which would make the client's writes fail.
on rs sh -c "ip addr add $LAN.101/32 dev lo && ip addr add $LAN.102/32 dev lo &&
    ip addr add $LAN.103/32 dev lo &&
    sysctl -qw net.ipv4.conf.all.arp_ignore=1 net.ipv4.conf.all.arp_announce=2 \
        net.ipv4.icmp_ratelimit=3600000" || fail "LVS-DR setup of rs"
on rs nc -ll -p 80 -e cat </dev/null >/dev/null 2>&1 &
helpers="$helpers $!"

# entries HOST ours|ref: HOST's connection entries for the round's $vip as
# that ipvsadm lists them (-Lnc), without the expiry column, sorted; the
# listing (its header and the $vip lines) is left in HOST.lnc.
entries() {
    on "$1" "$(prog "$2")" -Lnc >lnc.out 2>&1 || fail "ipvsadm -Lnc on $1: $(cat lnc.out)"
    awk -v vip="$vip:" 'NR <= 2 || index($5, vip) == 1' lnc.out >"$1.lnc"
    awk 'NR > 2 { print $1, $3, $4, $5, $6 }' "$1.lnc" | sort
}
same_entries() {
    entries "$1" "$2" >"$1.entries"
    cmp -s "$1.entries" "$3"
}
# udp_received HOST: UDP datagrams HOST's sockets have read so far
# (InDatagrams), in $received.
udp_received() {
    received=$(on "$1" cat /proc/net/snmp | awk '$1 == "Udp:" && $2 ~ /^[0-9]+$/ { print $2 }')
    case $received in
    '' | *[!0-9]*) fail "no UDP counters in $1's /proc/net/snmp" ;;
    esac
}
client_got_echo() { grep -q "^hello $1\$" "conn$1.out"; }
# daemon_shows HOST ours|ref 'ARGS': HOST's daemon, as that program lists
# it (-L --daemon), has the syncid, group, port and ttl of its ARGS.
daemon_shows() {
    echo "$1# ipvsadm -L --daemon    ($(label "$2"))"
    on "$1" "$(prog "$2")" -L --daemon >daemon.out 2>&1
    cat daemon.out
    # shellcheck disable=SC2086 # the options are several words
    set -- "$1" $3
    daemon_host=$1
    shift
    while [ $# -ge 2 ]; do
        case $1 in
        --syncid) want="syncid=$2" ;;
        --mcast-group) want="group=$2" ;;
        --mcast-port) want="port=$2" ;;
        --mcast-ttl) want="ttl=$2" ;;
        *) want="" ;;
        esac
        shift 2
        [ -z "$want" ] || grep -Eq "[(, ]$want[,)]" daemon.out ||
            fail "the daemon on $daemon_host does not show $want: $(cat daemon.out)"
    done
}
other() { [ "$1" = ours ] && echo ref || echo ours; }

# round N MASTER BACKUP OTHER 'MASTER ARGS' 'BACKUP ARGS' 'OTHER ARGS' WHY
#   MASTER, BACKUP, OTHER: ours or ref, the ipvsadm of d1, d2 and d3; the
#   ARGS are their --start-daemon options (after the mode; the interface is
#   always eth0); WHY says why d3 must not take the entries: "syncid" (then
#   d3 receives the sync messages and drops them) or "group" (d3 receives
#   none).
round() {
    n=$1 m=$2 b=$3 o=$4 margs=$5 bargs=$6 oargs=$7 why=$8
    vip=$LAN.10$n
    echo
    echo "=== [$(cut -d' ' -f1 /proc/uptime)s] round $n: VIP $vip; master d1 ($(label "$m")), backup d2 ($(label "$b")), d3 ($(label "$o")) ==="
    cat >services <<SERVICES
-A -t $vip:80 -s rr -p 60
-a -t $vip:80 -r $RS:80 -g
-A -u $vip:53 -s rr
-a -u $vip:53 -r $RS:53 -g
SERVICES
    # keepalived would hold the VIP on the master only.
    echo "d1# ip addr add $vip/32 dev eth0"
    on d1 ip addr add "$vip/32" dev eth0 || fail "VIP on d1"
    for d in d1:"$m" d2:"$b" d3:"$o"; do
        echo "${d%:*}# ipvsadm -R <services    ($(label "${d#*:}"))"
        on "${d%:*}" "$(prog "${d#*:}")" -R <services >adm.out 2>&1 ||
            fail "services on ${d%:*}: $(cat adm.out)"
    done
    sed 's/^/    /' services
    # shellcheck disable=SC2086 # the daemon options are several words
    {
        adm d2 "$b" --start-daemon backup --mcast-interface eth0 $bargs
        adm d3 "$o" --start-daemon backup --mcast-interface eth0 $oargs
        udp_received d3
        d3_before=$received
        adm d1 "$m" --start-daemon master --mcast-interface eth0 $margs
    }

    # Traffic through d1: two TCP connections kept open (their input comes
    # from FIFOs this shell holds) that each send a line, echoed back by rs;
    # a UDP flow of 5 datagrams from bash (busybox nc has no UDP).
    rm -f fifo1 fifo2
    mkfifo fifo1 fifo2 || fail "mkfifo"
    on client nc "$vip" 80 <fifo1 >conn1.out 2>&1 &
    conn1=$!
    on client nc "$vip" 80 <fifo2 >conn2.out 2>&1 &
    conn2=$!
    helpers="$helpers $conn1 $conn2"
    exec 3>fifo1 4>fifo2
    echo "hello 1" >&3
    echo "hello 2" >&4
    on client bash -c "exec 5>/dev/udp/$vip/53 && for i in 1 2 3 4 5; do echo ping \$i >&5; done" ||
        fail "the UDP flow from the client"
    echo "client: 2 TCP connections to $vip:80 (kept open), 5 UDP datagrams to $vip:53"
    for c in 1 2; do
        wait_for 10 client_got_echo "$c" ||
            fail "round $n: TCP connection $c got no echo through d1 and rs: $(cat "conn$c.out")"
    done

    # What d1 must list: both TCP connections (ESTABLISHED), the client's
    # template (source port 0) and the UDP flow; the client's source ports
    # are the kernel's choice (busybox nc cannot bind outgoing ones).
    entries d1 "$m" >expected
    {
        echo "TCP ESTABLISHED $CLIENT:port $vip:80 $RS:80"
        echo "TCP ESTABLISHED $CLIENT:port $vip:80 $RS:80"
        echo "TCP template $CLIENT:0 $vip:80 $RS:80"
        echo "UDP UDP $CLIENT:port $vip:53 $RS:53"
    } | sort >shape.expected
    awk '{ if ($3 ~ /:0$/) $2 = "template"; else sub(/:[0-9]+$/, ":port", $3); print }' expected |
        sort >shape.d1
    cmp -s shape.d1 shape.expected || fail "round $n: the master d1 does not list the connections made through it.
expected (expiry aside):
$(cat shape.expected)
d1 lists:
$(cat d1.lnc)"
    echo "d1# ipvsadm -Lnc    ($(label "$m"))"
    cat d1.lnc

    # While the master's sync buffer ages: each daemon as the other program
    # reads it.
    daemon_shows d1 "$(other "$m")" "$margs"
    daemon_shows d2 "$(other "$b")" "$bargs"
    daemon_shows d3 "$(other "$o")" "$oargs"

    if ! wait_for "$SYNC_WAIT" same_entries d2 "$b" expected; then
        fail "round $n: after ${SYNC_WAIT}s the backup d2 does not list the master's entries.
expected (as d1 lists them, expiry aside):
$(cat expected)
d2 ($(label "$b")) lists:
$(cat d2.lnc)
d1: $(on d1 "$REF" -L --daemon 2>&1)
d2: $(on d2 "$REF" -L --daemon 2>&1)"
    fi
    echo "d2# ipvsadm -Lnc    ($(label "$b"), at $(cut -d' ' -f1 /proc/uptime)s)"
    cat d2.lnc
    entries d2 "$(other "$b")" >d2.other
    cmp -s d2.other expected || fail "round $n: on d2, $(label "$(other "$b")") lists other entries than $(label "$b"):
$(cat d2.lnc)"

    # d3 heard the same multicast as d2 (or, for "group", none of it) and
    # has had the time of the listings above to act on it: it must list none
    # of the entries.
    entries d3 "$o" >d3.entries
    [ ! -s d3.entries ] || fail "round $n: d3 ($(label "$o") ipvsadm --start-daemon backup $oargs) took the master's entries ($why differs):
$(cat d3.lnc)"
    udp_received d3
    received=$((received - d3_before))
    case $why in
    syncid)
        [ "$received" -gt 0 ] ||
            fail "round $n: d3 received no sync message, so its empty table proves no syncid filtering"
        echo "d3: read $received sync message(s) and dropped them (another syncid); -Lnc lists none of the entries"
        ;;
    group)
        [ "$received" -eq 0 ] ||
            fail "round $n: d3 (default group and port) received $received UDP datagram(s)"
        echo "d3: received nothing on the default group and port; -Lnc lists none of the entries"
        ;;
    esac

    # The round's end: the daemons stop, the connections close.
    on d1 "$(prog "$m")" --stop-daemon master &&
        on d2 "$(prog "$b")" --stop-daemon backup &&
        on d3 "$(prog "$o")" --stop-daemon backup || fail "round $n: --stop-daemon"
    exec 3>&- 4>&-
    kill "$conn1" "$conn2" 2>/dev/null
}

round 1 ours ours ours "--syncid 7" "--syncid 7" "--syncid 8" syncid
round 2 ref ours ours "--syncid 5 --mcast-group 239.255.77.1 --mcast-port 8900 --mcast-ttl 2" \
    "--syncid 0 --mcast-group 239.255.77.1 --mcast-port 8900" "--syncid 5" group
round 3 ours ref ref "--syncid 9 --mcast-group 239.255.77.1 --mcast-port 8900 --mcast-ttl 2" \
    "--syncid 9 --mcast-group 239.255.77.1 --mcast-port 8900" \
    "--syncid 10 --mcast-group 239.255.77.1 --mcast-port 8900" syncid
echo
echo "PASS two-directors [$(cut -d' ' -f1 /proc/uptime)s]"
