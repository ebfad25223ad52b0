// vbsim trace replay: re-issue the I/Os a trace model recorded against a
// block device (or a file), with the recorded timing or as fast as
// possible, and summarise what happened.
#include <fmt/format.h>
#include <fmt/ostream.h>
#include <fstream>
#include <memory>
#include <string>

#include "command.hpp"
#include "options.hpp"
#include "vbsim/device_name.hpp"
#include "vbsim/error.hpp"
#include "vbsim/trace_replay.hpp"
#include "vbsim/units.hpp"

namespace vbsim::cli {

namespace {

class TraceReplayCommand final : public Command {
public:
	explicit TraceReplayCommand(CLI::App& parent)
		: Command(*parent.add_subcommand(
			  "replay", "Re-issue a recorded trace against a block device or a file"))
	{
		CLI::App& a = app();
		a.add_option("FILE", file_, "Trace written by 'vbsim model run trace'")->required();
		a.add_option("DEV", target_,
			     "Where to replay: 0, virtblkiosim0, /dev/... or a regular file")
			->required();
		a.add_option("--speed", options_.speed,
			     "Replay the recorded times divided by this factor (default 1)")
			->check(CLI::PositiveNumber);
		a.add_flag("--as-fast-as-possible", options_.as_fast_as_possible,
			   "Ignore the recorded times: each I/O as soon as the previous ends");
		a.add_flag("--buffered", buffered_,
			   "Go through the page cache instead of O_DIRECT (for files on tmpfs)");
		add_json_flag(a, json_);
	}

	int run(Context& ctx) override
	{
		std::ifstream in(file_);
		if (!in)
			throw_error(errno != 0 ? errno : ENOENT, fmt::format("opening trace {}", file_));
		const std::vector<model::TraceRecord> records = model::read_trace(in);
		const std::string path = parse_device_name(target_).path;
		model::FileReplayTarget target(path, !buffered_);
		const model::ReplaySummary s = model::replay(records, target, options_);
		if (json_) {
			nlohmann::json out = s.to_json();
			out["trace"] = file_;
			out["target"] = path;
			fmt::print(ctx.out, "{}\n", out.dump(2));
			return k_exit_success;
		}
		fmt::print(ctx.out, "replayed {} I/Os of {} on {} in {:.3f}s\n", s.total_ios(), file_, path,
			   std::chrono::duration<double>(s.elapsed).count());
		for (std::size_t i = 0; i < s.ios.size(); i++)
			if (s.ios[i] != 0)
				fmt::print(ctx.out, "  {:<13} {:>10} I/Os {:>12} {:>8} errors\n",
					   model::op_name(static_cast<model::Op>(i)), s.ios[i],
					   format_size(s.bytes[i]), s.errors[i]);
		const std::uint64_t n = s.total_ios();
		fmt::print(ctx.out, "  latency mean {} max {}, most behind schedule {}, status mismatches {}\n",
			   format_duration(n == 0 ? std::chrono::nanoseconds(0)
						  : s.latency_sum / static_cast<std::int64_t>(n)),
			   format_duration(s.latency_max), format_duration(s.max_lag),
			   s.status_mismatches);
		return k_exit_success;
	}

private:
	std::string file_;
	std::string target_;
	model::ReplayOptions options_;
	bool buffered_ = false;
	bool json_ = false;
};

/// `vbsim trace`: the group; its only verb is replay.
class TraceCommand final : public Command {
public:
	explicit TraceCommand(CLI::App& parent)
		: Command(*parent.add_subcommand("trace", "Work with traces of the trace model")),
		  replay_(app())
	{
		app().require_subcommand(1);
	}

	int run(Context& ctx) override { return replay_.run(ctx); }

private:
	TraceReplayCommand replay_;
};

} // namespace

std::unique_ptr<Command> make_trace_command(CLI::App& parent)
{
	return std::make_unique<TraceCommand>(parent);
}

} // namespace vbsim::cli
