// vbsim read: whole blocks through the read ioctl, to a file or as a
// hexdump.
#include <algorithm>
#include <optional>
#include <vector>

#include "command.hpp"
#include "file_io.hpp"
#include "options.hpp"
#include "transfer.hpp"
#include "vbsim/hexdump.hpp"

namespace vbsim::cli {

namespace {

class ReadCommand final : public Command {
public:
	explicit ReadCommand(CLI::App& parent)
		: Command(*parent.add_subcommand("read", "Read blocks through the read ioctl"))
	{
		CLI::App& a = app();
		add_device_argument(a, device_);
		add_uint_option(a, "--lba", lba_, "First logical block", "LBA")->required();
		add_uint_option(a, "--count", count_, "Number of logical blocks", "count", 1)->required();
		a.add_option("--out", out_path_, "Write the data to FILE (default: hexdump on stdout)")
			->type_name("FILE");
	}

	int run(Context& ctx) override
	{
		const auto device = ctx.devices.open_device(device_, Access::read_only);
		const DeviceInfo info = device->info();
		const std::uint64_t lbs = info.config.logical_block_size;
		const std::uint64_t chunk_blocks = std::min(blocks_per_transfer(info), count_);

		std::optional<OutputFile> file;
		std::optional<HexDumper> dumper;
		if (out_path_.empty())
			dumper.emplace(ctx.out, lba_ * lbs);
		else
			file.emplace(out_path_);

		// Whole blocks, as many per ioctl as the disk takes. An LBA
		// range past the end is the kernel's to refuse (EINVAL).
		std::vector<std::byte> buffer(chunk_blocks * lbs);
		for (std::uint64_t done = 0; done < count_;) {
			const std::uint64_t blocks = std::min(chunk_blocks, count_ - done);
			const std::span<std::byte> chunk(buffer.data(), blocks * lbs);
			device->read_blocks(lba_ + done, chunk);
			if (file)
				file->write(chunk);
			else
				dumper->feed(chunk);
			done += blocks;
		}
		if (dumper)
			dumper->finish();
		return k_exit_success;
	}

private:
	std::string device_;
	std::uint64_t lba_ = 0;
	std::uint64_t count_ = 0;
	std::string out_path_;
};

} // namespace

std::unique_ptr<Command> make_read_command(CLI::App& parent)
{
	return std::make_unique<ReadCommand>(parent);
}

} // namespace vbsim::cli
