#!/bin/bash
#
# model_killed_during_io_leaves_nothing_hanging: a model SIGKILLed at a
# random moment while fio keeps 32 requests in flight, 10 times over
# (VBS_MODEL_KILL_ROUNDS; at least 3 in 4 of the kills must land while
# fio runs): every time fio ends on its own (its I/O completes, with
# errors), nothing stays pending, and the disk serves a new model at
# once, with the data written before intact. With VBS_MODEL_RECOVER the
# I/O of a killed model waits instead, and completes successfully once a
# new model attaches.
#
# The kill moments come from a fixed seed: the first 10 wait 0 to 0.5 s
# after the first completed request (0, 0.1, 0.2 and 0.5 s among them),
# and all 20 of the former default hit running I/O (6.12, 2026-12-02:
# fio ended 0.5 to 3.7 s after each kill); each round costs about 5 s
# (fio's start under emulation, its 2 s run), so 20 rounds took 110-128 s.
#
# Needs: fio, the module, vbs-modeltool.
# vbs-timeout: 600
# vbs-tier: full

. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../model/lib-model.sh"

vbs_need_fio
vbs_load nr_devices=0
idx=$(model_add 32)
dev=$(vbs_dev "$idx")

vbs_step "reference data at the end of the disk"
model_start seed "$idx"
engine=$(vbs_fio_async_engine "$dev")
vbs_run dd if=/dev/urandom of="$VBS_TMP/ref" bs=1M count=1
vbs_run dd if="$VBS_TMP/ref" of="$dev" bs=1M seek=31 oflag=direct
model_stop TERM
vbs_expect_eq 0 "$MODEL_RC" "model exit status"

RANDOM=703
rounds=${VBS_MODEL_KILL_ROUNDS:-10}
during=0
# ios_done - requests the disk completed so far (reads + writes).
ios_done() {
	echo $(($(vbs_stat "$idx" 1) + $(vbs_stat "$idx" 5)))
}
for round in $(seq 1 "$rounds"); do
	model_start "round$round" "$idx" map=identity
	before=$(ios_done)
	# Two seconds of I/O, whatever happens: once the model is dead the
	# rest fails at once; fio waits for every request it started before
	# it ends, so a request left hanging keeps it (and timeout(1)) busy.
	timeout 60 fio --name=load --filename="$dev" --direct=1 \
		--ioengine="$engine" --iodepth=32 --rw=randrw --bs=4k \
		--size=24M --time_based --runtime=2 --continue_on_error=all \
		--output="$VBS_TMP/fio-$round.log" >/dev/null 2>&1 &
	fio_pid=$!
	# Kill at a random moment once the model has served some I/O.
	for ((i = 0; i < 100 && $(ios_done) == before; i++)); do
		sleep 0.1
	done
	sleep "0.$((RANDOM % 6))"
	if kill -0 "$fio_pid" 2>/dev/null && (($(ios_done) > before)); then
		during=$((during + 1))
	fi
	kill -9 "$MODEL_PID"
	wait "$MODEL_PID" 2>/dev/null || true
	t0=$(date +%s%N)
	rc=0
	wait "$fio_pid" || rc=$?
	((rc != 124)) || vbs_fail "round $round: fio still running 60 s later"
	vbs_expect_eq 0 "$(model_attr "$idx" model_pending)" \
		"round $round: requests pending"
	vbs_expect_eq 0 "$(model_sessions "$idx")" "round $round: sessions"
	vbs_note "round $round: fio ended (status $rc)" \
		"$((($(date +%s%N) - t0) / 1000000)) ms after the kill"
done

vbs_note "$during of $rounds kills hit fio while it ran"
vbs_expect_ge $(((rounds * 3 + 3) / 4)) "$during" "kills that hit running I/O"

vbs_step "a new model serves the disk; the data written before is intact"
model_start after "$idx"
vbs_run dd if="$dev" of="$VBS_TMP/back" bs=1M skip=31 count=1 iflag=direct
vbs_run cmp "$VBS_TMP/ref" "$VBS_TMP/back"
model_stop TERM
vbs_expect_eq 0 "$MODEL_RC" "model exit status"

vbs_step "recover: the I/O of a killed model waits for the next one"
model_hold_start holder "$idx" 60 recover
dd if="$dev" of="$VBS_TMP/waited" bs=1M skip=31 count=1 iflag=direct \
	2>"$VBS_TMP/dd.err" &
dd_pid=$!
sleep 1
kill -9 "$MODEL_PID"
wait "$MODEL_PID" 2>/dev/null || true
sleep 1
kill -0 "$dd_pid" 2>/dev/null ||
	vbs_fail "the read did not wait for a model: $(cat "$VBS_TMP/dd.err")"
vbs_expect_ge 1 "$(model_attr "$idx" model_pending)" "requests pending"
model_start recover2 "$idx"
wait "$dd_pid" || vbs_fail "the read failed: $(cat "$VBS_TMP/dd.err")"
vbs_run cmp "$VBS_TMP/ref" "$VBS_TMP/waited"
model_stop TERM
vbs_expect_eq 0 "$MODEL_RC" "model exit status"

vbs_run "$VBS_VBSIM" remove "$idx"
vbs_unload
