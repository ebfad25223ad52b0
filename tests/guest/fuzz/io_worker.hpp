// IoWorker: a second thread that keeps block I/O in flight on the disks
// the fuzzer attacks, so the model protocol's answers meet live requests.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include "tally.hpp"
#include "watchdog.hpp"

namespace vbsim::fuzz {

/// One disk the worker writes and reads.
struct IoTarget {
	std::string path;       ///< /dev/virtblkiosimN
	std::uint64_t capacity; ///< bytes
};

/// Runs O_DIRECT reads, writes, fsyncs and discards on a few disks from
/// its own thread until stopped. Every result is acceptable (a model that
/// answers with garbage makes requests fail with EIO, a model that never
/// answers makes them time out): the worker only counts them. What it
/// must not do is hang, which the watchdog checks.
class IoWorker {
public:
	IoWorker(std::vector<IoTarget> targets, std::uint64_t seed, Watchdog& watchdog);
	~IoWorker();
	IoWorker(const IoWorker&) = delete;
	IoWorker& operator=(const IoWorker&) = delete;
	IoWorker(IoWorker&&) = delete;
	IoWorker& operator=(IoWorker&&) = delete;

	/// Stops the thread and returns what it counted.
	Tally stop();

private:
	void run();

	std::vector<IoTarget> targets_;
	std::uint64_t seed_;
	Watchdog& watchdog_;
	std::atomic<bool> stop_{false};
	Tally tally_;
	std::thread thread_;
};

} // namespace vbsim::fuzz
