#!/bin/bash
#
# model_disk_under_memory_pressure_keeps_serving: a model disk's requests are
# served by a user-space thread, so memory reclaim that writes pages back
# to that very disk from inside the model's path would wait for itself.
# ext4 on a model disk served by the identity model; a writer confined to a
# memory cgroup of 16 MiB writes 64 MiB through the page cache, so reclaim
# runs in that cgroup all along (memory.events counts the times it hit its
# limit) and writes dirty pages back to the model disk while the model
# serves them. The writer and fsync must finish within their time limit,
# the data must read back exactly, and the model must have rejected
# nothing. The module serves model commands in a memalloc_noio scope and
# libvbsim's runner sets PR_SET_IO_FLUSHER (issue 13, item 3).
#
# Needs: mkfs.ext4, a cgroup v2 memory controller, the module, vbsim built
# on the host.
# vbs-timeout: 300
# vbs-tier: full

. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../model/lib-model.sh"

command -v mkfs.ext4 >/dev/null || vbs_skip "e2fsprogs not installed"
[[ -x $VBS_VBSIM ]] || vbs_skip "vbsim not built ($VBS_VBSIM)"
vbs_need_fs ext4

cg_root=/sys/fs/cgroup
if [[ ! -e $cg_root/cgroup.controllers ]]; then
	mkdir -p "$cg_root"
	vbs_run mount -t cgroup2 none "$cg_root"
	vbs_defer "umount $cg_root"
fi
grep -qw memory "$cg_root/cgroup.controllers" ||
	vbs_skip "no memory controller in this kernel's cgroup v2"

vbs_load nr_devices=0
vbs_run "$VBS_VBSIM" add --model --size 256M
dev=$VBS_OUTPUT
idx=${dev#/dev/"$VBS_MOD"}
mnt=$VBS_TMP/mnt
cg=$cg_root/vbs-714

vbs_step "identity model on $dev, ext4 on top"
model_vbsim_start identity identity "$idx"
vbs_run mkfs.ext4 -q -F -b 4096 -E lazy_itable_init=0,lazy_journal_init=0 "$dev"
vbs_mount "$dev" "$mnt"

vbs_step "a memory cgroup of 16 MiB"
echo +memory >"$cg_root/cgroup.subtree_control"
mkdir "$cg"
vbs_defer "rmdir $cg"
echo 16M >"$cg/memory.max"
echo 0 >"$cg/memory.swap.max" 2>/dev/null || true

vbs_step "64 MiB through the page cache from inside the cgroup, then fsync"
vbs_pattern "$VBS_TMP/block" $((1 << 20))
# The file is that block 64 times over, which one cat makes (64 cat
# processes cost 13 s in the guest, and as much again to read back).
blocks=()
for ((i = 0; i < 64; i++)); do
	blocks+=("$VBS_TMP/block")
done
# The writer moves itself into the cgroup, then writes; the model stays
# outside it (a model limited with its own disk's writers is not the
# case under test).
start=$(date +%s)
# shellcheck disable=SC2016 # expanded by the inner shell
if ! timeout 240 sh -c '
	echo $$ >"$1/cgroup.procs" && out=$2 && shift 2 &&
	cat "$@" | dd of="$out" bs=1M iflag=fullblock conv=fsync status=none' \
	sh "$cg" "$mnt/big" "${blocks[@]}"; then
	vbs_fail "the writer in the cgroup did not finish within 240 s"
fi
vbs_note "64 MiB written and synced in $(($(date +%s) - start)) s"
hits=$(awk '$1 == "max" { print $2 }' "$cg/memory.events")
vbs_note "memory.events: max $hits"
vbs_expect_gt 0 "$hits" "times the writer's cgroup hit its limit"

vbs_step "the data reads back"
vbs_run umount "$mnt"
vbs_drop_caches
vbs_mount "$dev" "$mnt"
cat "${blocks[@]}" | cmp - "$mnt/big" ||
	vbs_fail "the file written under memory pressure reads back different"
vbs_run umount "$mnt"

model_stop TERM
vbs_expect_eq 0 "$MODEL_RC" "identity model exit status"
vbs_expect_eq 0 "$(model_attr "$idx" model_rejected)" "answers rejected"
vbs_run "$VBS_VBSIM" remove "$dev"
vbs_unload
