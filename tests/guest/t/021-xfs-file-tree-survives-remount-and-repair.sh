#!/bin/bash
#
# xfs_file_tree_survives_remount_and_repair: mkfs.xfs on the disk, mount,
# write a tree of 302 files (300 small ones of random sizes in 15
# directories, 2 of 8 MiB), unmount, xfs_repair -n finds nothing to fix,
# drop caches, mount again and every file has its checksum. Then deleting
# the large files and running fstrim gives their pages back to the store,
# and the filesystem is still clean.
#
# Needs: mkfs.xfs and xfs_repair (xfsprogs), fstrim, the xfs filesystem in
# the kernel (a module on Debian, loaded with modprobe), the module. The
# disk is 512 MiB because mkfs.xfs refuses filesystems under 300 MB.
#
# vbs-tier: full

. "$(dirname "$0")/../lib.sh"

vbs_need_fs xfs
vbs_load capacity_mb=512

dev=$(vbs_dev 0)
mnt=$VBS_TMP/mnt
manifest=$VBS_TMP/manifest

vbs_step "mkfs.xfs"
vbs_run mkfs.xfs -q -f "$dev"

vbs_step "write 300 small files and 2 x 8 MiB"
vbs_mount "$dev" "$mnt"
vbs_make_tree "$mnt" 15 20 2 8
vbs_tree_manifest "$mnt" "$manifest"
mapfile -t lines <"$manifest"
vbs_expect_eq 302 "${#lines[@]}" "files written"
vbs_run umount "$mnt"

vbs_step "xfs_repair -n: nothing to fix"
vbs_run xfs_repair -n "$dev"

vbs_step "drop caches, mount again, compare checksums"
vbs_drop_caches
vbs_mount "$dev" "$mnt"
vbs_expect_tree "$mnt" "$manifest" "xfs file tree after remount"

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
vbs_run xfs_repair -n "$dev"
