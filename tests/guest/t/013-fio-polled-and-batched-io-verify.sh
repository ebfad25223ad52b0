#!/bin/bash
#
# fio_polled_and_batched_io_verify: the modern submission and completion
# paths keep data exact. On a disk with a poll queue, io_uring with
# IORING_SETUP_IOPOLL (fio hipri=1) writes and verifies 4 KiB random
# blocks at queue depth 32, submitted 16 at a time, and blocks of odd
# sizes: zero verify errors, the queue says it polls (queue/io_poll = 1),
# every one of those requests was ended by the poll queue's ->poll
# (polled_requests counts exactly the I/Os fio did), and batches came
# through ->queue_rqs (batched_requests grows). With the engine on, the
# polled requests finish at their service time, still end through ->poll,
# and verify; a fault rule fails exactly the polled read it names with EIO,
# and polled I/O around it still verifies. On a disk without poll queues,
# the same polled job completes and verifies where the block layer drops
# the poll flag (6.1), or fails with EOPNOTSUPP where it refuses it (6.12,
# 7.x); it never hangs, and nothing is polled. Too many poll queues for
# a new disk: EINVAL.
#
# Needs: fio with io_uring, the module, vbsim.
#
# vbs-tier: core

. "$(dirname "$0")/../lib.sh"

vbs_need_fio
vbs_load capacity_mb=128 nr_hw_queues=1 poll_queues=1

dev=$(vbs_dev 0)
engine=$(vbs_fio_async_engine "$dev")
[[ $engine == io_uring ]] || vbs_fail "fio's io_uring engine does not work here ($engine does)"
vbsim=$VBS_BUILD/tools/tools/vbsim/vbsim
[[ -x $vbsim ]] || vbs_fail "$vbsim: not built"
polled=(--ioengine=io_uring --hipri=1 --direct=1 --verify=crc32c
	--do_verify=1 --verify_fatal=1)

# polled_delta BEFORE N - polled_requests of disk N minus BEFORE.
polled_delta() {
	echo $(($(vbs_attr "$2" polled_requests) - $1))
}

vbs_expect_eq 1 "$(vbs_sys 0 queue/io_poll)" "queue/io_poll of a disk with a poll queue"
vbs_expect_eq 1 "$(vbs_attr 0 poll_queues)" "poll_queues"
# One default and one poll hardware queue.
vbs_expect_eq 2 "$(find /sys/block/virtblkiosim0/mq -mindepth 1 -maxdepth 1 | wc -l)" \
	"hardware queues in /sys/block/virtblkiosim0/mq"

vbs_step "12 MiB of 4 KiB random writes, polled, QD32, submitted 16 at a time"
p0=$(vbs_attr 0 polled_requests)
b0=$(vbs_attr 0 batched_requests)
vbs_fio poll-qd32 "${polled[@]}" --filename="$dev" --name=poll-qd32 \
	--rw=randwrite --bs=4k --iodepth=32 --iodepth_batch_submit=16 \
	--iodepth_batch_complete_min=1 --size=12M
vbs_expect_eq $((12 << 20)) "$VBS_FIO_WRITTEN" "bytes written"
vbs_expect_eq "$VBS_FIO_WRITTEN" "$VBS_FIO_READ" "bytes verified"
ios=$(((VBS_FIO_WRITTEN + VBS_FIO_READ) / 4096))
vbs_expect_eq "$ios" "$(polled_delta "$p0" 0)" \
	"requests ended by ->poll (fio's writes and verify reads)"
batched=$(($(vbs_attr 0 batched_requests) - b0))
vbs_expect_gt 0 "$batched" "requests that came in batches (->queue_rqs)"
vbs_note "polled: $ios requests, of which $batched came through ->queue_rqs"

vbs_step "8 MiB of 512 B..64 KiB random writes, polled, QD8"
p0=$(vbs_attr 0 polled_requests)
vbs_fio poll-odd-sizes "${polled[@]}" --filename="$dev" --name=poll-odd \
	--rw=randwrite --bsrange=512-64k --iodepth=8 --size=8M --offset=32M
vbs_expect_eq $((8 << 20)) "$VBS_FIO_WRITTEN" "bytes written"
vbs_expect_eq "$VBS_FIO_WRITTEN" "$VBS_FIO_READ" "bytes verified"
vbs_expect_ge 1 "$(polled_delta "$p0" 0)" "requests ended by ->poll"

vbs_step "engine on (20 us reads and writes): polled I/O completes at its time"
vbs_run "$vbsim" sim 0 set --read-latency 20us --write-latency 20us
p0=$(vbs_attr 0 polled_requests)
vbs_fio poll-engine "${polled[@]}" --filename="$dev" --name=poll-engine \
	--rw=randwrite --bs=4k --iodepth=16 --size=4M --offset=64M
vbs_expect_eq $((4 << 20)) "$VBS_FIO_READ" "bytes verified"
# The engine's timer puts each finished polled request on the poll queue's
# list, and ->poll ends it in the submitter's task.
vbs_expect_eq $(((VBS_FIO_WRITTEN + VBS_FIO_READ) / 4096)) "$(polled_delta "$p0" 0)" \
	"requests ended by ->poll with the engine on"
vbs_run "$vbsim" sim 0 reset

vbs_step "a fault rule fails one polled read with EIO, and only that one"
vbs_run "$vbsim" fault "$dev" add --op read --lba 2048 --effect ioerr
vbs_expect_fail "polled read of LBA 2048" fio --name=fault --filename="$dev" \
	--ioengine=io_uring --hipri=1 --direct=1 --rw=read --bs=4k \
	--offset=$((2048 * 512)) --size=4k --output-format=terse
vbs_expect_match "Input/output error|error=5|err= *5" "$VBS_OUTPUT" "fio's error"
vbs_fio poll-after-fault "${polled[@]}" --filename="$dev" --name=after-fault \
	--rw=randwrite --bs=4k --iodepth=16 --size=1M --offset=96M
vbs_expect_eq $((1 << 20)) "$VBS_FIO_READ" "bytes verified after the fault"
vbs_run "$vbsim" fault "$dev" clear
vbs_run "$vbsim" sim 0 reset

vbs_step "a disk without poll queues: the polled job still completes and verifies"
vbs_run "$vbsim" add --size 16M
plain=$VBS_OUTPUT
vbs_wait_path "$plain"
vbs_expect_eq 0 "$(vbs_sys 1 queue/io_poll)" "queue/io_poll without poll queues"
# Kernels differ here, and both are what their block layer expects: 6.1
# drops REQ_POLLED and the job runs unpolled; 6.12 and 7.x refuse polled
# I/O on a queue that cannot poll with EOPNOTSUPP. Either way nothing
# hangs and nothing is polled.
if fio --name=no-poll --filename="$plain" "${polled[@]}" --rw=randwrite \
	--bs=4k --iodepth=16 --size=8M --verify_state_save=0 \
	--output-format=terse >"$VBS_TMP/no-poll.out" 2>&1; then
	vbs_note "polled I/O without poll queues: done unpolled"
	vbs_fio no-poll-queues "${polled[@]}" --filename="$plain" --name=no-poll \
		--rw=randwrite --bs=4k --iodepth=16 --size=8M
	vbs_expect_eq $((8 << 20)) "$VBS_FIO_READ" "bytes verified"
else
	vbs_expect_match "Operation not supported" "$(cat "$VBS_TMP/no-poll.out")" \
		"fio's error for polled I/O without poll queues"
	vbs_note "polled I/O without poll queues: refused (EOPNOTSUPP)"
fi
vbs_expect_eq 0 "$(vbs_attr 1 polled_requests)" "requests ended by ->poll without poll queues"
vbs_run "$vbsim" remove "$plain"

vbs_step "too many poll queues: EINVAL, no disk made"
possible=$(($(cut -d- -f2 /sys/devices/system/cpu/possible) + 1))
vbs_expect_fail "vbsim add --poll-queues $((possible + 1))" \
	"$vbsim" add --size 16M --poll-queues $((possible + 1))
vbs_expect_match "Invalid argument" "$VBS_OUTPUT" "vbsim's message"
vbs_expect_eq 1 "$(vbs_our_nodes | grep -c '^/dev/')" "disks after the refused add"

vbs_unload
