// vbsim features: what the loaded module supports.
#include <fmt/format.h>
#include <fmt/ostream.h>

#include "command.hpp"
#include "json_output.hpp"
#include "options.hpp"
#include "text_output.hpp"

namespace vbsim::cli {

namespace {

class FeaturesCommand final : public Command {
public:
	explicit FeaturesCommand(CLI::App& parent)
		: Command(*parent.add_subcommand("features", "Show what the loaded module supports"))
	{
		add_json_flag(app(), json_);
	}

	int run(Context& ctx) override
	{
		const ModuleFeatures f = ctx.devices.open_control()->features();
		if (json_) {
			fmt::print(ctx.out, "{}\n", features_json(f).dump(2));
			return k_exit_success;
		}
		fmt::print(ctx.out, "abi version:      {} (vbsim speaks {})\n", f.abi_version, k_abi_version);
		fmt::print(ctx.out, "features:         {}\n", join_or_dash(f.features.names(), " "));
		fmt::print(ctx.out, "disks:            {} of at most {}\n", f.nr_devices, f.max_devices);
		return k_exit_success;
	}

private:
	bool json_ = false;
};

} // namespace

std::unique_ptr<Command> make_features_command(CLI::App& parent)
{
	return std::make_unique<FeaturesCommand>(parent);
}

} // namespace vbsim::cli
