# shellcheck shell=bash
#
# lib.sh - helpers shared by the guest tests of virtblkiosim.
#
# Every tests/guest/t/NNN-name.sh sources this file first:
#
#     . "$(dirname "$0")/../lib.sh"
#
# It runs inside the test VM, as root, with the environment that
# tests/guest/run provides:
#
#   VBS_KO      absolute path of virtblkiosim.ko built for the running kernel
#   VBS_ROOT    repository root (also the working directory)
#   VBS_KERNEL  kernel line under test: 6.1, 6.12 or 7.3
#   VBS_OUT     a writable directory for artifacts (fio JSON, logs)
#
# What it gives a test:
#
#   * set -euo pipefail, and an EXIT trap that always leaves the system
#     clean: it kills the test's background jobs, closes descriptors open on
#     our disks, unmounts every filesystem mounted from them, unloads the
#     module and removes the test's temporary directory. A test that cannot
#     be cleaned up fails, because it would break the tests after it.
#   * vbs_load / vbs_unload: the module is loaded by each test itself, with
#     the parameters that test needs.
#   * assertions that print "expected X got Y" and fail the test;
#   * readers for sysfs attributes, /sys/block/X/stat and the module's own
#     attribute group;
#   * byte-exact I/O helpers (O_DIRECT reads and writes at byte offsets);
#   * vbs_fio: runs fio with JSON output and reports the bytes moved;
#   * kernel-log markers, to check what the kernel printed during a step.
#
# Output: plain lines; tests/guest/run turns each into a TAP diagnostic
# ("# expected 4096 got 512 (blockdev --getss)"); a skipped test's reason
# is what it gave vbs_skip. Exit status: 0 pass, 77 skip, else fail.
#
# Needs: bash, coreutils, util-linux, kmod (insmod, rmmod, modprobe),
# jq or python3 (fio's JSON), python3 (file trees; a slower shell loop
# without it), and fio for the tests that use it.

set -euo pipefail

readonly VBS_MOD=virtblkiosim
VBS_TEST=${0##*/}
VBS_TEST=${VBS_TEST%.sh}
readonly VBS_TEST

# ---------------------------------------------------------------------------
# Messages and results
# ---------------------------------------------------------------------------

# vbs_note MESSAGE... - print a diagnostic line.
vbs_note() {
	printf '%s\n' "$*"
}

# vbs_fail MESSAGE... - report why the test failed and exit with status 1.
vbs_fail() {
	printf 'FAIL: %s\n' "$*"
	exit 1
}

# vbs_skip REASON... - the test cannot run here (not a failure): exit 77.
# The reason is printed and written to VBS_SKIP_FILE (set by the runner),
# whence the runner puts it on the test's "# SKIP" line and matches it
# against tests/expected-skips (under CI an unexpected skip fails).
vbs_skip() {
	printf '%s\n' "$*"
	[[ -z ${VBS_SKIP_FILE:-} ]] || printf '%s\n' "$*" >"$VBS_SKIP_FILE" || true
	exit 77
}

# vbs_c_tool VAR SRC BUILT [CFLAGS...] - set the variable named VAR to a
# usable build of the test tool whose C source is SRC: BUILT (where
# `make guest-tools` put it on the host) when it is newer than SRC and the
# UAPI header, else SRC compiled into the test's scratch directory with the
# guest's compiler and CFLAGS. Skips the test when neither works.
vbs_c_tool() {
	local var=$1 src=$2 built=$3 out cc
	shift 3
	if [[ -x $built && $built -nt $src &&
		$built -nt $VBS_ROOT/include/uapi/linux/virtblkiosim.h ]]; then
		printf -v "$var" '%s' "$built"
		return
	fi
	out=$VBS_TMP/$(basename "$built")
	for cc in cc gcc clang; do
		command -v "$cc" >/dev/null || continue
		if "$cc" "$@" -I"$VBS_ROOT/include/uapi" -o "$out" "$src" \
			2>"$VBS_TMP/cc.log"; then
			printf -v "$var" '%s' "$out"
			return
		fi
		sed 's/^/# cc: /' "$VBS_TMP/cc.log" | head -n 20
	done
	vbs_skip "$(basename "$built"): not built (make guest-tools) and no C compiler"
}

# vbs_step MESSAGE... - announce the next step, so a failure is easy to place.
vbs_step() {
	printf '%s\n' "-- $*"
}

# --help: print the comment block at the top of the test and stop.
vbs__usage() {
	sed -n '2,/^[^#]/{/^#/!d;s/^# \{0,1\}//;p}' "$0"
}

case ${1-} in
-h | --help)
	vbs__usage
	exit 0
	;;
esac

# ---------------------------------------------------------------------------
# Assertions
# ---------------------------------------------------------------------------

# vbs_expect_eq EXPECTED GOT WHAT - fail unless GOT is exactly EXPECTED.
vbs_expect_eq() {
	if [[ "$1" != "$2" ]]; then
		printf 'expected %s got %s (%s)\n' "$1" "$2" "$3"
		vbs_fail "$3"
	fi
}

# vbs_expect_ne UNEXPECTED GOT WHAT - fail if GOT equals UNEXPECTED.
vbs_expect_ne() {
	if [[ "$1" == "$2" ]]; then
		printf 'expected anything but %s got %s (%s)\n' "$1" "$2" "$3"
		vbs_fail "$3"
	fi
}

# vbs_expect_ge MIN GOT WHAT - integers: fail unless GOT >= MIN.
vbs_expect_ge() {
	if ! (($2 >= $1)); then
		printf 'expected >= %s got %s (%s)\n' "$1" "$2" "$3"
		vbs_fail "$3"
	fi
}

# vbs_expect_gt MIN GOT WHAT - integers: fail unless GOT > MIN.
vbs_expect_gt() {
	if ! (($2 > $1)); then
		printf 'expected > %s got %s (%s)\n' "$1" "$2" "$3"
		vbs_fail "$3"
	fi
}

# vbs_expect_match REGEX TEXT WHAT - fail unless TEXT matches the extended
# regular expression REGEX somewhere (bash's =~, no process started).
vbs_expect_match() {
	if ! [[ "$2" =~ $1 ]]; then
		printf 'expected text matching /%s/ got:\n' "$1"
		printf '%s\n' "$2" | sed 's/^/    /'
		vbs_fail "$3"
	fi
}

# vbs_expect_path PATH WHAT - fail unless PATH exists.
vbs_expect_path() {
	if [[ ! -e "$1" ]]; then
		printf 'expected %s to exist, it does not (%s)\n' "$1" "$2"
		vbs_fail "$2"
	fi
}

# vbs_expect_no_path PATH WHAT - fail if PATH exists.
vbs_expect_no_path() {
	if [[ -e "$1" ]]; then
		printf 'expected %s not to exist, it does (%s)\n' "$1" "$2"
		vbs_fail "$2"
	fi
}

# vbs_run COMMAND... - run a command that must succeed. Its output is kept
# in VBS_OUTPUT (stdout and stderr together) and shown only on failure.
VBS_OUTPUT=
vbs_run() {
	local rc=0
	VBS_OUTPUT=$("$@" 2>&1) || rc=$?
	if ((rc != 0)); then
		printf 'command failed with status %d: %s\n' "$rc" "$*"
		printf '%s\n' "$VBS_OUTPUT" | tail -n 30 | sed 's/^/    /'
		vbs_fail "$*"
	fi
}

# vbs_expect_fail WHAT COMMAND... - run a command that must fail. Its output
# (stdout and stderr) is kept in VBS_OUTPUT for further checks.
vbs_expect_fail() {
	local what=$1 rc=0
	shift
	VBS_OUTPUT=$("$@" 2>&1) || rc=$?
	if ((rc == 0)); then
		printf 'expected failure got success: %s\n' "$*"
		printf '%s\n' "$VBS_OUTPUT" | tail -n 10 | sed 's/^/    /'
		vbs_fail "$what"
	fi
}

# ---------------------------------------------------------------------------
# Temporary files and artifacts
# ---------------------------------------------------------------------------

# VBS_TMP: scratch directory of this test (tmpfs in the VM), removed at exit.
# VBS_ART: where artifacts go that are worth keeping after a failure.
VBS_TMP=${TMPDIR:-/tmp}/vbs-$VBS_TEST.$$
VBS_ART=${VBS_OUT:-$VBS_TMP}/$VBS_TEST
mkdir -p "$VBS_TMP" "$VBS_ART"

# ---------------------------------------------------------------------------
# Cleanup: runs on every exit, whatever the test did
# ---------------------------------------------------------------------------

VBS__deferred=()

# vbs_defer COMMAND - run COMMAND (a string, evaluated) at exit, before the
# standard cleanup. The last deferred command runs first.
vbs_defer() {
	VBS__deferred+=("$1")
}

# Close every descriptor this shell holds open on one of our disks.
vbs__close_our_fds() {
	local link fd
	for link in "/proc/$$/fd/"*; do
		fd=${link##*/}
		[[ "$(readlink "$link" 2>/dev/null)" == /dev/$VBS_MOD* ]] || continue
		eval "exec $fd>&-"
	done
}

# Unmount every filesystem whose source is one of our disks, newest first.
vbs__umount_ours() {
	local src mnt
	while read -r src mnt; do
		[[ "$src" == /dev/$VBS_MOD* ]] || continue
		# /proc/mounts escapes blanks in paths as octal.
		mnt=$(printf '%b' "$mnt")
		umount "$mnt" 2>/dev/null || umount -l "$mnt"
	done < <(awk '{ print $1, $2 }' /proc/mounts | tac)
}

vbs__on_exit() {
	local rc=$? i pids
	trap - EXIT ERR
	set +e
	for ((i = ${#VBS__deferred[@]} - 1; i >= 0; i--)); do
		eval "${VBS__deferred[i]}"
	done
	pids=$(jobs -p)
	if [[ -n "$pids" ]]; then
		# shellcheck disable=SC2086 # one pid per word
		kill $pids 2>/dev/null
		wait 2>/dev/null
	fi
	vbs__close_our_fds
	vbs__umount_ours
	if vbs_module_loaded && ! vbs__rmmod_retry; then
		printf 'cleanup: could not unload %s: %s\n' "$VBS_MOD" "$VBS_OUTPUT"
		((rc == 0 || rc == 77)) && rc=1
	fi
	rm -rf "$VBS_TMP"
	exit "$rc"
}

# Say where a command failed under set -e before the EXIT trap runs.
vbs__on_err() {
	printf 'error: status %d at %s line %d: %s\n' "$1" "${2##*/}" "$3" "$4"
}

trap vbs__on_exit EXIT
set -o errtrace
trap 'vbs__on_err $? "${BASH_SOURCE[0]}" $LINENO "$BASH_COMMAND"' ERR
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------------------
# The module
# ---------------------------------------------------------------------------

# vbs_module_loaded - true if the module is in the running kernel.
vbs_module_loaded() {
	local name rest
	while read -r name rest; do
		[[ "$name" == "$VBS_MOD" ]] && return 0
	done </proc/modules
	return 1
}

# rmmod, retried for a few seconds: a device released just now (umount,
# a killed process) may take a moment to drop its reference.
vbs__rmmod_retry() {
	local i
	for ((i = 0; i < 20; i++)); do
		if VBS_OUTPUT=$(rmmod "$VBS_MOD" 2>&1); then
			return 0
		fi
		vbs_module_loaded || return 0
		sleep 0.25
	done
	return 1
}

# vbs_require_env - fail early when not started by tests/guest/run.
vbs_require_env() {
	[[ -n "${VBS_KO-}" ]] || vbs_fail "VBS_KO is not set (run me through tests/guest/run)"
	[[ -f "$VBS_KO" ]] || vbs_fail "VBS_KO=$VBS_KO: no such file"
	[[ $EUID -eq 0 ]] || vbs_skip "needs root"
}

# vbs_load [PARAM=VALUE...] - insert the module with these parameters and
# wait until its disks are in /sys/block and /dev. A module left loaded by an
# earlier test is unloaded first.
vbs_load() {
	local arg nr=1 i
	vbs_require_env
	if vbs_module_loaded; then
		vbs_note "module still loaded before this test: unloading it"
		vbs__rmmod_retry || vbs_fail "stale module cannot be unloaded: $VBS_OUTPUT"
	fi
	for arg in "$@"; do
		if [[ "$arg" == nr_devices=* ]]; then
			nr=${arg#nr_devices=}
		fi
	done
	vbs_run insmod "$VBS_KO" "$@"
	for ((i = 0; i < nr; i++)); do
		vbs_wait_path "/sys/block/$VBS_MOD$i"
		vbs_wait_path "/dev/$VBS_MOD$i"
	done
}

# vbs_unload - remove the module; the test fails if it cannot be removed.
vbs_unload() {
	vbs__rmmod_retry || vbs_fail "rmmod $VBS_MOD: $VBS_OUTPUT"
}

# vbs_wait_path PATH [SECONDS] - wait for PATH to appear (default 10 s).
vbs_wait_path() {
	local path=$1 tries=$((${2:-10} * 10))
	while [[ ! -e "$path" ]]; do
		((tries-- > 0)) || vbs_fail "$path did not appear"
		sleep 0.1
	done
}

# vbs_dev [N] - path of disk N (default 0).
vbs_dev() {
	printf '/dev/%s%d\n' "$VBS_MOD" "${1:-0}"
}

# vbs_our_nodes - list every /dev and /sys/block entry of ours (one a line).
vbs_our_nodes() {
	local p
	for p in /dev/"$VBS_MOD"[0-9]* /sys/block/"$VBS_MOD"*; do
		[[ -e "$p" ]] && printf '%s\n' "$p"
	done
	return 0
}

# ---------------------------------------------------------------------------
# sysfs
# ---------------------------------------------------------------------------

# vbs_sys N ATTR - read /sys/block/virtblkiosimN/ATTR (e.g. queue/rotational).
vbs_sys() {
	local path=/sys/block/$VBS_MOD$1/$2
	local -a lines
	[[ -r "$path" ]] || vbs_fail "$path: no such attribute"
	mapfile -t lines <"$path"
	printf '%s\n' "${lines[@]}"
}

# vbs_attr N NAME - read the module's own attribute
# /sys/block/virtblkiosimN/virtblkiosim/NAME.
vbs_attr() {
	vbs_sys "$1" "$VBS_MOD/$2"
}

# vbs_pages_in_use N - store pages of disk N that hold data.
vbs_pages_in_use() {
	vbs_attr "$1" pages_in_use
}

# vbs_stat N FIELD - field FIELD (1-based) of /sys/block/virtblkiosimN/stat:
# 1 reads completed, 3 sectors read, 5 writes completed, 7 sectors written,
# 9 in flight, 12 discards completed, 14 sectors discarded, 16 flushes.
vbs_stat() {
	local -a f
	read -r -a f <"/sys/block/$VBS_MOD$1/stat"
	((${#f[@]} >= $2)) || vbs_fail "/sys/block/$VBS_MOD$1/stat has no field $2"
	printf '%s\n' "${f[$2 - 1]}"
}

# ---------------------------------------------------------------------------
# Byte-exact I/O on a disk (O_DIRECT, so the page cache never answers)
# ---------------------------------------------------------------------------

# vbs_pattern FILE BYTES - make FILE hold BYTES of random data. Random data
# makes every sector distinct, so a sector written to the wrong place or
# read from the wrong place never compares equal by accident.
vbs_pattern() {
	head -c "$2" /dev/urandom >"$1"
}

# vbs_dd_write SRC SRC_OFF DEV DEV_OFF LEN - copy LEN bytes from file SRC at
# byte SRC_OFF to DEV at byte DEV_OFF with O_DIRECT writes.
vbs_dd_write() {
	vbs_run dd if="$1" of="$3" bs=1M iflag=skip_bytes,count_bytes skip="$2" \
		count="$5" oflag=direct,seek_bytes seek="$4" conv=notrunc status=none
}

# vbs_dd_read DEV DEV_OFF LEN OUT - read LEN bytes of DEV at byte DEV_OFF
# with O_DIRECT reads into file OUT.
vbs_dd_read() {
	# dd reports "N bytes (...) copied" on stderr, which vbs_run keeps.
	vbs_run dd if="$1" of="$4" bs=1M iflag=direct,skip_bytes,count_bytes \
		skip="$2" count="$3"
	[[ "$VBS_OUTPUT" =~ ([0-9]+)\ bytes ]] ||
		vbs_fail "no byte count from dd: $VBS_OUTPUT"
	vbs_expect_eq "$3" "${BASH_REMATCH[1]}" "bytes read from $1 at $2"
}

# vbs_model_write SRC SRC_OFF MODEL DEV_OFF LEN - apply the same write to a
# plain file that models what the disk should contain.
vbs_model_write() {
	vbs_run dd if="$1" of="$3" bs=1M iflag=skip_bytes,count_bytes skip="$2" \
		count="$5" oflag=seek_bytes seek="$4" conv=notrunc status=none
}

# vbs_model_zero MODEL OFF LEN - the model of a discard or write-zeroes.
vbs_model_zero() {
	vbs_run dd if=/dev/zero of="$1" bs=1M iflag=count_bytes count="$3" \
		oflag=seek_bytes seek="$2" conv=notrunc status=none
}

# vbs_expect_same_bytes EXPECTED_FILE GOT_FILE WHAT - byte-for-byte equal.
vbs_expect_same_bytes() {
	local diff
	if ! diff=$(cmp -- "$1" "$2" 2>&1); then
		printf 'expected the bytes of %s got different ones: %s\n' "$1" "$diff"
		vbs_fail "$3"
	fi
}

# vbs_expect_disk_equals DEV DEV_OFF FILE FILE_OFF LEN WHAT - the disk holds
# at DEV_OFF the LEN bytes that FILE holds at FILE_OFF.
vbs_expect_disk_equals() {
	local got=$VBS_TMP/disk-read diff
	vbs_dd_read "$1" "$2" "$5" "$got"
	if ! diff=$(cmp -i "$4:0" -n "$5" -- "$3" "$got" 2>&1); then
		printf 'expected %s at byte %s to hold the %s bytes at byte %s of %s, got others: %s\n' \
			"$1" "$2" "$5" "$4" "$3" "$diff"
		vbs_fail "$6"
	fi
}

# vbs_expect_disk_zeros DEV OFF LEN WHAT - the disk reads as zeros there.
vbs_expect_disk_zeros() {
	local got=$VBS_TMP/disk-read diff
	vbs_dd_read "$1" "$2" "$3" "$got"
	if ! diff=$(cmp -n "$3" -- "$got" /dev/zero 2>&1); then
		printf 'expected %s zero bytes at %s got data: %s\n' "$3" "$2" "$diff"
		vbs_fail "$4"
	fi
}

# vbs_drop_caches - write back and drop the page cache, dentries and inodes.
vbs_drop_caches() {
	sync
	echo 3 >/proc/sys/vm/drop_caches
}

# ---------------------------------------------------------------------------
# Kernel log
# ---------------------------------------------------------------------------

VBS__mark=

# vbs_kmsg_mark - write a unique marker line to the kernel log.
vbs_kmsg_mark() {
	VBS__mark="vbs-test-mark $VBS_TEST $$ $RANDOM$RANDOM"
	echo "$VBS__mark" >/dev/kmsg
}

# vbs_kmsg_since_mark - print the kernel log lines after the last marker.
vbs_kmsg_since_mark() {
	[[ -n "$VBS__mark" ]] || vbs_fail "vbs_kmsg_since_mark without vbs_kmsg_mark"
	dmesg | awk -v mark="$VBS__mark" 'found { print } index($0, mark) { found = 1 }'
}

# ---------------------------------------------------------------------------
# Filesystems
# ---------------------------------------------------------------------------

# vbs__has_fs TYPE - true if /proc/filesystems lists TYPE.
vbs__has_fs() {
	local a b
	while read -r a b; do
		[[ "${b:-$a}" == "$1" ]] && return 0
	done </proc/filesystems
	return 1
}

# vbs_need_fs TYPE - make sure the running kernel has filesystem TYPE
# (Debian builds ext4 and xfs as modules); skip the test if it cannot.
vbs_need_fs() {
	vbs__has_fs "$1" && return 0
	modprobe "$1" >/dev/null 2>&1 || true
	vbs__has_fs "$1" ||
		vbs_skip "filesystem $1 not available in kernel $(uname -r)"
}

# vbs_mount DEV DIR [OPTIONS] - mount DEV on DIR (created if needed). The
# exit trap unmounts it if the test does not.
vbs_mount() {
	mkdir -p "$2"
	vbs_run mount ${3:+-o "$3"} "$1" "$2"
}

# vbs_make_tree DIR NDIRS FILES_PER_DIR NLARGE LARGE_MIB - fill DIR with a
# tree of random files: NDIRS directories of FILES_PER_DIR files of 0 to
# 64 KiB (sizes chosen at random, mostly not multiples of the block size),
# plus NLARGE files of LARGE_MIB MiB at the top. One python3 process writes
# them all (starting a process per file is slow in an emulated guest); a
# shell loop does it where there is no python3.
vbs_make_tree() {
	if command -v python3 >/dev/null; then
		python3 - "$@" <<-'EOF'
			import os, random, sys
			top, ndirs, nfiles, nlarge, large_mib = sys.argv[1], *map(int, sys.argv[2:])
			for d in range(ndirs):
			    sub = os.path.join(top, f"d{d}", "sub")
			    os.makedirs(sub)
			    for f in range(nfiles):
			        with open(os.path.join(sub, f"f{f}"), "wb") as out:
			            out.write(os.urandom(random.randrange(65536)))
			for f in range(nlarge):
			    with open(os.path.join(top, f"large{f}"), "wb") as out:
			        for _ in range(large_mib):
			            out.write(os.urandom(1 << 20))
		EOF
		return
	fi
	local dir=$1 d f
	for ((d = 0; d < $2; d++)); do
		mkdir -p "$dir/d$d/sub"
		for ((f = 0; f < $3; f++)); do
			head -c $((RANDOM * 2 + RANDOM % 2)) /dev/urandom >"$dir/d$d/sub/f$f"
		done
	done
	for ((f = 0; f < $4; f++)); do
		head -c $(($5 << 20)) /dev/urandom >"$dir/large$f"
	done
}

# vbs_tree_manifest DIR OUT - write the MD5 of every file under DIR, with
# paths relative to DIR, sorted, to OUT. MD5 finds any accidental change
# and costs far less than SHA-256 on an emulated CPU.
vbs_tree_manifest() {
	(cd "$1" && find . -type f -print0 | sort -z | xargs -0 md5sum) >"$2"
}

# vbs_expect_tree DIR MANIFEST WHAT - every file of MANIFEST is in DIR with
# the same content, and DIR holds no other file.
vbs_expect_tree() {
	local bad nfiles expected
	if ! bad=$(cd "$1" && md5sum --quiet -c "$2" 2>&1); then
		printf 'expected the checksums of %s got mismatches:\n' "$2"
		printf '%s\n' "$bad" | head -n 20 | sed 's/^/    /'
		vbs_fail "$3"
	fi
	expected=$(wc -l <"$2")
	nfiles=$(find "$1" -type f | wc -l)
	vbs_expect_eq "$expected" "$nfiles" "number of files in $1 ($3)"
}

# ---------------------------------------------------------------------------
# fio
# ---------------------------------------------------------------------------

# vbs_need_fio - skip the test when fio is not installed.
vbs_need_fio() {
	command -v fio >/dev/null || vbs_skip "fio not installed"
}

# vbs_fio_async_engine DEV - the asynchronous fio engine that works here:
# io_uring if the kernel allows it, else libaio. Probed once per test with
# a 4 KiB direct read of DEV (each fio costs seconds to start in the
# emulated guest); the answer is kept in a file, since callers take it
# from a command substitution, whose variables die with it.
vbs_fio_async_engine() {
	local engine cache=$VBS_TMP/fio-async-engine
	if [[ -s $cache ]]; then
		read -r engine <"$cache"
		printf '%s\n' "$engine"
		return 0
	fi
	for engine in io_uring libaio; do
		if fio --name=probe --filename="$1" --ioengine="$engine" \
			--direct=1 --rw=read --bs=4k --size=4k \
			--output=/dev/null >/dev/null 2>&1; then
			printf '%s\n' "$engine" >"$cache"
			printf '%s\n' "$engine"
			return 0
		fi
	done
	vbs_fail "neither io_uring nor libaio works with fio"
}

# Print "written read trimmed errors jobs syncs" summed over the jobs of a fio JSON
# report, with jq (quick to start) or python3. fio may print warnings before
# the JSON object: skip them.
vbs__fio_json_sum() {
	if command -v jq >/dev/null; then
		sed -n '/^{/,$p' "$1" | jq -r '.jobs |
			[(map(.write.io_bytes) | add), (map(.read.io_bytes) | add),
			 (map(.trim.io_bytes) | add), (map(.error) | add), length,
			 (map(.sync.total_ios // 0) | add)] |
			@tsv'
	elif command -v python3 >/dev/null; then
		python3 - "$1" <<-'EOF'
			import json, sys
			text = open(sys.argv[1]).read()
			start = 0 if text.startswith("{") else text.index("\n{") + 1
			jobs = json.loads(text[start:])["jobs"]
			total = lambda d: sum(j[d]["io_bytes"] for j in jobs)
			errors = sum(j["error"] for j in jobs)
			syncs = sum(j.get("sync", {}).get("total_ios", 0) for j in jobs)
			print(total("write"), total("read"), total("trim"), errors, len(jobs), syncs)
		EOF
	else
		vbs_skip "neither python3 nor jq to read fio's JSON"
	fi
}

# vbs_fio LABEL FIO_ARGS... - run fio, which must succeed and report no job
# error. Sets VBS_FIO_WRITTEN, VBS_FIO_READ, VBS_FIO_TRIMMED (bytes, summed
# over jobs), VBS_FIO_SYNCS (fsync calls) and VBS_FIO_JOBS. The JSON report
# is kept in VBS_ART.
VBS_FIO_WRITTEN=0
VBS_FIO_READ=0
VBS_FIO_TRIMMED=0
VBS_FIO_JOBS=0
VBS_FIO_SYNCS=0
vbs_fio() {
	local label=$1 json log rc=0 sums errors
	shift
	json=$VBS_ART/fio-$label.json
	log=$VBS_ART/fio-$label.log
	# No verify state file: fio would write it to the working directory
	# (the repository, read-only in the VM) when a verify fails.
	fio --output-format=json --output="$json" --verify_state_save=0 "$@" \
		>"$log" 2>&1 || rc=$?
	if ((rc != 0)); then
		printf 'fio %s failed with status %d: fio %s\n' "$label" "$rc" "$*"
		# fio's messages: on stdout/stderr, and in the report before
		# the JSON object.
		{ cat "$log"; sed '/^{/,$d' "$json"; } 2>/dev/null |
			tail -n 30 | sed 's/^/    /' || true
		vbs_fail "fio $label"
	fi
	sums=$(vbs__fio_json_sum "$json")
	read -r VBS_FIO_WRITTEN VBS_FIO_READ VBS_FIO_TRIMMED errors VBS_FIO_JOBS \
		VBS_FIO_SYNCS <<<"$sums"
	vbs_note "fio $label: jobs=$VBS_FIO_JOBS written=$VBS_FIO_WRITTEN" \
		"read=$VBS_FIO_READ trimmed=$VBS_FIO_TRIMMED syncs=$VBS_FIO_SYNCS" \
		"errors=$errors"
	vbs_expect_eq 0 "$errors" "fio $label job errors"
}
