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
	case Feature::sim:
		return "sim";
	case Feature::faults:
		return "faults";
	case Feature::powercut:
		return "powercut";
	case Feature::latency_stats:
		return "latency_stats";
	case Feature::model:
		return "model";
	case Feature::poll:
		return "poll";
	case Feature::delivery:
		return "delivery";
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

namespace {

constexpr std::uint32_t k_min_block_size = 512;
constexpr std::uint32_t k_max_logical_block_size = 4096;
constexpr std::uint32_t k_max_physical_block_size = 65536;
constexpr std::uint32_t k_max_queue_depth = 4096;
constexpr std::uint32_t k_max_partitions = 255;
constexpr std::uint64_t k_max_model_pages = std::uint64_t{1} << 38;
constexpr std::uint64_t k_model_page_size = 4096;

bool power_of_two_in(std::uint64_t value, std::uint64_t low, std::uint64_t high)
{
	return std::has_single_bit(value) && value >= low && value <= high;
}

} // namespace

std::optional<std::string> config_problem(const DeviceConfig& c)
{
	const std::uint32_t lbs = c.logical_block_size;
	if (lbs != 0 && !power_of_two_in(lbs, k_min_block_size, k_max_logical_block_size))
		return fmt::format("logical block size {} is not a power of two from {} to {}", lbs,
				   k_min_block_size, k_max_logical_block_size);

	const std::uint32_t pbs_min = lbs != 0 ? lbs : k_min_block_size;
	if (c.physical_block_size != 0 &&
	    !power_of_two_in(c.physical_block_size, pbs_min, k_max_physical_block_size))
		return fmt::format("physical block size {} is not a power of two from {} to {}",
				   c.physical_block_size, pbs_min, k_max_physical_block_size);

	const std::uint32_t capacity_unit = lbs != 0 ? lbs : k_min_block_size;
	if (c.capacity_bytes % capacity_unit != 0)
		return fmt::format("capacity of {} bytes is not a multiple of the logical block size ({})",
				   c.capacity_bytes, capacity_unit);
	if (c.capacity_bytes > k_max_capacity)
		return fmt::format("capacity of {} bytes is more than {} (1 PiB)", c.capacity_bytes,
				   k_max_capacity);

	if (c.model_pages != 0 && !c.model)
		return "model pages are only for a model disk";
	if (c.model_pages > k_max_model_pages)
		return fmt::format("{} model pages is more than {} (2^38)", c.model_pages,
				   k_max_model_pages);
	if (c.model && c.model_pages != 0 && c.capacity_bytes != 0 &&
	    c.model_pages * k_model_page_size < c.capacity_bytes)
		return fmt::format("{} model pages hold less than the disk's {} bytes", c.model_pages,
				   c.capacity_bytes);

	if (c.queue_depth > k_max_queue_depth)
		return fmt::format("queue depth {} is more than {}", c.queue_depth, k_max_queue_depth);
	if (c.max_partitions > k_max_partitions)
		return fmt::format("{} partitions is more than {}", c.max_partitions, k_max_partitions);
	return std::nullopt;
}

} // namespace vbsim
