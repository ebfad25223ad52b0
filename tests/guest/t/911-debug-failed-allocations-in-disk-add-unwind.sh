#!/bin/bash
#
# debug_failed_allocations_in_disk_add_unwind: on the debug kernel, a disk
# is added through the control node (VBS_CTL_ADD) while the N-th memory
# allocation of that ioctl fails (slab or page allocator, GFP_KERNEL and
# GFP_NOIO included: the per-task fail-nth knob, see
# tests/debug/lib-debug.sh), for every N until an add makes no N-th
# allocation: that reaches every unwind label of the add path (disk
# structure, index, tag set, gendisk, add_disk).  Each add either fails
# with ENOMEM and leaves nothing behind (no new disk in /dev or
# /sys/block, the list of disks unchanged), or succeeds with a disk that
# works and can be removed.  The disk that was there all along keeps its
# data, a normal add works afterwards, and kmemleak finds nothing leaked.
# With VBS_FAILNTH_MAX set (make check-debug), the walk takes every one of
# the add's first allocations (the module's own: disk structure, index,
# tag set) and a stride of the rest (vbs_failnth_plan in
# tests/debug/lib-debug.sh).
#
# Needs: the debug kernel (failslab, fail_page_alloc, kmemleak),
# build/debug/vbs-failnth (make -C tests/debug), the module.
#
# vbs-tier: full

. "$(dirname "$0")/../lib.sh"
. "$VBS_ROOT/tests/debug/lib-debug.sh"

vbs_require_env
vbs_fault_setup
vbs_need_kmemleak
vbs_module_loaded && vbs_unload
vbs_kmemleak_baseline

size=$((16 << 20))
vbs_load nr_devices=1 capacity_mb=16
dev0=$(vbs_dev 0)
pattern=$VBS_TMP/pattern
vbs_pattern "$pattern" $((256 << 10))
vbs_dd_write "$pattern" 0 "$dev0" 0 $((256 << 10))
before=$(vbs_our_nodes)

# remove_disk INDEX - remove a disk added by the loop (retried: something
# may still hold it open for a moment after the add) and wait for it to go.
remove_disk() {
	local i
	for ((i = 0; i < 20; i++)); do
		vbs_failnth 0 remove "$1"
		[[ $FN_RESULT == ok ]] && break
		sleep 0.25
	done
	vbs_expect_eq ok "$FN_RESULT" "removal of disk $1 ($FN_ERRNO)"
	for ((i = 0; i < 50; i++)); do
		[[ -e /sys/block/$VBS_MOD$1 ]] || return 0
		sleep 0.1
	done
	vbs_fail "disk $1 still in /sys/block after its removal"
}

# expect_working INDEX WHAT - the added disk is there and holds data.
expect_working() {
	local d
	d=$(vbs_dev "$1")
	vbs_wait_path "$d"
	vbs_expect_eq "$size" "$(blockdev --getsize64 "$d")" "size of the disk added with $2"
	vbs_dd_write "$pattern" 0 "$d" 0 4096
	vbs_expect_disk_equals "$d" 0 "$pattern" 0 4096 "data on the disk added with $2"
}

vbs_step "count the checks of one add"
vbs_failnth 1000000 add "$size" 512
vbs_expect_eq ok "$FN_RESULT" "add with nothing injected ($FN_ERRNO)"
calls=$FN_CALLS
expect_working "$FN_INDEX" "nothing injected"
remove_disk "$FN_INDEX"
vbs_note "fault-injection checks per add: $calls"
vbs_expect_gt 10 "$calls" "allocations made by one add"

vbs_step "fail allocation N of an add, for N = 1, 2, ..."
vbs_failnth_plan "$calls" 1
failed=0 tolerated=0 n=1
while :; do
	vbs_failnth "$n" add "$size" 512
	injected=$FN_INJECTED # remove_disk runs vbs-failnth too
	if [[ $FN_RESULT == error ]]; then
		vbs_expect_eq ENOMEM "$FN_ERRNO" "errno of the add failing at allocation $n"
		vbs_expect_eq "$before" "$(vbs_our_nodes)" "disks after the add failing at allocation $n"
		failed=$((failed + 1))
	else
		((injected)) && tolerated=$((tolerated + 1))
		expect_working "$FN_INDEX" "allocation $n failing"
		remove_disk "$FN_INDEX"
	fi
	((injected)) || break
	((n < 3 * calls)) || vbs_fail "allocation $n still reached: the count does not converge"
	vbs_failnth_next "$n"
	n=$FNP_NEXT
done
vbs_note "$FNP_STEPS adds with one of allocation 1..$((n - 1)) failing: $failed failed with ENOMEM, $tolerated succeeded anyway"
vbs_expect_gt $((FNP_STEPS / 8)) "$failed" "adds that failed (about a quarter of those walked fail; the others are allocations the add can do without)"

vbs_step "disk 0 kept its data; a normal add works"
vbs_expect_disk_equals "$dev0" 0 "$pattern" 0 $((256 << 10)) "disk 0 after the failed adds"
vbs_failnth 0 add "$size" 512
vbs_expect_eq ok "$FN_RESULT" "add after the failures ($FN_ERRNO)"
vbs_expect_eq 1 "$FN_INDEX" "index of the first add after the failures (lowest free)"
expect_working 1 "nothing injected, after the failures"
remove_disk 1
vbs_unload
vbs_kmemleak_expect_none "$FNP_STEPS adds with one allocation failing"
