/* SPDX-License-Identifier: GPL-2.0 */
/*
 * virtblkiosim - every kernel-version difference, in one place.
 *
 * The module is written against the newest block API; this header gives
 * the older kernels (6.1 LTS) the same spelling. The .c files never test
 * LINUX_VERSION_CODE themselves. Each gate names the release that changed
 * the API and the upstream commit, so it can be checked against the tree.
 *
 * Gates compare LINUX_VERSION_CODE, which carries the real upstream
 * sublevel even where a distribution's release string hides it (Debian's
 * "6.1.0-N-amd64" is 6.1.1xx), and stable backports are accounted for by
 * choosing gates whose older branch still compiles on the newer stable
 * releases.
 */
#ifndef VBS_COMPAT_H
#define VBS_COMPAT_H

#include <linux/blk-mq.h>
#include <linux/blkdev.h>
#include <linux/hrtimer.h>
#include <linux/version.h>

/**
 * struct vbs_limits - the queue limits and features a disk is created with
 * @logical_block_size: bytes, power of two, 512..PAGE_SIZE.
 * @physical_block_size: bytes, power of two, >= @logical_block_size.
 * @max_hw_sectors: largest request, in 512-byte sectors.
 * @max_segments: most memory segments in one request.
 * @max_discard_sectors: largest discard, 0 = no discard support.
 * @max_write_zeroes_sectors: largest write-zeroes, 0 = not supported.
 * @discard_granularity: bytes; discards smaller than this may be dropped.
 * @write_cache: the disk has a volatile write cache (receives flushes).
 * @fua: the disk honours REQ_FUA writes.
 * @rotational: the disk says it is a spinning disk.
 *
 * Kernels before 6.9 set limits by calling one setter per field after the
 * queue exists; 6.9 and later take a struct queue_limits at allocation and
 * 6.11 moved the feature flags into it too. This neutral description lets
 * vbs_alloc_disk() do whichever the running kernel wants.
 */
struct vbs_limits {
	unsigned int logical_block_size;
	unsigned int physical_block_size;
	unsigned int max_hw_sectors;
	unsigned int max_segments;
	unsigned int max_discard_sectors;
	unsigned int max_write_zeroes_sectors;
	unsigned int discard_granularity;
	bool write_cache;
	bool fua;
	bool rotational;
};

/*
 * 6.11, "block: move cache control settings out of queue->flags"
 * (1122c0c1cc71) and "block: move the nonrot flag to queue_limits"
 * (bd4a633b6f7c): features became bits in queue_limits.features, and a
 * queue became non-rotational unless the driver asks otherwise. Before,
 * they were queue flags set after allocation, and the default was
 * rotational.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 11, 0)
static inline void vbs_limits_set_features(struct queue_limits *lim,
					   const struct vbs_limits *l)
{
	if (l->write_cache)
		lim->features |= BLK_FEAT_WRITE_CACHE;
	if (l->fua)
		lim->features |= BLK_FEAT_FUA;
	if (l->rotational)
		lim->features |= BLK_FEAT_ROTATIONAL;
}
#else
static inline void vbs_queue_set_features(struct request_queue *q,
					  const struct vbs_limits *l)
{
	if (l->rotational)
		blk_queue_flag_clear(QUEUE_FLAG_NONROT, q);
	else
		blk_queue_flag_set(QUEUE_FLAG_NONROT, q);
	blk_queue_write_cache(q, l->write_cache, l->fua);
}
#endif

/*
 * 6.9, "block: pass a queue_limits argument to blk_mq_alloc_disk"
 * (27e32cd23fed): the
 * limits are validated and applied at allocation. Before, they were set
 * with blk_queue_*() calls afterwards; those setters were removed in 6.10
 * and 6.11. Both forms return an ERR_PTR() on failure.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 9, 0)
static inline struct gendisk *vbs_alloc_disk(struct blk_mq_tag_set *set,
					     const struct vbs_limits *l,
					     void *queuedata)
{
	struct queue_limits lim = {
		.logical_block_size	= l->logical_block_size,
		.physical_block_size	= l->physical_block_size,
		.max_hw_sectors		= l->max_hw_sectors,
		.max_segments		= l->max_segments,
		/*
		 * The "hw" field: max_discard_sectors is derived from it and
		 * the user's setting, and would be overwritten with 0.
		 */
		.max_hw_discard_sectors	= l->max_discard_sectors,
		.max_write_zeroes_sectors = l->max_write_zeroes_sectors,
		.discard_granularity	= l->discard_granularity,
	};
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 11, 0)
	vbs_limits_set_features(&lim, l);
	return blk_mq_alloc_disk(set, &lim, queuedata);
#else
	struct gendisk *disk = blk_mq_alloc_disk(set, &lim, queuedata);

	if (!IS_ERR(disk))
		vbs_queue_set_features(disk->queue, l);
	return disk;
#endif
}
#else
static inline struct gendisk *vbs_alloc_disk(struct blk_mq_tag_set *set,
					     const struct vbs_limits *l,
					     void *queuedata)
{
	struct gendisk *disk = blk_mq_alloc_disk(set, queuedata);
	struct request_queue *q;

	if (IS_ERR(disk))
		return disk;
	q = disk->queue;
	blk_queue_logical_block_size(q, l->logical_block_size);
	blk_queue_physical_block_size(q, l->physical_block_size);
	blk_queue_max_hw_sectors(q, l->max_hw_sectors);
	blk_queue_max_segments(q, l->max_segments);
	blk_queue_max_discard_sectors(q, l->max_discard_sectors);
	blk_queue_max_write_zeroes_sectors(q, l->max_write_zeroes_sectors);
	/* 6.1 has no setter for the discard granularity. */
	q->limits.discard_granularity = l->discard_granularity;
	vbs_queue_set_features(q, l);
	return disk;
}
#endif

/*
 * 6.14, "block: remove BLK_MQ_F_SHOULD_MERGE" (cc76ace465d6): merging of
 * adjacent requests became unconditional. Before, a driver had to ask.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 14, 0)
#define VBS_MQ_F_MERGE		0
#else
#define VBS_MQ_F_MERGE		BLK_MQ_F_SHOULD_MERGE
#endif

/*
 * 6.5, "block: pass a gendisk to ->open" (d32e2bf83791) and "block: remove
 * the unused mode argument to ->release" (ae220766d87c): ->open takes the
 * gendisk and a blk_mode_t, ->release only the gendisk, ->ioctl a
 * blk_mode_t. Before, ->open took the block_device and all took an
 * fmode_t. These macros define the block_device_operations callbacks with
 * the right prototype around version-neutral functions:
 *   int fn_open(struct gendisk *disk);
 *   void fn_release(struct gendisk *disk);
 *   int fn_ioctl(struct block_device *bdev, unsigned int access,
 *		  unsigned int cmd, unsigned long arg);
 * where access holds VBS_ACCESS_READ and VBS_ACCESS_WRITE as the file was
 * opened.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 5, 0)
#define VBS_DEFINE_BDOPS_OPEN(name, fn)					\
static int name(struct gendisk *disk, blk_mode_t mode)			\
{									\
	return fn(disk);						\
}
#define VBS_DEFINE_BDOPS_RELEASE(name, fn)				\
static void name(struct gendisk *disk)					\
{									\
	fn(disk);							\
}
#define VBS_DEFINE_BDOPS_IOCTL(name, fn)				\
static int name(struct block_device *bdev, blk_mode_t mode,		\
		unsigned int cmd, unsigned long arg)			\
{									\
	return fn(bdev, (mode & BLK_OPEN_READ ? VBS_ACCESS_READ : 0) |	\
		  (mode & BLK_OPEN_WRITE ? VBS_ACCESS_WRITE : 0),	\
		  cmd, arg);						\
}
#else
#define VBS_DEFINE_BDOPS_OPEN(name, fn)					\
static int name(struct block_device *bdev, fmode_t mode)		\
{									\
	return fn(bdev->bd_disk);					\
}
#define VBS_DEFINE_BDOPS_RELEASE(name, fn)				\
static void name(struct gendisk *disk, fmode_t mode)			\
{									\
	fn(disk);							\
}
#define VBS_DEFINE_BDOPS_IOCTL(name, fn)				\
static int name(struct block_device *bdev, fmode_t mode,		\
		unsigned int cmd, unsigned long arg)			\
{									\
	return fn(bdev, (mode & FMODE_READ ? VBS_ACCESS_READ : 0) |	\
		  (mode & FMODE_WRITE ? VBS_ACCESS_WRITE : 0),		\
		  cmd, arg);						\
}
#endif

/*
 * 6.16, "block: remove the q argument from blk_rq_map_kern" (af78428ed3f3):
 * the request already knows its queue.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 16, 0)
static inline int vbs_rq_map_kern(struct request *rq, void *buf,
				  unsigned int len, gfp_t gfp)
{
	return blk_rq_map_kern(rq, buf, len, gfp);
}
#else
static inline int vbs_rq_map_kern(struct request *rq, void *buf,
				  unsigned int len, gfp_t gfp)
{
	return blk_rq_map_kern(rq->q, rq, buf, len, gfp);
}
#endif

/*
 * 6.13, "hrtimers: Introduce hrtimer_setup() to replace hrtimer_init()"
 * (908a1d775422): one call sets up the timer and its callback. 6.15,
 * "hrtimers: Delete hrtimer_init()" (9779489a31d7) removed the old pair
 * of hrtimer_init() and an assignment to ->function. The older branch
 * stays valid on every kernel before 6.15, with or without a backport of
 * hrtimer_setup().
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 13, 0)
static inline void vbs_hrtimer_setup(struct hrtimer *timer,
				     enum hrtimer_restart (*fn)(struct hrtimer *),
				     clockid_t clock, enum hrtimer_mode mode)
{
	hrtimer_setup(timer, fn, clock, mode);
}
#else
static inline void vbs_hrtimer_setup(struct hrtimer *timer,
				     enum hrtimer_restart (*fn)(struct hrtimer *),
				     clockid_t clock, enum hrtimer_mode mode)
{
	hrtimer_init(timer, clock, mode);
	timer->function = fn;
}
#endif

/*
 * 6.13, "block: add a rq_list type" (a3396b99990d), backported to 6.12.25:
 * ->queue_rqs() receives a struct rq_list (head and tail) instead of a
 * bare singly linked list head, struct request **. rq_list_pop() takes a
 * pointer to either (a macro before, an inline function since), so the
 * driver's loop is the same; only the parameter's type, VBS_RQ_LIST,
 * differs.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 25)
#define VBS_RQ_LIST	struct rq_list
#else
#define VBS_RQ_LIST	struct request *
#endif

/*
 * 7.2, "block: switch numa_node to int in blk_mq_hw_ctx and init_request"
 * (patch <20260523125210.272274-1-mateusz.nowicki@posteo.net>, applied to
 * the block tree on 2026-05-26): the last argument of
 * blk_mq_ops->init_request became an int (it was unsigned int). A
 * mismatch in the callback's prototype is a hard error (incompatible
 * pointer types), and a version test would break as soon as a stable
 * kernel takes the change. So no version is tested: both prototypes are
 * defined around one version-neutral function
 *   int fn(struct blk_mq_tag_set *set, struct request *rq,
 *	    unsigned int hctx_idx);
 * and VBS_INIT_REQUEST() lets the compiler pick, by the type of the
 * init_request member of this kernel's struct blk_mq_ops, the one that
 * matches (_Generic does not evaluate its first operand).
 */
#define VBS_DEFINE_INIT_REQUEST(name, fn)				\
static int __maybe_unused name##_uint(struct blk_mq_tag_set *set,	\
				      struct request *rq,		\
				      unsigned int hctx_idx,		\
				      unsigned int numa_node)		\
{									\
	return fn(set, rq, hctx_idx);					\
}									\
static int __maybe_unused name##_int(struct blk_mq_tag_set *set,	\
				     struct request *rq,		\
				     unsigned int hctx_idx, int numa_node) \
{									\
	return fn(set, rq, hctx_idx);					\
}

typedef int vbs_init_request_uint_fn(struct blk_mq_tag_set *set,
				     struct request *rq, unsigned int hctx_idx,
				     unsigned int numa_node);
typedef int vbs_init_request_int_fn(struct blk_mq_tag_set *set,
				    struct request *rq, unsigned int hctx_idx,
				    int numa_node);

#define VBS_INIT_REQUEST(name)						\
	_Generic(((struct blk_mq_ops *)NULL)->init_request,		\
		 vbs_init_request_uint_fn * : name##_uint,		\
		 vbs_init_request_int_fn * : name##_int)

#endif /* VBS_COMPAT_H */
