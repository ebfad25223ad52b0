#!/bin/bash
#
# sim_latency_follows_the_settings: with a read and write latency of 100 us
# and of 1 ms, fio (QD1, 4 KiB random, psync) never sees a request
# complete faster than the setting, and its mean completion latency stays
# within generous bounds of it (the test VM runs under emulation, where
# timers fire late); the disk's own histogram puts every request at or
# above the setting. Uniform and exponential jitter raise the disk's mean
# latency by j/2 and j over the same base without jitter; 10% slow I/Os
# show up as a 10% tail. The measured figures (mean and p99 against the
# setting) go to the report file.
#
# Needs: the module, vbs-simtool, fio, python3.
#
# vbs-tier: core

. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../sim/lib-sim.sh"

vbs_need_fio
vbs_load capacity_mb=64
dev=$(vbs_dev 0)
vbs_run sim_tool fill "$dev" 0 2048 0x11

# run LABEL RW SECONDS SETTINGS... - set the engine, reset the statistics
# and run fio QD1 psync 4 KiB over the first MiB. Sets MEAN P99 MIN (fio,
# ns), KMEAN (the disk's mean, ns), HIST (the disk's histogram) and COUNT.
run() {
	local label=$1 rw=$2 secs=$3 dir=read stats
	shift 3
	[[ $rw == randwrite ]] && dir=write
	sim_set "$dev" "$@"
	vbs_run sim_tool reset-stats "$dev"
	vbs_fio "$label" --name="$label" --filename="$dev" --direct=1 \
		--ioengine=psync --rw="$rw" --bs=4k --size=1M --time_based \
		--runtime="$secs" --randseed=1
	read -r MEAN P99 MIN _ <<<"$(sim_fio_lat "$VBS_ART/fio-$label.json" "$dir")"
	stats=$(sim_tool stats "$dev")
	KMEAN=$(sim_get "${dir}_lat_mean_ns" "$stats")
	COUNT=$(sim_get "${dir}_lat_count" "$stats")
	HIST=$(sim_get "${dir}_hist" "$stats")
}

# bucket_of NS - the histogram bucket that holds NS.
bucket_of() {
	local us=$(($1 / 1000)) b=0
	while ((us > 0)); do
		us=$((us >> 1))
		b=$((b + 1))
	done
	echo "$b"
}

# permille GOT WANT - (GOT - WANT) / WANT in thousandths.
permille() {
	echo $((($1 - $2) * 1000 / $2))
}

for lat in 100000 1000000; do
	for rw in randread randwrite; do
		op=${rw#rand}
		vbs_step "$op latency $lat ns"
		run "$op-$lat" "$rw" 3 read_ns="$lat" write_ns="$lat"
		sim_report "$op lat=${lat}ns n=$COUNT" \
			"fio mean=${MEAN}ns ($(permille "$MEAN" "$lat")/1000)" \
			"p99=${P99}ns ($(permille "$P99" "$lat")/1000) min=${MIN}ns" \
			"disk mean=${KMEAN}ns ($(permille "$KMEAN" "$lat")/1000)"
		vbs_expect_ge "$lat" "$MIN" "fio minimum completion latency (ns)"
		vbs_expect_ge "$lat" "$KMEAN" "disk mean latency (ns)"
		# Generous: the emulated machine adds up to 3 ms on average.
		vbs_expect_ge "$MEAN" $((lat * 13 / 10 + 3000000)) "fio mean latency (ns, upper bound)"
		IFS=, read -r -a h <<<"$HIST"
		for ((b = 0; b < $(bucket_of "$lat"); b++)); do
			vbs_expect_eq 0 "${h[b]}" "requests faster than $lat ns (bucket $b)"
		done
	done
done

# The jitter is large against the emulated machine's timer lateness, so
# that lateness (the same with and without jitter) cancels out.
vbs_step "jitter: uniform adds j/2, exponential adds j (j = 20 ms)"
run base randread 4 read_ns=1000000
base=$KMEAN
run uniform randread 4 read_ns=1000000 read_jitter=uniform read_jitter_ns=20000000 seed=3
uni=$((KMEAN - base))
run exp randread 4 read_ns=1000000 read_jitter=exp read_jitter_ns=20000000 seed=3
exp=$((KMEAN - base))
sim_report "jitter j=20000000ns: uniform adds ${uni}ns (model 10000000)," \
	"exponential adds ${exp}ns (model 20000000, $COUNT samples)"
vbs_expect_ge 7000000 "$uni" "mean added by uniform jitter (ns)"
vbs_expect_ge "$uni" 13000000 "mean added by uniform jitter (ns, upper bound)"
vbs_expect_ge 14000000 "$exp" "mean added by exponential jitter (ns)"
vbs_expect_ge "$exp" 26000000 "mean added by exponential jitter (ns, upper bound)"
IFS=, read -r -a h <<<"$HIST"
tail=0
for ((b = 17; b < 32; b++)); do
	tail=$((tail + h[b]))
done
vbs_note "exponential: $tail of $COUNT reads above 65 ms (model: about 4%)"
vbs_expect_gt 0 "$tail" "exponential jitter has a tail above 65 ms"

vbs_step "slow I/O: 10% of reads take 5 ms more"
run slow randread 3 read_ns=100000 read_slow_ppm=100000 read_slow_ns=5000000 seed=5
IFS=, read -r -a h <<<"$HIST"
slow=0
for ((b = 13; b < 32; b++)); do
	slow=$((slow + h[b]))
done
sim_report "slow_ppm=100000: $slow of $COUNT reads slow ($((slow * 1000 / COUNT))/1000, model 100/1000)"
vbs_expect_ge $((COUNT * 5 / 100)) "$slow" "slow reads (at least 5%)"
vbs_expect_ge "$slow" $((COUNT * 15 / 100)) "slow reads (at most 15%)"
