// SignalPacer: the real Pacer, which stops on Ctrl-C.
#pragma once

// sigset_t and pthread_sigmask() are POSIX: <signal.h>, not <csignal>.
#include <signal.h> // NOLINT(modernize-deprecated-headers)

#include "context.hpp"

namespace vbsim::cli {

/// Waits on the steady clock and stops when SIGINT or SIGTERM arrives.
///
/// While it lives, those signals are blocked for the calling thread and
/// collected by wait() with sigtimedwait(), so Ctrl-C ends a --watch loop
/// cleanly (exit 0) with no signal handler and no global state. The
/// previous signal mask is restored on destruction.
class SignalPacer final : public Pacer {
public:
	SignalPacer();
	SignalPacer(const SignalPacer&) = delete;
	SignalPacer& operator=(const SignalPacer&) = delete;
	~SignalPacer() override;

	[[nodiscard]] std::chrono::steady_clock::time_point now() override;
	[[nodiscard]] bool wait(std::chrono::nanoseconds interval) override;

private:
	sigset_t stop_signals_{};
	sigset_t saved_mask_{};
};

} // namespace vbsim::cli
