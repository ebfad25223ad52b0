#!/bin/bash
#
# sim_fault_rules_hit_exact_blocks: a fault rule fails exactly the requests
# of its operations that touch its block range, with its effect (EIO for
# ioerr, ENODATA for a medium error), and no neighbour; "once" fires on the
# first matching request only, "every:N" on every N-th exactly, a
# remaining count stops after that many, probability 100% always fires;
# flush and discard rules fail fsync and blkdiscard; the block I/O ioctl
# meets the same rules; matched and fired counters, the per-operation fault
# and error statistics, clearing one rule and clearing all are exact.
#
# Needs: the module (write_cache=1 so flushes reach it), vbs-simtool,
# blkdiscard.
#
# vbs-tier: core

. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../sim/lib-sim.sh"

vbs_load capacity_mb=64 write_cache=1 discard=1
dev=$(vbs_dev 0)

# probe OP LBA BLOCKS N EXPECTED - N I/Os must give exactly EXPECTED.
probe() {
	local got
	got=$(sim_tool probe "$dev" "$1" "$2" "$3" "$4") || vbs_fail "probe $*"
	vbs_expect_eq "$5" "$got" "$1 of $3 block(s) at LBA $2, $4 times"
}

# rule_field ID FIELD - a field of rule ID in fault-list.
rule_field() {
	sim_tool fault-list "$dev" | sed -n "s/^rule id=$1 .*\b$2=\([^ ]*\).*/\1/p"
}

vbs_step "ioerr on reads of LBA 1000..1007: exactly those fail"
id=$(sim_get id "$(sim_tool fault-add "$dev" ops=read effect=ioerr lba=1000 count=8)")
probe read 999 1 2 ..
probe read 1000 1 2 EE
probe read 1007 1 2 EE
probe read 1008 1 2 ..
probe read 996 8 1 E
probe read 992 8 1 .
probe write 1000 1 2 ..
vbs_expect_eq 5 "$(rule_field "$id" matched)" "rule $id matched"
vbs_expect_eq 5 "$(rule_field "$id" fired)" "rule $id fired"
vbs_expect_eq 5 "$(sim_stat "$dev" read_faults)" "read faults in the statistics"
vbs_expect_eq 5 "$(sim_stat "$dev" read_errors)" "read errors in the statistics"
vbs_run sim_tool fault-clear "$dev" "$id"
probe read 1000 1 1 .

vbs_step "medium error on writes of LBA 2000: ENODATA"
sim_tool fault-add "$dev" ops=write effect=medium lba=2000 count=1 >/dev/null
probe write 2000 1 3 MMM
probe write 2001 1 1 .
probe read 2000 1 1 .

vbs_step "once: the first matching request only"
id=$(sim_get id "$(sim_tool fault-add "$dev" ops=read effect=ioerr lba=3000 count=1 trigger=once)")
probe read 3001 1 2 ..
probe read 3000 1 4 E...
vbs_expect_eq 1 "$(rule_field "$id" spent)" "once rule spent"
vbs_expect_eq 1 "$(rule_field "$id" fired)" "once rule fired"

vbs_step "every:4: the 4th, 8th, 12th matching request"
sim_tool fault-add "$dev" ops=read effect=ioerr lba=4000 count=2 trigger=every:4 >/dev/null
probe read 4000 1 6 ...E..
probe read 4001 1 6 .E...E

vbs_step "remaining=3: fires three times, then never"
id=$(sim_get id "$(sim_tool fault-add "$dev" ops=read effect=medium lba=5000 count=1 remaining=3)")
probe read 5000 1 6 MMM...
vbs_expect_eq 0 "$(rule_field "$id" remaining)" "remaining after three fires"
vbs_expect_eq 6 "$(rule_field "$id" matched)" "matched"

vbs_step "probability 100%: always"
sim_tool fault-add "$dev" ops=read effect=ioerr lba=6000 count=1 trigger=prob:1000000 >/dev/null
probe read 6000 1 5 EEEEE

vbs_step "the first rule that fires decides"
sim_tool fault-add "$dev" ops=read effect=medium lba=7000 count=1 trigger=every:2 >/dev/null
sim_tool fault-add "$dev" ops=read effect=ioerr lba=7000 count=1 >/dev/null
probe read 7000 1 4 EMEM

vbs_step "block I/O ioctl meets the rules"
sim_tool fault-add "$dev" ops=write effect=ioerr lba=8000 count=1 >/dev/null
vbs_expect_fail "ioctl write to a failing block" sim_tool ioctl-write "$dev" 8000 1 7
vbs_expect_match "Input/output error" "$VBS_OUTPUT" "ioctl write error"
vbs_run sim_tool ioctl-write "$dev" 8001 1 7
vbs_run sim_tool ioctl-read "$dev" 8001 1 7

vbs_step "flush and discard rules fail fsync and blkdiscard"
id=$(sim_get id "$(sim_tool fault-add "$dev" ops=flush effect=ioerr lba=0 trigger=once)")
vbs_expect_fail "fsync with a failing flush" sim_tool flush "$dev"
vbs_run sim_tool flush "$dev"
vbs_expect_eq 1 "$(sim_stat "$dev" flush_faults)" "flush faults"
sim_tool fault-add "$dev" ops=discard effect=ioerr lba=16384 count=8 >/dev/null
vbs_expect_fail "blkdiscard of a failing range" blkdiscard -o $((16384 * 512)) -l 4096 "$dev"
vbs_run blkdiscard -o $((32768 * 512)) -l 4096 "$dev"

vbs_step "clear all: nothing fails any more"
n=$(sim_get count "$(sim_tool fault-list "$dev")")
vbs_expect_eq 10 "$n" "rules before clearing"
vbs_run sim_tool fault-clear "$dev"
vbs_expect_eq 0 "$(sim_get count "$(sim_tool fault-list "$dev")")" "rules after clearing"
probe read 3000 1 1 .
probe read 4000 1 4 ....
probe read 7000 1 2 ..
probe write 2000 1 1 .
vbs_expect_fail "clearing a rule that is gone" sim_tool fault-clear "$dev" "$id"
