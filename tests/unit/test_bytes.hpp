// Small helpers for tests that handle byte buffers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace vbsim::test {

/// @p n bytes, all @p value.
inline std::vector<std::byte> filled(std::size_t n, std::uint8_t value)
{
	return std::vector<std::byte>(n, std::byte{value});
}

/// The bytes of @p text.
inline std::vector<std::byte> bytes_of(const std::string& text)
{
	std::vector<std::byte> out;
	for (char c : text)
		out.push_back(static_cast<std::byte>(c));
	return out;
}

/// @p n bytes counting up from @p start (mod 256).
inline std::vector<std::byte> counting(std::size_t n, std::uint8_t start = 0)
{
	std::vector<std::byte> out(n);
	for (std::size_t i = 0; i < n; i++)
		out[i] = static_cast<std::byte>((start + i) & 0xff);
	return out;
}

} // namespace vbsim::test
