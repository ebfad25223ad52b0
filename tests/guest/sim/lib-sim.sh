# shellcheck shell=bash
#
# lib-sim.sh - helpers of the simulation engine's guest tests
# (tests/guest/t/5NN-sim-*.sh). Sourced after tests/guest/lib.sh:
#
#     . "$(dirname "$0")/../lib.sh"
#     . "$(dirname "$0")/../sim/lib-sim.sh"
#
# Gives a test:
#   * sim_tool ARGS...: runs vbs-simtool (tests/guest/sim/vbs-simtool.c),
#     taken from $VBS_BUILD/guest-sim/ when it is up to date (make -C
#     tests/guest/sim builds it there on the host), else compiled into the
#     test's scratch directory with the guest's cc; the test is skipped if
#     neither works;
#   * sim_get KEY TEXT: the value of "KEY=value" in TEXT (the tool's output);
#   * sim_fio_lat / sim_fio_rate: latency and rate figures from fio's JSON;
#   * sim_report LINE: appends LINE to $VBS_OUT/sim-report-$VBS_KERNEL.txt,
#     the measured figures the benchmark notes quote.
#
# Needs: the module, python3 (fio's JSON), a C compiler unless the tool was
# built on the host.

SIM_SRC=$VBS_ROOT/tests/guest/sim/vbs-simtool.c
SIM_TOOL=

# sim__tool_path - find or build vbs-simtool; sets SIM_TOOL.
sim__tool_path() {
	vbs_c_tool SIM_TOOL "$SIM_SRC" "$VBS_BUILD/guest-sim/vbs-simtool" -std=c11 -O2 -Wall
}

# sim_tool ARGS... - run vbs-simtool; its output goes to stdout.
sim_tool() {
	[[ -n $SIM_TOOL ]] || sim__tool_path
	"$SIM_TOOL" "$@"
}

# sim_get KEY TEXT - print the value of the line "KEY=value" of TEXT.
sim_get() {
	local v
	v=$(sed -n "s/^$1=//p" <<<"$2" | head -n 1)
	[[ -n $v ]] || vbs_fail "no '$1=' in: $2"
	printf '%s\n' "$v"
}

# sim_set DEV KEY=VALUE... - replace the disk's simulation settings.
sim_set() {
	vbs_run sim_tool set "$@"
}

# sim_stat DEV KEY - one value of vbs-simtool stats.
sim_stat() {
	local out
	out=$(sim_tool stats "$1") || vbs_fail "vbs-simtool stats $1"
	sim_get "$2" "$out"
}

# sim_fio_lat JSON DIR - print "mean p99 min max" completion latencies in
# ns of fio's "read" or "write" (DIR) side, summed over jobs (the first
# job's percentiles).
sim_fio_lat() {
	python3 - "$1" "$2" <<-'EOF'
		import json, sys
		text = open(sys.argv[1]).read()
		start = 0 if text.startswith("{") else text.index("\n{") + 1
		job = json.loads(text[start:])["jobs"][0][sys.argv[2]]
		clat = job["clat_ns"]
		p99 = clat.get("percentile", {}).get("99.000000", 0)
		print(int(clat["mean"]), int(p99), int(clat["min"]), int(clat["max"]))
	EOF
}

# sim_fio_rate JSON DIR - print "iops bytes_per_second" of fio's DIR side,
# summed over jobs.
sim_fio_rate() {
	python3 - "$1" "$2" <<-'EOF'
		import json, sys
		text = open(sys.argv[1]).read()
		start = 0 if text.startswith("{") else text.index("\n{") + 1
		jobs = json.loads(text[start:])["jobs"]
		iops = sum(j[sys.argv[2]]["iops"] for j in jobs)
		bw = sum(j[sys.argv[2]]["bw_bytes"] for j in jobs)
		print(int(iops), int(bw))
	EOF
}

# sim_rate_holds GOT LIMIT WHAT - a rate limit holds: GOT is at most 5%
# above LIMIT (the device never runs faster than its limit) and at most
# 30% below it. The lower bound is generous: in the emulated test VM, a
# guest that the host does not run for a while cannot keep the device
# busy, and the time lost is not made up (the limit is a ceiling, not an
# average). The figure itself goes to the report.
sim_rate_holds() {
	local got=$1 limit=$2
	if ((got * 100 > limit * 105 || got * 100 < limit * 70)); then
		printf '# expected %s between -30%% and +5%% of %s got %s\n' "$3" "$limit" "$got"
		vbs_fail "$3"
	fi
}

# sim_report LINE... - record a measured figure for the benchmark notes.
sim_report() {
	local file=${VBS_OUT:-$VBS_TMP}/sim-report-${VBS_KERNEL:-unknown}.txt
	printf '%s %s\n' "$VBS_TEST" "$*" >>"$file"
	vbs_note "report: $*"
}
