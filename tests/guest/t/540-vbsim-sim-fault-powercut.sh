#!/bin/bash
#
# vbsim_sim_fault_powercut: the engine driven only through vbsim. sim set
# and sim show agree and reset turns everything off; a fault rule on one
# LBA fails exactly that block and fault list counts the fire; clear
# removes it; on a disk with a write cache a power cut drops an unflushed
# vbsim write and keeps a flushed one.
#
# Needs: the module, vbsim built in $VBS_BUILD/tools, python3.
#
# vbs-tier: full

. "$(dirname "$0")/../lib.sh"

vbsim=$VBS_BUILD/tools/tools/vbsim/vbsim
[[ -x $vbsim ]] || vbs_skip "vbsim not built ($vbsim)"

# json_get JSON EXPR - print EXPR (Python, on the parsed document j).
json_get() {
	python3 -c 'import json, sys; j = json.loads(sys.argv[1]); print(eval(sys.argv[2]))' "$1" "$2"
}

vbs_load capacity_mb=64 write_cache=1
dev=$(vbs_dev 0)
lbs=$(cat "/sys/block/${dev##*/}/queue/logical_block_size")

vbs_step "sim set and show round-trip, reset turns everything off"
vbs_run "$vbsim" sim "$dev" set --read-latency 100us --read-jitter 10us --write-bw 100M \
	--iops 5000 --channels 4 --timeout 5s --seed 42
vbs_run "$vbsim" sim "$dev" --json
json=$VBS_OUTPUT
vbs_expect_eq 100000 "$(json_get "$json" 'j["latency"]["read"]["base_ns"]')" "read latency"
vbs_expect_eq 10000 "$(json_get "$json" 'j["latency"]["read"]["jitter_ns"]')" "read jitter"
vbs_expect_eq uniform "$(json_get "$json" 'j["latency"]["read"]["distribution"]')" "read distribution"
vbs_expect_eq 0 "$(json_get "$json" 'j["latency"]["write"]["base_ns"]')" "write latency"
vbs_expect_eq 104857600 "$(json_get "$json" 'j["bandwidth_bps"]["write"]')" "write bandwidth"
vbs_expect_eq 5000 "$(json_get "$json" 'j["iops"]["read"]')" "read IOPS"
vbs_expect_eq 4 "$(json_get "$json" 'j["channels"]')" "channels"
vbs_expect_eq 5000 "$(json_get "$json" 'j["timeout_ms"]')" "timeout"
vbs_expect_eq 42 "$(json_get "$json" 'j["seed"]')" "seed"
vbs_run "$vbsim" sim "$dev" set --channels 8
vbs_run "$vbsim" sim "$dev" --json
vbs_expect_eq 8 "$(json_get "$VBS_OUTPUT" 'j["channels"]')" "channels after a second set"
vbs_expect_eq 100000 "$(json_get "$VBS_OUTPUT" 'j["latency"]["read"]["base_ns"]')" "read latency kept"
vbs_expect_fail "a 61s latency" "$vbsim" sim "$dev" set --read-latency 61s
vbs_run "$vbsim" sim "$dev" reset
vbs_run "$vbsim" sim "$dev" --json
vbs_expect_eq 0 "$(json_get "$VBS_OUTPUT" 'j["channels"] + j["seed"] + j["latency"]["read"]["base_ns"]')" \
	"settings after reset"

vbs_step "a fault on one LBA fails exactly that block"
vbs_run "$vbsim" fault "$dev" add --op read --lba 100 --effect ioerr
vbs_expect_eq 1 "$VBS_OUTPUT" "id of the first rule"
vbs_run dd if="$dev" of=/dev/null bs="$lbs" skip=99 count=1 iflag=direct status=none
vbs_expect_fail "read of the faulty block" \
	dd if="$dev" of=/dev/null bs="$lbs" skip=100 count=1 iflag=direct status=none
vbs_run dd if="$dev" of=/dev/null bs="$lbs" skip=101 count=1 iflag=direct status=none
vbs_run "$vbsim" fault "$dev" list --json
vbs_expect_eq 1 "$(json_get "$VBS_OUTPUT" 'len(j["rules"])')" "rules listed"
vbs_expect_eq 1 "$(json_get "$VBS_OUTPUT" 'j["rules"][0]["fired"]')" "fires of the rule"
vbs_expect_eq 100 "$(json_get "$VBS_OUTPUT" 'j["rules"][0]["lba"]')" "LBA of the rule"
vbs_run "$vbsim" fault "$dev" list
vbs_note "$(tr '\n' ' ' <<<"$VBS_OUTPUT")"
vbs_run "$vbsim" fault "$dev" clear 1
vbs_run dd if="$dev" of=/dev/null bs="$lbs" skip=100 count=1 iflag=direct status=none
vbs_run "$vbsim" fault "$dev" list --json
vbs_expect_eq 0 "$(json_get "$VBS_OUTPUT" 'len(j["rules"])')" "rules after clear"
vbs_expect_fail "clearing a rule that is gone" "$vbsim" fault "$dev" clear 1

vbs_step "a power cut drops an unflushed vbsim write and keeps a flushed one"
vbs_run "$vbsim" write "$dev" --lba 1000 --pattern 0x11 --count 8
vbs_run python3 -c 'import os, sys; fd = os.open(sys.argv[1], os.O_RDONLY); os.fsync(fd)' "$dev"
vbs_run "$vbsim" write "$dev" --lba 2000 --pattern 0x22 --count 8
vbs_run "$vbsim" powercut "$dev" --json
vbs_note "$(tr '\n' ' ' <<<"$VBS_OUTPUT")"
vbs_expect_ge 1 "$(json_get "$VBS_OUTPUT" 'j["pages_dropped"]')" "pages dropped"
vbs_expect_eq 0 "$(json_get "$VBS_OUTPUT" 'j["pages_kept"]')" "pages kept"
head -c $((8 * lbs)) /dev/zero | tr '\0' '\021' >"$VBS_TMP/flushed"
head -c $((8 * lbs)) /dev/zero >"$VBS_TMP/zeros"
vbs_run "$vbsim" read "$dev" --lba 1000 --count 8 --out "$VBS_TMP/got-flushed"
cmp -s "$VBS_TMP/flushed" "$VBS_TMP/got-flushed" || vbs_fail "the flushed write was lost"
vbs_run "$vbsim" read "$dev" --lba 2000 --count 8 --out "$VBS_TMP/got-unflushed"
cmp -s "$VBS_TMP/zeros" "$VBS_TMP/got-unflushed" || vbs_fail "the unflushed write survived the power cut"
vbs_unload
