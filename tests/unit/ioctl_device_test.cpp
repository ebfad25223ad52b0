// IoctlDevice and IoctlControl where no module is needed: the errors they
// give when the node is missing or is not a virtblkiosim node.
#include <cerrno>
#include <gtest/gtest.h>

#include "error_matchers.hpp"
#include "vbsim/ioctl_device.hpp"

namespace vbsim {
namespace {

using test::throws_errno;

TEST(IoctlDevice, a_missing_node_fails_to_open_with_enoent)
{
	EXPECT_TRUE(throws_errno([] { IoctlDevice dev("/nonexistent/virtblkiosim0", Access::read_only); }, ENOENT,
				 "opening /nonexistent/virtblkiosim0: No such file or directory"));
}

TEST(IoctlDevice, a_node_of_another_driver_fails_with_enotty)
{
	EXPECT_TRUE(throws_errno([] { IoctlDevice dev("/dev/null", Access::read_write); }, ENOTTY,
				 "reading info of /dev/null: Inappropriate ioctl for device"));
}

TEST(IoctlControl, a_node_of_another_driver_fails_with_enotty)
{
	IoctlControl control("/dev/null");
	EXPECT_TRUE(throws_errno([&] { (void)control.features(); }, ENOTTY,
				 "reading the module's features: Inappropriate ioctl for device"));
	EXPECT_TRUE(throws_errno([&] { (void)control.list(); }, ENOTTY,
				 "listing the disks: Inappropriate ioctl for device"));
	EXPECT_TRUE(throws_errno([&] { control.add({}, std::nullopt); }, ENOTTY,
				 "adding a disk: Inappropriate ioctl for device"));
	EXPECT_TRUE(throws_errno([&] { control.remove(3); }, ENOTTY,
				 "removing virtblkiosim3: Inappropriate ioctl for device"));
}

TEST(KernelProvider, rejects_a_malformed_name_before_opening)
{
	KernelProvider provider;
	EXPECT_THROW((void)provider.open_device("sda", Access::read_only), std::invalid_argument);
}

} // namespace
} // namespace vbsim
