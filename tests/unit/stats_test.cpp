// compute_rates() and op names.
#include <gtest/gtest.h>

#include "vbsim/stats.hpp"

namespace vbsim {
namespace {

using namespace std::chrono_literals;

DeviceStats sample(std::uint64_t read_requests, std::uint64_t read_bytes, std::uint64_t read_errors,
		   std::chrono::steady_clock::time_point since = {})
{
	DeviceStats s;
	s.op(Op::read) = OpStats{.requests = read_requests, .bytes = read_bytes, .errors = read_errors, .ioctl_requests = 0};
	s.since = since;
	return s;
}

TEST(Stats, op_names_are_stable)
{
	EXPECT_EQ(op_name(Op::read), "read");
	EXPECT_EQ(op_name(Op::write), "write");
	EXPECT_EQ(op_name(Op::flush), "flush");
	EXPECT_EQ(op_name(Op::discard), "discard");
	EXPECT_EQ(op_name(Op::write_zeroes), "write_zeroes");
}

TEST(Stats, rates_are_deltas_per_second)
{
	const auto rates = compute_rates(sample(100, 4096, 0), sample(300, 4096 + 8192, 4), 2s);
	const OpRates& r = rates[static_cast<std::size_t>(Op::read)];
	EXPECT_DOUBLE_EQ(r.requests_per_sec, 100.0);
	EXPECT_DOUBLE_EQ(r.bytes_per_sec, 4096.0);
	EXPECT_DOUBLE_EQ(r.errors_per_sec, 2.0);
	EXPECT_DOUBLE_EQ(rates[static_cast<std::size_t>(Op::write)].requests_per_sec, 0.0);
}

TEST(Stats, a_reset_in_between_counts_from_zero)
{
	const std::chrono::steady_clock::time_point later{5s};
	// Counters went up after the reset: since tells.
	auto rates = compute_rates(sample(100, 0, 0), sample(150, 0, 0, later), 1s);
	EXPECT_DOUBLE_EQ(rates[0].requests_per_sec, 150.0);
	// Counters went backwards: that alone tells too.
	rates = compute_rates(sample(100, 0, 0), sample(30, 0, 0), 1s);
	EXPECT_DOUBLE_EQ(rates[0].requests_per_sec, 30.0);
}

TEST(Stats, mean_latency_divides_the_sum_by_the_histogram_total)
{
	OpStats s;
	EXPECT_EQ(s.mean_latency(), std::nullopt);
	s.latency_histogram[3] = 2;
	s.latency_histogram[10] = 2;
	s.latency_sum = 4000ns;
	EXPECT_EQ(s.mean_latency(), 1000ns);
}

TEST(Stats, no_elapsed_time_gives_zero_rates)
{
	const auto rates = compute_rates(sample(0, 0, 0), sample(10, 10, 10), 0s);
	EXPECT_DOUBLE_EQ(rates[0].requests_per_sec, 0.0);
	EXPECT_DOUBLE_EQ(rates[0].bytes_per_sec, 0.0);
}

} // namespace
} // namespace vbsim
