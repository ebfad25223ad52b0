// vbsim stats: a disk's counters, once or every interval (--watch), or
// zero them (--reset).
#include <chrono>
#include <fmt/format.h>
#include <fmt/ostream.h>

#include "command.hpp"
#include "json_output.hpp"
#include "options.hpp"
#include "vbsim/units.hpp"

namespace vbsim::cli {

namespace {

using std::chrono::nanoseconds;

constexpr nanoseconds k_default_interval = std::chrono::seconds(1);

/// A latency for a table column: "850ns", "12.3us", "4.1ms", "1.20s".
std::string format_latency(nanoseconds d)
{
	const double ns = static_cast<double>(d.count());
	if (ns < 1e3)
		return fmt::format("{:.0f}ns", ns);
	if (ns < 1e6)
		return fmt::format("{:.1f}us", ns / 1e3);
	if (ns < 1e9)
		return fmt::format("{:.1f}ms", ns / 1e6);
	return fmt::format("{:.2f}s", ns / 1e9);
}

/// 2^@p shift microseconds, short: "1us", "512us", "1.02ms", "16.8s".
std::string pow2_us(unsigned shift)
{
	const double us = static_cast<double>(std::uint64_t{1} << shift);
	if (us < 1e3)
		return fmt::format("{:.0f}us", us);
	if (us < 1e6)
		return fmt::format("{:.3g}ms", us / 1e3);
	if (us < 1e9)
		return fmt::format("{:.3g}s", us / 1e6);
	return fmt::format("{:.0f}s", us / 1e6);
}

/// The range of latency histogram bucket @p b: "<1us", "1us-2us",
/// "512us-1.02ms", ">=1074s".
std::string bucket_label(std::size_t b)
{
	if (b == 0)
		return "<1us";
	if (b == k_latency_buckets - 1)
		return ">=" + pow2_us(static_cast<unsigned>(b - 1));
	return pow2_us(static_cast<unsigned>(b - 1)) + "-" + pow2_us(static_cast<unsigned>(b));
}

/// "latency histogram:" and a line per operation whose histogram is not
/// empty, listing its non-empty buckets; nothing when all are empty.
void print_histograms(Context& ctx, const std::array<LatencyHistogram, k_op_count>& hists)
{
	bool header = false;
	for (Op op : k_all_ops) {
		const LatencyHistogram& h = hists[static_cast<std::size_t>(op)];
		std::string line;
		for (std::size_t b = 0; b < h.size(); b++) {
			if (h[b] != 0)
				line += fmt::format("{}{} {}", line.empty() ? "" : ", ", bucket_label(b), h[b]);
		}
		if (line.empty())
			continue;
		if (!header)
			fmt::print(ctx.out, "latency histogram:\n");
		header = true;
		fmt::print(ctx.out, "  {:<13} {}\n", fmt::format("{}:", op_name(op)), line);
	}
}

/// The histograms of @p stats.
std::array<LatencyHistogram, k_op_count> histograms(const DeviceStats& stats)
{
	std::array<LatencyHistogram, k_op_count> hists{};
	for (Op op : k_all_ops)
		hists[static_cast<std::size_t>(op)] = stats.op(op).latency_histogram;
	return hists;
}

/// The requests each bucket gained from @p before to @p after; after a
/// reset (a bucket went backwards) the counts of @p after.
std::array<LatencyHistogram, k_op_count> histogram_delta(const DeviceStats& before, const DeviceStats& after)
{
	std::array<LatencyHistogram, k_op_count> hists = histograms(after);
	for (Op op : k_all_ops) {
		const LatencyHistogram& b = before.op(op).latency_histogram;
		LatencyHistogram& h = hists[static_cast<std::size_t>(op)];
		bool reset = before.since != after.since;
		for (std::size_t i = 0; i < h.size(); i++)
			reset = reset || h[i] < b[i];
		if (!reset) {
			for (std::size_t i = 0; i < h.size(); i++)
				h[i] -= b[i];
		}
	}
	return hists;
}

class StatsCommand final : public Command {
public:
	explicit StatsCommand(CLI::App& parent)
		: Command(*parent.add_subcommand("stats", "Show the statistics of a disk"))
	{
		CLI::App& a = app();
		add_device_argument(a, device_);
		add_json_flag(a, json_);
		CLI::Option* watch = a.add_flag("--watch", watch_,
						"Print rates per operation every interval until Ctrl-C");
		add_duration_option(a, "--interval", interval_ns_, "Time between samples of --watch (default: 1s)")
			->needs(watch);
		a.add_flag("--reset", reset_, "Zero the counters instead of printing them")
			->excludes(watch)
			->excludes("--json");
	}

	int run(Context& ctx) override
	{
		const auto device = ctx.devices.open_device(device_, reset_ ? Access::read_write : Access::read_only);
		if (reset_) {
			device->reset_stats();
			return k_exit_success;
		}
		if (watch_)
			return watch(ctx, *device);

		const DeviceStats stats = device->stats();
		if (json_)
			fmt::print(ctx.out, "{}\n", stats_json(device->path(), stats).dump(2));
		else
			print_counters(ctx, device->path(), stats);
		return k_exit_success;
	}

private:
	static void print_counters(Context& ctx, const std::string& path, const DeviceStats& stats)
	{
		constexpr std::string_view row = "{:<14}{:>12}{:>12}{:>9}{:>9}{:>11}{:>14}\n";
		fmt::print(ctx.out, "{}\n", path);
		fmt::print(ctx.out, row, "op", "requests", "bytes", "errors", "faults", "via ioctl",
			   "mean latency");
		for (Op op : k_all_ops) {
			const OpStats& s = stats.op(op);
			const auto mean = s.mean_latency();
			fmt::print(ctx.out, row, op_name(op), s.requests, format_size(s.bytes), s.errors, s.faults,
				   s.ioctl_requests, mean ? format_latency(*mean) : "-");
		}
		print_histograms(ctx, histograms(stats));
		fmt::print(ctx.out, "in flight: {} (peak {})\n", stats.in_flight, stats.peak_in_flight);
		fmt::print(ctx.out, "memory in use: {} pages ({}), {} not yet durable\n", stats.pages_in_use,
			   format_size(stats.bytes_in_use), stats.cache_pages);
	}

	static void print_rates(Context& ctx, nanoseconds since_start, const DeviceStats& stats,
				const std::array<OpRates, k_op_count>& rates,
				const std::array<LatencyHistogram, k_op_count>& hists)
	{
		constexpr std::string_view row = "{:<14}{:>12}{:>16}{:>10}\n";
		fmt::print(ctx.out, "+{:.1f}s  in flight {}  memory {}\n",
			   std::chrono::duration<double>(since_start).count(), stats.in_flight,
			   format_size(stats.bytes_in_use));
		fmt::print(ctx.out, row, "op", "req/s", "bytes/s", "errors/s");
		for (Op op : k_all_ops) {
			const OpRates& r = rates[static_cast<std::size_t>(op)];
			fmt::print(ctx.out, row, op_name(op), fmt::format("{:.1f}", r.requests_per_sec),
				   format_rate(r.bytes_per_sec), fmt::format("{:.1f}", r.errors_per_sec));
		}
		print_histograms(ctx, hists);
	}

	/// --watch: a sample every interval, rates since the sample before,
	/// until the pacer says stop (Ctrl-C), which is a normal end.
	int watch(Context& ctx, BlockDevice& device) const
	{
		const nanoseconds interval(interval_ns_);
		const std::unique_ptr<Pacer> pacer = ctx.make_pacer();
		if (!json_)
			fmt::print(ctx.out, "{} every {}, Ctrl-C to stop\n", device.path(),
				   format_duration(interval));
		ctx.out.flush();

		const auto start = pacer->now();
		auto previous_time = start;
		DeviceStats previous = device.stats();
		while (pacer->wait(interval)) {
			const DeviceStats current = device.stats();
			const auto now = pacer->now();
			const nanoseconds elapsed = now - previous_time;
			const auto rates = compute_rates(previous, current, elapsed);
			if (json_)
				fmt::print(ctx.out, "{}\n", watch_json(device.path(), current, elapsed, rates).dump());
			else
				print_rates(ctx, now - start, current, rates, histogram_delta(previous, current));
			ctx.out.flush();
			previous = current;
			previous_time = now;
		}
		return k_exit_success;
	}

	std::string device_;
	bool json_ = false;
	bool watch_ = false;
	bool reset_ = false;
	std::int64_t interval_ns_ = k_default_interval.count();
};

} // namespace

std::unique_ptr<Command> make_stats_command(CLI::App& parent)
{
	return std::make_unique<StatsCommand>(parent);
}

} // namespace vbsim::cli
