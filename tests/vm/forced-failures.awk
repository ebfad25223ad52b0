# forced-failures.awk - a kernel log (dmesg, or the VM's console) with the
# kernel's answers to an allocation failure that fault injection forced
# blanked out: warn_alloc's report ("page allocation failure:" or
# "vmalloc error:" and its stack dump up to "</TASK>") and kmemleak's
# "Cannot allocate a scan area".  They count only after a "FAULT_INJECTION:
# forcing a failure" line (the 9NN tests log it at KERN_NOTICE, and show
# KERN_NOTICE on the console while they run): they say the kernel saw the
# failure a test made.  Anything else, a report of any other kind or one
# with no forced failure before it, is kept, and still fails the run.
#
# The lines are blanked, not dropped, so that line numbers stay those of
# the input.  Used by tests/guest/run (each test's kernel log) and
# tests/vm/run (the whole console).
/FAULT_INJECTION: forcing a failure/ { forced = 1 }
skip {
	if (/<\/TASK>/)
		skip = 0
	print ""
	next
}
forced && /(page allocation failure|vmalloc error):/ { skip = 1; print ""; next }
forced && /kmemleak: Cannot allocate a scan area/ { print ""; next }
{ print }
