#include "vbsim/stats.hpp"

namespace vbsim {

std::string_view op_name(Op op)
{
	switch (op) {
	case Op::read:
		return "read";
	case Op::write:
		return "write";
	case Op::flush:
		return "flush";
	case Op::discard:
		return "discard";
	case Op::write_zeroes:
		return "write_zeroes";
	}
	return "unknown";
}

std::optional<std::chrono::nanoseconds> OpStats::mean_latency() const
{
	std::uint64_t counted = 0;
	for (std::uint64_t n : latency_histogram)
		counted += n;
	if (counted == 0)
		return std::nullopt;
	return latency_sum / counted;
}

namespace {

/// Per-second rate of a counter that moved from @p before to @p after. A
/// counter that was reset in between (@p reset, or it went backwards)
/// counts from zero.
double rate(std::uint64_t before, std::uint64_t after, bool reset, double seconds)
{
	const std::uint64_t delta = reset || after < before ? after : after - before;
	return static_cast<double>(delta) / seconds;
}

} // namespace

std::array<OpRates, k_op_count> compute_rates(const DeviceStats& before, const DeviceStats& after,
					      std::chrono::nanoseconds elapsed)
{
	std::array<OpRates, k_op_count> rates{};
	if (elapsed <= std::chrono::nanoseconds::zero())
		return rates;

	const double seconds = std::chrono::duration<double>(elapsed).count();
	const bool reset = after.since != before.since;
	for (Op op : k_all_ops) {
		const OpStats& b = before.op(op);
		const OpStats& a = after.op(op);
		rates[static_cast<std::size_t>(op)] = OpRates{
			.requests_per_sec = rate(b.requests, a.requests, reset, seconds),
			.bytes_per_sec = rate(b.bytes, a.bytes, reset, seconds),
			.errors_per_sec = rate(b.errors, a.errors, reset, seconds),
		};
	}
	return rates;
}

} // namespace vbsim
