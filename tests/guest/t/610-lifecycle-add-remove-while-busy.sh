#!/bin/bash
#
# lifecycle_add_remove_while_busy: disks come and go through the control
# node while other processes use them and their neighbours. Each of 4
# rounds adds a disk, writes to it with O_DIRECT dd in the background while
# `vbsim info` and `vbsim stats` poll it and disk 0; `vbsim remove` of the
# busy disk fails with EBUSY (exit 1, "Device or resource busy") and leaves
# it working, with the data the writer wrote; once the writer and pollers
# are gone the first remove succeeds and the node disappears. Then 6
# processes open and close a disk in a tight loop while it is removed: the
# remove is refused while any of them holds it, succeeds when it catches
# the disk closed, and every opener then stops (ENOENT/ENXIO) without
# hanging. Through all of it disk 0, written before the first round and
# read by a checker between rounds, keeps its data.
#
# Needs: the module, vbsim built in $VBS_BUILD/tools, dd, cmp, jq.
#
# vbs-tier: core

. "$(dirname "$0")/../lib.sh"

vbsim=$VBS_BUILD/tools/tools/vbsim/vbsim
[[ -x $vbsim ]] || vbs_skip "vbsim not built ($vbsim)"
command -v jq >/dev/null || vbs_skip "jq not installed"

mib=$((1 << 20))
rounds=4
vbs_load capacity_mb=16
dev0=$(vbs_dev 0)
pattern=$VBS_TMP/pattern
vbs_pattern "$pattern" $((4 * mib))
vbs_dd_write "$pattern" 0 "$dev0" 0 $((4 * mib))

# poll_info_stats DISK... - run vbsim info and stats on each DISK until
# killed; every call must succeed (the disks it polls are never removed
# while it runs). Failures go to stderr and end the loop with status 1.
poll_info_stats() {
	local n
	while :; do
		for n in "$@"; do
			"$vbsim" info "$n" >/dev/null || exit 1
			"$vbsim" stats "$n" >/dev/null || exit 1
		done
	done
}

# expect_remove_busy N - vbsim remove N fails with EBUSY and N stays.
expect_remove_busy() {
	local rc=0
	VBS_OUTPUT=$("$vbsim" remove "$1" 2>&1) || rc=$?
	vbs_expect_eq 1 "$rc" "exit status of remove of busy disk $1"
	vbs_expect_match "Device or resource busy$" "$VBS_OUTPUT" "message of remove of busy disk $1"
	vbs_expect_path "$(vbs_dev "$1")" "disk $1 after the refused remove"
}

for ((round = 1; round <= rounds; round++)); do
	vbs_step "round $round: add, use, refuse removal while busy, remove when idle"
	vbs_run "$vbsim" add --size 8M
	disk=$VBS_OUTPUT
	n=${disk#/dev/virtblkiosim}
	vbs_wait_path "$disk"
	# A writer that keeps the disk busy for a while: 8 MiB in 64 KiB
	# O_DIRECT writes, several times over.
	(for i in 1 2; do
		dd if="$pattern" of="$disk" bs=64k count=64 oflag=direct conv=notrunc \
			status=none || exit 1
	done) &
	writer=$!
	poll_info_stats "$n" 0 &
	poller=$!
	# Hold a descriptor too, so the disk is busy for certain while the
	# removal is tried (the writer alone might just have finished).
	exec 4<"$disk"
	expect_remove_busy "$n"
	exec 4<&-
	wait "$writer" || vbs_fail "round $round: writer failed on $disk"
	kill "$poller"
	rc=0
	wait "$poller" || rc=$?
	# 143: killed by our TERM; anything else is a failed info/stats.
	vbs_expect_eq 143 "$rc" "round $round: poller status (info/stats failed?)"
	vbs_expect_disk_equals "$disk" 0 "$pattern" 0 $((4 * mib)) "round $round: data on $disk"
	vbs_run "$vbsim" remove "$n"
	vbs_expect_no_path "$disk" "round $round: $disk after remove"
	vbs_expect_disk_equals "$dev0" 0 "$pattern" 0 $((4 * mib)) "round $round: disk 0 data"
done

vbs_step "openers race with remove"
vbs_run "$vbsim" add --size 4M
disk=$VBS_OUTPUT
n=${disk#/dev/virtblkiosim}
vbs_wait_path "$disk"
openers=()
for i in 1 2 3 4; do
	# Open and close until the node is gone; then stop.
	(while exec 3<"$disk"; do exec 3<&-; done 2>/dev/null; exit 0) &
	openers+=($!)
done
sleep 0.3
# While this shell holds the disk too, the removal is refused for certain;
# after that it races with the openers.
exec 8<"$disk"
expect_remove_busy "$n"
exec 8<&-
removed=0 busy=0
for ((try = 0; try < 300; try++)); do
	rc=0
	VBS_OUTPUT=$("$vbsim" remove "$n" 2>&1) || rc=$?
	if ((rc == 0)); then
		removed=1
		break
	fi
	vbs_expect_match "Device or resource busy$" "$VBS_OUTPUT" "remove while openers run"
	busy=$((busy + 1))
done
vbs_note "remove refused $busy times before it caught the disk closed"
# The openers stop by themselves once the node is gone; none may hang in
# the kernel. Give them 10 s.
for pid in "${openers[@]}"; do
	for ((i = 0; i < 100; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -0 "$pid" 2>/dev/null && vbs_fail "opener $pid still running 10 s after the remove"
	wait "$pid" || true
done
if ((!removed)); then
	vbs_fail "remove never succeeded against 4 openers in 300 tries"
fi
vbs_expect_no_path "$disk" "$disk after the raced remove"
vbs_expect_eq "[0]" "$("$vbsim" list --json | jq -c '[.devices[].index]')" "disks left"

vbs_step "disk 0 kept its data; the module unloads"
vbs_expect_disk_equals "$dev0" 0 "$pattern" 0 $((4 * mib)) "disk 0 data at the end"
vbs_unload
