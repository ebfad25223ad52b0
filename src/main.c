// SPDX-License-Identifier: GPL-2.0
/*
 * virtblkiosim - a block device driver that simulates a storage device.
 *
 * This file owns the life of the module and of each disk: the module
 * parameters, creating a disk (tag set, queue limits, gendisk, add_disk),
 * opening and releasing it, removing it, and module init and exit.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/blkdev.h>
#include <linux/cpumask.h>
#include <linux/fs.h>
#include <linux/ktime.h>
#include <linux/log2.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>

#include "compat.h"
#include "vbs.h"

/**
 * DOC: Module parameters
 *
 * They shape the disks created at load time (nr_devices of them) and are
 * the defaults for disks added later through /dev/virtblkiosim-control.
 * All are read-only in /sys/module/virtblkiosim/parameters/: changing them
 * after load would not change the disks that exist. An invalid value
 * makes the load fail with -EINVAL and a log line naming the parameter.
 */
static unsigned int nr_devices = 1;
module_param(nr_devices, uint, 0444);
MODULE_PARM_DESC(nr_devices, "Disks created at load, 0..64 (default: 1)");

static unsigned long capacity_mb = 1024;
module_param(capacity_mb, ulong, 0444);
MODULE_PARM_DESC(capacity_mb,
		 "Capacity of each disk in MiB, 1..2^30 (default: 1024)");

static unsigned int logical_block_size = 512;
module_param(logical_block_size, uint, 0444);
MODULE_PARM_DESC(logical_block_size,
		 "Logical block size in bytes: 512, 1024, 2048 or 4096 (default: 512)");

static unsigned int physical_block_size;
module_param(physical_block_size, uint, 0444);
MODULE_PARM_DESC(physical_block_size,
		 "Physical block size in bytes, a power of two from the logical block size to 65536 (default: 0 = logical block size)");

static unsigned int nr_hw_queues;
module_param(nr_hw_queues, uint, 0444);
MODULE_PARM_DESC(nr_hw_queues,
		 "Hardware queues per disk, 1..number of CPUs (default: 0 = one per CPU)");

static unsigned int queue_depth = 128;
module_param(queue_depth, uint, 0444);
MODULE_PARM_DESC(queue_depth,
		 "Requests in flight per hardware queue, 1..4096 (default: 128)");

static bool discard = true;
module_param(discard, bool, 0444);
MODULE_PARM_DESC(discard, "Support discard, which frees memory (default: on)");

static bool write_zeroes = true;
module_param(write_zeroes, bool, 0444);
MODULE_PARM_DESC(write_zeroes, "Support write-zeroes (default: on)");

static bool write_cache;
module_param(write_cache, bool, 0444);
MODULE_PARM_DESC(write_cache,
		 "Advertise a volatile write cache and FUA, so the disk receives flushes (default: off)");

static unsigned int max_partitions = 16;
module_param(max_partitions, uint, 0444);
MODULE_PARM_DESC(max_partitions,
		 "Partition minor numbers reserved per disk, 0..255; 0 disables partitions (default: 16)");

/* Most disks nr_devices may ask for at load; more can be added later. */
#define VBS_MAX_LOAD_DEVICES	64

/* Largest capacity: 2^50 bytes (1 PiB), far beyond any RAM, still sparse. */
#define VBS_MAX_CAPACITY	BIT_ULL(50)

/* Minor numbers per disk index under our major: disk N starts at N * 256. */
#define VBS_MINORS_SHIFT	8

/* Block device major number, allocated at init. */
static int vbs_major;

/*
 * All disks, by index. vbs_devices_lock serialises creation and removal
 * (and module exit) against each other, so a disk is never half-made or
 * half-gone when someone else looks at the table.
 */
static DEFINE_XARRAY_ALLOC(vbs_devices);
static DEFINE_MUTEX(vbs_devices_lock);

/**
 * vbs_config_defaults() - a configuration built from the module parameters
 * @cfg: filled in.
 *
 * Context: any.
 */
void vbs_config_defaults(struct vbs_dev_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->size = sizeof(*cfg);
	cfg->capacity = (u64)capacity_mb << 20;
	cfg->logical_block_size = logical_block_size;
	cfg->physical_block_size = physical_block_size;
	cfg->nr_hw_queues = nr_hw_queues;
	cfg->queue_depth = queue_depth;
	cfg->max_partitions = max_partitions;
	if (discard)
		cfg->flags |= VBS_CFG_DISCARD;
	if (write_zeroes)
		cfg->flags |= VBS_CFG_WRITE_ZEROES;
	if (write_cache)
		cfg->flags |= VBS_CFG_WRITE_CACHE;
}

/**
 * vbs_config_resolve_model() - check the model part of a configuration
 * @cfg: the configuration; a zero @model_pages gets its default.
 *
 * A model maps 4 KiB logical pages onto 4 KiB physical pages of the store,
 * so the store's pages must be that size and the capacity whole pages.
 * The default physical store is 7% larger than the logical capacity, the
 * spare area a consumer SSD commonly keeps.
 *
 * Return: 0, -EINVAL, or -EOPNOTSUPP (pages of another size).
 */
static int vbs_config_resolve_model(struct vbs_dev_config *cfg)
{
	u64 logical = vbs_bytes_to_pages(cfg->capacity);

	if (!(cfg->flags & VBS_CFG_MODEL)) {
		if (cfg->model_pages) {
			pr_warn_ratelimited("model_pages %llu: only for a model disk\n",
					    cfg->model_pages);
			return -EINVAL;
		}
		return 0;
	}
	if (PAGE_SIZE != VBS_MODEL_PAGE_SIZE)
		return -EOPNOTSUPP;
	if (cfg->capacity & (VBS_MODEL_PAGE_SIZE - 1)) {
		pr_warn_ratelimited("capacity %llu bytes: a model disk needs whole %u-byte pages\n",
				    cfg->capacity, VBS_MODEL_PAGE_SIZE);
		return -EINVAL;
	}
	if (!cfg->model_pages)
		cfg->model_pages = logical + DIV_ROUND_UP_ULL(logical * 7, 100);
	if (cfg->model_pages < logical || cfg->model_pages > VBS_MAX_MODEL_PAGES) {
		pr_warn_ratelimited("model_pages %llu: must be from the logical page count (%llu) to 2^38\n",
				    cfg->model_pages, logical);
		return -EINVAL;
	}
	return 0;
}

/**
 * vbs_config_resolve() - check a configuration and fill in its defaults
 * @cfg: the configuration; zero fields are replaced by their defaults.
 *
 * Every value a user can choose goes through here, whether it came from a
 * module parameter or from the control device, and a bad one is named in
 * the kernel log.
 *
 * Return: 0, or -EINVAL.
 */
static int vbs_config_resolve(struct vbs_dev_config *cfg)
{
	if (cfg->flags & ~VBS_CFG_ALL_FLAGS) {
		pr_warn_ratelimited("unknown flags 0x%x\n",
				    cfg->flags & ~VBS_CFG_ALL_FLAGS);
		return -EINVAL;
	}
	if (!cfg->logical_block_size)
		cfg->logical_block_size = logical_block_size;
	if (!is_power_of_2(cfg->logical_block_size) ||
	    cfg->logical_block_size < SECTOR_SIZE ||
	    cfg->logical_block_size > PAGE_SIZE) {
		pr_warn_ratelimited("logical_block_size %u: must be a power of two from 512 to %lu\n",
				    cfg->logical_block_size, PAGE_SIZE);
		return -EINVAL;
	}
	if (!cfg->physical_block_size)
		cfg->physical_block_size = cfg->logical_block_size;
	if (!is_power_of_2(cfg->physical_block_size) ||
	    cfg->physical_block_size < cfg->logical_block_size ||
	    cfg->physical_block_size > SZ_64K) {
		pr_warn_ratelimited("physical_block_size %u: must be a power of two from logical_block_size (%u) to 65536\n",
				    cfg->physical_block_size,
				    cfg->logical_block_size);
		return -EINVAL;
	}
	if (!cfg->capacity)
		cfg->capacity = (u64)capacity_mb << 20;
	if (cfg->capacity > VBS_MAX_CAPACITY ||
	    cfg->capacity & (cfg->logical_block_size - 1)) {
		pr_warn_ratelimited("capacity %llu bytes: must be a multiple of logical_block_size, 1 PiB at most\n",
				    cfg->capacity);
		return -EINVAL;
	}
	if (!cfg->nr_hw_queues)
		cfg->nr_hw_queues = nr_hw_queues ? nr_hw_queues : nr_cpu_ids;
	if (cfg->nr_hw_queues > nr_cpu_ids) {
		pr_warn_ratelimited("nr_hw_queues %u: must be from 1 to the number of CPUs (%u)\n",
				    cfg->nr_hw_queues, nr_cpu_ids);
		return -EINVAL;
	}
	if (!cfg->queue_depth)
		cfg->queue_depth = queue_depth;
	if (cfg->queue_depth > 4096) {
		pr_warn_ratelimited("queue_depth %u: must be from 1 to 4096\n",
				    cfg->queue_depth);
		return -EINVAL;
	}
	if (cfg->max_partitions >= (1U << VBS_MINORS_SHIFT)) {
		pr_warn_ratelimited("max_partitions %u: must be from 0 to 255\n",
				    cfg->max_partitions);
		return -EINVAL;
	}
	return vbs_config_resolve_model(cfg);
}

/**
 * vbs_params_check() - validate the module parameters at load
 *
 * Values that have no "0 = default" meaning are checked here, so that a
 * wrong insmod line fails and says which parameter was wrong; the rest is
 * checked by vbs_config_resolve() on the default configuration.
 *
 * Return: 0, or -EINVAL.
 */
static int vbs_params_check(void)
{
	struct vbs_dev_config cfg;

	if (nr_devices > VBS_MAX_LOAD_DEVICES) {
		pr_err("nr_devices %u: must be from 0 to %u\n", nr_devices,
		       VBS_MAX_LOAD_DEVICES);
		return -EINVAL;
	}
	if (!capacity_mb || capacity_mb > (VBS_MAX_CAPACITY >> 20)) {
		pr_err("capacity_mb %lu: must be from 1 to %llu\n",
		       capacity_mb, VBS_MAX_CAPACITY >> 20);
		return -EINVAL;
	}
	if (!logical_block_size) {
		pr_err("logical_block_size 0: must be a power of two from 512 to %lu\n",
		       PAGE_SIZE);
		return -EINVAL;
	}
	if (!queue_depth) {
		pr_err("queue_depth 0: must be from 1 to 4096\n");
		return -EINVAL;
	}
	vbs_config_defaults(&cfg);
	return vbs_config_resolve(&cfg);
}

/**
 * vbs_open() - a disk or one of its partitions is being opened
 * @disk: the disk.
 *
 * Counting opens lets removal through the control device refuse a disk in
 * use (-EBUSY), as /dev/loop-control does. The block layer already holds a
 * reference on this module for every open, which is what makes rmmod fail
 * while a disk is open or mounted.
 *
 * Context: process context; the block layer holds disk->open_mutex.
 * Return: 0, or -ENXIO if the disk is being removed.
 */
static int vbs_open(struct gendisk *disk)
{
	struct vbs_dev *dev = disk->private_data;
	int ret = 0;

	spin_lock(&dev->lock);
	if (dev->removing)
		ret = -ENXIO;
	else
		dev->open_count++;
	spin_unlock(&dev->lock);
	return ret;
}

/**
 * vbs_release() - the last reference of one open went away
 * @disk: the disk.
 *
 * Context: process context; the block layer holds disk->open_mutex.
 */
static void vbs_release(struct gendisk *disk)
{
	struct vbs_dev *dev = disk->private_data;

	spin_lock(&dev->lock);
	dev->open_count--;
	spin_unlock(&dev->lock);
}

/**
 * vbs_disk_ioctl() - ioctl() on /dev/virtblkiosimN
 * @bdev: the opened block device (the disk or a partition).
 * @writable: the device was opened for writing.
 * @cmd: ioctl command.
 * @arg: its argument (a user pointer for ours).
 *
 * The block layer first handles the generic block ioctls (BLKGETSIZE64,
 * BLKDISCARD, ...) itself and passes only the rest to us.
 *
 * Return: see vbs_ioctl().
 */
static int vbs_disk_ioctl(struct block_device *bdev, bool writable,
			  unsigned int cmd, unsigned long arg)
{
	return vbs_ioctl(bdev->bd_disk->private_data, bdev, writable, cmd, arg);
}

VBS_DEFINE_BDOPS_OPEN(vbs_bdops_open, vbs_open)
VBS_DEFINE_BDOPS_RELEASE(vbs_bdops_release, vbs_release)
VBS_DEFINE_BDOPS_IOCTL(vbs_bdops_ioctl, vbs_disk_ioctl)

const struct block_device_operations vbs_bdops = {
	.owner		= THIS_MODULE,
	.open		= vbs_bdops_open,
	.release	= vbs_bdops_release,
	.ioctl		= vbs_bdops_ioctl,
	/* Our arguments have the same layout for 32-bit callers. */
	.compat_ioctl	= blkdev_compat_ptr_ioctl,
};

/**
 * vbs_limits_from_config() - the queue limits a configuration implies
 * @cfg: a resolved configuration.
 * @l: filled in.
 */
static void vbs_limits_from_config(const struct vbs_dev_config *cfg,
				   struct vbs_limits *l)
{
	memset(l, 0, sizeof(*l));
	l->logical_block_size = cfg->logical_block_size;
	l->physical_block_size = cfg->physical_block_size;
	l->max_hw_sectors = VBS_MAX_HW_SECTORS;
	/* Enough segments for a largest request of 4 KiB pieces, misaligned. */
	l->max_segments = (VBS_MAX_HW_SECTORS >> VBS_PAGE_SECTORS_SHIFT) + 1;
	/*
	 * Discard frees whole pages, so that is the granularity worth
	 * discarding at; the block layer wants it at least a physical block.
	 */
	if (cfg->flags & VBS_CFG_DISCARD) {
		l->max_discard_sectors = UINT_MAX >> SECTOR_SHIFT;
		l->discard_granularity = max_t(unsigned int, PAGE_SIZE,
					       cfg->physical_block_size);
	}
	/*
	 * A model answers a write-zeroes request with one map per page, so
	 * on a model disk it is no larger than any other request.
	 */
	if (cfg->flags & VBS_CFG_WRITE_ZEROES)
		l->max_write_zeroes_sectors = cfg->flags & VBS_CFG_MODEL ?
			VBS_MAX_HW_SECTORS : UINT_MAX >> SECTOR_SHIFT;
	l->write_cache = cfg->flags & VBS_CFG_WRITE_CACHE;
	l->fua = l->write_cache;
	l->rotational = cfg->flags & VBS_CFG_ROTATIONAL;
}

/**
 * vbs_dev_free() - free a disk's memory once nothing uses it
 * @dev: the disk, no longer registered, its tag set freed.
 */
static void vbs_dev_free(struct vbs_dev *dev)
{
	vbs_model_destroy(dev);
	vbs_sim_destroy(&dev->sim);
	vbs_cache_destroy(&dev->cache, &dev->store);
	vbs_store_destroy(&dev->store);
	free_percpu(dev->stats);
	kfree(dev);
}

/**
 * vbs_dev_prepare() - build a disk, everything but making it visible
 * @cfg_in: the configuration (zero fields mean "module default").
 * @index: wanted index, or VBS_INDEX_ANY for the lowest free one.
 *
 * Everything that can fail happens here, before vbs_dev_publish() calls
 * add_disk(), the call that makes the disk visible to the system; after it
 * the disk can receive I/O at once (udev and the partition scan read it
 * before add_disk() returns). The index is reserved: the device table
 * holds an empty entry for it, which lookups read as "no such disk" and
 * which another add cannot take, until vbs_dev_publish() fills it.
 *
 * Context: process context, may sleep. Caller holds vbs_devices_lock.
 * Return: the disk, or an ERR_PTR(): -EINVAL (bad configuration), -EEXIST
 * (index taken), -ENOSPC (no free index) or -ENOMEM.
 */
static struct vbs_dev *vbs_dev_prepare(const struct vbs_dev_config *cfg_in,
				       u32 index)
{
	struct vbs_limits limits;
	struct vbs_dev *dev;
	struct gendisk *disk;
	int ret;

	lockdep_assert_held(&vbs_devices_lock);

	/* 1. Check the configuration and resolve its defaults. */
	dev = kzalloc(sizeof(*dev), GFP_KERNEL);
	if (!dev)
		return ERR_PTR(-ENOMEM);
	dev->cfg = *cfg_in;
	dev->cfg.size = sizeof(dev->cfg);
	ret = vbs_config_resolve(&dev->cfg);
	if (ret)
		goto out_free_dev;
	dev->lbs_shift = ilog2(dev->cfg.logical_block_size) - SECTOR_SHIFT;
	spin_lock_init(&dev->lock);
	mutex_init(&dev->stats_lock);
	dev->stats_since = ktime_get_ns();
	vbs_store_init(&dev->store);
	/*
	 * A model disk advertises a write cache (so its model sees flushes
	 * and FUA) but keeps no volatile copy of its own: the model decides
	 * what a flush means.
	 */
	vbs_cache_init(&dev->cache,
		       (dev->cfg.flags & (VBS_CFG_WRITE_CACHE | VBS_CFG_MODEL)) ==
		       VBS_CFG_WRITE_CACHE);
	vbs_sim_init(&dev->sim);
	ret = vbs_model_init(dev);
	if (ret)
		goto out_free_dev;

	/*
	 * 2. Per-CPU statistics: each CPU counts its own requests, so the
	 * I/O path never shares a counter's cache line between CPUs.
	 */
	dev->stats = alloc_percpu(struct vbs_pcpu_stats);
	if (!dev->stats) {
		ret = -ENOMEM;
		goto out_free_dev;
	}

	/*
	 * 3. Reserve the index, so two adds cannot pick the same one. A
	 * NULL entry is stored as a reserved slot: xa_load() and
	 * xa_for_each() skip it, xa_insert() and xa_alloc() see it taken.
	 */
	if (index == VBS_INDEX_ANY) {
		ret = xa_alloc(&vbs_devices, &dev->index, NULL,
			       XA_LIMIT(0, VBS_MAX_DEVICES - 1), GFP_KERNEL);
		if (ret == -EBUSY)
			ret = -ENOSPC;
	} else if (index >= VBS_MAX_DEVICES) {
		ret = -EINVAL;
	} else {
		dev->index = index;
		ret = xa_insert(&vbs_devices, index, NULL, GFP_KERNEL);
		if (ret == -EBUSY)
			ret = -EEXIST;
	}
	if (ret)
		goto out_free_dev;

	/*
	 * 4. The tag set describes the "hardware" to blk-mq: how many
	 * hardware queues, how many requests each can hold at once (one tag
	 * per request), and how much driver data to allocate behind every
	 * request (our struct vbs_cmd), all allocated now, never on the I/O
	 * path. BLK_MQ_F_BLOCKING lets ->queue_rq sleep (see queue.c).
	 * The timeout is how long a request may stay on the device before
	 * blk-mq declares it lost (VBS_IOC_SET_SIM can change it).
	 */
	dev->tag_set.ops = &vbs_mq_ops;
	dev->tag_set.nr_hw_queues = dev->cfg.nr_hw_queues;
	dev->tag_set.queue_depth = dev->cfg.queue_depth;
	dev->tag_set.numa_node = NUMA_NO_NODE;
	dev->tag_set.cmd_size = sizeof(struct vbs_cmd);
	dev->tag_set.flags = VBS_MQ_F_MERGE | BLK_MQ_F_BLOCKING;
	dev->tag_set.timeout = 30 * HZ;
	dev->tag_set.driver_data = dev;
	ret = blk_mq_alloc_tag_set(&dev->tag_set);
	if (ret)
		goto out_erase_index;

	/*
	 * 5. Allocate the gendisk and its request queue, with the limits
	 * that tell the block layer what requests it may build for us:
	 * block sizes, largest request, and which operations (discard,
	 * write-zeroes, flush/FUA) the device supports. An operation whose
	 * limit is 0 is never sent to us.
	 */
	vbs_limits_from_config(&dev->cfg, &limits);
	disk = vbs_alloc_disk(&dev->tag_set, &limits, dev);
	if (IS_ERR(disk)) {
		ret = PTR_ERR(disk);
		goto out_free_tag_set;
	}
	dev->disk = disk;

	/*
	 * 6. Name and number the disk. Minor numbers under our major are
	 * reserved for max_partitions partitions; GENHD_FL_NO_PART turns the
	 * partition scan off when none are wanted.
	 */
	disk->major = vbs_major;
	disk->first_minor = dev->index << VBS_MINORS_SHIFT;
	disk->minors = dev->cfg.max_partitions + 1;
	if (!dev->cfg.max_partitions)
		disk->flags |= GENHD_FL_NO_PART;
	disk->fops = &vbs_bdops;
	disk->private_data = dev;
	snprintf(disk->disk_name, DISK_NAME_LEN, VBS_DISK_NAME "%u",
		 dev->index);
	set_capacity(disk, dev->cfg.capacity >> SECTOR_SHIFT);
	set_disk_ro(disk, dev->cfg.flags & VBS_CFG_READ_ONLY);
	return dev;

	/* Undo step 4. */
out_free_tag_set:
	blk_mq_free_tag_set(&dev->tag_set);
	/* Undo step 3. */
out_erase_index:
	xa_erase(&vbs_devices, dev->index);
	/* Undo steps 2 and 1. */
out_free_dev:
	vbs_model_destroy(dev);
	free_percpu(dev->stats);
	kfree(dev);
	return ERR_PTR(ret);
}

/**
 * vbs_dev_unprepare() - undo vbs_dev_prepare() for a disk never published
 * @dev: the disk; its add_disk() was never called or failed.
 *
 * Context: process context, may sleep. Caller holds vbs_devices_lock.
 */
static void vbs_dev_unprepare(struct vbs_dev *dev)
{
	lockdep_assert_held(&vbs_devices_lock);
	/* A disk that was never added is put, not deleted. */
	put_disk(dev->disk);
	blk_mq_free_tag_set(&dev->tag_set);
	xa_erase(&vbs_devices, dev->index);
	vbs_dev_free(dev);
}

/**
 * vbs_dev_publish() - make a prepared disk visible
 * @dev: the disk, from vbs_dev_prepare().
 *
 * On failure the disk is still only prepared: the caller unprepares it.
 *
 * Context: process context, may sleep. Caller holds vbs_devices_lock.
 * Return: 0 or add_disk()'s error.
 */
static int vbs_dev_publish(struct vbs_dev *dev)
{
	int ret;

	lockdep_assert_held(&vbs_devices_lock);
	/*
	 * 7. Point of no return: make the disk visible. add_disk() registers
	 * /dev/virtblkiosimN and /sys/block/virtblkiosimN (with our
	 * attribute group), scans partitions and sends the uevent. It fails
	 * only before the disk is visible.
	 */
	ret = device_add_disk(NULL, dev->disk, vbs_disk_groups);
	if (ret)
		return ret;
	/*
	 * 8. Fill the index's reserved slot: from now on lookups find the
	 * disk. The slot exists, so this store allocates nothing and cannot
	 * fail.
	 */
	WARN_ON_ONCE(xa_is_err(xa_store(&vbs_devices, dev->index, dev,
					GFP_KERNEL)));
	return 0;
}

/**
 * vbs_dev_create() - create and register one disk
 * @cfg: the configuration (zero fields mean "module default").
 * @index: wanted index, or VBS_INDEX_ANY for the lowest free one.
 *
 * Context: process context, may sleep. Takes vbs_devices_lock.
 * Return: the disk, or an ERR_PTR(): -EINVAL (bad configuration), -EEXIST
 * (index taken), -ENOSPC (no free index), -ENOMEM, or add_disk()'s error.
 */
struct vbs_dev *vbs_dev_create(const struct vbs_dev_config *cfg, u32 index)
{
	struct vbs_dev *dev;
	int ret;

	mutex_lock(&vbs_devices_lock);
	dev = vbs_dev_prepare(cfg, index);
	if (!IS_ERR(dev)) {
		ret = vbs_dev_publish(dev);
		if (ret) {
			vbs_dev_unprepare(dev);
			dev = ERR_PTR(ret);
		}
	}
	mutex_unlock(&vbs_devices_lock);
	return dev;
}

/**
 * vbs_dev_destroy() - unregister a disk and free everything it holds
 * @dev: the disk, already out of the device table, not open.
 *
 * Context: process context, may sleep.
 */
static void vbs_dev_destroy(struct vbs_dev *dev)
{
	/*
	 * Before step 7 is undone: fail the requests waiting for a model,
	 * turn the simulation engine off and end the requests it holds, so
	 * del_gendisk() does not wait for their simulated service time or
	 * their timeout.
	 */
	vbs_model_stop(dev);
	vbs_sim_stop(dev);
	/*
	 * Undo step 7: del_gendisk() removes the disk from /dev and sysfs,
	 * then freezes and drains its queue, so when it returns no request
	 * is in flight and none can be submitted any more.
	 */
	del_gendisk(dev->disk);
	/* Undo step 5: drop the gendisk and its queue. */
	put_disk(dev->disk);
	/* Undo step 4: nothing uses the tags now. */
	blk_mq_free_tag_set(&dev->tag_set);
	/* Undo steps 2 and 1: free the data and the statistics. */
	vbs_dev_free(dev);
}

/**
 * vbs_dev_remove() - remove the disk with a given index
 * @index: the disk's index.
 *
 * A disk that is open (or mounted, or has an open partition), or has a
 * model attached, is not removed. Once we decide to remove it, new opens fail with -ENXIO, so it
 * cannot become busy again while del_gendisk() runs.
 *
 * Context: process context, may sleep. Takes vbs_devices_lock.
 * Return: 0, -ENODEV if there is no such disk, -EBUSY if it is in use.
 */
int vbs_dev_remove(u32 index)
{
	struct vbs_dev *dev;
	int ret = 0;

	mutex_lock(&vbs_devices_lock);
	dev = xa_load(&vbs_devices, index);
	if (!dev) {
		ret = -ENODEV;
		goto out_unlock;
	}
	/*
	 * Sessions attach under vbs_devices_lock too, so none can appear
	 * between this test and the removal.
	 */
	spin_lock(&dev->lock);
	if (dev->open_count || READ_ONCE(dev->model.sessions))
		ret = -EBUSY;
	else
		dev->removing = true;
	spin_unlock(&dev->lock);
	if (ret)
		goto out_unlock;
	xa_erase(&vbs_devices, index);
	vbs_dev_destroy(dev);
out_unlock:
	mutex_unlock(&vbs_devices_lock);
	return ret;
}

/**
 * vbs_dev_model_attach() - attach a model session to a disk
 * @index: the disk's index.
 * @s: the new session.
 *
 * Looked up under vbs_devices_lock, like removal, so the disk cannot be
 * removed between the lookup and the session being counted.
 *
 * Context: process context, may sleep. Takes vbs_devices_lock.
 * Return: 0, -ENODEV, -EINVAL (not a model disk) or -EBUSY (going away).
 */
int vbs_dev_model_attach(u32 index, struct vbs_model_session *s)
{
	struct vbs_dev *dev;
	int ret;

	mutex_lock(&vbs_devices_lock);
	dev = xa_load(&vbs_devices, index);
	ret = dev ? vbs_model_session_add(dev, s) : -ENODEV;
	mutex_unlock(&vbs_devices_lock);
	return ret;
}

/**
 * vbs_dev_list() - the indices of the disks that exist
 * @indices: array of @capacity entries, filled in increasing order.
 * @capacity: entries @indices can hold.
 * @count: set to the number of disks (may exceed @capacity).
 *
 * Context: process context, may sleep.
 * Return: 0.
 */
int vbs_dev_list(u32 *indices, u32 capacity, u32 *count)
{
	struct vbs_dev *dev;
	unsigned long idx;
	u32 n = 0;

	mutex_lock(&vbs_devices_lock);
	xa_for_each(&vbs_devices, idx, dev) {
		if (n < capacity)
			indices[n] = idx;
		n++;
	}
	mutex_unlock(&vbs_devices_lock);
	*count = n;
	return 0;
}

/**
 * vbs_dev_count() - how many disks exist
 *
 * Return: the number of disks.
 */
u32 vbs_dev_count(void)
{
	u32 count;

	vbs_dev_list(NULL, 0, &count);
	return count;
}

/**
 * vbs_remove_all() - remove every disk, at module exit or failed init
 *
 * No disk can be open here: each open holds a module reference, and the
 * module is only unloaded when no reference is left.
 */
static void vbs_remove_all(void)
{
	struct vbs_dev *dev;
	unsigned long idx;

	mutex_lock(&vbs_devices_lock);
	xa_for_each(&vbs_devices, idx, dev) {
		xa_erase(&vbs_devices, idx);
		vbs_dev_destroy(dev);
	}
	mutex_unlock(&vbs_devices_lock);
}

/**
 * vbs_check_abi() - pin the ioctl structure layouts at compile time
 *
 * A change of size is an ABI break for programs built against an older
 * header; the build fails instead of shipping one.
 */
static void __init vbs_check_abi(void)
{
	BUILD_BUG_ON(sizeof(struct vbs_dev_config) != VBS_DEV_CONFIG_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct vbs_info) != VBS_INFO_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct vbs_block_io) != VBS_BLOCK_IO_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct vbs_stats) != VBS_STATS_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct vbs_features) != VBS_FEATURES_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct vbs_ctl_add) != VBS_CTL_ADD_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct vbs_ctl_list) != VBS_CTL_LIST_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct vbs_sim_params) != VBS_SIM_PARAMS_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct vbs_fault_rule) != VBS_FAULT_RULE_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct vbs_fault_list) != VBS_FAULT_LIST_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct vbs_powercut) != VBS_POWERCUT_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct vbs_model_attach) !=
		     VBS_MODEL_ATTACH_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct vbs_model_req) != VBS_MODEL_REQ_SIZE);
	BUILD_BUG_ON(sizeof(struct vbs_model_answer) != VBS_MODEL_ANSWER_SIZE);
	BUILD_BUG_ON(sizeof(struct vbs_model_exchange) !=
		     VBS_MODEL_EXCHANGE_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct vbs_model_page_op) !=
		     VBS_MODEL_PAGE_OP_SIZE);
	BUILD_BUG_ON(sizeof(struct vbs_model_pages) !=
		     VBS_MODEL_PAGES_SIZE_VER0);
	BUILD_BUG_ON(VBS_MODEL_MAX_REQ_PAGES <
		     (VBS_MAX_HW_SECTORS >> VBS_PAGE_SECTORS_SHIFT) + 1);
}

/**
 * vbs_init() - module entry point
 *
 * A module whose init fails is freed at once, whatever still refers to
 * it. So the load only fails while nothing of it is visible: every disk
 * asked for with nr_devices is prepared (all its memory allocated) before
 * anything is registered, and once the first disk is published the load
 * succeeds. A published disk may be open already, by udev's probe or by
 * the partition scan of add_disk() itself, whose file is only released
 * when this task returns to user space; tearing it down and freeing the
 * module under that open file would leave the block layer calling into
 * freed code. A disk whose add_disk() fails (the only failure left once
 * the disks are prepared) is reported and left out, as loop does.
 *
 * Context: process context (insmod / modprobe).
 * Return: 0, or a negative errno; on failure nothing stays registered.
 */
static int __init vbs_init(void)
{
	struct vbs_dev_config cfg;
	struct vbs_dev **devs;
	unsigned int i, added = 0;
	int ret;

	vbs_check_abi();

	/* 1. Refuse bad parameters before registering anything. */
	ret = vbs_params_check();
	if (ret)
		return ret;

	/*
	 * 2. Get a block major number: the disks' device numbers are
	 * (major, index * 256 + partition). Nothing uses it before a disk
	 * is published.
	 */
	vbs_major = register_blkdev(0, VBS_DISK_NAME);
	if (vbs_major < 0)
		return vbs_major;

	/*
	 * 3. Prepare the disks asked for with nr_devices, with their
	 * indices reserved, none visible yet.
	 */
	devs = kcalloc(nr_devices, sizeof(*devs), GFP_KERNEL);
	if (!devs) {
		ret = -ENOMEM;
		goto out_unregister;
	}
	vbs_config_defaults(&cfg);
	mutex_lock(&vbs_devices_lock);
	for (i = 0; i < nr_devices; i++) {
		devs[i] = vbs_dev_prepare(&cfg, i);
		if (IS_ERR(devs[i])) {
			ret = PTR_ERR(devs[i]);
			pr_err("creating disk %u failed: %d\n", i, ret);
			goto out_unprepare;
		}
	}
	mutex_unlock(&vbs_devices_lock);

	/*
	 * 4. Open the control device: from here on, userland can add and
	 * remove disks concurrently with anything else; the reserved
	 * indices keep it from taking ours. misc_register() leaves nothing
	 * behind when it fails.
	 */
	ret = vbs_control_init();
	if (ret) {
		mutex_lock(&vbs_devices_lock);
		goto out_unprepare;
	}

	/* 5. Publish the disks. Nothing is undone from here on. */
	for (i = 0; i < nr_devices; i++) {
		mutex_lock(&vbs_devices_lock);
		ret = vbs_dev_publish(devs[i]);
		if (ret) {
			pr_warn("adding disk %u failed: %d, left out\n", i, ret);
			vbs_dev_unprepare(devs[i]);
		} else {
			added++;
		}
		mutex_unlock(&vbs_devices_lock);
	}
	kfree(devs);

	pr_info("loaded: %u of %u disk(s) of %lu MiB, ABI %u\n", added,
		nr_devices, capacity_mb, VBS_ABI_VERSION);
	return 0;

	/* Undo step 3, with vbs_devices_lock held. */
out_unprepare:
	while (i--)
		vbs_dev_unprepare(devs[i]);
	mutex_unlock(&vbs_devices_lock);
	kfree(devs);
	/* Undo step 2. */
out_unregister:
	unregister_blkdev(vbs_major, VBS_DISK_NAME);
	return ret;
}

/**
 * vbs_exit() - module exit: the mirror of vbs_init()
 *
 * Context: process context (rmmod), only when no disk is open.
 */
static void __exit vbs_exit(void)
{
	/* Undo step 4: no new disks can be added after this. */
	vbs_control_exit();
	/* Undo steps 5 and 3: remove every disk, made at load or later. */
	vbs_remove_all();
	/*
	 * Pages freed by discard wait for an RCU grace period before their
	 * callback, which is code in this module, runs. Wait for all of them
	 * before the module's code goes away.
	 */
	rcu_barrier();
	/* Undo step 2. */
	unregister_blkdev(vbs_major, VBS_DISK_NAME);
	pr_info("unloaded\n");
}

module_init(vbs_init);
module_exit(vbs_exit);

MODULE_AUTHOR("The virtblkiosim authors");
MODULE_DESCRIPTION("Block device driver that simulates a storage device");
MODULE_LICENSE("GPL");
