// vbsim powercut: lose what a real disk would lose in a power cut, the
// writes not yet flushed, and print how many cache pages went and stayed.
#include <fmt/format.h>
#include <fmt/ostream.h>

#include "command.hpp"
#include "json_output.hpp"
#include "options.hpp"
#include "vbsim/sim_types.hpp"

namespace vbsim::cli {

namespace {

class PowercutCommand final : public Command {
public:
	explicit PowercutCommand(CLI::App& parent)
		: Command(*parent.add_subcommand("powercut",
						 "Drop the writes not yet durable, as a power cut would"))
	{
		CLI::App& a = app();
		add_device_argument(a, device_);
		a.add_option("--keep", keep_, "none: drop every page not yet durable (default); random: keep a random subset")
			->type_name("none|random")
			->check(CLI::IsMember({"none", "random"}));
		keep_ppm_ = add_uint_option(a, "--keep-ppm", options_.keep_ppm,
					    "With --keep random: chance of keeping each page, per million (default: 500000)",
					    "keep ppm", 1);
		seed_ = add_uint_option(a, "--seed", seed_value_,
					"With --keep random: draw the subset from this seed, not the disk's generator",
					"seed");
		add_json_flag(a, json_);
	}

	int run(Context& ctx) override
	{
		options_.keep_random = keep_ == "random";
		if (!options_.keep_random && (*keep_ppm_ || *seed_))
			throw UsageError("--keep-ppm and --seed choose the pages --keep random keeps: add --keep random");
		if (options_.keep_ppm > k_ppm_max)
			throw UsageError(fmt::format("invalid keep ppm \"{}\": too large (the most is {})",
						     options_.keep_ppm, k_ppm_max));
		if (*seed_)
			options_.seed = seed_value_;
		const auto device = ctx.devices.open_device(device_, Access::read_write);
		const PowercutResult result = device->powercut(options_);
		if (json_)
			fmt::print(ctx.out, "{}\n", powercut_json(device->path(), result).dump(2));
		else
			fmt::print(ctx.out, "{}: {} cache pages dropped, {} kept\n", device->path(), result.pages_dropped,
				   result.pages_kept);
		return k_exit_success;
	}

private:
	std::string device_;
	std::string keep_ = "none";
	PowercutOptions options_;
	CLI::Option* keep_ppm_ = nullptr;
	CLI::Option* seed_ = nullptr;
	std::uint64_t seed_value_ = 0;
	bool json_ = false;
};

} // namespace

std::unique_ptr<Command> make_powercut_command(CLI::App& parent)
{
	return std::make_unique<PowercutCommand>(parent);
}

} // namespace vbsim::cli
