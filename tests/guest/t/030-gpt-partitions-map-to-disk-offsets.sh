#!/bin/bash
#
# gpt_partitions_map_to_disk_offsets: sfdisk writes a GPT with 3
# partitions; the kernel's partition scan makes virtblkiosim0p1..p3 appear
# in /sys and /dev with the start, size and device numbers asked for
# (our major, minors 1..3); data written through a partition is found at
# the partition's offset on the whole disk and the other way round; a
# partition ends where it should (writing past it fails, the neighbour is
# untouched); ext4 made on p3 mounts, holds files and checks clean; a
# deleted partition disappears. With max_partitions=2 the third partition
# still appears, but outside the minors reserved for the disk (the block
# layer's extended major, 259); with max_partitions=0 the same table gives
# no partitions and a re-read is refused.
#
# Needs: sfdisk, blockdev (util-linux), mkfs.ext4, e2fsck, the ext4
# filesystem in the kernel, the module.
#
# vbs-tier: full

. "$(dirname "$0")/../lib.sh"

vbs_need_fs ext4

dev=$(vbs_dev 0)
sysdisk=/sys/block/virtblkiosim0
mnt=$VBS_TMP/mnt

# Sectors of 512 bytes. 128 MiB = 262144 sectors; the backup GPT takes the
# last 33.
starts=(2048 34816 100352)
sizes=(32768 65536 131072)

# write_gpt - write the 3-partition GPT to the disk with sfdisk.
write_gpt() {
	local i script="label: gpt"$'\n'
	for i in 0 1 2; do
		script+="start=${starts[i]}, size=${sizes[i]}, name=part$((i + 1))"$'\n'
	done
	# --no-reread: leave telling the kernel to the caller, which is
	# refused when max_partitions=0.
	vbs_run sfdisk --no-reread -q "$dev" <<<"$script"
	local dumped
	dumped=$(sfdisk -d "$dev" | grep -c "^$dev"p)
	vbs_expect_eq 3 "$dumped" "partitions in the table sfdisk reads back"
}

vbs_step "max_partitions=16: GPT with 3 partitions"
vbs_load capacity_mb=128
major=$(<"$sysdisk/dev")
major=${major%%:*}
write_gpt
vbs_run blockdev --rereadpt "$dev"
for i in 1 2 3; do
	p=$sysdisk/virtblkiosim0p$i
	vbs_wait_path "$p"
	vbs_wait_path "${dev}p$i"
	vbs_expect_eq "$i" "$(<"$p/partition")" "p$i partition number"
	vbs_expect_eq "${starts[i - 1]}" "$(<"$p/start")" "p$i start sector"
	vbs_expect_eq "${sizes[i - 1]}" "$(<"$p/size")" "p$i size in sectors"
	vbs_expect_eq "$major:$i" "$(<"$p/dev")" "p$i device number"
	vbs_expect_eq $((sizes[i - 1] * 512)) \
		"$(blockdev --getsize64 "${dev}p$i")" "p$i size in bytes"
done
vbs_expect_no_path "$sysdisk/virtblkiosim0p4" "no fourth partition"
vbs_expect_no_path "${dev}p4" "no fourth partition node"

vbs_step "written through p2, read through the disk at p2's offset"
pattern=$VBS_TMP/pattern
vbs_pattern "$pattern" $((2 << 20))
off=$(((5 << 20) + 512))
vbs_dd_write "$pattern" 0 "${dev}p2" "$off" $((1 << 20))
vbs_expect_disk_equals "$dev" $((starts[1] * 512 + off)) "$pattern" 0 \
	$((1 << 20)) "p2 data at its offset on the whole disk"

vbs_step "written through the disk, read through p3"
vbs_dd_write "$pattern" $((1 << 20)) "$dev" $((starts[2] * 512 + 4096 * 3)) \
	$((1 << 20))
vbs_expect_disk_equals "${dev}p3" $((4096 * 3)) "$pattern" $((1 << 20)) \
	$((1 << 20)) "disk data read through p3"

vbs_step "p1 ends where p2 begins"
vbs_dd_write "$pattern" 0 "${dev}p1" $((sizes[0] * 512 - 4096)) 4096
vbs_expect_disk_equals "$dev" $((starts[1] * 512 - 4096)) "$pattern" 0 4096 \
	"last block of p1 on the whole disk"
vbs_expect_fail "write past the end of p1" dd if="$pattern" of="${dev}p1" \
	bs=4096 count=1 oflag=direct,seek_bytes seek=$((sizes[0] * 512)) \
	status=none
vbs_expect_match "No space left on device" "$VBS_OUTPUT" \
	"error of a write past the end of p1"
vbs_expect_disk_zeros "${dev}p2" 0 $((1 << 20)) "start of p2 untouched"

vbs_step "ext4 on p3: mount, write, unmount, e2fsck -fn"
vbs_run mkfs.ext4 -q -F -b 4096 -E lazy_itable_init=0,lazy_journal_init=0 \
	"${dev}p3"
vbs_mount "${dev}p3" "$mnt"
vbs_make_tree "$mnt" 4 10 1 4
vbs_tree_manifest "$mnt" "$VBS_TMP/manifest"
vbs_run umount "$mnt"
vbs_run e2fsck -fn "${dev}p3"
vbs_mount "${dev}p3" "$mnt" ro
vbs_expect_tree "$mnt" "$VBS_TMP/manifest" "files on p3"
vbs_run umount "$mnt"
# ext4 on p3 did not spill into p2.
vbs_expect_disk_equals "$dev" $((starts[1] * 512 + off)) "$pattern" 0 \
	$((1 << 20)) "p2 data after mkfs on p3"

vbs_step "delete p2: it disappears, p1 and p3 stay"
vbs_run sfdisk -q --delete "$dev" 2
vbs_expect_no_path "$sysdisk/virtblkiosim0p2" "p2 after deleting it"
vbs_expect_no_path "${dev}p2" "p2 node after deleting it"
vbs_expect_path "$sysdisk/virtblkiosim0p1" "p1 after deleting p2"
vbs_expect_path "$sysdisk/virtblkiosim0p3" "p3 after deleting p2"
vbs_unload

vbs_step "max_partitions=2: p3 gets a device number outside our range"
vbs_load capacity_mb=128 max_partitions=2
major=$(<"$sysdisk/dev")
major=${major%%:*}
write_gpt
vbs_run blockdev --rereadpt "$dev"
for i in 1 2; do
	vbs_wait_path "$sysdisk/virtblkiosim0p$i"
	vbs_expect_eq "$major:$i" "$(<"$sysdisk/virtblkiosim0p$i/dev")" \
		"p$i device number"
done
vbs_wait_path "$sysdisk/virtblkiosim0p3"
p3dev=$(<"$sysdisk/virtblkiosim0p3/dev")
vbs_expect_eq 259 "${p3dev%%:*}" \
	"p3 major (block extended major)"
vbs_unload

vbs_step "max_partitions=0: the table is there, no partition appears"
vbs_load capacity_mb=128 max_partitions=0
write_gpt
vbs_expect_fail "re-reading the partition table with max_partitions=0" \
	blockdev --rereadpt "$dev"
for i in 1 2 3; do
	vbs_expect_no_path "$sysdisk/virtblkiosim0p$i" "p$i with max_partitions=0"
	vbs_expect_no_path "${dev}p$i" "p$i node with max_partitions=0"
done
