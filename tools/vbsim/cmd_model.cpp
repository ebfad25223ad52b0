// vbsim model run: run a built-in userland model on a model disk
// (VBS_CFG_MODEL) until Ctrl-C / SIGTERM, with live and final statistics.
#include <algorithm>
#include <fmt/format.h>
#include <fmt/ostream.h>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <system_error>
#include <vector>

#include "command.hpp"
#include "options.hpp"
#include "vbsim/device_name.hpp"
#include "vbsim/ftl.hpp"
#include "vbsim/hdd.hpp"
#include "vbsim/model_runner.hpp"
#include "vbsim/models.hpp"
#include "vbsim/units.hpp"

namespace vbsim::cli {

namespace {

using std::chrono::nanoseconds;

/// How often the control loop looks at the runner when no live
/// statistics are asked for: how soon a failed thread ends the command.
constexpr nanoseconds k_check_interval = std::chrono::milliseconds(200);

/// Most runner threads (the built-in models support at most 64).
constexpr std::uint64_t k_max_threads = 64;

/// Shortest --stats-interval: a line every 10 ms is already a flood.
constexpr nanoseconds k_min_interval = std::chrono::milliseconds(10);

/// The models `vbsim model run` knows.
const std::vector<std::string> k_model_names = {"identity", "hdd", "trace", "ftl"};

class ModelRunCommand final : public Command {
public:
	explicit ModelRunCommand(CLI::App& parent)
		: Command(*parent.add_subcommand(
			  "run", "Run a model on a model disk until Ctrl-C (SIGINT) or SIGTERM"))
	{
		CLI::App& a = app();
		a.add_option("MODEL", name_, "identity, hdd, trace or ftl")
			->required()
			->check(CLI::IsMember(k_model_names));
		add_device_argument(a, device_);
		add_uint_option(a, "--threads", runner_.threads,
				"Sessions, one thread each, 1..64 (default 1; ftl: 1)", "thread count", 1,
				k_max_threads);
		add_uint_option(a, "--batch", runner_.batch,
				"Most requests fetched per exchange, 1..4096 (default 64)", "batch size", 1,
				model::kMaxBatch);
		a.add_flag("--recover", runner_.recover,
			   "When this model exits, requests wait for the next one instead of failing");
		add_duration_option(a, "--stats-interval", interval_ns_,
				    "Print live statistics on stderr every DURATION, 10ms..1h",
				    k_min_interval, std::chrono::hours(1));
		add_json_flag(a, json_);

		// hdd (also as the base of trace): the model lists its options
		// and parses their values itself (vbsim/hdd.hpp).
		const std::span<const model::HddOptionSpec> hdd_specs = model::hdd_options();
		hdd_values_.resize(hdd_specs.size());
		for (std::size_t i = 0; i < hdd_specs.size(); i++) {
			const model::HddOptionSpec& spec = hdd_specs[i];
			hdd_options_.push_back(
				spec.type_name.empty()
					? a.add_flag(std::string(spec.name))->description(std::string(spec.help))
					: a.add_option(std::string(spec.name), hdd_values_[i], std::string(spec.help))
						  ->type_name(std::string(spec.type_name)));
		}
		// ftl (also as the base of trace)
		ftl_option_ = a.add_option("--ftl", ftl_options_,
					   "ftl: KEY=VALUE, repeatable, e.g. channels=8, gc=cost-benefit, "
					   "op=28% (see docs/models.md)")
				      ->type_name("KEY=VALUE");
		// trace
		trace_file_option_ = a.add_option("--trace-file", trace_file_,
						  "trace: the CSV file written (default vbsim-trace.csv)")
					     ->type_name("FILE");
		base_option_ = a.add_option("--base", base_, "trace: the model traced (default identity)")
				       ->check(CLI::IsMember(std::vector<std::string>{"identity", "hdd", "ftl"}));
	}

	int run(Context& ctx) override
	{
		if (ctx.sessions == nullptr)
			throw std::runtime_error("model sessions are not available here");
		std::unique_ptr<model::Model> m = make_model();
		const std::uint32_t index = disk_index(ctx);

		// Before any thread exists: the pacer blocks SIGINT and SIGTERM,
		// and the runner's threads inherit that, so only the pacer sees
		// them.
		const std::unique_ptr<Pacer> pacer = ctx.make_pacer();
		std::optional<model::ModelRunner> runner;
		try {
			runner.emplace(*ctx.sessions, index, *m, runner_);
		} catch (const std::system_error& e) {
			throw std::runtime_error(attach_message(e, index));
		}
		const model::SessionInfo& info = runner->info();
		fmt::print(ctx.err, "model {} attached to virtblkiosim{} (session {}, {} logical / {} physical pages)\n",
			   m->name(), info.index, info.session, info.geometry.logical_pages,
			   info.geometry.physical_pages);
		ctx.err.flush();

		runner->start();
		const nanoseconds slice = interval_ns_ > 0 ? nanoseconds(interval_ns_) : k_check_interval;
		while (!runner->failed() && pacer->wait(slice)) {
			if (interval_ns_ > 0)
				print_live(ctx, runner->stats(), *m);
		}
		runner->stop();
		runner->join(); // rethrows what failed a thread
		print_final(ctx, info, runner->stats(), *m);
		return k_exit_success;
	}

private:
	/// The model the command line asks for, its options checked.
	std::unique_ptr<model::Model> make_model()
	{
		const auto hdd_used = std::find_if(hdd_options_.begin(), hdd_options_.end(),
						   [](const CLI::Option* o) { return o->count() != 0; });
		const bool trace_used = trace_file_option_->count() + base_option_->count() != 0;
		const std::string inner = name_ == "trace" ? (base_.empty() ? "identity" : base_) : name_;
		if (hdd_used != hdd_options_.end() && inner != "hdd")
			throw UsageError(fmt::format("{} is an option of the hdd model", (*hdd_used)->get_name()));
		if (ftl_option_->count() != 0 && inner != "ftl")
			throw UsageError("--ftl is an option of the ftl model");
		if (trace_used && name_ != "trace")
			throw UsageError("--trace-file and --base are options of the trace model");

		std::unique_ptr<model::Model> m;
		if (inner == "hdd") {
			model::HddConfig config;
			const std::span<const model::HddOptionSpec> specs = model::hdd_options();
			for (std::size_t i = 0; i < specs.size(); i++) {
				if (hdd_options_[i]->count() == 0)
					continue;
				try {
					model::set_hdd_option(config, specs[i].name, hdd_values_[i]);
				} catch (const std::invalid_argument& e) {
					throw UsageError(e.what());
				}
			}
			if (const std::string problem = model::hdd_config_problem(config); !problem.empty())
				throw UsageError(problem);
			m = std::make_unique<model::HddModel>(config);
		} else if (inner == "ftl") {
			m = std::make_unique<ftl::FtlModel>(ftl::parse_ftl_options(ftl_options_));
		} else {
			m = std::make_unique<model::IdentityModel>();
		}
		if (name_ == "trace")
			m = std::make_unique<model::TraceModel>(std::move(m), trace_file_);
		return m;
	}

	/// The disk's index: from its name, or from the disk itself for a
	/// path that does not say it (a udev symlink).
	std::uint32_t disk_index(Context& ctx) const
	{
		const DeviceName name = parse_device_name(device_);
		if (name.index)
			return *name.index;
		return ctx.devices.open_device(device_, Access::read_only)->info().index;
	}

	/// One line for a failed attach, explaining the usual causes.
	static std::string attach_message(const std::system_error& e, std::uint32_t index)
	{
		if (e.code() == std::errc::invalid_argument)
			return fmt::format("virtblkiosim{} is not a model disk (create one with 'vbsim add "
					   "--model'): {}",
					   index, e.what());
		if (e.code() == std::errc::no_such_device)
			return fmt::format("there is no disk virtblkiosim{}: {}", index, e.what());
		if (e.code() == std::errc::no_such_file_or_directory)
			return fmt::format("the virtblkiosim module is not loaded: {}", e.what());
		return e.what();
	}

	static void print_live(Context& ctx, const model::RunnerStats& s, const model::Model& m)
	{
		fmt::print(ctx.err,
			   "{:.1f}s: {} requests (r {} w {} f {} d {} z {}), {} batches of {:.1f}, "
			   "{:.0f} exchanges/s, {} rejected; {}: {}\n",
			   std::chrono::duration<double>(s.elapsed).count(), s.total_requests(),
			   s.requests[0], s.requests[1], s.requests[2], s.requests[3], s.requests[4],
			   s.batches, s.mean_batch(), s.exchanges_per_second(), s.rejected, m.name(),
			   m.stats().dump());
		ctx.err.flush();
	}

	void print_final(Context& ctx, const model::SessionInfo& info, const model::RunnerStats& s,
			 const model::Model& m) const
	{
		if (json_) {
			nlohmann::json out = {
				{"model", std::string(m.name())},
				{"device", device_path(info.index)},
				{"session", info.session},
				{"logical_pages", info.geometry.logical_pages},
				{"physical_pages", info.geometry.physical_pages},
				{"threads", runner_.threads},
				{"batch", runner_.batch},
				{"runner", s.to_json()},
				{"model_stats", m.stats()},
			};
			fmt::print(ctx.out, "{}\n", out.dump(2));
			return;
		}
		fmt::print(ctx.out, "model {} on {}: {} requests in {:.3f}s\n", m.name(),
			   device_path(info.index), s.total_requests(),
			   std::chrono::duration<double>(s.elapsed).count());
		static constexpr std::array<std::string_view, 5> names = {"read", "write", "flush",
									  "discard", "write_zeroes"};
		for (std::size_t i = 0; i < names.size(); i++)
			if (s.requests[i] != 0)
				fmt::print(ctx.out, "  {:<13} {:>10} requests {:>12} pages {:>8} errors\n",
					   names[i], s.requests[i], s.pages[i], s.errors[i]);
		fmt::print(ctx.out,
			   "  exchanges {} ({:.0f}/s), batches {}, mean batch {:.1f}, answers accepted {} "
			   "rejected {}\n",
			   s.exchanges, s.exchanges_per_second(), s.batches, s.mean_batch(), s.accepted,
			   s.rejected);
		if (s.page_calls != 0)
			fmt::print(ctx.out, "  page operations: {} copies, {} trims in {} calls\n",
				   s.page_copies, s.page_trims, s.page_calls);
		fmt::print(ctx.out, "  {}: {}\n", m.name(), m.stats().dump());
	}

	std::string name_;
	std::string device_;
	model::RunnerOptions runner_;
	std::int64_t interval_ns_ = 0;
	bool json_ = false;
	std::vector<std::string> hdd_values_;    ///< one per model::hdd_options()
	std::vector<CLI::Option*> hdd_options_;  ///< the same order
	std::string trace_file_ = "vbsim-trace.csv";
	std::string base_;
	std::vector<std::string> ftl_options_;
	CLI::Option* ftl_option_ = nullptr;
	CLI::Option* trace_file_option_ = nullptr;
	CLI::Option* base_option_ = nullptr;
};

/// `vbsim model`: the group; its only verb is run.
class ModelCommand final : public Command {
public:
	explicit ModelCommand(CLI::App& parent)
		: Command(*parent.add_subcommand("model", "Run a userland model on a model disk")),
		  run_(app())
	{
		app().require_subcommand(1);
	}

	int run(Context& ctx) override { return run_.run(ctx); }

private:
	ModelRunCommand run_;
};

} // namespace

std::unique_ptr<Command> make_model_command(CLI::App& parent)
{
	return std::make_unique<ModelCommand>(parent);
}

} // namespace vbsim::cli
