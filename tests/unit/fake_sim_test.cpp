// FakeDevice's simulation engine: the kernel's validation of simulation
// settings, fault rules and power cuts, and fault rules acting on I/O.
#include <cerrno>
#include <gtest/gtest.h>
#include <vector>

#include "error_matchers.hpp"
#include "vbsim/fake_device.hpp"

namespace vbsim {
namespace {

using namespace std::chrono_literals;
using test::throws_errno;

/// A 64-block disk of 4096-byte blocks.
FakeDevice small_disk()
{
	DeviceConfig c;
	c.capacity_bytes = 64 * 4096;
	c.logical_block_size = 4096;
	return FakeDevice(0, c);
}

FaultRule read_rule(std::uint64_t lba, std::uint64_t count, FaultEffect effect = FaultEffect::ioerr)
{
	FaultRule r;
	r.op_mask = op_bit(Op::read);
	r.effect = effect;
	r.lba = lba;
	r.count = count;
	return r;
}

constexpr const char* k_set_what = "changing the simulation settings of /dev/virtblkiosim0: Invalid argument";
constexpr const char* k_add_what = "adding a fault rule of /dev/virtblkiosim0: Invalid argument";

TEST(FakeSim, settings_start_off_and_round_trip)
{
	FakeDevice dev = small_disk();
	EXPECT_EQ(dev.get_sim(), SimParams{});
	SimParams p;
	p.seed = 7;
	p.lat(SimClass::read) = Latency{.base = 100us, .jitter = 10us, .distribution = Jitter::exponential,
					.slow_ppm = 1000, .slow = 5ms};
	p.bandwidth = {200 << 20, 100 << 20};
	p.iops = {1000, 2000};
	p.channels = 4;
	p.timeout = 5s;
	dev.set_sim(p);
	EXPECT_EQ(dev.get_sim(), p);
}

TEST(FakeSim, out_of_range_settings_fail_with_einval_and_change_nothing)
{
	std::vector<std::function<void(SimParams&)>> bad = {
		[](SimParams& p) { p.lat(SimClass::read).base = 60s + 1ns; },
		[](SimParams& p) { p.lat(SimClass::write).base = -1ns; },
		[](SimParams& p) { p.lat(SimClass::flush).jitter = 61s; },
		[](SimParams& p) { p.lat(SimClass::discard).slow = 61s; },
		[](SimParams& p) { p.lat(SimClass::read).slow_ppm = 1'000'001; },
		[](SimParams& p) { p.lat(SimClass::read).jitter = 1us; },
		[](SimParams& p) { p.lat(SimClass::read).distribution = static_cast<Jitter>(3); },
		[](SimParams& p) { p.channels = 4097; },
		[](SimParams& p) { p.timeout = 3600001ms; },
		[](SimParams& p) { p.bandwidth[0] = 1; },
		[](SimParams& p) { p.bandwidth[1] = 4095; },
		[](SimParams& p) { p.bandwidth[0] = (std::uint64_t{1} << 50) + 1; },
		[](SimParams& p) { p.iops[1] = 1'000'000'001; },
	};
	for (const auto& change : bad) {
		FakeDevice dev = small_disk();
		SimParams p;
		change(p);
		EXPECT_NE(sim_params_problem(p), std::nullopt);
		EXPECT_TRUE(throws_errno([&] { dev.set_sim(p); }, EINVAL, k_set_what));
		EXPECT_EQ(dev.get_sim(), SimParams{});
	}
	SimParams edge;
	edge.lat(SimClass::read) = Latency{.base = 60s, .jitter = 60s, .distribution = Jitter::uniform,
					   .slow_ppm = 1'000'000, .slow = 60s};
	edge.channels = 4096;
	edge.timeout = 1h;
	edge.bandwidth = {4096, std::uint64_t{1} << 50};
	edge.iops = {1, 1'000'000'000};
	EXPECT_EQ(sim_params_problem(edge), std::nullopt);
}

TEST(FakeSim, fault_rules_get_ids_and_resolved_fields)
{
	FakeDevice dev = small_disk();
	EXPECT_EQ(dev.add_fault(read_rule(10, 1)), 1U);
	FaultRule once = read_rule(20, 0, FaultEffect::medium);
	once.trigger = FaultTrigger::once;
	EXPECT_EQ(dev.add_fault(once), 2U);
	const auto rules = dev.list_faults();
	ASSERT_EQ(rules.size(), 2U);
	EXPECT_EQ(rules[0].id, 1U);
	EXPECT_EQ(rules[1].count, 44U); // 0: to the end
	EXPECT_EQ(rules[1].remaining, 1U);
}

TEST(FakeSim, invalid_fault_rules_fail_with_einval)
{
	std::vector<std::function<void(FaultRule&)>> bad = {
		[](FaultRule& r) { r.op_mask = 0; },
		[](FaultRule& r) { r.op_mask = 1U << 5; },
		[](FaultRule& r) { r.effect = static_cast<FaultEffect>(0); },
		[](FaultRule& r) { r.effect = static_cast<FaultEffect>(6); },
		[](FaultRule& r) { r.effect = FaultEffect::corrupt; r.op_mask |= op_bit(Op::write); },
		[](FaultRule& r) { r.effect = FaultEffect::lost_write; },
		[](FaultRule& r) { r.every_n = 2; },
		[](FaultRule& r) { r.trigger = FaultTrigger::once; r.remaining = 2; },
		[](FaultRule& r) { r.trigger = FaultTrigger::every_n; },
		[](FaultRule& r) { r.trigger = FaultTrigger::prob; },
		[](FaultRule& r) { r.trigger = FaultTrigger::prob; r.ppm = 1'000'001; },
		[](FaultRule& r) { r.trigger = static_cast<FaultTrigger>(4); },
		[](FaultRule& r) { r.lba = 64; },
		[](FaultRule& r) { r.lba = 60; r.count = 5; },
		[](FaultRule& r) { r.lba = 1; r.count = ~std::uint64_t{0}; },
	};
	for (const auto& change : bad) {
		FakeDevice dev = small_disk();
		FaultRule r = read_rule(0, 1);
		change(r);
		EXPECT_TRUE(throws_errno([&] { (void)dev.add_fault(r); }, EINVAL, k_add_what));
		EXPECT_TRUE(dev.list_faults().empty());
	}
}

TEST(FakeSim, the_rule_table_is_full_at_1024)
{
	FakeDevice dev = small_disk();
	for (std::size_t i = 0; i < k_fault_max_rules; i++)
		(void)dev.add_fault(read_rule(0, 1));
	EXPECT_TRUE(throws_errno([&] { (void)dev.add_fault(read_rule(0, 1)); }, ENOSPC,
				 "adding a fault rule of /dev/virtblkiosim0: No space left on device"));
}

TEST(FakeSim, a_fault_fails_exactly_its_blocks_and_counts)
{
	FakeDevice dev = small_disk();
	(void)dev.add_fault(read_rule(5, 1));
	std::vector<std::byte> block(4096);
	dev.read_blocks(4, block);
	dev.read_blocks(6, block);
	EXPECT_TRUE(throws_errno([&] { dev.read_blocks(5, block); }, EIO,
				 "reading 1 block at LBA 5 of /dev/virtblkiosim0: Input/output error"));
	dev.write_blocks(5, block, WriteMode::normal); // reads only
	const FaultRule r = dev.list_faults().at(0);
	EXPECT_EQ(r.matched, 1U);
	EXPECT_EQ(r.fired, 1U);
	EXPECT_EQ(dev.stats().op(Op::read).errors, 1U);
	EXPECT_EQ(dev.stats().op(Op::read).faults, 1U);
}

TEST(FakeSim, once_rules_are_spent_and_corrupt_and_lost_write_complete)
{
	FakeDevice dev = small_disk();
	FaultRule once = read_rule(0, 1, FaultEffect::medium);
	once.trigger = FaultTrigger::once;
	(void)dev.add_fault(once);
	std::vector<std::byte> block(4096);
	EXPECT_TRUE(throws_errno([&] { dev.read_blocks(0, block); }, ENODATA,
				 "reading 1 block at LBA 0 of /dev/virtblkiosim0: No data available"));
	dev.read_blocks(0, block);
	EXPECT_TRUE(dev.list_faults().at(0).spent);
	EXPECT_EQ(dev.list_faults().at(0).matched, 2U);

	(void)dev.add_fault(read_rule(1, 1, FaultEffect::corrupt));
	dev.read_blocks(1, block);
	EXPECT_EQ(block[0], std::byte{0xff});

	FaultRule lost;
	lost.op_mask = op_bit(Op::write);
	lost.effect = FaultEffect::lost_write;
	lost.lba = 2;
	lost.count = 1;
	(void)dev.add_fault(lost);
	std::vector<std::byte> ones(4096, std::byte{1});
	dev.write_blocks(2, ones, WriteMode::normal);
	dev.read_blocks(2, block);
	EXPECT_EQ(block[0], std::byte{0});
}

TEST(FakeSim, clear_removes_one_rule_or_all)
{
	FakeDevice dev = small_disk();
	(void)dev.add_fault(read_rule(0, 1));
	(void)dev.add_fault(read_rule(1, 1));
	dev.clear_faults(1U);
	ASSERT_EQ(dev.list_faults().size(), 1U);
	EXPECT_EQ(dev.list_faults()[0].id, 2U);
	EXPECT_TRUE(throws_errno([&] { dev.clear_faults(1U); }, ENOENT,
				 "clearing fault rule 1 of /dev/virtblkiosim0: No such file or directory"));
	EXPECT_TRUE(throws_errno([&] { dev.clear_faults(0U); }, ENOENT,
				 "clearing fault rule 0 of /dev/virtblkiosim0: No such file or directory"));
	dev.clear_faults(std::nullopt);
	EXPECT_TRUE(dev.list_faults().empty());
	EXPECT_TRUE(throws_errno([&] { dev.clear_faults(std::nullopt); }, ENOENT,
				 "clearing the fault rules of /dev/virtblkiosim0: No such file or directory"));
	EXPECT_EQ(dev.add_fault(read_rule(0, 1)), 3U); // ids are not reused
}

TEST(FakeSim, powercut_validates_like_the_kernel_and_drops_nothing)
{
	FakeDevice dev = small_disk();
	EXPECT_EQ(dev.powercut({}), PowercutResult{});
	EXPECT_EQ(dev.powercut({.keep_random = true, .keep_ppm = 1'000'000, .seed = 5}), PowercutResult{});
	const char* what = "cutting the power of /dev/virtblkiosim0: Invalid argument";
	EXPECT_TRUE(throws_errno([&] { (void)dev.powercut({.keep_random = false, .keep_ppm = 1, .seed = std::nullopt}); }, EINVAL, what));
	EXPECT_TRUE(throws_errno([&] { (void)dev.powercut({.keep_random = false, .keep_ppm = 0, .seed = 1}); }, EINVAL, what));
	EXPECT_TRUE(throws_errno([&] { (void)dev.powercut({.keep_random = true, .keep_ppm = 1'000'001, .seed = std::nullopt}); },
				 EINVAL, what));
}

} // namespace
} // namespace vbsim
