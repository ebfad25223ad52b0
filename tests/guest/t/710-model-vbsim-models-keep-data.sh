#!/bin/bash
#
# model_vbsim_models_keep_data: every built-in model of `vbsim model run`
# (identity with two threads, hdd, trace over identity, ftl) serves a
# model disk created by `vbsim add --model`: fio verifies 4 KiB random
# writes at QD16 and odd-sized (512 B..16 KiB) synchronous writes through
# it with zero errors; SIGTERM ends the model cleanly (exit 0, final
# statistics as JSON) and the disk is removed afterwards. The trace model
# records every request in its CSV, and `vbsim trace replay` plays the
# trace against an ordinary disk. A model SIGKILLed under fio leaves no
# request behind.
#
# Needs: fio, jq, the module, vbsim built on the host.
# vbs-timeout: 600
# vbs-tier: full

. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../model/lib-model.sh"

vbs_need_fio
command -v jq >/dev/null || vbs_skip "jq not installed"
[[ -x $VBS_VBSIM ]] || vbs_skip "vbsim not built ($VBS_VBSIM)"
vbs_load nr_devices=1 capacity_mb=64

models=(identity hdd trace)
if "$VBS_VBSIM" model run --help 2>&1 | grep -q ftl; then
	models+=(ftl)
fi

for model in "${models[@]}"; do
	vbs_step "$model: fio verify through the model"
	vbs_run "$VBS_VBSIM" add --model --size 48M --op 28%
	dev=$VBS_OUTPUT
	idx=${dev#/dev/"$VBS_MOD"}
	args=()
	case $model in
	identity) args=(--threads 2) ;;
	hdd) args=(--rpm 15000 --seek-full 2ms --seek-track 100us) ;;
	trace) args=(--trace-file "$VBS_TMP/trace.csv") ;;
	esac
	model_vbsim_start "$model" "$model" "$idx" "${args[@]}" --json
	engine=$(vbs_fio_async_engine "$dev")
	verify=(--filename="$dev" --direct=1 --verify=crc32c --do_verify=1
		--verify_fatal=1)
	vbs_fio "$model-qd16" "${verify[@]}" --name=qd16 --ioengine="$engine" \
		--rw=randwrite --bs=4k --iodepth=16 --size=4M
	vbs_expect_eq $((4 << 20)) "$VBS_FIO_READ" "bytes verified (QD16)"
	vbs_fio "$model-odd" "${verify[@]}" --name=odd --ioengine=psync \
		--rw=randwrite --bsrange=512-16k --size=1M --offset=16M
	vbs_expect_eq $((1 << 20)) "$VBS_FIO_READ" "bytes verified (odd sizes)"
	model_stop TERM
	vbs_expect_eq 0 "$MODEL_RC" "$model: exit status after SIGTERM"
	json=$(sed -n '/^{/,$p' "$VBS_ART/$model.log")
	requests=$(jq -r '[.. | objects | .requests? | numbers] | max // 0' \
		<<<"$json" 2>/dev/null || echo 0)
	vbs_note "$model: requests in the final statistics: $requests"
	vbs_expect_gt 1000 "$requests" "$model: requests counted"
	vbs_expect_eq 0 "$(model_attr "$idx" model_rejected)" "answers rejected"
	vbs_run "$VBS_VBSIM" remove "$dev"
done

vbs_step "trace: one CSV line per request, replayed on an ordinary disk"
lines=$(grep -c . "$VBS_TMP/trace.csv")
vbs_note "trace lines: $lines"
vbs_expect_gt 1500 "$lines" "lines of the trace"
vbs_run "$VBS_VBSIM" trace replay "$VBS_TMP/trace.csv" "$(vbs_dev 0)" \
	--as-fast-as-possible
vbs_note "replay: $(printf '%s\n' "$VBS_OUTPUT" | tail -n 3 | tr '\n' ' ')"
vbs_expect_gt 0 "$(vbs_stat 0 5)" "writes the replay did on disk 0"

vbs_step "SIGKILL under fio, 3 times: nothing is left hanging"
vbs_run "$VBS_VBSIM" add --model --size 32M
dev=$VBS_OUTPUT
idx=${dev#/dev/"$VBS_MOD"}
for round in 1 2 3; do
	model_vbsim_start "kill$round" identity "$idx" --threads 2
	timeout 60 fio --name=load --filename="$dev" --direct=1 \
		--ioengine="$engine" --iodepth=32 --rw=randrw --bs=4k \
		--size=16M --time_based --runtime=3 --continue_on_error=all \
		--output=/dev/null >/dev/null 2>&1 &
	fio_pid=$!
	sleep 0.$((round * 3))
	model_stop KILL
	rc=0
	wait "$fio_pid" || rc=$?
	((rc != 124)) || vbs_fail "round $round: fio still running 60 s later"
	vbs_expect_eq 0 "$(model_attr "$idx" model_pending)" "pending requests"
done
vbs_run "$VBS_VBSIM" remove "$dev"
vbs_unload
