#!/bin/bash
#
# xfs_file_tree_survives_remount_and_repair: mkfs.xfs on the disk, mount,
# write a tree of 304 files (300 small ones of random sizes in 20
# directories, 4 of 12 MiB), unmount, xfs_repair -n finds nothing to fix,
# drop caches, mount again and every file has its checksum. Then deleting
# the large files and running fstrim gives their pages back to the store,
# and the filesystem is still clean.
#
# Needs: mkfs.xfs and xfs_repair (xfsprogs), fstrim, the xfs filesystem in
# the kernel (a module on Debian, loaded with modprobe), the module. The
# disk is 512 MiB because mkfs.xfs refuses filesystems under 300 MB.

. "$(dirname "$0")/../lib.sh"

vbs_need_fs xfs
vbs_load capacity_mb=512

dev=$(vbs_dev 0)
mnt=$VBS_TMP/mnt
manifest=$VBS_TMP/manifest

vbs_step "mkfs.xfs"
vbs_run mkfs.xfs -q -f "$dev"

vbs_step "write 300 small files and 4 x 12 MiB"
vbs_mount "$dev" "$mnt"
vbs_make_tree "$mnt" 20 15 4 12
vbs_tree_manifest "$mnt" "$manifest"
vbs_expect_eq 304 "$(wc -l <"$manifest")" "files written"
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
# 48 MiB of file data lived in 12288 pages that are free blocks now.
vbs_expect_ge 12288 $((pages_before - pages_after)) "pages freed by fstrim"
vbs_run umount "$mnt"
vbs_run xfs_repair -n "$dev"
