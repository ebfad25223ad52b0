#!/bin/bash
#
# ioctl_bad_buffers_leak_nothing: VBS_IOC_READ into a buffer mapped
# read-only and VBS_IOC_WRITE from one mapped without access, 512 KiB
# each, 4000 times over, all fail with EFAULT, and the kernel keeps
# nothing of them: its unreclaimable slab memory (SUnreclaim) grows by less
# than 2 MiB, or, on a kernel with kmemleak (the debug kernel, whose KASAN
# quarantine holds freed objects and so inflates SUnreclaim), kmemleak
# reports no object. The module once handed such buffers to
# blk_rq_map_user(), whose error path on 6.12.y leaks the page-pointer
# array it allocated when the first pin fails: 1 KiB a call here, 8 MiB
# over the run; the debug kernel's kmemleak found it during the fuzz (test
# 900). The disk's data is untouched.
#
# Needs: the module, vbs-simtool.
#
# vbs-tier: core

. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../sim/lib-sim.sh"
. "$VBS_ROOT/tests/debug/lib-debug.sh"

calls=4000
vbs_load capacity_mb=16
dev=$(vbs_dev 0)
pattern=$VBS_TMP/pattern
vbs_pattern "$pattern" $((1 << 20))
vbs_dd_write "$pattern" 0 "$dev" 0 $((1 << 20))

# sunreclaim_kib - unreclaimable slab memory, in KiB, caches dropped.
sunreclaim_kib() {
	vbs_drop_caches
	awk '/^SUnreclaim:/ { print $2 }' /proc/meminfo
}

vbs_step "$calls reads into a read-only buffer, $calls writes from an inaccessible one"
sim_tool bad-buffers "$dev" 100 >/dev/null || vbs_fail "vbs-simtool bad-buffers (warm-up)"
vbs_debugfs
if [[ -e $VBS_KMEMLEAK ]]; then
	vbs_kmemleak_baseline
	vbs_run sim_tool bad-buffers "$dev" "$calls"
	vbs_expect_eq $((2 * calls)) "$(sim_get calls "$VBS_OUTPUT")" "calls that failed with EFAULT"
	vbs_kmemleak_expect_none "$((2 * calls)) ioctls with bad buffers"
else
	before=$(sunreclaim_kib)
	vbs_run sim_tool bad-buffers "$dev" "$calls"
	after=$(sunreclaim_kib)
	vbs_expect_eq $((2 * calls)) "$(sim_get calls "$VBS_OUTPUT")" "calls that failed with EFAULT"
	vbs_note "SUnreclaim: $before KiB before, $after KiB after ($((after - before)) KiB)"
	vbs_expect_ge $((after - before)) 2047 "KiB of unreclaimable slab the calls left behind"
fi

vbs_step "the disk's data is untouched"
vbs_expect_disk_equals "$dev" 0 "$pattern" 0 $((1 << 20)) "disk 0 after the failed calls"
vbs_unload
