#!/bin/bash
#
# sim_channels_make_latency_grow_with_queue_depth: with 10 ms reads and 4
# parallel units, one read at a time takes 10 ms (and a little more: the
# emulated test VM's timers fire late); 32 at a time share the 4 units, so
# throughput stays at 4 / 10 ms = 400 reads/s (never more than 5% above,
# see sim_rate_holds) and each read waits about eight times as long, in
# any case more than three times the setting; the disk saw 32 in flight
# at once. With unlimited units, 32 at a time are served in parallel: the
# mean latency is less than half of that with 4 units.
#
# Needs: the module, vbs-simtool, fio, python3.
#
# vbs-tier: full

. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../sim/lib-sim.sh"

vbs_need_fio
vbs_load capacity_mb=64
dev=$(vbs_dev 0)
engine=$(vbs_fio_async_engine "$dev")
vbs_run sim_tool fill "$dev" 0 8192 0x31

# run LABEL QD - fio 4 KiB random reads for 4 s; sets MEAN (ns) and IOPS.
run() {
	vbs_fio "$1" --name="$1" --filename="$dev" --direct=1 \
		--ioengine="$engine" --rw=randread --bs=4k --iodepth="$2" \
		--size=4M --time_based --runtime=4 --randseed=1
	read -r MEAN _ <<<"$(sim_fio_lat "$VBS_ART/fio-$1.json" read)"
	read -r IOPS _ <<<"$(sim_fio_rate "$VBS_ART/fio-$1.json" read)"
}

vbs_step "4 units, queue depth 1"
sim_set "$dev" read_ns=10000000 channels=4
run qd1 1
qd1=$MEAN
vbs_expect_ge 10000000 "$qd1" "mean latency at QD1 (ns)"

vbs_step "4 units, queue depth 32"
vbs_run sim_tool reset-stats "$dev"
run qd32 32
sim_report "channels=4 read 10ms: QD1 mean=${qd1}ns, QD32 mean=${MEAN}ns iops=${IOPS} (model 80000000ns, 400/s)"
sim_rate_holds "$IOPS" 400 "IOPS of 4 units at 10 ms"
vbs_expect_ge 30000000 "$MEAN" "mean latency at QD32 (ns)"
vbs_expect_ge 32 "$(sim_stat "$dev" peak_in_flight)" "peak requests in flight"
qd32=$MEAN

vbs_step "unlimited units, queue depth 32: no queueing"
sim_set "$dev" read_ns=10000000
run free32 32
sim_report "channels=0 read 10ms: QD32 mean=${MEAN}ns iops=${IOPS}"
vbs_expect_ge "$MEAN" $((qd32 / 2)) "mean latency at QD32 without a unit limit (ns, upper bound)"
