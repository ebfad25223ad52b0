// vbsim write: whole blocks through the write ioctl, from a file or filled
// with one byte value.
#include <algorithm>
#include <fmt/format.h>
#include <optional>
#include <vector>

#include "command.hpp"
#include "file_io.hpp"
#include "options.hpp"
#include "transfer.hpp"

namespace vbsim::cli {

namespace {

class WriteCommand final : public Command {
public:
	explicit WriteCommand(CLI::App& parent)
		: Command(*parent.add_subcommand("write", "Write blocks through the write ioctl"))
	{
		CLI::App& a = app();
		add_device_argument(a, device_);
		add_uint_option(a, "--lba", lba_, "First logical block", "LBA")->required();
		CLI::Option* in = a.add_option("--in", in_path_,
					       "Take the data from FILE, zero-padded to whole blocks")
					  ->type_name("FILE");
		pattern_option_ = add_uint_option(a, "--pattern", pattern_,
						  "Fill every byte with BYTE (0..255 or 0x00..0xff)", "pattern")
					  ->type_name("BYTE")
					  ->excludes(in);
		count_option_ = add_uint_option(a, "--count", count_,
						"Number of logical blocks (with --in: default the file's size)",
						"count", 1);
		a.add_flag("--fua", fua_, "Force Unit Access: durable before the write completes");
	}

	int run(Context& ctx) override
	{
		const bool have_count = count_option_->count() != 0;
		const bool have_pattern = pattern_option_->count() != 0;
		if (in_path_.empty() && !have_pattern)
			throw UsageError("write needs --in FILE or --pattern BYTE");
		if (have_pattern && !have_count)
			throw UsageError("--pattern needs --count");

		std::optional<InputFile> input;
		if (!in_path_.empty())
			input.emplace(in_path_);

		const auto device = ctx.devices.open_device(device_, Access::read_write);
		const DeviceInfo info = device->info();
		const std::uint64_t lbs = info.config.logical_block_size;
		const std::uint64_t count = have_count ? count_ : blocks_of(*input, lbs);
		const std::uint64_t chunk_blocks = std::min(blocks_per_transfer(info), count);
		const WriteMode mode = fua_ ? WriteMode::fua : WriteMode::normal;

		std::vector<std::byte> buffer(chunk_blocks * lbs, std::byte{pattern_});
		for (std::uint64_t done = 0; done < count;) {
			const std::uint64_t blocks = std::min(chunk_blocks, count - done);
			const std::span<std::byte> chunk(buffer.data(), blocks * lbs);
			if (input) {
				// Past the end of the file the blocks are padded
				// with zeros.
				const std::size_t got = input->read(chunk);
				std::fill(chunk.begin() + static_cast<std::ptrdiff_t>(got), chunk.end(),
					  std::byte{0});
			}
			device->write_blocks(lba_ + done, chunk, mode);
			done += blocks;
		}
		return k_exit_success;
	}

private:
	/// Blocks needed to hold all of @p input: its size over @p lbs,
	/// rounded up.
	static std::uint64_t blocks_of(const InputFile& input, std::uint64_t lbs)
	{
		const auto size = input.size();
		if (!size)
			throw UsageError(fmt::format(
				"cannot tell the size of {} (not a regular file): give --count", input.path()));
		if (*size == 0)
			throw UsageError(fmt::format("{} is empty: nothing to write", input.path()));
		return (*size + lbs - 1) / lbs;
	}

	std::string device_;
	std::uint64_t lba_ = 0;
	std::string in_path_;
	std::uint8_t pattern_ = 0;
	CLI::Option* pattern_option_ = nullptr;
	std::uint64_t count_ = 0;
	CLI::Option* count_option_ = nullptr;
	bool fua_ = false;
};

} // namespace

std::unique_ptr<Command> make_write_command(CLI::App& parent)
{
	return std::make_unique<WriteCommand>(parent);
}

} // namespace vbsim::cli
