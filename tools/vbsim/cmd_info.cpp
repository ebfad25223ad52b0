// vbsim info: the configuration and state of one disk.
#include <fmt/format.h>
#include <fmt/ostream.h>

#include "command.hpp"
#include "json_output.hpp"
#include "options.hpp"
#include "text_output.hpp"
#include "vbsim/units.hpp"

namespace vbsim::cli {

namespace {

class InfoCommand final : public Command {
public:
	explicit InfoCommand(CLI::App& parent)
		: Command(*parent.add_subcommand("info", "Show the configuration and state of a disk"))
	{
		add_device_argument(app(), device_);
		add_json_flag(app(), json_);
	}

	int run(Context& ctx) override
	{
		const auto device = ctx.devices.open_device(device_, Access::read_only);
		const DeviceInfo info = device->info();
		if (json_) {
			fmt::print(ctx.out, "{}\n", info_json(device->path(), info).dump(2));
			return k_exit_success;
		}

		const DeviceConfig& c = info.config;
		const auto line = [&ctx](std::string_view label, const std::string& value) {
			fmt::print(ctx.out, "{:<21}{}\n", fmt::format("{}:", label), value);
		};
		line("device", device->path());
		line("index", std::to_string(info.index));
		line("state", info.live ? "live" : "not live");
		line("capacity", fmt::format("{} ({} bytes, {} blocks)", format_size(c.capacity_bytes),
					     c.capacity_bytes, info.block_count()));
		line("logical block size", std::to_string(c.logical_block_size));
		line("physical block size", std::to_string(c.physical_block_size));
		line("hardware queues", std::to_string(c.nr_hw_queues));
		line("poll queues", std::to_string(c.nr_poll_queues));
		line("queue depth", std::to_string(c.queue_depth));
		line("max partitions", std::to_string(c.max_partitions));
		line("flags", config_flags_text(c, " "));
		line("max ioctl transfer", format_size(info.max_io_bytes));
		line("memory in use", fmt::format("{} pages", info.pages_in_use));
		line("abi version", std::to_string(info.abi_version));
		line("module features", join_or_dash(info.features.names(), " "));
		return k_exit_success;
	}

private:
	std::string device_;
	bool json_ = false;
};

} // namespace

std::unique_ptr<Command> make_info_command(CLI::App& parent)
{
	return std::make_unique<InfoCommand>(parent);
}

} // namespace vbsim::cli
