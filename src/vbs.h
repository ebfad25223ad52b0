/* SPDX-License-Identifier: GPL-2.0 */
/*
 * virtblkiosim - internal header shared by the module's files.
 *
 * Who owns what part of a request's life:
 *
 *  main.c     module parameters, device creation and removal, init/exit
 *  queue.c    the blk-mq operations: a request enters, is executed, completes
 *  store.c    the sparse page store that holds the disk's data
 *  ioctl.c    ioctls on /dev/virtblkiosimN, including block I/O via ioctl
 *  control.c  /dev/virtblkiosim-control: add, remove and list disks
 *  sysfs.c    /sys/block/virtblkiosimN/virtblkiosim/ attributes
 *  compat.h   every difference between the kernel versions we support
 */
#ifndef VBS_H
#define VBS_H

#include <linux/bits.h>
#include <linux/blk-mq.h>
#include <linux/blkdev.h>
#include <linux/percpu.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/xarray.h>

#include <linux/virtblkiosim.h>

/* Most disks that can exist at once (index 0 .. VBS_MAX_DEVICES - 1). */
#define VBS_MAX_DEVICES		1024

/* Sectors of 512 bytes in one page of the store, and its log2. */
#define VBS_PAGE_SECTORS_SHIFT	(PAGE_SHIFT - SECTOR_SHIFT)
#define VBS_PAGE_SECTORS	BIT(VBS_PAGE_SECTORS_SHIFT)

/* Largest request the disk accepts, in 512-byte sectors (1 MiB). */
#define VBS_MAX_HW_SECTORS	2048U

/**
 * struct vbs_store - the sparse store that holds one disk's data
 * @pages: page index (sector >> VBS_PAGE_SECTORS_SHIFT) -> struct page.
 *	An absent index reads as zeros. Readers look up under RCU without
 *	taking a lock; inserts and erases take the xarray's internal lock.
 *	Erased pages are freed after an RCU grace period, so a reader that
 *	found a page can keep copying from it until rcu_read_unlock().
 * @nr_pages: pages currently in @pages (atomic, no lock).
 */
struct vbs_store {
	struct xarray pages;
	atomic_long_t nr_pages;
};

/**
 * struct vbs_pcpu_stats - one CPU's share of a disk's counters
 * @ops: per VBS_OP_* counters, only ever added to (by this CPU).
 * @started: requests handed to the driver on this CPU.
 * @completed: requests completed on this CPU.
 *
 * Each CPU adds to its own copy without a lock or atomic instruction; a
 * reader sums all copies. "Reset" does not write here: it saves the sums
 * in &vbs_dev.stats_base and later reports the difference.
 */
struct vbs_pcpu_stats {
	struct vbs_op_stats ops[VBS_OP_NR];
	u64 started;
	u64 completed;
};

/**
 * struct vbs_dev - one simulated disk
 * @index: N of /dev/virtblkiosimN; key in the device table.
 * @cfg: the configuration in force, every default resolved. Read-only
 *	after creation.
 * @lbs_shift: log2(@cfg.logical_block_size) - 9: shift from logical blocks
 *	to 512-byte sectors.
 * @tag_set: blk-mq tag set (hardware queues, depth, per-request data).
 * @disk: the gendisk; its queue's queuedata points back here.
 * @store: the data.
 * @stats: per-CPU counters.
 * @stats_lock: serialises reset against readers of @stats_base.
 * @stats_base: sums at the last reset (protected by @stats_lock).
 * @stats_since: ktime_get_ns() of the last reset (protected by @stats_lock).
 * @lock: protects @open_count and @removing.
 * @open_count: opens of the disk or its partitions that are not released.
 * @removing: set once removal has started: new opens fail with -ENXIO.
 */
struct vbs_dev {
	u32 index;
	struct vbs_dev_config cfg;
	unsigned int lbs_shift;
	struct blk_mq_tag_set tag_set;
	struct gendisk *disk;
	struct vbs_store store;
	struct vbs_pcpu_stats __percpu *stats;
	struct mutex stats_lock;	/* guards stats_base, stats_since */
	struct vbs_pcpu_stats stats_base;
	u64 stats_since;
	spinlock_t lock;		/* guards open_count, removing */
	unsigned int open_count;
	bool removing;
};

/**
 * struct vbs_cmd - driver data carried by every request (blk-mq "pdu")
 * @pt_sector: for a passthrough request (REQ_OP_DRV_IN/OUT, built by the
 *	block I/O ioctl), the first 512-byte sector; such requests carry no
 *	position of their own.
 * @pt_fua: the passthrough write asked for FUA.
 *
 * blk-mq allocates one of these behind each struct request when the tag
 * set is created (tag_set.cmd_size), so the I/O path never allocates.
 */
struct vbs_cmd {
	sector_t pt_sector;
	bool pt_fua;
};

/* main.c */
struct vbs_dev *vbs_dev_create(const struct vbs_dev_config *cfg, u32 index);
int vbs_dev_remove(u32 index);
int vbs_dev_list(u32 *indices, u32 capacity, u32 *count);
u32 vbs_dev_count(void);
void vbs_config_defaults(struct vbs_dev_config *cfg);
extern const struct block_device_operations vbs_bdops;

/* queue.c */
extern const struct blk_mq_ops vbs_mq_ops;
void vbs_stats_read(struct vbs_dev *dev, struct vbs_stats *out);
void vbs_stats_reset(struct vbs_dev *dev);

/* store.c */
void vbs_store_init(struct vbs_store *store);
void vbs_store_destroy(struct vbs_store *store);
blk_status_t vbs_store_read(struct vbs_store *store, void *dst,
			    sector_t sector, unsigned int len);
blk_status_t vbs_store_write(struct vbs_store *store, const void *src,
			     sector_t sector, unsigned int len);
void vbs_store_zero(struct vbs_store *store, sector_t sector, u64 len);

/* ioctl.c */
int vbs_ioctl(struct vbs_dev *dev, struct block_device *bdev, bool writable,
	      unsigned int cmd, unsigned long arg);
u64 vbs_features(void);
int vbs_copy_struct_in(void *dst, size_t ksize, size_t min_size,
		       void __user *src);
int vbs_copy_struct_out(void __user *dst, void *src, size_t ksize);

/* control.c */
int vbs_control_init(void);
void vbs_control_exit(void);

/* sysfs.c */
extern const struct attribute_group *vbs_disk_groups[];

/**
 * vbs_bytes_to_pages() - pages needed to hold @bytes
 * @bytes: a byte count.
 *
 * Return: @bytes rounded up to whole pages.
 */
static inline u64 vbs_bytes_to_pages(u64 bytes)
{
	return (bytes + PAGE_SIZE - 1) >> PAGE_SHIFT;
}

#endif /* VBS_H */
