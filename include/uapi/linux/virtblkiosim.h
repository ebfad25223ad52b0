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
 *  - a command is known by the type, number and direction of its ioctl
 *    number, not by the size bits: those follow the caller's header, and
 *    the structure's @size settles what is copied, so a program built
 *    against a later header, whose numbers carry larger sizes, still
 *    reaches the command;
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
#define VBS_FEAT_SIM		(1ULL << 6) /* VBS_IOC_GET/SET_SIM: latency,
					     * bandwidth, IOPS, channels */
#define VBS_FEAT_FAULTS		(1ULL << 7) /* VBS_IOC_FAULT_ADD/LIST/CLEAR */
#define VBS_FEAT_POWERCUT	(1ULL << 8) /* writes not durable before a
					     * flush; VBS_IOC_POWERCUT */
#define VBS_FEAT_LATENCY_STATS	(1ULL << 9) /* vbs_stats: histograms,
					     * faults, peak_in_flight */
#define VBS_FEAT_MODEL		(1ULL << 10) /* VBS_CTL_MODEL_* protocol */
#define VBS_FEAT_POLL		(1ULL << 11) /* nr_poll_queues: polled I/O */
#define VBS_FEAT_DELIVERY	(1ULL << 12) /* vbs_sim_params.delivery_ns */

/* -------------------------------------------------------------------------
 * Device configuration (VBS_CTL_ADD input, VBS_IOC_GET_INFO output)
 */

/* struct vbs_dev_config.flags */
#define VBS_CFG_DISCARD		(1U << 0) /* accept discard, free pages */
#define VBS_CFG_WRITE_ZEROES	(1U << 1) /* accept write-zeroes */
#define VBS_CFG_WRITE_CACHE	(1U << 2) /* advertise volatile cache + FUA */
#define VBS_CFG_READ_ONLY	(1U << 3) /* the disk rejects writes */
#define VBS_CFG_ROTATIONAL	(1U << 4) /* report rotational=1 */
#define VBS_CFG_MODEL		(1U << 5) /* a userland model maps I/O */
#define VBS_CFG_ALL_FLAGS	(VBS_CFG_DISCARD | VBS_CFG_WRITE_ZEROES | \
				 VBS_CFG_WRITE_CACHE | VBS_CFG_READ_ONLY | \
				 VBS_CFG_ROTATIONAL | VBS_CFG_MODEL)

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
 * @nr_poll_queues: hardware queues for polled I/O (io_uring with
 *	IORING_SETUP_IOPOLL), on top of @nr_hw_queues: 0..nr_cpu_ids; 0
 *	means none (unlike the fields above, no module default applies: the
 *	poll_queues parameter is for the disks made at load). Needs
 *	VBS_FEAT_POLL; a module without it refuses a non-zero value.
 * @model_pages: with VBS_CFG_MODEL: pages (VBS_MODEL_PAGE_SIZE bytes) of
 *	the physical store the model maps logical pages onto, from the
 *	disk's logical page count up to 2^38; 0 means the logical page
 *	count plus 7% over-provisioning. Must be 0 without VBS_CFG_MODEL.
 *	Pages cost memory only once written, like the rest of the store.
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
	__u32 nr_poll_queues;
	__u64 model_pages;
	__u64 reserved[3];
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

/*
 * Latency histogram buckets (struct vbs_stats.lat_hist): bucket 0 counts
 * requests that took less than 1 microsecond; bucket b, 1 <= b <= 30,
 * those that took from 2^(b-1) up to (not including) 2^b microseconds
 * (bucket 1: [1, 2) us, bucket 11: [1.02, 2.05) ms, bucket 24: [8.4, 16.8)
 * s); bucket 31 all that took 2^30 us (about 18 minutes) or longer.
 */
#define VBS_LAT_BUCKETS		32

/**
 * struct vbs_stats - what VBS_IOC_GET_STATS reports
 * @size: in: bytes the caller can take; out: bytes the kernel filled.
 * @reserved0: zero.
 * @ops: counters per operation, indexed by VBS_OP_*.
 * @in_flight: requests started and not yet completed (not reset).
 * @pages_in_use: pages of memory that hold data, volatile write cache
 *	included (not reset).
 * @bytes_in_use: @pages_in_use times the page size.
 * @since_ns: CLOCK_MONOTONIC time of the last reset (or of the disk's
 *	creation).
 * @reserved: zero.
 * @faults: per operation (VBS_OP_*), requests on which a fault rule fired.
 * @lat_sum_ns: per operation, the sum of the latencies counted in
 *	@lat_hist, in nanoseconds (divide by the histogram's total for the
 *	mean).
 * @peak_in_flight: most requests in flight at once since the last reset
 *	(a reset starts it from the number in flight at that moment).
 * @cache_pages: of @pages_in_use, pages that hold writes not yet durable
 *	(in the volatile write cache; lost on VBS_IOC_POWERCUT). Not reset.
 * @reserved2: zero.
 * @lat_hist: per operation, a latency histogram (see VBS_LAT_BUCKETS),
 *	measured from the moment the driver starts the request until it
 *	completes it.
 *
 * @faults, @lat_sum_ns, @lat_hist and @peak_in_flight count the requests
 * that the simulation engine (while it is active: any VBS_IOC_SET_SIM
 * value or fault rule set) or a userland model served; a plain disk with
 * every setting at its default completes requests inline without reading
 * the clock, and they are not counted there.
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
	__u64 faults[VBS_OP_NR];
	__u64 lat_sum_ns[VBS_OP_NR];
	__u64 peak_in_flight;
	__u64 cache_pages;
	__u64 reserved2[6];
	__u64 lat_hist[VBS_OP_NR][VBS_LAT_BUCKETS];
};

#define VBS_STATS_SIZE_VER0		2568

/* -------------------------------------------------------------------------
 * The simulation engine (VBS_IOC_GET_SIM / VBS_IOC_SET_SIM)
 */

/*
 * Latency classes: index of struct vbs_sim_params.lat[]. Write-zeroes
 * requests belong to the discard class. Passthrough reads and writes
 * (VBS_IOC_READ / VBS_IOC_WRITE) belong to the read and write classes.
 * VBS_SIM_READ and VBS_SIM_WRITE also index @bw_bps and @iops.
 */
#define VBS_SIM_READ		0
#define VBS_SIM_WRITE		1
#define VBS_SIM_FLUSH		2
#define VBS_SIM_DISCARD		3
#define VBS_SIM_NR_CLASSES	4

/* struct vbs_sim_latency.jitter: how the random part of a latency is drawn */
#define VBS_JITTER_NONE		0 /* no random part; @jitter_ns must be 0 */
#define VBS_JITTER_UNIFORM	1 /* uniform in [0, @jitter_ns] */
#define VBS_JITTER_EXP		2 /* exponential with mean @jitter_ns */

/* Largest time any one latency field accepts: 60 s, in nanoseconds. */
#define VBS_SIM_MAX_NS		60000000000ULL
/* Most parallel units (struct vbs_sim_params.channels). */
#define VBS_SIM_MAX_CHANNELS	4096
/* Range of struct vbs_sim_params.timeout_ms (0 means the default, 30 s). */
#define VBS_SIM_MAX_TIMEOUT_MS	3600000
/*
 * Range of struct vbs_sim_params.bw_bps (0 means unlimited): 4 KiB/s (a
 * 1 MiB request then takes 256 s) to 2^50 B/s (1 PiB/s).
 */
#define VBS_SIM_MIN_BW_BPS	4096ULL
#define VBS_SIM_MAX_BW_BPS	(1ULL << 50)
/* Range of struct vbs_sim_params.iops (0 means unlimited): 1 to 10^9. */
#define VBS_SIM_MAX_IOPS	1000000000U
/* Largest struct vbs_sim_params.delivery_ns: 1 ms. */
#define VBS_SIM_MAX_DELIVERY_NS	1000000ULL

/**
 * struct vbs_sim_latency - the service time of one class of operation
 * @base_ns: fixed part, nanoseconds, 0..VBS_SIM_MAX_NS.
 * @jitter_ns: scale of the random part, nanoseconds, 0..VBS_SIM_MAX_NS:
 *	the upper bound (uniform) or the mean (exponential).
 * @jitter: VBS_JITTER_* (other values: -EINVAL).
 * @slow_ppm: probability that a request is a "slow I/O", in parts per
 *	million, 0..1000000.
 * @slow_ns: extra time of a slow I/O, nanoseconds, 0..VBS_SIM_MAX_NS.
 *
 * A request's latency is @base_ns + jitter + (@slow_ns if it is slow).
 * The mean is @base_ns + (@jitter_ns / 2 for uniform, @jitter_ns for
 * exponential) + @slow_ns * @slow_ppm / 10^6.
 */
struct vbs_sim_latency {
	__u64 base_ns;
	__u64 jitter_ns;
	__u32 jitter;
	__u32 slow_ppm;
	__u64 slow_ns;
};

/**
 * struct vbs_sim_params - the simulation settings of one disk
 * @size: sizeof(struct vbs_sim_params) as the caller knows it.
 * @flags: none defined yet: 0 on input (else -EINVAL), 0 on output.
 * @seed: seed of the disk's random generator, any value. Every random
 *	choice of the disk (jitter, slow I/O, fault probability, the subset a
 *	power cut keeps) comes from it. VBS_IOC_SET_SIM restarts the sequence
 *	from @seed, so the same seed and the same single-threaded workload
 *	give the same latencies and faults. Default 0.
 * @lat: service latency per class, indexed by VBS_SIM_* (0: none).
 * @bw_bps: bandwidth limit in bytes per second, [VBS_SIM_READ] for reads
 *	and [VBS_SIM_WRITE] for writes; 0 = unlimited, else
 *	VBS_SIM_MIN_BW_BPS..VBS_SIM_MAX_BW_BPS (-EINVAL outside). A request of B bytes
 *	takes B * 10^9 / @bw_bps ns of transfer on top of its latency, and
 *	the transfers of one direction never overlap, so the throughput of
 *	that direction stays at or below the limit.
 * @iops: limit on requests per second, [VBS_SIM_READ] and [VBS_SIM_WRITE]
 *	as for @bw_bps; 0 = unlimited, else 1..VBS_SIM_MAX_IOPS. Completions of one direction are at
 *	least 10^9 / @iops ns apart.
 * @channels: parallel units, 0..VBS_SIM_MAX_CHANNELS; 0 = unlimited. A
 *	request occupies one unit from its start until it completes and
 *	waits for the unit that frees first, so latency grows with queue
 *	depth once more than @channels requests are in flight.
 * @timeout_ms: the request timeout: a request not completed after this
 *	long is ended with an error (ETIMEDOUT to the submitter) by the block
 *	layer's timeout handler. 1..VBS_SIM_MAX_TIMEOUT_MS, 0 = the default
 *	of 30000. Applies to requests started after the change.
 * @delivery_ns: the host's own cost of delivering a completion to the
 *	submitter, 0..VBS_SIM_MAX_DELIVERY_NS: the timer interrupt, the
 *	wake-up of the waiting task and its return to user space, which a
 *	submitter sees on top of the device's latency. The engine ends each
 *	request it holds this much before the device would (never before
 *	the request started), so what the submitter measures is the
 *	configured latency; the disk's statistics still count the device's
 *	time. Model answers with a delay are ended early the same way.
 *	Measured by `vbsim sim calibrate` for synchronous QD1 reads; 0 (the
 *	default) ends requests at the device's time. Does not turn the
 *	engine on by itself.
 * @reserved: must be zero.
 *
 * Bandwidth and IOPS limits apply to reads and writes only; flushes and
 * discards have a latency and occupy a unit. All fields zero (the default)
 * turns the engine off: requests complete inline, as fast as possible.
 */
struct vbs_sim_params {
	__u32 size;
	__u32 flags;
	__u64 seed;
	struct vbs_sim_latency lat[VBS_SIM_NR_CLASSES];
	__u64 bw_bps[2];
	__u32 iops[2];
	__u32 channels;
	__u32 timeout_ms;
	__u64 delivery_ns;
	__u64 reserved[7];
};

#define VBS_SIM_PARAMS_SIZE_VER0	240

/* -------------------------------------------------------------------------
 * Fault rules (VBS_IOC_FAULT_ADD / _LIST / _CLEAR)
 */

/* struct vbs_fault_rule.op_mask: bit (1 << VBS_OP_*) selects an operation */
#define VBS_OP_MASK(op)		(1U << (op))
#define VBS_OP_MASK_ALL		(VBS_OP_MASK(VBS_OP_READ) | \
				 VBS_OP_MASK(VBS_OP_WRITE) | \
				 VBS_OP_MASK(VBS_OP_FLUSH) | \
				 VBS_OP_MASK(VBS_OP_DISCARD) | \
				 VBS_OP_MASK(VBS_OP_WRITE_ZEROES))

/* struct vbs_fault_rule.effect: what happens to a request the rule hits */
#define VBS_FAULT_IOERR		1 /* completes with EIO (BLK_STS_IOERR) */
#define VBS_FAULT_MEDIUM	2 /* completes with a medium error (ENODATA) */
#define VBS_FAULT_TIMEOUT	3 /* never completed: the request timeout
				   * (timeout_ms) ends it with ETIMEDOUT */
#define VBS_FAULT_CORRUPT	4 /* read: completes OK, but one byte of each
				   * logical block inside the rule's range is
				   * inverted in the data returned; the
				   * stored data is untouched. Reads only. */
#define VBS_FAULT_LOST_WRITE	5 /* completes OK and changes nothing: a
				   * write not stored, a discard not done, a
				   * flush that persists nothing. Not for
				   * reads. */

/* struct vbs_fault_rule.trigger: which matching requests the rule hits */
#define VBS_TRIGGER_ALWAYS	0 /* every one */
#define VBS_TRIGGER_ONCE	1 /* the first one only (= @remaining 1) */
#define VBS_TRIGGER_EVERY_N	2 /* the @every_n-th, 2*@every_n-th, ... */
#define VBS_TRIGGER_PROB	3 /* each with probability @ppm / 10^6 */

/* Most rules one disk holds (VBS_IOC_FAULT_ADD fails with -ENOSPC). */
#define VBS_FAULT_MAX_RULES	1024

/**
 * struct vbs_fault_rule - one fault rule (VBS_IOC_FAULT_ADD, _LIST)
 * @size: sizeof(struct vbs_fault_rule) as the caller knows it (in a
 *	VBS_IOC_FAULT_LIST array: bytes of the entry the kernel filled).
 * @id: out: the rule's id, >= 1, unique on the disk. Ignored on input.
 * @op_mask: VBS_OP_MASK() bits of the operations the rule applies to; at
 *	least one, no unknown bit. VBS_FAULT_CORRUPT takes only reads,
 *	VBS_FAULT_LOST_WRITE anything but reads.
 * @effect: VBS_FAULT_*.
 * @lba: first logical block of the range (unit: the disk's logical block
 *	size).
 * @count: logical blocks in the range, 0 = up to the end of the disk. The
 *	range must lie inside the disk. A request matches when its operation
 *	is in @op_mask and it touches at least one block of the range; a
 *	flush, which has no blocks, matches on its operation alone.
 * @trigger: VBS_TRIGGER_*.
 * @every_n: VBS_TRIGGER_EVERY_N: N, 1..2^32-1; else must be 0.
 * @ppm: VBS_TRIGGER_PROB: probability in parts per million, 1..1000000;
 *	else must be 0.
 * @remaining: in: how many times the rule fires before it is spent, 0 =
 *	without limit (VBS_TRIGGER_ONCE: 0 or 1). Out: fires left (0 for a
 *	rule without limit). A spent rule stays listed until cleared.
 * @matched: out: matching requests the rule has seen. Ignored on input.
 * @fired: out: times the rule fired. Ignored on input.
 * @state: out: VBS_FAULT_STATE_* bits. Ignored on input.
 * @reserved0: must be zero.
 * @reserved: must be zero.
 *
 * Rules are tried in the order they were added; the first one that fires
 * decides what happens to the request and the rules after it do not see
 * it. Failed requests still take their simulated service time.
 */
struct vbs_fault_rule {
	__u32 size;
	__u32 id;
	__u32 op_mask;
	__u32 effect;
	__u64 lba;
	__u64 count;
	__u32 trigger;
	__u32 every_n;
	__u32 ppm;
	__u32 remaining;
	__u64 matched;
	__u64 fired;
	__u32 state;
	__u32 reserved0;
	__u64 reserved[3];
};

#define VBS_FAULT_RULE_SIZE_VER0	96

/* struct vbs_fault_rule.state */
#define VBS_FAULT_STATE_SPENT	(1U << 0) /* @remaining reached 0: the rule
					   * no longer fires */

/**
 * struct vbs_fault_list - VBS_IOC_FAULT_LIST argument
 * @size: sizeof(struct vbs_fault_list) as the caller knows it.
 * @capacity: in: entries @rules can hold (at most VBS_FAULT_MAX_RULES).
 * @count: out: rules the disk has; only min(@count, @capacity) entries are
 *	written, in the order the rules are tried.
 * @rule_size: in: bytes of one entry of @rules as the caller knows it, at
 *	least VBS_FAULT_RULE_SIZE_VER0, at most 4096. The kernel fills each
 *	entry's first min(@rule_size, its own size) bytes (stating that in
 *	the entry's @size) and zeroes the rest.
 * @rules: user address of an array of @capacity entries of @rule_size
 *	bytes (may be 0 when @capacity is 0, to ask only for @count).
 */
struct vbs_fault_list {
	__u32 size;
	__u32 capacity;
	__u32 count;
	__u32 rule_size;
	__u64 rules;
};

#define VBS_FAULT_LIST_SIZE_VER0	24

/* VBS_IOC_FAULT_CLEAR argument that removes every rule of the disk */
#define VBS_FAULT_ID_ALL	0

/* -------------------------------------------------------------------------
 * Power cut (VBS_IOC_POWERCUT)
 */

/* struct vbs_powercut.flags */
#define VBS_POWERCUT_KEEP_RANDOM (1U << 0) /* keep a random subset of the
					    * pages not yet durable */
#define VBS_POWERCUT_SEED	(1U << 1) /* draw that subset from @seed, not
					   * from the disk's generator */
#define VBS_POWERCUT_ALL_FLAGS	(VBS_POWERCUT_KEEP_RANDOM | VBS_POWERCUT_SEED)

/**
 * struct vbs_powercut - VBS_IOC_POWERCUT argument
 * @size: sizeof(struct vbs_powercut) as the caller knows it.
 * @flags: VBS_POWERCUT_* bits.
 * @keep_ppm: with VBS_POWERCUT_KEEP_RANDOM: probability, in parts per
 *	million (0..1000000), that each page of the write cache is kept
 *	(made durable) instead of dropped; 0 means 500000. Must be 0 without
 *	that flag.
 * @reserved0: must be zero.
 * @seed: with VBS_POWERCUT_SEED, the seed the subset is drawn from (the
 *	same seed and the same cache contents keep the same pages); must be 0
 *	without that flag.
 * @pages_dropped: out: cache pages dropped: the writes they held are lost
 *	and the blocks read as they were at the last flush.
 * @pages_kept: out: cache pages kept.
 * @reserved: must be zero.
 *
 * A power cut loses what a real disk would lose: writes completed since
 * the last flush that were not FUA, and nothing else. On a disk without
 * VBS_CFG_WRITE_CACHE every completed write is durable and a power cut
 * changes nothing. The disk keeps working afterwards, like a machine
 * powered up again. I/O running during the power cut lands on either side
 * of it.
 */
struct vbs_powercut {
	__u32 size;
	__u32 flags;
	__u32 keep_ppm;
	__u32 reserved0;
	__u64 seed;
	__u64 pages_dropped;
	__u64 pages_kept;
	__u64 reserved[4];
};

#define VBS_POWERCUT_SIZE_VER0		72

/* Fill a struct vbs_info (anyone). */
#define VBS_IOC_GET_INFO	_IOWR(VBS_IOC_MAGIC, 0x00, struct vbs_info)
/*
 * Read whole logical blocks into a user buffer (anyone who opened the
 * disk). -EINVAL for a bad range or count, -EFAULT for a bad buffer.
 */
#define VBS_IOC_READ		_IOW(VBS_IOC_MAGIC, 0x01, struct vbs_block_io)
/*
 * Write whole logical blocks from a user buffer (CAP_SYS_ADMIN, else
 * -EPERM; the disk must be open for writing, else -EBADF). -EROFS on a
 * read-only disk, -EINVAL / -EFAULT as for VBS_IOC_READ.
 */
#define VBS_IOC_WRITE		_IOW(VBS_IOC_MAGIC, 0x02, struct vbs_block_io)
/* Fill a struct vbs_stats (anyone). */
#define VBS_IOC_GET_STATS	_IOWR(VBS_IOC_MAGIC, 0x03, struct vbs_stats)
/* Zero the counters of struct vbs_stats (CAP_SYS_ADMIN); no argument. */
#define VBS_IOC_RESET_STATS	_IO(VBS_IOC_MAGIC, 0x04)
/* Fill a struct vbs_sim_params with the disk's settings (anyone). */
#define VBS_IOC_GET_SIM		_IOWR(VBS_IOC_MAGIC, 0x05, struct vbs_sim_params)
/*
 * Replace the disk's simulation settings (CAP_SYS_ADMIN); -EINVAL, with
 * nothing changed, if any value is out of range. Requests already in
 * flight keep the service time they were given.
 */
#define VBS_IOC_SET_SIM		_IOW(VBS_IOC_MAGIC, 0x06, struct vbs_sim_params)
/*
 * Add a fault rule at the end of the disk's list (CAP_SYS_ADMIN). On
 * success the kernel writes the new rule's @id into the structure (only
 * that field). -ENOSPC when the disk has VBS_FAULT_MAX_RULES rules.
 */
#define VBS_IOC_FAULT_ADD	_IOWR(VBS_IOC_MAGIC, 0x07, struct vbs_fault_rule)
/* List the disk's fault rules with their counters (anyone). */
#define VBS_IOC_FAULT_LIST	_IOWR(VBS_IOC_MAGIC, 0x08, struct vbs_fault_list)
/*
 * Remove the fault rule whose id is the argument, or every rule with
 * VBS_FAULT_ID_ALL (CAP_SYS_ADMIN). -ENOENT if there is no such rule.
 */
#define VBS_IOC_FAULT_CLEAR	_IOW(VBS_IOC_MAGIC, 0x09, __u32)
/* Simulate a power cut (CAP_SYS_ADMIN); see struct vbs_powercut. */
#define VBS_IOC_POWERCUT	_IOWR(VBS_IOC_MAGIC, 0x0a, struct vbs_powercut)

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

/* -------------------------------------------------------------------------
 * The userland-model protocol (VBS_CTL_MODEL_*, on /dev/virtblkiosim-control)
 *
 * A disk created with VBS_CFG_MODEL does not decide where its data lives: a
 * userland program, the model, does. The disk's logical capacity is cut
 * into logical pages of VBS_MODEL_PAGE_SIZE bytes; its store holds
 * @model_pages physical pages. For every request the model answers, per
 * logical page, which physical page to read from or write to; the data
 * itself never leaves the kernel. The model also decides how long the
 * request takes and whether it fails.
 *
 * The cycle:
 *
 *  1. open /dev/virtblkiosim-control and VBS_CTL_MODEL_ATTACH a disk: the
 *     open file is now a session of that disk. Several sessions may attach
 *     to one disk (one per thread of a model); each pending request goes to
 *     exactly one of them.
 *  2. loop on VBS_CTL_MODEL_EXCHANGE: hand in the answers to the requests
 *     fetched last time, and fetch the next batch (blocking until at least
 *     one request is pending, the timeout passes or a signal arrives);
 *  3. between exchanges, VBS_CTL_MODEL_PAGES copies and trims physical
 *     pages (what garbage collection does);
 *  4. close the file (or exit, or be killed) to detach.
 *
 * When the last session of a disk detaches, the requests it held or that
 * were pending complete with EIO, and so do the requests that arrive while
 * no model is attached (so a disk never hangs for want of a model) --
 * unless a session attached with VBS_MODEL_RECOVER: then they wait for a
 * new model to attach, up to the request timeout (VBS_IOC_SET_SIM
 * timeout_ms), after which the block layer ends them with ETIMEDOUT. A
 * model that fetches a request and never answers it meets the same
 * timeout. A disk with a session attached cannot be removed (-EBUSY), and
 * the module cannot be unloaded while the control node is open.
 *
 * On a model disk the in-kernel engine does not run: VBS_IOC_SET_SIM
 * accepts only @seed and @timeout_ms (other fields: -EOPNOTSUPP), fault
 * rules and VBS_IOC_POWERCUT fail with -EOPNOTSUPP. The model simulates
 * all of that itself.
 */

/* Bytes of one logical or physical page of a model disk. */
#define VBS_MODEL_PAGE_SIZE	4096
/* A physical page number that means "no page": reads as zeros. */
#define VBS_PPN_NONE		(~0ULL)
/* Most logical pages one request spans (a 1 MiB request, unaligned). */
#define VBS_MODEL_MAX_REQ_PAGES	257
/* Most descriptors, answers or page operations in one ioctl. */
#define VBS_MODEL_MAX_BATCH	4096

/*
 * struct vbs_model_attach.flags. VBS_MODEL_RECOVER: when this model goes
 * away, requests wait for the next one instead of failing.
 */
#define VBS_MODEL_RECOVER	(1U << 0)
#define VBS_MODEL_ATTACH_ALL_FLAGS (VBS_MODEL_RECOVER)

/**
 * struct vbs_model_attach - VBS_CTL_MODEL_ATTACH argument
 * @size: sizeof(struct vbs_model_attach) as the caller knows it; on output
 *	the bytes the kernel filled.
 * @index: in: N of the /dev/virtblkiosimN to attach to (a VBS_CFG_MODEL
 *	disk, else -EINVAL; no such disk: -ENODEV).
 * @flags: in: VBS_MODEL_* bits.
 * @session: out: this session's number on the disk (1, 2, ...), unique
 *	while the disk exists.
 * @logical_pages: out: logical pages of the disk (capacity rounded up).
 * @physical_pages: out: pages of the physical store (model_pages).
 * @sectors_per_page: out: 512-byte sectors in one page (8).
 * @max_req_pages: out: most pages one request spans
 *	(VBS_MODEL_MAX_REQ_PAGES).
 * @reserved: zero.
 */
struct vbs_model_attach {
	__u32 size;
	__u32 index;
	__u32 flags;
	__u32 session;
	__u64 logical_pages;
	__u64 physical_pages;
	__u32 sectors_per_page;
	__u32 max_req_pages;
	__u64 reserved[4];
};

#define VBS_MODEL_ATTACH_SIZE_VER0	72

/**
 * struct vbs_model_req - one request handed to the model
 * @id: the request's identity for its answer: the request's slot in the
 *	low 32 bits, a generation in the high 32 bits. A request's tag is
 *	reused once it completes; its id is not, so a late or repeated
 *	answer can never complete the wrong request.
 * @op: VBS_OP_READ, _WRITE, _FLUSH, _DISCARD or _WRITE_ZEROES.
 * @flags: VBS_MODEL_REQ_* bits.
 * @sector: first 512-byte sector (0 for a flush).
 * @nr_sectors: 512-byte sectors (0 for a flush).
 * @nr_pages: logical pages the request touches (0 for a flush).
 * @first_page: first logical page it touches (@sector / 8).
 * @reserved: zero.
 */
struct vbs_model_req {
	__u64 id;
	__u32 op;
	__u32 flags;
	__u64 sector;
	__u32 nr_sectors;
	__u32 nr_pages;
	__u64 first_page;
	__u64 reserved;
};

#define VBS_MODEL_REQ_SIZE		48

/* struct vbs_model_req.flags */
#define VBS_MODEL_REQ_FUA	(1U << 0) /* write: durable on completion */
#define VBS_MODEL_REQ_IOCTL	(1U << 1) /* came from VBS_IOC_READ/WRITE */

/**
 * struct vbs_model_map - where one logical page of a request lives
 * @ppn: read: the physical page to read from, VBS_PPN_NONE for zeros.
 *	Write and write-zeroes: the physical page the new contents go to
 *	(never VBS_PPN_NONE).
 * @src_ppn: write and write-zeroes that cover only part of the page (the
 *	first and last page of an unaligned request): the page holding the
 *	current contents of the rest, copied first ("read-modify-write");
 *	VBS_PPN_NONE when the rest reads as zeros; equal to @ppn for an
 *	update in place. Ignored for reads and whole-page writes.
 */
struct vbs_model_map {
	__u64 ppn;
	__u64 src_ppn;
};

/**
 * struct vbs_model_answer - the model's answer to one request
 * @id: the &vbs_model_req.id answered.
 * @status: 0 for success, or a negative errno the request fails with:
 *	-EIO, -ENODATA (medium error), -ENOSPC, -ETIMEDOUT, -EOPNOTSUPP.
 *	A failed request moves no data and needs no maps.
 * @nr_maps: entries for this request in &vbs_model_exchange.maps: the
 *	request's @nr_pages for a successful read, write or write-zeroes,
 *	else 0.
 * @map_index: index in &vbs_model_exchange.maps of the first of them.
 * @reserved0: must be zero.
 * @delay_ns: service time still to simulate, counted from the exchange:
 *	the kernel completes the request this long after it moved the data
 *	(0: at once), at most VBS_SIM_MAX_NS.
 * @reserved: must be zero.
 */
struct vbs_model_answer {
	__u64 id;
	__s32 status;
	__u32 nr_maps;
	__u32 map_index;
	__u32 reserved0;
	__u64 delay_ns;
	__u64 reserved;
};

#define VBS_MODEL_ANSWER_SIZE		40

/**
 * struct vbs_model_exchange - VBS_CTL_MODEL_EXCHANGE argument
 * @size: sizeof(struct vbs_model_exchange) as the caller knows it.
 * @flags: none yet, must be 0.
 * @nr_answers: in: entries of @answers, 0..VBS_MODEL_MAX_BATCH.
 * @nr_maps: in: entries of @maps, 0..VBS_MODEL_MAX_BATCH *
 *	VBS_MODEL_MAX_REQ_PAGES.
 * @answers: in: user address of @nr_answers struct vbs_model_answer.
 * @maps: in: user address of @nr_maps struct vbs_model_map.
 * @max_reqs: in: entries @reqs can hold, 0..VBS_MODEL_MAX_BATCH (0: only
 *	answer, do not fetch).
 * @timeout_ms: in: how long to wait for a request when none is pending:
 *	0 = do not wait, VBS_MODEL_WAIT_FOREVER = until one comes or a
 *	signal arrives.
 * @reqs: in: user address of @max_reqs struct vbs_model_req.
 * @nr_reqs: out: requests written to @reqs; each is now this session's to
 *	answer.
 * @accepted: out: answers that completed their request.
 * @rejected: out: answers refused: an unknown, stale or repeated id, an id
 *	fetched by another session (all ignored), or a bad answer to a live
 *	request: a physical page out of range, a wrong @nr_maps, a bad
 *	status or delay (that request then fails with EIO).
 * @reserved: must be zero.
 *
 * Answers are applied first, in order; then requests are fetched. If the
 * wait is interrupted by a signal, the ioctl fails with -EINTR only when
 * @nr_answers was 0; otherwise it returns 0 with @nr_reqs = 0, so answers
 * are never applied twice. -EFAULT means the arrays could not be read or
 * written; answers before the bad one may have been applied (see
 * @accepted and @rejected, which are written even then when possible).
 */
struct vbs_model_exchange {
	__u32 size;
	__u32 flags;
	__u32 nr_answers;
	__u32 nr_maps;
	__u64 answers;
	__u64 maps;
	__u32 max_reqs;
	__u32 timeout_ms;
	__u64 reqs;
	__u32 nr_reqs;
	__u32 accepted;
	__u32 rejected;
	__u32 reserved0;
	__u64 reserved[2];
};

#define VBS_MODEL_EXCHANGE_SIZE_VER0	80

#define VBS_MODEL_WAIT_FOREVER	0xffffffffU

/*
 * struct vbs_model_page_op.op. COPY: @dst gets the contents of @src.
 * TRIM: @src is freed and reads as zeros; @dst must be VBS_PPN_NONE.
 */
#define VBS_PAGE_OP_COPY	1
#define VBS_PAGE_OP_TRIM	2

/**
 * struct vbs_model_page_op - one physical page operation
 * @op: VBS_PAGE_OP_*.
 * @reserved0: must be zero.
 * @src: the page copied or trimmed.
 * @dst: the page copied to (VBS_PAGE_OP_COPY).
 */
struct vbs_model_page_op {
	__u32 op;
	__u32 reserved0;
	__u64 src;
	__u64 dst;
};

#define VBS_MODEL_PAGE_OP_SIZE		24

/**
 * struct vbs_model_pages - VBS_CTL_MODEL_PAGES argument
 * @size: sizeof(struct vbs_model_pages) as the caller knows it.
 * @nr_ops: entries of @ops, 1..VBS_MODEL_MAX_BATCH.
 * @ops: user address of @nr_ops struct vbs_model_page_op.
 * @done: out: operations carried out, in order. Every operation is checked
 *	first: if any is invalid (unknown op, page out of range, reserved
 *	bits) none is done and the ioctl fails with -EINVAL.
 * @reserved0: zero.
 * @reserved: must be zero.
 *
 * Copying a page that reads as zeros makes @dst read as zeros (and frees
 * it). Copies are done in order, so a chain (a to b, then b to c) works.
 */
struct vbs_model_pages {
	__u32 size;
	__u32 nr_ops;
	__u64 ops;
	__u32 done;
	__u32 reserved0;
	__u64 reserved[2];
};

#define VBS_MODEL_PAGES_SIZE_VER0	40

/* Fill a struct vbs_features (anyone). */
#define VBS_CTL_GET_FEATURES	_IOWR(VBS_IOC_MAGIC, 0x80, struct vbs_features)
/*
 * Create a disk (CAP_SYS_ADMIN). -EINVAL for a bad configuration or an
 * index >= max_devices, -EEXIST if the index is taken, -ENOSPC if every
 * index is.
 */
#define VBS_CTL_ADD		_IOWR(VBS_IOC_MAGIC, 0x81, struct vbs_ctl_add)
/*
 * Remove disk N, the argument is its index (CAP_SYS_ADMIN). -ENODEV if
 * there is no such disk, -EBUSY while it (or a partition) is open.
 */
#define VBS_CTL_REMOVE		_IOW(VBS_IOC_MAGIC, 0x82, __u32)
/* List the disks (anyone). */
#define VBS_CTL_LIST		_IOWR(VBS_IOC_MAGIC, 0x83, struct vbs_ctl_list)
/*
 * Make this open control node a model session of a VBS_CFG_MODEL disk
 * (CAP_SYS_ADMIN). -EBUSY if this node is already a session or the disk is
 * being removed.
 */
#define VBS_CTL_MODEL_ATTACH	_IOWR(VBS_IOC_MAGIC, 0x84, \
				      struct vbs_model_attach)
/*
 * Answer requests and fetch the next ones (a session only, else
 * -ENOTCONN; CAP_SYS_ADMIN). See struct vbs_model_exchange.
 */
#define VBS_CTL_MODEL_EXCHANGE	_IOWR(VBS_IOC_MAGIC, 0x85, \
				      struct vbs_model_exchange)
/* Copy and trim physical pages (a session only; CAP_SYS_ADMIN). */
#define VBS_CTL_MODEL_PAGES	_IOWR(VBS_IOC_MAGIC, 0x86, \
				      struct vbs_model_pages)

#endif /* _UAPI_LINUX_VIRTBLKIOSIM_H */
