#!/bin/bash
#
# ioctl_fuzz_every_call_returns: vbs-ioctl-fuzz makes VBS_FUZZ_CALLS
# (default 15000) random and structure-aware ioctls
# against the disks and the control node, from a seed drawn anew for each
# run (so each kernel and each run explores other calls), printed, and
# taken from VBS_FUZZ_SEED instead to replay a run: valid
# commands with valid and mutated structures, the same numbers with other
# sizes and directions, random numbers of the 0xB9 space and the block
# layer's own ioctls, with arguments at NULL, unmapped, kernel-space,
# misaligned, read-only and guard-page-crossing addresses; model disks
# with a session answering live requests while a second thread does I/O.
# It passes when every call returned (the fuzzer's watchdog fails a call
# that runs longer than 30 s), the fuzzer removed every disk it made and
# left disk 0 (which it did not make) alone with its data, the kernel log
# shows no warning, oops or KASAN report (the harness checks the log from
# the test's marker on), and the module still unloads and loads again.
#
# Environment: VBS_FUZZ_CALLS, VBS_FUZZ_SEED. The suite's default of 15000
# calls (each run draws a new seed, so the runs add up to more) fits its
# time budget under emulation; a long run is VBS_FUZZ_CALLS=100000 (the
# fuzzer's own default).
#
# The fuzzer logs every call, line by line, so that a failure shows the
# calls before it. That log is written to the guest's tmpfs and copied to
# the artifacts at exit: over 9p (VBS_OUT) each line was a round trip to
# the host, ten times the cost of the call itself (3000 calls: 42 s with
# the log there, 5 s on tmpfs, 6.12 under TCG). Should the kernel die
# before the copy, the console shows the seed and, every 500 calls, the
# fuzzer's progress line in the kernel log, to replay from.
#
# Needs: the module, vbs-ioctl-fuzz built in
# $VBS_BUILD/tools/tests/guest/fuzz (make tools).
#
# vbs-tier: full

. "$(dirname "$0")/../lib.sh"

fuzz=$VBS_BUILD/tools/tests/guest/fuzz/vbs-ioctl-fuzz
[[ -x $fuzz ]] || vbs_skip "vbs-ioctl-fuzz not built ($fuzz): make tools"
calls=${VBS_FUZZ_CALLS:-15000}
seed=${VBS_FUZZ_SEED:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}
[[ $seed =~ ^[0-9]+$ ]] || vbs_fail "VBS_FUZZ_SEED must be a number, not '$seed'"
mib=$((1 << 20))

vbs_load capacity_mb=16
dev=$(vbs_dev 0)
pattern=$VBS_TMP/pattern
vbs_pattern "$pattern" $((2 * mib))

vbs_step "disk 0, not the fuzzer's, holds 2 MiB of data"
vbs_dd_write "$pattern" 0 "$dev" 0 $((2 * mib))

vbs_step "fuzz: seed $seed, $calls calls"
vbs_note "to replay: VBS_FUZZ_SEED=$seed VBS_FUZZ_CALLS=$calls VBS_TESTS='600-*' tests/vm/run --kernel $VBS_KERNEL"
log=$VBS_TMP/fuzz-calls.log
vbs_defer "cp $(printf '%q' "$log") $(printf '%q' "$VBS_ART/") 2>/dev/null"
rc=0
start=$SECONDS
# Should the fuzzer itself crash, its core goes to the artifacts and gdb
# (when installed) prints where.
core_pattern=$(cat /proc/sys/kernel/core_pattern)
echo "$VBS_ART/core.%p" >/proc/sys/kernel/core_pattern
(ulimit -c unlimited; exec "$fuzz" --seed "$seed" --calls "$calls" --log "$log" \
	--kmsg-every 500) \
	>"$VBS_ART/fuzz.out" 2>&1 || rc=$?
echo "$core_pattern" >/proc/sys/kernel/core_pattern
vbs_note "fuzzer exit $rc after $((SECONDS - start)) s"
sed 's/^/    /' "$VBS_ART/fuzz.out"
if ((rc != 0)); then
	vbs_note "last calls:"
	tail -n 20 "$log" | sed 's/^/    /'
	for core in "$VBS_ART"/core.*; do
		[[ -f $core ]] || continue
		vbs_note "core dump $core"
		if command -v gdb >/dev/null; then
			gdb -q -batch -ex 'thread apply all bt 12' "$fuzz" "$core" 2>&1 |
				sed 's/^/    /'
		else
			vbs_note "no gdb to read it"
		fi
	done
	vbs_fail "vbs-ioctl-fuzz exit status $rc (seed $seed)"
fi
summary=$(grep -E '^vbs-ioctl-fuzz: seed' "$VBS_ART/fuzz.out")
vbs_expect_match " $calls calls in " "$summary" "calls made"

vbs_step "only disk 0 is left, with its data"
vbs_expect_eq "/dev/virtblkiosim0" "$(ls /dev/virtblkiosim[0-9]* 2>/dev/null | tr '\n' ' ' | sed 's/ $//')" \
	"disk nodes after the fuzzer"
vbs_expect_disk_equals "$dev" 0 "$pattern" 0 $((2 * mib)) "disk 0 data after fuzzing"

vbs_step "the module unloads and loads again"
vbs_unload
vbs_expect_eq "" "$(vbs_our_nodes)" "nodes after rmmod"
vbs_load capacity_mb=16
vbs_dd_write "$pattern" 0 "$dev" 0 "$mib"
vbs_expect_disk_equals "$dev" 0 "$pattern" 0 "$mib" "data after the reload"
vbs_unload
