#include "vbsim/hexdump.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <fmt/ostream.h>

namespace vbsim {

HexDumper::HexDumper(std::ostream& out, std::uint64_t base_offset)
	: out_(out), offset_(base_offset)
{
}

void HexDumper::feed(std::span<const std::byte> bytes)
{
	while (!bytes.empty()) {
		const std::size_t take = std::min(bytes.size(), k_line_bytes - line_fill_);
		std::copy_n(bytes.begin(), take, line_.begin() + static_cast<std::ptrdiff_t>(line_fill_));
		line_fill_ += take;
		bytes = bytes.subspan(take);
		if (line_fill_ < k_line_bytes)
			break;

		// A full line: print it, or squeeze it into a "*" when it
		// repeats the line before.
		if (have_previous_ && line_ == previous_) {
			if (!squeezing_)
				fmt::print(out_, "*\n");
			squeezing_ = true;
		} else {
			emit_line(line_);
			squeezing_ = false;
		}
		previous_ = line_;
		have_previous_ = true;
		offset_ += k_line_bytes;
		line_fill_ = 0;
	}
}

void HexDumper::finish()
{
	if (line_fill_ != 0) {
		emit_line(std::span(line_).first(line_fill_));
		offset_ += line_fill_;
		line_fill_ = 0;
	}
	fmt::print(out_, "{:08x}\n", offset_);
}

void HexDumper::emit_line(std::span<const std::byte> line)
{
	std::string text = fmt::format("{:08x} ", offset_);
	for (std::size_t i = 0; i < k_line_bytes; i++) {
		if (i % 8 == 0)
			text += ' ';
		if (i < line.size())
			text += fmt::format("{:02x} ", static_cast<unsigned>(line[i]));
		else
			text += "   ";
	}
	text += " |";
	for (std::byte b : line) {
		const auto c = static_cast<unsigned char>(b);
		text += c >= 0x20 && c < 0x7f ? static_cast<char>(c) : '.';
	}
	text += "|\n";
	out_ << text;
}

} // namespace vbsim
