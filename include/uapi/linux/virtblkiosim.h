/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * virtblkiosim - the ioctl ABI shared by the kernel module and userland.
 *
 * Two kinds of node speak this ABI:
 *
 *  - /dev/virtblkiosimN, the simulated disks ("host side"): info, whole
 *    logical block read / write through ioctl(), statistics;
 *  - /dev/virtblkiosim-control, a misc device ("device side"): add, remove
 *    and list disks, and ask which features this module build offers.
 *
 * Rules every structure follows:
 *
 *  - fixed-width types only, naturally aligned, explicit padding; no
 *    pointers, longs, bools or enums, so 32-bit and 64-bit processes see the
 *    same layout;
 *  - user addresses travel as __u64 (cast a pointer through uintptr_t);
 *  - times are __u64 nanoseconds, sizes are __u64 bytes unless named
 *    otherwise;
 *  - extensible structures start with a __u32 @size that the caller sets to
 *    sizeof() of the structure it was compiled with. The kernel accepts any
 *    size from the first published version up to 4096 bytes: a shorter
 *    structure gets defaults for the missing fields, a longer one is accepted
 *    only if every byte the kernel does not know is zero (else -E2BIG). On
 *    output the kernel writes at most @size bytes and stores in @size how
 *    many it filled;
 *  - reserved fields and padding must be zero on input (else -EINVAL) and are
 *    zero on output; unknown flag bits are rejected with -EINVAL;
 *  - an ioctl number the node does not know fails with -ENOTTY.
 *
 * Commands that change state need CAP_SYS_ADMIN (-EPERM otherwise); those
 * that only read state are open to anyone who can open the node.
 */
#ifndef _UAPI_LINUX_VIRTBLKIOSIM_H
#define _UAPI_LINUX_VIRTBLKIOSIM_H

#include <linux/ioctl.h>
#include <linux/types.h>

/* Version of this ABI; VBS_IOC_GET_INFO and VBS_CTL_GET_FEATURES report it. */
#define VBS_ABI_VERSION		1

/* Name of the disks (followed by their index) and of the control node. */
#define VBS_DISK_NAME		"virtblkiosim"
#define VBS_CONTROL_NAME	"virtblkiosim-control"

/*
 * The ioctl "magic" byte of every virtblkiosim command (unused in the
 * kernel's Documentation/userspace-api/ioctl/ioctl-number.rst).
 */
#define VBS_IOC_MAGIC		0xB9

/*
 * Feature bits (struct vbs_features.features, struct vbs_info.features):
 * what this module build supports, so tools and tests can tell without
 * guessing from the kernel version.
 */
#define VBS_FEAT_BLOCK_IO	(1ULL << 0) /* VBS_IOC_READ / VBS_IOC_WRITE */
#define VBS_FEAT_STATS		(1ULL << 1) /* VBS_IOC_GET/RESET_STATS */
#define VBS_FEAT_CONTROL	(1ULL << 2) /* VBS_CTL_ADD/REMOVE/LIST */
#define VBS_FEAT_DISCARD	(1ULL << 3) /* REQ_OP_DISCARD frees pages */
#define VBS_FEAT_WRITE_ZEROES	(1ULL << 4) /* REQ_OP_WRITE_ZEROES */
#define VBS_FEAT_WRITE_CACHE	(1ULL << 5) /* volatile cache + FUA */

/* -------------------------------------------------------------------------
 * Device configuration (VBS_CTL_ADD input, VBS_IOC_GET_INFO output)
 */

/* struct vbs_dev_config.flags */
#define VBS_CFG_DISCARD		(1U << 0) /* accept discard, free pages */
#define VBS_CFG_WRITE_ZEROES	(1U << 1) /* accept write-zeroes */
#define VBS_CFG_WRITE_CACHE	(1U << 2) /* advertise volatile cache + FUA */
#define VBS_CFG_READ_ONLY	(1U << 3) /* the disk rejects writes */
#define VBS_CFG_ROTATIONAL	(1U << 4) /* report rotational=1 */
#define VBS_CFG_ALL_FLAGS	(VBS_CFG_DISCARD | VBS_CFG_WRITE_ZEROES | \
				 VBS_CFG_WRITE_CACHE | VBS_CFG_READ_ONLY | \
				 VBS_CFG_ROTATIONAL)

/**
 * struct vbs_dev_config - the shape of one simulated disk
 * @size: sizeof(struct vbs_dev_config) as the caller knows it.
 * @flags: VBS_CFG_* bits.
 * @capacity: size of the disk in bytes; a non-zero multiple of
 *	@logical_block_size, at most 2^50 (1 PiB). 0 on VBS_CTL_ADD means the
 *	module parameter default.
 * @logical_block_size: bytes per logical block: a power of two from 512 to
 *	4096. 0 means the module default.
 * @physical_block_size: bytes per physical block: a power of two from
 *	@logical_block_size to 65536. 0 means "same as logical".
 * @nr_hw_queues: blk-mq hardware queues, 1..nr_cpu_ids. 0 means one per
 *	possible CPU (capped by the module default).
 * @queue_depth: tags per hardware queue, 1..4096. 0 means the default (128).
 * @max_partitions: partitions the disk may hold, 0..255; 0 disables
 *	partition scanning.
 * @reserved: must be zero.
 */
struct vbs_dev_config {
	__u32 size;
	__u32 flags;
	__u64 capacity;
	__u32 logical_block_size;
	__u32 physical_block_size;
	__u32 nr_hw_queues;
	__u32 queue_depth;
	__u32 max_partitions;
	__u32 reserved0;
	__u64 reserved[4];
};

#define VBS_DEV_CONFIG_SIZE_VER0	72

/* -------------------------------------------------------------------------
 * Commands on /dev/virtblkiosimN
 */

/* struct vbs_info.state */
#define VBS_STATE_LIVE		(1U << 0) /* disk registered, accepts I/O */

/**
 * struct vbs_info - what VBS_IOC_GET_INFO reports
 * @size: in: bytes the caller can take; out: bytes the kernel filled.
 * @abi_version: VBS_ABI_VERSION of the running module.
 * @index: N of /dev/virtblkiosimN.
 * @state: VBS_STATE_* bits.
 * @features: VBS_FEAT_* bits of the running module.
 * @config: the configuration in force, every default resolved.
 * @max_io_bytes: largest single VBS_IOC_READ / VBS_IOC_WRITE transfer.
 * @pages_in_use: pages of memory that hold data right now.
 * @reserved: zero.
 */
struct vbs_info {
	__u32 size;
	__u32 abi_version;
	__u32 index;
	__u32 state;
	__u64 features;
	struct vbs_dev_config config;
	__u64 max_io_bytes;
	__u64 pages_in_use;
	__u64 reserved[6];
};

#define VBS_INFO_SIZE_VER0		160

/* struct vbs_block_io.flags */
#define VBS_IO_FUA		(1U << 0) /* write: durable before completion */
#define VBS_IO_ALL_FLAGS	(VBS_IO_FUA)

/**
 * struct vbs_block_io - one VBS_IOC_READ or VBS_IOC_WRITE transfer
 * @size: sizeof(struct vbs_block_io) as the caller knows it.
 * @flags: VBS_IO_* bits (FUA is only valid on writes).
 * @lba: first logical block (unit: the disk's logical block size).
 * @count: number of logical blocks, at least 1; @count blocks must fit both
 *	the disk (@lba + @count <= capacity, checked without overflow) and
 *	vbs_info.max_io_bytes.
 * @reserved0: must be zero.
 * @buf: user address of @count * logical_block_size bytes: filled by a read,
 *	taken by a write. Any alignment; -EFAULT if not accessible.
 * @reserved: must be zero.
 */
struct vbs_block_io {
	__u32 size;
	__u32 flags;
	__u64 lba;
	__u32 count;
	__u32 reserved0;
	__u64 buf;
	__u64 reserved[2];
};

#define VBS_BLOCK_IO_SIZE_VER0		48

/* Index of each operation in struct vbs_stats.ops[] */
#define VBS_OP_READ		0 /* reads, including VBS_IOC_READ */
#define VBS_OP_WRITE		1 /* writes, including VBS_IOC_WRITE */
#define VBS_OP_FLUSH		2 /* cache flushes */
#define VBS_OP_DISCARD		3 /* discards */
#define VBS_OP_WRITE_ZEROES	4 /* write-zeroes */
#define VBS_OP_NR		8 /* slots in ops[]; the rest are zero */

/**
 * struct vbs_op_stats - counters of one operation type since the last reset
 * @requests: requests completed.
 * @bytes: bytes those requests covered.
 * @errors: requests completed with an error.
 * @ioctl_requests: of @requests, those that came through VBS_IOC_READ/WRITE.
 */
struct vbs_op_stats {
	__u64 requests;
	__u64 bytes;
	__u64 errors;
	__u64 ioctl_requests;
};

/**
 * struct vbs_stats - what VBS_IOC_GET_STATS reports
 * @size: in: bytes the caller can take; out: bytes the kernel filled.
 * @reserved0: zero.
 * @ops: counters per operation, indexed by VBS_OP_*.
 * @in_flight: requests started and not yet completed (not reset).
 * @pages_in_use: pages of memory that hold data (not reset).
 * @bytes_in_use: @pages_in_use times the page size.
 * @since_ns: CLOCK_MONOTONIC time of the last reset (or of the disk's
 *	creation).
 * @reserved: zero.
 */
struct vbs_stats {
	__u32 size;
	__u32 reserved0;
	struct vbs_op_stats ops[VBS_OP_NR];
	__u64 in_flight;
	__u64 pages_in_use;
	__u64 bytes_in_use;
	__u64 since_ns;
	__u64 reserved[4];
};

#define VBS_STATS_SIZE_VER0		328

/* Fill a struct vbs_info (anyone). */
#define VBS_IOC_GET_INFO	_IOWR(VBS_IOC_MAGIC, 0x00, struct vbs_info)
/* Read whole logical blocks into a user buffer (anyone who opened it). */
#define VBS_IOC_READ		_IOW(VBS_IOC_MAGIC, 0x01, struct vbs_block_io)
/* Write whole logical blocks from a user buffer (CAP_SYS_ADMIN). */
#define VBS_IOC_WRITE		_IOW(VBS_IOC_MAGIC, 0x02, struct vbs_block_io)
/* Fill a struct vbs_stats (anyone). */
#define VBS_IOC_GET_STATS	_IOWR(VBS_IOC_MAGIC, 0x03, struct vbs_stats)
/* Zero the counters of struct vbs_stats (CAP_SYS_ADMIN); no argument. */
#define VBS_IOC_RESET_STATS	_IO(VBS_IOC_MAGIC, 0x04)

/* -------------------------------------------------------------------------
 * Commands on /dev/virtblkiosim-control
 */

/**
 * struct vbs_features - what VBS_CTL_GET_FEATURES reports
 * @size: in: bytes the caller can take; out: bytes the kernel filled.
 * @abi_version: VBS_ABI_VERSION of the running module.
 * @features: VBS_FEAT_* bits.
 * @max_devices: most disks that can exist at once.
 * @nr_devices: disks that exist now.
 * @reserved: zero.
 */
struct vbs_features {
	__u32 size;
	__u32 abi_version;
	__u64 features;
	__u32 max_devices;
	__u32 nr_devices;
	__u64 reserved[5];
};

#define VBS_FEATURES_SIZE_VER0		64

/* VBS_CTL_ADD: let the module pick the lowest free index */
#define VBS_INDEX_ANY		0xffffffffU

/**
 * struct vbs_ctl_add - VBS_CTL_ADD argument
 * @size: sizeof(struct vbs_ctl_add) as the caller knows it.
 * @index: in: wanted index, or VBS_INDEX_ANY; out: index of the new disk.
 * @config: the new disk's configuration (its own @size is checked too).
 */
struct vbs_ctl_add {
	__u32 size;
	__u32 index;
	struct vbs_dev_config config;
};

#define VBS_CTL_ADD_SIZE_VER0		80

/**
 * struct vbs_ctl_list - VBS_CTL_LIST argument
 * @size: sizeof(struct vbs_ctl_list) as the caller knows it.
 * @capacity: in: entries @indices can hold (at most 65536).
 * @count: out: disks that exist; only min(@count, @capacity) indices are
 *	written, in increasing order.
 * @reserved0: must be zero.
 * @indices: user address of a __u32 array of @capacity entries (may be 0
 *	when @capacity is 0, to ask only for @count).
 */
struct vbs_ctl_list {
	__u32 size;
	__u32 capacity;
	__u32 count;
	__u32 reserved0;
	__u64 indices;
};

#define VBS_CTL_LIST_SIZE_VER0		24

/* Fill a struct vbs_features (anyone). */
#define VBS_CTL_GET_FEATURES	_IOWR(VBS_IOC_MAGIC, 0x80, struct vbs_features)
/* Create a disk (CAP_SYS_ADMIN). -EEXIST if the index is taken. */
#define VBS_CTL_ADD		_IOWR(VBS_IOC_MAGIC, 0x81, struct vbs_ctl_add)
/* Remove disk N, the argument is its index (CAP_SYS_ADMIN); -EBUSY if open. */
#define VBS_CTL_REMOVE		_IOW(VBS_IOC_MAGIC, 0x82, __u32)
/* List the disks (anyone). */
#define VBS_CTL_LIST		_IOWR(VBS_IOC_MAGIC, 0x83, struct vbs_ctl_list)

#endif /* _UAPI_LINUX_VIRTBLKIOSIM_H */
