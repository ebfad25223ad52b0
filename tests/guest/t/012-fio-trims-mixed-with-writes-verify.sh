#!/bin/bash
#
# fio_trims_mixed_with_writes_verify: discards mixed with writes, all jobs
# at once: one job discards random blocks of 4 to 64 KiB and rewrites each
# (fio's randtrimwrite), four jobs discard and rewrite sequential 64 KiB
# blocks (trimwrite), and a reader keeps reading the blocks the random job
# discards (pages freed while being read). fio verifies every written
# block with crc32c: zero errors, every written byte read back, and since
# every discarded block was written again the store holds exactly the
# pages of all written bytes.
#
# fio 3.33's randtrimwrite only writes when the job starts at offset 0, so
# the random job owns the start of the disk and the sequential jobs follow.
# serialize_overlap keeps a block's discard and its rewrite from being in
# flight together, whose order the disk does not have to keep.
#
# Needs: fio >= 3.32 (randtrimwrite), io_uring or libaio, the module.
#
# vbs-tier: full

. "$(dirname "$0")/../lib.sh"

vbs_need_fio
fio --cmdhelp=rw 2>/dev/null | grep -qw randtrimwrite ||
	vbs_skip "this fio has no rw=randtrimwrite"
vbs_load capacity_mb=256

dev=$(vbs_dev 0)
engine=$(vbs_fio_async_engine "$dev")
discards_before=$(vbs_stat 0 12)

vbs_step "randtrimwrite 16 MiB + 4 x 8 MiB trimwrite, $engine"
vbs_fio trims-and-writes --filename="$dev" --direct=1 --verify=crc32c \
	--do_verify=1 --verify_fatal=1 --ioengine="$engine" \
	--serialize_overlap=1 \
	--name=random-trimwrite --rw=randtrimwrite --bsrange=4k-64k \
	--iodepth=16 --size=16M --offset=0 \
	--name=seq-trimwrite --rw=trimwrite --bs=64k --iodepth=8 \
	--numjobs=4 --size=8M --offset=64M --offset_increment=8M \
	--name=reader --rw=randread --bs=4k --iodepth=16 --size=16M \
	--offset=0 --loops=2 --verify=0
vbs_expect_eq $((48 << 20)) "$VBS_FIO_WRITTEN" "bytes written"
vbs_expect_eq $((48 << 20)) "$VBS_FIO_TRIMMED" "bytes discarded"
# The writers verified all they wrote; the reader read its 16 MiB twice.
vbs_expect_eq $((VBS_FIO_WRITTEN + (32 << 20))) "$VBS_FIO_READ" "bytes read"
vbs_expect_eq $((48 << 20 >> 12)) "$(vbs_pages_in_use 0)" \
	"pages in use: every discarded block was written again"
discards=$(($(vbs_stat 0 12) - discards_before))
vbs_expect_gt 0 "$discards" "discard requests counted in /sys/block/.../stat"

vbs_note "fio verify bytes: $VBS_FIO_WRITTEN"
