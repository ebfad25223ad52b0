#!/bin/bash
#
# discard_and_write_zeroes_free_pages: a new disk reads as zeros and holds
# no pages; 10 MiB of data take exactly 2560 pages and rewriting them takes
# no more. Discard (blkdiscard) and write-zeroes (blkdiscard -z, and
# fallocate --punch-hole, which asks for write-zeroes that may unmap) turn
# their range into zeros and free exactly the whole pages inside it; a
# partial page keeps its other bytes and its page. The kernel's I/O
# statistics count the discarded sectors. Discarding the whole disk frees
# every page. With discard=0 write_zeroes=0 the queue says so, blkdiscard
# and punch-hole fail, and blkdiscard -z still zeroes (the kernel writes
# zero pages itself).
#
# Needs: blkdiscard, fallocate, blockdev (util-linux), dd, cmp, the module.
#
# vbs-tier: core

. "$(dirname "$0")/../lib.sh"

vbs_load capacity_mb=64 discard=1 write_zeroes=1

dev=$(vbs_dev 0)
mib=$((1 << 20))
data=$((10 * mib))
model=$VBS_TMP/model
pattern=$VBS_TMP/pattern

# expect_pages N WHAT - pages_in_use must be exactly N.
expect_pages() {
	vbs_expect_eq "$1" "$(vbs_pages_in_use 0)" "pages in use: $2"
}

# expect_model WHAT - the first 12 MiB of the disk equal the model.
expect_model() {
	vbs_expect_disk_equals "$dev" 0 "$model" 0 $((12 * mib)) "$1"
}

vbs_step "queue limits of a discard + write-zeroes disk"
vbs_expect_eq 4096 "$(vbs_sys 0 queue/discard_granularity)" "discard_granularity"
vbs_expect_gt 0 "$(vbs_sys 0 queue/discard_max_hw_bytes)" "discard_max_hw_bytes"
vbs_expect_gt 0 "$(vbs_sys 0 queue/write_zeroes_max_bytes)" "write_zeroes_max_bytes"

vbs_step "a new disk reads as zeros and reading allocates nothing"
expect_pages 0 "new disk"
vbs_expect_disk_zeros "$dev" 0 $((64 * mib)) "whole new disk"
expect_pages 0 "after reading the whole disk"

vbs_step "10 MiB of data: 2560 pages; rewriting them: still 2560"
vbs_pattern "$pattern" "$data"
truncate -s $((12 * mib)) "$model"
vbs_dd_write "$pattern" 0 "$dev" 0 "$data"
vbs_model_write "$pattern" 0 "$model" 0 "$data"
expect_pages 2560 "after writing 10 MiB"
vbs_dd_write "$pattern" 0 "$dev" 0 "$data"
expect_pages 2560 "after rewriting the same 10 MiB"
expect_model "10 MiB written"

vbs_step "discard [1 MiB, 2 MiB): 256 pages freed, zeros there"
sectors_before=$(vbs_stat 0 14)
vbs_run blkdiscard -o "$mib" -l "$mib" "$dev"
vbs_model_zero "$model" "$mib" "$mib"
expect_pages $((2560 - 256)) "after discarding 1 MiB"
expect_model "after discarding 1 MiB"
vbs_expect_eq 2048 $(($(vbs_stat 0 14) - sectors_before)) \
	"sectors discarded in /sys/block/virtblkiosim0/stat"

vbs_step "discard one sector inside a page: zeros there, page kept"
vbs_run blkdiscard -o $((4 * mib + 1024)) -l 512 "$dev"
vbs_model_zero "$model" $((4 * mib + 1024)) 512
expect_pages $((2560 - 256)) "after discarding one sector"
expect_model "after discarding one sector"

vbs_step "discard [6 MiB + 1 KiB, 7 MiB + 512): 255 whole pages inside"
vbs_run blkdiscard -o $((6 * mib + 1024)) -l $((mib - 512)) "$dev"
vbs_model_zero "$model" $((6 * mib + 1024)) $((mib - 512))
expect_pages $((2560 - 256 - 255)) "after a misaligned 1 MiB discard"
expect_model "after a misaligned 1 MiB discard"
pages=$((2560 - 256 - 255))

vbs_step "write-zeroes (blkdiscard -z) [8 MiB, 9 MiB): 256 pages freed"
vbs_run blkdiscard -z -o $((8 * mib)) -l "$mib" "$dev"
vbs_model_zero "$model" $((8 * mib)) "$mib"
pages=$((pages - 256))
expect_pages "$pages" "after write-zeroes of 1 MiB"
expect_model "after write-zeroes of 1 MiB"

vbs_step "write-zeroes of 2 sectors inside a page: zeros there, page kept"
vbs_run blkdiscard -z -o $((9 * mib + 512)) -l 1024 "$dev"
vbs_model_zero "$model" $((9 * mib + 512)) 1024
expect_pages "$pages" "after write-zeroes of 2 sectors"
expect_model "after write-zeroes of 2 sectors"

vbs_step "punch hole (write-zeroes, may unmap) [2.5 MiB, 3 MiB): 128 pages"
vbs_run fallocate --punch-hole -o $((5 * mib / 2)) -l $((mib / 2)) "$dev"
vbs_model_zero "$model" $((5 * mib / 2)) $((mib / 2))
pages=$((pages - 128))
expect_pages "$pages" "after punching 512 KiB"
expect_model "after punching 512 KiB"

vbs_step "discard the whole disk: no page left, all zeros"
vbs_run blkdiscard "$dev"
expect_pages 0 "after discarding the whole disk"
vbs_expect_disk_zeros "$dev" 0 $((64 * mib)) "whole disk after discard"
vbs_unload

vbs_step "discard=0 write_zeroes=0"
vbs_load capacity_mb=64 discard=0 write_zeroes=0
vbs_expect_eq 0 "$(vbs_sys 0 queue/discard_max_hw_bytes)" "discard_max_hw_bytes"
vbs_expect_eq 0 "$(vbs_sys 0 queue/write_zeroes_max_bytes)" "write_zeroes_max_bytes"
vbs_dd_write "$pattern" 0 "$dev" 0 "$mib"
vbs_expect_fail "blkdiscard without discard support" blkdiscard -o 0 -l "$mib" "$dev"
vbs_expect_match "not supported" "$VBS_OUTPUT" "blkdiscard error"
vbs_expect_fail "punch hole without write-zeroes" \
	fallocate --punch-hole -o 0 -l "$mib" "$dev"
vbs_expect_match "not supported|unsupported" "$VBS_OUTPUT" "fallocate error"
vbs_expect_disk_equals "$dev" 0 "$pattern" 0 "$mib" "data after refused discards"
vbs_run blkdiscard -z -o 0 -l "$mib" "$dev"
vbs_expect_disk_zeros "$dev" 0 "$mib" "blkdiscard -z zeroes without write-zeroes"
