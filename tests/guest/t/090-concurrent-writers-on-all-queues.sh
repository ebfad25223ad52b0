#!/bin/bash
#
# concurrent_writers_on_all_queues: a disk with 2 hardware queues, each
# fed by its own CPU (read from the blk-mq map in sysfs), gets 4 parallel
# O_DIRECT writers pinned 2 per CPU, each to its own 8 MiB region, while 2
# readers keep reading the same regions; every writer and reader succeeds
# and afterwards every region holds exactly its writer's data, read back
# by 4 parallel readers. Then two fio jobs, one on each queue's CPU,
# overwrite interleaved 4 KiB blocks of one shared region (even blocks
# from one, odd blocks from the other) and fio verifies both with crc32c;
# and the same with 512-byte sectors on new pages, which both jobs race to
# allocate: each page is allocated once and holds both jobs' sectors.
#
# Needs: taskset, dd, cmp, fio, 2 CPUs (skipped with fewer), the module.
#
# vbs-tier: full

. "$(dirname "$0")/../lib.sh"

(($(nproc) >= 2)) || vbs_skip "needs 2 CPUs, have $(nproc)"
vbs_need_fio
vbs_load capacity_mb=64 nr_hw_queues=2

dev=$(vbs_dev 0)
mib=$((1 << 20))
region=$((8 * mib))

vbs_step "2 hardware queues, one CPU each"
# Which CPU lands on which queue is the kernel's choice (it differs between
# 6.x and 7.x); what matters is that each queue has its own CPU.
cpu=("$(vbs_sys 0 mq/0/cpu_list)" "$(vbs_sys 0 mq/1/cpu_list)")
vbs_expect_match '^[0-9]+$' "${cpu[0]}" "hardware queue 0 has one CPU"
vbs_expect_match '^[0-9]+$' "${cpu[1]}" "hardware queue 1 has one CPU"
vbs_expect_ne "${cpu[0]}" "${cpu[1]}" "CPUs of the two hardware queues"
vbs_note "CPU ${cpu[0]} feeds queue 0, CPU ${cpu[1]} queue 1"

for i in 0 1 2 3; do
	vbs_pattern "$VBS_TMP/p$i" "$region"
done

# wait_all WHAT PID... - every process must exit with status 0.
wait_all() {
	local what=$1 pid
	shift
	for pid in "$@"; do
		wait "$pid" || vbs_fail "$what (pid $pid) failed"
	done
}

vbs_step "4 pinned writers (64 KiB blocks) and 2 readers at once"
writers=()
for i in 0 1 2 3; do
	taskset -c "${cpu[i % 2]}" dd if="$VBS_TMP/p$i" of="$dev" bs=64k \
		oflag=direct,seek_bytes seek=$((i * region)) conv=notrunc \
		status=none &
	writers+=($!)
done
readers=()
for i in 0 1; do
	taskset -c "${cpu[i]}" dd if="$dev" of=/dev/null bs=16k iflag=direct \
		count=$((4 * region / 16384)) status=none &
	readers+=($!)
done
wait_all "a writer" "${writers[@]}"
wait_all "a reader" "${readers[@]}"

vbs_step "4 parallel readers check every region"
readers=()
for i in 0 1 2 3; do
	taskset -c "${cpu[i % 2]}" dd if="$dev" of="$VBS_TMP/r$i" bs=128k \
		iflag=direct,skip_bytes,count_bytes skip=$((i * region)) \
		count="$region" status=none &
	readers+=($!)
done
wait_all "a reader" "${readers[@]}"
for i in 0 1 2 3; do
	vbs_expect_same_bytes "$VBS_TMP/p$i" "$VBS_TMP/r$i" "region $i"
done
vbs_expect_eq $((4 * region / 4096)) "$(vbs_pages_in_use 0)" "pages in use"

vbs_step "fio: both CPUs write interleaved 4 KiB blocks of one region"
# rw=write:4k writes a block and skips the next: the job on queue 0's CPU
# writes the even blocks of region 0, the one on queue 1's CPU the odd
# blocks, at once, queue depth 16 each; fio then verifies both (crc32c).
engine=$(vbs_fio_async_engine "$dev")
vbs_fio interleaved --filename="$dev" --direct=1 --verify=crc32c \
	--do_verify=1 --verify_fatal=1 --ioengine="$engine" --iodepth=16 \
	--bs=4k --rw=write:4k --size="$region" \
	--name=even-blocks-queue0 --cpus_allowed="${cpu[0]}" --offset=0 \
	--name=odd-blocks-queue1 --cpus_allowed="${cpu[1]}" --offset=4k
vbs_expect_eq "$region" "$VBS_FIO_WRITTEN" "bytes written by both jobs"
vbs_expect_eq "$region" "$VBS_FIO_READ" "bytes verified"
vbs_expect_eq $((4 * region / 4096)) "$(vbs_pages_in_use 0)" \
	"pages in use after overwriting region 0"
total=$VBS_FIO_WRITTEN

vbs_step "fio: both CPUs write interleaved 512-byte sectors of new pages"
# The same, one sector at a time, on 1 MiB never written before: both jobs
# keep asking for the same new store pages at the same moment. Each page
# must be allocated once (exactly 256 more pages) and keep both writers'
# sectors.
pages_before=$(vbs_pages_in_use 0)
vbs_fio interleaved-sectors --filename="$dev" --direct=1 --verify=crc32c \
	--do_verify=1 --verify_fatal=1 --ioengine="$engine" --iodepth=16 \
	--bs=512 --rw=write:512 --size=1M \
	--name=even-sectors-queue0 --cpus_allowed="${cpu[0]}" --offset=48M \
	--name=odd-sectors-queue1 --cpus_allowed="${cpu[1]}" --offset=$(((48 << 20) + 512))
vbs_expect_eq $((1 << 20)) "$VBS_FIO_WRITTEN" "bytes written by both jobs"
vbs_expect_eq $((1 << 20)) "$VBS_FIO_READ" "bytes verified"
vbs_expect_eq $((pages_before + 256)) "$(vbs_pages_in_use 0)" \
	"pages in use after filling 1 MiB of new pages sector by sector"
total=$((total + VBS_FIO_WRITTEN))
vbs_note "fio verify bytes: $total"
