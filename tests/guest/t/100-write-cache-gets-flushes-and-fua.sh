#!/bin/bash
#
# write_cache_gets_flushes_and_fua: with write_cache=1 the disk advertises
# a volatile write cache with FUA ("write back", fua=1), and every fsync of
# the disk reaches it as exactly one flush request (counted in
# /sys/block/.../stat), the 255 fsyncs of fio random writes with an fsync
# every 8 writes included; those writes, and O_SYNC writes (FUA on the
# data), verify clean. With write_cache=0 the disk is "write through" and
# fsync sends no flush at all.
#
# Needs: fio, sync (coreutils), dd, the module.
#
# vbs-tier: core

. "$(dirname "$0")/../lib.sh"

vbs_need_fio
dev=$(vbs_dev 0)
total=0

# fsyncs N - fsync the disk N times, one after the other.
fsyncs() {
	local i
	for ((i = 0; i < $1; i++)); do
		sync "$dev"
	done
}

vbs_step "write_cache=0: write through, fsync sends no flush"
vbs_load capacity_mb=64 write_cache=0
vbs_expect_eq "write through" "$(vbs_sys 0 queue/write_cache)" "queue/write_cache"
vbs_expect_eq 0 "$(vbs_sys 0 queue/fua)" "queue/fua"
flushes=$(vbs_stat 0 16)
fsyncs 5
vbs_expect_eq 0 $(($(vbs_stat 0 16) - flushes)) "flush requests after 5 fsyncs"
vbs_unload

vbs_step "write_cache=1: write back with FUA"
vbs_load capacity_mb=64 write_cache=1
vbs_expect_eq "write back" "$(vbs_sys 0 queue/write_cache)" "queue/write_cache"
vbs_expect_eq 1 "$(vbs_sys 0 queue/fua)" "queue/fua"
vbs_expect_match write_cache "$(vbs_attr 0 flags)" "flags attribute"

vbs_step "each fsync is one flush request"
flushes=$(vbs_stat 0 16)
fsyncs 5
vbs_expect_eq 5 $(($(vbs_stat 0 16) - flushes)) "flush requests after 5 fsyncs"

vbs_step "fio: 4 KiB random writes, fsync every 8 writes, verify"
flushes=$(vbs_stat 0 16)
vbs_fio fsync-8 --filename="$dev" --direct=1 --verify=crc32c --do_verify=1 \
	--verify_fatal=1 --name=fsync-8 --ioengine=psync --rw=randwrite \
	--bs=4k --size=8M --fsync=8
vbs_expect_eq $((8 << 20)) "$VBS_FIO_WRITTEN" "bytes written"
vbs_expect_eq "$VBS_FIO_WRITTEN" "$VBS_FIO_READ" "bytes verified"
# 2048 writes, an fsync after every 8 (fio skips the one after the last
# write): 255 fsyncs, each exactly one flush request.
vbs_expect_eq 255 "$VBS_FIO_SYNCS" "fsyncs fio made"
vbs_expect_eq "$VBS_FIO_SYNCS" $(($(vbs_stat 0 16) - flushes)) \
	"flush requests during fio --fsync=8"
total=$((total + VBS_FIO_WRITTEN))

vbs_step "fio: O_SYNC writes (FUA), 4 jobs, verify"
engine=$(vbs_fio_async_engine "$dev")
vbs_fio osync --filename="$dev" --direct=1 --sync=1 --verify=crc32c \
	--do_verify=1 --verify_fatal=1 --name=osync --ioengine="$engine" \
	--iodepth=8 --rw=randwrite --bsrange=4k-64k --numjobs=4 --size=4M \
	--offset=16M --offset_increment=4M
vbs_expect_eq $((16 << 20)) "$VBS_FIO_WRITTEN" "bytes written"
vbs_expect_eq "$VBS_FIO_WRITTEN" "$VBS_FIO_READ" "bytes verified"
total=$((total + VBS_FIO_WRITTEN))

vbs_step "dd oflag=sync: data survives a cache drop"
pattern=$VBS_TMP/pattern
vbs_pattern "$pattern" $((2 << 20))
vbs_run dd if="$pattern" of="$dev" bs=64k oflag=direct,sync,seek_bytes \
	seek=$((40 << 20)) status=none
vbs_drop_caches
vbs_expect_disk_equals "$dev" $((40 << 20)) "$pattern" 0 $((2 << 20)) \
	"2 MiB written with O_SYNC"

vbs_note "fio verify bytes: $total"
