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
# Needs: the module, jq (fio's JSON), a C compiler unless the tool was
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

# sim_get KEY TEXT - print the value of the first line "KEY=value" of TEXT
# (fails if there is none, or it is empty). Read in the shell: a test
# calls this dozens of times, and each process started costs a fifth of a
# second in the emulated guest.
sim_get() {
	local line
	while IFS= read -r line; do
		[[ $line == "$1="* ]] || continue
		[[ -n ${line#"$1="} ]] || break
		printf '%s\n' "${line#"$1="}"
		return 0
	done <<<"$2"
	vbs_fail "no '$1=' in: $2"
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
# ns of fio's "read" or "write" (DIR) side of the first job. jq, not
# python3: python3 takes over a second to start in the emulated guest.
# fio may print warnings before the JSON object: they are skipped.
sim_fio_lat() {
	sed -n '/^{/,$p' "$1" | jq -r --arg d "$2" '.jobs[0][$d].clat_ns |
		[(.mean | floor), ((.percentile["99.000000"] // 0) | floor),
		 (.min | floor), (.max | floor)] | @tsv'
}

# sim_fio_rate JSON DIR - print "iops bytes_per_second" of fio's DIR side,
# summed over jobs.
sim_fio_rate() {
	sed -n '/^{/,$p' "$1" | jq -r --arg d "$2" '.jobs |
		[(map(.[$d].iops) | add | floor), (map(.[$d].bw_bytes) | add | floor)] |
		@tsv'
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
