#!/usr/bin/env bash
# 000-harness: the guest environment every other test relies on is in place.
#
# Checks what tests/vm/run and tests/guest/run promise: the VBS_* variables,
# a module built for the running kernel, the working directory, /proc, /sys,
# /dev/fd (process substitution), /dev/pts, /dev/shm, a writable /tmp and
# VBS_OUT, and a writable /dev/kmsg.  It does not load the module.
#
# vbs-tier: core
set -euo pipefail

# fail MESSAGE - report a broken promise and stop.
fail() {
	echo "FAIL: $*"
	exit 1
}

check_env() {
	local v
	for v in VBS_KO VBS_ROOT VBS_BUILD VBS_KERNEL VBS_OUT; do
		[[ -n ${!v:-} ]] || fail "$v is not set"
		echo "$v=${!v}"
	done
	[[ -f $VBS_KO ]] || fail "VBS_KO: no file $VBS_KO"
	[[ -d $VBS_ROOT/tests/guest ]] || fail "VBS_ROOT: $VBS_ROOT is not the repository"
	[[ $PWD == "$VBS_ROOT" ]] || fail "working directory is $PWD, not $VBS_ROOT"
}

check_module_matches_kernel() {
	local vermagic
	vermagic=$(modinfo -F vermagic "$VBS_KO") || fail "modinfo $VBS_KO"
	[[ $vermagic == "$(uname -r) "* ]] ||
		fail "VBS_KO is built for '${vermagic%% *}', running $(uname -r)"
	echo "module built for $(uname -r)"
}

check_mounts() {
	local fs
	[[ -r /proc/self/stat ]] || fail "/proc is not mounted"
	for fs in "/proc proc" "/sys sysfs" "/dev devtmpfs" "/dev/pts devpts" \
		"/dev/shm tmpfs" "/tmp tmpfs"; do
		grep -q "^[^ ]* ${fs% *} ${fs#* } " /proc/mounts ||
			fail "${fs% *} is not mounted as ${fs#* }"
	done
	echo "proc, sysfs, devtmpfs, devpts, /dev/shm and /tmp mounted"
}

check_dev_fd() {
	local got
	got=$(cat <(echo via-dev-fd)) || fail "process substitution failed"
	[[ $got == via-dev-fd ]] || fail "/dev/fd: read '$got'"
	echo "/dev/fd works"
}

check_writable() {
	local f
	for f in /tmp/vbs-000-probe "$VBS_OUT/vbs-000-probe" /dev/shm/vbs-000-probe; do
		echo probe >"$f" || fail "cannot write $f"
		rm -f "$f"
	done
	echo "vbs-test: 000-harness probe" >/dev/kmsg || fail "cannot write /dev/kmsg"
	dmesg | grep -q 'vbs-test: 000-harness probe' || fail "kmsg line not in dmesg"
	echo "/tmp, VBS_OUT, /dev/shm and /dev/kmsg writable"
}

check_env
check_module_matches_kernel
check_mounts
check_dev_fd
check_writable
