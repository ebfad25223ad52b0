#!/bin/bash
#
# lifecycle_rmmod_refused_until_idle: rmmod is refused, and changes
# nothing, while the control node is open, while a disk added through it
# is open, and while O_DIRECT write requests are in flight on a disk (the
# engine holds each for 400 ms); the I/O finishes without
# an error and its data is intact. Once everything is closed rmmod
# succeeds and takes every disk with it, added ones included (no node is
# left behind); the module loads again with a fresh store, and a second
# load/add/rmmod cycle works the same.
#
# Needs: the module, vbsim built in $VBS_BUILD/tools, vbs-simtool, rmmod,
# dd.
#
# vbs-tier: core

. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../sim/lib-sim.sh"

vbsim=$VBS_BUILD/tools/tools/vbsim/vbsim
[[ -x $vbsim ]] || vbs_skip "vbsim not built ($vbsim)"

mib=$((1 << 20))
pattern=$VBS_TMP/pattern
vbs_pattern "$pattern" $((8 * mib))

# expect_rmmod_refused WHAT - rmmod fails, the module and disk 0 remain.
expect_rmmod_refused() {
	vbs_expect_fail "rmmod while $1" rmmod virtblkiosim
	vbs_expect_match "in use|busy" "$VBS_OUTPUT" "rmmod error while $1"
	vbs_module_loaded || vbs_fail "module unloaded while $1"
	vbs_expect_path "$(vbs_dev 0)" "disk 0 while $1"
}

for cycle in 1 2; do
	vbs_step "cycle $cycle: load, add a disk through the control node"
	vbs_load capacity_mb=16
	vbs_expect_eq 0 "$(vbs_pages_in_use 0)" "pages of disk 0 after the load"
	vbs_run "$vbsim" add --size 16M
	added=$VBS_OUTPUT
	vbs_wait_path "$added"

	vbs_step "cycle $cycle: control node open: rmmod refused"
	exec 5<"/dev/virtblkiosim-control"
	expect_rmmod_refused "the control node is open"
	exec 5<&-

	vbs_step "cycle $cycle: added disk open: rmmod refused"
	exec 6<"$added"
	expect_rmmod_refused "an added disk is open"
	exec 6<&-

	vbs_step "cycle $cycle: requests in flight: rmmod refused, the I/O completes intact"
	# Each write request takes 400 ms in the engine, so that requests
	# are in flight (the disk's inflight counter says so) when most of
	# the rmmod attempts are made. fd 7 keeps the disk held until the
	# loop ends, so that dd finishing between the check and the rmmod
	# cannot let the unload through.
	sim_set "$added" write_ns=400000000
	exec 7<"$added"
	dd if="$pattern" of="$added" bs=512k oflag=direct conv=notrunc status=none &
	writer=$!
	refused=0 busy=0
	while kill -0 "$writer" 2>/dev/null; do
		read -r r w <"/sys/block/${added#/dev/}/inflight"
		if rmmod virtblkiosim 2>/dev/null; then
			vbs_fail "rmmod succeeded while dd wrote to $added"
		fi
		refused=$((refused + 1))
		((r + w > 0)) && busy=$((busy + 1))
		sleep 0.05
	done
	wait "$writer" || vbs_fail "dd to $added failed while rmmod was tried"
	exec 7<&-
	sim_set "$added"
	vbs_note "rmmod refused $refused times during the write, $busy of them with requests in flight"
	vbs_expect_ge 3 "$busy" "rmmod refusals with requests in flight"
	vbs_module_loaded || vbs_fail "module gone after the write"
	vbs_expect_disk_equals "$added" 0 "$pattern" 0 $((8 * mib)) "data written during rmmod attempts"

	vbs_step "cycle $cycle: idle: rmmod succeeds and removes every disk"
	vbs_unload
	vbs_expect_eq "" "$(vbs_our_nodes)" "nodes after rmmod"
	vbs_expect_no_path /dev/virtblkiosim-control "control node after rmmod"
done
