#!/bin/bash
#
# ioctl_privileged_commands_refuse_users: every command of the ABI, from
# one table in vbs-simtool (check-privilege), on the node that serves it:
# run as user nobody (with the disk node opened up to 0666, so that the
# ioctl's own check is what refuses), each command that changes anything
# (writes, statistics reset, engine settings, fault rules, power cut, disk
# add and remove, the model commands) fails with EPERM and each read-only
# one is served; run as root, none is refused for privilege. Every number
# of the 0xB9 space that the table does not list is ENOTTY on both nodes,
# in every direction, so a command added to the module and forgotten in
# the table fails here. Nothing the calls tried changed anything: one
# disk, its data, its settings, no fault rule.
#
# Needs: the module, vbs-simtool, setpriv (util-linux).
#
# vbs-tier: full

. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../sim/lib-sim.sh"

vbs_load capacity_mb=16 write_cache=1
dev=$(vbs_dev 0)
ctl=/dev/virtblkiosim-control
pattern=$VBS_TMP/pattern
vbs_pattern "$pattern" $((1 << 20))
vbs_dd_write "$pattern" 0 "$dev" 0 $((1 << 20))
settings=$(sim_tool get "$dev")

# The tool where user nobody may run it (the test's scratch directory is
# root's alone).
sim_tool features "$dev" >/dev/null
tool=/tmp/vbs-simtool-603
install -m 0755 "$SIM_TOOL" "$tool"
nobody=(setpriv --reuid=65534 --regid=65534 --clear-groups)
chmod 0666 "$dev"

vbs_step "as root: no command is refused for privilege"
vbs_run "$tool" check-privilege "$dev" "$ctl" root
vbs_note "$(grep -c '^ok ' <<<"$VBS_OUTPUT") commands served, $(sim_get unknown_numbers "$VBS_OUTPUT") other numbers ENOTTY"

vbs_step "as nobody: every command that changes anything is EPERM"
vbs_run "${nobody[@]}" "$tool" check-privilege "$dev" "$ctl" user
vbs_expect_eq 0 "$(sim_get failures "$VBS_OUTPUT")" "failures as nobody"

vbs_step "nothing changed"
chmod 0600 "$dev"
vbs_expect_eq "/dev/virtblkiosim0" "$(ls /dev/virtblkiosim[0-9]* | tr '\n' ' ' | sed 's/ $//')" \
	"disk nodes after the calls"
vbs_expect_disk_equals "$dev" 0 "$pattern" 0 $((1 << 20)) "disk 0 data after the calls"
vbs_expect_eq "$settings" "$(sim_tool get "$dev")" "engine settings after the calls"
vbs_expect_eq "count=0" "$(sim_tool fault-list "$dev")" "fault rules after the calls"
rm -f "$tool"
vbs_unload
