// vbsim add: create a disk through the control node, print its path.
#include <fmt/format.h>
#include <fmt/ostream.h>
#include <optional>

#include "command.hpp"
#include "json_output.hpp"
#include "options.hpp"
#include "vbsim/device_name.hpp"

namespace vbsim::cli {

namespace {

class AddCommand final : public Command {
public:
	explicit AddCommand(CLI::App& parent)
		: Command(*parent.add_subcommand("add", "Create a disk and print its path"))
	{
		CLI::App& a = app();
		add_size_option(a, "--size", config_.capacity_bytes,
				"Capacity, e.g. 4G (default: the module's)");
		add_size_option(a, "--lbs", config_.logical_block_size,
				"Logical block size: 512, 1K, 2K or 4K (default: the module's)");
		add_size_option(a, "--pbs", config_.physical_block_size,
				"Physical block size, a power of two from the logical one to 64K");
		add_uint_option(a, "--queues", config_.nr_hw_queues,
				"Hardware queues (default: one per CPU)", "queue count", 1);
		add_uint_option(a, "--depth", config_.queue_depth,
				"Tags per hardware queue, 1..4096 (default: 128)", "queue depth", 1);
		add_uint_option(a, "--partitions", config_.max_partitions,
				"Partitions the disk may hold, 0..255 (default: 0, no partition scan)",
				"partition count");
		a.add_flag("--write-cache", config_.write_cache,
			   "Advertise a volatile write cache and FUA");
		a.add_flag("--read-only", config_.read_only, "Make the disk reject writes");
		a.add_flag("--no-discard", no_discard_, "Do not accept discard");
		a.add_flag("--no-write-zeroes", no_write_zeroes_, "Do not accept write-zeroes");
		a.add_flag("--rotational", config_.rotational, "Report the disk as rotational");
		index_option_ = add_uint_option(a, "--index", index_,
						"Use /dev/virtblkiosimN with this N (default: the lowest free)",
						"index", 0);
		add_json_flag(a, json_);
	}

	int run(Context& ctx) override
	{
		config_.discard = !no_discard_;
		config_.write_zeroes = !no_write_zeroes_;
		if (const auto problem = config_problem(config_))
			throw UsageError(*problem);

		std::optional<std::uint32_t> index;
		if (index_option_->count() != 0)
			index = index_;

		const std::uint32_t added = ctx.devices.open_control()->add(config_, index);
		if (json_)
			fmt::print(ctx.out, "{}\n", added_json(added).dump(2));
		else
			fmt::print(ctx.out, "{}\n", device_path(added));
		return k_exit_success;
	}

private:
	DeviceConfig config_;
	bool no_discard_ = false;
	bool no_write_zeroes_ = false;
	std::uint32_t index_ = 0;
	CLI::Option* index_option_ = nullptr;
	bool json_ = false;
};

} // namespace

std::unique_ptr<Command> make_add_command(CLI::App& parent)
{
	return std::make_unique<AddCommand>(parent);
}

} // namespace vbsim::cli
