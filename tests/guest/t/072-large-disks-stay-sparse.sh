#!/bin/bash
#
# large_disks_stay_sparse: disks of 1 TiB and of 1 PiB (the largest the
# module makes) cost next to nothing until written: eight empty 1 PiB
# disks take less than 1 MiB of the guest's memory each (MemFree, page
# cache dropped, before and after adding them), and report their size to
# the byte. On a 1 TiB and a 1 PiB disk, 4 KiB written at the first and at
# the last 4 KiB of the disk read back exactly and take exactly two store
# pages (pages_in_use); a write past the end fails and stores nothing.
# mkfs.xfs on the 1 TiB disk, a file written through the mounted file
# system and read back after a remount, and xfs_repair -n checks clean;
# the store then holds only what the file system wrote.
#
# Needs: the module, vbsim built in $VBS_BUILD/tools, dd, blockdev,
# mkfs.xfs, xfs_repair.
#
# vbs-tier: full

. "$(dirname "$0")/../lib.sh"

vbsim=$VBS_BUILD/tools/tools/vbsim/vbsim
[[ -x $vbsim ]] || vbs_skip "vbsim not built ($vbsim)"
tib=$((1 << 40))
pib=$((1 << 50))

# memfree_kib - MemFree in KiB with the page cache and slab caches dropped.
memfree_kib() {
	sync
	echo 3 >/proc/sys/vm/drop_caches
	awk '/^MemFree:/ { print $2 }' /proc/meminfo
}

# add SIZE - add a disk of SIZE (vbsim's units); sets DISK (its node) and
# IDX (its index).
add() {
	vbs_run "$vbsim" add --size "$1"
	DISK=$VBS_OUTPUT
	vbs_wait_path "$DISK"
	IDX=${DISK#/dev/virtblkiosim}
}

vbs_load nr_devices=0

vbs_step "eight empty 1 PiB disks: less than 1 MiB of memory each"
# One disk first: what the first disk allocates once (the module's
# caches) is not counted against the others.
add 1P
first=$IDX
before=$(memfree_kib)
idx=()
for i in 1 2 3 4 5 6 7 8; do
	add 1P
	vbs_expect_eq "$pib" "$(blockdev --getsize64 "$DISK")" "size of disk $IDX"
	vbs_expect_eq 0 "$(vbs_pages_in_use "$IDX")" "pages of the empty disk $IDX"
	idx+=("$IDX")
done
after=$(memfree_kib)
vbs_note "MemFree fell by $((before - after)) KiB for 8 empty 1 PiB disks"
vbs_expect_ge $(((before - after) / 8)) 1023 "KiB of memory per empty 1 PiB disk"
for i in "${idx[@]}"; do
	vbs_run "$vbsim" remove "$i"
done

# ends SIZE BYTES - on the disk DISK of BYTES bytes: 4 KiB at the start
# and at the very end read back, two store pages, nothing past the end.
ends() {
	local a=$VBS_TMP/a b=$VBS_TMP/b
	head -c 4096 /dev/urandom >"$a"
	head -c 4096 /dev/urandom >"$b"
	vbs_dd_write "$a" 0 "$DISK" 0 4096
	vbs_dd_write "$b" 0 "$DISK" $(($2 - 4096)) 4096
	vbs_expect_fail "a write past the end of the $1 disk" \
		dd if="$b" of="$DISK" bs=4096 oflag=direct,seek_bytes \
		seek="$2" conv=notrunc status=none
	vbs_drop_caches
	vbs_expect_disk_equals "$DISK" 0 "$a" 0 4096 "first 4 KiB of the $1 disk"
	vbs_expect_disk_equals "$DISK" $(($2 - 4096)) "$b" 0 4096 "last 4 KiB of the $1 disk"
	vbs_expect_eq 2 "$(vbs_pages_in_use "$IDX")" "store pages of the $1 disk"
}

vbs_step "1 PiB: the first and the last 4 KiB"
DISK=$(vbs_dev "$first") IDX=$first
ends "1 PiB" "$pib"
vbs_run "$vbsim" remove "$first"

vbs_step "1 TiB: the first and the last 4 KiB"
add 1T
vbs_expect_eq "$tib" "$(blockdev --getsize64 "$DISK")" "size of the 1 TiB disk"
ends "1 TiB" "$tib"

vbs_step "1 TiB: mkfs.xfs, a file, remount, xfs_repair"
vbs_need_fs xfs
mnt=$VBS_TMP/mnt
data=$VBS_TMP/data
head -c $((4 << 20)) /dev/urandom >"$data"
vbs_run mkfs.xfs -q -f "$DISK"
vbs_mount "$DISK" "$mnt"
cp "$data" "$mnt/data"
vbs_run umount "$mnt"
vbs_run xfs_repair -n "$DISK"
vbs_mount "$DISK" "$mnt" ro
cmp "$data" "$mnt/data" || vbs_fail "the file differs after the remount"
vbs_run umount "$mnt"
pages=$(vbs_pages_in_use "$IDX")
vbs_note "store pages after mkfs.xfs and a 4 MiB file: $pages ($((pages * 4)) KiB)"
vbs_expect_ge 1024 "$pages" "store pages (the 4 MiB file at least)"
# The log and the metadata of a 1 TiB XFS, not the 1 TiB.
vbs_expect_ge "$pages" $((1 << 18)) "store pages (at most 1 GiB)"
vbs_run "$vbsim" remove "$IDX"
vbs_unload
