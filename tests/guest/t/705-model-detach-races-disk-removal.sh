#!/bin/bash
#
# model_detach_races_disk_removal: a model session detaching and the
# removal of its disk, raced 1000 times. Each round adds a model disk,
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
# vbs-timeout: 240
# Needs: the module, vbs-modeltool (pthreads).
#
# vbs-tier: core

. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../model/lib-model.sh"

rounds=${VBS_RACE_ROUNDS:-1000}
vbs_load nr_devices=0

vbs_step "$rounds rounds of detach against removal"
t0=$SECONDS
vbs_run model_tool race-detach-remove "$rounds"
printf '%s\n' "$VBS_OUTPUT" | tail -n 5
vbs_note "$rounds rounds took $((SECONDS - t0)) s"

vbs_step "no disk left; the module unloads"
vbs_expect_eq "" "$(vbs_our_nodes)" "disks left after the race"
vbs_unload
