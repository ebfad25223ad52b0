// vbsim sim: show, change (set) or turn off (reset) the simulation
// settings of a disk: latencies, bandwidth, IOPS, channels, timeout, seed,
// delivery time; measure the delivery time (calibrate).
#include <array>
#include <chrono>
#include <fmt/format.h>
#include <fmt/ostream.h>
#include <optional>

#include "command.hpp"
#include "json_output.hpp"
#include "options.hpp"
#include "vbsim/calibrate.hpp"
#include "vbsim/sim_types.hpp"
#include "vbsim/units.hpp"

namespace vbsim::cli {

namespace {

using std::chrono::milliseconds;
using std::chrono::nanoseconds;

/// The options of one latency class (--read-latency, --read-jitter, ...).
struct ClassOptions {
	CLI::Option* latency = nullptr;
	CLI::Option* jitter = nullptr;
	CLI::Option* distribution = nullptr;
	CLI::Option* slow_ppm = nullptr;
	CLI::Option* slow = nullptr;
	std::int64_t latency_ns = 0;
	std::int64_t jitter_ns = 0;
	std::string distribution_name;
	std::uint32_t slow_ppm_value = 0;
	std::int64_t slow_ns = 0;
};

/// Validator of a jitter distribution name.
CLI::Validator distribution_check()
{
	return CLI::Validator(
		[](std::string& text) -> std::string {
			if (jitter_from_name(text))
				return {};
			return fmt::format("invalid distribution \"{}\": use none, uniform or exponential", text);
		},
		"");
}

/// "unlimited" for 0, else @p text.
std::string or_unlimited(std::uint64_t value, const std::string& text)
{
	return value == 0 ? std::string("unlimited") : text;
}

class SimCommand final : public Command {
public:
	explicit SimCommand(CLI::App& parent)
		: Command(*parent.add_subcommand("sim", "Show or change the simulation settings of a disk"))
	{
		CLI::App& a = app();
		a.require_subcommand(0, 1);
		add_device_argument(a, device_);
		add_json_flag(a, json_);

		set_ = a.add_subcommand("set", "Change the given settings, keep the others");
		reset_ = a.add_subcommand("reset", "Turn the simulation off: every setting to 0");
		calibrate_ = a.add_subcommand("calibrate",
					      "Measure the host's completion delivery time and set it (the disk must be idle)");
		add_time_option(*calibrate_, "--latency", calibrate_latency_ns_,
				"Read latency set while measuring, 10us..10ms (default 100us)");
		add_uint_option(*calibrate_, "--reads", calibrate_reads_, "Reads per condition (default 2000)", "read count");
		calibrate_->add_flag("--no-set", calibrate_no_set_, "Measure only: leave the settings as they were");
		add_json_flag(*calibrate_, calibrate_json_);
		CLI::App& s = *set_;
		for (SimClass c : k_all_sim_classes) {
			ClassOptions& o = classes_[static_cast<std::size_t>(c)];
			const std::string name(sim_class_name(c));
			o.latency = add_time_option(s, "--" + name + "-latency", o.latency_ns,
						    fmt::format("Fixed service time of {} requests", name));
			o.jitter = add_time_option(s, "--" + name + "-jitter", o.jitter_ns,
						   fmt::format("Random part of the {} latency (bound or mean)", name));
			o.distribution = s.add_option("--" + name + "-distribution", o.distribution_name,
						      fmt::format("How the {} jitter is drawn", name))
						 ->type_name("none|uniform|exponential")
						 ->check(distribution_check());
			o.slow_ppm = add_uint_option(s, "--" + name + "-slow-ppm", o.slow_ppm_value,
						     fmt::format("Chance of a slow {} request, per million", name),
						     "slow ppm");
			o.slow = add_time_option(s, "--" + name + "-slow", o.slow_ns,
						 fmt::format("Extra time of a slow {} request", name));
		}
		all_distribution_ = s.add_option("--jitter", all_distribution_name_,
						 "How the jitter of every class is drawn")
					    ->type_name("none|uniform|exponential")
					    ->check(distribution_check());
		all_slow_ppm_ = add_uint_option(s, "--slow-ppm", all_slow_ppm_value_,
						"Chance of a slow request of every class, per million", "slow ppm");
		all_slow_ = add_time_option(s, "--slow", all_slow_ns_, "Extra time of a slow request of every class");
		read_bw_ = add_size_option(s, "--read-bw", read_bw_value_, "Read bandwidth per second, e.g. 200M (0: unlimited)");
		write_bw_ = add_size_option(s, "--write-bw", write_bw_value_,
					    "Write bandwidth per second, e.g. 100M (0: unlimited)");
		iops_ = add_uint_option(s, "--iops", iops_value_, "Requests per second of reads and of writes (0: unlimited)",
					"IOPS");
		read_iops_ = add_uint_option(s, "--read-iops", read_iops_value_, "Reads per second (0: unlimited)", "IOPS");
		write_iops_ = add_uint_option(s, "--write-iops", write_iops_value_, "Writes per second (0: unlimited)",
					      "IOPS");
		channels_ = add_uint_option(s, "--channels", channels_value_, "Parallel units, 0..4096 (0: unlimited)",
					    "channel count");
		timeout_ = add_time_option(s, "--timeout", timeout_ns_, "Request timeout, whole ms up to 1h (0: 30s)");
		seed_ = add_uint_option(s, "--seed", seed_value_, "Seed of the disk's random generator", "seed");
		delivery_ = add_time_option(s, "--delivery", delivery_ns_,
					    "Host time to deliver a completion, ended early to make up for it, "
					    "0..1ms (see calibrate)");
	}

	int run(Context& ctx) override
	{
		const bool change = set_->parsed() || reset_->parsed() || calibrate_->parsed();
		if (json_ && change)
			throw UsageError("--json goes with showing the settings, not with set or reset "
					 "(calibrate takes its own --json)");
		if (calibrate_->parsed())
			return calibrate(ctx);
		const auto device = ctx.devices.open_device(device_, change ? Access::read_write : Access::read_only);
		if (reset_->parsed()) {
			device->set_sim(SimParams{});
			return k_exit_success;
		}
		if (set_->parsed()) {
			SimParams params = device->get_sim();
			apply(params);
			if (const auto problem = sim_params_problem(params))
				throw UsageError(*problem);
			device->set_sim(params);
			return k_exit_success;
		}

		const SimParams params = device->get_sim();
		if (json_)
			fmt::print(ctx.out, "{}\n", sim_json(device->path(), params).dump(2));
		else
			print(ctx, device->path(), params);
		return k_exit_success;
	}

private:
	/// Changes in @p params the settings the command line gave.
	void apply(SimParams& params) const
	{
		for (SimClass c : k_all_sim_classes) {
			const ClassOptions& o = classes_[static_cast<std::size_t>(c)];
			Latency& l = params.lat(c);
			if (*all_distribution_)
				l.distribution = *jitter_from_name(all_distribution_name_);
			if (*all_slow_ppm_)
				l.slow_ppm = all_slow_ppm_value_;
			if (*all_slow_)
				l.slow = nanoseconds(all_slow_ns_);
			if (*o.latency)
				l.base = nanoseconds(o.latency_ns);
			if (*o.jitter)
				l.jitter = nanoseconds(o.jitter_ns);
			if (*o.distribution)
				l.distribution = *jitter_from_name(o.distribution_name);
			else if (*o.jitter && o.jitter_ns != 0 && l.distribution == Jitter::none && !*all_distribution_)
				l.distribution = Jitter::uniform; // a jitter without a distribution
			if (*o.jitter && o.jitter_ns == 0 && !*o.distribution && !*all_distribution_)
				l.distribution = Jitter::none;
			if (*o.slow_ppm)
				l.slow_ppm = o.slow_ppm_value;
			if (*o.slow)
				l.slow = nanoseconds(o.slow_ns);
		}
		constexpr auto r = static_cast<std::size_t>(Direction::read);
		constexpr auto w = static_cast<std::size_t>(Direction::write);
		if (*read_bw_)
			params.bandwidth[r] = read_bw_value_;
		if (*write_bw_)
			params.bandwidth[w] = write_bw_value_;
		if (*iops_)
			params.iops = {iops_value_, iops_value_};
		if (*read_iops_)
			params.iops[r] = read_iops_value_;
		if (*write_iops_)
			params.iops[w] = write_iops_value_;
		if (*channels_)
			params.channels = channels_value_;
		if (*timeout_) {
			const nanoseconds t(timeout_ns_);
			if (t % milliseconds(1) != nanoseconds(0))
				throw UsageError(fmt::format("invalid timeout \"{}\": must be a whole number of milliseconds",
							     format_duration(t)));
			if (t > k_sim_max_timeout)
				throw UsageError(fmt::format("invalid timeout \"{}\": the most is 1h", format_duration(t)));
			params.timeout = std::chrono::duration_cast<milliseconds>(t);
		}
		if (*seed_)
			params.seed = seed_value_;
		if (*delivery_)
			params.delivery = nanoseconds(delivery_ns_);
	}

	/// vbsim sim DEV calibrate.
	int calibrate(Context& ctx)
	{
		CalibrateOptions options;
		options.reads = calibrate_reads_;
		options.rounds = std::min(options.rounds, options.reads);
		options.apply = !calibrate_no_set_;
		options.latency = nanoseconds(calibrate_latency_ns_);
		if (const auto problem = calibrate_options_problem(options))
			throw UsageError(*problem);
		const auto device = ctx.devices.open_device(device_, Access::read_write);
		const DeviceInfo info = device->info();
		if (info.config.model)
			throw std::runtime_error(fmt::format("{}: calibrate needs a disk without a model (a model sets "
							     "its own latencies); calibrate an ordinary disk and give "
							     "its delivery time to this one with 'sim set --delivery'",
							     device->path()));
		if (options.apply && !info.features.has(Feature::delivery))
			throw std::runtime_error("calibrate: the loaded module has no delivery time "
						 "(no \"delivery\" in 'vbsim features'); --no-set measures only");
		// The first 64 MiB, or the whole of a smaller disk.
		const std::uint64_t span = std::min<std::uint64_t>(info.config.capacity_bytes, std::uint64_t{64} << 20);
		const CalibrateResult r = calibrate_delivery(*device, direct_reader(device->path(), span), options);
		if (calibrate_json_) {
			fmt::print(ctx.out, "{}\n", calibrate_json(device->path(), r).dump(2));
			return k_exit_success;
		}
		fmt::print(ctx.out, "{}: completion delivery time {} ({})\n", device->path(), format_duration(r.delivery),
			   r.applied ? "set" : "not set: --no-set");
		fmt::print(ctx.out, "  {} reads per condition, 4 KiB O_DIRECT at QD1, median / mean:\n", r.on.count);
		fmt::print(ctx.out, "  engine off            {:>10} / {}\n", format_duration(r.off.median),
			   format_duration(r.off.mean));
		fmt::print(ctx.out, "  latency {:<13} {:>10} / {}\n", format_duration(r.latency),
			   format_duration(r.on.median), format_duration(r.on.mean));
		fmt::print(ctx.out, "  with the delivery time {:>9} / {}: error {:+.1f}% / {:+.1f}% of the latency\n",
			   format_duration(r.check.median), format_duration(r.check.mean), 100.0 * r.median_error(),
			   100.0 * r.mean_error());
		return k_exit_success;
	}

	static void print(Context& ctx, const std::string& path, const SimParams& p)
	{
		constexpr std::string_view row = "{:<9}{:>10}{:>10}{:>14}{:>10}{:>10}\n";
		fmt::print(ctx.out, "{}\n", path);
		fmt::print(ctx.out, row, "class", "latency", "jitter", "distribution", "slow ppm", "slow");
		for (SimClass c : k_all_sim_classes) {
			const Latency& l = p.lat(c);
			fmt::print(ctx.out, row, sim_class_name(c), format_duration(l.base), format_duration(l.jitter),
				   jitter_name(l.distribution), l.slow_ppm, format_duration(l.slow));
		}
		constexpr auto r = static_cast<std::size_t>(Direction::read);
		constexpr auto w = static_cast<std::size_t>(Direction::write);
		fmt::print(ctx.out, "bandwidth: read {}, write {}\n",
			   or_unlimited(p.bandwidth[r], format_rate(static_cast<double>(p.bandwidth[r]))),
			   or_unlimited(p.bandwidth[w], format_rate(static_cast<double>(p.bandwidth[w]))));
		fmt::print(ctx.out, "iops: read {}, write {}\n", or_unlimited(p.iops[r], std::to_string(p.iops[r])),
			   or_unlimited(p.iops[w], std::to_string(p.iops[w])));
		fmt::print(ctx.out, "channels: {}\n", or_unlimited(p.channels, std::to_string(p.channels)));
		fmt::print(ctx.out, "timeout: {}\n",
			   p.timeout.count() == 0 ? std::string("default (30s)") : format_duration(p.timeout));
		fmt::print(ctx.out, "seed: {}\n", p.seed);
		fmt::print(ctx.out, "delivery: {}\n", format_duration(p.delivery));
	}

	std::string device_;
	bool json_ = false;
	CLI::App* set_ = nullptr;
	CLI::App* reset_ = nullptr;
	CLI::App* calibrate_ = nullptr;
	std::uint32_t calibrate_reads_ = CalibrateOptions{}.reads;
	std::int64_t calibrate_latency_ns_ = CalibrateOptions{}.latency.count();
	bool calibrate_no_set_ = false;
	bool calibrate_json_ = false;
	std::array<ClassOptions, k_sim_class_count> classes_;
	CLI::Option* all_distribution_ = nullptr;
	std::string all_distribution_name_;
	CLI::Option* all_slow_ppm_ = nullptr;
	std::uint32_t all_slow_ppm_value_ = 0;
	CLI::Option* all_slow_ = nullptr;
	std::int64_t all_slow_ns_ = 0;
	CLI::Option* read_bw_ = nullptr;
	std::uint64_t read_bw_value_ = 0;
	CLI::Option* write_bw_ = nullptr;
	std::uint64_t write_bw_value_ = 0;
	CLI::Option* iops_ = nullptr;
	std::uint32_t iops_value_ = 0;
	CLI::Option* read_iops_ = nullptr;
	std::uint32_t read_iops_value_ = 0;
	CLI::Option* write_iops_ = nullptr;
	std::uint32_t write_iops_value_ = 0;
	CLI::Option* channels_ = nullptr;
	std::uint32_t channels_value_ = 0;
	CLI::Option* timeout_ = nullptr;
	std::int64_t timeout_ns_ = 0;
	CLI::Option* seed_ = nullptr;
	std::uint64_t seed_value_ = 0;
	CLI::Option* delivery_ = nullptr;
	std::int64_t delivery_ns_ = 0;
};

} // namespace

std::unique_ptr<Command> make_sim_command(CLI::App& parent)
{
	return std::make_unique<SimCommand>(parent);
}

} // namespace vbsim::cli
