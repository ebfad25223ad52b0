#!/bin/bash
#
# sim_settings_are_validated_and_kept: the module reports the simulation
# feature bits; VBS_IOC_SET_SIM keeps exactly what it was given and
# VBS_IOC_GET_SIM returns it; every invalid setting, fault rule, list or
# power-cut argument is refused with EINVAL (ENOENT, ENOTTY where due) and
# changes nothing; with all settings back at zero the engine is off again
# (no latency is recorded) and I/O still works.
#
# Needs: the module, vbs-simtool (tests/guest/sim), dd.
#
# vbs-tier: full

. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../sim/lib-sim.sh"

vbs_load capacity_mb=64
dev=$(vbs_dev 0)

vbs_step "feature bits: SIM, FAULTS, POWERCUT, LATENCY_STATS"
features=$(sim_get features "$(sim_tool features "$dev")")
vbs_expect_eq $((0xf << 6)) $((features & (0xf << 6))) "feature bits 6..9 in $features"

vbs_step "a new disk: engine off, settings zero"
out=$(sim_tool get "$dev")
vbs_expect_eq 0 "$(sim_get read_ns "$out")" "default read_ns"
vbs_expect_eq 0 "$(sim_get channels "$out")" "default channels"
vbs_run dd if="$dev" of=/dev/null bs=4k count=64 iflag=direct status=none
vbs_expect_eq 0 "$(sim_stat "$dev" read_lat_count)" "latency samples with the engine off"
vbs_expect_eq 0 "$(vbs_attr 0 sim_active)" "sysfs sim_active of a new disk"
vbs_expect_eq 0 "$(vbs_attr 0 fault_rules)" "sysfs fault_rules of a new disk"

vbs_step "set, then get the same values back"
sim_set "$dev" seed=77 channels=8 timeout_ms=12345 read_bw=1000000000 \
	write_bw=2000000000 read_iops=100000 write_iops=200000 \
	read_ns=1000 read_jitter=uniform read_jitter_ns=2000 \
	write_ns=3000 write_jitter=exp write_jitter_ns=4000 \
	flush_ns=5000 flush_slow_ppm=6 flush_slow_ns=7000 discard_ns=8000
out=$(sim_tool get "$dev")
for kv in seed=77 channels=8 timeout_ms=12345 read_bw=1000000000 \
	write_bw=2000000000 read_iops=100000 write_iops=200000 read_ns=1000 \
	read_jitter=uniform read_jitter_ns=2000 write_ns=3000 write_jitter=exp \
	write_jitter_ns=4000 flush_ns=5000 flush_slow_ppm=6 flush_slow_ns=7000 \
	discard_ns=8000 discard_jitter=none; do
	vbs_expect_eq "${kv#*=}" "$(sim_get "${kv%%=*}" "$out")" "${kv%%=*} read back"
done

vbs_step "invalid arguments are refused and change nothing"
if ! out=$(sim_tool check-einval "$dev"); then
	printf '%s\n' "$out" | grep -v '^ok' | sed 's/^/#   /'
	vbs_fail "invalid arguments accepted"
fi
vbs_note "$(grep -c '^ok' <<<"$out") refusals checked"
vbs_expect_eq 77 "$(sim_get seed "$(sim_tool get "$dev")")" "seed after refused calls"

vbs_step "the engine on: reads are timed"
vbs_expect_eq 1 "$(vbs_attr 0 sim_active)" "sysfs sim_active with settings"
vbs_run dd if="$dev" of=/dev/null bs=4k count=16 iflag=direct status=none
vbs_expect_ge 16 "$(sim_stat "$dev" read_lat_count)" "latency samples with the engine on"

vbs_step "all zero again: engine off, data path intact"
sim_set "$dev"
vbs_expect_eq 0 "$(vbs_attr 0 sim_active)" "sysfs sim_active after clearing the settings"
vbs_run sim_tool fault-add "$dev" ops=read effect=ioerr lba=0 count=1 trigger=once
vbs_expect_eq 1 "$(vbs_attr 0 sim_active)" "sysfs sim_active with a fault rule"
vbs_expect_eq 1 "$(vbs_attr 0 fault_rules)" "sysfs fault_rules"
vbs_run sim_tool fault-clear "$dev"
vbs_expect_eq 0 "$(vbs_attr 0 sim_active)" "sysfs sim_active without rules"
vbs_run sim_tool fill "$dev" 100 8 0x3c
vbs_run sim_tool verify "$dev" 100 8 0x3c
before=$(sim_stat "$dev" read_lat_count)
vbs_run dd if="$dev" of=/dev/null bs=4k count=16 iflag=direct status=none
vbs_expect_eq "$before" "$(sim_stat "$dev" read_lat_count)" "latency samples after turning the engine off"
