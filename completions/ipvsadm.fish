# Generated from src/cli/flags.rs by tests/generated_docs.rs; do not edit.
# Regenerate: IPVSADM_UPDATE_DOCS=1 cargo test --test generated_docs
complete -c ipvsadm -l set -d 'set the tcp, tcpfin and udp connection timeouts (seconds)' -r
complete -c ipvsadm -l start-daemon -d 'start a connection sync daemon' -r -f -a "master\t'send connection state to the backups'
backup\t'receive connection state from a master'"
complete -c ipvsadm -l stop-daemon -d 'stop a connection sync daemon' -r -f -a "master\t'send connection state to the backups'
backup\t'receive connection state from a master'"
complete -c ipvsadm -s t -l tcp-service -d 'TCP service, host[:port]' -r -f -a "(__fish_print_hostnames)"
complete -c ipvsadm -s u -l udp-service -d 'UDP service, host[:port]' -r -f -a "(__fish_print_hostnames)"
complete -c ipvsadm -l sctp-service -d 'SCTP service, host[:port]' -r -f -a "(__fish_print_hostnames)"
complete -c ipvsadm -s f -l fwmark-service -d 'firewall-mark service, mark > 0' -r
complete -c ipvsadm -s s -l scheduler -d 'scheduler: rr wrr lc wlc lblc lblcr dh sh sed nq fo ovf mh (default: wlc)' -r -f -a "rr\t'round robin'
wrr\t'weighted round robin'
lc\t'least connections'
wlc\t'weighted least connections (the default)'
lblc\t'locality-based least connections'
lblcr\t'locality-based least connections with replication'
dh\t'destination hashing'
sh\t'source hashing'
sed\t'shortest expected delay'
nq\t'never queue'
fo\t'weighted failover'
ovf\t'weighted overflow'
mh\t'maglev hashing'
twos\t'weighted random twos choice'"
complete -c ipvsadm -l pe -d 'persistence engine, e.g. sip (default: none)' -r -f -a "sip\t'SIP, by Call-ID'"
complete -c ipvsadm -s p -l persistent -d 'persistent service (default timeout: 360 s)' -r
complete -c ipvsadm -s M -l netmask -d 'persistence granularity: mask or IPv6 prefix' -r
complete -c ipvsadm -s r -l real-server -d 'real server, host[:port]' -r -f -a "(__fish_print_hostnames)"
complete -c ipvsadm -l tun-type -d 'tunnel type: ipip, gue or gre (default: ipip)' -r -f -a "ipip\t'IP in IP (the default)'
gue\t'Generic UDP Encapsulation, needs --tun-port'
gre\t'Generic Routing Encapsulation'"
complete -c ipvsadm -l tun-port -d 'tunnel destination port (gue)' -r
complete -c ipvsadm -s w -l weight -d 'real server weight, 0 or more (default: 1)' -r
complete -c ipvsadm -s x -l u-threshold -d 'upper connection threshold (0: none)' -r
complete -c ipvsadm -s y -l l-threshold -d 'lower connection threshold' -r
complete -c ipvsadm -l netns -d 'act in network namespace NAME (as ip netns names them) or at PATH (an extension)' -r
complete -c ipvsadm -s b -l sched-flags -d 'comma-separated scheduler flags: flag-1, flag-2, flag-3, sh-fallback, sh-port (sh), mh-fallback, mh-port (mh)' -r -f -a "flag-1\t'scheduler flag 1'
flag-2\t'scheduler flag 2'
flag-3\t'scheduler flag 3'
sh-fallback\t'sh: skip unavailable servers (flag 1)'
sh-port\t'sh: hash the source port too (flag 2)'
mh-fallback\t'mh: skip unavailable servers (flag 1)'
mh-port\t'mh: hash the source port too (flag 2)'"
complete -c ipvsadm -l syncid -d 'sync id, 0-255' -r
complete -c ipvsadm -l sync-maxlen -d 'maximum sync message length' -r
complete -c ipvsadm -l mcast-interface -d 'multicast interface (default: eth0)' -r
complete -c ipvsadm -l mcast-group -d 'IPv4 or IPv6 multicast group' -r -f
complete -c ipvsadm -l mcast-port -d 'UDP port of the sync messages' -r
complete -c ipvsadm -l mcast-ttl -d 'multicast TTL, 1-255' -r
complete -c ipvsadm -s A -l add-service -d 'add a virtual service'
complete -c ipvsadm -s E -l edit-service -d 'change a virtual service'
complete -c ipvsadm -s D -l delete-service -d 'delete a virtual service'
complete -c ipvsadm -s C -l clear -d 'delete every virtual service'
complete -c ipvsadm -s R -l restore -d 'read commands from standard input'
complete -c ipvsadm -s S -l save -d 'print the table as commands'
complete -c ipvsadm -s a -l add-server -d 'add a real server to a service'
complete -c ipvsadm -s e -l edit-server -d 'change a real server'
complete -c ipvsadm -s d -l delete-server -d 'remove a real server'
complete -c ipvsadm -s L -l list -d 'list the table (also -l)'
complete -c ipvsadm -s Z -l zero -d 'reset the counters of one service or all'
complete -c ipvsadm -s h -l help -d 'show this help'
complete -c ipvsadm -s v -l version -d 'show the version'
complete -c ipvsadm -s 6 -l ipv6 -d 'the firewall-mark service is IPv6 (after -f)'
complete -c ipvsadm -s g -l gatewaying -d 'forward by direct routing (default)'
complete -c ipvsadm -s i -l ipip -d 'forward by tunnelling'
complete -c ipvsadm -s m -l masquerading -d 'forward by NAT'
complete -c ipvsadm -l tun-nocsum -d 'tunnel without checksum'
complete -c ipvsadm -l tun-csum -d 'tunnel with checksum'
complete -c ipvsadm -l tun-remcsum -d 'tunnel with remote checksum (gue)'
complete -c ipvsadm -s c -l connection -d 'list connections'
complete -c ipvsadm -l timeout -d 'list the timeouts (tcp tcpfin udp)'
complete -c ipvsadm -l daemon -d 'list the sync daemons'
complete -c ipvsadm -l stats -d 'list with traffic counters'
complete -c ipvsadm -l rate -d 'list with traffic rates'
complete -c ipvsadm -s X -l exact -d 'print exact numbers, not K/M/G'
complete -c ipvsadm -s j -l json -d 'list as one JSON document (an extension)'
complete -c ipvsadm -l thresholds -d 'list with thresholds'
complete -c ipvsadm -l persistent-conn -d 'list with persistent connections'
complete -c ipvsadm -l tun-info -d 'list with tunnel details'
complete -c ipvsadm -l nosort -d 'list in kernel order, unsorted'
complete -c ipvsadm -l sort -d 'no effect (sorting is the default)'
complete -c ipvsadm -s o -l ops -d 'one-packet scheduling (UDP and fwmark only)'
complete -c ipvsadm -s n -l numeric -d 'print addresses and ports as numbers'
