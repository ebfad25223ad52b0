#!/bin/bash
#
# model_timeouts_and_delays: a model that takes a request and never
# answers meets the request timeout (timeout_ms, the one engine setting a
# model disk keeps): the submitter gets an error after about that long and
# nothing is left pending; requests waiting for a model that never comes
# (VBS_MODEL_RECOVER) are not failed when the session dies but time out
# the same way, no sooner than the timeout; the module unloads at once
# afterwards. A model's delay is honoured: each request completes no
# sooner than the delay the model answered with.
#
# Needs: the module, vbs-modeltool, vbs-simtool.
#
# vbs-tier: full

. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../sim/lib-sim.sh"
. "$(dirname "$0")/../model/lib-model.sh"

vbs_load nr_devices=0
idx=$(model_add 16)
dev=$(vbs_dev "$idx")
vbs_run sim_tool set "$dev" timeout_ms=2000

# timed_read - one direct 4 KiB read; print "status milliseconds".
timed_read() {
	local t0 rc=0
	t0=$(date +%s%N)
	dd if="$dev" of=/dev/null bs=4k count=1 skip="${1:-0}" iflag=direct \
		2>"$VBS_TMP/dd.err" || rc=$?
	printf '%d %d\n' "$rc" $((($(date +%s%N) - t0) / 1000000))
}

vbs_step "a model that never answers: the read ends after the 2 s timeout"
model_hold_start holder "$idx" 30
read -r rc ms <<<"$(timed_read)"
vbs_expect_ne 0 "$rc" "dd status"
vbs_note "unanswered read ended after $ms ms: $(cat "$VBS_TMP/dd.err" | head -n 1)"
vbs_expect_ge 1900 "$ms" "milliseconds before the error"
vbs_expect_ge "$ms" 8000 "milliseconds before the error (upper bound)"
model_stop KILL >/dev/null
vbs_expect_eq 0 "$(model_attr "$idx" model_pending)" "requests pending"

vbs_step "recover without a model coming back: the request times out too"
model_hold_start holder2 "$idx" 30 recover
t_issue=$(date +%s%N)
dd if="$dev" of=/dev/null bs=4k count=1 skip=9 iflag=direct 2>/dev/null &
dd_pid=$!
sleep 0.5
model_stop KILL >/dev/null
t0=$(date +%s%N)
rc=0
wait "$dd_pid" || rc=$?
t1=$(date +%s%N)
vbs_expect_ne 0 "$rc" "status of the read nobody served"
vbs_note "the orphaned read ended $((($t1 - t_issue) / 1000000)) ms after it was issued"
# Not failed when its session died (it waits for a model to come back),
# failed by the 2 s timeout counted from its start.
vbs_expect_ge 1900 $((($t1 - t_issue) / 1000000)) \
	"milliseconds the orphaned read waited (lower bound: the timeout)"
vbs_expect_ge $((($t1 - t0) / 1000000)) 8000 \
	"milliseconds the orphaned read waited after the kill (upper bound)"
vbs_expect_eq 0 "$(model_attr "$idx" model_pending)" "requests pending"

vbs_step "a model's delay: 20 reads answered with 20 ms each take >= 400 ms"
model_start slow "$idx" delay_us=20000
t0=$(date +%s%N)
vbs_run dd if="$dev" of=/dev/null bs=4k count=20 iflag=direct
ms=$((($(date +%s%N) - t0) / 1000000))
vbs_note "20 reads with a 20 ms delay took $ms ms"
vbs_expect_ge 400 "$ms" "milliseconds for 20 delayed reads"
model_stop TERM
vbs_expect_eq 0 "$MODEL_RC" "model exit status"

vbs_run "$VBS_VBSIM" remove "$idx"
vbs_unload
