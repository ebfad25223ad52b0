#!/bin/bash
#
# model_read_only_disk_refuses_every_write: a read-only model disk refuses
# writes exactly as a plain read-only disk does, whatever the model would
# answer. For a pair of disks (plain and model, both VBS_CFG_READ_ONLY,
# with discard and write-zeroes) and a second pair without write-zeroes
# (the kernel then zeroes with ordinary writes), the model disks served by
# an identity model, after `blockdev --setrw` (which cannot clear a
# read-only flag the driver set, but is what an administrator would try),
# every way to write from user space: write(2) (dd oflag=direct of random
# data at 1 MiB, past the 64 KiB the other ways zero), VBS_IOC_WRITE,
# BLKDISCARD (blkdiscard), BLKZEROOUT (blkdiscard -z), fallocate
# --punch-hole (a discard) and fallocate --zero-range, fails on the model
# disk with the same error as on its plain twin, and no disk
# gains a page of data (they still read as zeros). On the disk node itself
# the block layer refuses all of them (EPERM; VBS_IOC_WRITE: EROFS), so
# the same ways are also tried through a device-mapper linear mapping of
# each disk: device-mapper opens the disk for writing regardless and the
# block layer only warns ("Trying to write to read-only block-device")
# when the remapped bio reaches it, so there the driver itself must refuse
# the write, on the model path as on the in-kernel one (EIO). The
# device-mapper part is required: the test fails where dm-mod or dmsetup
# is missing.
#
# Needs: the module, vbs-modeltool, vbs-simtool, blockdev, blkdiscard,
# fallocate, dd; dmsetup and dm-mod for the part that reaches the driver.
#
# vbs-tier: full

. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../sim/lib-sim.sh"
. "$(dirname "$0")/../model/lib-model.sh"

for tool in blockdev blkdiscard fallocate; do
	command -v "$tool" >/dev/null || vbs_skip "$tool not installed"
done

vbs_load nr_devices=0
pattern=$VBS_TMP/pattern
vbs_pattern "$pattern" 65536

# Device-mapper is the one path on which a write reaches the driver of a
# read-only disk (the disk node refuses them all first), so without it this
# test would prove nothing: dmsetup is in tests/guest/programs, and every
# kernel of the matrix has dm-mod.
modprobe dm-mod || vbs_fail "cannot load dm-mod"
vbs_run dmsetup version
DM_NAMES=()
# dm__remove_all - at exit: a mapping holds its disk open.
dm__remove_all() {
	local name
	for name in "${DM_NAMES[@]}"; do
		dmsetup remove --noudevsync "$name" 2>/dev/null || true
	done
}
vbs_defer dm__remove_all

# dm_linear IDX - map all of disk IDX linearly; DM_NODE is its node.
DM_NODE=
dm_linear() {
	local name=vbs-ro-$1-$$ sectors
	sectors=$(blockdev --getsz "$(vbs_dev "$1")")
	vbs_run dmsetup create --noudevsync "$name" \
		--table "0 $sectors linear $(vbs_dev "$1") 0"
	DM_NAMES+=("$name")
	dmsetup mknodes "$name" >/dev/null 2>&1 || true
	vbs_wait_path "/dev/mapper/$name"
	DM_NODE=/dev/mapper/$name
}

# dm_remove NODE - remove a mapping made by dm_linear.
dm_remove() {
	vbs_run dmsetup remove --noudevsync "${1##*/}"
}

# errno_text COMMAND... - run a command that should fail; print the error
# text it ended its message with (strerror), or "success".
errno_text() {
	local out
	if out=$("$@" 2>&1); then
		echo success
		return
	fi
	# Its last line, cut in the shell (a tail process costs 0.15 s in
	# the guest, and this runs 88 times).
	out=${out##*$'\n'}
	printf '%s\n' "${out##*: }"
}

# write_ways DEV - one line per way to write: "NAME ERROR".
write_ways() {
	local dev=$1
	echo "write(2) $(errno_text dd if="$pattern" of="$dev" bs=64k seek=16 count=1 \
		oflag=direct conv=notrunc status=none)"
	[[ $dev == /dev/mapper/* ]] ||
		echo "VBS_IOC_WRITE $(errno_text sim_tool ioctl-write "$dev" 0 8 0)"
	echo "BLKDISCARD $(errno_text blkdiscard -o 0 -l 65536 "$dev")"
	echo "BLKZEROOUT $(errno_text blkdiscard -z -o 0 -l 65536 "$dev")"
	echo "punch-hole $(errno_text fallocate --punch-hole --keep-size \
		-o 0 -l 65536 "$dev")"
	echo "zero-range $(errno_text fallocate --zero-range --keep-size \
		-o 0 -l 65536 "$dev")"
}

for pair in "with write-zeroes:" "without write-zeroes:nowz"; do
	label=${pair%%:*}
	opt=${pair#*:}
	vbs_step "read-only disks $label: plain and model"
	plain=$(model_add 16 plain ro ${opt:+"$opt"})
	model=$(model_add 16 ro ${opt:+"$opt"})
	model_start "identity-$model" "$model"
	for idx in "$plain" "$model"; do
		vbs_run blockdev --setrw "$(vbs_dev "$idx")"
		vbs_note "disk $idx: blockdev --getro after --setrw:" \
			"$(blockdev --getro "$(vbs_dev "$idx")")"
	done
	mapfile -t want < <(write_ways "$(vbs_dev "$plain")")
	mapfile -t got < <(write_ways "$(vbs_dev "$model")")
	vbs_note "-- the same through device-mapper linear mappings"
	dm_linear "$plain"
	dm_plain=$DM_NODE
	dm_linear "$model"
	dm_model=$DM_NODE
	mapfile -t -O "${#want[@]}" want < <(write_ways "$dm_plain" |
		sed 's/^/dm:/')
	mapfile -t -O "${#got[@]}" got < <(write_ways "$dm_model" |
		sed 's/^/dm:/')
	dm_remove "$dm_plain"
	dm_remove "$dm_model"
	bad=0
	for i in "${!want[@]}"; do
		vbs_note "${want[i]%% *}: plain: ${want[i]#* } | model: ${got[i]#* }"
		[[ ${want[i]} == "${got[i]}" ]] || bad=$((bad + 1))
		[[ ${want[i]#* } != success ]] || bad=$((bad + 1))
	done
	for idx in "$plain" "$model"; do
		vbs_note "disk $idx: pages in use $(vbs_pages_in_use "$idx")"
		[[ $(vbs_pages_in_use "$idx") == 0 ]] || bad=$((bad + 1))
	done
	((bad == 0)) || vbs_fail "$bad write(s) not refused alike or data written ($label)"
	for idx in "$plain" "$model"; do
		vbs_expect_disk_zeros "$(vbs_dev "$idx")" 0 $((2 << 20)) \
			"disk $idx reads as zeros"
	done
	model_stop TERM
	vbs_run "$VBS_VBSIM" remove "$plain"
	vbs_run "$VBS_VBSIM" remove "$model"
done
vbs_unload
