#!/bin/bash
#
# data_persists_at_sector_granularity: writes at 512-byte granularity that
# sit inside a page, straddle page boundaries or span more than the largest
# request (1 MiB, so the block layer splits them), done with O_DIRECT, and
# one buffered write, all land exactly where they were aimed: after
# dropping the page cache the first 8 MiB read back, with O_DIRECT and
# through the page cache, equal a model file that received the same
# writes. The last sector of the disk can be written and read; a write
# past the end fails and a read there returns nothing.
#
# Needs: dd, cmp (coreutils), the module.
#
# vbs-tier: core

. "$(dirname "$0")/../lib.sh"

vbs_load capacity_mb=64

dev=$(vbs_dev 0)
region=$((8 << 20))
model=$VBS_TMP/model
pattern=$VBS_TMP/pattern
vbs_pattern "$pattern" $((4 << 20))
truncate -s "$region" "$model"

# (offset length) pairs in bytes, each a multiple of 512. Later writes
# overwrite parts of earlier ones.
writes=(
	0 4096                            # one whole page
	512 512                           # one sector inside page 0
	$((3 * 4096 - 512)) 1024          # straddles pages 2 and 3
	$((5 * 4096 + 3 * 512)) $((5 * 512)) # sectors 3..7 of page 5
	$((7 * 4096 + 7 * 512)) 4096      # a page's worth across 7 and 8
	$((20 * 4096 + 5 * 512)) $(((1 << 20) + 3 * 512)) # > 1 MiB, misaligned
	$((3 << 20)) $((2 << 20))         # 2 MiB, page aligned
	$(((3 << 20) + 4096 + 512)) 512   # one sector inside the previous
	$((region - 3 * 512)) 1536        # the region's last 3 sectors
)

vbs_step "$((${#writes[@]} / 2)) O_DIRECT writes at sector granularity"
src=0
for ((i = 0; i < ${#writes[@]}; i += 2)); do
	off=${writes[i]}
	len=${writes[i + 1]}
	vbs_dd_write "$pattern" "$src" "$dev" "$off" "$len"
	vbs_model_write "$pattern" "$src" "$model" "$off" "$len"
	# Each write takes its data from a different place of the pattern.
	src=$(((src + len + 512) % (2 << 20)))
done

vbs_step "one buffered write, flushed by fsync"
vbs_run dd if="$pattern" of="$dev" bs=512 iflag=skip_bytes skip=$((3 << 20)) \
	count=9 seek=$((6 * 2048 + 1)) conv=notrunc,fsync status=none
vbs_model_write "$pattern" $((3 << 20)) "$model" $(((6 << 20) + 512)) $((9 * 512))

vbs_step "drop caches, read back with O_DIRECT"
vbs_drop_caches
vbs_expect_disk_equals "$dev" 0 "$model" 0 "$region" \
	"first 8 MiB (O_DIRECT) equal the model"

vbs_step "drop caches, read back through the page cache"
vbs_drop_caches
vbs_run dd if="$dev" of="$VBS_TMP/buffered" bs=1M count=8 status=none
vbs_expect_same_bytes "$model" "$VBS_TMP/buffered" \
	"first 8 MiB (buffered) equal the model"

vbs_step "the disk's last sector; nothing beyond it"
size=$(blockdev --getsize64 "$dev")
vbs_expect_eq $((64 << 20)) "$size" "disk size in bytes"
vbs_dd_write "$pattern" 4096 "$dev" $((size - 512)) 512
vbs_drop_caches
vbs_expect_disk_equals "$dev" $((size - 512)) "$pattern" 4096 512 \
	"last sector of the disk"
vbs_expect_fail "write past the end of the disk" dd if="$pattern" of="$dev" \
	bs=512 count=1 oflag=direct seek=$((size / 512)) status=none
vbs_expect_match "No space left on device" "$VBS_OUTPUT" \
	"error of a write past the end"
vbs_run dd if="$dev" of="$VBS_TMP/beyond" bs=512 count=1 iflag=direct \
	skip=$((size / 512)) status=none
vbs_expect_eq 0 "$(stat -c %s "$VBS_TMP/beyond")" "bytes read past the end"
