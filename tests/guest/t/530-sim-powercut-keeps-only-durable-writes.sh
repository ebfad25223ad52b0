#!/bin/bash
#
# sim_powercut_keeps_only_durable_writes: on a disk with a volatile write
# cache, a power cut loses the writes completed since the last flush that
# were not FUA, and nothing else: flushed data and FUA writes survive,
# unflushed writes read as what was there before. The cache empties, the
# disk keeps working, and "keep all" keeps everything. ext4 (data=ordered)
# with an fsync'ing workload, cut while mounted and with every later write
# lost, mounts again (journal replay), checks clean with e2fsck and has
# every fsync'ed file intact. Without a write cache a power cut drops
# nothing.
#
# Needs: the module, vbs-simtool, mkfs.ext4, e2fsck, sha256sum.

. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../sim/lib-sim.sh"

vbs_load capacity_mb=128 write_cache=1
dev=$(vbs_dev 0)

vbs_step "raw writes: flushed, FUA and unflushed"
vbs_run sim_tool fill "$dev" 1000 8 0x01
vbs_run sim_tool fill "$dev" 2000 8 0x02
vbs_run sim_tool flush "$dev"
vbs_run sim_tool fill "$dev" 2000 8 0x22
vbs_run sim_tool ioctl-write "$dev" 3000 8 0x03 fua
vbs_run sim_tool fill "$dev" 4000 8 0x04
vbs_run sim_tool ioctl-write "$dev" 5000 8 0x05
vbs_expect_ge 1 "$(sim_stat "$dev" cache_pages)" "cache pages before the power cut"
out=$(sim_tool powercut "$dev")
vbs_note "$(tr '\n' ' ' <<<"$out")"
vbs_expect_eq 0 "$(sim_get kept "$out")" "pages kept"
vbs_expect_eq 0 "$(sim_stat "$dev" cache_pages)" "cache pages after the power cut"
vbs_run sim_tool verify "$dev" 1000 8 0x01
vbs_run sim_tool verify "$dev" 2000 8 0x02
vbs_run sim_tool verify "$dev" 3000 8 0x03
vbs_run sim_tool verify "$dev" 4000 8 0
vbs_run sim_tool verify "$dev" 5000 8 0

vbs_step "the disk works on; keep=1000000 keeps every page"
vbs_run sim_tool fill "$dev" 6000 64 0x06
out=$(sim_tool powercut "$dev" keep=1000000)
vbs_expect_eq 0 "$(sim_get dropped "$out")" "pages dropped when keeping all"
vbs_run sim_tool verify "$dev" 6000 64 0x06
out=$(sim_tool powercut "$dev")
vbs_expect_eq 0 "$(sim_get dropped "$out")" "pages dropped by a second power cut"
vbs_run sim_tool verify "$dev" 6000 64 0x06

vbs_step "ext4 data=ordered: fsync'ed files survive a power cut while mounted"
vbs_need_fs ext4
command -v mkfs.ext4 >/dev/null || vbs_skip "mkfs.ext4 not installed"
mnt=$VBS_TMP/mnt
vbs_run mkfs.ext4 -q -F "$dev"
vbs_run sim_tool flush "$dev"
vbs_mount "$dev" "$mnt" data=ordered
mkdir -p "$mnt/synced" "$mnt/unsynced"
for i in $(seq 1 20); do
	head -c $((RANDOM * 4 + 1)) /dev/urandom >"$mnt/synced/f$i"
	vbs_run python3 -c 'import os, sys; fd = os.open(sys.argv[1], os.O_RDONLY); os.fsync(fd)' "$mnt/synced/f$i"
done
vbs_run python3 -c 'import os, sys; fd = os.open(sys.argv[1], os.O_RDONLY); os.fsync(fd)' "$mnt/synced"
(cd "$mnt/synced" && sha256sum f*) >"$VBS_TMP/manifest"
for i in $(seq 1 20); do
	head -c $((RANDOM * 4 + 1)) /dev/urandom >"$mnt/unsynced/g$i"
done
# Start writeback of the unsynced files without a flush (fadvise
# DONTNEED), so their data reaches the disk's cache, not its media.
vbs_run python3 -c 'import os, sys
for p in sys.argv[1:]:
    fd = os.open(p, os.O_RDONLY)
    os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    os.close(fd)' "$mnt"/unsynced/g*
sleep 1
vbs_note "cache pages before the power cut: $(sim_stat "$dev" cache_pages)"
# The power goes out: from now on the disk stores nothing (every write,
# flush and discard is lost), then the cache is dropped. The unmount's
# writes go nowhere, as they would on a dead disk.
vbs_run sim_tool fault-add "$dev" ops=write,flush,discard,wzeroes effect=lost lba=0
out=$(sim_tool powercut "$dev")
vbs_note "power cut while mounted: $(tr '\n' ' ' <<<"$out")"
vbs_run umount "$mnt"
vbs_run sim_tool fault-clear "$dev"
# Power back: mounting replays the journal; then the file system must be
# clean and every fsync'ed file intact.
vbs_mount "$dev" "$mnt"
vbs_run umount "$mnt"
vbs_run e2fsck -fn "$dev"
vbs_mount "$dev" "$mnt" ro
(cd "$mnt/synced" && sha256sum --quiet -c "$VBS_TMP/manifest") ||
	vbs_fail "fsync'ed files differ after the power cut"
vbs_note "$(find "$mnt/unsynced" -type f 2>/dev/null | wc -l) of 20 unsynced files survived"
vbs_run umount "$mnt"
vbs_unload

vbs_step "without a write cache nothing is lost"
vbs_load capacity_mb=64 write_cache=0
dev=$(vbs_dev 0)
vbs_run sim_tool fill "$dev" 1000 8 0x07
out=$(sim_tool powercut "$dev")
vbs_expect_eq 0 "$(sim_get dropped "$out")" "pages dropped without a write cache"
vbs_run sim_tool verify "$dev" 1000 8 0x07
