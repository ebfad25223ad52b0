/*
 * The layout of every structure in <linux/virtblkiosim.h>, as X-macro
 * lists that abi_c11.c and abi_test.cpp both expand: each pins it with
 * static assertions in its own language, and abi_test.cpp also compares at
 * run time what the C and the C++ compiler computed.
 *
 * Include after <linux/virtblkiosim.h>. Offsets follow from the header's
 * rules (fixed-width fields, naturally aligned, explicit padding), so they
 * are the same for 32-bit and 64-bit processes.
 */
#ifndef VBS_TEST_ABI_LAYOUT_H
#define VBS_TEST_ABI_LAYOUT_H

/* X(struct name, size) */
#define VBS_ABI_SIZES(X)                                   \
	X(vbs_dev_config, VBS_DEV_CONFIG_SIZE_VER0)        \
	X(vbs_info, VBS_INFO_SIZE_VER0)                    \
	X(vbs_block_io, VBS_BLOCK_IO_SIZE_VER0)            \
	X(vbs_op_stats, 32)                                \
	X(vbs_stats, VBS_STATS_SIZE_VER0)                  \
	X(vbs_features, VBS_FEATURES_SIZE_VER0)            \
	X(vbs_ctl_add, VBS_CTL_ADD_SIZE_VER0)              \
	X(vbs_ctl_list, VBS_CTL_LIST_SIZE_VER0)

/* X(struct name, field, offset) */
#define VBS_ABI_OFFSETS(X)                                 \
	X(vbs_dev_config, size, 0)                         \
	X(vbs_dev_config, flags, 4)                        \
	X(vbs_dev_config, capacity, 8)                     \
	X(vbs_dev_config, logical_block_size, 16)          \
	X(vbs_dev_config, physical_block_size, 20)         \
	X(vbs_dev_config, nr_hw_queues, 24)                \
	X(vbs_dev_config, queue_depth, 28)                 \
	X(vbs_dev_config, max_partitions, 32)              \
	X(vbs_dev_config, reserved0, 36)                   \
	X(vbs_dev_config, reserved, 40)                    \
	X(vbs_info, size, 0)                               \
	X(vbs_info, abi_version, 4)                        \
	X(vbs_info, index, 8)                              \
	X(vbs_info, state, 12)                             \
	X(vbs_info, features, 16)                          \
	X(vbs_info, config, 24)                            \
	X(vbs_info, max_io_bytes, 96)                      \
	X(vbs_info, pages_in_use, 104)                     \
	X(vbs_info, reserved, 112)                         \
	X(vbs_block_io, size, 0)                           \
	X(vbs_block_io, flags, 4)                          \
	X(vbs_block_io, lba, 8)                            \
	X(vbs_block_io, count, 16)                         \
	X(vbs_block_io, reserved0, 20)                     \
	X(vbs_block_io, buf, 24)                           \
	X(vbs_block_io, reserved, 32)                      \
	X(vbs_op_stats, requests, 0)                       \
	X(vbs_op_stats, bytes, 8)                          \
	X(vbs_op_stats, errors, 16)                        \
	X(vbs_op_stats, ioctl_requests, 24)                \
	X(vbs_stats, size, 0)                              \
	X(vbs_stats, reserved0, 4)                         \
	X(vbs_stats, ops, 8)                               \
	X(vbs_stats, in_flight, 264)                       \
	X(vbs_stats, pages_in_use, 272)                    \
	X(vbs_stats, bytes_in_use, 280)                    \
	X(vbs_stats, since_ns, 288)                        \
	X(vbs_stats, reserved, 296)                        \
	X(vbs_features, size, 0)                           \
	X(vbs_features, abi_version, 4)                    \
	X(vbs_features, features, 8)                       \
	X(vbs_features, max_devices, 16)                   \
	X(vbs_features, nr_devices, 20)                    \
	X(vbs_features, reserved, 24)                      \
	X(vbs_ctl_add, size, 0)                            \
	X(vbs_ctl_add, index, 4)                           \
	X(vbs_ctl_add, config, 8)                          \
	X(vbs_ctl_list, size, 0)                           \
	X(vbs_ctl_list, capacity, 4)                       \
	X(vbs_ctl_list, count, 8)                          \
	X(vbs_ctl_list, reserved0, 12)                     \
	X(vbs_ctl_list, indices, 16)

/* One number the C compiler computed, for abi_test.cpp to compare. */
struct vbs_abi_fact {
	const char *what;	/* "sizeof(vbs_info)", "vbs_info.config" */
	unsigned long value;
};

#ifdef __cplusplus
extern "C" {
#endif

/* Every size and offset above, as computed by the C11 compiler. */
extern const struct vbs_abi_fact vbs_abi_c_facts[];
extern const unsigned long vbs_abi_c_fact_count;

#ifdef __cplusplus
}
#endif

#endif /* VBS_TEST_ABI_LAYOUT_H */
