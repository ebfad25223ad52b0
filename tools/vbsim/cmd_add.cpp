// vbsim add: create a disk through the control node, print its path.
#include <fmt/format.h>
#include <fmt/ostream.h>
#include <cmath>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

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
		add_uint_option(a, "--poll-queues", config_.nr_poll_queues,
				"Hardware queues for polled I/O (io_uring IOPOLL), on top of --queues, "
				"0..number of CPUs (default: 0, none)",
				"poll queue count");
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
		a.add_flag("--model", config_.model,
			   "Make a model disk: a userland model (vbsim model run) maps every request");
		model_pages_option_ = add_uint_option(
			a, "--model-pages", config_.model_pages,
			"With --model: physical pages (4 KiB) of the store (default: logical pages + 7%)",
			"model page count", 1);
		a.add_option("--op", op_text_,
			     "With --model: over-provisioning, physical pages beyond the logical ones, "
			     "as a percentage of them, e.g. 7% or 28%")
			->type_name("PERCENT");
		a.get_option("--op")->excludes(model_pages_option_);
		index_option_ = add_uint_option(a, "--index", index_,
						"Use /dev/virtblkiosimN with this N (default: the lowest free)",
						"index", 0);
		add_json_flag(a, json_);
	}

	int run(Context& ctx) override
	{
		config_.discard = !no_discard_;
		config_.write_zeroes = !no_write_zeroes_;
		if (!op_text_.empty())
			config_.model_pages = model_pages_for_op();
		if (!config_.model && (model_pages_option_->count() != 0 || !op_text_.empty()))
			throw UsageError("--model-pages and --op need --model");
		if (const auto problem = config_problem(config_))
			throw UsageError(*problem);

		std::optional<std::uint32_t> index;
		if (index_option_->count() != 0)
			index = index_;

		const std::unique_ptr<ControlDevice> control = ctx.devices.open_control();
		// A module without polled I/O would refuse the field with a bare
		// EINVAL: say why instead.
		if (config_.nr_poll_queues != 0 && !control->features().features.has(Feature::poll))
			throw std::runtime_error("--poll-queues: the loaded module does not support polled I/O "
						 "(no \"poll\" in 'vbsim features')");

		const std::uint32_t added = control->add(config_, index);
		if (json_)
			fmt::print(ctx.out, "{}\n", added_json(added).dump(2));
		else
			fmt::print(ctx.out, "{}\n", device_path(added));
		return k_exit_success;
	}

private:
	/// The physical pages --op asks for: the logical pages (from --size)
	/// plus that percentage of them, rounded up.
	std::uint64_t model_pages_for_op() const
	{
		std::string text = op_text_;
		if (text.ends_with('%'))
			text.pop_back();
		double percent = -1;
		try {
			std::size_t used = 0;
			percent = std::stod(text, &used);
			if (used != text.size())
				percent = -1;
		} catch (const std::exception&) {
			percent = -1;
		}
		if (!(percent >= 0 && percent <= 1000))
			throw UsageError(fmt::format("--op '{}' is not a percentage from 0% to 1000%", op_text_));
		if (config_.capacity_bytes == 0)
			throw UsageError("--op needs --size (the logical page count it is a percentage of)");
		const std::uint64_t logical = (config_.capacity_bytes + 4095) / 4096;
		return logical + static_cast<std::uint64_t>(
					 std::ceil(static_cast<double>(logical) * percent / 100.0));
	}

	DeviceConfig config_;
	CLI::Option* model_pages_option_ = nullptr;
	std::string op_text_;
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
