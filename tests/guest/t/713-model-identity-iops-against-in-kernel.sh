#!/bin/bash
#
# model_identity_iops_against_in_kernel: the cost of the model path,
# measured: 4 KiB random reads at QD1 (psync) and QD32 on an in-kernel disk
# and on a model disk served by `vbsim model run identity` (1 thread at QD1,
# 2 at QD32), same size, both written first. The figures and their ratio go
# to $VBS_OUT/model-report-<kernel>.txt; the test only checks that both
# paths deliver (timing is not asserted in tests, see bench/).
#
# Needs: fio, python3, the module, vbsim built on the host.

. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../sim/lib-sim.sh"
. "$(dirname "$0")/../model/lib-model.sh"

vbs_need_fio
command -v python3 >/dev/null || vbs_skip "python3 not installed"
[[ -x $VBS_VBSIM ]] || vbs_skip "vbsim not built ($VBS_VBSIM)"
vbs_load nr_devices=1 capacity_mb=64
ref=$(vbs_dev 0)
vbs_run "$VBS_VBSIM" add --model --size 64M
dev=$VBS_OUTPUT
idx=${dev#/dev/"$VBS_MOD"}
report=${VBS_OUT:-$VBS_TMP}/model-report-${VBS_KERNEL:-unknown}.txt

# iops LABEL DEV ENGINE DEPTH - 4 KiB random read IOPS over 5 s (fio's
# notes go to stderr: stdout is the figure).
iops() {
	vbs_fio "$1" --name="$1" --filename="$2" --direct=1 --ioengine="$3" \
		--iodepth="$4" --rw=randread --bs=4k --size=32M \
		--time_based --runtime=5 --ramp_time=1 >&2
	sim_fio_rate "$VBS_ART/fio-$1.json" read | cut -d' ' -f1
}

model_vbsim_start identity identity "$idx" --threads 2
engine=$(vbs_fio_async_engine "$dev")
vbs_run dd if=/dev/urandom of="$ref" bs=1M count=32 oflag=direct
vbs_run dd if="$ref" of="$dev" bs=1M count=32 oflag=direct

for qd in 1 32; do
	vbs_step "4 KiB random reads at QD$qd"
	[[ $qd == 1 ]] && eng=psync || eng=$engine
	kernel_iops=$(iops "kernel-qd$qd" "$ref" "$eng" "$qd")
	model_iops=$(iops "model-qd$qd" "$dev" "$eng" "$qd")
	vbs_expect_gt 0 "$kernel_iops" "in-kernel IOPS"
	vbs_expect_gt 0 "$model_iops" "identity model IOPS"
	ratio=$(python3 -c "print(f'{$model_iops / $kernel_iops:.2f}')")
	line="randread 4k QD$qd: in-kernel $kernel_iops IOPS, identity model $model_iops IOPS, ratio $ratio"
	printf '%s\n' "$line" >>"$report"
	vbs_note "report: $line"
done
model_stop TERM
vbs_expect_eq 0 "$MODEL_RC" "model exit status"
vbs_run "$VBS_VBSIM" remove "$dev"
vbs_unload
