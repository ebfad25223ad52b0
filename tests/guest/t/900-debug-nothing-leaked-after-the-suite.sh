#!/bin/bash
#
# debug_nothing_leaked_after_the_suite: on a kernel with kmemleak (the
# debug kernel of `make check-debug`), after every test before this one has
# loaded, used and unloaded the module, a full kmemleak scan (two scans,
# after the five seconds kmemleak waits before it suspects an object)
# reports no object allocated by the module.  Then one more load / write /
# discard / unload cycle is checked on its own against a fresh baseline:
# nothing at all may be left behind by it.
#
# Objects of the module are recognised in kmemleak's allocation backtraces:
# while it is loaded its frames print as "function [virtblkiosim]", once
# unloaded as bare addresses (the debug kernel has every other driver built
# in, so no other frame can be unresolved).  Other objects reported before
# the baseline (boot-time false positives of the core kernel) are listed,
# not counted.  Skipped on kernels without kmemleak.
#
# Needs: the debug kernel (CONFIG_DEBUG_KMEMLEAK), debugfs, the module.
#
# vbs-tier: full

. "$(dirname "$0")/../lib.sh"
. "$VBS_ROOT/tests/debug/lib-debug.sh"

vbs_require_env
vbs_need_kmemleak

vbs_step "leaks of the module over the whole suite"
if vbs_module_loaded; then
	vbs_unload
fi
vbs__kmemleak_scan
report=$(<"$VBS_KMEMLEAK")
printf '%s\n' "$report" >"$VBS_ART/kmemleak-suite.txt"
# One object per "unreferenced object" paragraph; ours if a frame of its
# backtrace is ours or unresolved.
ours=$(awk '
	/^unreferenced object/ { if (obj != "" && mine) print obj; obj = $0; mine = 0; next }
	{ obj = obj "\n" $0 }
	/\[virtblkiosim\]/ { mine = 1 }
	/^ +0x[0-9a-f]+$/ { mine = 1 }
	END { if (obj != "" && mine) print obj }
' <<<"$report")
total=$(grep -c '^unreferenced object' <<<"$report" || true)
vbs_note "kmemleak: $total objects reported since boot"
if [[ -n $ours ]]; then
	printf 'objects allocated by the module and never freed:\n'
	printf '%s\n' "$ours" | head -n 80 | sed 's/^/    /'
	vbs_fail "the module leaked memory during the suite (full report: $VBS_ART/kmemleak-suite.txt)"
fi
if ((total)); then
	vbs_note "not the module's (allocation backtraces without a frame of it):"
	grep -A12 '^unreferenced object' <<<"$report" | head -n 40 | sed 's/^/    /'
fi

vbs_step "one load / write / discard / unload cycle, against a fresh baseline"
echo clear >"$VBS_KMEMLEAK"
vbs_load nr_devices=2 capacity_mb=16 write_cache=1
pattern=$VBS_TMP/pattern
vbs_pattern "$pattern" $((1 << 20))
for i in 0 1; do
	vbs_dd_write "$pattern" 0 "$(vbs_dev $i)" 0 $((1 << 20))
	vbs_expect_disk_equals "$(vbs_dev $i)" 0 "$pattern" 0 $((1 << 20)) "disk $i data"
	vbs_run blkdiscard -o 0 -l $((512 << 10)) "$(vbs_dev $i)"
	vbs_run sync
done
vbs_unload
vbs_kmemleak_expect_none "a load / write / discard / unload cycle"
