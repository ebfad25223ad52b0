// parse_device_name() and device_path().
#include <gtest/gtest.h>
#include <stdexcept>

#include "vbsim/device_name.hpp"

namespace vbsim {
namespace {

TEST(DeviceName, index_name_and_path_mean_the_same_disk)
{
	const DeviceName expected{"/dev/virtblkiosim3", 3};
	EXPECT_EQ(parse_device_name("3"), expected);
	EXPECT_EQ(parse_device_name("virtblkiosim3"), expected);
	EXPECT_EQ(parse_device_name("/dev/virtblkiosim3"), expected);
}

TEST(DeviceName, other_paths_are_kept_without_an_index)
{
	EXPECT_EQ(parse_device_name("/dev/disk/by-id/foo"), (DeviceName{"/dev/disk/by-id/foo", std::nullopt}));
	EXPECT_EQ(parse_device_name("/dev/virtblkiosim0p1"), (DeviceName{"/dev/virtblkiosim0p1", std::nullopt}));
	EXPECT_EQ(parse_device_name("./virtblkiosim0"), (DeviceName{"./virtblkiosim0", std::nullopt}));
}

TEST(DeviceName, rejects_anything_else_showing_the_spellings)
{
	for (const char* text : {"", "sda", "-1", "virtblkiosim", "virtblkiosim-control", "4294967295",
				 "99999999999999999999", "0x1", " 1"}) {
		try {
			(void)parse_device_name(text);
			ADD_FAILURE() << "accepted \"" << text << "\"";
		} catch (const std::invalid_argument& e) {
			EXPECT_EQ(std::string(e.what()),
				  "invalid device \"" + std::string(text) +
					  "\": expected an index (0), a name (virtblkiosim0) or a path "
					  "(/dev/virtblkiosim0)");
		}
	}
}

TEST(DeviceName, largest_index_below_index_any_is_accepted)
{
	EXPECT_EQ(parse_device_name("4294967294").index, 4294967294U);
}

TEST(DevicePath, is_dev_virtblkiosim_n)
{
	EXPECT_EQ(device_path(0), "/dev/virtblkiosim0");
	EXPECT_EQ(device_path(1023), "/dev/virtblkiosim1023");
}

} // namespace
} // namespace vbsim
