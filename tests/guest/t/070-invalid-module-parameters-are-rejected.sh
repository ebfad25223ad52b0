#!/bin/bash
#
# invalid_module_parameters_are_rejected: for each invalid parameter value
# (block sizes that are not powers of two or out of range, a physical
# block smaller than the logical one, zero or huge capacity, queue depth 0
# or above 4096, too many disks, more hardware queues than CPUs, too many
# partitions, values that are not numbers or booleans), insmod fails with
# EINVAL (which kmod prints as "Invalid parameters"), the kernel log names
# the parameter, and nothing is left behind: no module, no disk in /dev or
# /sys/block, no block major in /proc/devices.
#
# Needs: insmod, dmesg, the module.

. "$(dirname "$0")/../lib.sh"

vbs_require_env

# Possible CPUs: the most hardware queues a disk may have.
possible=$(($(cut -d- -f2 /sys/devices/system/cpu/possible) + 1))

# "parameter-the-log-must-name param=value [param=value]" per case.
cases=(
	"logical_block_size logical_block_size=1000"
	"logical_block_size logical_block_size=256"
	"logical_block_size logical_block_size=8192"
	"logical_block_size logical_block_size=0"
	"logical_block_size logical_block_size=513"
	"physical_block_size logical_block_size=4096 physical_block_size=512"
	"physical_block_size physical_block_size=3000"
	"physical_block_size physical_block_size=131072"
	"capacity_mb capacity_mb=0"
	"capacity_mb capacity_mb=1073741825"
	"capacity_mb capacity_mb=lots"
	"queue_depth queue_depth=0"
	"queue_depth queue_depth=5000"
	"nr_devices nr_devices=65"
	"nr_devices nr_devices=100000"
	"nr_devices nr_devices=-1"
	"nr_hw_queues nr_hw_queues=$((possible + 1))"
	"nr_hw_queues nr_hw_queues=100000"
	"max_partitions max_partitions=256"
	"discard discard=2"
	"write_cache write_cache=maybe"
)

for c in "${cases[@]}"; do
	read -r name params <<<"$c"
	vbs_step "insmod $params"
	vbs_kmsg_mark
	# shellcheck disable=SC2086 # one parameter per word
	vbs_expect_fail "insmod $params" insmod "$VBS_KO" $params
	vbs_expect_match "Invalid (argument|parameters)" "$VBS_OUTPUT" "insmod $params: error"
	log=$(vbs_kmsg_since_mark)
	vbs_expect_match "virtblkiosim: .*$name" "$log" \
		"kernel log after insmod $params names $name"
	vbs_note "kernel: $(grep -m1 "$name" <<<"$log" | sed 's/^\[[^]]*\] //')"
	if vbs_module_loaded; then
		vbs_fail "module loaded after insmod $params"
	fi
	vbs_expect_no_path /sys/module/virtblkiosim "module in sysfs after insmod $params"
	vbs_expect_eq "" "$(vbs_our_nodes)" "disks left after insmod $params"
	if grep -qw virtblkiosim /proc/devices; then
		vbs_fail "block major still registered after insmod $params"
	fi
done
