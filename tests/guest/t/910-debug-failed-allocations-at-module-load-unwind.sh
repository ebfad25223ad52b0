#!/bin/bash
#
# debug_failed_allocations_at_module_load_unwind: on the debug kernel, the
# module is loaded with nr_devices=2 while the N-th memory allocation of
# the load fails (slab or page allocator, GFP_KERNEL and GFP_NOIO included:
# the per-task fail-nth knob, see tests/debug/lib-debug.sh), for every N
# from the end of the kernel's module loader to the last allocation of the
# module's init (two disks, the control node, the block major).  Each load
# either fails with ENOMEM and leaves nothing behind (no module, no disk,
# no control node, no block major), or succeeds with both disks working,
# or, when the allocation that failed was in the add_disk() of a disk
# (after which the module no longer fails its load: see vbs_init()),
# succeeds with that disk left out, said in the kernel log, and the other
# one working; the loop ends when a load makes no N-th allocation.  One
# such load, before the module was changed, oopsed: the partition scan of
# the first disk released its open file after the failed load had freed
# the module.  No kernel report,
# and kmemleak finds nothing leaked by the whole sequence.  With
# VBS_FAILNTH_MAX set (make check-debug), the walk takes every allocation
# from the end of the loader to the start of the first add_disk() (so
# every unwind step of preparing the disks, the module's own code: found
# by the walk, see below) and around the start of the second add_disk(),
# and a stride of the others (vbs_failnth_plan in
# tests/debug/lib-debug.sh).
#
# The loader's own first allocations (reading the file, the module's
# memory) are left out: they are the core kernel's, and vmalloc prints an
# allocation-failure report with a stack trace when they fail.
#
# Needs: the debug kernel (failslab, fail_page_alloc, kmemleak),
# build/debug/vbs-failnth (make -C tests/debug), the module.
# vbs-timeout: 2400
# vbs-tier: full

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

# expect_loaded WHAT INJECTED - the load succeeded: both disks are there
# and work, or, if an allocation failed (INJECTED=1), a disk the kernel
# log says was left out is missing and the other works.  Counts the loads
# with a disk left out in $partial, and keeps in $first_out0 the first
# load that left disk 0 out; the log is read from the marker of load $n.
expect_loaded() {
	local i missing=0 log
	for i in 0 1; do
		if [[ ! -e /sys/block/$VBS_MOD$i ]] && (($2)); then
			log=$(dmesg | sed -n "/vbs-910: load $n\$/,\$p")
			grep -Eq "adding disk $i failed: -[0-9]+, left out" <<<"$log" ||
				vbs_fail "disk $i missing after $1, and the kernel log does not say why"
			missing=$((missing + 1))
			((i == 0 && first_out0 == 0)) && first_out0=$n
			continue
		fi
		vbs_wait_path "/dev/$VBS_MOD$i"
		vbs_run dd if=/dev/zero of="$(vbs_dev $i)" bs=4096 count=1 oflag=direct status=none
	done
	((missing < 2)) || vbs_fail "both disks left out after $1 (one allocation fails once)"
	((missing)) && partial=$((partial + 1))
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

# Start a little before the end of the loader with nr_devices=0, and from
# there fail every allocation, one load each, until a load leaves disk 0
# out, and 24 more: that is the module's init up to the first add_disk()
# (the block major, preparing both disks: the disk, its statistics,
# index, tag set and gendisk; the control node) and the start of disk 0's
# add_disk().  Where that ends moves from boot to boot (the debug runs saw
# disk 0's add_disk() start at base + 61 and at base + 113: how many
# allocations the loader makes depends on the slab caches' state), so the
# walk finds it rather than guessing it, and fails if it is not found
# within the first 250 allocations after base.  A second window opens
# about where the second disk's add_disk() starts (each add_disk() makes
# ~500; the debug runs saw "adding disk 1 failed" at 1192 of 1754 and
# 1213 of 1718): its failures leave disk 1 out with disk 0 already
# visible.  Elsewhere, the plan's stride.
start=$((base > 40 ? base - 40 : 1))
dense_cap=$((base + 250))
vbs_failnth_plan "$full" "$start" $(((base + full) / 2 - 8))
failed=0 partial=0 tolerated=0 first_out0=0 n=$start
while :; do
	echo "vbs-910: load $n" >/dev/kmsg
	vbs_failnth "$n" load "$VBS_KO" "${params[*]}"
	injected=$FN_INJECTED
	if [[ $FN_RESULT == error ]]; then
		vbs_expect_eq ENOMEM "$FN_ERRNO" "errno of the load failing at allocation $n"
		expect_nothing_left "the load failing at allocation $n"
		failed=$((failed + 1))
	else
		((injected)) && tolerated=$((tolerated + 1))
		expect_loaded "the load with allocation $n failing" "$injected"
	fi
	((injected)) || break
	((n < 3 * full)) || vbs_fail "allocation $n still reached: the count does not converge"
	vbs_failnth_next "$n"
	if ((first_out0 == 0 ? n < dense_cap : n < first_out0 + 24)); then
		n=$((n + 1))
	else
		n=$FNP_NEXT
	fi
done
vbs_note "$FNP_STEPS loads with one of allocation $start..$((n - 1)) failing: $failed failed with ENOMEM, $tolerated succeeded ($partial with a disk left out)"
vbs_expect_gt $((FNP_STEPS / 8)) $((failed + partial)) "loads that failed or left a disk out"
vbs_expect_gt 0 "$failed" "loads that failed"
if ((FNP_STRIDE > 1)); then
	((first_out0 > 0 && first_out0 <= dense_cap)) ||
		vbs_fail "no load up to allocation $dense_cap left disk 0 out (first: ${first_out0/#0/none}): the walk did not reach disk 0's add_disk() densely"
	vbs_note "every allocation from $start to $((first_out0 + 24)) failed once; disk 0's add_disk() starts by allocation $first_out0"
fi

vbs_step "a normal load still works"
vbs_load "${params[@]}"
expect_loaded "the final load" 0
vbs_kmemleak_expect_none "$FNP_STEPS loads with one allocation failing"
