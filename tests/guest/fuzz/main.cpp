// vbs-ioctl-fuzz: random and structure-aware ioctls against the disks and
// the control node of virtblkiosim, run as root inside the test VM.
//
// The kernel is the thing under test: a call that does not return (the
// watchdog, exit 3), or a warning, oops or KASAN report in the kernel log
// (the guest harness watches the console) is a failure. So is a broken
// promise the fuzzer can see itself: a disk of someone else vanishing, a
// disk of ours that cannot be removed at the end. Which errno each call
// got is not judged, only counted and printed.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <exception>

#include "fuzzer.hpp"
#include "watchdog.hpp"

/// Parses the options, runs the fuzzer, turns errors into exit status 1.
int main(int argc, char** argv)
{
	try {
		vbsim::fuzz::Options opts;
		CLI::App app{"Fuzz the ioctls of virtblkiosim's disks and control node "
			     "(as root, module loaded)."};
		app.add_option("--seed", opts.seed, "Seed of every random choice");
		app.add_option("--calls", opts.calls, "Number of ioctls to make");
		app.add_option("--max-disks", opts.max_disks, "Most disks the fuzzer creates at once");
		app.add_option("--max-capacity", opts.max_capacity,
			       "Largest capacity of a disk it creates, bytes");
		app.add_option("--call-limit", opts.call_limit_s,
			       "Seconds after which a call counts as hung");
		app.add_option("--kmsg-every", opts.kmsg_every,
			       "Write a progress line to /dev/kmsg every N calls (0: never)");
		app.add_option("--log", opts.log_path, "Write every call and its result to this file");
		bool no_io = false;
		app.add_flag("--no-io", no_io, "Do not run the block I/O thread");
		CLI11_PARSE(app, argc, argv);
		opts.io_worker = !no_io;
		vbsim::fuzz::Watchdog watchdog(std::chrono::milliseconds(300),
					       std::chrono::seconds(opts.call_limit_s));
		vbsim::fuzz::Fuzzer fuzzer(opts, watchdog);
		return fuzzer.run();
	} catch (const std::exception& e) {
		std::fprintf(stderr, "vbs-ioctl-fuzz: %s\n", e.what());
		return 1;
	} catch (...) {
		std::fprintf(stderr, "vbs-ioctl-fuzz: unknown exception\n");
		return 1;
	}
}
