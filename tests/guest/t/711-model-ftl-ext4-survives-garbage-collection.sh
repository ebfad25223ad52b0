#!/bin/bash
#
# model_ftl_ext4_survives_garbage_collection: ext4 on a model disk served by
# the ftl model with small erase blocks and 10% over-provisioning: a file
# tree is written, then a 48 MiB file is overwritten at random with 64
# MiB of 4 KiB writes, so the FTL runs out of free blocks and its garbage
# collection moves live pages (VBS_CTL_MODEL_PAGES copies and trims) under
# the filesystem. e2fsck -fn finds nothing to fix, the tree reads back
# identical after a remount, and the model's final statistics show the
# collection happened (pages copied, blocks erased, write amplification
# above 1).
#
# GC starts once the ~106 MiB of flash are written (about 70 MiB before
# the overwrites: mkfs, the tree, the file): 96 MiB of overwrites (the
# former size) took three quarters of the test's 73 s under emulation and
# erased 539 blocks, copying 670 pages; 64 MiB leave GC a quarter of the
# disk to reclaim.
#
# Needs: mkfs.ext4 and e2fsck, fio, jq, python3, the module, vbsim built on
# the host.
# vbs-timeout: 600
# vbs-tier: full

. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../model/lib-model.sh"

command -v mkfs.ext4 >/dev/null || vbs_skip "e2fsprogs not installed"
vbs_need_fio
command -v jq >/dev/null || vbs_skip "jq not installed"
[[ -x $VBS_VBSIM ]] || vbs_skip "vbsim not built ($VBS_VBSIM)"
vbs_need_fs ext4
vbs_load nr_devices=0
vbs_run "$VBS_VBSIM" add --model --size 96M --op 10%
dev=$VBS_OUTPUT
idx=${dev#/dev/"$VBS_MOD"}
mnt=$VBS_TMP/mnt
manifest=$VBS_TMP/manifest

vbs_step "ftl model: 2 channels x 2 LUNs, 32-page blocks, greedy GC"
model_vbsim_start ftl ftl "$idx" --ftl pages-per-block=32 --json

vbs_step "mkfs.ext4 and a file tree"
vbs_run mkfs.ext4 -q -F -b 4096 -E lazy_itable_init=0,lazy_journal_init=0 "$dev"
vbs_mount "$dev" "$mnt"
vbs_make_tree "$mnt" 8 20 1 8
vbs_tree_manifest "$mnt" "$manifest"

vbs_step "a 48 MiB file overwritten at random, 4 KiB at a time: GC must run"
# Sequential overwrites leave whole blocks dead, which GC erases without
# copying anything; random ones leave live pages in every block.
vbs_run dd if=/dev/urandom of="$mnt/churn" bs=1M count=48 conv=fsync
vbs_fio churn --name=churn --filename="$mnt/churn" --direct=1 \
	--ioengine=psync --rw=randwrite --bs=4k --size=48M --io_size=64M \
	--randrepeat=0
rm "$mnt/churn"
vbs_run umount "$mnt"

vbs_step "e2fsck -fn: nothing to fix; the tree reads back after a remount"
vbs_run e2fsck -fn "$dev"
vbs_drop_caches
vbs_mount "$dev" "$mnt"
vbs_expect_tree "$mnt" "$manifest" "ext4 file tree on the ftl model"
vbs_run umount "$mnt"

vbs_step "the model's statistics: garbage collection happened"
model_stop TERM
vbs_expect_eq 0 "$MODEL_RC" "ftl model exit status"
json=$(sed -n '/^{/,$p' "$VBS_ART/ftl.log")
copied=$(jq -r '[.. | objects | .gc_pages_copied? | numbers] | max // 0' <<<"$json")
erases=$(jq -r '[.. | objects | .erases? | numbers] | max // 0' <<<"$json")
waf=$(jq -r '[.. | objects | .waf? | numbers] | max // 0' <<<"$json")
vbs_note "ftl: gc pages copied $copied, erases $erases, WAF $waf"
vbs_expect_gt 0 "$copied" "pages moved by garbage collection"
vbs_expect_gt 0 "$erases" "blocks erased"
vbs_expect_eq true "$(jq -n "$waf > 1")" "write amplification above 1"
vbs_expect_eq 0 "$(model_attr "$idx" model_rejected)" "answers rejected"
vbs_run "$VBS_VBSIM" remove "$dev"
vbs_unload
