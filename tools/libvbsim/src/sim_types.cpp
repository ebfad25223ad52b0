#include "vbsim/sim_types.hpp"

#include <fmt/format.h>

#include "vbsim/units.hpp"

namespace vbsim {

namespace {

struct EffectName {
	FaultEffect effect;
	std::string_view name;
};

constexpr std::array<EffectName, 5> k_effect_names = {{
	{FaultEffect::ioerr, "ioerr"},
	{FaultEffect::medium, "medium"},
	{FaultEffect::timeout, "timeout"},
	{FaultEffect::corrupt, "corrupt"},
	{FaultEffect::lost_write, "lost-write"},
}};

constexpr std::array<Jitter, 3> k_all_jitters = {Jitter::none, Jitter::uniform, Jitter::exponential};

/// Why @p d is not a valid latency field ("read base"), or nullopt.
std::optional<std::string> latency_field_problem(std::string_view what, std::chrono::nanoseconds d)
{
	if (d.count() < 0 || d > k_sim_max_latency)
		return fmt::format("{} {}ns is outside 0..{}", what, d.count(), format_duration(k_sim_max_latency));
	return std::nullopt;
}

} // namespace

std::string_view sim_class_name(SimClass c)
{
	switch (c) {
	case SimClass::read:
		return "read";
	case SimClass::write:
		return "write";
	case SimClass::flush:
		return "flush";
	case SimClass::discard:
		return "discard";
	}
	return "unknown";
}

std::string_view jitter_name(Jitter j)
{
	switch (j) {
	case Jitter::none:
		return "none";
	case Jitter::uniform:
		return "uniform";
	case Jitter::exponential:
		return "exponential";
	}
	return "unknown";
}

std::optional<Jitter> jitter_from_name(std::string_view name)
{
	for (Jitter j : k_all_jitters) {
		if (jitter_name(j) == name)
			return j;
	}
	return std::nullopt;
}

std::string_view fault_effect_name(FaultEffect e)
{
	for (const EffectName& n : k_effect_names) {
		if (n.effect == e)
			return n.name;
	}
	return "unknown";
}

std::optional<FaultEffect> fault_effect_from_name(std::string_view name)
{
	for (const EffectName& n : k_effect_names) {
		if (n.name == name)
			return n.effect;
	}
	return std::nullopt;
}

std::string_view fault_trigger_name(FaultTrigger t)
{
	switch (t) {
	case FaultTrigger::always:
		return "always";
	case FaultTrigger::once:
		return "once";
	case FaultTrigger::every_n:
		return "every";
	case FaultTrigger::prob:
		return "prob";
	}
	return "unknown";
}

std::optional<std::string> sim_params_problem(const SimParams& params)
{
	for (SimClass c : k_all_sim_classes) {
		const Latency& l = params.lat(c);
		const std::string_view name = sim_class_name(c);
		for (const auto& [field, value] : {std::pair{"latency", l.base}, std::pair{"jitter", l.jitter},
						   std::pair{"slow time", l.slow}}) {
			if (auto problem = latency_field_problem(fmt::format("{} {}", name, field), value))
				return problem;
		}
		if (l.slow_ppm > k_ppm_max)
			return fmt::format("{} slow ppm {} is above {}", name, l.slow_ppm, k_ppm_max);
		if (l.distribution != Jitter::none && l.distribution != Jitter::uniform &&
		    l.distribution != Jitter::exponential)
			return fmt::format("{} jitter distribution {} is unknown", name,
					   static_cast<std::uint32_t>(l.distribution));
		if (l.distribution == Jitter::none && l.jitter.count() != 0)
			return fmt::format("{} jitter {} needs a distribution (uniform or exponential)", name,
					   format_duration(l.jitter));
	}
	for (Direction d : {Direction::read, Direction::write}) {
		const auto i = static_cast<std::size_t>(d);
		const std::string_view name = d == Direction::read ? "read" : "write";
		const std::uint64_t bw = params.bandwidth[i];
		if (bw != 0 && (bw < k_sim_min_bandwidth || bw > k_sim_max_bandwidth))
			return fmt::format("{} bandwidth {} B/s is outside {}..{} B/s (0 = unlimited)", name, bw,
					   k_sim_min_bandwidth, k_sim_max_bandwidth);
		if (params.iops[i] > k_sim_max_iops)
			return fmt::format("{} IOPS {} is above {}", name, params.iops[i], k_sim_max_iops);
	}
	if (params.channels > k_sim_max_channels)
		return fmt::format("channels {} is above {}", params.channels, k_sim_max_channels);
	if (params.timeout.count() < 0 || params.timeout > k_sim_max_timeout)
		return fmt::format("timeout {}ms is outside 0..{}ms", params.timeout.count(), k_sim_max_timeout.count());
	if (params.delivery.count() < 0 || params.delivery > k_sim_max_delivery)
		return fmt::format("delivery time {} is outside 0..{}", format_duration(params.delivery),
				   format_duration(k_sim_max_delivery));
	return std::nullopt;
}

} // namespace vbsim
