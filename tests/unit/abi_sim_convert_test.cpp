// libvbsim's private conversions of the simulation engine's structures:
// settings, fault rules, power cut.
#include <gtest/gtest.h>

#include "abi.hpp"

namespace vbsim {
namespace {

using namespace std::chrono_literals;

TEST(AbiSimConvert, sim_params_round_trip_field_by_field)
{
	SimParams p;
	p.seed = 0x1234567890ULL;
	p.lat(SimClass::flush) = Latency{.base = 3ms, .jitter = 2us, .distribution = Jitter::exponential,
					 .slow_ppm = 17, .slow = 1s};
	p.bandwidth = {111, 222};
	p.iops = {333, 444};
	p.channels = 8;
	p.timeout = 2500ms;
	p.delivery = 4100ns;
	const auto raw = detail::to_abi(p);
	EXPECT_EQ(raw.size, sizeof(struct vbs_sim_params));
	EXPECT_EQ(raw.flags, 0U);
	EXPECT_EQ(raw.lat[VBS_SIM_FLUSH].base_ns, 3'000'000U);
	EXPECT_EQ(raw.lat[VBS_SIM_FLUSH].jitter_ns, 2'000U);
	EXPECT_EQ(raw.lat[VBS_SIM_FLUSH].jitter, static_cast<std::uint32_t>(VBS_JITTER_EXP));
	EXPECT_EQ(raw.lat[VBS_SIM_FLUSH].slow_ppm, 17U);
	EXPECT_EQ(raw.lat[VBS_SIM_FLUSH].slow_ns, 1'000'000'000U);
	EXPECT_EQ(raw.lat[VBS_SIM_READ].base_ns, 0U);
	EXPECT_EQ(raw.bw_bps[VBS_SIM_WRITE], 222U);
	EXPECT_EQ(raw.iops[VBS_SIM_READ], 333U);
	EXPECT_EQ(raw.channels, 8U);
	EXPECT_EQ(raw.timeout_ms, 2500U);
	EXPECT_EQ(raw.delivery_ns, 4100U);
	for (auto r : raw.reserved)
		EXPECT_EQ(r, 0U);
	EXPECT_EQ(detail::from_abi(raw), p);
}

TEST(AbiSimConvert, fault_rule_input_and_output_fields)
{
	FaultRule r;
	r.id = 99; // output only
	r.op_mask = op_bit(Op::write) | op_bit(Op::flush);
	r.effect = FaultEffect::lost_write;
	r.lba = 10;
	r.count = 5;
	r.trigger = FaultTrigger::every_n;
	r.every_n = 3;
	r.remaining = 2;
	r.fired = 4; // output only
	auto raw = detail::to_abi(r);
	EXPECT_EQ(raw.size, sizeof(struct vbs_fault_rule));
	EXPECT_EQ(raw.id, 0U);
	EXPECT_EQ(raw.fired, 0U);
	EXPECT_EQ(raw.op_mask, VBS_OP_MASK(VBS_OP_WRITE) | VBS_OP_MASK(VBS_OP_FLUSH));
	EXPECT_EQ(raw.effect, static_cast<std::uint32_t>(VBS_FAULT_LOST_WRITE));
	EXPECT_EQ(raw.trigger, static_cast<std::uint32_t>(VBS_TRIGGER_EVERY_N));
	EXPECT_EQ(raw.every_n, 3U);
	EXPECT_EQ(raw.remaining, 2U);
	raw.id = 7;
	raw.matched = 9;
	raw.fired = 4;
	raw.state = VBS_FAULT_STATE_SPENT;
	const FaultRule back = detail::from_abi(raw);
	EXPECT_EQ(back.id, 7U);
	EXPECT_EQ(back.matched, 9U);
	EXPECT_EQ(back.fired, 4U);
	EXPECT_TRUE(back.spent);
	EXPECT_EQ(back.lba, 10U);
	EXPECT_EQ(back.count, 5U);
}

TEST(AbiSimConvert, powercut_flags_follow_the_options)
{
	auto raw = detail::to_abi(PowercutOptions{});
	EXPECT_EQ(raw.size, sizeof(struct vbs_powercut));
	EXPECT_EQ(raw.flags, 0U);
	raw = detail::to_abi(PowercutOptions{.keep_random = true, .keep_ppm = 250000, .seed = std::nullopt});
	EXPECT_EQ(raw.flags, static_cast<std::uint32_t>(VBS_POWERCUT_KEEP_RANDOM));
	EXPECT_EQ(raw.keep_ppm, 250000U);
	raw = detail::to_abi(PowercutOptions{.keep_random = true, .keep_ppm = 0, .seed = 0});
	EXPECT_EQ(raw.flags, static_cast<std::uint32_t>(VBS_POWERCUT_KEEP_RANDOM | VBS_POWERCUT_SEED));
	raw.pages_dropped = 3;
	raw.pages_kept = 4;
	EXPECT_EQ(detail::powercut_result(raw), (PowercutResult{.pages_dropped = 3, .pages_kept = 4}));
}

} // namespace
} // namespace vbsim
