#!/bin/bash
#
# vbsim_and_ioctl_abi_on_the_real_module: every vbsim subcommand against the
# loaded module. features, list, add, info, stats (and --reset), remove
# work; data written by the write ioctl is read back with O_DIRECT reads and
# data written with O_DIRECT writes is read back by the read ioctl, and each
# ioctl counts as one ioctl request in the statistics. Invalid requests fail
# with their exact errno (vbsim: exit 1 and strerror) or as usage errors
# (exit 2), and user nobody may list and show features but not add, write,
# remove or reset statistics (EPERM).
#
# Needs: the module, vbsim built in $VBS_BUILD/tools, jq, setpriv.
#
# vbs-tier: core

. "$(dirname "$0")/../lib.sh"

vbsim=$VBS_BUILD/tools/tools/vbsim/vbsim
[[ -x $vbsim ]] || vbs_skip "vbsim not built ($vbsim)"
command -v jq >/dev/null || vbs_skip "jq not installed"

# json_get JSON FILTER - print what the jq FILTER makes of JSON (compact).
# jq, not python3: it starts several times faster in the emulated guest.
json_get() {
	jq -c "$2" <<<"$1"
}

# expect_errno WHAT RC TEXT COMMAND... - COMMAND fails with exit status RC
# and prints "vbsim: ...: TEXT" (TEXT: the end of the message, a regex).
expect_errno() {
	local what=$1 want_rc=$2 text=$3 rc=0
	shift 3
	VBS_OUTPUT=$("$@" 2>&1) || rc=$?
	vbs_note "$what: exit $rc: $VBS_OUTPUT"
	vbs_expect_eq "$want_rc" "$rc" "exit status of $what"
	vbs_expect_match "^vbsim: .*$text" "$VBS_OUTPUT" "message of $what"
}

# ioctl_requests DEV OP - ops.OP.ioctl_requests of stats --json.
ioctl_requests() {
	vbs_run "$vbsim" stats "$1" --json
	json_get "$VBS_OUTPUT" ".ops.$2.ioctl_requests"
}

vbs_load capacity_mb=64
dev=$(vbs_dev 0)
lbs0=$(cat "/sys/block/${dev##*/}/queue/logical_block_size")

vbs_step "features and list"
vbs_run "$vbsim" features
vbs_note "$(tr '\n' ' ' <<<"$VBS_OUTPUT")"
vbs_run "$vbsim" features --json
vbs_expect_eq 1 "$(json_get "$VBS_OUTPUT" '.nr_devices')" "nr_devices in features"
vbs_expect_ge 1 "$(json_get "$VBS_OUTPUT" '.abi_version')" "abi_version in features"
vbs_run "$vbsim" list
vbs_expect_match "virtblkiosim0" "$VBS_OUTPUT" "list shows disk 0"
vbs_run "$vbsim" list --json
vbs_expect_eq "[0]" "$(json_get "$VBS_OUTPUT" '[.devices[].index]')" "indexes in list --json"

vbs_step "add a 64M disk of 4096-byte blocks"
vbs_run "$vbsim" add --size 64M --lbs 4096
vbs_expect_eq /dev/virtblkiosim1 "$VBS_OUTPUT" "path printed by add"
n=1
disk=$(vbs_dev $n)
vbs_wait_path "$disk"
vbs_expect_eq 67108864 "$(blockdev --getsize64 "$disk")" "size of the new disk"
vbs_expect_eq 4096 "$(blockdev --getss "$disk")" "logical block size of the new disk"
vbs_run "$vbsim" list --json
vbs_expect_eq "[0,1]" "$(json_get "$VBS_OUTPUT" '[.devices[].index]')" "indexes after add"

vbs_step "info and stats of the new disk"
vbs_run "$vbsim" info $n
vbs_expect_match "67108864" "$VBS_OUTPUT" "info shows the capacity"
vbs_run "$vbsim" info $n --json
info=$VBS_OUTPUT
vbs_expect_eq 67108864 "$(json_get "$info" '.config.capacity_bytes')" "capacity_bytes"
vbs_expect_eq 4096 "$(json_get "$info" '.config.logical_block_size')" "logical_block_size"
vbs_expect_eq 16384 "$(json_get "$info" '.block_count')" "block_count"
vbs_expect_eq $n "$(json_get "$info" '.index')" "index in info"
vbs_run "$vbsim" stats $n
vbs_run "$vbsim" stats $n --json
vbs_expect_eq true "$(json_get "$VBS_OUTPUT" 'has("since_ns") and has("in_flight") and has("pages_in_use")')" \
	"stats keys since_ns, in_flight, pages_in_use"
vbs_expect_eq '["discard","flush","read","write","write_zeroes"]' "$(json_get "$VBS_OUTPUT" '.ops | keys')" \
	"operations in stats"
vbs_expect_eq true \
	"$(json_get "$VBS_OUTPUT" '[.ops[] | has("requests") and has("bytes") and has("errors") and has("ioctl_requests")] | all')" \
	"keys of every operation in stats"

vbs_step "ioctl write, O_DIRECT read"
vbs_run "$vbsim" stats 0 --reset
vbs_expect_eq 0 "$(ioctl_requests 0 write)" "write ioctl requests after reset"
vbs_run "$vbsim" write 0 --lba 100 --count 8 --pattern 0xa5
vbs_expect_eq 1 "$(ioctl_requests 0 write)" "write ioctl requests after one vbsim write"
head -c $((8 * lbs0)) /dev/zero | tr '\0' '\245' >"$VBS_TMP/a5"
vbs_run dd if="$dev" of="$VBS_TMP/got-a5" bs="$lbs0" skip=100 count=8 iflag=direct status=none
vbs_expect_same_bytes "$VBS_TMP/a5" "$VBS_TMP/got-a5" "blocks 100-107 after vbsim write"

vbs_step "O_DIRECT write, ioctl read"
vbs_pattern "$VBS_TMP/rand" $((8 * lbs0))
vbs_run dd if="$VBS_TMP/rand" of="$dev" bs="$lbs0" seek=300 count=8 oflag=direct conv=notrunc status=none
before=$(ioctl_requests 0 read)
vbs_run "$vbsim" read 0 --lba 300 --count 8 --out "$VBS_TMP/got-rand"
vbs_expect_same_bytes "$VBS_TMP/rand" "$VBS_TMP/got-rand" "blocks 300-307 read by vbsim"
vbs_expect_eq $((before + 1)) "$(ioctl_requests 0 read)" "read ioctl requests after one vbsim read"
vbs_expect_eq 1 "$(ioctl_requests 0 write)" "dd writes are not ioctl requests"

vbs_step "invalid requests fail with their errno"
blocks0=$(($(blockdev --getsize64 "$dev") / lbs0))
expect_errno "write past the end" 1 "Invalid argument\$" \
	"$vbsim" write 0 --lba "$blocks0" --count 1 --pattern 0
expect_errno "read past the end" 1 "Invalid argument\$" \
	"$vbsim" read 0 --lba $((blocks0 - 1)) --count 2 --out "$VBS_TMP/x"
expect_errno "write of 0 blocks" 2 "--count: invalid count \"0\": must be at least 1" \
	"$vbsim" write 0 --lba 0 --count 0 --pattern 0
expect_errno "read of 0 blocks" 2 "--count: invalid count \"0\": must be at least 1" \
	"$vbsim" read 0 --lba 0 --count 0
expect_errno "remove of a missing index" 1 "No such device\$" "$vbsim" remove 7
expect_errno "add with a taken index" 1 "File exists\$" "$vbsim" add --index 0
exec 3<"$disk"
expect_errno "remove of an open disk" 1 "Device or resource busy\$" "$vbsim" remove $n
exec 3<&-
expect_errno "info on /dev/null" 1 "Inappropriate ioctl for device\$" "$vbsim" info /dev/null
vbs_run "$vbsim" add --size 16M --read-only --index 2
ro=$(vbs_dev 2)
vbs_wait_path "$ro"
vbs_run "$vbsim" info 2 --json
vbs_expect_eq true "$(json_get "$VBS_OUTPUT" ".config.read_only")" "read_only in info"
expect_errno "write to a read-only disk" 1 "Read-only file system\$" \
	"$vbsim" write 2 --lba 0 --count 1 --pattern 1
vbs_run "$vbsim" read 2 --lba 0 --count 1 --out "$VBS_TMP/ro"

vbs_step "user nobody may list but not change anything"
command -v setpriv >/dev/null || vbs_skip "setpriv not installed"
nobody=(setpriv --reuid=65534 --regid=65534 --clear-groups)
vbs_run "${nobody[@]}" id -u
vbs_expect_eq 65534 "$VBS_OUTPUT" "uid under setpriv"
# The disk nodes are 0600: let nobody open them so that the ioctl's own
# permission check is what refuses.
chmod 0666 "$dev"
vbs_run "${nobody[@]}" "$vbsim" features --json
vbs_expect_eq 3 "$(json_get "$VBS_OUTPUT" '.nr_devices')" "nr_devices as nobody"
vbs_run "${nobody[@]}" "$vbsim" list --json
vbs_expect_eq "[0,1,2]" "$(json_get "$VBS_OUTPUT" '[.devices[].index]')" "list as nobody"
expect_errno "add as nobody" 1 "Operation not permitted\$" "${nobody[@]}" "$vbsim" add --size 16M
expect_errno "write as nobody" 1 "Operation not permitted\$" \
	"${nobody[@]}" "$vbsim" write 0 --lba 0 --count 1 --pattern 1
expect_errno "remove as nobody" 1 "Operation not permitted\$" "${nobody[@]}" "$vbsim" remove 1
expect_errno "stats --reset as nobody" 1 "Operation not permitted\$" \
	"${nobody[@]}" "$vbsim" stats 0 --reset
vbs_expect_eq 1 "$(ioctl_requests 0 write)" "write ioctl requests after the refused ones"
vbs_expect_path "$disk" "disk 1 after the refused remove"

vbs_step "remove the added disks"
vbs_run "$vbsim" remove $n
vbs_run "$vbsim" remove 2
for i in 1 2; do
	for ((t = 0; t < 100; t++)); do
		[[ -e $(vbs_dev $i) ]] || break
		sleep 0.1
	done
	vbs_expect_no_path "$(vbs_dev $i)" "disk $i after remove"
done
vbs_run "$vbsim" list --json
vbs_expect_eq "[0]" "$(json_get "$VBS_OUTPUT" '[.devices[].index]')" "indexes after remove"
vbs_unload
