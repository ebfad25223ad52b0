#!/bin/bash
#
# block_sizes_are_reported_and_enforced: a disk loaded with
# logical_block_size=4096 reports 4096-byte sectors (blockdev --getss,
# sysfs), takes 4 KiB O_DIRECT I/O and refuses 512-byte or misaligned
# O_DIRECT I/O and discards with EINVAL; a 512-byte buffered write still
# works (the page cache reads, modifies and writes the whole block); ext4
# made on it checks clean. Every valid pair of logical and physical block
# sizes is reported as loaded, physical_block_size=0 meaning "same as
# logical".
#
# Needs: blockdev, blkdiscard (util-linux), dd, mkfs.ext4, e2fsck, the
# module.
#
# vbs-tier: core

. "$(dirname "$0")/../lib.sh"

dev=$(vbs_dev 0)
mib=$((1 << 20))

vbs_step "logical_block_size=4096: sizes reported"
vbs_load capacity_mb=64 logical_block_size=4096
vbs_expect_eq 4096 "$(blockdev --getss "$dev")" "blockdev --getss"
vbs_expect_eq 4096 "$(blockdev --getpbsz "$dev")" "blockdev --getpbsz"
vbs_expect_eq 4096 "$(vbs_sys 0 queue/logical_block_size)" "queue/logical_block_size"
vbs_expect_eq 4096 "$(vbs_sys 0 queue/physical_block_size)" "queue/physical_block_size"
vbs_expect_eq $((64 * mib)) "$(blockdev --getsize64 "$dev")" "size in bytes"
# /sys/block/X/size counts 512-byte sectors whatever the block size.
vbs_expect_eq $((64 * 2048)) "$(vbs_sys 0 size)" "size in 512-byte sectors"

vbs_step "4 KiB O_DIRECT I/O works"
pattern=$VBS_TMP/pattern
vbs_pattern "$pattern" $((3 * mib))
vbs_dd_write "$pattern" 0 "$dev" $((3 * 4096)) $((64 * 1024))
vbs_dd_write "$pattern" $((mib)) "$dev" $((mib + 4096)) $((mib + 4096 * 5))
vbs_drop_caches
vbs_expect_disk_equals "$dev" $((3 * 4096)) "$pattern" 0 $((64 * 1024)) \
	"64 KiB written at block 3"
vbs_expect_disk_equals "$dev" $((mib + 4096)) "$pattern" "$mib" \
	$((mib + 4096 * 5)) "1 MiB + 20 KiB written at block 257"

vbs_step "512-byte and misaligned O_DIRECT I/O fail with EINVAL"
vbs_expect_fail "512-byte O_DIRECT write" dd if="$pattern" of="$dev" \
	bs=512 count=1 oflag=direct status=none
vbs_expect_match "Invalid argument" "$VBS_OUTPUT" "512-byte O_DIRECT write error"
vbs_expect_fail "512-byte O_DIRECT read" dd if="$dev" of=/dev/null \
	bs=512 count=1 iflag=direct status=none
vbs_expect_match "Invalid argument" "$VBS_OUTPUT" "512-byte O_DIRECT read error"
vbs_expect_fail "4 KiB O_DIRECT write at byte 512" dd if="$pattern" of="$dev" \
	bs=4096 count=1 oflag=direct,seek_bytes seek=512 status=none
vbs_expect_match "Invalid argument" "$VBS_OUTPUT" "misaligned O_DIRECT write error"
vbs_expect_fail "512-byte discard" blkdiscard -o 4096 -l 512 "$dev"
vbs_expect_disk_equals "$dev" $((3 * 4096)) "$pattern" 0 $((64 * 1024)) \
	"data after the refused I/O"

vbs_step "a 512-byte buffered write is read-modify-written in its block"
vbs_run dd if="$pattern" of="$dev" bs=512 count=1 seek=$((3 * 8 + 1)) \
	conv=notrunc,fsync status=none
vbs_drop_caches
expected=$VBS_TMP/expected
vbs_run dd if="$pattern" of="$expected" bs=4096 count=1 status=none
vbs_run dd if="$pattern" of="$expected" bs=512 count=1 seek=1 conv=notrunc \
	status=none
vbs_expect_disk_equals "$dev" $((3 * 4096)) "$expected" 0 4096 \
	"block 3 after a buffered write to its second 512 bytes"

vbs_step "4 KiB discard works"
vbs_run blkdiscard -o $((3 * 4096)) -l 4096 "$dev"
vbs_expect_disk_zeros "$dev" $((3 * 4096)) 4096 "discarded block"

vbs_step "ext4 on 4 KiB sectors"
vbs_run mkfs.ext4 -q -F -E lazy_itable_init=0,lazy_journal_init=0 "$dev"
vbs_run e2fsck -fn "$dev"
vbs_unload

vbs_step "valid logical/physical pairs are reported as loaded"
# logical physical-parameter physical-expected
pairs=(
	512 0 512
	512 4096 4096
	1024 0 1024
	2048 8192 8192
	4096 65536 65536
	512 65536 65536
)
for ((i = 0; i < ${#pairs[@]}; i += 3)); do
	lbs=${pairs[i]}
	pbs=${pairs[i + 1]}
	want=${pairs[i + 2]}
	vbs_load capacity_mb=16 logical_block_size="$lbs" physical_block_size="$pbs"
	vbs_expect_eq "$lbs" "$(blockdev --getss "$dev")" "getss ($lbs/$pbs)"
	vbs_expect_eq "$want" "$(blockdev --getpbsz "$dev")" "getpbsz ($lbs/$pbs)"
	vbs_dd_write "$pattern" 0 "$dev" "$lbs" $((4 * lbs))
	vbs_expect_disk_equals "$dev" "$lbs" "$pattern" 0 $((4 * lbs)) \
		"4 blocks at block 1 ($lbs/$pbs)"
	vbs_unload
done
