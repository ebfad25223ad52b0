// SPDX-License-Identifier: GPL-2.0
/*
 * virtblkiosim - the volatile write cache.
 *
 * This file owns the data of a request on a disk created with a write
 * cache (VBS_CFG_WRITE_CACHE): where a write lands until it is durable,
 * what a read sees, what a flush makes durable, and what a power cut
 * takes away. On a disk without a write cache none of this runs: queue.c
 * goes straight to the store (vbs_media_*() in vbs.h).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>

#include "vbs.h"

/**
 * DOC: The volatile write cache
 *
 * A disk that advertises a volatile write cache (BLK_FEAT_WRITE_CACHE)
 * promises only this: a write is durable once a later FLUSH has completed,
 * or at once if it carried REQ_FUA. Filesystems order their journal around
 * exactly that promise, so a simulator that keeps every write is too kind
 * to find their bugs, and one that loses flushed data is wrong.
 *
 * The model: next to the durable store (store.c) a second xarray, the
 * cache, holds a page's newest contents while they are not durable.
 *
 *  - A write to a page that is not cached copies the durable page (or
 *    zeros) into a new cache page first ("copy on write"), then writes the
 *    cache page. Later writes go to the cache page.
 *  - An FUA write goes to the durable page, and to the cache page too if
 *    there is one, so both agree.
 *  - A read takes the cache page if there is one, else the durable page.
 *  - A FLUSH hands every cache page over to the store, where it replaces
 *    the durable page: no data is copied.
 *  - Discard and write-zeroes apply to both copies.
 *  - A power cut (VBS_IOC_POWERCUT) drops the cache pages (or keeps a
 *    seeded random subset, as a disk that got some of them out in time).
 *    What a FLUSH or FUA made durable is never in the cache, so it is
 *    never lost.
 *
 * Locking: readers take no lock of ours, as in the store: they look up
 * under RCU, and pages leave either xarray only through an RCU-delayed
 * free. Everything that changes a page's pair of copies holds that page's
 * stripe mutex (&vbs_cache.locks), so a copy-on-write can never read a
 * durable page while a flush replaces it, and a write-through can never
 * miss the cache page a concurrent write is creating. Mutexes rather than
 * spinlocks, because every holder runs in process context (the request
 * path's work item, see vbs_execute() in queue.c, or an ioctl) and may
 * have to allocate.
 * Stripes rather than one lock, so writes to different pages on different
 * hardware queues rarely wait for each other.
 */

/**
 * vbs_cache_lock() - take the stripe mutex of a page index
 * @cache: the cache.
 * @idx: page index.
 *
 * Context: process context, may sleep.
 */
static void vbs_cache_lock(struct vbs_cache *cache, unsigned long idx)
{
	mutex_lock(&cache->locks[idx % VBS_CACHE_LOCKS]);
}

/**
 * vbs_cache_unlock() - release the stripe mutex of a page index
 * @cache: the cache.
 * @idx: page index.
 */
static void vbs_cache_unlock(struct vbs_cache *cache, unsigned long idx)
{
	mutex_unlock(&cache->locks[idx % VBS_CACHE_LOCKS]);
}

/**
 * vbs_cache_init() - prepare an empty cache
 * @cache: the cache.
 * @on: the disk has a volatile write cache.
 *
 * Context: process context.
 */
void vbs_cache_init(struct vbs_cache *cache, bool on)
{
	int i;

	cache->on = on;
	xa_init(&cache->pages);
	atomic_long_set(&cache->nr_pages, 0);
	for (i = 0; i < VBS_CACHE_LOCKS; i++)
		mutex_init(&cache->locks[i]);
}

/**
 * vbs_cache_destroy() - free every cache page
 * @cache: the cache; no I/O may be running.
 * @store: the store the pages are counted in.
 *
 * Context: process context, may sleep.
 */
void vbs_cache_destroy(struct vbs_cache *cache, struct vbs_store *store)
{
	struct page *page;
	unsigned long idx;

	xa_for_each(&cache->pages, idx, page) {
		xa_erase(&cache->pages, idx);
		vbs_store_page_release(store, page);
		cond_resched();
	}
	xa_destroy(&cache->pages);
	atomic_long_set(&cache->nr_pages, 0);
}

/**
 * vbs_cache_read() - copy a range out of the cache, or else the store
 * @dev: the disk.
 * @dst: kernel buffer of @len bytes.
 * @sector: first 512-byte sector.
 * @len: bytes, a multiple of 512.
 *
 * Context: any.
 * Return: BLK_STS_OK (reading cannot fail).
 */
blk_status_t vbs_cache_read(struct vbs_dev *dev, void *dst, sector_t sector,
			    unsigned int len)
{
	unsigned int offset, chunk;
	unsigned long idx;
	struct page *page;
	void *src;

	while (len) {
		chunk = vbs_store_chunk(sector, len, &offset);
		idx = sector >> VBS_PAGE_SECTORS_SHIFT;

		rcu_read_lock();
		page = xa_load(&dev->cache.pages, idx);
		if (!page)
			page = xa_load(&dev->store.pages, idx);
		if (page) {
			src = kmap_local_page(page);
			memcpy(dst, src + offset, chunk);
			kunmap_local(src);
		} else {
			memset(dst, 0, chunk);
		}
		rcu_read_unlock();

		dst += chunk;
		sector += chunk >> SECTOR_SHIFT;
		len -= chunk;
	}
	return BLK_STS_OK;
}

/**
 * vbs_cache_get_page() - the cache page of an index, made on first write
 * @dev: the disk.
 * @idx: page index.
 * @whole: the write's data if it covers the whole page, else NULL.
 * @filled: set to true when the new page was filled with @whole.
 *
 * A new page starts as a copy of the durable page, so that the parts of
 * it this write does not cover keep their contents. A write of the whole
 * page needs neither that copy nor a zeroed page: the new page is filled
 * with the write's data instead, before it is published (readers find
 * cache pages without a lock, so a published page must be complete).
 *
 * Context: process context, may sleep; the caller holds @idx's stripe
 * mutex, so nobody else adds or removes the cache page meanwhile.
 * Return: the cache page, or NULL when memory ran out.
 */
static struct page *vbs_cache_get_page(struct vbs_dev *dev, unsigned long idx,
				       const void *whole, bool *filled)
{
	struct page *page, *durable;
	int ret;

	*filled = false;
	page = xa_load(&dev->cache.pages, idx);
	if (page)
		return page;

	if (whole) {
		page = alloc_page(GFP_NOIO | __GFP_HIGHMEM | __GFP_NOWARN);
		if (!page)
			return NULL;
		memcpy_to_page(page, 0, whole, PAGE_SIZE);
	} else {
		page = vbs_store_page_alloc();
		if (!page)
			return NULL;
		rcu_read_lock();
		durable = xa_load(&dev->store.pages, idx);
		if (durable)
			copy_highpage(page, durable);
		rcu_read_unlock();
	}

	ret = xa_insert(&dev->cache.pages, idx, page, GFP_NOIO);
	if (ret) {
		__free_page(page);
		return NULL;
	}
	atomic_long_inc(&dev->cache.nr_pages);
	atomic_long_inc(&dev->store.nr_pages);
	*filled = !!whole;
	return page;
}

/**
 * vbs_cache_write() - write a range through the cache
 * @dev: the disk.
 * @src: kernel buffer of @len bytes.
 * @sector: first 512-byte sector.
 * @len: bytes, a multiple of 512.
 * @fua: write through to the store: durable on completion.
 *
 * Context: process context, may sleep.
 * Return: BLK_STS_OK, or BLK_STS_RESOURCE when memory ran out (the part
 * already written stays written).
 */
blk_status_t vbs_cache_write(struct vbs_dev *dev, const void *src,
			     sector_t sector, unsigned int len, bool fua)
{
	blk_status_t status = BLK_STS_OK;
	unsigned int offset, chunk;
	unsigned long idx;
	struct page *page;
	bool filled;
	void *dst;

	might_sleep();
	while (len) {
		chunk = vbs_store_chunk(sector, len, &offset);
		idx = sector >> VBS_PAGE_SECTORS_SHIFT;
		filled = false;

		vbs_cache_lock(&dev->cache, idx);
		if (fua) {
			/* Durable first; then the cached copy, if any. */
			status = vbs_store_write(&dev->store, src, sector,
						 chunk, GFP_NOIO);
			page = xa_load(&dev->cache.pages, idx);
		} else {
			page = vbs_cache_get_page(dev, idx,
						  chunk == PAGE_SIZE ? src : NULL,
						  &filled);
			if (!page)
				status = BLK_STS_RESOURCE;
		}
		if (page && !status && !filled) {
			dst = kmap_local_page(page);
			memcpy(dst + offset, src, chunk);
			kunmap_local(dst);
		}
		vbs_cache_unlock(&dev->cache, idx);
		if (status)
			return status;

		src += chunk;
		sector += chunk >> SECTOR_SHIFT;
		len -= chunk;
	}
	return BLK_STS_OK;
}

/**
 * vbs_cache_drop() - remove an index's cache page and free it
 * @dev: the disk.
 * @idx: page index.
 *
 * Context: the caller holds @idx's stripe mutex.
 */
static void vbs_cache_drop(struct vbs_dev *dev, unsigned long idx)
{
	struct page *page = xa_erase(&dev->cache.pages, idx);

	if (page) {
		atomic_long_dec(&dev->cache.nr_pages);
		vbs_store_page_release(&dev->store, page);
	}
}

/**
 * vbs_cache_zero_partial() - zero part of one page in both copies
 * @dev: the disk.
 * @idx: page index.
 * @offset: first byte inside the page.
 * @len: bytes, @offset + @len <= PAGE_SIZE.
 *
 * Context: process context, may sleep.
 */
static void vbs_cache_zero_partial(struct vbs_dev *dev, unsigned long idx,
				   unsigned int offset, unsigned int len)
{
	struct page *page;

	vbs_cache_lock(&dev->cache, idx);
	rcu_read_lock();
	page = xa_load(&dev->cache.pages, idx);
	if (page)
		memzero_page(page, offset, len);
	rcu_read_unlock();
	vbs_store_zero_partial(&dev->store, idx, offset, len);
	vbs_cache_unlock(&dev->cache, idx);
}

/**
 * vbs_cache_zero() - discard or write-zeroes on a disk with a write cache
 * @dev: the disk.
 * @sector: first 512-byte sector.
 * @len: bytes, a multiple of 512.
 *
 * Both copies of every page in the range are zeroed or, for whole pages,
 * freed, so the range reads as zeros whether or not a power cut follows.
 * As in the store, only pages that exist are visited.
 *
 * Context: process context, may sleep.
 */
void vbs_cache_zero(struct vbs_dev *dev, sector_t sector, u64 len)
{
	struct vbs_range r;
	unsigned long idx;
	struct page *page;

	might_sleep();
	vbs_range_split(sector, len, &r);
	if (r.head_len)
		vbs_cache_zero_partial(dev, r.head_idx, r.head_offset,
				       r.head_len);
	if (r.tail_len)
		vbs_cache_zero_partial(dev, r.tail_idx, 0, r.tail_len);
	if (r.first > r.last)
		return;

	xa_for_each_range(&dev->cache.pages, idx, page, r.first, r.last) {
		vbs_cache_lock(&dev->cache, idx);
		vbs_cache_drop(dev, idx);
		vbs_store_page_erase(&dev->store, idx);
		vbs_cache_unlock(&dev->cache, idx);
		cond_resched();
	}
	xa_for_each_range(&dev->store.pages, idx, page, r.first, r.last) {
		vbs_cache_lock(&dev->cache, idx);
		vbs_store_page_erase(&dev->store, idx);
		vbs_cache_unlock(&dev->cache, idx);
		cond_resched();
	}
}

/**
 * vbs_cache_persist() - make an index's cache page the durable copy
 * @dev: the disk.
 * @idx: page index.
 *
 * The store puts the page in place of the old durable page first, and only
 * then is it removed from the cache, so a reader finds the new contents in
 * one xarray or the other at every instant.
 *
 * Context: process context; the caller holds @idx's stripe mutex.
 * Return: 0, or -ENOMEM (the page stays in the cache).
 */
static int vbs_cache_persist(struct vbs_dev *dev, unsigned long idx)
{
	struct page *page = xa_load(&dev->cache.pages, idx);
	int ret;

	if (!page)
		return 0;
	ret = vbs_store_page_replace(&dev->store, idx, page);
	if (ret)
		return ret;
	xa_erase(&dev->cache.pages, idx);
	atomic_long_dec(&dev->cache.nr_pages);
	return 0;
}

/**
 * vbs_cache_flush() - REQ_OP_FLUSH: make every cached write durable
 * @dev: the disk.
 *
 * Moves every page that is in the cache when the flush gets here. Writes
 * that race with the flush may or may not be included, which is what the
 * block layer's contract allows: it only relies on writes that completed
 * before it sent the flush, and those are all in the cache now.
 *
 * Context: process context, may sleep.
 * Return: BLK_STS_OK, or BLK_STS_RESOURCE if the store could not take a
 * page (the flush then failed and the page is still volatile).
 */
blk_status_t vbs_cache_flush(struct vbs_dev *dev)
{
	blk_status_t status = BLK_STS_OK;
	struct page *page;
	unsigned long idx;

	xa_for_each(&dev->cache.pages, idx, page) {
		vbs_cache_lock(&dev->cache, idx);
		if (vbs_cache_persist(dev, idx))
			status = BLK_STS_RESOURCE;
		vbs_cache_unlock(&dev->cache, idx);
		cond_resched();
	}
	return status;
}

/**
 * vbs_cache_powercut() - lose the writes that are not durable
 * @dev: the disk.
 * @keep_ppm: probability, parts per million, that a cache page is kept
 *	(written to the store) instead of dropped; 0 drops them all.
 * @seed: seed of the random choices, one draw per cache page in
 *	increasing page order, so the same seed and the same cache keep the
 *	same pages.
 * @dropped: set to the number of pages dropped.
 * @kept: set to the number of pages kept.
 *
 * A kept page that the store cannot take for lack of memory is dropped.
 *
 * Context: process context, may sleep.
 */
void vbs_cache_powercut(struct vbs_dev *dev, u32 keep_ppm, u64 seed,
			u64 *dropped, u64 *kept)
{
	struct page *page;
	unsigned long idx;
	bool keep;

	*dropped = 0;
	*kept = 0;
	if (!dev->cache.on)
		return;
	xa_for_each(&dev->cache.pages, idx, page) {
		keep = keep_ppm && vbs_rand_ppm(vbs_rand_next(&seed)) < keep_ppm;
		vbs_cache_lock(&dev->cache, idx);
		/* A discard may have removed it before we took the lock. */
		if (xa_load(&dev->cache.pages, idx)) {
			if (keep && !vbs_cache_persist(dev, idx)) {
				(*kept)++;
			} else {
				vbs_cache_drop(dev, idx);
				(*dropped)++;
			}
		}
		vbs_cache_unlock(&dev->cache, idx);
		cond_resched();
	}
}
