#!/bin/bash
#
# ioctl_block_io_respects_the_open_mode: the block I/O ioctls honour how
# the disk was opened, as read(2) and write(2) do: VBS_IOC_WRITE on a
# descriptor opened O_RDONLY and VBS_IOC_READ on one opened O_WRONLY both
# fail with EBADF (and the read leaves the caller's buffer alone); each
# works on a descriptor opened for it.
#
# Needs: the module, vbs-simtool.
#
# vbs-tier: full

. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../sim/lib-sim.sh"

vbs_load nr_devices=1 capacity_mb=16
vbs_run sim_tool check-open-mode "$(vbs_dev 0)"
printf '%s\n' "$VBS_OUTPUT"
vbs_unload
