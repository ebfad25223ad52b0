#!/bin/bash
#
# sim_corrupt_reads_and_lost_writes_are_detected: a "corrupt" rule damages
# the data a read returns, in exactly the blocks of its range, while the
# stored data stays good (the read after the rule is cleared is right);
# fio's verification notices it. A "lost write" rule completes writes
# without storing them: the old data stays, which a verifying reader
# detects, and the next write (the rule spent) is stored. A lost flush
# makes a write cache lie: the fsync succeeds, and a power cut then loses
# the data.
#
# Needs: the module, vbs-simtool, fio.
#
# vbs-tier: full

. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../sim/lib-sim.sh"

vbs_need_fio
vbs_load capacity_mb=64 write_cache=1
dev=$(vbs_dev 0)

vbs_step "corrupt reads of LBA 2052: only that block reads wrong"
vbs_run sim_tool fill "$dev" 2048 16 0xaa
vbs_run sim_tool fault-add "$dev" ops=read effect=corrupt lba=2052 count=1
vbs_expect_eq dddd?ddddddddddd "$(sim_tool map "$dev" 2048 16 0xaa)" "blocks 2048..2063 through a corrupting rule"
vbs_expect_fail "verify of the corrupted block" sim_tool verify "$dev" 2052 1 0xaa
vbs_expect_match "mismatch lba=2052" "$VBS_OUTPUT" "mismatch reported at LBA 2052"
vbs_run sim_tool fault-clear "$dev"
vbs_run sim_tool verify "$dev" 2048 16 0xaa

vbs_step "fio verify catches corruption, and passes once the rule is gone"
fio_args=(--filename="$dev" --direct=1 --ioengine=psync --bs=4k --size=4M
	--offset=8M --verify=crc32c --verify_fatal=1)
vbs_fio write --name=write --rw=write --do_verify=0 "${fio_args[@]}"
# LBA 16400 is 8 MiB + 8 KiB: the third 4 KiB block of the fio file.
vbs_run sim_tool fault-add "$dev" ops=read effect=corrupt lba=16400 count=1
rc=0
fio --name=verify --rw=read --verify_only=1 "${fio_args[@]}" \
	--output="$VBS_ART/fio-corrupt.log" >/dev/null 2>&1 || rc=$?
vbs_expect_ne 0 "$rc" "fio verify status with a corrupting rule"
vbs_expect_match "verify|crc32c" "$(cat "$VBS_ART/fio-corrupt.log")" "fio reports a verify failure"
vbs_run sim_tool fault-clear "$dev"
vbs_fio verify --name=verify --rw=read --verify_only=1 "${fio_args[@]}"

vbs_step "lost write: completes, stores nothing, once"
vbs_run sim_tool fill "$dev" 3000 8 0x11
vbs_run sim_tool fault-add "$dev" ops=write effect=lost lba=3000 count=8 trigger=once
vbs_run sim_tool fill "$dev" 3000 8 0x22
vbs_expect_eq dddddddd "$(sim_tool map "$dev" 3000 8 0x11)" "old data after a lost write"
vbs_run sim_tool fill "$dev" 3000 8 0x22
vbs_run sim_tool verify "$dev" 3000 8 0x22
vbs_run sim_tool fault-clear "$dev"

vbs_step "lost write seen by fio verify"
vbs_run sim_tool fill "$dev" 16384 8192 0
vbs_run sim_tool fault-add "$dev" ops=write effect=lost lba=16400 count=8
vbs_fio write-lost --name=write-lost --rw=write --do_verify=0 "${fio_args[@]}"
rc=0
fio --name=verify-lost --rw=read --verify_only=1 "${fio_args[@]}" \
	--output="$VBS_ART/fio-lost.log" >/dev/null 2>&1 || rc=$?
vbs_expect_ne 0 "$rc" "fio verify status after a lost write"
vbs_run sim_tool fault-clear "$dev"

vbs_step "lost flush: fsync succeeds, the power cut still loses the data"
vbs_run sim_tool fill "$dev" 4000 8 0x33
vbs_run sim_tool flush "$dev"
vbs_run sim_tool fill "$dev" 4000 8 0x44
vbs_run sim_tool fault-add "$dev" ops=flush effect=lost lba=0 trigger=once
vbs_run sim_tool flush "$dev"
vbs_run sim_tool powercut "$dev"
vbs_run sim_tool verify "$dev" 4000 8 0x33
vbs_expect_eq 1 "$(sim_stat "$dev" flush_faults)" "flush faults"
