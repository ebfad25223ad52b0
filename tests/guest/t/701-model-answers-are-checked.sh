#!/bin/bash
#
# model_answers_are_checked: the kernel trusts nothing a model says. A
# descriptor describes its request exactly; an answer is applied once: a
# duplicate, a late answer, a wrong generation or an unknown slot is
# rejected and completes nothing; a malformed answer to a live request (a
# physical page past the store, a wrong map count, maps outside the array,
# an errno outside the protocol, a reserved field, a delay above the limit)
# fails that request with EIO instead of touching memory or hanging; an
# allowed errno reaches the submitter as is. The rejections are counted in
# sysfs.
#
# Needs: the module, vbs-modeltool.
#
# vbs-tier: full

. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../model/lib-model.sh"

vbs_load nr_devices=0
idx=$(model_add 16)

vbs_step "good, duplicate, late and malformed answers"
vbs_run model_tool answers "$idx"
printf '%s\n' "$VBS_OUTPUT" | sed 's/^/# /'
vbs_expect_ge 10 "$(model_attr "$idx" model_rejected)" "answers rejected"
vbs_expect_eq 0 "$(model_attr "$idx" model_pending)" "requests pending"

vbs_step "the disk is removed and the module unloads"
vbs_run "$VBS_VBSIM" remove "$idx"
vbs_unload
