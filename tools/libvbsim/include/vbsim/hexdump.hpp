// HexDumper: bytes as "hexdump -C" shows them.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <ostream>
#include <span>

namespace vbsim {

/// Writes bytes to a stream in the canonical hex + ASCII layout of
/// "hexdump -C", fed in pieces of any size:
///
///     00001000  de ad be ef 00 00 00 00  00 00 00 00 00 00 00 00  |................|
///     00001010  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  |................|
///     *
///     00002000
///
/// Offsets start at the given base (the disk offset of the first byte).
/// A run of lines equal to the one before it prints as one "*", and
/// finish() prints the offset just past the last byte.
class HexDumper {
public:
	/// Bytes per line.
	static constexpr std::size_t k_line_bytes = 16;

	/// Dumps to @p out (borrowed for the dumper's lifetime); the first
	/// byte is at @p base_offset.
	explicit HexDumper(std::ostream& out, std::uint64_t base_offset = 0);

	/// Dumps @p bytes, which follow whatever was fed before.
	void feed(std::span<const std::byte> bytes);

	/// Dumps a partial last line and the final offset. Call once, last.
	void finish();

private:
	void emit_line(std::span<const std::byte> line);

	std::ostream& out_;
	std::uint64_t offset_;              ///< offset of line_[0]
	std::array<std::byte, k_line_bytes> line_{};
	std::size_t line_fill_ = 0;         ///< bytes in line_
	std::array<std::byte, k_line_bytes> previous_{};
	bool have_previous_ = false;        ///< previous_ holds a full line
	bool squeezing_ = false;            ///< "*" printed for this run
};

} // namespace vbsim
