// SPDX-License-Identifier: GPL-2.0
/*
 * virtblkiosim - ioctl() on /dev/virtblkiosimN.
 *
 * This file owns the requests that userland makes through ioctl(): it
 * checks every argument, and for block I/O builds a passthrough request
 * that then takes the same path through queue.c as any other request.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/blk-mq.h>
#include <linux/capability.h>
#include <linux/kernel.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "compat.h"
#include "vbs.h"

/* Largest extensible structure the kernel accepts from a newer program. */
#define VBS_MAX_STRUCT_SIZE	4096

/**
 * vbs_features() - what this build of the module supports
 *
 * Return: VBS_FEAT_* bits.
 */
u64 vbs_features(void)
{
	u64 features = VBS_FEAT_BLOCK_IO | VBS_FEAT_STATS | VBS_FEAT_CONTROL |
		       VBS_FEAT_DISCARD | VBS_FEAT_WRITE_ZEROES |
		       VBS_FEAT_WRITE_CACHE | VBS_FEAT_SIM | VBS_FEAT_FAULTS |
		       VBS_FEAT_POWERCUT | VBS_FEAT_LATENCY_STATS |
		       VBS_FEAT_POLL | VBS_FEAT_DELIVERY;

	/* Model pages are 4 KiB: the store's pages must be too. */
	if (PAGE_SIZE == VBS_MODEL_PAGE_SIZE)
		features |= VBS_FEAT_MODEL;
	return features;
}

/**
 * vbs_copy_struct_in() - copy an extensible structure from userland
 * @dst: kernel structure of @ksize bytes.
 * @ksize: size of the structure this module knows.
 * @min_size: size of the first published version of the structure.
 * @src: user address; the structure starts with its own __u32 size.
 *
 * The caller states the size of the structure it was compiled with. An
 * older, shorter one gets zeros (the defaults) for the fields it lacks; a
 * newer, longer one is accepted if the part we do not know is all zeros,
 * which copy_struct_from_user() checks.
 *
 * Context: process context, may fault.
 * Return: 0; -EFAULT; -EINVAL for a size below @min_size or above 4 KiB;
 * -E2BIG for unknown non-zero trailing bytes.
 */
int vbs_copy_struct_in(void *dst, size_t ksize, size_t min_size,
		       void __user *src)
{
	u32 usize;
	int ret;

	if (get_user(usize, (u32 __user *)src))
		return -EFAULT;
	if (usize < min_size || usize > VBS_MAX_STRUCT_SIZE)
		return -EINVAL;
	ret = copy_struct_from_user(dst, ksize, src, usize);
	if (ret)
		return ret;
	/* From here on the size field says what the kernel filled. */
	*(u32 *)dst = ksize;
	return 0;
}

/**
 * vbs_copy_struct_out() - copy an extensible structure to userland
 * @dst: user address of a structure whose first __u32 says how many bytes
 *	the caller can take.
 * @src: kernel structure of @ksize bytes; its first __u32 is overwritten
 *	with the number of bytes copied.
 * @ksize: size of the structure this module knows.
 *
 * The caller gets at most as many bytes as it asked for: a program built
 * against an older, shorter header is never written past its structure.
 *
 * Context: process context, may fault.
 * Return: 0, -EFAULT, or -EINVAL when the caller's size is too small to
 * hold even the size field.
 */
int vbs_copy_struct_out(void __user *dst, void *src, size_t ksize)
{
	u32 usize;

	if (get_user(usize, (u32 __user *)dst))
		return -EFAULT;
	if (usize < sizeof(u32))
		return -EINVAL;
	usize = min_t(size_t, usize, ksize);
	*(u32 *)src = usize;
	return copy_to_user(dst, src, usize) ? -EFAULT : 0;
}

/**
 * vbs_ioc_get_info() - VBS_IOC_GET_INFO
 * @dev: the disk.
 * @uarg: user address of a struct vbs_info.
 *
 * Return: 0, -EFAULT or -EINVAL.
 */
static int vbs_ioc_get_info(struct vbs_dev *dev, void __user *uarg)
{
	struct vbs_info info = {
		.abi_version	= VBS_ABI_VERSION,
		.index		= dev->index,
		.state		= VBS_STATE_LIVE,
		.features	= vbs_features(),
		.config		= dev->cfg,
		.max_io_bytes	= VBS_MAX_HW_SECTORS << SECTOR_SHIFT,
		.pages_in_use	= atomic_long_read(&dev->store.nr_pages),
	};

	return vbs_copy_struct_out(uarg, &info, sizeof(info));
}

/**
 * vbs_ioc_get_stats() - VBS_IOC_GET_STATS
 * @dev: the disk.
 * @uarg: user address of a struct vbs_stats.
 *
 * The structure, with its latency histograms, is too large for the kernel
 * stack (a few KiB in all, shared by every function on the call chain),
 * so it is allocated.
 *
 * Return: 0, -EFAULT, -EINVAL or -ENOMEM.
 */
static int vbs_ioc_get_stats(struct vbs_dev *dev, void __user *uarg)
{
	struct vbs_stats *stats;
	int ret;

	stats = kzalloc(sizeof(*stats), GFP_KERNEL);
	if (!stats)
		return -ENOMEM;
	vbs_stats_read(dev, stats);
	ret = vbs_copy_struct_out(uarg, stats, sizeof(*stats));
	kfree(stats);
	return ret;
}

/**
 * vbs_ioc_get_sim() - VBS_IOC_GET_SIM
 * @dev: the disk.
 * @uarg: user address of a struct vbs_sim_params.
 *
 * Return: 0, -EFAULT or -EINVAL.
 */
static int vbs_ioc_get_sim(struct vbs_dev *dev, void __user *uarg)
{
	struct vbs_sim_params p;

	vbs_sim_get(dev, &p);
	return vbs_copy_struct_out(uarg, &p, sizeof(p));
}

/**
 * vbs_ioc_set_sim() - VBS_IOC_SET_SIM
 * @dev: the disk.
 * @uarg: user address of a struct vbs_sim_params.
 *
 * Return: 0, -EFAULT, -EINVAL, -E2BIG or -ENOMEM; on error nothing changed.
 */
static int vbs_ioc_set_sim(struct vbs_dev *dev, void __user *uarg)
{
	struct vbs_sim_params p;
	int ret;

	ret = vbs_copy_struct_in(&p, sizeof(p), VBS_SIM_PARAMS_SIZE_VER0, uarg);
	if (ret)
		return ret;
	return vbs_sim_set(dev, &p);
}

/**
 * vbs_ioc_fault_add() - VBS_IOC_FAULT_ADD
 * @dev: the disk.
 * @uarg: user address of a struct vbs_fault_rule; its @id is written back.
 *
 * Return: 0, -EFAULT, -EINVAL, -E2BIG, -ENOSPC or -ENOMEM.
 */
static int vbs_ioc_fault_add(struct vbs_dev *dev, void __user *uarg)
{
	struct vbs_fault_rule rule;
	int ret;

	ret = vbs_copy_struct_in(&rule, sizeof(rule), VBS_FAULT_RULE_SIZE_VER0,
				 uarg);
	if (ret)
		return ret;
	ret = vbs_fault_add(dev, &rule);
	if (ret)
		return ret;
	/*
	 * The structure was readable a moment ago; if it is not writable the
	 * rule still exists and VBS_IOC_FAULT_LIST shows it.
	 */
	if (put_user(rule.id, (u32 __user *)(uarg +
		     offsetof(struct vbs_fault_rule, id))))
		return -EFAULT;
	return 0;
}

/**
 * vbs_ioc_fault_list() - VBS_IOC_FAULT_LIST
 * @dev: the disk.
 * @uarg: user address of a struct vbs_fault_list.
 *
 * Each entry of the user's array gets the first min(rule_size, ours)
 * bytes of the rule, with its @size saying how many; the rest of a larger
 * entry is zeroed, so a newer program never reads stale memory as fields.
 *
 * Return: 0, -EFAULT, -EINVAL or -ENOMEM.
 */
static int vbs_ioc_fault_list(struct vbs_dev *dev, void __user *uarg)
{
	struct vbs_fault_rule *rules = NULL;
	struct vbs_fault_list list;
	void __user *entry;
	size_t len;
	u32 i, n;
	int ret;

	ret = vbs_copy_struct_in(&list, sizeof(list), VBS_FAULT_LIST_SIZE_VER0,
				 uarg);
	if (ret)
		return ret;
	if (list.capacity > VBS_FAULT_MAX_RULES ||
	    list.rule_size < VBS_FAULT_RULE_SIZE_VER0 ||
	    list.rule_size > VBS_MAX_STRUCT_SIZE ||
	    (list.capacity && !list.rules))
		return -EINVAL;
	if (list.capacity) {
		rules = kvcalloc(list.capacity, sizeof(*rules), GFP_KERNEL);
		if (!rules)
			return -ENOMEM;
	}
	vbs_fault_list(dev, rules, list.capacity, &list.count);

	n = min(list.count, list.capacity);
	len = min_t(size_t, list.rule_size, sizeof(*rules));
	for (i = 0; i < n; i++) {
		entry = u64_to_user_ptr(list.rules) + (size_t)i * list.rule_size;
		rules[i].size = len;
		if (copy_to_user(entry, &rules[i], len) ||
		    clear_user(entry + len, list.rule_size - len)) {
			ret = -EFAULT;
			goto out_free;
		}
	}
	if (put_user(list.count, (u32 __user *)(uarg +
		     offsetof(struct vbs_fault_list, count))))
		ret = -EFAULT;
out_free:
	kvfree(rules);
	return ret;
}

/**
 * vbs_ioc_fault_clear() - VBS_IOC_FAULT_CLEAR
 * @dev: the disk.
 * @uarg: user address of a __u32 rule id, or VBS_FAULT_ID_ALL.
 *
 * Return: 0, -EFAULT or -ENOENT.
 */
static int vbs_ioc_fault_clear(struct vbs_dev *dev, void __user *uarg)
{
	u32 id;

	if (get_user(id, (u32 __user *)uarg))
		return -EFAULT;
	return vbs_fault_clear(dev, id);
}

/**
 * vbs_powercut_check() - validate a power cut request from userland
 * @pc: the request, copied in.
 *
 * Return: 0 or -EINVAL.
 */
static int vbs_powercut_check(const struct vbs_powercut *pc)
{
	bool random = pc->flags & VBS_POWERCUT_KEEP_RANDOM;

	if (pc->flags & ~VBS_POWERCUT_ALL_FLAGS || pc->reserved0 ||
	    memchr_inv(pc->reserved, 0, sizeof(pc->reserved)))
		return -EINVAL;
	if (pc->keep_ppm > 1000000 || (pc->keep_ppm && !random))
		return -EINVAL;
	if ((pc->flags & VBS_POWERCUT_SEED) && !random)
		return -EINVAL;
	if (pc->seed && !(pc->flags & VBS_POWERCUT_SEED))
		return -EINVAL;
	return 0;
}

/**
 * vbs_ioc_powercut() - VBS_IOC_POWERCUT
 * @dev: the disk.
 * @uarg: user address of a struct vbs_powercut; the counts are written
 *	back.
 *
 * Without VBS_POWERCUT_SEED the subset a random power cut keeps is drawn
 * from the disk's own generator (one draw seeds it), so it too replays
 * with the disk's seed.
 *
 * Return: 0, -EFAULT, -EINVAL or -E2BIG.
 */
static int vbs_ioc_powercut(struct vbs_dev *dev, void __user *uarg)
{
	struct vbs_powercut pc;
	u32 keep_ppm = 0;
	u64 seed;
	int ret;

	ret = vbs_copy_struct_in(&pc, sizeof(pc), VBS_POWERCUT_SIZE_VER0, uarg);
	if (ret)
		return ret;
	ret = vbs_powercut_check(&pc);
	if (ret)
		return ret;

	mutex_lock(&dev->sim.mutex);
	if (pc.flags & VBS_POWERCUT_KEEP_RANDOM)
		keep_ppm = pc.keep_ppm ? pc.keep_ppm : 500000;
	if (pc.flags & VBS_POWERCUT_SEED) {
		seed = pc.seed;
	} else {
		spin_lock(&dev->sim.lock);
		seed = keep_ppm ? vbs_sim_rand(&dev->sim) : 0;
		spin_unlock(&dev->sim.lock);
	}
	vbs_cache_powercut(dev, keep_ppm, seed, &pc.pages_dropped,
			   &pc.pages_kept);
	mutex_unlock(&dev->sim.mutex);
	return vbs_copy_struct_out(uarg, &pc, sizeof(pc));
}

/**
 * vbs_block_io_check() - validate a block I/O request from userland
 * @dev: the disk.
 * @io: the request, copied in.
 * @write: true for VBS_IOC_WRITE.
 * @len: set to the transfer size in bytes.
 *
 * Return: 0 or -EINVAL.
 */
static int vbs_block_io_check(struct vbs_dev *dev,
			      const struct vbs_block_io *io, bool write,
			      unsigned int *len)
{
	u64 nr_blocks = dev->cfg.capacity >> (dev->lbs_shift + SECTOR_SHIFT);
	u64 end;

	if (io->flags & ~VBS_IO_ALL_FLAGS || io->reserved0 ||
	    io->reserved[0] || io->reserved[1])
		return -EINVAL;
	if ((io->flags & VBS_IO_FUA) && !write)
		return -EINVAL;
	if (!io->count || io->count > (VBS_MAX_HW_SECTORS >> dev->lbs_shift))
		return -EINVAL;
	if (check_add_overflow(io->lba, (u64)io->count, &end) ||
	    end > nr_blocks)
		return -EINVAL;
	*len = io->count << (dev->lbs_shift + SECTOR_SHIFT);
	return 0;
}

/**
 * vbs_ioc_block_io() - VBS_IOC_READ and VBS_IOC_WRITE
 * @dev: the disk.
 * @uarg: user address of a struct vbs_block_io.
 * @write: true for VBS_IOC_WRITE.
 *
 * Why a passthrough request instead of copying to the store directly: the
 * ioctl must meet the device as I/O from a filesystem does: the disk's own
 * tags and queue depth, ->queue_rq, the simulation engine's latency and
 * fault rules, the write cache, a userland model, and the driver's own
 * statistics (VBS_IOC_GET_STATS, where ioctl_requests tells them apart).
 * It is not the same path in everything: the block layer sends
 * passthrough requests straight to the hardware queue, past any I/O
 * scheduler, never merges them, and leaves them out of
 * /sys/block/<disk>/stat (from 6.13 only with queue/iostats_passthrough
 * set). So it asks blk-mq for a request of the driver-private kinds
 * REQ_OP_DRV_IN / REQ_OP_DRV_OUT, attaches a kernel buffer to it
 * (blk_rq_map_kern()), runs it on the disk's own queue with
 * blk_execute_rq(), and waits for it like any submitter waits for its I/O.
 *
 * Why a kernel buffer and not the user's pages: blk_rq_map_user() would
 * pin the caller's pages and save the copy, but on some kernels (6.12.y
 * among them) its error path leaks the array it allocated for the page
 * pointers when the very first pin fails, as it does for a buffer mapped
 * read-only under VBS_IOC_READ: any caller allowed to read the disk could
 * leak kernel memory at will. A transfer is at most 1 MiB here, so the
 * module copies instead: copy_from_user() before a write, copy_to_user()
 * after a read, and the user's memory is never pinned. The buffer of a
 * read starts zeroed, so that nothing of the kernel's can reach the user
 * whatever the device does; both are charged to the caller's memory
 * cgroup.
 *
 * Context: process context, may sleep.
 * Return: 0, -EFAULT, -EINVAL, -EROFS, -ENOMEM, -EINTR-like errors from
 * the allocation, or the request's error (-EIO, ...).
 */
static int vbs_ioc_block_io(struct vbs_dev *dev, void __user *uarg,
			    bool write)
{
	struct request_queue *q = dev->disk->queue;
	struct vbs_block_io io;
	struct vbs_cmd *cmd;
	struct request *rq;
	void __user *ubuf;
	unsigned int len;
	void *buf;
	int ret;

	ret = vbs_copy_struct_in(&io, sizeof(io), VBS_BLOCK_IO_SIZE_VER0, uarg);
	if (ret)
		return ret;
	ret = vbs_block_io_check(dev, &io, write, &len);
	if (ret)
		return ret;
	if (write && get_disk_ro(dev->disk))
		return -EROFS;
	ubuf = u64_to_user_ptr(io.buf);

	/* 1. The data, in the kernel: the user's for a write. */
	if (write) {
		buf = kvmalloc(len, GFP_KERNEL_ACCOUNT);
		if (!buf)
			return -ENOMEM;
		if (copy_from_user(buf, ubuf, len)) {
			ret = -EFAULT;
			goto out_free_buf;
		}
	} else {
		buf = kvzalloc(len, GFP_KERNEL_ACCOUNT);
		if (!buf)
			return -ENOMEM;
	}

	/* 2. A request from the disk's own tag set; waits for a free tag. */
	rq = blk_mq_alloc_request(q, write ? REQ_OP_DRV_OUT : REQ_OP_DRV_IN, 0);
	if (IS_ERR(rq)) {
		ret = PTR_ERR(rq);
		goto out_free_buf;
	}
	cmd = blk_mq_rq_to_pdu(rq);
	cmd->pt_sector = io.lba << dev->lbs_shift;
	cmd->pt_fua = io.flags & VBS_IO_FUA;

	/*
	 * 3. The buffer becomes the request's bio (its pages, or a bounce
	 * copy if it is misaligned); the bio is freed when it completes.
	 */
	ret = vbs_rq_map_kern(rq, buf, len, GFP_KERNEL);
	if (ret)
		goto out_free_request;

	/* 4. Queue it and wait for completion; a read's data goes out. */
	ret = blk_status_to_errno(blk_execute_rq(rq, false));
	if (!ret && !write && copy_to_user(ubuf, buf, len))
		ret = -EFAULT;

out_free_request:
	blk_mq_free_request(rq);
out_free_buf:
	kvfree(buf);
	return ret;
}

/**
 * vbs_ioctl() - dispatch an ioctl on /dev/virtblkiosimN
 * @dev: the disk.
 * @bdev: the opened block device.
 * @access: VBS_ACCESS_* bits: how @bdev was opened.
 * @cmd: the command.
 * @arg: its argument.
 *
 * Commands are told apart by VBS_IOC_ID(), not by their whole number, so
 * that a program built against a later header reaches them. The disk
 * cannot go away during the call: the caller holds it open, and removal
 * refuses an open disk. Commands work on the whole disk, so they
 * are refused on a partition.
 *
 * Context: process context, may sleep.
 * Return: 0 or a negative errno; -ENOTTY for a command we do not know.
 */
int vbs_ioctl(struct vbs_dev *dev, struct block_device *bdev,
	      unsigned int access, unsigned int cmd, unsigned long arg)
{
	void __user *uarg = (void __user *)arg;

	if (_IOC_TYPE(cmd) != VBS_IOC_MAGIC)
		return -ENOTTY;
	if (bdev_is_partition(bdev))
		return -ENOTTY;

	switch (VBS_IOC_ID(cmd)) {
	case VBS_IOC_ID(VBS_IOC_GET_INFO):
		return vbs_ioc_get_info(dev, uarg);
	case VBS_IOC_ID(VBS_IOC_GET_STATS):
		return vbs_ioc_get_stats(dev, uarg);
	case VBS_IOC_ID(VBS_IOC_READ):
		/* As read(2) on a descriptor opened write-only: EBADF. */
		if (!(access & VBS_ACCESS_READ))
			return -EBADF;
		return vbs_ioc_block_io(dev, uarg, false);
	case VBS_IOC_ID(VBS_IOC_WRITE):
		if (!capable(CAP_SYS_ADMIN))
			return -EPERM;
		if (!(access & VBS_ACCESS_WRITE))
			return -EBADF;
		return vbs_ioc_block_io(dev, uarg, true);
	case VBS_IOC_ID(VBS_IOC_RESET_STATS):
		if (!capable(CAP_SYS_ADMIN))
			return -EPERM;
		vbs_stats_reset(dev);
		return 0;
	case VBS_IOC_ID(VBS_IOC_GET_SIM):
		return vbs_ioc_get_sim(dev, uarg);
	case VBS_IOC_ID(VBS_IOC_SET_SIM):
		if (!capable(CAP_SYS_ADMIN))
			return -EPERM;
		return vbs_ioc_set_sim(dev, uarg);
	case VBS_IOC_ID(VBS_IOC_FAULT_ADD):
		if (!capable(CAP_SYS_ADMIN))
			return -EPERM;
		/* A model disk's model injects its own faults. */
		if (dev->model.on)
			return -EOPNOTSUPP;
		return vbs_ioc_fault_add(dev, uarg);
	case VBS_IOC_ID(VBS_IOC_FAULT_LIST):
		return vbs_ioc_fault_list(dev, uarg);
	case VBS_IOC_ID(VBS_IOC_FAULT_CLEAR):
		if (!capable(CAP_SYS_ADMIN))
			return -EPERM;
		return vbs_ioc_fault_clear(dev, uarg);
	case VBS_IOC_ID(VBS_IOC_POWERCUT):
		if (!capable(CAP_SYS_ADMIN))
			return -EPERM;
		/* A model disk has no in-kernel write cache to lose. */
		if (dev->model.on)
			return -EOPNOTSUPP;
		return vbs_ioc_powercut(dev, uarg);
	default:
		return -ENOTTY;
	}
}
