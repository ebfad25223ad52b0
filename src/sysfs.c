// SPDX-License-Identifier: GPL-2.0
/*
 * virtblkiosim - /sys/block/virtblkiosimN/virtblkiosim/.
 *
 * This file owns what a disk shows in sysfs beyond the block layer's own
 * attributes: how much memory its data takes, the configuration it was
 * created with and the state of its simulation engine, one value per
 * file, readable by anyone.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/blkdev.h>
#include <linux/device.h>
#include <linux/sysfs.h>

#include "vbs.h"

/**
 * vbs_sysfs_dev() - the disk behind a sysfs device
 * @d: the gendisk's struct device.
 *
 * Return: the disk.
 */
static struct vbs_dev *vbs_sysfs_dev(struct device *d)
{
	return dev_to_disk(d)->private_data;
}

/**
 * pages_in_use_show() - pages of memory holding the disk's data
 * @d: the disk's device.
 * @attr: the attribute.
 * @buf: output page.
 *
 * Return: bytes written to @buf.
 */
static ssize_t pages_in_use_show(struct device *d,
				 struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%ld\n",
			  atomic_long_read(&vbs_sysfs_dev(d)->store.nr_pages));
}
static DEVICE_ATTR_RO(pages_in_use);

/**
 * bytes_in_use_show() - bytes of memory holding the disk's data
 * @d: the disk's device.
 * @attr: the attribute.
 * @buf: output page.
 *
 * Return: bytes written to @buf.
 */
static ssize_t bytes_in_use_show(struct device *d,
				 struct device_attribute *attr, char *buf)
{
	long pages = atomic_long_read(&vbs_sysfs_dev(d)->store.nr_pages);

	return sysfs_emit(buf, "%llu\n", (u64)pages << PAGE_SHIFT);
}
static DEVICE_ATTR_RO(bytes_in_use);

/**
 * index_show() - N of /dev/virtblkiosimN
 * @d: the disk's device.
 * @attr: the attribute.
 * @buf: output page.
 *
 * Return: bytes written to @buf.
 */
static ssize_t index_show(struct device *d, struct device_attribute *attr,
			  char *buf)
{
	return sysfs_emit(buf, "%u\n", vbs_sysfs_dev(d)->index);
}
static DEVICE_ATTR_RO(index);

/**
 * capacity_bytes_show() - the configured capacity in bytes
 * @d: the disk's device.
 * @attr: the attribute.
 * @buf: output page.
 *
 * Return: bytes written to @buf.
 */
static ssize_t capacity_bytes_show(struct device *d,
				   struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%llu\n", vbs_sysfs_dev(d)->cfg.capacity);
}
static DEVICE_ATTR_RO(capacity_bytes);

/**
 * flags_show() - the configuration flags, by name
 * @d: the disk's device.
 * @attr: the attribute.
 * @buf: output page.
 *
 * Return: bytes written to @buf.
 */
static ssize_t flags_show(struct device *d, struct device_attribute *attr,
			  char *buf)
{
	static const char * const names[] = {
		"discard", "write_zeroes", "write_cache", "read_only",
		"rotational", "model",
	};
	u32 flags = vbs_sysfs_dev(d)->cfg.flags;
	int len = 0;
	int i;

	for (i = 0; i < ARRAY_SIZE(names); i++)
		if (flags & (1U << i))
			len += sysfs_emit_at(buf, len, "%s%s", len ? " " : "",
					     names[i]);
	len += sysfs_emit_at(buf, len, "\n");
	return len;
}
static DEVICE_ATTR_RO(flags);

/**
 * sim_active_show() - whether the simulation engine is on (1) or off (0)
 * @d: the disk's device.
 * @attr: the attribute.
 * @buf: output page.
 *
 * The settings themselves are read with VBS_IOC_GET_SIM.
 *
 * Return: bytes written to @buf.
 */
static ssize_t sim_active_show(struct device *d,
			       struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%d\n", vbs_sim_active(vbs_sysfs_dev(d)));
}
static DEVICE_ATTR_RO(sim_active);

/**
 * fault_rules_show() - how many fault rules the disk has
 * @d: the disk's device.
 * @attr: the attribute.
 * @buf: output page.
 *
 * Return: bytes written to @buf.
 */
static ssize_t fault_rules_show(struct device *d,
				struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n",
			  READ_ONCE(vbs_sysfs_dev(d)->sim.nr_rules));
}
static DEVICE_ATTR_RO(fault_rules);

/**
 * cache_pages_show() - pages of the volatile write cache (not yet durable)
 * @d: the disk's device.
 * @attr: the attribute.
 * @buf: output page.
 *
 * Return: bytes written to @buf.
 */
static ssize_t cache_pages_show(struct device *d,
				struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%ld\n",
			  atomic_long_read(&vbs_sysfs_dev(d)->cache.nr_pages));
}
static DEVICE_ATTR_RO(cache_pages);

/**
 * model_sessions_show() - model sessions attached to the disk
 * @d: the disk's device.
 * @attr: the attribute.
 * @buf: output page.
 *
 * Scripts wait on it for a model to attach (0 on a disk without a model).
 *
 * Return: bytes written to @buf.
 */
static ssize_t model_sessions_show(struct device *d,
				   struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n",
			  READ_ONCE(vbs_sysfs_dev(d)->model.sessions));
}
static DEVICE_ATTR_RO(model_sessions);

/**
 * model_pending_show() - requests waiting for a model to fetch them
 * @d: the disk's device.
 * @attr: the attribute.
 * @buf: output page.
 *
 * Return: bytes written to @buf.
 */
static ssize_t model_pending_show(struct device *d,
				  struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n",
			  READ_ONCE(vbs_sysfs_dev(d)->model.nr_pending));
}
static DEVICE_ATTR_RO(model_pending);

/**
 * model_rejected_show() - model answers refused since the disk was created
 * @d: the disk's device.
 * @attr: the attribute.
 * @buf: output page.
 *
 * Return: bytes written to @buf.
 */
static ssize_t model_rejected_show(struct device *d,
				   struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%ld\n",
			  atomic_long_read(&vbs_sysfs_dev(d)->model.rejected));
}
static DEVICE_ATTR_RO(model_rejected);

/**
 * vbs_sysfs_sum() - one per-CPU counter of a disk, summed over the CPUs
 * @dev: the disk.
 * @offset: offsetof() the u64 counter in struct vbs_pcpu_stats.
 *
 * Return: the sum since the disk was created (never reset).
 */
static u64 vbs_sysfs_sum(struct vbs_dev *dev, size_t offset)
{
	u64 sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += READ_ONCE(*(u64 *)((char *)per_cpu_ptr(dev->stats, cpu) +
					  offset));
	return sum;
}

/**
 * batched_requests_show() - requests blk-mq handed over in batches
 * @d: the disk's device.
 * @attr: the attribute.
 * @buf: output page.
 *
 * Counts the requests that came through ->queue_rqs (a plug's whole list
 * in one call) rather than one ->queue_rq call each, since the disk was
 * created.
 *
 * Return: bytes written to @buf.
 */
static ssize_t batched_requests_show(struct device *d,
				     struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%llu\n",
			  vbs_sysfs_sum(vbs_sysfs_dev(d),
					offsetof(struct vbs_pcpu_stats,
						 batched)));
}
static DEVICE_ATTR_RO(batched_requests);

/**
 * polled_requests_show() - requests ended by their submitter's poll
 * @d: the disk's device.
 * @attr: the attribute.
 * @buf: output page.
 *
 * Counts the requests a poll queue's ->poll ended (io_uring with
 * IORING_SETUP_IOPOLL on a disk with poll queues) since the disk was
 * created: a way to see that polled I/O really is polled.
 *
 * Return: bytes written to @buf.
 */
static ssize_t polled_requests_show(struct device *d,
				    struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%llu\n",
			  vbs_sysfs_sum(vbs_sysfs_dev(d),
					offsetof(struct vbs_pcpu_stats,
						 polled)));
}
static DEVICE_ATTR_RO(polled_requests);

/**
 * deferred_requests_show() - requests executed by a work item
 * @d: the disk's device.
 * @attr: the attribute.
 * @buf: output page.
 *
 * Counts the requests ->queue_rq could not execute without sleeping and
 * left to their queue's work item (a page allocation that failed without
 * reclaim, the write cache's work, discard and write-zeroes) since the
 * disk was created.
 *
 * Return: bytes written to @buf.
 */
static ssize_t deferred_requests_show(struct device *d,
				      struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%llu\n",
			  vbs_sysfs_sum(vbs_sysfs_dev(d),
					offsetof(struct vbs_pcpu_stats,
						 deferred)));
}
static DEVICE_ATTR_RO(deferred_requests);

/**
 * poll_queues_show() - the disk's hardware queues for polled I/O
 * @d: the disk's device.
 * @attr: the attribute.
 * @buf: output page.
 *
 * Return: bytes written to @buf.
 */
static ssize_t poll_queues_show(struct device *d,
				struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", vbs_sysfs_dev(d)->cfg.nr_poll_queues);
}
static DEVICE_ATTR_RO(poll_queues);

static struct attribute *vbs_disk_attrs[] = {
	&dev_attr_pages_in_use.attr,
	&dev_attr_bytes_in_use.attr,
	&dev_attr_index.attr,
	&dev_attr_capacity_bytes.attr,
	&dev_attr_flags.attr,
	&dev_attr_sim_active.attr,
	&dev_attr_fault_rules.attr,
	&dev_attr_cache_pages.attr,
	&dev_attr_model_sessions.attr,
	&dev_attr_model_pending.attr,
	&dev_attr_model_rejected.attr,
	&dev_attr_batched_requests.attr,
	&dev_attr_polled_requests.attr,
	&dev_attr_deferred_requests.attr,
	&dev_attr_poll_queues.attr,
	NULL,
};

static const struct attribute_group vbs_disk_group = {
	.name	= "virtblkiosim",
	.attrs	= vbs_disk_attrs,
};

/*
 * Handed to device_add_disk(), so the attributes exist before the disk's
 * "add" uevent reaches udev.
 */
const struct attribute_group *vbs_disk_groups[] = {
	&vbs_disk_group,
	NULL,
};
