#!/bin/bash
#
# sim_delivery_time_ends_requests_early: the delivery time (the host's cost
# of bringing a completion to its submitter, vbs_sim_params.delivery_ns)
# ends each request the engine holds that much before the device's time,
# and never more: with a read latency of 1 ms and a delivery time of
# 400 us, no read completes in under 600 us while the disk's own
# statistics still count the whole 1 ms of device time; with a delivery
# time equal to the latency, reads complete as if the engine were off
# (median below half the latency), and with none, at or after it. The
# setting survives other changes and `reset` clears it; values above 1 ms
# are refused (EINVAL from the kernel, vbs-simtool validate; a usage
# error from vbsim). `vbsim sim DEV calibrate` measures the delivery time
# with the disk's settings kept (write latency, seed, channels) and sets
# it, or with --no-set only reports it; on a model disk it is refused.
# What it measured, and the error left with it in force, go to the report.
#
# Needs: the module, vbs-simtool, vbsim built in $VBS_BUILD/tools, fio,
# python3.
#
# vbs-tier: core

. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../sim/lib-sim.sh"

vbs_need_fio
vbsim=$VBS_BUILD/tools/tools/vbsim/vbsim
[[ -x $vbsim ]] || vbs_skip "vbsim not built ($vbsim)"

# json_get JSON EXPR... - print each EXPR (Python, on the parsed document
# j) on a line of its own: one interpreter for all of them, which counts
# on an emulated machine.
json_get() {
	python3 -c 'import json, sys
j = json.loads(sys.argv[1])
for e in sys.argv[2:]:
    print(eval(e))' "$@"
}

# fio_p50 JSON - the median completion latency (ns) of fio's reads.
fio_p50() {
	python3 - "$1" <<-'EOF'
		import json, sys
		text = open(sys.argv[1]).read()
		start = 0 if text.startswith("{") else text.index("\n{") + 1
		clat = json.loads(text[start:])["jobs"][0]["read"]["clat_ns"]
		print(int(clat["percentile"]["50.000000"]))
	EOF
}

vbs_load capacity_mb=64
dev=$(vbs_dev 0)
vbs_run sim_tool fill "$dev" 0 2048 0x11

# reads LABEL SETTINGS... - set the engine, reset the statistics and make
# 400 QD1 4 KiB direct reads; sets MEAN P50 MIN (fio, ns) and KMEAN,
# KMIN_BUCKET (the disk's mean, and the first non-empty bucket of its
# histogram).
reads() {
	local label=$1 stats h b
	shift
	sim_set "$dev" "$@"
	vbs_run sim_tool reset-stats "$dev"
	vbs_fio "$label" --name="$label" --filename="$dev" --direct=1 \
		--ioengine=psync --rw=randread --bs=4k --size=1M --number_ios=400 \
		--randseed=1
	read -r MEAN _ MIN _ <<<"$(sim_fio_lat "$VBS_ART/fio-$label.json" read)"
	P50=$(fio_p50 "$VBS_ART/fio-$label.json")
	stats=$(sim_tool stats "$dev")
	KMEAN=$(sim_get read_lat_mean_ns "$stats")
	IFS=, read -r -a h <<<"$(sim_get read_hist "$stats")"
	for ((b = 0; b < ${#h[@]}; b++)); do
		((h[b] == 0)) || break
	done
	KMIN_BUCKET=$b
	sim_report "delivery $label: fio mean=${MEAN}ns p50=${P50}ns min=${MIN}ns, disk mean=${KMEAN}ns"
}

vbs_step "the setting is kept, shown, and cleared by reset"
sim_set "$dev" read_ns=1000000 delivery_ns=400000 seed=5
vbs_expect_eq 400000 "$(sim_get delivery_ns "$(sim_tool get "$dev")")" "delivery_ns after set"
vbs_run "$vbsim" sim "$dev" set --write-latency 20us
vbs_run "$vbsim" sim "$dev" --json
vbs_expect_eq 400000 "$(json_get "$VBS_OUTPUT" 'j["delivery_ns"]')" "delivery_ns kept by sim set"
vbs_run "$vbsim" sim "$dev" reset
vbs_expect_eq 0 "$(sim_get delivery_ns "$(sim_tool get "$dev")")" "delivery_ns after reset"
vbs_expect_fail "a 2 ms delivery time" "$vbsim" sim "$dev" set --delivery 2ms
vbs_expect_match "delivery time 2ms is outside" "$VBS_OUTPUT" "vbsim's message"

vbs_step "no delivery time: every read takes the whole latency"
reads none read_ns=1000000
vbs_expect_ge 1000000 "$MIN" "fio's fastest read (ns)"
vbs_expect_ge 1000000 "$P50" "fio's median read (ns)"

vbs_step "400 us of delivery time: reads end up to 400 us early, never more"
reads 400us read_ns=1000000 delivery_ns=400000
vbs_expect_ge 600000 "$MIN" "fio's fastest read (ns)"
# The disk counts the device's time: nothing below the 1 ms bucket
# (bucket b holds [2^(b-1), 2^b) us; 1 ms is in bucket 10).
vbs_expect_ge 1000000 "$KMEAN" "the disk's mean read latency (ns)"
vbs_expect_ge 10 "$KMIN_BUCKET" "the disk's first non-empty histogram bucket"

vbs_step "a delivery time as long as the latency: reads end at once"
reads all read_ns=1000000 delivery_ns=1000000
vbs_expect_ge "$P50" 500000 "fio's median read (ns, upper bound)"
vbs_expect_ge 1000000 "$KMEAN" "the disk's mean read latency (ns)"

vbs_step "vbsim sim calibrate measures it and keeps the other settings"
vbs_run "$vbsim" sim "$dev" reset
vbs_run "$vbsim" sim "$dev" set --write-latency 50us --channels 4 --seed 9
vbs_run "$vbsim" sim "$dev" calibrate --reads 300 --json
{
	read -r delivery
	read -r applied
	read -r reads
	read -r added
	read -r off
	read -r on
	read -r err_median
	read -r err_mean
} < <(json_get "$VBS_OUTPUT" 'j["delivery_ns"]' 'j["applied"]' 'j["reads"]' \
	'j["on"]["median_ns"] - j["off"]["median_ns"]' 'j["off"]["median_ns"]' \
	'j["on"]["median_ns"]' 'round(j["error"]["median"] * 100, 2)' \
	'round(j["error"]["mean"] * 100, 2)')
vbs_expect_eq True "$applied" "calibrate applied"
vbs_expect_eq 300 "$reads" "reads per condition"
vbs_expect_ge 0 "$delivery" "delivery time measured (ns)"
vbs_expect_ge "$delivery" 1000000 "delivery time measured (ns, upper bound)"
# What the engine-off and latency conditions measured: the latency shows.
vbs_expect_ge 100000 "$added" "median added by the 100 us calibration latency (ns)"
sim_report "calibrate: delivery ${delivery}ns, off median ${off}ns, 100us median ${on}ns," \
	"error with it in force: median ${err_median}%, mean ${err_mean}%"
vbs_run "$vbsim" sim "$dev" --json
vbs_expect_eq "$delivery,50000,0,4,9" "$(json_get "$VBS_OUTPUT" 'j["delivery_ns"]' \
	'j["latency"]["write"]["base_ns"]' 'j["latency"]["read"]["base_ns"]' 'j["channels"]' \
	'j["seed"]' | paste -sd,)" "delivery time in force; write latency, read latency, channels, seed kept"

vbs_step "calibrate --no-set measures only"
vbs_run "$vbsim" sim "$dev" set --delivery 1us
vbs_run "$vbsim" sim "$dev" calibrate --reads 50 --no-set
vbs_expect_match "not set: --no-set" "$VBS_OUTPUT" "calibrate's report"
vbs_expect_eq 1000 "$(sim_get delivery_ns "$(sim_tool get "$dev")")" "delivery_ns after --no-set"

vbs_step "calibrate refuses a model disk"
vbs_run "$vbsim" add --model --size 16M
mdev=$VBS_OUTPUT
vbs_wait_path "$mdev"
vbs_expect_fail "calibrate on a model disk" "$vbsim" sim "$mdev" calibrate
vbs_expect_match "calibrate needs a disk without a model" "$VBS_OUTPUT" "vbsim's message"
vbs_run "$vbsim" remove "$mdev"
