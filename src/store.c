// SPDX-License-Identifier: GPL-2.0
/*
 * virtblkiosim - the sparse page store: where a disk's data lives.
 *
 * This file owns the data of a request once queue.c has decided what the
 * request does: it copies bytes between a kernel buffer and the store, and
 * frees or zeroes ranges for discard and write-zeroes.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/gfp.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>

#include "vbs.h"

/**
 * DOC: The sparse page store
 *
 * A disk of 1 TiB must not cost 1 TiB of RAM. The store keeps one page of
 * memory per PAGE_SIZE of the disk that was ever written, in an xarray
 * indexed by page number (the first sector of the page, shifted right by
 * VBS_PAGE_SECTORS_SHIFT). A page that is not in the xarray was never
 * written, or was discarded, and reads as zeros.
 *
 * Why an xarray: it is the kernel's sparse array. Lookups are lock-free
 * under rcu_read_lock(), so readers on every CPU and hardware queue run in
 * parallel; only inserting or erasing a page takes the xarray's own
 * spinlock, briefly. There is no lock of ours on the data path.
 *
 * Why RCU for freeing: a reader may have found a page an instant before a
 * discard on another CPU erases it. The discard removes the page from the
 * xarray at once but hands it to call_rcu(), which frees it only after
 * every reader that could have seen it has left its RCU read-side section.
 * The reader then copies from a page that still exists (its data may be
 * stale, which is what racing I/O to one sector legitimately gets).
 *
 * Memory use is the pages written plus the xarray's nodes (about one
 * 576-byte node per 64 pages, under 0.3%).
 */

/**
 * vbs_store_init() - prepare an empty store
 * @store: the store to initialise.
 *
 * Context: process context.
 */
void vbs_store_init(struct vbs_store *store)
{
	xa_init(&store->pages);
	atomic_long_set(&store->nr_pages, 0);
}

/**
 * vbs_store_free_page_rcu() - free a page once no reader can see it
 * @head: the rcu_head embedded in the page's struct page.
 *
 * Context: RCU callback (softirq).
 */
static void vbs_store_free_page_rcu(struct rcu_head *head)
{
	__free_page(container_of(head, struct page, rcu_head));
}

/**
 * vbs_store_destroy() - free every page of a store
 * @store: the store; no I/O may be running on it any more.
 *
 * Pages erased earlier may still wait for their RCU grace period; the
 * module's exit path waits for those with rcu_barrier().
 *
 * Context: process context, may sleep.
 */
void vbs_store_destroy(struct vbs_store *store)
{
	struct page *page;
	unsigned long idx;

	xa_for_each(&store->pages, idx, page) {
		__free_page(page);
		cond_resched();
	}
	xa_destroy(&store->pages);
	atomic_long_set(&store->nr_pages, 0);
}

/**
 * vbs_store_page_alloc() - allocate a zeroed page for the disk's data
 *
 * GFP_NOIO: this runs while the block layer is processing I/O; an
 * allocation that started writeback to free memory could end up waiting
 * for I/O on this very disk, a deadlock. NOIO lets reclaim do everything
 * else. It may sleep: it is used where that is allowed (the write
 * cache, a model's copy; ->queue_rq uses vbs_store_page_alloc_gfp() with
 * GFP_NOWAIT, below). __GFP_NOWARN: running out is reported to the submitter (the
 * request fails with BLK_STS_RESOURCE, which it sees as -ENOMEM), not in
 * the kernel log.
 *
 * Context: process context, may sleep.
 * Return: the page, or NULL.
 */
struct page *vbs_store_page_alloc(void)
{
	return alloc_page(GFP_NOIO | __GFP_ZERO | __GFP_HIGHMEM | __GFP_NOWARN);
}

/**
 * vbs_store_page_alloc_gfp() - allocate a page for a write, as @gfp allows
 * @gfp: GFP_NOIO where the caller may sleep, GFP_NOWAIT where it may not
 *	(->queue_rq: an allocation that would have to reclaim memory fails at
 *	once, and the request is retried from a work item).
 * @zero: the page must read as zeros; false when the caller is about to
 *	write all of it, which saves clearing 4 KiB only to overwrite it.
 *
 * Return: the page, or NULL.
 */
static struct page *vbs_store_page_alloc_gfp(gfp_t gfp, bool zero)
{
	return alloc_page(gfp | __GFP_HIGHMEM | __GFP_NOWARN |
			  (zero ? __GFP_ZERO : 0));
}

/**
 * vbs_store_page_release() - free a page that no xarray holds any more
 * @store: the store whose memory the page counted in.
 * @page: the page, already erased from the xarray that held it.
 *
 * A reader may still be copying from the page, so it is freed only after
 * an RCU grace period.
 *
 * Context: any.
 */
void vbs_store_page_release(struct vbs_store *store, struct page *page)
{
	atomic_long_dec(&store->nr_pages);
	call_rcu(&page->rcu_head, vbs_store_free_page_rcu);
}

/**
 * vbs_store_page_replace() - make a page the durable copy of an index
 * @store: the store.
 * @idx: page index.
 * @page: a page already counted in &vbs_store.nr_pages (the write cache
 *	hands over one of its pages).
 *
 * The page that held @idx before, if any, is released; readers that
 * found it finish with its old contents.
 *
 * Context: process context, may sleep; the caller holds the write cache's
 * lock for @idx.
 * Return: 0, or -ENOMEM (then nothing changed).
 */
int vbs_store_page_replace(struct vbs_store *store, unsigned long idx,
			   struct page *page)
{
	struct page *old;

	old = xa_store(&store->pages, idx, page, GFP_NOIO);
	if (xa_is_err(old))
		return xa_err(old);
	if (old)
		vbs_store_page_release(store, old);
	return 0;
}

/**
 * vbs_store_page_erase() - drop the page at an index, if there is one
 * @store: the store.
 * @idx: page index; reads as zeros afterwards.
 *
 * Context: any that may take the xarray's spinlock.
 */
void vbs_store_page_erase(struct vbs_store *store, unsigned long idx)
{
	struct page *page = xa_erase(&store->pages, idx);

	if (page)
		vbs_store_page_release(store, page);
}

/**
 * vbs_store_page_copy() - make one page's contents a copy of another's
 * @store: the store.
 * @src: page index copied from; if it holds no page, @dst reads as zeros
 *	afterwards (and its page is freed).
 * @dst: page index copied to.
 *
 * The copy is a new page that replaces @dst's in one step, so a reader of
 * @dst sees the old contents or the new ones, never half of each.
 *
 * Context: process context, may sleep.
 * Return: 0, or -ENOMEM (then nothing changed).
 */
int vbs_store_page_copy(struct vbs_store *store, unsigned long src,
			unsigned long dst)
{
	struct page *from, *page;
	int ret;

	if (src == dst)
		return 0;
	page = vbs_store_page_alloc();
	if (!page)
		return -ENOMEM;
	rcu_read_lock();
	from = xa_load(&store->pages, src);
	if (from)
		copy_highpage(page, from);
	rcu_read_unlock();
	if (!from) {
		__free_page(page);
		vbs_store_page_erase(store, dst);
		return 0;
	}
	atomic_long_inc(&store->nr_pages);
	ret = vbs_store_page_replace(store, dst, page);
	if (ret) {
		atomic_long_dec(&store->nr_pages);
		__free_page(page);
	}
	return ret;
}

/**
 * vbs_store_insert() - make sure a page exists at an index
 * @store: the store.
 * @idx: page index.
 * @full: the whole page's new contents (PAGE_SIZE bytes), or NULL for a
 *	page that starts as zeros.
 * @gfp: allocation flags for the page and the xarray's nodes.
 *
 * Allocates a page, fills it, and only then publishes it, so a reader
 * never sees a half-made page. If another writer published a page at
 * @idx in the meantime, ours is freed and theirs is kept, so two writers
 * of one new page never lose each other's data (a caller with @full then
 * writes into theirs).
 *
 * Context: process context; may sleep unless @gfp forbids it.
 * Return: 1 if @full went into a new page, 0 if a page exists at @idx
 * (ours with zeros, or someone else's), or -ENOMEM.
 */
static int vbs_store_insert(struct vbs_store *store, unsigned long idx,
			    const void *full, gfp_t gfp)
{
	struct page *page, *old;

	page = vbs_store_page_alloc_gfp(gfp, !full);
	if (!page)
		return -ENOMEM;
	if (full)
		memcpy_to_page(page, 0, full, PAGE_SIZE);

	old = xa_cmpxchg(&store->pages, idx, NULL, page, gfp);
	if (old) {
		__free_page(page);
		return xa_is_err(old) ? xa_err(old) : 0;
	}
	atomic_long_inc(&store->nr_pages);
	return full ? 1 : 0;
}

/**
 * vbs_store_chunk() - the part of a transfer that falls in one store page
 * @sector: first sector of the transfer.
 * @len: bytes left in the transfer.
 * @offset: set to the byte offset inside the page.
 *
 * Return: bytes of the transfer inside the page that holds @sector.
 */
unsigned int vbs_store_chunk(sector_t sector, u64 len, unsigned int *offset)
{
	*offset = (sector & (VBS_PAGE_SECTORS - 1)) << SECTOR_SHIFT;
	return min_t(u64, len, PAGE_SIZE - *offset);
}

/**
 * vbs_store_read() - copy data from the store into a buffer
 * @store: the store.
 * @dst: kernel buffer of @len bytes.
 * @sector: first 512-byte sector to read.
 * @len: bytes, a multiple of 512.
 *
 * Context: any context that may not sleep is fine too.
 * Return: BLK_STS_OK (reading cannot fail).
 */
blk_status_t vbs_store_read(struct vbs_store *store, void *dst,
			    sector_t sector, unsigned int len)
{
	unsigned int offset, chunk;
	struct page *page;
	void *src;

	while (len) {
		chunk = vbs_store_chunk(sector, len, &offset);

		rcu_read_lock();
		page = xa_load(&store->pages, sector >> VBS_PAGE_SECTORS_SHIFT);
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
 * vbs_store_write() - copy data from a buffer into the store
 * @store: the store.
 * @src: kernel buffer of @len bytes.
 * @sector: first 512-byte sector to write.
 * @len: bytes, a multiple of 512.
 * @gfp: allocation flags for new pages: GFP_NOWAIT from ->queue_rq, which
 *	must not sleep, GFP_NOIO elsewhere.
 *
 * Pages are allocated on first write. A write that covers a whole new
 * page fills it before publishing it, with no zeroing first; a write to
 * part of a new page publishes a zeroed page and copies into it. The copy
 * into an existing page runs under rcu_read_lock(), so a concurrent
 * discard cannot free the page under us.
 *
 * Context: process context; may sleep unless @gfp forbids it.
 * Return: BLK_STS_OK, or BLK_STS_RESOURCE when memory ran out (the part
 * already written stays written; writing it again is harmless).
 */
blk_status_t vbs_store_write(struct vbs_store *store, const void *src,
			     sector_t sector, unsigned int len, gfp_t gfp)
{
	unsigned long idx;
	unsigned int offset, chunk;
	struct page *page;
	int ret;

	might_sleep_if(gfpflags_allow_blocking(gfp));
	while (len) {
		chunk = vbs_store_chunk(sector, len, &offset);
		idx = sector >> VBS_PAGE_SECTORS_SHIFT;

		for (;;) {
			rcu_read_lock();
			page = xa_load(&store->pages, idx);
			if (page)
				break;
			rcu_read_unlock();
			ret = vbs_store_insert(store, idx,
					       chunk == PAGE_SIZE ? src : NULL,
					       gfp);
			if (ret < 0)
				return BLK_STS_RESOURCE;
			if (ret > 0)
				goto next;
		}
		memcpy_to_page(page, offset, src, chunk);
		rcu_read_unlock();
next:
		src += chunk;
		sector += chunk >> SECTOR_SHIFT;
		len -= chunk;
	}
	return BLK_STS_OK;
}

/**
 * vbs_store_zero_partial() - zero part of one page, if it exists
 * @store: the store.
 * @idx: page index.
 * @offset: first byte to zero inside the page.
 * @len: bytes to zero, @offset + @len <= PAGE_SIZE.
 *
 * A page that does not exist already reads as zeros: nothing to do.
 *
 * Context: any.
 */
void vbs_store_zero_partial(struct vbs_store *store, unsigned long idx,
			    unsigned int offset, unsigned int len)
{
	struct page *page;

	rcu_read_lock();
	page = xa_load(&store->pages, idx);
	if (page)
		memzero_page(page, offset, len);
	rcu_read_unlock();
}

/**
 * vbs_range_split() - cut a byte range of the disk at page boundaries
 * @sector: first 512-byte sector.
 * @len: bytes, a multiple of 512.
 * @r: filled in: the partial page at the start (@head_len 0 if none), the
 *	partial page at the end (@tail_len 0 if none), and the whole pages
 *	in between (@first > @last if none).
 *
 * Discard and write-zeroes free whole pages and zero the partial ones at
 * either end; the store and the write cache both need this split.
 */
void vbs_range_split(sector_t sector, u64 len, struct vbs_range *r)
{
	unsigned int offset, chunk;

	memset(r, 0, sizeof(*r));
	chunk = vbs_store_chunk(sector, len, &offset);
	if (offset || chunk < PAGE_SIZE) {
		r->head_idx = sector >> VBS_PAGE_SECTORS_SHIFT;
		r->head_offset = offset;
		r->head_len = chunk;
		sector += chunk >> SECTOR_SHIFT;
		len -= chunk;
	}
	if (len & (PAGE_SIZE - 1)) {
		r->tail_len = len & (PAGE_SIZE - 1);
		len -= r->tail_len;
		r->tail_idx = (sector + (len >> SECTOR_SHIFT)) >>
			      VBS_PAGE_SECTORS_SHIFT;
	}
	if (!len) {
		r->first = 1;
		r->last = 0;
		return;
	}
	r->first = sector >> VBS_PAGE_SECTORS_SHIFT;
	r->last = r->first + (len >> PAGE_SHIFT) - 1;
}

/**
 * vbs_store_zero() - make a range read as zeros, freeing whole pages
 * @store: the store.
 * @sector: first 512-byte sector.
 * @len: bytes, a multiple of 512.
 *
 * Serves both discard and write-zeroes: pages entirely inside the range are
 * erased and freed (after an RCU grace period), so memory use drops; the
 * partial pages at either end are zeroed in place. Only pages that exist
 * are visited, so discarding all of a huge, mostly empty disk is cheap.
 *
 * Context: process context, may sleep.
 */
void vbs_store_zero(struct vbs_store *store, sector_t sector, u64 len)
{
	struct vbs_range r;
	unsigned long idx;
	struct page *page;

	might_sleep();
	vbs_range_split(sector, len, &r);
	if (r.head_len)
		vbs_store_zero_partial(store, r.head_idx, r.head_offset,
				       r.head_len);
	if (r.tail_len)
		vbs_store_zero_partial(store, r.tail_idx, 0, r.tail_len);
	if (r.first > r.last)
		return;

	/* Whole pages in between: erase the ones that exist. */
	xa_for_each_range(&store->pages, idx, page, r.first, r.last) {
		vbs_store_page_erase(store, idx);
		cond_resched();
	}
}
