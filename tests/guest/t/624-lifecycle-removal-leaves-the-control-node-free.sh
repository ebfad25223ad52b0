#!/bin/bash
#
# lifecycle_removal_leaves_the_control_node_free: removing a disk does not
# hold up the control node while the disk is torn down. A 1 GiB disk full
# of data (so freeing its store takes a while under emulation), its engine
# set with a 10 s read latency and an armed timeout fault rule, is removed
# through VBS_CTL_REMOVE while another process calls VBS_CTL_GET_FEATURES
# back to back: every call issued during the removal (its first three
# quarters) returns well before the removal does (within a quarter of the
# removal's time, at least 50 ms: a call blocked on a lock the removal
# drops last would return only microseconds before it), and the removal
# itself ends within 10 s. The removal time, the number of calls and the
# longest call are printed.
#
# Needs: the module, vbs-simtool, 1.3 GiB of free memory in the VM.
#
# vbs-tier: full

. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../sim/lib-sim.sh"

mib=1024
avail_kib=$(awk '/^MemAvailable:/ { print $2 }' /proc/meminfo)
((avail_kib > (mib + 300) * 1024)) ||
	vbs_skip "needs $((mib + 300)) MiB of available memory, has $((avail_kib / 1024)) MiB"

vbs_load nr_devices=1 capacity_mb=$mib
dev=$(vbs_dev 0)

vbs_step "fill $mib MiB, set a slow engine and a timeout fault"
t0=$SECONDS
vbs_run sim_tool fill-big "$dev" "$mib" 0x5a
vbs_note "filled in $((SECONDS - t0)) s; pages in use: $(vbs_pages_in_use 0)"
vbs_expect_ge $((mib * 256)) "$(vbs_pages_in_use 0)" "pages in use after the fill"
sim_set "$dev" read_ns=10000000000 timeout_ms=60000
vbs_run sim_tool fault-add "$dev" ops=read effect=timeout lba=0 count=8

vbs_step "remove it while another process asks for the features"
vbs_run sim_tool remove-timing "$dev" 10000
printf '%s\n' "$VBS_OUTPUT"
vbs_expect_no_path "$dev" "the disk after its removal"
vbs_unload
