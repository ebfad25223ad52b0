#include "signal_pacer.hpp"

#include <cerrno>
#include <ctime>
#include <pthread.h>

#include "vbsim/error.hpp"

namespace vbsim::cli {

SignalPacer::SignalPacer()
{
	sigemptyset(&stop_signals_);
	sigaddset(&stop_signals_, SIGINT);
	sigaddset(&stop_signals_, SIGTERM);
	const int err = pthread_sigmask(SIG_BLOCK, &stop_signals_, &saved_mask_);
	if (err != 0)
		throw_error(err, "blocking SIGINT and SIGTERM");
}

SignalPacer::~SignalPacer()
{
	pthread_sigmask(SIG_SETMASK, &saved_mask_, nullptr);
}

std::chrono::steady_clock::time_point SignalPacer::now()
{
	return std::chrono::steady_clock::now();
}

bool SignalPacer::wait(std::chrono::nanoseconds interval)
{
	using namespace std::chrono;
	const auto deadline = steady_clock::now() + interval;
	for (;;) {
		const auto left = duration_cast<nanoseconds>(deadline - steady_clock::now());
		if (left <= nanoseconds::zero())
			return true;
		const auto secs = duration_cast<seconds>(left);
		const timespec timeout{
			.tv_sec = static_cast<time_t>(secs.count()),
			.tv_nsec = static_cast<long>((left - secs).count()),
		};
		if (sigtimedwait(&stop_signals_, nullptr, &timeout) >= 0)
			return false; // SIGINT or SIGTERM: stop
		if (errno == EAGAIN)
			return true; // the interval passed
		if (errno != EINTR)
			throw_error(errno, "waiting for the next sample");
	}
}

} // namespace vbsim::cli
