#!/bin/bash
#
# rmmod_refused_while_busy: rmmod fails (module in use) while the disk is
# held open by a descriptor, while a filesystem on it is mounted, and while
# only one of its partitions is open; each time the module stays loaded
# and the disk keeps its data. Once released, rmmod succeeds and removes
# every disk node; a reload starts from an empty store (zeros, no pages),
# so the data went away with the module. Five load / write / unload cycles
# leave nothing behind.
#
# Needs: rmmod, sfdisk, blockdev, mkfs.ext4, the ext4 filesystem in the
# kernel, the module.
#
# vbs-tier: core

. "$(dirname "$0")/../lib.sh"

vbs_need_fs ext4

dev=$(vbs_dev 0)
mib=$((1 << 20))
pattern=$VBS_TMP/pattern
mnt=$VBS_TMP/mnt
vbs_pattern "$pattern" $((4 * mib))

# expect_rmmod_refused WHAT - rmmod fails because the module is in use, and
# the module and its disk are still there.
expect_rmmod_refused() {
	vbs_expect_fail "rmmod while $1" rmmod virtblkiosim
	vbs_expect_match "in use|Resource temporarily unavailable|busy" \
		"$VBS_OUTPUT" "rmmod error while $1"
	vbs_module_loaded || vbs_fail "module unloaded while $1"
	vbs_expect_path "$dev" "disk node while $1"
	vbs_expect_gt 0 "$(</sys/module/virtblkiosim/refcnt)" "module references while $1"
}

vbs_step "held open by a descriptor: rmmod refused"
vbs_load capacity_mb=64
vbs_dd_write "$pattern" 0 "$dev" 0 $((4 * mib))
vbs_expect_eq 1024 "$(vbs_pages_in_use 0)" "pages after writing 4 MiB"
vbs_expect_eq 0 "$(</sys/module/virtblkiosim/refcnt)" "module references with the disk closed"
exec 3<"$dev"
expect_rmmod_refused "a descriptor is open"
vbs_expect_disk_equals "$dev" 0 "$pattern" 0 $((4 * mib)) "data after the refused rmmod"
exec 3<&-

vbs_step "closed: rmmod succeeds, every node goes"
vbs_unload
vbs_expect_eq "" "$(vbs_our_nodes)" "disk nodes after rmmod"
vbs_expect_no_path /sys/module/virtblkiosim "module in sysfs after rmmod"

vbs_step "reload: the old data is gone, the store is empty"
vbs_load capacity_mb=64
vbs_expect_eq 0 "$(vbs_pages_in_use 0)" "pages after reload"
vbs_expect_disk_zeros "$dev" 0 $((4 * mib)) "data after reload"

vbs_step "mounted: rmmod refused; unmounted: rmmod succeeds"
vbs_run mkfs.ext4 -q -F "$dev"
vbs_mount "$dev" "$mnt"
echo data >"$mnt/file"
expect_rmmod_refused "a filesystem is mounted"
vbs_run umount "$mnt"
vbs_unload

vbs_step "one partition open: rmmod refused"
vbs_load capacity_mb=64
vbs_run sfdisk -q "$dev" <<<$'label: gpt\nstart=2048, size=8192\nstart=10240, size=8192'
vbs_wait_path "${dev}p2"
exec 4<"${dev}p2"
expect_rmmod_refused "a partition is open"
exec 4<&-
vbs_unload

vbs_step "5 load / write / unload cycles"
for i in 1 2 3 4 5; do
	vbs_load capacity_mb=16 nr_devices=2
	vbs_dd_write "$pattern" 0 "$dev" 0 "$mib"
	vbs_dd_write "$pattern" 0 "$(vbs_dev 1)" "$mib" "$mib"
	vbs_unload
	vbs_expect_eq "" "$(vbs_our_nodes)" "disk nodes after cycle $i"
done
