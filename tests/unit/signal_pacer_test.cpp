// SignalPacer: waits out the interval, and stops on SIGINT or SIGTERM
// without the signal's default action killing the process.
#include <chrono>
#include <csignal>
#include <gtest/gtest.h>
#include <pthread.h>

#include "signal_pacer.hpp"

namespace vbsim {
namespace {

using namespace std::chrono_literals;

bool blocked(int sig)
{
	sigset_t mask;
	sigemptyset(&mask);
	pthread_sigmask(SIG_BLOCK, nullptr, &mask);
	return sigismember(&mask, sig) == 1;
}

TEST(SignalPacer, waits_the_whole_interval_without_a_signal)
{
	cli::SignalPacer pacer;
	const auto start = pacer.now();
	EXPECT_TRUE(pacer.wait(20ms));
	EXPECT_GE(pacer.now() - start, 20ms);
}

TEST(SignalPacer, sigint_stops_the_wait_at_once)
{
	cli::SignalPacer pacer;
	const auto start = pacer.now();
	std::raise(SIGINT); // pending: the pacer blocks it
	EXPECT_FALSE(pacer.wait(10s));
	EXPECT_LT(pacer.now() - start, 5s);
}

TEST(SignalPacer, sigterm_stops_the_wait_too)
{
	cli::SignalPacer pacer;
	std::raise(SIGTERM);
	EXPECT_FALSE(pacer.wait(10s));
}

TEST(SignalPacer, restores_the_signal_mask_when_done)
{
	ASSERT_FALSE(blocked(SIGINT));
	{
		cli::SignalPacer pacer;
		EXPECT_TRUE(blocked(SIGINT));
		EXPECT_TRUE(blocked(SIGTERM));
	}
	EXPECT_FALSE(blocked(SIGINT));
	EXPECT_FALSE(blocked(SIGTERM));
}

} // namespace
} // namespace vbsim
