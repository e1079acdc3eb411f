# Rules for `ipvsadm -R` (awk program; input: the numbers 1..N, one a
# line): N services x 10 real servers for the large-table guest check.
# Services: TCP (first octets 10..130), UDP, SCTP, fwmark (persistence
# netmask on some) and IPv6, ten schedulers, persistence on every third;
# real servers: NAT, direct routing and tunnelling (NAT only for IPv6 and
# SCTP), weights 0..99, thresholds on every fourth.
BEGIN { split("rr wrr lc wlc sh dh lblc sed nq mh", sched, " ") }
{
    i = $1
    kind = i % 10
    a = int(i / 250) + 1; b = i % 250 + 1
    if (kind == 7) svc = sprintf("-f %d", i)
    else if (kind == 8) svc = sprintf("-t [2001:db8:%x::%x]:443", a, b)
    else if (kind == 9) svc = sprintf("--sctp-service 10.%d.%d.%d:%d", 100 + a % 100, a, b, 1000 + i % 5000)
    else if (kind == 5) svc = sprintf("-u 10.%d.%d.%d:53", 100 + a % 100, a, b)
    else svc = sprintf("-t %d.%d.%d.%d:%d", 10 + kind * 20, a, b, i % 200 + 1, 80 + kind)
    opts = "-s " sched[i % 10 + 1]
    if (i % 3 == 0) opts = opts " -p " (60 + i % 600)
    if (kind == 7 && i % 3 == 0) opts = opts " -M 255.255.255.0"
    print "-A " svc " " opts
    for (d = 1; d <= 10; d++) {
        if (kind == 8) rs = sprintf("[2001:db8:%x:%x::%x]:443", a, b, d)
        else if (kind == 7) rs = sprintf("10.%d.%d.%d", 200 + d, a, b)
        else rs = sprintf("10.%d.%d.%d:%d", d * 20, a, b, 8000 + d)
        fwd = (d % 3 == 0) ? "-g" : (d % 3 == 1) ? "-m" : "-i"
        if (kind == 9 || kind == 8) fwd = "-m"
        extra = (d % 4 == 0) ? sprintf(" -x %d -y %d", 1000 + d, d) : ""
        print "-a " svc " -r " rs " " fwd " -w " (i + d) % 100 extra
    }
}