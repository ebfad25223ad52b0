#!/bin/bash
#
# model_detach_races_disk_removal: a model session detaching and the
# removal of its disk, raced 250 times (VBS_RACE_ROUNDS; `make
# check-debug` races 1000). Each round adds a model disk,
# attaches a session (every other round with VBS_MODEL_RECOVER, whose
# detach wakes the waiters after counting the session out), lets a second
# thread spin on VBS_CTL_REMOVE of the disk (refused with EBUSY while the
# session is attached) and then closes the session, so the removal lands
# right after the detach. Every 4th round a reader thread has a direct read
# pending (fetched by the session, or not yet fetched) that the detach
# fails with EIO; the removal then lands right after the reader closes the
# disk, while the detach may still be failing requests. The detach must
# never touch the disk after the removal freed it: every removal ends (only
# EBUSY before it), every pending read fails with EIO, no disk is left,
# and the kernel log stays clean (on the debug kernel KASAN reports the
# use-after-free the race used to allow).
#
# Every round puts the removal right after the detach (the remover is
# already spinning when the session closes), so each round is one try at
# the window; what more rounds buy is more tries, which matter where a
# use-after-free is seen, on the debug kernel. A round costs 80-210 ms
# under emulation (adding and removing a disk), so 1000 took 77-181 s per
# kernel of the matrix; 250 still run each kind of round (plain, recover,
# a pending read fetched or not) 31 times or more, which the test checks.
#
# vbs-timeout: 240
# Needs: the module, vbs-modeltool (pthreads).
#
# vbs-tier: core

. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../model/lib-model.sh"

rounds=${VBS_RACE_ROUNDS:-250}
vbs_load nr_devices=0

vbs_step "$rounds rounds of detach against removal"
t0=$SECONDS
vbs_run model_tool race-detach-remove "$rounds"
printf '%s\n' "$VBS_OUTPUT" | tail -n 5
vbs_note "$rounds rounds took $((SECONDS - t0)) s"
[[ $VBS_OUTPUT =~ recover_rounds=([0-9]+)\ pending_read_rounds=([0-9]+) ]] ||
	vbs_fail "no round counts in the tool's output"
vbs_expect_ge $((rounds * 3 / 8)) "${BASH_REMATCH[1]}" "rounds with VBS_MODEL_RECOVER"
vbs_expect_ge $((rounds / 4)) "${BASH_REMATCH[2]}" "rounds with a pending read"

vbs_step "no disk left; the module unloads"
vbs_expect_eq "" "$(vbs_our_nodes)" "disks left after the race"
vbs_unload
