// vbsim list: the disks that exist.
#include <fmt/format.h>
#include <fmt/ostream.h>
#include <system_error>

#include "command.hpp"
#include "json_output.hpp"
#include "options.hpp"
#include "text_output.hpp"
#include "vbsim/device_name.hpp"
#include "vbsim/units.hpp"

namespace vbsim::cli {

namespace {

class ListCommand final : public Command {
public:
	explicit ListCommand(CLI::App& parent)
		: Command(*parent.add_subcommand("list", "List the disks"))
	{
		add_json_flag(app(), json_);
	}

	int run(Context& ctx) override
	{
		const std::vector<std::uint32_t> indices = ctx.devices.open_control()->list();
		if (json_) {
			fmt::print(ctx.out, "{}\n", list_json(indices).dump(2));
			return k_exit_success;
		}
		if (indices.empty())
			return k_exit_success;

		constexpr std::string_view row = "{:<22} {:>10} {:>5} {:>6} {:>4} {:>5}  {}\n";
		fmt::print(ctx.out, row, "DEVICE", "SIZE", "LBS", "QUEUES", "POLL", "DEPTH", "FLAGS");
		for (std::uint32_t index : indices) {
			const std::string path = device_path(index);
			try {
				const DeviceInfo info =
					ctx.devices.open_device(path, Access::read_only)->info();
				const DeviceConfig& c = info.config;
				fmt::print(ctx.out, row, path, format_size(c.capacity_bytes),
					   c.logical_block_size, c.nr_hw_queues, c.nr_poll_queues, c.queue_depth,
					   config_flags_text(c, ","));
			} catch (const std::system_error&) {
				// Listed but not readable by us (permissions) or
				// removed meanwhile: say so, keep listing.
				fmt::print(ctx.out, row, path, "?", "?", "?", "?", "?", "?");
			}
		}
		return k_exit_success;
	}

private:
	bool json_ = false;
};

} // namespace

std::unique_ptr<Command> make_list_command(CLI::App& parent)
{
	return std::make_unique<ListCommand>(parent);
}

} // namespace vbsim::cli
