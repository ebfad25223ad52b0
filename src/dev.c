// SPDX-License-Identifier: GPL-2.0
/*
 * virtblkiosim - the life of a disk.
 *
 * This file owns each disk from its creation to the moment its memory is
 * freed: checking a configuration, building the tag set and the gendisk,
 * making the disk visible (add_disk), opening and releasing it, finding it
 * by index, removing it, and freeing it once its last user is gone.
 *
 * Who may use a disk's memory (struct vbs_dev) is settled by one
 * reference count, the gendisk's own (the struct device inside it): the
 * device table, every open of the block device, and every attached model
 * session hold a reference, and the last one to drop it frees the disk
 * through ->free_disk (vbs_free_disk()). Removal only takes the disk out
 * of sight and drops the table's reference; it never frees what someone
 * else may still be touching.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/blkdev.h>
#include <linux/cpumask.h>
#include <linux/device.h>
#include <linux/fs.h>
#include <linux/ktime.h>
#include <linux/log2.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>

#include "compat.h"
#include "vbs.h"

/* Largest capacity: 2^50 bytes (1 PiB), far beyond any RAM, still sparse. */
#define VBS_MAX_CAPACITY	BIT_ULL(50)

/* Minor numbers per disk index under our major: disk N starts at N * 256. */
#define VBS_MINORS_SHIFT	8

/* Block device major number, allocated by vbs_devs_init(). */
static int vbs_major;

/*
 * The module parameters, as a configuration: what a zero field of a new
 * disk's configuration falls back to. Set once by vbs_devs_init().
 */
static struct vbs_dev_config vbs_defaults;

/*
 * All disks, by index. An index being prepared or being removed holds a
 * reserved (NULL) entry: lookups skip it, and no other disk can take the
 * index until the first one is fully made or fully gone. vbs_devices_lock
 * makes "look a disk up and take a reference" and "take a disk out of the
 * table" exclusive of each other. It is never held while a disk does I/O
 * (add_disk()'s partition scan, del_gendisk()'s drain) or frees its data,
 * so a slow disk never holds up a command about another.
 */
static DEFINE_XARRAY_ALLOC(vbs_devices);
static DEFINE_MUTEX(vbs_devices_lock);

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
 * @def: the defaults (the module parameters).
 *
 * Every value a user can choose goes through here, whether it came from a
 * module parameter or from the control device, and a bad one is named in
 * the kernel log.
 *
 * Return: 0, or -EINVAL.
 */
static int vbs_config_resolve(struct vbs_dev_config *cfg,
			      const struct vbs_dev_config *def)
{
	if (cfg->flags & ~VBS_CFG_ALL_FLAGS) {
		pr_warn_ratelimited("unknown flags 0x%x\n",
				    cfg->flags & ~VBS_CFG_ALL_FLAGS);
		return -EINVAL;
	}
	if (!cfg->logical_block_size)
		cfg->logical_block_size = def->logical_block_size;
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
		cfg->capacity = def->capacity;
	if (cfg->capacity > VBS_MAX_CAPACITY ||
	    cfg->capacity & (cfg->logical_block_size - 1)) {
		pr_warn_ratelimited("capacity %llu bytes: must be a multiple of logical_block_size, 1 PiB at most\n",
				    cfg->capacity);
		return -EINVAL;
	}
	if (!cfg->nr_hw_queues)
		cfg->nr_hw_queues = def->nr_hw_queues ? def->nr_hw_queues :
				    nr_cpu_ids;
	if (cfg->nr_hw_queues > nr_cpu_ids) {
		pr_warn_ratelimited("nr_hw_queues %u: must be from 1 to the number of CPUs (%u)\n",
				    cfg->nr_hw_queues, nr_cpu_ids);
		return -EINVAL;
	}
	/*
	 * No default here: 0 means no poll queue, so a disk added later can
	 * do without them whatever the disks made at load have.
	 */
	if (cfg->nr_poll_queues > nr_cpu_ids) {
		pr_warn_ratelimited("poll_queues %u: must be from 0 to the number of CPUs (%u)\n",
				    cfg->nr_poll_queues, nr_cpu_ids);
		return -EINVAL;
	}
	if (!cfg->queue_depth)
		cfg->queue_depth = def->queue_depth;
	if (cfg->queue_depth > VBS_MAX_QUEUE_DEPTH) {
		pr_warn_ratelimited("queue_depth %u: must be from 1 to %u\n",
				    cfg->queue_depth, VBS_MAX_QUEUE_DEPTH);
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
 * vbs_open() - a disk or one of its partitions is being opened
 * @disk: the disk.
 *
 * Counting opens lets removal through the control device refuse a disk in
 * use (-EBUSY), as /dev/loop-control does. The block layer already holds a
 * reference on this module and on the gendisk for every open, which is
 * what makes rmmod fail while a disk is open or mounted, and what keeps
 * the disk's memory alive until the opener is gone.
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
 * @access: VBS_ACCESS_* bits: how @bdev was opened.
 * @cmd: ioctl command.
 * @arg: its argument (a user pointer for ours).
 *
 * The block layer first handles the generic block ioctls (BLKGETSIZE64,
 * BLKDISCARD, ...) itself and passes only the rest to us.
 *
 * Return: see vbs_ioctl().
 */
static int vbs_disk_ioctl(struct block_device *bdev, unsigned int access,
			  unsigned int cmd, unsigned long arg)
{
	return vbs_ioctl(bdev->bd_disk->private_data, bdev, access, cmd, arg);
}

static void vbs_dev_free(struct vbs_dev *dev);

/**
 * vbs_free_disk() - the gendisk's last reference is gone: free the disk
 * @disk: the disk, deleted, its queue drained.
 *
 * The block layer calls ->free_disk from the release of the gendisk's
 * struct device, that is when the last of the device table, the openers
 * and the model sessions has let go, whichever that is. So nothing can be
 * using the tag set or the data any more: this is the one place a
 * published disk's memory is freed.
 *
 * Context: process context, may sleep.
 */
static void vbs_free_disk(struct gendisk *disk)
{
	struct vbs_dev *dev = disk->private_data;

	blk_mq_free_tag_set(&dev->tag_set);
	vbs_dev_free(dev);
}

VBS_DEFINE_BDOPS_OPEN(vbs_bdops_open, vbs_open)
VBS_DEFINE_BDOPS_RELEASE(vbs_bdops_release, vbs_release)
VBS_DEFINE_BDOPS_IOCTL(vbs_bdops_ioctl, vbs_disk_ioctl)

static const struct block_device_operations vbs_bdops = {
	.owner		= THIS_MODULE,
	.open		= vbs_bdops_open,
	.release	= vbs_bdops_release,
	.ioctl		= vbs_bdops_ioctl,
	/* Our arguments have the same layout for 32-bit callers. */
	.compat_ioctl	= blkdev_compat_ptr_ioctl,
	.free_disk	= vbs_free_disk,
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
	unsigned int i;

	/*
	 * Every request has ended, but a work item that ended the last one
	 * may still be on its way out.
	 */
	for (i = 0; i < vbs_nr_queues(&dev->cfg); i++)
		cancel_work_sync(&dev->hwqs[i].work);
	vbs_model_destroy(dev);
	vbs_sim_destroy(&dev->sim);
	vbs_cache_destroy(&dev->cache, &dev->store);
	vbs_store_destroy(&dev->store);
	kfree(dev->hwqs);
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
 * Context: process context, may sleep.
 * Return: the disk, or an ERR_PTR(): -EINVAL (bad configuration), -EEXIST
 * (index taken), -ENOSPC (no free index) or -ENOMEM.
 */
struct vbs_dev *vbs_dev_prepare(const struct vbs_dev_config *cfg_in,
				u32 index)
{
	struct vbs_limits limits;
	struct vbs_dev *dev;
	struct gendisk *disk;
	unsigned int i;
	int ret;

	/* 1. Check the configuration and resolve its defaults. */
	dev = kzalloc(sizeof(*dev), GFP_KERNEL);
	if (!dev)
		return ERR_PTR(-ENOMEM);
	dev->cfg = *cfg_in;
	dev->cfg.size = sizeof(dev->cfg);
	ret = vbs_config_resolve(&dev->cfg, &vbs_defaults);
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
	 * Our state of each hardware queue: its list of requests deferred
	 * to a work item, and on a poll queue the list of requests waiting
	 * for the submitter's poll (queue.c).
	 */
	dev->hwqs = kcalloc(vbs_nr_queues(&dev->cfg), sizeof(*dev->hwqs),
			    GFP_KERNEL);
	if (!dev->hwqs) {
		ret = -ENOMEM;
		goto out_free_dev;
	}
	for (i = 0; i < vbs_nr_queues(&dev->cfg); i++) {
		dev->hwqs[i].dev = dev;
		init_llist_head(&dev->hwqs[i].poll_done);
		init_llist_head(&dev->hwqs[i].deferred);
		INIT_WORK(&dev->hwqs[i].work, vbs_deferred_work);
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
	 * path. No BLK_MQ_F_BLOCKING: ->queue_rq never sleeps (queue.c).
	 * The timeout is how long a request may stay on the device before
	 * blk-mq declares it lost (VBS_IOC_SET_SIM can change it).
	 *
	 * Poll queues are more hardware queues of the same tag set, in a
	 * map of their own: with nr_maps = HCTX_MAX_TYPES, blk-mq asks
	 * ->map_queues which queues serve which type of I/O, sends polled
	 * I/O to the HCTX_TYPE_POLL queues, and marks the request queue as
	 * able to poll (queue/io_poll reads 1), which is what lets io_uring
	 * and the block layer keep REQ_POLLED on a bio.
	 */
	dev->tag_set.ops = &vbs_mq_ops;
	dev->tag_set.nr_hw_queues = vbs_nr_queues(&dev->cfg);
	if (dev->cfg.nr_poll_queues)
		dev->tag_set.nr_maps = HCTX_MAX_TYPES;
	dev->tag_set.queue_depth = dev->cfg.queue_depth;
	dev->tag_set.numa_node = NUMA_NO_NODE;
	dev->tag_set.cmd_size = sizeof(struct vbs_cmd);
	dev->tag_set.flags = VBS_MQ_F_MERGE;
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
	kfree(dev->hwqs);
	free_percpu(dev->stats);
	kfree(dev);
	return ERR_PTR(ret);
}

/**
 * vbs_dev_unprepare() - undo vbs_dev_prepare() for a disk never published
 * @dev: the disk; its add_disk() was never called or failed.
 *
 * A disk that was never added is put, not deleted; its ->free_disk is
 * not called (the block layer only calls it for a disk it added), so its
 * memory is freed here.
 *
 * Context: process context, may sleep.
 */
void vbs_dev_unprepare(struct vbs_dev *dev)
{
	u32 index = dev->index;

	put_disk(dev->disk);
	blk_mq_free_tag_set(&dev->tag_set);
	vbs_dev_free(dev);
	xa_erase(&vbs_devices, index);
}

/**
 * vbs_dev_publish() - make a prepared disk visible
 * @dev: the disk, from vbs_dev_prepare().
 *
 * On failure the disk is still only prepared: the caller unprepares it.
 *
 * Context: process context, may sleep.
 * Return: 0 or add_disk()'s error.
 */
int vbs_dev_publish(struct vbs_dev *dev)
{
	int ret;

	/*
	 * 7. Point of no return: make the disk visible. add_disk() registers
	 * /dev/virtblkiosimN and /sys/block/virtblkiosimN (with our
	 * attribute group), scans partitions and sends the uevent. It fails
	 * only before the disk is visible. From here on the gendisk's
	 * reference count decides when the disk is freed (vbs_free_disk());
	 * the reference we hold from its allocation is the device table's.
	 */
	ret = device_add_disk(NULL, dev->disk, vbs_disk_groups);
	if (ret)
		return ret;
	/*
	 * 8. Fill the index's reserved slot: from now on lookups find the
	 * disk. The slot exists, so this store allocates nothing and cannot
	 * fail.
	 */
	mutex_lock(&vbs_devices_lock);
	WARN_ON_ONCE(xa_is_err(xa_store(&vbs_devices, dev->index, dev,
					GFP_KERNEL)));
	mutex_unlock(&vbs_devices_lock);
	return 0;
}

/**
 * vbs_dev_create() - create and register one disk
 * @cfg: the configuration (zero fields mean "module default").
 * @index: wanted index, or VBS_INDEX_ANY for the lowest free one.
 * @created: set to the new disk's index.
 *
 * The caller gets the index, not the disk: the moment it is published, a
 * disk can be removed by someone else, and only a reference
 * (vbs_dev_get()) may keep its memory.
 *
 * Context: process context, may sleep.
 * Return: 0, -EINVAL (bad configuration), -EEXIST (index taken), -ENOSPC
 * (no free index), -ENOMEM, or add_disk()'s error.
 */
int vbs_dev_create(const struct vbs_dev_config *cfg, u32 index, u32 *created)
{
	struct vbs_dev *dev;
	int ret;

	dev = vbs_dev_prepare(cfg, index);
	if (IS_ERR(dev))
		return PTR_ERR(dev);
	*created = dev->index;
	ret = vbs_dev_publish(dev);
	if (ret)
		vbs_dev_unprepare(dev);
	return ret;
}

/**
 * vbs_dev_get() - find a disk by index and take a reference on it
 * @index: the disk's index.
 *
 * The reference keeps the disk's memory (not the disk itself: it can still
 * be removed) until vbs_dev_put().
 *
 * Context: process context, may sleep.
 * Return: the disk, or NULL if there is none with that index (or it is
 * being made or removed).
 */
struct vbs_dev *vbs_dev_get(u32 index)
{
	struct vbs_dev *dev;

	mutex_lock(&vbs_devices_lock);
	dev = xa_load(&vbs_devices, index);
	if (dev)
		get_device(disk_to_dev(dev->disk));
	mutex_unlock(&vbs_devices_lock);
	return dev;
}

/**
 * vbs_dev_unpublish() - take a disk out of sight if nobody uses it
 * @index: the disk's index.
 * @out: set to the disk when it was taken out.
 *
 * In one step under vbs_devices_lock: the disk must exist, be closed and
 * have no model session; then new opens fail (-ENXIO), no session can
 * attach any more, and its entry goes back to reserved, so lookups miss it
 * and no new disk takes its index while it is being deleted.
 *
 * Context: process context, may sleep.
 * Return: 0, -ENODEV or -EBUSY.
 */
static int vbs_dev_unpublish(u32 index, struct vbs_dev **out)
{
	struct vbs_dev *dev;
	int ret = 0;

	mutex_lock(&vbs_devices_lock);
	dev = xa_load(&vbs_devices, index);
	if (!dev) {
		ret = -ENODEV;
		goto out_unlock;
	}
	spin_lock(&dev->lock);
	if (dev->open_count || !vbs_model_begin_removal(dev))
		ret = -EBUSY;
	else
		dev->removing = true;
	spin_unlock(&dev->lock);
	if (ret)
		goto out_unlock;
	xa_store(&vbs_devices, index, NULL, GFP_KERNEL);
	*out = dev;
out_unlock:
	mutex_unlock(&vbs_devices_lock);
	return ret;
}

/**
 * vbs_dev_remove() - remove the disk with a given index
 * @index: the disk's index.
 *
 * A disk that is open (or mounted, or has an open partition), or has a
 * model attached, is not removed. The global lock is only held while the
 * disk is taken out of the table: deleting it may wait for its requests,
 * and freeing a large store takes a while, and neither must hold up
 * commands about other disks.
 *
 * Context: process context, may sleep.
 * Return: 0, -ENODEV if there is no such disk, -EBUSY if it is in use.
 */
int vbs_dev_remove(u32 index)
{
	struct vbs_dev *dev;
	int ret;

	ret = vbs_dev_unpublish(index, &dev);
	if (ret)
		return ret;
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
	/*
	 * Undo step 8 and drop the table's reference: the last holder of
	 * one (this, a late opener's, a detaching model session's) frees
	 * the tag set and the data in vbs_free_disk().
	 */
	put_disk(dev->disk);
	xa_erase(&vbs_devices, index);
	return 0;
}

/**
 * vbs_dev_list() - the indices of the disks that exist
 * @indices: array of @capacity entries, filled in increasing order.
 * @capacity: entries @indices can hold.
 * @count: set to the number of disks (may exceed @capacity).
 *
 * Context: process context, may sleep.
 */
void vbs_dev_list(u32 *indices, u32 capacity, u32 *count)
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
 * vbs_dev_remove_all() - remove every disk, at module exit
 *
 * No disk can be open and no model attached here: each open disk and each
 * open control node holds a module reference, and the module is only
 * unloaded when no reference is left.
 *
 * Context: process context, may sleep.
 */
void vbs_dev_remove_all(void)
{
	struct vbs_dev *dev;
	unsigned long idx;

	xa_for_each(&vbs_devices, idx, dev)
		WARN_ON_ONCE(vbs_dev_remove(idx));
}

/**
 * vbs_devs_init() - set the defaults, make the workqueue, get a major
 * @defaults: the module parameters as a configuration; checked here.
 *
 * The disks' device numbers are (major, index * 256 + partition).
 *
 * Context: module init.
 * Return: 0, -EINVAL (bad defaults), -ENOMEM or register_blkdev()'s error.
 */
int vbs_devs_init(const struct vbs_dev_config *defaults)
{
	struct vbs_dev_config cfg = *defaults;
	int ret;

	ret = vbs_config_resolve(&cfg, defaults);
	if (ret)
		return ret;
	vbs_defaults = *defaults;
	/*
	 * The requests ->queue_rq cannot execute without sleeping run here.
	 * WQ_MEM_RECLAIM gives the workqueue a rescuer thread, so they make
	 * progress even when memory is so short that no worker thread can be
	 * created: reclaim may be waiting for them. WQ_UNBOUND lets any CPU
	 * run them (they are the rare, slow path; their completion finds its
	 * way back to the submitting CPU, complete.c). Since 7.x a workqueue
	 * must say which it is, unbound or per-CPU; WQ_UNBOUND exists on
	 * every kernel, WQ_PERCPU only from 6.17 (and 6.12.y).
	 */
	vbs_wq = alloc_workqueue(VBS_DISK_NAME, WQ_MEM_RECLAIM | WQ_UNBOUND, 0);
	if (!vbs_wq)
		return -ENOMEM;
	ret = register_blkdev(0, VBS_DISK_NAME);
	if (ret < 0) {
		destroy_workqueue(vbs_wq);
		return ret;
	}
	vbs_major = ret;
	return 0;
}

/**
 * vbs_devs_exit() - give the major number back, destroy the workqueue
 *
 * Context: module exit, or a failed init; no disk exists.
 */
void vbs_devs_exit(void)
{
	unregister_blkdev(vbs_major, VBS_DISK_NAME);
	destroy_workqueue(vbs_wq);
}
