# shellcheck shell=bash
#
# tests/debug/lib-debug.sh - helpers of the guest tests that need the debug
# kernel (tests/guest/t/9NN-*.sh): kmemleak scans and allocation-failure
# injection.  Sourced after tests/guest/lib.sh; every helper skips the test
# (exit 77) on a kernel without the feature, such as Debian's.
#
# kmemleak: a test calls vbs_kmemleak_baseline before it starts, which
# scans and then "clears" (greys) every object unreferenced at that moment,
# and vbs_kmemleak_expect_none at its end, which scans again and fails on
# any object reported since: all of those are the test's.
#
# Fault injection: vbs_fault_setup sets failslab and fail_page_alloc so that
# the per-task fail-nth knob reaches every allocation a system call makes
# (GFP_KERNEL and GFP_NOIO ones included, order 0 and highmem pages too),
# with the global probability at 0 so no other task ever fails.  The
# build/debug/vbs-failnth helper then arms the knob around one call.

VBS_DEBUGFS=/sys/kernel/debug
VBS_KMEMLEAK=$VBS_DEBUGFS/kmemleak
VBS_FAILNTH=$VBS_BUILD/debug/vbs-failnth

# vbs_debugfs - mount debugfs if it is not (the guest's init mounts it).
vbs_debugfs() {
	[[ -d $VBS_DEBUGFS/block || -e $VBS_KMEMLEAK ]] && return 0
	mount -t debugfs debugfs "$VBS_DEBUGFS" 2>/dev/null || true
}

# vbs_need_kmemleak - skip unless the kernel has an enabled kmemleak.
vbs_need_kmemleak() {
	vbs_debugfs
	[[ -e $VBS_KMEMLEAK ]] ||
		vbs_skip "kernel $(uname -r) has no kmemleak (CONFIG_DEBUG_KMEMLEAK; the debug kernel has it)"
}

# vbs__kmemleak_scan - one scan.  kmemleak reports only objects older than
# five seconds and may miss a pointer held briefly elsewhere: wait first,
# and scan twice a moment apart, as its documentation advises.
vbs__kmemleak_scan() {
	sleep 6
	echo scan >"$VBS_KMEMLEAK" || vbs_fail "kmemleak scan refused (kmemleak disabled itself?)"
	sleep 2
	echo scan >"$VBS_KMEMLEAK"
}

# vbs_kmemleak_baseline - forget every object unreferenced now (leaks of
# earlier tests, boot-time false positives), so that what a later scan
# reports belongs to this test.
vbs_kmemleak_baseline() {
	vbs_need_kmemleak
	vbs__kmemleak_scan
	local old
	old=$(grep -c '^unreferenced object' "$VBS_KMEMLEAK" || true)
	((old == 0)) || vbs_note "kmemleak: $old objects reported before this test (not counted)"
	echo clear >"$VBS_KMEMLEAK"
}

# vbs_kmemleak_expect_none WHAT - scan, and fail if kmemleak reports any
# object since the baseline; its report (allocation backtraces) is printed
# and kept in VBS_ART/kmemleak.txt.  Once the module is unloaded its frames
# print as bare addresses: every other frame of the debug kernel has a
# symbol (it has no modules of its own).
vbs_kmemleak_expect_none() {
	local report n
	vbs__kmemleak_scan
	report=$(<"$VBS_KMEMLEAK")
	n=$(grep -c '^unreferenced object' <<<"$report" || true)
	if ((n)); then
		printf '%s\n' "$report" >"$VBS_ART/kmemleak.txt"
		printf 'kmemleak: %d unreferenced objects after %s:\n' "$n" "$1"
		printf '%s\n' "$report" | head -n 80 | sed 's/^/    /'
		vbs_fail "memory leaked: $1"
	fi
	vbs_note "kmemleak: nothing leaked ($1)"
}

# vbs__save_set FILE VALUE - write VALUE to FILE, remembering its old
# value for vbs__fault_restore.
VBS__fault_saved=()
vbs__save_set() {
	[[ -w $1 ]] || vbs_fail "no $1"
	VBS__fault_saved+=("$1=$(<"$1")")
	echo "$2" >"$1" || vbs_fail "cannot set $1 to $2"
}

# vbs__fault_set DIR KEY VALUE - set one fault-injection attribute.
vbs__fault_set() {
	vbs__save_set "$VBS_DEBUGFS/$1/$2" "$3"
}

# vbs__fault_restore - put back what vbs_fault_setup changed, newest first.
vbs__fault_restore() {
	local i
	for ((i = ${#VBS__fault_saved[@]} - 1; i >= 0; i--)); do
		echo "${VBS__fault_saved[i]#*=}" >"${VBS__fault_saved[i]%%=*}" 2>/dev/null
	done
	VBS__fault_saved=()
}

# vbs_fault_setup - skip without failslab, fail_page_alloc, fail-nth or the
# helper; else make every slab and page allocation of an armed task
# eligible, and restore the settings at exit.  verbose=1: a forced failure
# is logged at KERN_NOTICE ("FAULT_INJECTION: forcing a failure"), without
# the stack dump of the default (2), which the harness would take for a
# kernel report.
vbs_fault_setup() {
	vbs_debugfs
	local d
	for d in failslab fail_page_alloc; do
		[[ -d $VBS_DEBUGFS/$d ]] ||
			vbs_skip "kernel $(uname -r) has no $d (CONFIG_FAILSLAB, CONFIG_FAIL_PAGE_ALLOC; the debug kernel has them)"
	done
	[[ -e /proc/thread-self/fail-nth ]] || vbs_skip "no /proc/thread-self/fail-nth"
	[[ -x $VBS_FAILNTH ]] || vbs_fail "$VBS_FAILNTH not built (make -C tests/debug)"
	vbs_defer vbs__fault_restore
	for d in failslab fail_page_alloc; do
		vbs__fault_set "$d" probability 0
		vbs__fault_set "$d" interval 1
		vbs__fault_set "$d" times -1
		vbs__fault_set "$d" space 0
		vbs__fault_set "$d" verbose 1
		vbs__fault_set "$d" task-filter Y
		vbs__fault_set "$d" ignore-gfp-wait N
	done
	vbs__fault_set failslab cache-filter N
	vbs__fault_set fail_page_alloc ignore-gfp-highmem N
	vbs__fault_set fail_page_alloc min-order 0
	# KERN_NOTICE on the console too (console_loglevel 6), so that there
	# as in the kernel log a forced failure's line comes before the
	# allocation-failure report it causes (tests/vm/forced-failures.awk).
	vbs__save_set /proc/sys/kernel/printk 6
}

# vbs_failnth N OP ARGS... - run build/debug/vbs-failnth and parse its line
# into FN_RESULT (ok|error), FN_ERRNO (e.g. ENOMEM), FN_INJECTED (0|1),
# FN_CALLS and FN_INDEX.  A setup error (status 2) fails the test.
# shellcheck disable=SC2034 # the FN_ variables are the tests' to read
vbs_failnth() {
	local out rc=0
	out=$("$VBS_FAILNTH" "$@" 2>&1) || rc=$?
	((rc < 2)) || vbs_fail "vbs-failnth $*: $out"
	FN_RESULT="" FN_ERRNO="" FN_INJECTED="" FN_CALLS="" FN_INDEX=""
	local kv
	for kv in $out; do
		case $kv in
		result=*) FN_RESULT=${kv#*=} ;;
		errno=*) FN_ERRNO=${kv#*=} ;;
		injected=*) FN_INJECTED=${kv#*=} ;;
		calls=*) FN_CALLS=${kv#*=} ;;
		index=*) FN_INDEX=${kv#*=} ;;
		esac
	done
	[[ -n $FN_RESULT && -n $FN_INJECTED ]] || vbs_fail "vbs-failnth $*: unexpected output: $out"
}

# A walk over every allocation of a call is what the fault tests do by
# default.  Creating a disk makes about 600 of them (most are the block
# layer's: sysfs nodes, the tag set), and on the debug kernel under
# emulation each step of the walk (a load or an add, a write, an unload)
# takes seconds, so VBS_FAILNTH_MAX can bound it: the walk then takes every
# allocation of a few dense windows (the first VBS_FAILNTH_DENSE, default
# 48, from each start the test names: where the module's own allocations
# and unwind labels are) and every STRIDE-th one elsewhere, STRIDE chosen
# so the walk makes about VBS_FAILNTH_MAX steps.  The stride starts at an
# offset drawn from VBS_FAILNTH_SEED (random unless set, and printed) so
# that successive runs reach different allocations.

# vbs_failnth_plan TOTAL START... - plan a walk from the first START up to
# TOTAL, the checks a call made with nothing injected (the walk still goes
# on until a step injects nothing).  Every START opens a dense window.
vbs_failnth_plan() {
	local total=$1 max=${VBS_FAILNTH_MAX:-0} span sparse
	shift
	FNP_WINDOWS=("$@")
	FNP_DENSE=${VBS_FAILNTH_DENSE:-48}
	FNP_STRIDE=1 FNP_OFFSET=0 FNP_STEPS=0
	span=$((total - $1 + 1))
	((max > 0 && span > max)) || return 0
	sparse=$((max - FNP_DENSE * ${#FNP_WINDOWS[@]}))
	((sparse < 16)) && sparse=16
	FNP_STRIDE=$(((span + sparse - 1) / sparse))
	((FNP_STRIDE > 1)) || return 0
	local seed=${VBS_FAILNTH_SEED:-$RANDOM}
	FNP_OFFSET=$((seed % FNP_STRIDE))
	vbs_note "allocations $1..$total: windows of $FNP_DENSE from ${FNP_WINDOWS[*]}, else one in every $FNP_STRIDE (VBS_FAILNTH_SEED=$seed)"
}

# vbs_failnth_next N - the allocation the walk fails after N; counts the
# steps in FNP_STEPS.
vbs_failnth_next() {
	local n=$(($1 + 1)) w s
	FNP_STEPS=$((FNP_STEPS + 1))
	if ((FNP_STRIDE > 1)); then
		s=$((n + (FNP_OFFSET - n % FNP_STRIDE + FNP_STRIDE) % FNP_STRIDE))
		for w in "${FNP_WINDOWS[@]}"; do
			if ((n >= w && n < w + FNP_DENSE)); then
				s=$n
				break
			fi
			((w > n && w < s)) && s=$w
		done
		n=$s
	fi
	FNP_NEXT=$n
}
