// Watchdog: a thread that checks how long each watched call has run.
#include "watchdog.hpp"

#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <ctime>
#include <memory>

namespace vbsim::fuzz {

namespace {

/// SIGUSR1 handler: nothing to do, the point is the interrupted syscall.
void on_nudge(int /*signo*/) {}

} // namespace

std::int64_t now_ns()
{
	timespec ts{};
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return std::int64_t{ts.tv_sec} * 1000000000 + ts.tv_nsec;
}

void Watchdog::install_signal_handler()
{
	struct sigaction sa{};
	sa.sa_handler = on_nudge;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0; // no SA_RESTART: the blocked ioctl must return EINTR
	sigaction(SIGUSR1, &sa, nullptr);
}

void Watchdog::Slot::begin(const std::string& what, bool interruptible)
{
	{
		const std::lock_guard lock(mutex_);
		what_ = what;
		nudged_ = false;
	}
	interruptible_.store(interruptible);
	start_ns_.store(now_ns());
}

void Watchdog::Slot::end()
{
	start_ns_.store(0);
}

Watchdog::Watchdog(std::chrono::milliseconds nudge_after, std::chrono::seconds limit)
	: nudge_after_(nudge_after), limit_(limit), thread_([this] { run(); })
{
}

Watchdog::~Watchdog()
{
	stop_.store(true);
	thread_.join();
}

Watchdog::Slot& Watchdog::watch_this_thread(const std::string& name)
{
	auto slot = std::make_unique<Slot>(name);
	slot->thread_ = pthread_self();
	const std::lock_guard lock(slots_mutex_);
	slots_.push_back(std::move(slot));
	return *slots_.back();
}

void Watchdog::run()
{
	const std::int64_t nudge_ns = std::chrono::nanoseconds(nudge_after_).count();
	const std::int64_t limit_ns = std::chrono::nanoseconds(limit_).count();
	while (!stop_.load()) {
		std::this_thread::sleep_for(std::chrono::milliseconds(50));
		const std::lock_guard lock(slots_mutex_);
		for (const auto& slot : slots_) {
			const std::int64_t start = slot->start_ns_.load();
			if (start == 0)
				continue;
			const std::int64_t ran = now_ns() - start;
			if (ran / 1000000 > longest_ms_.load())
				longest_ms_.store(ran / 1000000);
			const std::lock_guard slot_lock(slot->mutex_);
			if (ran > nudge_ns && slot->interruptible_.load() && !slot->nudged_) {
				slot->nudged_ = true;
				pthread_kill(slot->thread_, SIGUSR1);
			}
			if (ran > limit_ns) {
				std::fprintf(stderr,
					     "FAIL: %s: call did not return after %lld s: %s\n",
					     slot->name_.c_str(),
					     static_cast<long long>(ran / 1000000000),
					     slot->what_.c_str());
				std::fflush(stderr);
				_exit(3);
			}
		}
	}
}

} // namespace vbsim::fuzz
