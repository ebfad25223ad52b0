#!/bin/bash
#
# fio_random_writes_verify: random writes from 4 parallel jobs at queue
# depth 32, and single-threaded synchronous random writes of odd sizes
# (512 B to 16 KiB, so most straddle page boundaries), all read back and
# checked by fio with crc32c: zero verify errors, every written byte read
# back, and the store holds exactly the pages the 4 KiB jobs wrote.
#
# Needs: fio (io_uring or libaio engine), the module.
#
# vbs-tier: core

. "$(dirname "$0")/../lib.sh"

vbs_need_fio
vbs_load capacity_mb=256

dev=$(vbs_dev 0)
engine=$(vbs_fio_async_engine "$dev")
verify=(--filename="$dev" --direct=1 --verify=crc32c --do_verify=1
	--verify_fatal=1)
total=0

# The engine probe read a block: the store still holds nothing.
vbs_expect_eq 0 "$(vbs_pages_in_use 0)" "pages in use before any write"

vbs_step "4 jobs x 12 MiB of 4 KiB random writes, $engine, iodepth 32"
vbs_fio random-qd32 "${verify[@]}" --name=random-qd32 \
	--ioengine="$engine" --rw=randwrite --bs=4k --iodepth=32 \
	--numjobs=4 --size=12M --offset_increment=12M
vbs_expect_eq $((4 * 12 << 20)) "$VBS_FIO_WRITTEN" "bytes written"
vbs_expect_eq "$VBS_FIO_WRITTEN" "$VBS_FIO_READ" "bytes verified"
# Each 4 KiB block was written once (fio's random map), page-aligned.
vbs_expect_eq $((4 * 12 << 20 >> 12)) "$(vbs_pages_in_use 0)" \
	"pages in use after 48 MiB of distinct 4 KiB blocks"
total=$((total + VBS_FIO_WRITTEN))

vbs_step "1 job, 8 MiB of 512 B..16 KiB random writes, psync (QD1)"
vbs_fio random-qd1-odd-sizes "${verify[@]}" --name=random-qd1 \
	--ioengine=psync --rw=randwrite --bsrange=512-16k --size=8M \
	--offset=128M
vbs_expect_eq $((8 << 20)) "$VBS_FIO_WRITTEN" "bytes written"
vbs_expect_eq "$VBS_FIO_WRITTEN" "$VBS_FIO_READ" "bytes verified"
total=$((total + VBS_FIO_WRITTEN))

vbs_note "fio verify bytes: $total"
