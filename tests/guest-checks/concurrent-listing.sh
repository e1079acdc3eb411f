#!/bin/sh
# Listing while another process adds and deletes services as fast as it
# can. A writer keeps running `ipvsadm -R` with batches that add and then
# delete 200 services (no real servers) among 300 stable ones (3 real
# servers each), while listings run back to back: ours must always exit 0,
# never repeat a service or a real server, and list every stable service
# with exactly its real servers (no torn entries) and every churned one
# with none. Entries a listing misses (the kernel resumes a long dump by
# position and flags nothing) are counted; they do not fail the check.
# Ours lists for CONCURRENT_SECONDS (default 20) and at least
# CONCURRENT_LISTINGS times (default 20), however long a loaded host takes
# for them. With CONCURRENT_REFERENCE=1, 1.31 lists the same way first and
# its misses and repeats are counted too (the README's figures for 1.31;
# nothing to check, so the test command leaves it out).
#
# Guest check: ours is `ipvsadm` (first in PATH), the reference /sbin/ipvsadm.
set -u
. "$(dirname "$0")/check.inc"
SECONDS_EACH=${CONCURRENT_SECONDS:-20}
LISTINGS=${CONCURRENT_LISTINGS:-20}
in_work_dir

seq 0 299 | awk '{
    svc = sprintf("-t 10.50.%d.%d:80", int($1 / 200), $1 % 200 + 1)
    print "-A " svc " -s wlc"
    for (d = 1; d <= 3; d++)
        printf "-a %s -r 10.60.%d.%d:%d -m -w %d\n", svc, int($1 / 200), $1 % 200 + 1, 8080 + d, d
}' >stable
seq 0 199 | awk '{ printf "-A -t 10.70.%d.%d:81 -s rr\n", $1 % 7, $1 + 1 }' >churn
sed 's/^-A \(.*\) -s rr$/-D \1/' churn >>churn
$REF -C
$REF -R <stable || fail "loading the stable services"
$REF -Sn >expected

# check_list FILE: -Ln output; prints "ok MISSING" or "torn|repeated ...".
check_list() {
    awk '
    function close_service() {
        if (svc == "") return
        if (svc ~ /^TCP  10\.50\./) { stable++; if (dests != 3) bad = bad " torn:" svc "(" dests ")" }
        else if (dests != 0) bad = bad " churned-with-servers:" svc
    }
    NR <= 3 { next }
    /^  -> / {
        if (svc == "") { bad = bad " server-without-service"; next }
        if (seen_dest[svc, $2]++) rep = rep " " svc "->" $2
        dests++
        next
    }
    /^(TCP|UDP|SCTP|FWM) / {
        close_service()
        svc = $1 "  " $2; dests = 0
        if (seen[svc]++) rep = rep " " svc
        next
    }
    { bad = bad " strange-line:" $0 }
    END {
        close_service()
        if (bad != "") print "torn" bad
        else if (rep != "") print "repeated" rep
        else print "ok " 300 - stable
    }' "$1"
}

# check_save FILE: -Sn output, the same verdicts.
check_save() {
    awk '
    function close_service() {
        if (svc == "") return
        if (svc ~ /10\.50\./) { stable++; if (dests != 3) bad = bad " torn:" svc "(" dests ")" }
        else if (dests != 0) bad = bad " churned-with-servers:" svc
    }
    $1 == "-A" {
        close_service()
        svc = $3; dests = 0
        if (seen[svc]++) rep = rep " " svc
        next
    }
    $1 == "-a" {
        if ($3 != svc) { bad = bad " server-of-another-service:" $0; next }
        if (seen_dest[svc, $5]++) rep = rep " " svc "->" $5
        dests++
        next
    }
    { bad = bad " strange-line:" $0 }
    END {
        close_service()
        if (bad != "") print "torn" bad
        else if (rep != "") print "repeated" rep
        else print "ok " 300 - stable
    }' "$1"
}

# run_readers TOOL: listings with TOOL for SECONDS_EACH seconds and at least
# LISTINGS times while the writer churns; prints "listings N failed F torn T
# repeated R missing M".
run_readers() {
    tool=$1
    rm -f stop
    (while [ ! -e stop ]; do ipvsadm -R <churn >>writer.err 2>&1; done) &
    writer=$!
    end=$(($(date +%s) + SECONDS_EACH))
    n=0 failed=0 torn=0 repeated=0 missing=0
    while [ "$n" -lt "$LISTINGS" ] || [ "$(date +%s)" -lt "$end" ]; do
        n=$((n + 1))
        if [ $((n % 2)) -eq 0 ]; then
            $tool -Ln >out 2>err
            rc=$?
            verdict=$(check_list out)
        else
            $tool -Sn >out 2>err
            rc=$?
            verdict=$(check_save out)
        fi
        if [ "$rc" -ne 0 ]; then
            failed=$((failed + 1))
            echo "$tool listing $n exited $rc: $(head -c 300 err)"
            continue
        fi
        [ ! -s err ] || echo "$tool listing $n wrote to stderr: $(head -c 300 err)"
        case $verdict in
        ok\ 0) ;;
        ok\ *) missing=$((missing + 1)) ;;
        torn*)
            torn=$((torn + 1))
            echo "$tool listing $n: $(echo "$verdict" | head -c 300)"
            ;;
        repeated*)
            repeated=$((repeated + 1))
            echo "$tool listing $n: $(echo "$verdict" | head -c 300)"
            ;;
        esac
    done
    : >stop
    wait "$writer"
    echo "$tool: listings $n failed $failed torn $torn repeated $repeated missing-some $missing"
}

if [ "${CONCURRENT_REFERENCE:-0}" = 1 ]; then
    run_readers "$REF" | tail -n 5 >ref.summary
    cat ref.summary
fi
run_readers ipvsadm >ours.log
cat ours.log
summary=$(tail -n 1 ours.log)
set -- $summary
# ipvsadm: listings N failed F torn T repeated R missing-some M
[ "$5" -eq 0 ] || fail "$5 listings failed"
[ "$7" -eq 0 ] || fail "$7 listings had torn entries"
[ "$9" -eq 0 ] || fail "$9 listings repeated an entry"
[ ! -s writer.err ] || fail "the writer failed: $(head -5 writer.err)"

# The writer stops after a whole add-and-delete round: the stable table is
# what it was.
ipvsadm -Sn >got || fail "final -Sn"
cmp -s expected got || fail "the table after the churn: $(diff expected got | head)"
$REF -C
echo "PASS concurrent-listing"
