#include "text_output.hpp"

#include <fmt/format.h>

#include <vector>

namespace vbsim::cli {

std::string join_or_dash(const std::vector<std::string>& names, std::string_view separator)
{
	if (names.empty())
		return "-";
	std::string text;
	for (const std::string& name : names) {
		if (!text.empty())
			text += separator;
		text += name;
	}
	return text;
}

std::string config_flags_text(const DeviceConfig& c, std::string_view separator)
{
	std::vector<std::string> on;
	if (c.discard)
		on.emplace_back("discard");
	if (c.write_zeroes)
		on.emplace_back("write_zeroes");
	if (c.write_cache)
		on.emplace_back("write_cache");
	if (c.read_only)
		on.emplace_back("read_only");
	if (c.rotational)
		on.emplace_back("rotational");
	if (c.model)
		on.emplace_back(fmt::format("model({} pages)", c.model_pages));
	return join_or_dash(on, separator);
}

} // namespace vbsim::cli
