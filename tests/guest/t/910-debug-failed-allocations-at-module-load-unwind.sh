#!/bin/bash
#
# debug_failed_allocations_at_module_load_unwind: on the debug kernel, the
# module is loaded with nr_devices=2 while the N-th memory allocation of
# the load fails (slab or page allocator, GFP_KERNEL and GFP_NOIO included:
# the per-task fail-nth knob, see tests/debug/lib-debug.sh), for every N
# from the end of the kernel's module loader to the last allocation of the
# module's init (two disks, the control node, the block major).  Each load
# either fails with ENOMEM and leaves nothing behind (no module, no disk,
# no control node, no block major), or succeeds with both disks working;
# the loop ends when a load makes no N-th allocation.  No kernel report,
# and kmemleak finds nothing leaked by the whole sequence.
#
# The loader's own first allocations (reading the file, the module's
# memory) are left out: they are the core kernel's, and vmalloc prints an
# allocation-failure report with a stack trace when they fail.
#
# Needs: the debug kernel (failslab, fail_page_alloc, kmemleak),
# build/debug/vbs-failnth (make -C tests/debug), the module.

. "$(dirname "$0")/../lib.sh"
. "$VBS_ROOT/tests/debug/lib-debug.sh"

vbs_require_env
vbs_fault_setup
vbs_need_kmemleak
vbs_module_loaded && vbs_unload
vbs_kmemleak_baseline

params=(nr_devices=2 capacity_mb=8)

# expect_nothing_left WHAT - the failed load left no trace.
expect_nothing_left() {
	vbs_module_loaded && vbs_fail "module loaded after $1"
	vbs_expect_no_path /sys/module/virtblkiosim "module in sysfs after $1"
	vbs_expect_eq "" "$(vbs_our_nodes)" "disks left after $1"
	vbs_expect_no_path "/dev/$VBS_MOD-control" "control node left after $1"
	if grep -qw virtblkiosim /proc/devices; then
		vbs_fail "block major still registered after $1"
	fi
}

# expect_loaded WHAT - the load succeeded: both disks are there and work.
expect_loaded() {
	local i
	for i in 0 1; do
		vbs_wait_path "/dev/$VBS_MOD$i"
		vbs_run dd if=/dev/zero of="$(vbs_dev $i)" bs=4096 count=1 oflag=direct status=none
	done
	vbs_unload
}

vbs_step "count the checks of a load without disks and with two"
vbs_failnth 1000000 load "$VBS_KO" nr_devices=0
vbs_expect_eq ok "$FN_RESULT" "load with nr_devices=0, nothing injected ($FN_ERRNO)"
base=$FN_CALLS
vbs_unload
vbs_failnth 1000000 load "$VBS_KO" "${params[*]}"
vbs_expect_eq ok "$FN_RESULT" "load with ${params[*]}, nothing injected ($FN_ERRNO)"
full=$FN_CALLS
vbs_unload
vbs_note "fault-injection checks per load: $base without disks, $full with two"
vbs_expect_gt $((base + 20)) "$full" "checks added by creating two disks"

# Start a little before the end of the loader with nr_devices=0: that
# covers the module's own init (control node, block major) and the last
# steps of the loader, then every allocation of the two disks.
start=$((base > 40 ? base - 40 : 1))
failed=0 tolerated=0 n=$start
while :; do
	vbs_failnth "$n" load "$VBS_KO" "${params[*]}"
	if [[ $FN_RESULT == error ]]; then
		vbs_expect_eq ENOMEM "$FN_ERRNO" "errno of the load failing at allocation $n"
		expect_nothing_left "the load failing at allocation $n"
		failed=$((failed + 1))
	else
		((FN_INJECTED)) && tolerated=$((tolerated + 1))
		expect_loaded "the load with allocation $n failing"
	fi
	((FN_INJECTED)) || break
	((n < 3 * full)) || vbs_fail "allocation $n still reached: the count does not converge"
	n=$((n + 1))
done
vbs_note "loads with allocation $start..$((n - 1)) failing: $failed failed with ENOMEM, $tolerated succeeded anyway"
vbs_expect_gt $(((full - base) / 4)) "$failed" "loads that failed"

vbs_step "a normal load still works"
vbs_load "${params[@]}"
expect_loaded "the final load"
vbs_kmemleak_expect_none "$((n - start)) loads with one allocation failing"
