#!/usr/bin/env bash
# Prints the benchmark table from DIR/times.txt and DIR/checks.txt (written
# by benches/guest.sh). Usage: benches/report.sh DIR
# Several runs pool into one table when their times.txt and checks.txt are
# concatenated into one DIR: each tool's fastest run of all is kept.
set -euo pipefail
dir=${1:?usage: report.sh DIR}
awk '
# LABEL is "OPERATION TOOL N"; keep the fastest run (with its CPU times)
# and the largest RSS. Older files have no CPU times (6 fields) or no
# minor page faults (8 fields).
NF == 6 || NF == 8 || NF == 9 {
    key = $1 SUBSEP $2 SUBSEP $3
    if (!(key in t) || $4 < t[key]) { t[key] = $4; usr[key] = $7; sys[key] = $8; flt[key] = $9 }
    if ($5 > rss[key]) rss[key] = $5
    if ($6 != 0) failed[key] = $6
    if (!(($1 SUBSEP $3) in seen)) { seen[$1 SUBSEP $3] = 1; order[++rows] = $1 SUBSEP $3 }
}
function cell(v) { return v == "" ? "-" : sprintf("%.3f", v) }
function ratio(a, b) { return (a == "" || b == "" || b == 0) ? "-" : sprintf("%.2f", a / b) }
END {
    based = 0
    for (i = 1; i <= rows; i++) { split(order[i], p, SUBSEP); if ((p[1] SUBSEP "base" SUBSEP p[2]) in t) based = 1 }
    printf "%-12s %7s %10s %10s %10s %9s %10s %12s %12s\n", "operation", "N", "1.31 s", "ours s", "floor s", "ours/1.31", "ours/floor", "ours us/rule", "1.31 us/rule"
    for (i = 1; i <= rows; i++) {
        split(order[i], p, SUBSEP); op = p[1]; n = p[2]
        r = t[op, "ref", n]; o = t[op, "ours", n]; f = t[op, "floor", n]
        # ours --drain with nothing to drain: against the same floor.
        if (op == "churn-drain") f = t["churn", "floor", n]
        # rules: N services x (1 + 10 real servers); single-add: N services.
        rules = (op == "single-add") ? n : n * 11
        printf "%-12s %7s %10s %10s %10s %9s %10s %12s %12s\n", op, n, cell(r), cell(o), cell(f), ratio(o, r), ratio(o, f),
            (o == "" ? "-" : sprintf("%.1f", o * 1e6 / rules)), (r == "" ? "-" : sprintf("%.1f", r * 1e6 / rules))
    }
    print ""
    print "peak memory (max RSS) of -Sn:"
    for (i = 1; i <= rows; i++) {
        split(order[i], p, SUBSEP)
        if (p[1] != "save") continue
        n = p[2]
        printf "  N=%-6s 1.31 %7d KiB   ours %7d KiB   ours/1.31 %s\n", n, rss["save", "ref", n], rss["save", "ours", n], ratio(rss["save", "ours", n], rss["save", "ref", n])
    }
    print ""
    print "CPU of the fastest run, user + system seconds (the rest of the time is waiting), and its minor page faults:"
    for (i = 1; i <= rows; i++) {
        split(order[i], p, SUBSEP); op = p[1]; n = p[2]
        line = sprintf("  %-12s %7s", op, n)
        for (j = 1; j <= 3 + based; j++) {
            tool = (j == 1) ? "ref" : (j == 2) ? "ours" : (j == 3) ? "floor" : "base"
            k = op SUBSEP tool SUBSEP n
            line = line sprintf("   %-5s %s", tool, (usr[k] == "") ? "-" : sprintf("%.3f + %.3f", usr[k], sys[k]))
            if (flt[k] != "") line = line sprintf(" (%d)", flt[k])
        }
        print line
    }
    # A baseline build (BENCH_BASE): its ratio to the floor beside that of ours.
    if (based) {
        print ""
        # One floor for both: ours/floor over base/floor is ours over base.
        print "against the baseline (BENCH_BASE); change: ours over base, minus 1 (the same as ours/floor over base/floor):"
        printf "  %-12s %7s %10s %10s %10s %10s %10s %8s\n", "operation", "N", "base s", "ours s", "floor s", "base/floor", "ours/floor", "change"
        for (i = 1; i <= rows; i++) {
            split(order[i], p, SUBSEP); op = p[1]; n = p[2]
            b = t[op, "base", n]; o = t[op, "ours", n]; f = t[op, "floor", n]
            if (b == "" || o == "") continue
            printf "  %-12s %7s %10s %10s %10s %10s %10s %+7.1f%%\n", op, n, cell(b), cell(o), cell(f), ratio(b, f), ratio(o, f), 100 * (o / b - 1)
        }
    }
    nf = 0
    for (k in failed) { split(k, p, SUBSEP); printf "FAILED (status %s): %s %s %s\n", failed[k], p[1], p[2], p[3]; nf++ }
}' "$dir/times.txt"
echo
echo "checks:"
sed 's/^/  /' "$dir/checks.txt"
