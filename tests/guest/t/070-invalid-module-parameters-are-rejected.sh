#!/bin/bash
#
# invalid_module_parameters_are_rejected: for each invalid parameter value
# (block sizes that are not powers of two or out of range, a physical
# block smaller than the logical one, zero or huge capacity, queue depth 0
# or above 4096, too many disks, more hardware or poll queues than CPUs
# (even with no disk to make at load), too many partitions, values that
# are not numbers or booleans), insmod fails with
# EINVAL (which kmod prints as "Invalid parameters"), the kernel log names
# the parameter, and nothing is left behind: no module, no disk in /dev or
# /sys/block, no block major in /proc/devices.
#
# Needs: insmod, dmesg, the module.
#
# vbs-tier: full

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
	"poll_queues poll_queues=$((possible + 1))"
	"poll_queues poll_queues=$((possible + 1)) nr_devices=0"
	"poll_queues poll_queues=-1"
	"max_partitions max_partitions=256"
	"discard discard=2"
	"write_cache write_cache=maybe"
)

# Each case first writes a marker to the kernel log, so that the log can be
# read once at the end and cut at the markers.
mark="vbs-070-case-$$-"
for ((i = 0; i < ${#cases[@]}; i++)); do
	read -r name params <<<"${cases[i]}"
	vbs_step "insmod $params"
	echo "$mark$i" >/dev/kmsg
	# shellcheck disable=SC2086 # one parameter per word
	vbs_expect_fail "insmod $params" insmod "$VBS_KO" $params
	vbs_expect_match "Invalid (argument|parameters)" "$VBS_OUTPUT" \
		"insmod $params: error"
	if vbs_module_loaded; then
		vbs_fail "module loaded after insmod $params"
	fi
	vbs_expect_no_path /sys/module/virtblkiosim "module in sysfs after insmod $params"
	vbs_expect_eq "" "$(vbs_our_nodes)" "disks left after insmod $params"
	while read -r _ major_name; do
		if [[ "$major_name" == virtblkiosim ]]; then
			vbs_fail "block major still registered after insmod $params"
		fi
	done </proc/devices
done
echo "${mark}end" >/dev/kmsg

vbs_step "the kernel log names the parameter of each case"
# logged[i]: the lines our module logged after marker i, before the next
# marker, joined with " | ". One awk pass over the whole log: cutting a
# long string with bash patterns takes minutes in the emulated guest.
mapfile -t logged < <(dmesg | awk -v mark="$mark" -v n="${#cases[@]}" '
	{ p = index($0, mark) }
	p { i = substr($0, p + length(mark)); next }
	i != "" && i != "end" && /virtblkiosim: / {
		sub(/^.*virtblkiosim: /, "virtblkiosim: ")
		text[i] = text[i] (text[i] == "" ? "" : " | ") $0
	}
	END { for (c = 0; c < n; c++) print text[c] }')
vbs_expect_eq "${#cases[@]}" "${#logged[@]}" "cases found in the kernel log"
for ((i = 0; i < ${#cases[@]}; i++)); do
	read -r name params <<<"${cases[i]}"
	vbs_expect_match "virtblkiosim: .*${name}" "${logged[i]}" \
		"kernel log after insmod $params names $name"
	vbs_note "insmod $params: ${logged[i]}"
done
