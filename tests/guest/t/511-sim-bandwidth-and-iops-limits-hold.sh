#!/bin/bash
#
# sim_bandwidth_and_iops_limits_hold: a write bandwidth limit of 20 MB/s,
# a read limit of 40 MB/s and a read IOPS limit of 2000/s hold within 5%
# over a 5 s fio run that asks for more (sequential 128 KiB at queue depth
# 8; random 4 KiB at queue depth 16), and each direction's limit leaves
# the other direction alone. The measured rates go to the report file.
#
# Needs: the module, vbs-simtool, fio, python3.

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
rate write-bw write 128k 8
sim_report "write_bw=20000000 B/s measured=${BW} B/s ($(((BW - 20000000) * 1000 / 20000000))/1000)"
sim_within "$BW" 20000000 5 "write bandwidth (B/s)"

vbs_step "the write limit leaves reads alone"
rate read-free read 128k 8
vbs_note "reads under a write limit: ${BW} B/s"
vbs_expect_gt 30000000 "$BW" "read bandwidth with only a write limit (B/s)"

vbs_step "read bandwidth 40 MB/s"
sim_set "$dev" read_bw=40000000
rate read-bw read 128k 8
sim_report "read_bw=40000000 B/s measured=${BW} B/s ($(((BW - 40000000) * 1000 / 40000000))/1000)"
sim_within "$BW" 40000000 5 "read bandwidth (B/s)"

vbs_step "read IOPS 2000/s"
sim_set "$dev" read_iops=2000
rate read-iops randread 4k 16
sim_report "read_iops=2000 measured=${IOPS} ($(((IOPS - 2000) * 1000 / 2000))/1000)"
sim_within "$IOPS" 2000 5 "read IOPS"

vbs_step "write IOPS 1000/s"
sim_set "$dev" write_iops=1000
rate write-iops randwrite 4k 16
sim_report "write_iops=1000 measured=${IOPS} ($(((IOPS - 1000) * 1000 / 1000))/1000)"
sim_within "$IOPS" 1000 5 "write IOPS"
