#include "vbsim/device_types.hpp"

#include <bit>
#include <fmt/format.h>

namespace vbsim {

std::string_view feature_name(Feature feature)
{
	switch (feature) {
	case Feature::block_io:
		return "block_io";
	case Feature::stats:
		return "stats";
	case Feature::control:
		return "control";
	case Feature::discard:
		return "discard";
	case Feature::write_zeroes:
		return "write_zeroes";
	case Feature::write_cache:
		return "write_cache";
	}
	return "unknown";
}

std::vector<std::string> FeatureSet::names() const
{
	std::vector<std::string> out;
	for (std::uint64_t rest = bits; rest != 0; rest &= rest - 1) {
		const int bit = std::countr_zero(rest);
		const auto feature = static_cast<Feature>(std::uint64_t{1} << bit);
		bool known = false;
		for (Feature f : k_all_features)
			known = known || f == feature;
		out.push_back(known ? std::string(feature_name(feature)) : fmt::format("bit{}", bit));
	}
	return out;
}

} // namespace vbsim
