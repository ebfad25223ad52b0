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
	X(vbs_ctl_list, VBS_CTL_LIST_SIZE_VER0)            \
	X(vbs_sim_latency, 32)                             \
	X(vbs_sim_params, VBS_SIM_PARAMS_SIZE_VER0)        \
	X(vbs_fault_rule, VBS_FAULT_RULE_SIZE_VER0)        \
	X(vbs_fault_list, VBS_FAULT_LIST_SIZE_VER0)        \
	X(vbs_powercut, VBS_POWERCUT_SIZE_VER0)            \
	X(vbs_model_attach, VBS_MODEL_ATTACH_SIZE_VER0)    \
	X(vbs_model_req, VBS_MODEL_REQ_SIZE)               \
	X(vbs_model_map, 16)                               \
	X(vbs_model_answer, VBS_MODEL_ANSWER_SIZE)         \
	X(vbs_model_exchange, VBS_MODEL_EXCHANGE_SIZE_VER0) \
	X(vbs_model_page_op, VBS_MODEL_PAGE_OP_SIZE)       \
	X(vbs_model_pages, VBS_MODEL_PAGES_SIZE_VER0)

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
	X(vbs_dev_config, nr_poll_queues, 36)              \
	X(vbs_dev_config, model_pages, 40)                 \
	X(vbs_dev_config, reserved, 48)                    \
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
	X(vbs_stats, faults, 328)                          \
	X(vbs_stats, lat_sum_ns, 392)                      \
	X(vbs_stats, peak_in_flight, 456)                  \
	X(vbs_stats, cache_pages, 464)                     \
	X(vbs_stats, reserved2, 472)                       \
	X(vbs_stats, lat_hist, 520)                        \
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
	X(vbs_ctl_list, indices, 16)                       \
	X(vbs_sim_latency, base_ns, 0)                     \
	X(vbs_sim_latency, jitter_ns, 8)                   \
	X(vbs_sim_latency, jitter, 16)                     \
	X(vbs_sim_latency, slow_ppm, 20)                   \
	X(vbs_sim_latency, slow_ns, 24)                    \
	X(vbs_sim_params, size, 0)                         \
	X(vbs_sim_params, flags, 4)                        \
	X(vbs_sim_params, seed, 8)                         \
	X(vbs_sim_params, lat, 16)                         \
	X(vbs_sim_params, bw_bps, 144)                     \
	X(vbs_sim_params, iops, 160)                       \
	X(vbs_sim_params, channels, 168)                   \
	X(vbs_sim_params, timeout_ms, 172)                 \
	X(vbs_sim_params, delivery_ns, 176)                \
	X(vbs_sim_params, reserved, 184)                   \
	X(vbs_fault_rule, size, 0)                         \
	X(vbs_fault_rule, id, 4)                           \
	X(vbs_fault_rule, op_mask, 8)                      \
	X(vbs_fault_rule, effect, 12)                      \
	X(vbs_fault_rule, lba, 16)                         \
	X(vbs_fault_rule, count, 24)                       \
	X(vbs_fault_rule, trigger, 32)                     \
	X(vbs_fault_rule, every_n, 36)                     \
	X(vbs_fault_rule, ppm, 40)                         \
	X(vbs_fault_rule, remaining, 44)                   \
	X(vbs_fault_rule, matched, 48)                     \
	X(vbs_fault_rule, fired, 56)                       \
	X(vbs_fault_rule, state, 64)                       \
	X(vbs_fault_rule, reserved0, 68)                   \
	X(vbs_fault_rule, reserved, 72)                    \
	X(vbs_fault_list, size, 0)                         \
	X(vbs_fault_list, capacity, 4)                     \
	X(vbs_fault_list, count, 8)                        \
	X(vbs_fault_list, rule_size, 12)                   \
	X(vbs_fault_list, rules, 16)                       \
	X(vbs_powercut, size, 0)                           \
	X(vbs_powercut, flags, 4)                          \
	X(vbs_powercut, keep_ppm, 8)                       \
	X(vbs_powercut, reserved0, 12)                     \
	X(vbs_powercut, seed, 16)                          \
	X(vbs_powercut, pages_dropped, 24)                 \
	X(vbs_powercut, pages_kept, 32)                    \
	X(vbs_powercut, reserved, 40)                      \
	X(vbs_model_attach, size, 0)                       \
	X(vbs_model_attach, index, 4)                      \
	X(vbs_model_attach, flags, 8)                      \
	X(vbs_model_attach, session, 12)                   \
	X(vbs_model_attach, logical_pages, 16)             \
	X(vbs_model_attach, physical_pages, 24)            \
	X(vbs_model_attach, sectors_per_page, 32)          \
	X(vbs_model_attach, max_req_pages, 36)             \
	X(vbs_model_attach, reserved, 40)                  \
	X(vbs_model_req, id, 0)                            \
	X(vbs_model_req, op, 8)                            \
	X(vbs_model_req, flags, 12)                        \
	X(vbs_model_req, sector, 16)                       \
	X(vbs_model_req, nr_sectors, 24)                   \
	X(vbs_model_req, nr_pages, 28)                     \
	X(vbs_model_req, first_page, 32)                   \
	X(vbs_model_req, reserved, 40)                     \
	X(vbs_model_map, ppn, 0)                           \
	X(vbs_model_map, src_ppn, 8)                       \
	X(vbs_model_answer, id, 0)                         \
	X(vbs_model_answer, status, 8)                     \
	X(vbs_model_answer, nr_maps, 12)                   \
	X(vbs_model_answer, map_index, 16)                 \
	X(vbs_model_answer, reserved0, 20)                 \
	X(vbs_model_answer, delay_ns, 24)                  \
	X(vbs_model_answer, reserved, 32)                  \
	X(vbs_model_exchange, size, 0)                     \
	X(vbs_model_exchange, flags, 4)                    \
	X(vbs_model_exchange, nr_answers, 8)               \
	X(vbs_model_exchange, nr_maps, 12)                 \
	X(vbs_model_exchange, answers, 16)                 \
	X(vbs_model_exchange, maps, 24)                    \
	X(vbs_model_exchange, max_reqs, 32)                \
	X(vbs_model_exchange, timeout_ms, 36)              \
	X(vbs_model_exchange, reqs, 40)                    \
	X(vbs_model_exchange, nr_reqs, 48)                 \
	X(vbs_model_exchange, accepted, 52)                \
	X(vbs_model_exchange, rejected, 56)                \
	X(vbs_model_exchange, reserved0, 60)               \
	X(vbs_model_exchange, reserved, 64)                \
	X(vbs_model_page_op, op, 0)                        \
	X(vbs_model_page_op, reserved0, 4)                 \
	X(vbs_model_page_op, src, 8)                       \
	X(vbs_model_page_op, dst, 16)                      \
	X(vbs_model_pages, size, 0)                        \
	X(vbs_model_pages, nr_ops, 4)                      \
	X(vbs_model_pages, ops, 8)                         \
	X(vbs_model_pages, done, 16)                       \
	X(vbs_model_pages, reserved0, 20)                  \
	X(vbs_model_pages, reserved, 24)

/* X(ioctl command, size of its argument) */
#define VBS_ABI_IOCTLS(X)                                  \
	X(VBS_IOC_GET_INFO, VBS_INFO_SIZE_VER0)            \
	X(VBS_IOC_READ, VBS_BLOCK_IO_SIZE_VER0)            \
	X(VBS_IOC_WRITE, VBS_BLOCK_IO_SIZE_VER0)           \
	X(VBS_IOC_GET_STATS, VBS_STATS_SIZE_VER0)          \
	X(VBS_IOC_RESET_STATS, 0)                          \
	X(VBS_IOC_GET_SIM, VBS_SIM_PARAMS_SIZE_VER0)       \
	X(VBS_IOC_SET_SIM, VBS_SIM_PARAMS_SIZE_VER0)       \
	X(VBS_IOC_FAULT_ADD, VBS_FAULT_RULE_SIZE_VER0)     \
	X(VBS_IOC_FAULT_LIST, VBS_FAULT_LIST_SIZE_VER0)    \
	X(VBS_IOC_FAULT_CLEAR, 4)                          \
	X(VBS_IOC_POWERCUT, VBS_POWERCUT_SIZE_VER0)        \
	X(VBS_CTL_GET_FEATURES, VBS_FEATURES_SIZE_VER0)    \
	X(VBS_CTL_ADD, VBS_CTL_ADD_SIZE_VER0)              \
	X(VBS_CTL_REMOVE, 4)                               \
	X(VBS_CTL_LIST, VBS_CTL_LIST_SIZE_VER0)            \
	X(VBS_CTL_MODEL_ATTACH, VBS_MODEL_ATTACH_SIZE_VER0) \
	X(VBS_CTL_MODEL_EXCHANGE, VBS_MODEL_EXCHANGE_SIZE_VER0) \
	X(VBS_CTL_MODEL_PAGES, VBS_MODEL_PAGES_SIZE_VER0)

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
