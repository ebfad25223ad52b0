#!/bin/bash
#
# valid_module_parameters_shape_the_disks: every parameter is documented
# (modinfo shows a description for each); the defaults give one 1 GiB
# non-rotational disk with 512-byte blocks, discard granularity of a page,
# discard and write-zeroes on, a write-through cache, one hardware queue
# per CPU of 128 tags and 16 partition minors; nr_devices=3 gives three
# independent disks of the requested size (data written to one is not
# seen in the others); nr_hw_queues and queue_depth set the blk-mq queues
# and their tags; nr_devices=0 loads with no disk and only the control
# device (disks can be added later); the smallest disk (1 MiB) and the
# deepest queue (4096) work.
#
# Needs: modinfo, blockdev, dd, the module.
#
# vbs-tier: core

. "$(dirname "$0")/../lib.sh"

vbs_require_env
mib=$((1 << 20))
ncpu=$(nproc)

vbs_step "modinfo documents every parameter"
for p in nr_devices capacity_mb logical_block_size physical_block_size \
	nr_hw_queues queue_depth discard write_zeroes write_cache max_partitions; do
	desc=$(modinfo -F parm "$VBS_KO" | sed -n "s/^$p:\(.*\)/\1/p")
	vbs_expect_match '[a-z]' "$desc" "modinfo description of $p"
done

# nr_hw_queues_of N - hardware queues of disk N (directories in mq/).
nr_hw_queues_of() {
	local -a q=("/sys/block/virtblkiosim$1/mq/"*)
	printf '%s\n' "${#q[@]}"
}

vbs_step "defaults"
vbs_load
vbs_expect_eq "/dev/virtblkiosim0" "$(vbs_our_nodes | grep '^/dev/')" "disks created"
vbs_expect_eq $((1024 * mib)) "$(blockdev --getsize64 /dev/virtblkiosim0)" "capacity"
vbs_expect_eq $((1024 * mib)) "$(vbs_attr 0 capacity_bytes)" "capacity_bytes attribute"
vbs_expect_eq 512 "$(vbs_sys 0 queue/logical_block_size)" "logical_block_size"
vbs_expect_eq 512 "$(vbs_sys 0 queue/physical_block_size)" "physical_block_size"
vbs_expect_eq 0 "$(vbs_sys 0 queue/rotational)" "rotational"
vbs_expect_eq 4096 "$(vbs_sys 0 queue/discard_granularity)" "discard_granularity"
vbs_expect_gt 0 "$(vbs_sys 0 queue/discard_max_hw_bytes)" "discard_max_hw_bytes"
vbs_expect_gt 0 "$(vbs_sys 0 queue/write_zeroes_max_bytes)" "write_zeroes_max_bytes"
vbs_expect_eq "write through" "$(vbs_sys 0 queue/write_cache)" "write_cache"
vbs_expect_eq 0 "$(vbs_sys 0 queue/fua)" "fua"
vbs_expect_eq 1 "$(vbs_sys 0 queue/iostats)" "iostats"
vbs_expect_eq "$ncpu" "$(nr_hw_queues_of 0)" "hardware queues (one per CPU)"
vbs_expect_eq 128 "$(vbs_sys 0 mq/0/nr_tags)" "tags per hardware queue"
vbs_expect_eq 17 "$(vbs_sys 0 range)" "minors: the disk and 16 partitions"
vbs_expect_eq 0 "$(vbs_pages_in_use 0)" "pages in use"
vbs_unload

vbs_step "nr_devices=3 capacity_mb=48: three separate disks"
vbs_load nr_devices=3 capacity_mb=48
vbs_expect_eq 3 "$(vbs_our_nodes | grep -c '^/dev/')" "disks created"
for i in 0 1 2; do
	d=$(vbs_dev "$i")
	vbs_expect_eq $((48 * mib)) "$(blockdev --getsize64 "$d")" "capacity of $d"
	vbs_expect_eq $((48 * 2048)) "$(vbs_sys "$i" size)" "sectors of $d"
	vbs_expect_eq "$i" "$(vbs_attr "$i" index)" "index attribute of $d"
	vbs_pattern "$VBS_TMP/p$i" $((mib))
	vbs_dd_write "$VBS_TMP/p$i" 0 "$d" $((4 * mib)) "$mib"
done
for i in 0 1 2; do
	vbs_expect_disk_equals "$(vbs_dev "$i")" $((4 * mib)) "$VBS_TMP/p$i" 0 \
		"$mib" "data of disk $i"
	vbs_expect_eq 256 "$(vbs_pages_in_use "$i")" "pages in use of disk $i"
done
vbs_unload
vbs_expect_eq "" "$(vbs_our_nodes)" "disks left after rmmod"

vbs_step "nr_hw_queues=1 queue_depth=1: one queue, one request at a time"
vbs_load capacity_mb=16 nr_hw_queues=1 queue_depth=1
vbs_expect_eq 1 "$(nr_hw_queues_of 0)" "hardware queues"
vbs_expect_eq 1 "$(vbs_sys 0 mq/0/nr_tags)" "tags"
vbs_pattern "$VBS_TMP/p" $((4 * mib))
# Many requests at once from several writers must wait for the one tag.
pids=()
for i in 0 1 2 3; do
	dd if="$VBS_TMP/p" of="$(vbs_dev 0)" bs=4k iflag=skip_bytes,count_bytes \
		skip=$((i * mib)) count="$mib" oflag=direct,seek_bytes \
		seek=$((i * mib)) status=none &
	pids+=($!)
done
for pid in "${pids[@]}"; do
	wait "$pid" || vbs_fail "a writer sharing the single tag failed"
done
vbs_expect_disk_equals "$(vbs_dev 0)" 0 "$VBS_TMP/p" 0 $((4 * mib)) \
	"4 MiB written through a single tag"
vbs_unload

vbs_step "nr_hw_queues=$ncpu queue_depth=4096 capacity_mb=1"
vbs_load capacity_mb=1 nr_hw_queues="$ncpu" queue_depth=4096
vbs_expect_eq "$ncpu" "$(nr_hw_queues_of 0)" "hardware queues"
vbs_expect_eq 4096 "$(vbs_sys 0 mq/0/nr_tags)" "tags"
vbs_expect_eq "$mib" "$(blockdev --getsize64 /dev/virtblkiosim0)" "capacity"
vbs_dd_write "$VBS_TMP/p" 0 /dev/virtblkiosim0 0 "$mib"
vbs_expect_disk_equals /dev/virtblkiosim0 0 "$VBS_TMP/p" 0 "$mib" "the whole 1 MiB disk"
vbs_unload

vbs_step "nr_devices=0: module loaded, no disk, control device present"
vbs_load nr_devices=0
vbs_expect_eq "" "$(vbs_our_nodes)" "disks with nr_devices=0"
vbs_expect_path /dev/virtblkiosim-control "control device"
vbs_unload
vbs_expect_no_path /dev/virtblkiosim-control "control device after rmmod"
