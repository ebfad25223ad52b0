#!/bin/bash
#
# requests_that_would_sleep_are_deferred: ->queue_rq never sleeps, so what
# would (the write cache's work, discard and write-zeroes) is executed by
# a work item, and completes with the right data. On a disk without a
# write cache, 4 KiB writes with memory to spare are executed inline:
# fewer than 1 in 100 is deferred. On a disk with a write cache, every
# write and flush is deferred (deferred_requests grows by at least fio's
# writes plus one flush per fsync, and by what /sys/block/X/stat counts as
# writes), and fio's verify reads everything back through the cache. Each discard and write-zeroes is deferred, and
# the range reads as zeros afterwards. The block layer's view stays
# consistent: nothing in flight when it is over, and the module unloads.
#
# Needs: fio, blkdiscard, the module.
#
# vbs-tier: core

. "$(dirname "$0")/../lib.sh"

vbs_need_fio
vbs_load capacity_mb=64 nr_devices=2 write_cache=0

# deferred N - deferred_requests of disk N.
deferred() {
	vbs_attr "$1" deferred_requests
}

# writes N - writes completed on disk N (stat field 5).
writes() {
	vbs_stat "$1" 5
}

dev=$(vbs_dev 0)
vbs_step "no write cache: 8 MiB of 4 KiB random writes execute inline"
d0=$(deferred 0)
vbs_fio inline --filename="$dev" --name=inline --ioengine=psync --direct=1 \
	--rw=randwrite --bs=4k --size=8M --verify=crc32c --do_verify=1 \
	--verify_fatal=1
vbs_expect_eq $((8 << 20)) "$VBS_FIO_READ" "bytes verified"
n=$(($(deferred 0) - d0))
vbs_note "deferred: $n of $((8 << 20 >> 12)) writes"
vbs_expect_ge "$n" $(((8 << 20 >> 12) / 100)) "writes deferred with memory to spare (at most 1 in 100)"

vbs_step "discard and write-zeroes are deferred, and leave zeros"
d0=$(deferred 0)
vbs_run blkdiscard -o $((1 << 20)) -l $((1 << 20)) "$dev"
vbs_run blkdiscard -z -o $((4 << 20)) -l $((1 << 20)) "$dev"
vbs_expect_ge 2 $(($(deferred 0) - d0)) "deferred discard and write-zeroes"
vbs_expect_disk_zeros "$dev" $((1 << 20)) $((1 << 20)) "discarded range"
vbs_expect_disk_zeros "$dev" $((4 << 20)) $((1 << 20)) "write-zeroes range"
vbs_expect_eq 0 "$(vbs_stat 0 9)" "requests in flight on $dev"
vbs_unload

vbs_step "write cache: every write and flush goes to the work item"
vbs_load capacity_mb=64 write_cache=1
d0=$(deferred 0)
w0=$(writes 0)
vbs_fio cached --filename="$dev" --name=cached --ioengine=psync --direct=1 \
	--rw=randwrite --bs=4k --size=8M --fsync=16 --verify=crc32c \
	--do_verify=1 --verify_fatal=1
vbs_expect_eq $((8 << 20)) "$VBS_FIO_READ" "bytes verified"
vbs_expect_gt 0 "$VBS_FIO_SYNCS" "fsyncs"
n=$(($(deferred 0) - d0))
w=$(($(writes 0) - w0))
# One flush reaches the disk per fsync: fio's is the only I/O here, one
# request at a time. /sys/block/X/stat counts it among the writes too (an
# fsync's flush is an empty write with REQ_PREFLUSH).
vbs_note "deferred: $n; writes completed (flushes included): $w, fsyncs: $VBS_FIO_SYNCS"
vbs_expect_ge $(((8 << 20 >> 12) + VBS_FIO_SYNCS)) "$n" "deferred requests (every write and flush)"
vbs_expect_ge "$w" "$n" "deferred requests (every request /sys/block/X/stat counts as a write)"
vbs_expect_eq 0 "$(vbs_stat 0 9)" "requests in flight on $dev"
vbs_unload
