// Watchdog: every call the fuzzer makes must return.
#pragma once

#include <pthread.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace vbsim::fuzz {

/// Watches the calls of the fuzzer's threads and ends the process when one
/// does not return in time.
///
/// A hung ioctl is a kernel bug the fuzzer exists to find, and a process
/// stuck in the kernel cannot report it itself; so a separate thread looks
/// at the clock. After @p nudge_after a call marked interruptible (an
/// exchange that may wait for requests) is sent SIGUSR1, whose handler does
/// nothing, so the wait ends with EINTR as the ABI promises. A call still
/// running after @p limit is reported on stderr with what it was, and the
/// process exits with status 3 (with _exit: the stuck thread cannot be
/// joined).
class Watchdog {
public:
	/// One thread's current call.
	class Slot {
	public:
		explicit Slot(std::string name) : name_(std::move(name)) {}
		/// The thread is about to make the call described by @p what.
		void begin(const std::string& what, bool interruptible);
		/// The call returned.
		void end();

	private:
		friend class Watchdog;
		std::string name_;
		pthread_t thread_{};
		std::mutex mutex_;
		std::string what_;
		std::atomic<std::int64_t> start_ns_{0};
		std::atomic<bool> interruptible_{false};
		bool nudged_ = false;
	};

	Watchdog(std::chrono::milliseconds nudge_after, std::chrono::seconds limit);
	~Watchdog();
	Watchdog(const Watchdog&) = delete;
	Watchdog& operator=(const Watchdog&) = delete;
	Watchdog(Watchdog&&) = delete;
	Watchdog& operator=(Watchdog&&) = delete;

	/// A slot for the calling thread, watched until the Watchdog ends.
	Slot& watch_this_thread(const std::string& name);

	/// The longest any call took so far, in milliseconds.
	[[nodiscard]] std::int64_t longest_ms() const { return longest_ms_.load(); }

	/// Installs the do-nothing SIGUSR1 handler (without SA_RESTART).
	static void install_signal_handler();

private:
	void run();

	std::chrono::milliseconds nudge_after_;
	std::chrono::seconds limit_;
	std::mutex slots_mutex_;
	std::vector<std::unique_ptr<Slot>> slots_;
	std::atomic<bool> stop_{false};
	std::atomic<std::int64_t> longest_ms_{0};
	std::thread thread_;
};

/// Nanoseconds of CLOCK_MONOTONIC.
std::int64_t now_ns();

} // namespace vbsim::fuzz
