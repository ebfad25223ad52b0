// The ABI header compiled alone as C++20 with -Wall -Wextra -pedantic
// -Werror (it comes first, so it must be self-contained), its layout pinned
// with static_assert, and compared at run time with what the C11 compiler
// made of it (abi_c11.c).
#include <linux/virtblkiosim.h>

#include <cstddef>
#include <cstring>
#include <gtest/gtest.h>
#include <set>
#include <string>
#include <vector>

#include "abi_layout.h"

#define VBS_CHECK_SIZE(type, size) static_assert(sizeof(struct type) == (size), "sizeof(struct " #type ")");
#define VBS_CHECK_OFFSET(type, field, offset) \
	static_assert(offsetof(struct type, field) == (offset), #type "." #field);

VBS_ABI_SIZES(VBS_CHECK_SIZE)
VBS_ABI_OFFSETS(VBS_CHECK_OFFSET)

#define VBS_CHECK_IOCTL(cmd, size) static_assert(_IOC_SIZE(cmd) == (size), #cmd " size");
VBS_ABI_IOCTLS(VBS_CHECK_IOCTL)

namespace {

#define VBS_FACT_SIZE(type, size) {"sizeof(" #type ")", sizeof(struct type)},
#define VBS_FACT_OFFSET(type, field, offset) {#type "." #field, offsetof(struct type, field)},

const std::vector<vbs_abi_fact> k_cxx_facts = {
	VBS_ABI_SIZES(VBS_FACT_SIZE) VBS_ABI_OFFSETS(VBS_FACT_OFFSET)
};

TEST(Abi, c11_and_cxx20_compilers_lay_out_every_structure_the_same)
{
	ASSERT_EQ(vbs_abi_c_fact_count, k_cxx_facts.size());
	for (std::size_t i = 0; i < k_cxx_facts.size(); i++) {
		EXPECT_STREQ(vbs_abi_c_facts[i].what, k_cxx_facts[i].what);
		EXPECT_EQ(vbs_abi_c_facts[i].value, k_cxx_facts[i].value) << k_cxx_facts[i].what;
	}
}

TEST(Abi, every_ioctl_uses_the_magic_and_a_distinct_number)
{
#define VBS_COMMAND(cmd, size) cmd,
	const std::vector<unsigned long> commands = {VBS_ABI_IOCTLS(VBS_COMMAND)};
#undef VBS_COMMAND
	std::set<unsigned long> numbers;
	for (unsigned long cmd : commands) {
		EXPECT_EQ(_IOC_TYPE(cmd), VBS_IOC_MAGIC);
		numbers.insert(_IOC_NR(cmd));
	}
	EXPECT_EQ(numbers.size(), commands.size());
}

TEST(Abi, ioctl_directions_match_who_copies_what)
{
	// Output structures are read and written back: _IOWR.
	EXPECT_EQ(_IOC_DIR(VBS_IOC_GET_INFO), _IOC_READ | _IOC_WRITE);
	EXPECT_EQ(_IOC_DIR(VBS_IOC_GET_STATS), _IOC_READ | _IOC_WRITE);
	EXPECT_EQ(_IOC_DIR(VBS_CTL_GET_FEATURES), _IOC_READ | _IOC_WRITE);
	EXPECT_EQ(_IOC_DIR(VBS_CTL_ADD), _IOC_READ | _IOC_WRITE);
	EXPECT_EQ(_IOC_DIR(VBS_CTL_LIST), _IOC_READ | _IOC_WRITE);
	EXPECT_EQ(_IOC_DIR(VBS_IOC_GET_SIM), _IOC_READ | _IOC_WRITE);
	EXPECT_EQ(_IOC_DIR(VBS_IOC_FAULT_ADD), _IOC_READ | _IOC_WRITE);
	EXPECT_EQ(_IOC_DIR(VBS_IOC_FAULT_LIST), _IOC_READ | _IOC_WRITE);
	EXPECT_EQ(_IOC_DIR(VBS_IOC_POWERCUT), _IOC_READ | _IOC_WRITE);
	EXPECT_EQ(_IOC_DIR(VBS_CTL_MODEL_ATTACH), _IOC_READ | _IOC_WRITE);
	EXPECT_EQ(_IOC_DIR(VBS_CTL_MODEL_EXCHANGE), _IOC_READ | _IOC_WRITE);
	EXPECT_EQ(_IOC_DIR(VBS_CTL_MODEL_PAGES), _IOC_READ | _IOC_WRITE);
	// Settings handed in and nothing handed back: _IOW.
	EXPECT_EQ(_IOC_DIR(VBS_IOC_SET_SIM), _IOC_WRITE);
	EXPECT_EQ(_IOC_DIR(VBS_IOC_FAULT_CLEAR), _IOC_WRITE);
	// The block I/O descriptors and the index are only read by the kernel.
	EXPECT_EQ(_IOC_DIR(VBS_IOC_READ), _IOC_WRITE);
	EXPECT_EQ(_IOC_DIR(VBS_IOC_WRITE), _IOC_WRITE);
	EXPECT_EQ(_IOC_DIR(VBS_CTL_REMOVE), _IOC_WRITE);
	EXPECT_EQ(_IOC_DIR(VBS_IOC_RESET_STATS), _IOC_NONE);
}

TEST(Abi, flag_masks_cover_exactly_the_defined_bits)
{
	EXPECT_EQ(VBS_CFG_ALL_FLAGS, VBS_CFG_DISCARD | VBS_CFG_WRITE_ZEROES | VBS_CFG_WRITE_CACHE |
					     VBS_CFG_READ_ONLY | VBS_CFG_ROTATIONAL | VBS_CFG_MODEL);
	EXPECT_EQ(VBS_CFG_ALL_FLAGS, 0x3fU);
	EXPECT_EQ(VBS_MODEL_ATTACH_ALL_FLAGS, VBS_MODEL_RECOVER);
	EXPECT_EQ(VBS_PPN_NONE, ~0ULL);
	EXPECT_EQ(VBS_IO_ALL_FLAGS, VBS_IO_FUA);
	EXPECT_EQ(VBS_POWERCUT_ALL_FLAGS, VBS_POWERCUT_KEEP_RANDOM | VBS_POWERCUT_SEED);
	EXPECT_EQ(VBS_OP_MASK_ALL, 0x1fU);
	EXPECT_EQ(VBS_INDEX_ANY, 0xffffffffU);
}

TEST(Abi, names_build_the_node_paths)
{
	EXPECT_EQ(std::string("/dev/") + VBS_DISK_NAME + "0", "/dev/virtblkiosim0");
	EXPECT_EQ(std::string("/dev/") + VBS_CONTROL_NAME, "/dev/virtblkiosim-control");
}

} // namespace
