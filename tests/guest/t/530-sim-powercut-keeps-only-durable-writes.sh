#!/bin/bash
#
# sim_powercut_keeps_only_durable_writes: on a disk with a volatile write
# cache, a power cut loses the writes completed since the last flush that
# were not FUA, and nothing else: flushed data and FUA writes survive,
# unflushed writes read as what was there before; a FUA write that the
# block layer sends for an O_DIRECT|O_DSYNC write survives even with the
# flush after it lost, an ordinary write beside it does not. The cache
# empties, the disk keeps working, and "keep all" keeps everything. ext4 (data=ordered)
# with an fsync'ing workload, cut while mounted and with every later write
# lost, mounts again (journal replay), checks clean with e2fsck and has
# every fsync'ed file intact, while the files written after the last
# fsync are gone (the power cut dropped their data from the cache, and no
# journal commit knew them). Without a write cache a power cut drops
# nothing.
#
# Needs: the module, vbs-simtool, mkfs.ext4, e2fsck, sha256sum.
#
# vbs-tier: core

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

vbs_step "FUA through the block layer: an O_DSYNC write survives, an unflushed one does not"
# An ordinary direct write to one block stays in the cache. Then, with
# every flush lost (so the flush the kernel sends after an O_DSYNC write
# persists nothing), an O_DIRECT|O_DSYNC write to another block, which the
# block layer sends with REQ_FUA (the disk says fua=1): only the FUA bit
# can make it durable.
vbs_expect_eq 1 "$(vbs_sys 0 queue/fua)" "queue/fua"
plain=$VBS_TMP/plain fua=$VBS_TMP/fua
head -c 65536 /dev/urandom >"$plain"
head -c 65536 /dev/urandom >"$fua"
vbs_run dd if="$plain" of="$dev" bs=64k seek=$((48 << 20)) \
	oflag=direct,seek_bytes conv=notrunc status=none
vbs_run sim_tool fault-add "$dev" ops=flush effect=lost lba=0
flushes=$(vbs_stat 0 16)
vbs_run dd if="$fua" of="$dev" bs=64k seek=$((50 << 20)) \
	oflag=direct,dsync,seek_bytes conv=notrunc status=none
vbs_expect_ge 1 $(($(vbs_stat 0 16) - flushes)) "flushes after the O_DSYNC write (all lost)"
vbs_run sim_tool fault-clear "$dev"
vbs_expect_ge 1 "$(sim_stat "$dev" cache_pages)" "cache pages before the power cut"
out=$(sim_tool powercut "$dev")
vbs_note "$(tr '\n' ' ' <<<"$out")"
vbs_drop_caches
vbs_expect_disk_equals "$dev" $((50 << 20)) "$fua" 0 65536 \
	"the FUA write after the power cut"
vbs_expect_disk_zeros "$dev" $((48 << 20)) 65536 \
	"the unflushed write after the power cut (lost)"

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
# commit=600: no periodic journal commit (and its flush) while the test
# runs, so that the files written after the last fsync are in no committed
# transaction when the power goes.
vbs_mount "$dev" "$mnt" data=ordered,commit=600
# One python3 writes every file (it takes over a second to start in the
# emulated guest: a process per file cost half a minute): 20 files of
# 1 B to 128 KiB in synced/, each fsync'ed once written, then synced/
# itself; then 20 files in unsynced/, never fsync'ed, whose writeback
# starts without a flush (fadvise DONTNEED), so their data reaches the
# disk's cache, not its media.
vbs_run python3 - "$mnt" <<-'EOF'
	import os, random, sys
	top = sys.argv[1]
	for name in ("synced", "unsynced"):
	    os.mkdir(os.path.join(top, name))
	for i in range(1, 21):
	    fd = os.open(os.path.join(top, "synced", f"f{i}"), os.O_WRONLY | os.O_CREAT, 0o644)
	    os.write(fd, os.urandom(random.randrange(1, 131072)))
	    os.fsync(fd)
	    os.close(fd)
	fd = os.open(os.path.join(top, "synced"), os.O_RDONLY)
	os.fsync(fd)
	os.close(fd)
	for i in range(1, 21):
	    fd = os.open(os.path.join(top, "unsynced", f"g{i}"), os.O_WRONLY | os.O_CREAT, 0o644)
	    os.write(fd, os.urandom(random.randrange(1, 131072)))
	    os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
	    os.close(fd)
EOF
(cd "$mnt/synced" && sha256sum f*) >"$VBS_TMP/manifest"
sleep 1
vbs_note "cache pages before the power cut: $(sim_stat "$dev" cache_pages)"
# The power goes out: from now on the disk stores nothing (every write,
# flush and discard is lost), then the cache is dropped. The unmount's
# writes go nowhere, as they would on a dead disk.
vbs_run sim_tool fault-add "$dev" ops=write,flush,discard,wzeroes effect=lost lba=0
out=$(sim_tool powercut "$dev")
vbs_note "power cut while mounted: $(tr '\n' ' ' <<<"$out")"
# The unsynced files' data went to the cache, not to the media.
vbs_expect_ge 1 "$(sim_get dropped "$out")" "cache pages the power cut dropped"
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
# The unsynced files were created after the last commit: the journal
# replay knows nothing of them (their directory, committed with the
# fsync of synced/, is there and empty).
[[ -d $mnt/unsynced ]] || vbs_fail "the directory unsynced/ (created before the fsyncs) is gone"
vbs_expect_eq 0 "$(find "$mnt/unsynced" -type f | wc -l)" \
	"unsynced files that survived the power cut"
vbs_run umount "$mnt"
vbs_unload

vbs_step "without a write cache nothing is lost"
vbs_load capacity_mb=64 write_cache=0
dev=$(vbs_dev 0)
vbs_run sim_tool fill "$dev" 1000 8 0x07
out=$(sim_tool powercut "$dev")
vbs_expect_eq 0 "$(sim_get dropped "$out")" "pages dropped without a write cache"
vbs_run sim_tool verify "$dev" 1000 8 0x07
