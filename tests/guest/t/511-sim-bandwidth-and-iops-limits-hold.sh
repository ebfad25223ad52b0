#!/bin/bash
#
# sim_bandwidth_and_iops_limits_hold: a write bandwidth limit of 20 MB/s,
# a read limit of 40 MB/s, a read IOPS limit of 1000/s and a write IOPS
# limit of 500/s hold over a 5 s fio run that asks for more (sequential
# 128 KiB at queue depth 32, random 4 KiB at queue depth 64: 100 ms and
# more of work queued, so that short stalls of the emulated test VM do not
# leave the device idle): the rate never exceeds the limit by more than
# 5%, and stays within 30% below it (see sim_rate_holds); and each
# direction's limit leaves the other direction alone. The measured rates
# go to the report file, for the 5% target on real machines.
#
# Needs: the module, vbs-simtool, fio, python3.
#
# vbs-tier: full

. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../sim/lib-sim.sh"

vbs_need_fio
vbs_load capacity_mb=256
dev=$(vbs_dev 0)
engine=$(vbs_fio_async_engine "$dev")

# rate LABEL RW BS QD - fio for 5 s; sets IOPS and BW (bytes/s).
rate() {
	local dir=read
	[[ $2 == *write ]] && dir=write
	vbs_fio "$1" --name="$1" --filename="$dev" --direct=1 \
		--ioengine="$engine" --rw="$2" --bs="$3" --iodepth="$4" \
		--size=128M --time_based --runtime=5 --randseed=1
	read -r IOPS BW <<<"$(sim_fio_rate "$VBS_ART/fio-$1.json" "$dir")"
}


vbs_step "write bandwidth 20 MB/s"
sim_set "$dev" write_bw=20000000
rate write-bw write 128k 32
sim_report "write_bw=20000000 B/s measured=${BW} B/s ($(((BW - 20000000) * 1000 / 20000000))/1000)"
sim_rate_holds "$BW" 20000000 "write bandwidth (B/s)"

vbs_step "the write limit leaves reads alone"
rate read-free read 128k 8
vbs_note "reads under a write limit: ${BW} B/s"
vbs_expect_gt 30000000 "$BW" "read bandwidth with only a write limit (B/s)"

vbs_step "read bandwidth 40 MB/s"
sim_set "$dev" read_bw=40000000
rate read-bw read 128k 32
sim_report "read_bw=40000000 B/s measured=${BW} B/s ($(((BW - 40000000) * 1000 / 40000000))/1000)"
sim_rate_holds "$BW" 40000000 "read bandwidth (B/s)"

vbs_step "read IOPS 1000/s"
sim_set "$dev" read_iops=1000
rate read-iops randread 4k 64
sim_report "read_iops=1000 measured=${IOPS} ($(((IOPS - 1000) * 1000 / 1000))/1000)"
sim_rate_holds "$IOPS" 1000 "read IOPS"

vbs_step "write IOPS 500/s"
sim_set "$dev" write_iops=500
rate write-iops randwrite 4k 64
sim_report "write_iops=500 measured=${IOPS} ($(((IOPS - 500) * 1000 / 500))/1000)"
sim_rate_holds "$IOPS" 500 "write IOPS"
