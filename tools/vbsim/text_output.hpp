// Pieces of the human-readable output that several commands share.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "vbsim/device_types.hpp"

namespace vbsim::cli {

/// The configuration flags that are on ("discard", "write_zeroes",
/// "write_cache", "read_only", "rotational"), joined by @p separator;
/// "-" when none is.
[[nodiscard]] std::string config_flags_text(const DeviceConfig& config, std::string_view separator);

/// Names joined by @p separator; "-" when there are none.
[[nodiscard]] std::string join_or_dash(const std::vector<std::string>& names, std::string_view separator);

} // namespace vbsim::cli
