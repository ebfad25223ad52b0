# shellcheck shell=bash
#
# lib-model.sh - helpers of the userland-model guest tests
# (tests/guest/t/7NN-model-*.sh). Sourced after tests/guest/lib.sh.
#
# Gives a test:
#   * model_tool ARGS...: runs vbs-modeltool (tests/guest/model/
#     vbs-modeltool.c), from $VBS_BUILD/guest-model/ when it is up to date
#     (make -C tests/guest/model), else compiled with the guest's cc;
#   * model_add CAP_MB [KEY=VALUE...]: creates a model disk, prints its
#     index;
#   * model_start NAME INDEX ARGS...: runs `vbs-modeltool serve INDEX ARGS`
#     in the background, waits until it is attached, and sets MODEL_PID;
#     the model is killed at exit if the test did not stop it;
#   * model_vbsim_start NAME MODEL INDEX ARGS...: the same with
#     `vbsim model run MODEL /dev/virtblkiosimINDEX ARGS`;
#   * model_hold_start NAME INDEX SECONDS [recover]: the same with a model
#     that takes requests and never answers;
#   * model_stop [SIGNAL]: stops the model started last, waits for it and
#     sets MODEL_RC to its exit status.

MODEL_SRC=$VBS_ROOT/tests/guest/model/vbs-modeltool.c
MODEL_TOOL=
MODEL_PID=
MODEL_PIDS=()

# model__tool_path - find or build vbs-modeltool; sets MODEL_TOOL.
model__tool_path() {
	vbs_c_tool MODEL_TOOL "$MODEL_SRC" "$VBS_BUILD/guest-model/vbs-modeltool" \
		-std=gnu11 -O2 -Wall -pthread
}

# model_tool ARGS... - run vbs-modeltool.
model_tool() {
	[[ -n $MODEL_TOOL ]] || model__tool_path
	"$MODEL_TOOL" "$@"
}

# model_add CAP_MB [KEY=VALUE...] - create a model disk; print its index.
model_add() {
	local out idx
	out=$(model_tool add "$@") || vbs_fail "vbs-modeltool add $*: $out"
	idx=${out#index=}
	vbs_wait_path "/dev/$VBS_MOD$idx"
	printf '%s\n' "$idx"
}

# model__kill_all - at exit: no model may outlive its test (its open
# control node would keep the module loaded).
model__kill_all() {
	local pid
	for pid in "${MODEL_PIDS[@]}"; do
		kill -9 "$pid" 2>/dev/null || true
	done
	for pid in "${MODEL_PIDS[@]}"; do
		wait "$pid" 2>/dev/null || true
	done
}
vbs_defer model__kill_all

# model__wait_ready FILE PID NAME - wait until the model created FILE.
model__wait_ready() {
	local tries=200
	while [[ ! -e $1 ]]; do
		if ! kill -0 "$2" 2>/dev/null; then
			sed 's/^/    /' "$VBS_ART/$3.log" | tail -n 20
			vbs_fail "model $3 exited before attaching"
		fi
		((tries-- > 0)) || vbs_fail "model $3 did not attach in 20 s"
		sleep 0.1
	done
}

# model_start NAME INDEX ARGS... - a vbs-modeltool model in the background.
model_start() {
	model__background serve "$@"
}

# model_hold_start NAME INDEX SECONDS [recover] - a model that fetches
# requests and never answers them, in the background.
model_hold_start() {
	model__background hold "$@"
}

# model__background SUBCOMMAND NAME ARGS... - vbs-modeltool SUBCOMMAND in
# the background; returns once it is attached.
model__background() {
	local sub=$1 name=$2 ready=$VBS_TMP/$2.ready
	shift 2
	[[ -n $MODEL_TOOL ]] || model__tool_path
	rm -f "$ready"
	"$MODEL_TOOL" "$sub" "$@" ready="$ready" >"$VBS_ART/$name.log" 2>&1 &
	MODEL_PID=$!
	MODEL_PIDS+=("$MODEL_PID")
	model__wait_ready "$ready" "$MODEL_PID" "$name"
}

# model_vbsim_start NAME MODEL INDEX ARGS... - `vbsim model run` in the
# background; attached once the disk counts one more session.
model_vbsim_start() {
	local name=$1 model=$2 idx=$3 before tries=300
	shift 3
	[[ -x $VBS_VBSIM ]] || vbs_skip "vbsim not built ($VBS_VBSIM)"
	before=$(model_sessions "$idx")
	"$VBS_VBSIM" model run "$model" "/dev/$VBS_MOD$idx" "$@" \
		>"$VBS_ART/$name.log" 2>&1 &
	MODEL_PID=$!
	MODEL_PIDS+=("$MODEL_PID")
	while (($(model_sessions "$idx") <= before)); do
		if ! kill -0 "$MODEL_PID" 2>/dev/null; then
			sed 's/^/    /' "$VBS_ART/$name.log" | tail -n 20
			vbs_fail "vbsim model run $model exited before attaching"
		fi
		((tries-- > 0)) || vbs_fail "vbsim model run $model did not attach"
		sleep 0.1
	done
}

# model_stop [SIGNAL] - stop the last model started and wait for it; its
# exit status goes to MODEL_RC. (Not in $(...): a subshell cannot wait.)
MODEL_RC=
model_stop() {
	MODEL_RC=0
	kill "-${1:-TERM}" "$MODEL_PID" 2>/dev/null || true
	wait "$MODEL_PID" || MODEL_RC=$?
}

# model_sessions INDEX - models attached to disk INDEX.
model_sessions() {
	cat "/sys/block/$VBS_MOD$1/virtblkiosim/model_sessions"
}

# model_attr INDEX NAME - one virtblkiosim sysfs attribute of disk INDEX.
model_attr() {
	cat "/sys/block/$VBS_MOD$1/virtblkiosim/$2"
}

# The vbsim command built on the host.
VBS_VBSIM=${VBS_BUILD:-$VBS_ROOT/build}/tools/tools/vbsim/vbsim
