#!/bin/bash
#
# ioctl_reserved_fields_must_be_zero: every structure of the ioctl ABI
# with reserved fields or padding, through every ioctl that takes it, on
# the disks and the control node (model protocol included): the call is
# first made valid and accepted, then each reserved field (each element of
# an array on its own, its top byte set) is refused with EINVAL; answers
# with a reserved field set fail their request with EIO (the protocol's
# way to refuse an answer); reserved output fields (info, stats, sim
# settings, features, fault rules, request descriptors) come back zero over
# a buffer full of garbage. Prints one ok/FAIL line per field.
#
# Needs: the module, vbs-modeltool.
#
# vbs-tier: full

. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../model/lib-model.sh"

vbs_load nr_devices=0
plain=$(model_add 16 plain)
model=$(model_add 16)

vbs_step "reserved fields set: refused"
rc=0
out=$(model_tool check-reserved "$model" "$plain" 2>&1) || rc=$?
printf '%s\n' "$out" | grep -v '^ok ' || true
vbs_note "$(grep -c '^ok ' <<<"$out") fields checked ok"
((rc == 0)) || vbs_fail "check-reserved: $(grep -c '^FAIL' <<<"$out") failures (status $rc)"

vbs_step "the disks are removed and the module unloads"
vbs_run "$VBS_VBSIM" remove "$model"
vbs_run "$VBS_VBSIM" remove "$plain"
vbs_unload
