// Reading and writing quantities the way people type and read them.
//
// The parse_*() functions accept exactly one spelling of a number with an
// optional unit, with no spaces, and throw std::invalid_argument whose
// what() quotes the text and says what was expected, for example:
//
//     invalid size "4X": unknown unit "X" (use K, M, G, T or P, optionally
//     followed by iB or B)
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace vbsim {

/// A byte count: decimal digits, optionally followed by a binary unit:
///
///     4096   4096B   512K   512KiB   512KB   4G   1T   1P
///
/// K, M, G, T, P are powers of 1024 (either case), "iB" or "B" may follow
/// them; "B" alone means bytes. Rejects empty text, signs ("-1": sizes
/// cannot be negative), fractions, junk, and values beyond 2^64 - 1.
[[nodiscard]] std::uint64_t parse_size(std::string_view text);

/// A non-negative integer, decimal or hexadecimal with "0x", at most
/// @p max. @p what names the quantity in the message ("LBA", "count").
[[nodiscard]] std::uint64_t parse_uint(std::string_view text, std::uint64_t max,
				       std::string_view what);

/// A duration: decimal digits and a unit (ns, us, ms, s, m, h); plain
/// digits are seconds. "1s", "500ms", "2". Rejects signs, junk, overflow.
[[nodiscard]] std::chrono::nanoseconds parse_duration(std::string_view text);

/// A byte count for people: "512 B", "4 KiB", "1.5 GiB" (at most one
/// decimal, binary units).
[[nodiscard]] std::string format_size(std::uint64_t bytes);

/// A rate for people: "0 B/s", "3.9 MiB/s".
[[nodiscard]] std::string format_rate(double bytes_per_sec);

/// A duration in the largest unit that shows it exactly: "1s", "250ms",
/// "1500ms", "100us", "42ns". parse_duration() reads it back.
[[nodiscard]] std::string format_duration(std::chrono::nanoseconds d);

} // namespace vbsim
