# shellcheck shell=bash
# tests/vm/lib.sh - shared helpers of the QEMU test harness (sourced, not run).
#
# Knows the kernel matrix (6.1, 6.12, 7.3), where each kernel's image,
# modules and headers live, how a module is built for it (on the host, or
# inside the trixie chroot for kernels whose headers need a newer toolchain),
# the cache directory, and the Debian mirror this machine's apt uses.
#
# Used by scripts/install-deps and everything in tests/vm/.
# Needs: bash, dpkg-query, coreutils.
# shellcheck disable=SC2034 # the variables set here are used by the sourcers

# The repository root: two levels above this file.
VBS_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

# Everything downloaded or generated outside the repository lives here:
#   kernels/<release>/vmlinuz, kernels/<release>/lib/modules/<release>/
#   trixie/                 debootstrap'd chroot that builds modules for 7.3
#   initramfs/<release>.cpio.gz
#   linux-source-6.12/      scripts/ of the kernel source (checkpatch.pl)
#   debug-6.12/<key>/       the debug kernel (see scripts/build-debug-kernel)
VBS_CACHE_DIR=${VBS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/virtblkiosim}
VBS_TRIXIE=$VBS_CACHE_DIR/trixie
# The debug kernel (scripts/build-debug-kernel): not part of the matrix.
VBS_DEBUG_NAME=6.12-debug
VBS_DEBUG_DIR=$VBS_CACHE_DIR/debug-6.12

# The kernel matrix, one line per kernel:
#   name  where-built  headers-meta-package  image-meta-package  apt-target
#   tier
# "host" kernels get their headers from this machine's apt (bookworm and
# bookworm-security); "trixie" kernels are installed into the trixie chroot
# from the given suite, because their headers need gcc-14 and glibc >= 2.38.
# The tier is the part of the guest suite `make check` runs on the kernel
# (tests/guest/run, VBS_TIER): "full" is every test, "core" the tests whose
# file declares "# vbs-tier: core" (each test declares its tier).  A name
# ending in -rt is the PREEMPT_RT flavour of that release.
VBS_MATRIX=(
	"6.1    host   linux-headers-amd64      linux-image-amd64      bookworm          core"
	"6.12   host   linux-headers-6.12-amd64 linux-image-6.12-amd64 bookworm-security full"
	"7.3    trixie linux-headers-amd64      linux-image-amd64      trixie-backports  full"
	"7.3-rt trixie linux-headers-rt-amd64   linux-image-rt-amd64   trixie-backports  core"
)

# The long-term-support series after 6.12, oldest first (add each new one
# when kernel.org names it).  scripts/install-deps looks in the trixie
# chroot's archives (trixie, -updates, -security, -backports) for the
# headers of each; the newest series Debian has headers for joins the
# matrix, core tier, as the line it records in $VBS_CACHE_DIR/matrix-lts
# (removed again when none has headers).  So 6.18, whose headers Debian
# does not carry yet (only its signed image, in trixie-backports), is
# tested from the first install-deps after they appear.
VBS_LTS_SERIES=(6.18)
VBS_LTS_FILE=$VBS_CACHE_DIR/matrix-lts
VBS_LTS_LINE=""
if [[ -r $VBS_LTS_FILE ]]; then
	VBS_LTS_LINE=$(head -n 1 "$VBS_LTS_FILE")
	[[ -n $VBS_LTS_LINE ]] && VBS_MATRIX+=("$VBS_LTS_LINE")
fi

# vbs_kernel_names - print the matrix names, one per line.
vbs_kernel_names() {
	local line
	for line in "${VBS_MATRIX[@]}"; do
		echo "${line%% *}"
	done
}

# vbs_die MESSAGE... - print to stderr and exit 1.
vbs_die() {
	echo "${0##*/}: error: $*" >&2
	exit 1
}

# vbs_now - seconds since the epoch, with fractions.
vbs_now() {
	echo "${EPOCHREALTIME:-$(date +%s.%N)}"
}

# vbs_elapsed START - seconds since START (from vbs_now), one decimal.
vbs_elapsed() {
	awk -v s="$1" -v e="$(vbs_now)" 'BEGIN { printf "%.1f", e - s }'
}

# vbs_matrix_fields NAME - set M_WHERE, M_HDR, M_IMG, M_SUITE, M_TIER for
# NAME.
vbs_matrix_fields() {
	local line name
	for line in "${VBS_MATRIX[@]}"; do
		read -r name M_WHERE M_HDR M_IMG M_SUITE M_TIER <<<"$line"
		[[ $name == "$1" ]] && return 0
	done
	vbs_die "unknown kernel '$1' (known: $(vbs_kernel_names | tr '\n' ' '))"
}

# vbs_meta_release ADMINDIR PACKAGE - the kernel release a linux-headers or
# linux-image meta-package points at, from its Depends in the dpkg database
# ADMINDIR ("" for the host's).  Prints nothing if it is not installed.
vbs_meta_release() {
	local admindir=$1 pkg=$2 kind status dep
	local -a opt=()
	[[ -n $admindir ]] && opt=(--admindir="$admindir")
	status=$(dpkg-query "${opt[@]}" -W -f='${db:Status-Abbrev}' "$pkg" 2>/dev/null) || return 0
	[[ $status == ii* ]] || return 0
	# Not a meta-package but the headers of one release (an LTS line of
	# matrix-lts): linux-headers-6.18.5+deb13-amd64 -> 6.18.5+deb13-amd64.
	if [[ $pkg =~ ^linux-headers-([0-9]+\.[0-9]+\.[0-9]+[^-]*-.*amd64)$ ]]; then
		echo "${BASH_REMATCH[1]}"
		return 0
	fi
	kind=${pkg%%-[0-9]*}          # linux-headers-6.12-amd64 -> linux-headers
	kind=${kind%-amd64}
	kind=${kind%-rt}              # linux-headers-rt-amd64 -> linux-headers
	# "linux-base-amd64 (= 7.3.4-1), linux-headers-7.3.4+deb13-amd64 (= 7.3.4-1)"
	# -> "7.3.4+deb13-amd64"
	dpkg-query "${opt[@]}" -W -f='${Depends}\n' "$pkg" | tr ',' '\n' |
		while read -r dep _; do
			if [[ $dep == "$kind"-[0-9]* ]]; then
				echo "${dep#"$kind"-}"
				break
			fi
		done
}

# vbs_kernel NAME - resolve a matrix name and set:
#   K_NAME     the matrix name (6.1, 6.12, 7.3)
#   K_REL      the exact release (uname -r), e.g. 6.1.0-56-amd64
#   K_WHERE    host | trixie: where the module is built
#   K_ROOT     "" for host, the chroot directory for trixie
#   K_KDIR     the kernel build directory, as seen from where it is built
#   K_VMLINUZ  the kernel image to boot (cache first, then /boot)
#   K_MODDIR   the kernel's modules directory on the host (cache, then /lib)
#   K_APPEND   extra kernel command line options ("" but for the debug kernel)
# NAME may also be $VBS_DEBUG_NAME, the debug kernel (vbs_debug_kernel).
# Fails with a hint to run scripts/install-deps when the headers are missing.
# The image and modules may be missing (K_VMLINUZ/K_MODDIR are then "").
vbs_kernel() {
	local admindir=""
	K_APPEND=""
	if [[ $1 == "$VBS_DEBUG_NAME" ]]; then
		vbs_debug_kernel
		return 0
	fi
	vbs_matrix_fields "$1"
	K_NAME=$1
	K_WHERE=$M_WHERE
	K_ROOT=""
	if [[ $K_WHERE == trixie ]]; then
		K_ROOT=$VBS_TRIXIE
		admindir=$K_ROOT/var/lib/dpkg
		[[ -d $admindir ]] ||
			vbs_die "kernel $1: no trixie chroot at $K_ROOT (run scripts/install-deps)"
	fi
	K_REL=$(vbs_meta_release "$admindir" "$M_HDR")
	[[ -n $K_REL ]] ||
		vbs_die "kernel $1: $M_HDR is not installed${K_ROOT:+ in $K_ROOT} (run scripts/install-deps)"
	# 6.12 -> 6.12.117+deb12-amd64; 7.3-rt -> 7.3.4+deb13-rt-amd64.
	case $K_NAME:$K_REL in
	*-rt:"${K_NAME%-rt}".*-rt-amd64 | *-rt:"${K_NAME%-rt}"-*-rt-amd64) ;;
	*-rt:*) echo "${0##*/}: note: matrix name $K_NAME resolves to $K_REL" >&2 ;;
	*:"$K_NAME".* | *:"$K_NAME"-*) ;;
	*) echo "${0##*/}: note: matrix name $K_NAME resolves to $K_REL" >&2 ;;
	esac
	K_KDIR=/lib/modules/$K_REL/build
	[[ -e $K_ROOT$K_KDIR/Makefile ]] ||
		vbs_die "kernel $1: no headers at $K_ROOT$K_KDIR (run scripts/install-deps)"

	local cache=$VBS_CACHE_DIR/kernels/$K_REL
	K_VMLINUZ="" K_MODDIR=""
	if [[ -f $cache/.complete ]]; then
		K_VMLINUZ=$cache/vmlinuz
		K_MODDIR=$cache/lib/modules/$K_REL
	elif [[ -z $K_ROOT && -r /boot/vmlinuz-$K_REL && -d /lib/modules/$K_REL/kernel ]]; then
		# A kernel installed on the host the ordinary way works too.
		K_VMLINUZ=/boot/vmlinuz-$K_REL
		K_MODDIR=/lib/modules/$K_REL
	fi
}

# vbs_debug_source_version - the installed version of linux-source-6.12.
vbs_debug_source_version() {
	dpkg-query -W -f='${Version}' linux-source-6.12 2>/dev/null || true
}

# vbs_linux_source - print the directory of linux-source-6.12 unpacked in
# the cache (debug-6.12/src/, shared by the debug kernel and the clang
# build of scripts/check-kernel), unpacking the package's tarball first if
# it is missing or of another version of the package.
vbs_linux_source() {
	local ver dir=$VBS_DEBUG_DIR/src/linux-source-6.12 tmp
	local tarball=/usr/src/linux-source-6.12.tar.xz
	ver=$(vbs_debug_source_version)
	[[ -n $ver ]] || vbs_die "linux-source-6.12 is not installed (run scripts/install-deps)"
	if [[ -f $dir/.vbs-version && $(<"$dir/.vbs-version") == "$ver" ]]; then
		echo "$dir"
		return 0
	fi
	[[ -r $tarball ]] || vbs_die "no $tarball (apt-get install linux-source-6.12)"
	echo "vbs: unpacking $tarball ($ver)" >&2
	tmp=$VBS_DEBUG_DIR/src.tmp
	rm -rf "$tmp" "$dir"
	mkdir -p "$tmp" "$VBS_DEBUG_DIR/src"
	tar -C "$tmp" -xf "$tarball"
	mv "$tmp/linux-source-6.12" "$dir"
	rmdir "$tmp"
	echo "$ver" >"$dir/.vbs-version"
	echo "$dir"
}

# vbs_debug_key - the name of the debug kernel's build directory: a hash of
# what decides its contents (the config fragments, the source version and
# the recipe's version, to be bumped when scripts/build-debug-kernel builds
# differently).  A changed fragment thus names a build that is not there.
vbs_debug_key() {
	local h
	h=$( {
		echo "recipe 1"
		vbs_debug_source_version
		cat "$VBS_REPO/tests/debug/trim.config" "$VBS_REPO/tests/debug/debug.config"
	} | sha256sum)
	echo "${h:0:16}"
}

# vbs_debug_kernel - vbs_kernel for the debug kernel: the module builds on
# the host against its O= tree.  Fails if the build for the current
# fragments is missing or unfinished.
vbs_debug_kernel() {
	local dir
	dir=$VBS_DEBUG_DIR/$(vbs_debug_key)
	[[ -f $dir/.complete ]] ||
		vbs_die "kernel $VBS_DEBUG_NAME: not built for the current tests/debug/*.config (run scripts/build-debug-kernel)"
	K_NAME=$VBS_DEBUG_NAME
	K_REL=$(<"$dir/release")
	K_WHERE=host
	K_ROOT=""
	K_KDIR=$dir/obj
	K_VMLINUZ=$dir/vmlinuz
	K_MODDIR=$dir/lib/modules/$K_REL
	# Explicit, so that a change of the config's default cannot turn the
	# leak checks of the 9NN guest tests into skips unnoticed.
	K_APPEND="kmemleak=on"
}

# vbs_require_image - fail unless vbs_kernel found a bootable image.
vbs_require_image() {
	[[ -n $K_VMLINUZ ]] ||
		vbs_die "kernel $K_NAME ($K_REL): no image in $VBS_CACHE_DIR/kernels (run scripts/install-deps)"
}

# vbs_apt_uri SUITE - print the URI of the first deb source in this machine's
# apt configuration (VBS_APT_ETC, default /etc/apt) that serves SUITE with
# component main.  Reads one-line sources.list entries and deb822 .sources
# stanzas.  Prints nothing if none does.
vbs_apt_uri() {
	local suite=$1 etc=${VBS_APT_ETC:-/etc/apt} f
	local -a files=()
	[[ -f $etc/sources.list ]] && files+=("$etc/sources.list")
	for f in "$etc"/sources.list.d/*.list "$etc"/sources.list.d/*.sources; do
		[[ -f $f ]] && files+=("$f")
	done
	((${#files[@]})) || return 0
	awk -v want="$suite" '
		function has(list, word,   n, i, a) {
			n = split(list, a, /[ \t]+/)
			for (i = 1; i <= n; i++)
				if (a[i] == word)
					return 1
			return 0
		}
		function usable(uri) { return uri ~ /^(https?|file|ftp):/ }
		function flush() {
			if (types != "" && has(types, "deb") && has(suites, want) &&
			    has(comps, "main") && enabled != "no") {
				n = split(uris, u, /[ \t]+/)
				for (i = 1; i <= n; i++)
					if (usable(u[i])) { print u[i]; found = 1; exit }
			}
			types = uris = suites = comps = enabled = ""
		}
		FNR == 1 { flush(); deb822 = (FILENAME ~ /\.sources$/) }
		/^[ \t]*#/ { next }
		deb822 && /^[ \t]*$/ { flush(); next }
		deb822 {
			key = tolower($1); sub(/:$/, "", key)
			val = $0; sub(/^[^:]*:[ \t]*/, "", val)
			if (key == "types") types = val
			else if (key == "uris") uris = val
			else if (key == "suites") suites = val
			else if (key == "components") comps = val
			else if (key == "enabled") enabled = tolower(val)
			next
		}
		$1 == "deb" {
			line = $0
			sub(/^deb[ \t]+/, "", line)
			if (line ~ /^\[/) sub(/^\[[^]]*\][ \t]*/, "", line)
			n = split(line, f, /[ \t]+/)
			if (n >= 3 && f[2] == want && usable(f[1])) {
				for (i = 3; i <= n; i++)
					if (f[i] == "main") { print f[1]; found = 1; exit }
			}
		}
		END { if (!found) flush() }
	' "${files[@]}"
}

# vbs_mirror - the Debian mirror serving bookworm main on this machine.
vbs_mirror() {
	local uri
	uri=$(vbs_apt_uri bookworm)
	[[ -n $uri ]] || vbs_die "no apt source serves 'bookworm main' in /etc/apt/sources.list{,.d/}"
	echo "${uri%/}"
}

# vbs_in_chroot ROOT [BIND:TARGET]... -- COMMAND... - run COMMAND chrooted
# into ROOT in a private mount namespace with /proc, /sys and /dev mounted,
# plus the given bind mounts (TARGET is inside ROOT).  The mounts vanish with
# the namespace, so nothing is left mounted even when the command fails.
vbs_in_chroot() {
	local root=$1 script
	shift
	local -a binds=()
	while (($#)) && [[ $1 != -- ]]; do
		binds+=("$1")
		shift
	done
	shift
	# shellcheck disable=SC2016 # expanded by the inner shell
	script='
		set -e
		root=$1; nb=$2; shift 2
		mount -t proc proc "$root/proc"
		mount --rbind /sys "$root/sys"
		mount --rbind /dev "$root/dev"
		while [ "$nb" -gt 0 ]; do
			mkdir -p "$root${1#*:}"
			mount --bind "${1%%:*}" "$root${1#*:}"
			shift; nb=$((nb - 1))
		done
		exec chroot "$root" /usr/bin/env -i HOME=/root LANG=C.UTF-8 \
			PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
			DEBIAN_FRONTEND=noninteractive "$@"
	'
	unshare --mount --propagation private \
		sh -c "$script" vbs-chroot "$root" "${#binds[@]}" "${binds[@]}" "$@"
}
