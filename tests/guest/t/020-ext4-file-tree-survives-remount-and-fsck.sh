#!/bin/bash
#
# ext4_file_tree_survives_remount_and_fsck: mkfs.ext4 on the disk, mount,
# write a tree of 302 files (300 small ones of random sizes in 15
# directories, 2 of 8 MiB), unmount, e2fsck -fn finds nothing to fix,
# drop caches, mount again and every file has its checksum. Then deleting
# the large files and running fstrim gives their pages back to the store,
# and the filesystem is still clean.
#
# Needs: mkfs.ext4 and e2fsck (e2fsprogs), fstrim, the ext4 filesystem in
# the kernel (a module on Debian, loaded with modprobe), the module.
#
# vbs-tier: core

. "$(dirname "$0")/../lib.sh"

vbs_need_fs ext4
vbs_load capacity_mb=256

dev=$(vbs_dev 0)
mnt=$VBS_TMP/mnt
manifest=$VBS_TMP/manifest

vbs_step "mkfs.ext4 (4 KiB blocks, inode tables written now, not lazily)"
vbs_run mkfs.ext4 -q -F -b 4096 -E lazy_itable_init=0,lazy_journal_init=0 "$dev"

vbs_step "write 300 small files and 2 x 8 MiB"
vbs_mount "$dev" "$mnt"
vbs_make_tree "$mnt" 15 20 2 8
vbs_tree_manifest "$mnt" "$manifest"
mapfile -t lines <"$manifest"
vbs_expect_eq 302 "${#lines[@]}" "files written"
vbs_run umount "$mnt"

vbs_step "e2fsck -fn: nothing to fix"
vbs_run e2fsck -fn "$dev"

vbs_step "drop caches, mount again, compare checksums"
vbs_drop_caches
vbs_mount "$dev" "$mnt"
vbs_expect_tree "$mnt" "$manifest" "ext4 file tree after remount"

vbs_step "delete the large files, fstrim: their pages are freed"
pages_before=$(vbs_pages_in_use 0)
rm "$mnt"/large*
sync
vbs_run fstrim -v "$mnt"
pages_after=$(vbs_pages_in_use 0)
# 16 MiB of file data lived in 4096 pages that are free blocks now. Freeing
# them also writes filesystem metadata (bitmaps, journal), some of it for
# the first time, which takes new pages: allow 64 of those (256 KiB).
vbs_expect_ge $((4096 - 64)) $((pages_before - pages_after)) "pages freed by fstrim"
vbs_note "fstrim freed $((pages_before - pages_after)) pages"
vbs_run umount "$mnt"
vbs_run e2fsck -fn "$dev"
