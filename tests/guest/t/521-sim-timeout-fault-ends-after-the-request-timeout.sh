#!/bin/bash
#
# sim_timeout_fault_ends_after_the_request_timeout: a request hit by a
# timeout rule is never completed by the device; the block layer's timeout
# handler ends it with ETIMEDOUT after the configured request timeout
# (timeout_ms, not much later), the disk goes on serving other requests
# meanwhile and afterwards, and a request whose simulated service time is
# longer than the timeout is ended the same way. The error is counted, and
# the module unloads at once afterwards.
#
# Needs: the module, vbs-simtool.
#
# vbs-tier: core

. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../sim/lib-sim.sh"

vbs_load capacity_mb=64
dev=$(vbs_dev 0)

# timed_probe OP LBA N - run a probe, print "result milliseconds".
timed_probe() {
	local t0 t1 got
	t0=$(date +%s%N)
	got=$(sim_tool probe "$dev" "$1" "$2" 1 "$3") || vbs_fail "probe $*"
	t1=$(date +%s%N)
	printf '%s %d\n' "$got" $(((t1 - t0) / 1000000))
}

vbs_step "timeout_ms=2000 and a timeout rule on LBA 50 (once)"
sim_set "$dev" timeout_ms=2000
vbs_run sim_tool fault-add "$dev" ops=read effect=timeout lba=50 count=1 trigger=once

vbs_step "the hung read ends with ETIMEDOUT after 2 s; other I/O goes on meanwhile"
sim_tool probe "$dev" read 50 1 1 >"$VBS_TMP/hung" &
sleep 0.5
vbs_expect_eq 1 "$(sim_stat "$dev" in_flight)" "requests in flight while one hangs"
vbs_run sim_tool fill "$dev" 60 8 0x42
vbs_run sim_tool verify "$dev" 60 8 0x42
wait $!
vbs_expect_eq T "$(cat "$VBS_TMP/hung")" "result of the hung read"
read -r got ms <<<"$(timed_probe read 50 1)"
vbs_expect_eq . "$got" "the same block read again"

vbs_step "timing: a second hung read takes the timeout, not much more"
vbs_run sim_tool fault-add "$dev" ops=read effect=timeout lba=51 count=1 trigger=once
read -r got ms <<<"$(timed_probe read 51 1)"
vbs_expect_eq T "$got" "second hung read"
sim_report "timeout_ms=2000 hung read ended after ${ms} ms"
# blk-mq checks timeouts on a timer rounded up to whole seconds.
vbs_expect_ge 1900 "$ms" "milliseconds before ETIMEDOUT"
vbs_expect_ge "$ms" 6000 "milliseconds before ETIMEDOUT (upper bound)"
vbs_expect_eq 0 "$(sim_stat "$dev" in_flight)" "requests in flight afterwards"
vbs_expect_eq 2 "$(sim_stat "$dev" read_errors)" "read errors counted"

vbs_step "a service time longer than the timeout: ETIMEDOUT too"
sim_set "$dev" timeout_ms=1000 read_ns=3000000000
read -r got ms <<<"$(timed_probe read 70 1)"
vbs_expect_eq T "$got" "read with a 3 s service time and a 1 s timeout"

vbs_step "back to normal: the disk works and unloads at once"
sim_set "$dev"
vbs_run sim_tool fault-clear "$dev"
read -r got ms <<<"$(timed_probe read 50 4)"
vbs_expect_eq .... "$got" "reads after the timeouts"
vbs_run sim_tool verify "$dev" 60 8 0x42
t0=$(date +%s)
vbs_unload
vbs_expect_ge $(($(date +%s) - t0)) 5 "seconds to unload"
