#!/bin/bash
#
# sim_same_seed_same_faults: the disk's seed drives every random choice.
# The same seed and the same single-threaded workload give the same
# sequence of probabilistic faults, twice; another seed gives another
# sequence; and a random power cut with the same seed keeps the same
# subset of unflushed pages.
#
# Needs: the module, vbs-simtool.
#
# vbs-tier: full

. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../sim/lib-sim.sh"

vbs_load capacity_mb=64 write_cache=1
dev=$(vbs_dev 0)

# run_faults SEED - print the sequence of 300 reads under a 30% EIO rule
# and 20% slow reads, the disk's generator restarted from SEED.
run_faults() {
	sim_set "$dev" seed="$1" read_ns=20000 read_jitter=exp \
		read_jitter_ns=10000 read_slow_ppm=200000 read_slow_ns=50000
	vbs_run sim_tool fault-clear "$dev"
	vbs_run sim_tool fault-add "$dev" ops=read effect=ioerr lba=0 count=64 \
		trigger=prob:300000
	sim_tool probe "$dev" read 7 1 300
}

vbs_step "seed 1234, twice"
a=$(run_faults 1234)
b=$(run_faults 1234)
vbs_note "seed 1234: $a"
vbs_expect_eq "$a" "$b" "fault sequence of the second run with seed 1234"
errors=$(tr -cd E <<<"$a" | wc -c)
vbs_note "$errors of 300 reads failed (30% expected)"
vbs_expect_ge 50 "$errors" "failures with p=0.3"
vbs_expect_ge "$errors" 130 "failures with p=0.3 (upper bound)"

vbs_step "seed 4321: another sequence"
c=$(run_faults 4321)
vbs_expect_ne "$a" "$c" "fault sequence with another seed"
vbs_expect_eq "$c" "$(run_faults 4321)" "seed 4321 repeats too"

vbs_step "a random power cut with the same seed keeps the same pages"
sim_set "$dev"
vbs_run sim_tool fault-clear "$dev"
maps=()
for round in 1 2; do
	vbs_run sim_tool fill "$dev" 8192 512 0
	vbs_run sim_tool flush "$dev"
	vbs_run sim_tool fill "$dev" 8192 512 0x5a
	out=$(sim_tool powercut "$dev" keep=500000 seed=99)
	vbs_note "round $round: $(tr '\n' ' ' <<<"$out")"
	vbs_expect_eq 64 $(($(sim_get dropped "$out") + $(sim_get kept "$out"))) "cache pages at the power cut"
	maps+=("$(sim_tool map "$dev" 8192 512 0x5a)")
done
vbs_expect_eq "${maps[0]}" "${maps[1]}" "blocks kept by two power cuts with seed 99"
kept=$(tr -cd d <<<"${maps[0]}" | wc -c)
vbs_expect_ge 64 "$kept" "blocks kept with p=0.5"
vbs_expect_ge "$kept" 448 "blocks kept with p=0.5 (upper bound)"
vbs_expect_eq "" "$(tr -d 'd0' <<<"${maps[0]}")" "every block is either kept whole or zero"
