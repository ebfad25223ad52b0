#!/bin/bash
#
# debug_failed_allocations_in_writes_fail_the_write_only: on the debug
# kernel, O_DIRECT writes of one block (4 KiB) and of sixteen (64 KiB) to
# places never written before are made with the N-th memory allocation of
# the write failing (the store's data page, the write cache's page, the
# xarray nodes, the block layer's own: the per-task fail-nth knob, see
# tests/debug/lib-debug.sh), for every N until a write makes no N-th
# allocation, with the write cache off and on.  A write that fails does so
# with EIO or ENOMEM; every 4 KiB block it covered reads back either as
# before (zeros) or as the new data, never anything else, and a one-block
# write that failed changed nothing at all (with the cache off, the store
# holds no page for it either).  A write that succeeds reads back.  Data
# written before all this stays readable, the module unloads, and kmemleak
# finds nothing leaked.
#
# Needs: the debug kernel (failslab, fail_page_alloc, kmemleak),
# build/debug/vbs-failnth (make -C tests/debug), the module, od, awk.
#
# vbs-tier: full

. "$(dirname "$0")/../lib.sh"
. "$VBS_ROOT/tests/debug/lib-debug.sh"

vbs_require_env
vbs_fault_setup
vbs_need_kmemleak
vbs_module_loaded && vbs_unload
vbs_kmemleak_baseline

dev=$(vbs_dev 0)
kept=$VBS_TMP/kept
vbs_pattern "$kept" $((256 << 10))
got=$VBS_TMP/got

# block_states OFF LEN BYTE - print one character per 4 KiB block of
# [OFF, OFF+LEN) on the disk: 'n' all BYTE, '0' all zeros, '?' else.  One
# od and one awk for the whole range (a process per block made each step
# of the walk take seconds on the debug kernel).
block_states() {
	vbs_dd_read "$dev" "$1" "$2" "$got"
	od -An -v -tu1 -w4096 "$got" | awk -v b="$3" '{
		n = 0; z = 0
		for (i = 1; i <= NF; i++) {
			if ($i == b)
				n++
			else if ($i == 0)
				z++
		}
		s = s (n == NF ? "n" : z == NF ? "0" : "?")
	} END { print s }'
}

# failing_writes CACHE LEN - the loop for one block size; OFF advances so
# that every write goes where nothing was written before, and into a
# 256 KiB region of its own: one leaf node of the store's (and the
# cache's) xarray holds 64 pages, so every write needs a new node too and
# the walk reaches that allocation, not only the data page's.
total_failed=0
failing_writes() {
	local cache=$1 len=$2 n=1 calls byte states pages_before pages_after
	local failed=0 blocks=$(($2 / 4096)) all_new all_zero
	local step=$(($2 > 262144 ? $2 : 262144))
	all_new=$(printf "%${blocks}s" "" | tr ' ' n)
	all_zero=$(printf "%${blocks}s" "" | tr ' ' 0)
	vbs_failnth 1000000 write "$dev" "$off" "$len" 1
	vbs_expect_eq ok "$FN_RESULT" "write of $len with nothing injected ($FN_ERRNO)"
	calls=$FN_CALLS
	vbs_expect_eq "$all_new" "$(block_states "$off" "$len" 1)" "blocks of the write with nothing injected"
	off=$((off + step))
	vbs_note "write_cache=$cache, $len bytes: $calls fault-injection checks per write"
	vbs_expect_gt 0 "$calls" "allocations made by a write of $len"
	while :; do
		byte=$((n % 250 + 2))
		pages_before=$(vbs_pages_in_use 0)
		vbs_failnth "$n" write "$dev" "$off" "$len" "$byte"
		pages_after=$(vbs_pages_in_use 0)
		states=$(block_states "$off" "$len" "$byte")
		if [[ $FN_RESULT == error ]]; then
			vbs_expect_match '^(EIO|ENOMEM)$' "$FN_ERRNO" "errno of the write of $len failing at allocation $n"
			[[ $states == *'?'* ]] &&
				vbs_fail "write of $len failing at allocation $n: blocks $states ('?': neither old nor new data)"
			if ((blocks == 1)); then
				vbs_expect_eq 0 "$states" "block after the one-block write failing at allocation $n"
				((cache)) || vbs_expect_eq "$pages_before" "$pages_after" \
					"store pages after the one-block write failing at allocation $n"
			fi
			failed=$((failed + 1))
		else
			vbs_expect_eq "$all_new" "$states" "blocks of the write of $len with allocation $n failing"
		fi
		[[ $states == "$all_zero" || $states == "$all_new" ]] ||
			vbs_note "write of $len failing at allocation $n: partly written ($states)"
		off=$((off + step))
		((FN_INJECTED)) || break
		((n < 3 * calls + 20)) || vbs_fail "allocation $n still reached: the count does not converge"
		n=$((n + 1))
	done
	vbs_note "write_cache=$cache, $len bytes, allocation 1..$((n - 1)) failing: $failed writes failed"
	total_failed=$((total_failed + failed))
}

for cache in 0 1; do
	vbs_step "write_cache=$cache"
	vbs_load capacity_mb=32 write_cache=$cache
	vbs_dd_write "$kept" 0 "$dev" 0 $((256 << 10))
	off=$((1 << 20))
	failing_writes "$cache" 4096
	failing_writes "$cache" 65536
	vbs_expect_disk_equals "$dev" 0 "$kept" 0 $((256 << 10)) "data written before the failures (write_cache=$cache)"
	vbs_run sync
	vbs_unload
done
vbs_expect_gt 0 "$total_failed" "writes that failed (the injection never reached a write)"
vbs_kmemleak_expect_none "writes with one allocation failing"
