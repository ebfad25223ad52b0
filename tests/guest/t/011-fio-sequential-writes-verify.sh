#!/bin/bash
#
# fio_sequential_writes_verify: sequential 1 MiB writes from 4 parallel
# jobs at queue depth 8 (requests of the largest size the disk takes), and
# sequential writes of 3.5 KiB (7 sectors, so each one ends in a different
# place inside a page), all verified by fio with crc32c: zero errors, and
# every written byte read back.
#
# Needs: fio (io_uring or libaio engine), the module.
#
# vbs-tier: full

. "$(dirname "$0")/../lib.sh"

vbs_need_fio
vbs_load capacity_mb=256

dev=$(vbs_dev 0)
engine=$(vbs_fio_async_engine "$dev")
verify=(--filename="$dev" --direct=1 --verify=crc32c --do_verify=1
	--verify_fatal=1)
total=0

vbs_step "4 jobs x 16 MiB of 1 MiB sequential writes, $engine, iodepth 8"
vbs_fio seq-1m "${verify[@]}" --name=seq-1m --ioengine="$engine" \
	--rw=write --bs=1M --iodepth=8 --numjobs=4 --size=16M \
	--offset_increment=16M
vbs_expect_eq $((4 * 16 << 20)) "$VBS_FIO_WRITTEN" "bytes written"
vbs_expect_eq "$VBS_FIO_WRITTEN" "$VBS_FIO_READ" "bytes verified"
vbs_expect_eq $((4 * 16 << 20 >> 12)) "$(vbs_pages_in_use 0)" \
	"pages in use after 64 MiB of sequential writes"
total=$((total + VBS_FIO_WRITTEN))

vbs_step "1 job, 512 sequential writes of 3.5 KiB, psync"
vbs_fio seq-3584 "${verify[@]}" --name=seq-3584 --ioengine=psync \
	--rw=write --bs=3584 --size=$((512 * 3584)) --offset=192M
vbs_expect_eq $((512 * 3584)) "$VBS_FIO_WRITTEN" "bytes written"
vbs_expect_eq "$VBS_FIO_WRITTEN" "$VBS_FIO_READ" "bytes verified"
total=$((total + VBS_FIO_WRITTEN))

vbs_note "fio verify bytes: $total"
