// FakeModule: the control node's semantics in memory.
#include <cerrno>
#include <gtest/gtest.h>

#include "error_matchers.hpp"
#include "test_bytes.hpp"
#include "vbsim/fake_device.hpp"

namespace vbsim {
namespace {

using test::throws_errno;

TEST(FakeModule, add_picks_the_lowest_free_index)
{
	FakeModule module;
	EXPECT_EQ(module.add({}, std::nullopt), 0U);
	EXPECT_EQ(module.add({}, 5), 5U);
	EXPECT_EQ(module.add({}, std::nullopt), 1U);
	module.remove(0);
	EXPECT_EQ(module.add({}, std::nullopt), 0U);
	EXPECT_EQ(module.list(), (std::vector<std::uint32_t>{0, 1, 5}));
}

TEST(FakeModule, add_refuses_a_taken_index_with_eexist)
{
	FakeModule module;
	module.add({}, 3);
	EXPECT_TRUE(throws_errno([&] { module.add({}, 3); }, EEXIST, "adding virtblkiosim3: File exists"));
}

TEST(FakeModule, add_refuses_an_index_beyond_max_devices_with_einval)
{
	FakeModule module(FakeLimits{.max_devices = 4});
	EXPECT_TRUE(throws_errno([&] { module.add({}, 4); }, EINVAL, "adding virtblkiosim4: Invalid argument"));
}

TEST(FakeModule, add_refuses_when_full_with_enospc)
{
	FakeModule module(FakeLimits{.max_devices = 2});
	module.add({}, std::nullopt);
	module.add({}, std::nullopt);
	EXPECT_TRUE(throws_errno([&] { module.add({}, std::nullopt); }, ENOSPC,
				 "adding a disk: No space left on device"));
}

TEST(FakeModule, add_refuses_a_bad_configuration_with_einval)
{
	FakeModule module;
	DeviceConfig c;
	c.logical_block_size = 1000;
	EXPECT_TRUE(throws_errno([&] { module.add(c, std::nullopt); }, EINVAL, "adding a disk: Invalid argument"));
	EXPECT_TRUE(module.list().empty());
}

TEST(FakeModule, a_bad_configuration_is_einval_before_the_index_is_looked_at)
{
	FakeModule module;
	module.add({}, 0);
	DeviceConfig c;
	c.queue_depth = 5000;
	EXPECT_TRUE(throws_errno([&] { module.add(c, 0); }, EINVAL, "adding virtblkiosim0: Invalid argument"));
}

TEST(FakeModule, remove_of_a_missing_disk_is_enodev)
{
	FakeModule module;
	EXPECT_TRUE(throws_errno([&] { module.remove(7); }, ENODEV, "removing virtblkiosim7: No such device"));
}

TEST(FakeModule, remove_while_open_is_ebusy_and_works_after_close)
{
	FakeModule module;
	module.add({}, 0);
	{
		const auto handle = module.open_device("0", Access::read_only);
		EXPECT_EQ(module.open_count(0), 1U);
		EXPECT_TRUE(throws_errno([&] { module.remove(0); }, EBUSY,
					 "removing virtblkiosim0: Device or resource busy"));
	}
	EXPECT_EQ(module.open_count(0), 0U);
	module.remove(0);
	EXPECT_TRUE(module.list().empty());
}

TEST(FakeModule, open_accepts_every_spelling_and_shares_the_disk)
{
	FakeModule module;
	module.add({.capacity_bytes = 1 << 20, .logical_block_size = 4096}, 2);
	const auto a = module.open_device("2", Access::read_write);
	const auto b = module.open_device("virtblkiosim2", Access::read_only);
	const auto c = module.open_device("/dev/virtblkiosim2", Access::read_only);
	a->write_blocks(1, test::filled(4096, 9), WriteMode::normal);
	auto out = test::filled(4096, 0);
	c->read_blocks(1, out);
	EXPECT_EQ(out, test::filled(4096, 9));
	EXPECT_EQ(b->path(), "/dev/virtblkiosim2");
	EXPECT_EQ(module.open_count(2), 3U);
}

TEST(FakeModule, opening_a_missing_disk_is_enoent)
{
	FakeModule module;
	EXPECT_TRUE(throws_errno([&] { (void)module.open_device("4", Access::read_only); }, ENOENT,
				 "opening /dev/virtblkiosim4: No such file or directory"));
	EXPECT_TRUE(throws_errno([&] { (void)module.open_device("/dev/disk/by-id/x", Access::read_only); },
				 ENOENT, "opening /dev/disk/by-id/x: No such file or directory"));
}

TEST(FakeModule, features_report_the_limits_and_the_count)
{
	FakeModule module(FakeLimits{.max_devices = 8, .features = FeatureSet{0x5}});
	module.add({}, std::nullopt);
	const ModuleFeatures f = module.features();
	EXPECT_EQ(f.abi_version, k_abi_version);
	EXPECT_EQ(f.max_devices, 8U);
	EXPECT_EQ(f.nr_devices, 1U);
	EXPECT_EQ(f.features.bits, 0x5U);
}

TEST(FakeModule, a_control_handle_acts_on_the_module)
{
	FakeModule module;
	const auto control = module.open_control();
	EXPECT_EQ(control->add({}, std::nullopt), 0U);
	EXPECT_EQ(module.list(), (std::vector<std::uint32_t>{0}));
	control->remove(0);
	EXPECT_TRUE(control->list().empty());
}

TEST(FakeModule, device_gives_the_disk_itself)
{
	FakeModule module;
	module.add({.read_only = true}, 1);
	EXPECT_TRUE(module.device(1).info().config.read_only);
	EXPECT_THROW((void)module.device(0), std::out_of_range);
}

} // namespace
} // namespace vbsim
