// vbsim remove: delete a disk through the control node.
#include <fmt/format.h>

#include "command.hpp"
#include "options.hpp"
#include "vbsim/device_name.hpp"

namespace vbsim::cli {

namespace {

class RemoveCommand final : public Command {
public:
	explicit RemoveCommand(CLI::App& parent)
		: Command(*parent.add_subcommand("remove", "Remove a disk (it must not be open)"))
	{
		add_device_argument(app(), device_);
	}

	int run(Context& ctx) override
	{
		const DeviceName name = parse_device_name(device_);
		if (!name.index)
			throw UsageError(fmt::format(
				"cannot tell the index of {}: name the disk as N or virtblkiosimN", device_));
		ctx.devices.open_control()->remove(*name.index);
		return k_exit_success;
	}

private:
	std::string device_;
};

} // namespace

std::unique_ptr<Command> make_remove_command(CLI::App& parent)
{
	return std::make_unique<RemoveCommand>(parent);
}

} // namespace vbsim::cli
