# fish completion for ipvsadm, ipvsadm-save and ipvsadm-restore.
# Generated from src/cli/flags.rs and ipvsadm-restore --help by
# tests/generated_docs.rs; do not edit.
# Regenerate: IPVSADM_UPDATE_DOCS=1 cargo test --test generated_docs

# The shared sh completer (see the bash and zsh scripts), run by sh.
set -g __ipvsadm_core '# __ipvsadm_flag WORD: _ipv_long and _ipv_kind of an option word (-X or
# --long); kind: c command, v command with a value, s --set, h -h/-v,
# n no value, r a value, o an optional value; empty when unknown.
__ipvsadm_flag() {
    case $1 in
        -A|--add-service) _ipv_long=add-service _ipv_kind=c ;;
        -E|--edit-service) _ipv_long=edit-service _ipv_kind=c ;;
        -D|--delete-service) _ipv_long=delete-service _ipv_kind=c ;;
        -C|--clear) _ipv_long=clear _ipv_kind=c ;;
        -R|--restore) _ipv_long=restore _ipv_kind=c ;;
        -S|--save) _ipv_long=save _ipv_kind=c ;;
        -a|--add-server) _ipv_long=add-server _ipv_kind=c ;;
        -e|--edit-server) _ipv_long=edit-server _ipv_kind=c ;;
        -d|--delete-server) _ipv_long=delete-server _ipv_kind=c ;;
        -L|--list) _ipv_long=list _ipv_kind=c ;;
        -l) _ipv_long=list _ipv_kind=c ;;
        -Z|--zero) _ipv_long=zero _ipv_kind=c ;;
        --set) _ipv_long=set _ipv_kind=s ;;
        --start-daemon) _ipv_long=start-daemon _ipv_kind=v ;;
        --stop-daemon) _ipv_long=stop-daemon _ipv_kind=v ;;
        -h|--help) _ipv_long=help _ipv_kind=h ;;
        -v|--version) _ipv_long=version _ipv_kind=h ;;
        -t|--tcp-service) _ipv_long=tcp-service _ipv_kind=r ;;
        -u|--udp-service) _ipv_long=udp-service _ipv_kind=r ;;
        --sctp-service) _ipv_long=sctp-service _ipv_kind=r ;;
        -f|--fwmark-service) _ipv_long=fwmark-service _ipv_kind=r ;;
        -6|--ipv6) _ipv_long=ipv6 _ipv_kind=n ;;
        -s|--scheduler) _ipv_long=scheduler _ipv_kind=r ;;
        --pe) _ipv_long=pe _ipv_kind=r ;;
        -p|--persistent) _ipv_long=persistent _ipv_kind=o ;;
        -M|--netmask) _ipv_long=netmask _ipv_kind=r ;;
        -r|--real-server) _ipv_long=real-server _ipv_kind=r ;;
        -g|--gatewaying) _ipv_long=gatewaying _ipv_kind=n ;;
        -i|--ipip) _ipv_long=ipip _ipv_kind=n ;;
        -m|--masquerading) _ipv_long=masquerading _ipv_kind=n ;;
        --tun-type) _ipv_long=tun-type _ipv_kind=r ;;
        --tun-port) _ipv_long=tun-port _ipv_kind=r ;;
        --tun-nocsum) _ipv_long=tun-nocsum _ipv_kind=n ;;
        --tun-csum) _ipv_long=tun-csum _ipv_kind=n ;;
        --tun-remcsum) _ipv_long=tun-remcsum _ipv_kind=n ;;
        -w|--weight) _ipv_long=weight _ipv_kind=r ;;
        -x|--u-threshold) _ipv_long=u-threshold _ipv_kind=r ;;
        -y|--l-threshold) _ipv_long=l-threshold _ipv_kind=r ;;
        -c|--connection) _ipv_long=connection _ipv_kind=n ;;
        --timeout) _ipv_long=timeout _ipv_kind=n ;;
        --daemon) _ipv_long=daemon _ipv_kind=n ;;
        --stats) _ipv_long=stats _ipv_kind=n ;;
        --rate) _ipv_long=rate _ipv_kind=n ;;
        -X|--exact) _ipv_long=exact _ipv_kind=n ;;
        -j|--json) _ipv_long=json _ipv_kind=n ;;
        --drain) _ipv_long=drain _ipv_kind=o ;;
        --netns) _ipv_long=netns _ipv_kind=r ;;
        --thresholds) _ipv_long=thresholds _ipv_kind=n ;;
        --persistent-conn) _ipv_long=persistent-conn _ipv_kind=n ;;
        --tun-info) _ipv_long=tun-info _ipv_kind=n ;;
        --nosort) _ipv_long=nosort _ipv_kind=n ;;
        --sort) _ipv_long=sort _ipv_kind=n ;;
        -o|--ops) _ipv_long=ops _ipv_kind=n ;;
        -n|--numeric) _ipv_long=numeric _ipv_kind=n ;;
        -b|--sched-flags) _ipv_long=sched-flags _ipv_kind=r ;;
        --syncid) _ipv_long=syncid _ipv_kind=r ;;
        --sync-maxlen) _ipv_long=sync-maxlen _ipv_kind=r ;;
        --mcast-interface) _ipv_long=mcast-interface _ipv_kind=r ;;
        --mcast-group) _ipv_long=mcast-group _ipv_kind=r ;;
        --mcast-port) _ipv_long=mcast-port _ipv_kind=r ;;
        --mcast-ttl) _ipv_long=mcast-ttl _ipv_kind=r ;;
        *) _ipv_long= _ipv_kind= ;;
    esac
}

# __ipvsadm_option LONG: _ipv_short (without -) and _ipv_help of an option.
__ipvsadm_option() {
    case $1 in
        add-service) _ipv_short=A _ipv_help=\'add a virtual service\' ;;
        edit-service) _ipv_short=E _ipv_help=\'change a virtual service\' ;;
        delete-service) _ipv_short=D _ipv_help=\'delete a virtual service\' ;;
        clear) _ipv_short=C _ipv_help=\'delete every virtual service\' ;;
        restore) _ipv_short=R _ipv_help=\'read commands from standard input\' ;;
        save) _ipv_short=S _ipv_help=\'print the table as commands\' ;;
        add-server) _ipv_short=a _ipv_help=\'add a real server to a service\' ;;
        edit-server) _ipv_short=e _ipv_help=\'change a real server\' ;;
        delete-server) _ipv_short=d _ipv_help=\'remove a real server\' ;;
        list) _ipv_short=L _ipv_help=\'list the table (also -l)\' ;;
        zero) _ipv_short=Z _ipv_help=\'reset the counters of one service or all\' ;;
        set) _ipv_short= _ipv_help=\'set the tcp, tcpfin and udp connection timeouts (seconds)\' ;;
        start-daemon) _ipv_short= _ipv_help=\'start a connection sync daemon\' ;;
        stop-daemon) _ipv_short= _ipv_help=\'stop a connection sync daemon\' ;;
        help) _ipv_short=h _ipv_help=\'show this help\' ;;
        version) _ipv_short=v _ipv_help=\'show the version\' ;;
        tcp-service) _ipv_short=t _ipv_help=\'TCP service, host[:port]\' ;;
        udp-service) _ipv_short=u _ipv_help=\'UDP service, host[:port]\' ;;
        sctp-service) _ipv_short= _ipv_help=\'SCTP service, host[:port]\' ;;
        fwmark-service) _ipv_short=f _ipv_help=\'firewall-mark service, mark > 0\' ;;
        ipv6) _ipv_short=6 _ipv_help=\'the firewall-mark service is IPv6 (after -f)\' ;;
        scheduler) _ipv_short=s _ipv_help=\'scheduler: rr wrr lc wlc lblc lblcr dh sh sed nq fo ovf mh twos (default: wlc)\' ;;
        pe) _ipv_short= _ipv_help=\'persistence engine, e.g. sip (default: none)\' ;;
        persistent) _ipv_short=p _ipv_help=\'persistent service (default timeout: 360 s)\' ;;
        netmask) _ipv_short=M _ipv_help=\'persistence granularity: mask or IPv6 prefix\' ;;
        real-server) _ipv_short=r _ipv_help=\'real server, host[:port]\' ;;
        gatewaying) _ipv_short=g _ipv_help=\'forward by direct routing (default)\' ;;
        ipip) _ipv_short=i _ipv_help=\'forward by tunnelling\' ;;
        masquerading) _ipv_short=m _ipv_help=\'forward by NAT\' ;;
        tun-type) _ipv_short= _ipv_help=\'tunnel type: ipip, gue or gre (default: ipip)\' ;;
        tun-port) _ipv_short= _ipv_help=\'tunnel destination port (gue)\' ;;
        tun-nocsum) _ipv_short= _ipv_help=\'tunnel without checksum\' ;;
        tun-csum) _ipv_short= _ipv_help=\'tunnel with checksum\' ;;
        tun-remcsum) _ipv_short= _ipv_help=\'tunnel with remote checksum (gue)\' ;;
        weight) _ipv_short=w _ipv_help=\'real server weight, 0 or more (default: 1)\' ;;
        u-threshold) _ipv_short=x _ipv_help=\'upper connection threshold (0: none)\' ;;
        l-threshold) _ipv_short=y _ipv_help=\'lower connection threshold\' ;;
        connection) _ipv_short=c _ipv_help=\'list connections\' ;;
        timeout) _ipv_short= _ipv_help=\'list the timeouts (tcp tcpfin udp)\' ;;
        daemon) _ipv_short= _ipv_help=\'list the sync daemons\' ;;
        stats) _ipv_short= _ipv_help=\'list with traffic counters\' ;;
        rate) _ipv_short= _ipv_help=\'list with traffic rates\' ;;
        exact) _ipv_short=X _ipv_help=\'print exact numbers, not K/M/G\' ;;
        json) _ipv_short=j _ipv_help=\'list as one JSON document (an extension)\' ;;
        drain) _ipv_short= _ipv_help=\'with -d: weight 0 first, delete once idle or after SECONDS (default 300; an extension)\' ;;
        netns) _ipv_short= _ipv_help=\'act in network namespace NAME (as ip netns names them) or at PATH (an extension)\' ;;
        thresholds) _ipv_short= _ipv_help=\'list with thresholds\' ;;
        persistent-conn) _ipv_short= _ipv_help=\'list with persistent connections\' ;;
        tun-info) _ipv_short= _ipv_help=\'list with tunnel details\' ;;
        nosort) _ipv_short= _ipv_help=\'list in kernel order, unsorted\' ;;
        sort) _ipv_short= _ipv_help=\'no effect (sorting is the default)\' ;;
        ops) _ipv_short=o _ipv_help=\'one-packet scheduling (UDP and fwmark only)\' ;;
        numeric) _ipv_short=n _ipv_help=\'print addresses and ports as numbers\' ;;
        sched-flags) _ipv_short=b _ipv_help=\'comma-separated scheduler flags: flag-1, flag-2, flag-3, sh-fallback, sh-port (sh), mh-fallback, mh-port (mh)\' ;;
        syncid) _ipv_short= _ipv_help=\'sync id, 0-255\' ;;
        sync-maxlen) _ipv_short= _ipv_help=\'maximum sync message length\' ;;
        mcast-interface) _ipv_short= _ipv_help=\'multicast interface (default: eth0)\' ;;
        mcast-group) _ipv_short= _ipv_help=\'IPv4 or IPv6 multicast group\' ;;
        mcast-port) _ipv_short= _ipv_help=\'UDP port of the sync messages\' ;;
        mcast-ttl) _ipv_short= _ipv_help=\'multicast TTL, 1-255\' ;;
    esac
}

# __ipvsadm_values LONG PREFIX CURRENT: the candidates for LONG\'s value.
__ipvsadm_values() {
    case $1 in
        start-daemon) __ipvsadm_choices "$2" "$3" \'master	send connection state to the backups\' \'backup	receive connection state from a master\' ;;
        stop-daemon) __ipvsadm_choices "$2" "$3" \'master	send connection state to the backups\' \'backup	receive connection state from a master\' ;;
        tcp-service) printf \'@hosts|%s|%s\\n\' "$2" "$3" ;;
        udp-service) printf \'@hosts|%s|%s\\n\' "$2" "$3" ;;
        sctp-service) printf \'@hosts|%s|%s\\n\' "$2" "$3" ;;
        scheduler) __ipvsadm_choices "$2" "$3" \'rr	round robin\' \'wrr	weighted round robin\' \'lc	least connections\' \'wlc	weighted least connections (the default)\' \'lblc	locality-based least connections\' \'lblcr	locality-based least connections with replication\' \'dh	destination hashing\' \'sh	source hashing\' \'sed	shortest expected delay\' \'nq	never queue\' \'fo	weighted failover\' \'ovf	weighted overflow\' \'mh	maglev hashing\' \'twos	weighted random twos choice\' ;;
        pe) __ipvsadm_choices "$2" "$3" \'sip	SIP, by Call-ID\' ;;
        real-server) printf \'@hosts|%s|%s\\n\' "$2" "$3" ;;
        tun-type) __ipvsadm_choices "$2" "$3" \'ipip	IP in IP (the default)\' \'gue	Generic UDP Encapsulation, needs --tun-port\' \'gre	Generic Routing Encapsulation\' ;;
        sched-flags) __ipvsadm_list "$2" "$3" \'flag-1	scheduler flag 1\' \'flag-2	scheduler flag 2\' \'flag-3	scheduler flag 3\' \'sh-fallback	sh: skip unavailable servers (flag 1)\' \'sh-port	sh: hash the source port too (flag 2)\' \'mh-fallback	mh: skip unavailable servers (flag 1)\' \'mh-port	mh: hash the source port too (flag 2)\' ;;
        mcast-interface) printf \'@interfaces|%s|%s\\n\' "$2" "$3" ;;
    esac
}

# __ipvsadm_accepts COMMAND: the options COMMAND accepts (its row of the
# command/option matrix); no COMMAND: the commands.
__ipvsadm_accepts() {
    case $1 in
        add-service) echo \'tcp-service udp-service sctp-service fwmark-service ipv6 scheduler pe persistent netmask netns sort ops sched-flags\' ;;
        edit-service) echo \'tcp-service udp-service sctp-service fwmark-service ipv6 scheduler pe persistent netmask netns sort ops sched-flags\' ;;
        delete-service) echo \'tcp-service udp-service sctp-service fwmark-service ipv6 netns sort\' ;;
        clear) echo \'ipv6 netns sort\' ;;
        list) echo \'tcp-service udp-service sctp-service fwmark-service ipv6 connection timeout daemon stats rate exact json netns thresholds persistent-conn tun-info nosort sort numeric syncid\' ;;
        add-server) echo \'tcp-service udp-service sctp-service fwmark-service ipv6 real-server gatewaying ipip masquerading tun-type tun-port tun-nocsum tun-csum tun-remcsum weight u-threshold l-threshold netns sort\' ;;
        delete-server) echo \'tcp-service udp-service sctp-service fwmark-service ipv6 real-server drain netns sort\' ;;
        edit-server) echo \'tcp-service udp-service sctp-service fwmark-service ipv6 real-server gatewaying ipip masquerading tun-type tun-port tun-nocsum tun-csum tun-remcsum weight u-threshold l-threshold netns sort\' ;;
        set) echo \'ipv6 netns sort\' ;;
        start-daemon) echo \'ipv6 netns sort syncid sync-maxlen mcast-interface mcast-group mcast-port mcast-ttl\' ;;
        stop-daemon) echo \'ipv6 netns sort syncid\' ;;
        restore) echo \'ipv6 netns sort\' ;;
        save) echo \'ipv6 netns sort numeric\' ;;
        zero) echo \'tcp-service udp-service sctp-service fwmark-service ipv6 netns sort\' ;;
        \'\') echo \'add-service edit-service delete-service clear restore save add-server edit-server delete-server list zero set start-daemon stop-daemon help version\' ;;
    esac
}

# __ipvsadm_restore_option WORD: _ipv_long of an ipvsadm-restore option.
__ipvsadm_restore_option() {
    case $1 in
        --test|-t) _ipv_long=test ;;
        --noflush|-n) _ipv_long=noflush ;;
        --dry-run) _ipv_long=dry-run ;;
        --drain) _ipv_long=drain ;;
        --netns) _ipv_long=netns ;;
        --help|-h) _ipv_long=help ;;
        *) _ipv_long= ;;
    esac
}

# __ipvsadm_restore_options: lines "long short help" (tab-separated).
__ipvsadm_restore_options() {
    printf \'%s\\t%s\\t%s\\n\' test \'-t\' \'check FILE and report every bad line; the kernel is not used\'
    printf \'%s\\t%s\\t%s\\n\' noflush \'-n\' \'add to the live table instead of replacing it\'
    printf \'%s\\t%s\\t%s\\n\' dry-run \'\' \'print the changes as ipvsadm commands (for ipvsadm -R) and apply none\'
    printf \'%s\\t%s\\t%s\\n\' drain \'\' \' real servers the file removes are set to weight 0 first and deleted when IPVS counts no connection through them (active, inactive, persistent), or after SECONDS (default 300); then the services the file removes. Interrupted, it leaves them at weight 0; the next --drain run goes on.\'
    printf \'%s\\t%s\\t%s\\n\' netns \'\' \' act in that network namespace, as ip netns exec NAME\'
    printf \'%s\\t%s\\t%s\\n\' help \'-h\' \'print this help\'
}

# __ipvsadm_choices PREFIX CURRENT \'VALUE<tab>HELP\'...: the values that
# start with CURRENT, PREFIX in front.
__ipvsadm_choices() {
    _ipv_p=$1 _ipv_c=$2
    shift 2
    for _ipv_x; do
        case ${_ipv_x%%	*} in
            "$_ipv_c"*) printf \'%s%s\\n\' "$_ipv_p" "$_ipv_x" ;;
        esac
    done
}

# __ipvsadm_list PREFIX CURRENT CHOICE...: the next item of a comma list.
__ipvsadm_list() {
    _ipv_p=$1 _ipv_c=$2
    shift 2
    case $_ipv_c in
        *,*) __ipvsadm_choices "$_ipv_p${_ipv_c%,*}," "${_ipv_c##*,}" "$@" ;;
        *) __ipvsadm_choices "$_ipv_p" "$_ipv_c" "$@" ;;
    esac
}

# __ipvsadm_take: records the option just read (_ipv_long, _ipv_kind).
__ipvsadm_take() {
    case $_ipv_kind in
        c | v | s | h) [ -n "$_ipv_cmd" ] || _ipv_cmd=$_ipv_long ;;
    esac
    _ipv_used="$_ipv_used$_ipv_long "
}

# __ipvsadm_wants: what the words after the option just read are.
__ipvsadm_wants() {
    case $_ipv_kind in
        r | v) _ipv_expect=$_ipv_long ;;
        s) _ipv_skip=3 ;;
    esac
}

# __ipvsadm_offer LONG SHORT HELP: the option\'s names that start with the
# current word.
__ipvsadm_offer() {
    case --$1 in
        "$_ipv_cur"*) printf \'%s\\t%s\\n\' "--$1" "$3" ;;
    esac
    case $_ipv_cur in
        --*) ;;
        *)
            if [ -n "$2" ]; then
                case -${2#-} in
                    "$_ipv_cur"*) printf \'%s\\t%s\\n\' "-${2#-}" "$3" ;;
                esac
            fi
            ;;
    esac
}

# __ipvsadm_complete PROGRAM WORD... CURRENT: the candidates for CURRENT,
# after the words before it.
__ipvsadm_complete() {
    local _ipv_prog _ipv_cur _ipv_n _ipv_i _ipv_w _ipv_cmd _ipv_used _ipv_expect \\
        _ipv_skip _ipv_long _ipv_kind _ipv_rest _ipv_ch _ipv_short _ipv_help \\
        _ipv_p _ipv_c _ipv_x _ipv_files
    _ipv_prog=${1##*/}
    shift
    eval "_ipv_cur=\\${$#}"
    _ipv_n=$(($# - 1)) _ipv_i=0 _ipv_cmd= _ipv_used=\' \' _ipv_expect= _ipv_skip=0 _ipv_files=
    case $_ipv_prog in
        ipvsadm-save)
            while [ "$_ipv_i" -lt "$_ipv_n" ]; do
                _ipv_i=$((_ipv_i + 1))
                eval "_ipv_w=\\${$_ipv_i}"
                [ "$_ipv_w" = -n ] && return
            done
            case -n in
                "$_ipv_cur"*) printf \'%s\\t%s\\n\' -n \'print addresses and ports as numbers\' ;;
            esac
            return
            ;;
        ipvsadm-restore)
            while [ "$_ipv_i" -lt "$_ipv_n" ]; do
                _ipv_i=$((_ipv_i + 1))
                eval "_ipv_w=\\${$_ipv_i}"
                if [ "$_ipv_w" = -- ]; then
                    _ipv_files=1
                elif [ -z "$_ipv_files" ]; then
                    __ipvsadm_restore_option "$_ipv_w"
                    [ -n "$_ipv_long" ] && _ipv_used="$_ipv_used$_ipv_long "
                fi
            done
            case $_ipv_files$_ipv_cur in
                -*)
                    __ipvsadm_restore_options | while IFS=\'	\' read -r _ipv_long _ipv_short _ipv_help; do
                        case $_ipv_used in *" $_ipv_long "*) continue ;; esac
                        __ipvsadm_offer "$_ipv_long" "$_ipv_short" "$_ipv_help"
                    done
                    ;;
                *) printf \'@files||%s\\n\' "$_ipv_cur" ;;
            esac
            return
            ;;
    esac
    while [ "$_ipv_i" -lt "$_ipv_n" ]; do
        _ipv_i=$((_ipv_i + 1))
        eval "_ipv_w=\\${$_ipv_i}"
        if [ -n "$_ipv_expect" ]; then
            _ipv_expect=
            continue
        fi
        if [ "$_ipv_skip" -gt 0 ]; then
            _ipv_skip=$((_ipv_skip - 1))
            continue
        fi
        case $_ipv_w in
            --*=*)
                __ipvsadm_flag "${_ipv_w%%=*}"
                __ipvsadm_take
                ;;
            --?*)
                __ipvsadm_flag "$_ipv_w"
                __ipvsadm_take
                __ipvsadm_wants
                ;;
            -?*)
                # Short options, grouped (-Ln); a value may be attached (-srr).
                _ipv_rest=${_ipv_w#-}
                while [ -n "$_ipv_rest" ]; do
                    _ipv_ch=${_ipv_rest%"${_ipv_rest#?}"}
                    _ipv_rest=${_ipv_rest#?}
                    __ipvsadm_flag "-$_ipv_ch"
                    [ -n "$_ipv_long" ] || break
                    __ipvsadm_take
                    if [ -z "$_ipv_rest" ]; then
                        __ipvsadm_wants
                    else
                        case $_ipv_kind in r | v | o) break ;; esac
                    fi
                done
                ;;
        esac
    done
    if [ -n "$_ipv_expect" ]; then
        __ipvsadm_values "$_ipv_expect" \'\' "$_ipv_cur"
        return
    fi
    [ "$_ipv_skip" -gt 0 ] && return
    case $_ipv_cur in
        --*=*)
            __ipvsadm_flag "${_ipv_cur%%=*}"
            [ -n "$_ipv_long" ] && __ipvsadm_values "$_ipv_long" "${_ipv_cur%%=*}=" "${_ipv_cur#*=}"
            return
            ;;
    esac
    for _ipv_x in $(__ipvsadm_accepts "$_ipv_cmd"); do
        case $_ipv_used in *" $_ipv_x "*) continue ;; esac
        __ipvsadm_option "$_ipv_x"
        __ipvsadm_offer "$_ipv_x" "$_ipv_short" "$_ipv_help"
    done
}
'

function __ipvsadm_complete_fish
    set -l words (commandline -opc)
    set -l current (commandline -ct)
    for line in (command sh -c "$__ipvsadm_core"'
__ipvsadm_complete "$@"' sh $words "$current")
        switch $line
            case '@hosts|*' '@interfaces|*' '@files|*'
                set -l parts (string split -m 2 '|' -- $line)
                switch $parts[1]
                    case @hosts
                        for host in (__fish_print_hostnames)
                            echo $parts[2]$host
                        end
                    case @interfaces
                        for interface in (__fish_print_interfaces)
                            echo $parts[2]$interface
                        end
                    case @files
                        __fish_complete_path $parts[3]
                end
            case '*'
                echo $line
        end
    end
end

complete -c ipvsadm -f -a '(__ipvsadm_complete_fish)'
complete -c ipvsadm-save -f -a '(__ipvsadm_complete_fish)'
complete -c ipvsadm-restore -f -a '(__ipvsadm_complete_fish)'
