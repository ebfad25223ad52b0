// calibrate_delivery(): what the host adds to a simulated latency between
// the engine's timer and the submitter's return from the read.
#include "vbsim/calibrate.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <fcntl.h>
#include <fmt/format.h>
#include <new>
#include <numeric>
#include <random>
#include <stdexcept>
#include <unistd.h>

#include "vbsim/error.hpp"
#include "vbsim/unique_fd.hpp"
#include "vbsim/units.hpp"

namespace vbsim {

namespace {

using std::chrono::nanoseconds;
using Clock = std::chrono::steady_clock;

/// What each read moves, as fio's 4 KiB jobs do; a page also satisfies
/// O_DIRECT's alignment for every block size the module allows.
constexpr std::size_t k_read_bytes = 4096;

/// Puts a disk's settings back when calibration ends early.
class SimRestore {
public:
	SimRestore(BlockDevice& device, const SimParams& saved) : device_(device), saved_(saved) {}
	SimRestore(const SimRestore&) = delete;
	SimRestore& operator=(const SimRestore&) = delete;
	~SimRestore()
	{
		if (!armed_)
			return;
		try {
			device_.set_sim(saved_);
		} catch (...) { // NOLINT(bugprone-empty-catch): already failing; the first error is the one to report
		}
	}
	/// Puts back @p params instead, now, and forgets the guard.
	void finish(const SimParams& params)
	{
		device_.set_sim(params);
		armed_ = false;
	}

private:
	BlockDevice& device_;
	SimParams saved_;
	bool armed_ = true;
};

/// @p n reads of @p read appended to @p out.
void measure(const TimedRead& read, std::uint32_t n, std::vector<nanoseconds>& out)
{
	for (std::uint32_t i = 0; i < n; i++)
		out.push_back(read());
}

double relative_error(nanoseconds with, nanoseconds without, nanoseconds latency)
{
	return static_cast<double>((with - without).count()) / static_cast<double>(latency.count()) - 1.0;
}

} // namespace

double CalibrateResult::mean_error() const
{
	return relative_error(check.mean, off.mean, latency);
}

double CalibrateResult::median_error() const
{
	return relative_error(check.median, off.median, latency);
}

TimedRead direct_reader(const std::string& path, std::uint64_t span_bytes)
{
	auto fd = std::make_shared<UniqueFd>(UniqueFd::open(path, O_RDONLY | O_DIRECT));
	void* p = nullptr;
	if (posix_memalign(&p, k_read_bytes, k_read_bytes) != 0)
		throw std::bad_alloc();
	std::shared_ptr<std::byte> buf(static_cast<std::byte*>(p), std::free);
	const std::uint64_t slots = std::max<std::uint64_t>(1, span_bytes / k_read_bytes);
	auto rng = std::make_shared<std::mt19937_64>(1);
	return [fd, buf, slots, rng, path]() {
		const std::uint64_t offset = (*rng)() % slots * k_read_bytes;
		const auto t0 = Clock::now();
		ssize_t n = 0;
		do {
			n = ::pread(fd->get(), buf.get(), k_read_bytes, static_cast<off_t>(offset));
		} while (n < 0 && errno == EINTR);
		const auto t1 = Clock::now();
		if (n < 0)
			throw_error(errno, fmt::format("reading 4 KiB at byte {} of {}", offset, path));
		if (static_cast<std::size_t>(n) != k_read_bytes)
			throw_error(EIO, fmt::format("reading 4 KiB at byte {} of {}: short read", offset, path));
		return std::chrono::duration_cast<nanoseconds>(t1 - t0);
	};
}

LatencySummary summarize(std::vector<nanoseconds> samples)
{
	LatencySummary s;
	if (samples.empty())
		return s;
	s.count = static_cast<std::uint32_t>(samples.size());
	const nanoseconds sum = std::accumulate(samples.begin(), samples.end(), nanoseconds(0));
	s.mean = sum / static_cast<std::int64_t>(samples.size());
	const std::size_t mid = samples.size() / 2;
	std::nth_element(samples.begin(), samples.begin() + static_cast<std::ptrdiff_t>(mid), samples.end());
	s.median = samples[mid];
	if (samples.size() % 2 == 0) {
		const nanoseconds below =
			*std::max_element(samples.begin(), samples.begin() + static_cast<std::ptrdiff_t>(mid));
		s.median = (below + s.median) / 2;
	}
	return s;
}

std::optional<std::string> calibrate_options_problem(const CalibrateOptions& options)
{
	if (options.latency < k_calibrate_min_latency || options.latency > k_calibrate_max_latency)
		return fmt::format("calibration latency {} is outside {}..{}", format_duration(options.latency),
				   format_duration(k_calibrate_min_latency), format_duration(k_calibrate_max_latency));
	if (options.reads == 0 || options.reads > k_calibrate_max_reads)
		return fmt::format("calibration reads {} is outside 1..{}", options.reads, k_calibrate_max_reads);
	if (options.rounds == 0 || options.rounds > options.reads)
		return fmt::format("calibration rounds {} is outside 1..{} (the reads)", options.rounds, options.reads);
	return std::nullopt;
}

CalibrateResult calibrate_delivery(BlockDevice& device, const TimedRead& read, const CalibrateOptions& options)
{
	if (const auto problem = calibrate_options_problem(options))
		throw std::invalid_argument(*problem);

	SimParams saved = device.get_sim();
	SimRestore restore(device, saved);

	// The engine off: no latency, bandwidth, IOPS or unit setting. The
	// seed and the timeout stay, they change nothing a read sees.
	SimParams off;
	off.seed = saved.seed;
	off.timeout = saved.timeout;
	SimParams on = off;
	on.lat(SimClass::read).base = options.latency;

	CalibrateResult result;
	result.latency = options.latency;
	std::vector<nanoseconds> off_samples;
	std::vector<nanoseconds> on_samples;
	std::vector<nanoseconds> check_samples;
	off_samples.reserve(2 * std::size_t{options.reads});
	on_samples.reserve(options.reads);
	check_samples.reserve(options.reads);

	// Round r of rounds gets its share of the reads, the remainder spread
	// over the first rounds.
	const auto share = [&](std::uint32_t r) {
		return options.reads / options.rounds + (r < options.reads % options.rounds ? 1U : 0U);
	};
	for (std::uint32_t r = 0; r < options.rounds; r++) {
		device.set_sim(off);
		measure(read, share(r), off_samples);
		device.set_sim(on);
		measure(read, share(r), on_samples);
	}
	const LatencySummary off1 = summarize(off_samples);
	result.on = summarize(std::move(on_samples));
	// The means: what a submitter's mean latency pays. The median
	// misses the reads that pay more (a tick, a softirq in between):
	// in instruction time on 6.12 it came out 0.75 us short, +7% at a
	// latency of 10 us.
	const nanoseconds excess = result.on.mean - off1.mean - options.latency;
	result.delivery = std::clamp(excess, nanoseconds(0), k_sim_max_delivery);

	SimParams check = on;
	check.delivery = result.delivery;
	for (std::uint32_t r = 0; r < options.rounds; r++) {
		device.set_sim(off);
		measure(read, share(r), off_samples);
		device.set_sim(check);
		measure(read, share(r), check_samples);
	}
	result.off = summarize(std::move(off_samples));
	result.check = summarize(std::move(check_samples));

	if (options.apply)
		saved.delivery = result.delivery;
	restore.finish(saved);
	result.applied = options.apply;
	return result;
}

} // namespace vbsim
