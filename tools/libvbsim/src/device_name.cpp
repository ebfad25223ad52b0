#include "vbsim/device_name.hpp"

#include <fmt/format.h>
#include <limits>
#include <stdexcept>

#include "parse_number.hpp"

namespace vbsim {

namespace {

constexpr std::string_view k_disk_name = "virtblkiosim";
constexpr std::string_view k_dev_dir = "/dev/";

/// The index in @p digits, if they are a valid one. VBS_INDEX_ANY
/// (UINT32_MAX) means "any" in the ABI, so it is not a disk's index.
std::optional<std::uint32_t> index_from(std::string_view digits)
{
	const auto value = detail::whole_decimal(digits);
	if (!value || *value >= std::numeric_limits<std::uint32_t>::max())
		return std::nullopt;
	return static_cast<std::uint32_t>(*value);
}

} // namespace

std::string device_path(std::uint32_t index)
{
	return fmt::format("{}{}{}", k_dev_dir, k_disk_name, index);
}

DeviceName parse_device_name(std::string_view text)
{
	if (text.find('/') != std::string_view::npos) {
		DeviceName name{std::string(text), std::nullopt};
		std::string_view rest = text;
		if (rest.starts_with(k_dev_dir) && rest.substr(k_dev_dir.size()).starts_with(k_disk_name))
			name.index = index_from(rest.substr(k_dev_dir.size() + k_disk_name.size()));
		return name;
	}

	std::string_view digits = text;
	if (digits.starts_with(k_disk_name))
		digits.remove_prefix(k_disk_name.size());
	if (const auto index = index_from(digits))
		return DeviceName{device_path(*index), *index};

	throw std::invalid_argument(fmt::format(
		"invalid device \"{}\": expected an index (0), a name ({}0) or a path ({}{}0)", text,
		k_disk_name, k_dev_dir, k_disk_name));
}

} // namespace vbsim
