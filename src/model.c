// SPDX-License-Identifier: GPL-2.0
/*
 * virtblkiosim - the userland-model protocol.
 *
 * On a disk created with VBS_CFG_MODEL, a program in userland (the "model",
 * for instance a flash translation layer) decides where every logical page
 * lives in the disk's physical store, how long each request takes and
 * whether it fails. The data never leaves the kernel: the model only
 * answers with page numbers, and this file moves the data accordingly.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bvec.h>
#include <linux/fs.h>
#include <linux/highmem.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/wait.h>

#include "compat.h"
#include "vbs.h"

/**
 * DOC: The userland-model protocol
 *
 * A request on a model disk takes these steps:
 *
 *  1. ->queue_rq (vbs_model_queue()) gives the request an id, puts it in
 *     the disk's slot table and on its pending list, and wakes a session
 *     waiting in VBS_CTL_MODEL_EXCHANGE. ->queue_rq returns at once: the
 *     request stays "on the device" while the model thinks.
 *  2. a session's VBS_CTL_MODEL_EXCHANGE takes requests off the pending
 *     list and copies their descriptors to the model; they are now that
 *     session's to answer.
 *  3. the model's next VBS_CTL_MODEL_EXCHANGE carries the answers. For
 *     each one, the request is taken out of its slot (so nothing else can
 *     complete it), the answer is checked, the data is copied between the
 *     request's memory and the physical pages named by the answer, and
 *     the request completes now or, with a delay, from its hrtimer.
 *
 * Why ids with a generation: a request's slot (its hardware queue and tag)
 * is reused by the next request as soon as it completes. If the model
 * answered late, or twice, a bare tag would complete the wrong request. The
 * high half of the id changes every time a slot is filled, and an answer
 * is accepted only if the slot holds a request with exactly that id,
 * fetched by the answering session.
 *
 * Who ends a request the model holds: the answer, the session going away
 * (its requests go back to the pending list, or fail), the blk-mq timeout
 * handler, or the removal of the disk. All of them take the request out of
 * its slot under &vbs_model.lock first; whoever empties the slot owns the
 * request from then on, so it is completed exactly once.
 *
 * The data copy runs in the model's own thread, inside its ioctl: a busy
 * model pays for its disk's memory bandwidth, as a device's firmware does.
 *
 * Memory reclaim must not wait for this disk: the model's thread is what
 * serves the disk's requests, so if an allocation made on its behalf
 * wrote dirty pages back to this disk to free memory, it would wait for
 * itself. Every session command therefore runs in a memalloc_noio_save()
 * scope, which turns every allocation of the thread (ours, the page
 * store's, a page fault on the model's buffers) into GFP_NOIO; libvbsim
 * sets PR_SET_IO_FLUSHER on its model threads for the same reason in user
 * space.
 */

/* Descriptors and answers copied between user and kernel per step. */
#define VBS_MODEL_CHUNK		32

/**
 * struct vbs_model_session - one attached model (an open control node)
 * @dev: the disk; it cannot be removed while a session is attached, and
 *	the session holds a reference on it (vbs_dev_get()) until it has
 *	detached, so its memory outlives the session whatever removal does.
 * @id: the session's number on the disk, from 1.
 * @flags: VBS_MODEL_* flags given at attach.
 * @lock: serialises the session's ioctls, which share the buffers below.
 * @fetched: requests this session fetched and has not answered
 *	(&vbs_cmd.model_node), under &vbs_model.lock; detaching walks only
 *	these, not every slot of the disk.
 * @answers: answers being applied.
 * @reqs: descriptors being handed out.
 * @maps: the page maps of the answer being applied.
 */
struct vbs_model_session {
	struct vbs_dev *dev;
	u32 id;
	u32 flags;
	struct mutex lock;	/* serialises this session's ioctls */
	struct list_head fetched;
	struct vbs_model_answer answers[VBS_MODEL_CHUNK];
	struct vbs_model_req reqs[VBS_MODEL_CHUNK];
	struct vbs_model_map maps[VBS_MODEL_MAX_REQ_PAGES];
};

/**
 * vbs_model_init() - prepare a model disk's request table
 * @dev: the disk being created, its configuration resolved.
 *
 * One slot per tag of every hardware queue, so a started request always
 * finds its slot free and the I/O path never allocates.
 *
 * Context: process context, may sleep.
 * Return: 0 or -ENOMEM.
 */
int vbs_model_init(struct vbs_dev *dev)
{
	struct vbs_model *m = &dev->model;

	spin_lock_init(&m->lock);
	init_waitqueue_head(&m->wq);
	INIT_LIST_HEAD(&m->pending);
	m->on = dev->cfg.flags & VBS_CFG_MODEL;
	if (!m->on)
		return 0;
	m->depth = dev->cfg.queue_depth;
	m->nr_slots = vbs_nr_queues(&dev->cfg) * dev->cfg.queue_depth;
	m->slots = kvcalloc(m->nr_slots, sizeof(*m->slots), GFP_KERNEL);
	if (!m->slots)
		return -ENOMEM;
	m->logical_pages = vbs_bytes_to_pages(dev->cfg.capacity);
	m->physical_pages = dev->cfg.model_pages;
	return 0;
}

/**
 * vbs_model_destroy() - free what vbs_model_init() allocated
 * @dev: the disk; no request is in flight.
 */
void vbs_model_destroy(struct vbs_dev *dev)
{
	kvfree(dev->model.slots);
	dev->model.slots = NULL;
}

/**
 * vbs_model_fail_list() - complete a list of taken requests with an error
 * @dev: the disk.
 * @list: requests (linked by &vbs_cmd.model_node) already out of their
 *	slots.
 * @status: the status to complete them with.
 *
 * Each request is unlinked before it completes: once completed its tag,
 * and with it &vbs_cmd.model_node, may be reused at once.
 */
static void vbs_model_fail_list(struct vbs_dev *dev, struct list_head *list,
				blk_status_t status)
{
	struct vbs_cmd *cmd, *tmp;

	list_for_each_entry_safe(cmd, tmp, list, model_node) {
		list_del_init(&cmd->model_node);
		cmd->status = status;
		vbs_complete(dev, blk_mq_rq_from_pdu(cmd));
	}
}

/**
 * vbs_model_describe() - record what the model will be told of a request
 * @cmd: the request's driver data.
 * @rq: the request.
 * @op: its VBS_OP_* index.
 *
 * Done once in ->queue_rq, so handing out descriptors (under the lock)
 * only copies fields.
 */
static void vbs_model_describe(struct vbs_cmd *cmd, struct request *rq,
			       int op)
{
	u64 nr_sectors = op == VBS_OP_FLUSH ? 0 :
			 blk_rq_bytes(rq) >> SECTOR_SHIFT;
	sector_t sector = op == VBS_OP_FLUSH ? 0 : vbs_request_sector(rq);

	cmd->model_op = op;
	cmd->model_flags = 0;
	if (op == VBS_OP_WRITE && vbs_request_fua(rq))
		cmd->model_flags |= VBS_MODEL_REQ_FUA;
	if (blk_rq_is_passthrough(rq))
		cmd->model_flags |= VBS_MODEL_REQ_IOCTL;
	cmd->model_sector = sector;
	cmd->model_nr_sectors = nr_sectors;
	cmd->model_first_page = sector >> VBS_PAGE_SECTORS_SHIFT;
	cmd->model_pages = nr_sectors ?
		((sector + nr_sectors + VBS_PAGE_SECTORS - 1) >>
		 VBS_PAGE_SECTORS_SHIFT) - cmd->model_first_page : 0;
}

/**
 * vbs_model_queue() - hand a started request to the disk's model
 * @dev: a model disk.
 * @hctx: the hardware queue the request came on.
 * @rq: the request, already started.
 * @op: its VBS_OP_* index.
 *
 * With no model attached (and none expected back, see VBS_MODEL_RECOVER),
 * the request fails at once: a disk without its firmware cannot serve
 * I/O, and making it wait would hang whoever reads the disk first (udev
 * probes every new disk). RQF_QUIET keeps those failures out of the
 * kernel log; one line says why instead.
 *
 * Context: ->queue_rq; must not sleep.
 */
void vbs_model_queue(struct vbs_dev *dev, struct blk_mq_hw_ctx *hctx,
		     struct request *rq, int op)
{
	struct vbs_cmd *cmd = blk_mq_rq_to_pdu(rq);
	struct vbs_model *m = &dev->model;
	unsigned int slot = hctx->queue_num * m->depth + rq->tag;
	bool queued = false;

	cmd->start_ns = ktime_get_ns();
	cmd->effect = 0;
	cmd->status = BLK_STS_OK;
	cmd->early_ns = 0;
	vbs_model_describe(cmd, rq, op);
	vbs_sim_count_start(&dev->sim);

	spin_lock(&m->lock);
	if (WARN_ON_ONCE(slot >= m->nr_slots || m->slots[slot])) {
		spin_unlock(&m->lock);
		cmd->status = BLK_STS_IOERR;
		vbs_complete(dev, rq);
		return;
	}
	if (!m->dying && (m->sessions || m->recover)) {
		/* The generation is never 0, so an id is never 0 either. */
		if (!++m->gen)
			m->gen = 1;
		cmd->model_id = (u64)m->gen << 32 | slot;
		cmd->model_slot = slot;
		cmd->model_owner = NULL;
		m->slots[slot] = rq;
		list_add_tail(&cmd->model_node, &m->pending);
		m->nr_pending++;
		queued = true;
	}
	spin_unlock(&m->lock);

	if (queued) {
		wake_up(&m->wq);
		return;
	}
	pr_info_ratelimited("%s: no model attached, failing I/O\n",
			    dev->disk->disk_name);
	rq->rq_flags |= RQF_QUIET;
	cmd->status = BLK_STS_IOERR;
	vbs_complete(dev, rq);
}

/**
 * vbs_model_timeout() - the request timeout expired on a request
 * @dev: a model disk.
 * @rq: the request.
 *
 * A request still pending (no model took it) or fetched and never answered
 * is ended here with BLK_STS_TIMEOUT. A request already answered is not
 * ours to end: its timer or the answering thread completes it.
 *
 * Context: process context (blk-mq's timeout work).
 * Return: true if this ended the request.
 */
bool vbs_model_timeout(struct vbs_dev *dev, struct request *rq)
{
	struct vbs_cmd *cmd = blk_mq_rq_to_pdu(rq);
	struct vbs_model *m = &dev->model;
	bool taken = false;

	spin_lock(&m->lock);
	if (cmd->model_slot < m->nr_slots && m->slots[cmd->model_slot] == rq) {
		/* Off the pending list, or off its session's fetched list. */
		list_del_init(&cmd->model_node);
		if (!cmd->model_owner)
			m->nr_pending--;
		m->slots[cmd->model_slot] = NULL;
		taken = true;
	}
	spin_unlock(&m->lock);
	if (taken) {
		cmd->status = BLK_STS_TIMEOUT;
		vbs_complete(dev, rq);
	}
	return taken;
}

/**
 * vbs_model_take_pending() - take every pending request out of its slot
 * @m: the disk's model state, locked.
 * @list: the requests are moved onto it, oldest first.
 *
 * Context: holds &vbs_model.lock; the work is one step per request waiting,
 * never a walk of the whole slot table.
 */
static void vbs_model_take_pending(struct vbs_model *m, struct list_head *list)
{
	struct vbs_cmd *cmd;

	lockdep_assert_held(&m->lock);
	list_for_each_entry(cmd, &m->pending, model_node)
		m->slots[cmd->model_slot] = NULL;
	list_splice_tail_init(&m->pending, list);
	m->nr_pending = 0;
}

/**
 * vbs_model_stop() - fail every request the model side holds, at removal
 * @dev: the disk being removed; no session is attached, none can attach
 *	(vbs_model_begin_removal()).
 *
 * Requests waiting for a model (VBS_MODEL_RECOVER) would otherwise keep
 * del_gendisk() waiting until their timeout. New requests fail at once.
 * With no session attached, every request the model side holds is on the
 * pending list: a session that detaches gives its fetched requests back
 * or fails them before it is counted out.
 *
 * Context: process context, may sleep.
 */
void vbs_model_stop(struct vbs_dev *dev)
{
	struct vbs_model *m = &dev->model;
	LIST_HEAD(failed);

	if (!m->on)
		return;
	spin_lock(&m->lock);
	WARN_ON_ONCE(m->sessions);
	m->dying = true;
	vbs_model_take_pending(m, &failed);
	spin_unlock(&m->lock);
	wake_up_all(&m->wq);
	vbs_model_fail_list(dev, &failed, BLK_STS_IOERR);
}

/**
 * vbs_model_begin_removal() - let a disk be removed if no model is attached
 * @dev: the disk.
 *
 * Checked and decided under &vbs_model.lock, the lock a new session is
 * counted under, so no session can attach between the test and removal.
 *
 * Context: any; called under the disk's &vbs_dev.lock.
 * Return: true if the disk may go (no session; none can attach from now
 * on), false if a session is attached.
 */
bool vbs_model_begin_removal(struct vbs_dev *dev)
{
	struct vbs_model *m = &dev->model;
	bool ok;

	if (!m->on)
		return true;
	spin_lock(&m->lock);
	ok = !m->sessions;
	if (ok)
		m->dying = true;
	spin_unlock(&m->lock);
	return ok;
}

/**
 * vbs_model_session_add() - count a new session on a disk
 * @dev: the disk, held by a reference.
 * @s: the session.
 *
 * Context: process context.
 * Return: 0, -EINVAL if the disk is not a model disk, -EBUSY if it is
 * being removed.
 */
static int vbs_model_session_add(struct vbs_dev *dev,
				 struct vbs_model_session *s)
{
	struct vbs_model *m = &dev->model;
	int ret = 0;

	if (!m->on)
		return -EINVAL;
	spin_lock(&m->lock);
	if (m->dying) {
		ret = -EBUSY;
	} else {
		m->sessions++;
		s->id = ++m->next_session;
		s->dev = dev;
	}
	spin_unlock(&m->lock);
	return ret;
}

/**
 * vbs_model_detach() - a session goes away
 * @s: the session.
 *
 * The requests it fetched and did not answer go back to the pending list
 * if another session, or a recovering model, can serve them; otherwise
 * they fail with EIO, together with every pending request. The session's
 * reference on the disk is still held here (its caller drops it after), so
 * the disk's memory stays valid even if the disk is removed the moment the
 * session is counted out.
 *
 * Context: process context, may sleep.
 */
static void vbs_model_detach(struct vbs_model_session *s)
{
	struct vbs_dev *dev = s->dev;
	struct vbs_model *m = &dev->model;
	struct vbs_cmd *cmd, *tmp;
	LIST_HEAD(failed);
	bool keep;

	spin_lock(&m->lock);
	m->sessions--;
	if (!m->sessions)
		m->recover = s->flags & VBS_MODEL_RECOVER;
	keep = m->sessions || m->recover;
	list_for_each_entry_safe(cmd, tmp, &s->fetched, model_node) {
		cmd->model_owner = NULL;
		if (keep) {
			list_move_tail(&cmd->model_node, &m->pending);
			m->nr_pending++;
		} else {
			m->slots[cmd->model_slot] = NULL;
			list_move_tail(&cmd->model_node, &failed);
		}
	}
	if (!keep)
		vbs_model_take_pending(m, &failed);
	spin_unlock(&m->lock);
	if (keep)
		wake_up(&m->wq);
	vbs_model_fail_list(dev, &failed, BLK_STS_IOERR);
}

/**
 * vbs_model_take() - claim the request an answer is for
 * @m: the disk's model state.
 * @id: the answer's id.
 * @s: the answering session.
 *
 * Return: the request, now out of its slot and owned by the caller; NULL
 * for an id that is unknown, stale, already answered or fetched by another
 * session.
 */
static struct request *vbs_model_take(struct vbs_model *m, u64 id,
				      struct vbs_model_session *s)
{
	u32 slot = lower_32_bits(id);
	struct request *rq = NULL;
	struct vbs_cmd *cmd;

	spin_lock(&m->lock);
	if (slot < m->nr_slots && m->slots[slot]) {
		cmd = blk_mq_rq_to_pdu(m->slots[slot]);
		if (cmd->model_id == id && cmd->model_owner == s) {
			rq = m->slots[slot];
			m->slots[slot] = NULL;
			list_del_init(&cmd->model_node);
		}
	}
	spin_unlock(&m->lock);
	return rq;
}

/**
 * vbs_model_status() - the block status an answer's errno stands for
 * @status: &vbs_model_answer.status.
 * @out: set to the block status.
 *
 * Return: true for a status the protocol allows.
 */
static bool vbs_model_status(s32 status, blk_status_t *out)
{
	switch (status) {
	case 0:
		*out = BLK_STS_OK;
		return true;
	case -EIO:
		*out = BLK_STS_IOERR;
		return true;
	case -ENODATA:
		*out = BLK_STS_MEDIUM;
		return true;
	case -ENOSPC:
		*out = BLK_STS_NOSPC;
		return true;
	case -ETIMEDOUT:
		*out = BLK_STS_TIMEOUT;
		return true;
	case -EOPNOTSUPP:
		*out = BLK_STS_NOTSUPP;
		return true;
	default:
		return false;
	}
}

/**
 * vbs_model_page_ok() - whether a page number is inside the store
 * @m: the disk's model state.
 * @ppn: a physical page number.
 * @none_ok: VBS_PPN_NONE is allowed here.
 *
 * Return: true if the store may be touched at @ppn.
 */
static bool vbs_model_page_ok(const struct vbs_model *m, u64 ppn,
			      bool none_ok)
{
	if (ppn == VBS_PPN_NONE)
		return none_ok;
	return ppn < m->physical_pages;
}

/**
 * vbs_model_maps_ok() - check an answer's page maps against the store
 * @m: the disk's model state.
 * @cmd: the request answered.
 * @maps: its @cmd->model_pages maps.
 *
 * Return: true if every page named is inside the store: a read may name
 * "none" (zeros); a write must name a destination.
 */
static bool vbs_model_maps_ok(const struct vbs_model *m,
			      const struct vbs_cmd *cmd,
			      const struct vbs_model_map *maps)
{
	bool read = cmd->model_op == VBS_OP_READ;
	unsigned int i;

	for (i = 0; i < cmd->model_pages; i++) {
		if (!vbs_model_page_ok(m, maps[i].ppn, read))
			return false;
		if (!read && !vbs_model_page_ok(m, maps[i].src_ppn, true))
			return false;
	}
	return true;
}

/**
 * vbs_model_page_partial() - the part of a logical page a request covers
 * @cmd: the request.
 * @i: index of the page in the request (0 .. model_pages - 1).
 * @offset: set to the first byte covered.
 * @len: set to the bytes covered.
 *
 * Return: true if that is less than the whole page.
 */
static bool vbs_model_page_partial(const struct vbs_cmd *cmd, unsigned int i,
				   unsigned int *offset, unsigned int *len)
{
	u64 page_start = (cmd->model_first_page + i) << VBS_PAGE_SECTORS_SHIFT;
	u64 start = max_t(u64, cmd->model_sector, page_start);
	u64 end = min_t(u64, cmd->model_sector + cmd->model_nr_sectors,
			page_start + VBS_PAGE_SECTORS);

	*offset = (start - page_start) << SECTOR_SHIFT;
	*len = (end - start) << SECTOR_SHIFT;
	return *len != PAGE_SIZE;
}

/**
 * vbs_model_prepare() - read-modify-write of the partial pages of a write
 * @dev: the disk.
 * @cmd: a write or write-zeroes request.
 * @maps: its maps.
 *
 * Only the first and the last page of a request can be partial. When the
 * model moves such a page (@ppn differs from @src_ppn), the destination
 * first gets the whole old page, so the bytes the request does not cover
 * keep their contents; then the request's own bytes go on top.
 *
 * Context: process context, may sleep.
 * Return: BLK_STS_OK or BLK_STS_RESOURCE (no memory for a copy).
 */
static blk_status_t vbs_model_prepare(struct vbs_dev *dev,
				      const struct vbs_cmd *cmd,
				      const struct vbs_model_map *maps)
{
	unsigned int ends[2] = { 0, cmd->model_pages - 1 };
	unsigned int k, offset, len;
	const struct vbs_model_map *map;

	for (k = 0; k < 2; k++) {
		if (k && ends[1] == ends[0])
			break;
		map = &maps[ends[k]];
		if (!vbs_model_page_partial(cmd, ends[k], &offset, &len) ||
		    map->src_ppn == map->ppn)
			continue;
		if (map->src_ppn == VBS_PPN_NONE)
			vbs_store_page_erase(&dev->store, map->ppn);
		else if (vbs_store_page_copy(&dev->store, map->src_ppn,
					     map->ppn))
			return BLK_STS_RESOURCE;
	}
	return BLK_STS_OK;
}

/**
 * vbs_model_transfer() - move a read or write request's data by the maps
 * @dev: the disk.
 * @rq: the request.
 * @maps: one map per logical page the request touches.
 *
 * Like the in-kernel path (queue.c) it walks the request's memory a
 * segment at a time; a segment may straddle two logical pages, which may
 * live in unrelated physical pages, so each segment is cut at logical
 * page boundaries and every piece goes to (or comes from) its own page.
 *
 * Context: process context (the model's ioctl), may sleep.
 * Return: BLK_STS_OK or the store's error.
 */
static blk_status_t vbs_model_transfer(struct vbs_dev *dev,
				       struct request *rq,
				       const struct vbs_model_map *maps)
{
	struct vbs_cmd *cmd = blk_mq_rq_to_pdu(rq);
	bool write = cmd->model_op == VBS_OP_WRITE;
	sector_t sector = cmd->model_sector;
	blk_status_t status = BLK_STS_OK;
	const struct vbs_model_map *map;
	unsigned int done, off, n;
	struct req_iterator iter;
	struct bio_vec bv;
	sector_t phys;
	void *buf;

	rq_for_each_segment(bv, rq, iter) {
		buf = bvec_kmap_local(&bv);
		for (done = 0; done < bv.bv_len && !status; done += n) {
			off = sector & (VBS_PAGE_SECTORS - 1);
			n = min_t(unsigned int, bv.bv_len - done,
				  (VBS_PAGE_SECTORS - off) << SECTOR_SHIFT);
			map = &maps[(sector >> VBS_PAGE_SECTORS_SHIFT) -
				    cmd->model_first_page];
			phys = ((sector_t)map->ppn << VBS_PAGE_SECTORS_SHIFT) +
			       off;
			if (write)
				status = vbs_store_write(&dev->store,
							 buf + done, phys, n,
							 GFP_NOIO);
			else if (map->ppn == VBS_PPN_NONE)
				memset(buf + done, 0, n);
			else
				status = vbs_store_read(&dev->store,
							buf + done, phys, n);
			sector += n >> SECTOR_SHIFT;
		}
		kunmap_local(buf);
		if (status)
			break;
	}
	return status;
}

/**
 * vbs_model_zero() - carry out a write-zeroes request by the maps
 * @dev: the disk.
 * @cmd: the request.
 * @maps: its maps.
 *
 * A whole page is zeroed by freeing it; a partial one (already prepared
 * by vbs_model_prepare()) is zeroed in place over the covered bytes.
 *
 * Context: process context, may sleep.
 */
static void vbs_model_zero(struct vbs_dev *dev, const struct vbs_cmd *cmd,
			   const struct vbs_model_map *maps)
{
	unsigned int i, offset, len;

	for (i = 0; i < cmd->model_pages; i++) {
		if (vbs_model_page_partial(cmd, i, &offset, &len))
			vbs_store_zero_partial(&dev->store, maps[i].ppn,
					       offset, len);
		else
			vbs_store_page_erase(&dev->store, maps[i].ppn);
	}
}

/**
 * vbs_model_execute() - do what an accepted answer says
 * @dev: the disk.
 * @rq: the request, taken out of its slot.
 * @maps: the answer's maps (checked), or NULL when it has none.
 *
 * Context: process context, may sleep.
 * Return: the status of the data movement.
 */
static blk_status_t vbs_model_execute(struct vbs_dev *dev, struct request *rq,
				      const struct vbs_model_map *maps)
{
	struct vbs_cmd *cmd = blk_mq_rq_to_pdu(rq);
	blk_status_t status;

	switch (cmd->model_op) {
	case VBS_OP_READ:
		return vbs_model_transfer(dev, rq, maps);
	case VBS_OP_WRITE:
		status = vbs_model_prepare(dev, cmd, maps);
		if (status)
			return status;
		return vbs_model_transfer(dev, rq, maps);
	case VBS_OP_WRITE_ZEROES:
		status = vbs_model_prepare(dev, cmd, maps);
		if (!status)
			vbs_model_zero(dev, cmd, maps);
		return status;
	default:
		/* Flush and discard move no data: the model did the rest. */
		return BLK_STS_OK;
	}
}

/**
 * vbs_model_answer() - apply one answer
 * @s: the answering session.
 * @a: the answer, copied in.
 * @x: the exchange it came with (for the maps array).
 * @accepted: incremented if the answer completed its request.
 * @rejected: incremented if it was refused.
 *
 * An answer to a request the session does not hold is ignored. An answer
 * to a request it holds is checked in full before any data moves; a bad
 * one fails the request with EIO rather than leaving it to time out.
 *
 * Context: process context, may sleep.
 * Return: 0, or -EFAULT if the maps could not be read (the request then
 * failed with EIO).
 */
static int vbs_model_answer(struct vbs_model_session *s,
			    const struct vbs_model_answer *a,
			    const struct vbs_model_exchange *x,
			    u32 *accepted, u32 *rejected)
{
	struct vbs_dev *dev = s->dev;
	struct vbs_model *m = &dev->model;
	const struct vbs_model_map __user *umaps;
	const struct vbs_model_map *maps = NULL;
	blk_status_t status;
	struct vbs_cmd *cmd;
	struct request *rq;
	u32 expected;
	bool ok;
	int ret = 0;

	rq = vbs_model_take(m, a->id, s);
	if (!rq) {
		(*rejected)++;
		atomic_long_inc(&m->rejected);
		return 0;
	}
	cmd = blk_mq_rq_to_pdu(rq);

	expected = 0;
	if (!a->status && (cmd->model_op == VBS_OP_READ ||
			   cmd->model_op == VBS_OP_WRITE ||
			   cmd->model_op == VBS_OP_WRITE_ZEROES))
		expected = cmd->model_pages;
	ok = vbs_model_status(a->status, &status) && !a->reserved0 &&
	     !a->reserved && a->delay_ns <= VBS_SIM_MAX_NS &&
	     a->nr_maps == expected && expected <= VBS_MODEL_MAX_REQ_PAGES &&
	     a->map_index <= x->nr_maps && expected <= x->nr_maps - a->map_index;
	if (ok && expected) {
		umaps = u64_to_user_ptr(x->maps);
		if (copy_from_user(s->maps, umaps + a->map_index,
				   expected * sizeof(*s->maps))) {
			ret = -EFAULT;
			ok = false;
		} else {
			ok = vbs_model_maps_ok(m, cmd, s->maps);
			maps = s->maps;
		}
	}
	if (!ok) {
		(*rejected)++;
		atomic_long_inc(&m->rejected);
		cmd->status = BLK_STS_IOERR;
		vbs_complete(dev, rq);
		return ret;
	}

	if (!status)
		status = vbs_model_execute(dev, rq, maps);
	(*accepted)++;
	cmd->status = status;
	cmd->done_ns = a->delay_ns ? ktime_get_ns() + a->delay_ns :
		       cmd->start_ns;
	cmd->early_ns = vbs_sim_early(READ_ONCE(dev->sim.params.delivery_ns),
				      cmd);
	vbs_complete_at(dev, rq);
	return 0;
}

/**
 * vbs_model_unfetch() - give back descriptors the model never received
 * @s: the session.
 * @reqs: descriptors that could not be copied out.
 * @n: how many.
 *
 * The requests go back to the head of the pending list, in order.
 */
static void vbs_model_unfetch(struct vbs_model_session *s,
			      const struct vbs_model_req *reqs, unsigned int n)
{
	struct vbs_model *m = &s->dev->model;
	struct vbs_cmd *cmd;
	u32 slot;

	spin_lock(&m->lock);
	while (n--) {
		slot = lower_32_bits(reqs[n].id);
		if (!m->slots[slot])
			continue;
		cmd = blk_mq_rq_to_pdu(m->slots[slot]);
		if (cmd->model_id != reqs[n].id || cmd->model_owner != s)
			continue;
		cmd->model_owner = NULL;
		list_move(&cmd->model_node, &m->pending);
		m->nr_pending++;
	}
	spin_unlock(&m->lock);
	wake_up(&m->wq);
}

/**
 * vbs_model_fetch() - hand pending requests to a session
 * @s: the session.
 * @x: the exchange; @x->nr_reqs is set.
 * @answered: the exchange carried answers (see the -EINTR rule).
 *
 * Context: process context, may sleep (waits for a request).
 * Return: 0, -EINTR, or -EFAULT.
 */
static int vbs_model_fetch(struct vbs_model_session *s,
			   struct vbs_model_exchange *x, bool answered)
{
	struct vbs_model *m = &s->dev->model;
	struct vbs_model_req __user *ureqs = u64_to_user_ptr(x->reqs);
	struct vbs_model_req *d;
	struct vbs_cmd *cmd;
	unsigned int n;
	long timeout;
	long t;

	x->nr_reqs = 0;
	if (!x->max_reqs)
		return 0;
	if (x->timeout_ms) {
		timeout = x->timeout_ms == VBS_MODEL_WAIT_FOREVER ?
			  MAX_SCHEDULE_TIMEOUT :
			  (long)msecs_to_jiffies(x->timeout_ms);
		t = wait_event_interruptible_timeout(m->wq,
						     READ_ONCE(m->nr_pending) ||
						     READ_ONCE(m->dying),
						     timeout);
		if (t < 0)
			return answered ? 0 : -EINTR;
	}

	while (x->nr_reqs < x->max_reqs) {
		n = 0;
		spin_lock(&m->lock);
		while (n < VBS_MODEL_CHUNK && x->nr_reqs + n < x->max_reqs &&
		       !list_empty(&m->pending)) {
			cmd = list_first_entry(&m->pending, struct vbs_cmd,
					       model_node);
			list_move_tail(&cmd->model_node, &s->fetched);
			m->nr_pending--;
			cmd->model_owner = s;
			d = &s->reqs[n++];
			d->id = cmd->model_id;
			d->op = cmd->model_op;
			d->flags = cmd->model_flags;
			d->sector = cmd->model_sector;
			d->nr_sectors = cmd->model_nr_sectors;
			d->nr_pages = cmd->model_pages;
			d->first_page = cmd->model_first_page;
			d->reserved = 0;
		}
		spin_unlock(&m->lock);
		if (!n)
			break;
		if (copy_to_user(ureqs + x->nr_reqs, s->reqs,
				 n * sizeof(*s->reqs))) {
			vbs_model_unfetch(s, s->reqs, n);
			return -EFAULT;
		}
		x->nr_reqs += n;
	}
	return 0;
}

/**
 * vbs_model_exchange() - VBS_CTL_MODEL_EXCHANGE
 * @s: the session.
 * @uarg: user address of a struct vbs_model_exchange.
 *
 * Context: process context, may sleep.
 * Return: 0 or a negative errno.
 */
static int vbs_model_exchange(struct vbs_model_session *s, void __user *uarg)
{
	const struct vbs_model_answer __user *uans;
	struct vbs_model_exchange x;
	unsigned int i, n, done = 0;
	u32 accepted = 0, rejected = 0;
	int ret, out;

	ret = vbs_copy_struct_in(&x, sizeof(x), VBS_MODEL_EXCHANGE_SIZE_VER0,
				 uarg);
	if (ret)
		return ret;
	if (x.flags || x.reserved0 || x.reserved[0] || x.reserved[1] ||
	    x.nr_answers > VBS_MODEL_MAX_BATCH ||
	    x.nr_maps > VBS_MODEL_MAX_BATCH * VBS_MODEL_MAX_REQ_PAGES ||
	    x.max_reqs > VBS_MODEL_MAX_BATCH)
		return -EINVAL;
	x.nr_reqs = 0;

	/* Answers first, a chunk at a time, in the order given. */
	uans = u64_to_user_ptr(x.answers);
	while (done < x.nr_answers && !ret) {
		n = min_t(unsigned int, x.nr_answers - done, VBS_MODEL_CHUNK);
		if (copy_from_user(s->answers, uans + done,
				   n * sizeof(*s->answers))) {
			ret = -EFAULT;
			break;
		}
		for (i = 0; i < n && !ret; i++)
			ret = vbs_model_answer(s, &s->answers[i], &x,
					       &accepted, &rejected);
		done += n;
		cond_resched();
	}

	/* Then the next batch, unless the answers could not be read. */
	if (!ret)
		ret = vbs_model_fetch(s, &x, x.nr_answers);

	x.accepted = accepted;
	x.rejected = rejected;
	out = vbs_copy_struct_out(uarg, &x, sizeof(x));
	return ret ? ret : out;
}

/**
 * vbs_model_page_ops_ok() - check a batch of page operations
 * @m: the disk's model state.
 * @ops: the operations.
 * @n: how many.
 *
 * Return: true if every operation is valid.
 */
static bool vbs_model_page_ops_ok(const struct vbs_model *m,
				  const struct vbs_model_page_op *ops,
				  unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (ops[i].reserved0 ||
		    !vbs_model_page_ok(m, ops[i].src, false))
			return false;
		switch (ops[i].op) {
		case VBS_PAGE_OP_COPY:
			if (!vbs_model_page_ok(m, ops[i].dst, false))
				return false;
			break;
		case VBS_PAGE_OP_TRIM:
			if (ops[i].dst != VBS_PPN_NONE)
				return false;
			break;
		default:
			return false;
		}
	}
	return true;
}

/**
 * vbs_model_pages() - VBS_CTL_MODEL_PAGES: copy and trim physical pages
 * @s: the session.
 * @uarg: user address of a struct vbs_model_pages.
 *
 * The whole batch is read and checked before anything is done, so a bad
 * batch changes nothing. Garbage collection copies the live pages out of
 * a block and trims the block; the copies go through the store's own
 * page replacement, so a reader racing with them sees the old page or the
 * new one, never a mix.
 *
 * Context: process context, may sleep.
 * Return: 0, -EINVAL, -EFAULT or -ENOMEM.
 */
static int vbs_model_pages(struct vbs_model_session *s, void __user *uarg)
{
	struct vbs_store *store = &s->dev->store;
	struct vbs_model_page_op *ops;
	struct vbs_model_pages p;
	unsigned int i;
	int ret, out;

	ret = vbs_copy_struct_in(&p, sizeof(p), VBS_MODEL_PAGES_SIZE_VER0,
				 uarg);
	if (ret)
		return ret;
	if (!p.nr_ops || p.nr_ops > VBS_MODEL_MAX_BATCH || p.reserved0 ||
	    p.reserved[0] || p.reserved[1])
		return -EINVAL;
	ops = kvmalloc_array(p.nr_ops, sizeof(*ops), GFP_KERNEL);
	if (!ops)
		return -ENOMEM;
	if (copy_from_user(ops, u64_to_user_ptr(p.ops),
			   array_size(p.nr_ops, sizeof(*ops)))) {
		ret = -EFAULT;
		goto out_free;
	}
	if (!vbs_model_page_ops_ok(&s->dev->model, ops, p.nr_ops)) {
		ret = -EINVAL;
		goto out_free;
	}

	p.done = 0;
	for (i = 0; i < p.nr_ops; i++) {
		if (ops[i].op == VBS_PAGE_OP_TRIM) {
			vbs_store_page_erase(store, ops[i].src);
		} else {
			ret = vbs_store_page_copy(store, ops[i].src,
						  ops[i].dst);
			if (ret)
				break;
		}
		p.done++;
		cond_resched();
	}
	out = vbs_copy_struct_out(uarg, &p, sizeof(p));
	if (!ret)
		ret = out;
out_free:
	kvfree(ops);
	return ret;
}

/**
 * vbs_model_attach() - VBS_CTL_MODEL_ATTACH: make the node a session
 * @file: the open control node.
 * @dev: the disk, found by its index, with a reference that the session
 *	takes over on success.
 * @a: the argument, copied in and checked; its output fields are filled.
 * @uarg: where @a goes back to.
 *
 * Context: process context, may sleep.
 * Return: 0, -EINVAL (not a model disk), -EBUSY (the node is already a
 * session, or the disk is going away), -EFAULT or -ENOMEM.
 */
int vbs_model_attach(struct file *file, struct vbs_dev *dev,
		     struct vbs_model_attach *a, void __user *uarg)
{
	struct vbs_model_session *s;
	struct vbs_model *m = &dev->model;
	int ret;

	if (READ_ONCE(file->private_data))
		return -EBUSY;

	s = kzalloc(sizeof(*s), GFP_KERNEL);
	if (!s)
		return -ENOMEM;
	mutex_init(&s->lock);
	INIT_LIST_HEAD(&s->fetched);
	s->flags = a->flags;
	ret = vbs_model_session_add(dev, s);
	if (ret)
		goto out_free;

	a->session = s->id;
	a->logical_pages = m->logical_pages;
	a->physical_pages = m->physical_pages;
	a->sectors_per_page = VBS_PAGE_SECTORS;
	a->max_req_pages = VBS_MODEL_MAX_REQ_PAGES;
	ret = vbs_copy_struct_out(uarg, a, sizeof(*a));
	if (ret)
		goto out_detach;

	/* Two attaches racing on one node: only the first one publishes. */
	if (cmpxchg(&file->private_data, NULL, s)) {
		ret = -EBUSY;
		goto out_detach;
	}
	return 0;

out_detach:
	vbs_model_detach(s);
out_free:
	kfree(s);
	return ret;
}

/**
 * vbs_model_ioctl() - the session commands of the control node
 * @file: the open control node.
 * @cmd: VBS_IOC_ID() of VBS_CTL_MODEL_EXCHANGE or VBS_CTL_MODEL_PAGES.
 * @uarg: the argument.
 *
 * Context: process context, may sleep.
 * Return: 0 or a negative errno; -ENOTCONN on a node that is not a session.
 */
long vbs_model_ioctl(struct file *file, unsigned int cmd, void __user *uarg)
{
	struct vbs_model_session *s = READ_ONCE(file->private_data);
	unsigned int noio;
	long ret;

	if (!s)
		return -ENOTCONN;
	if (mutex_lock_interruptible(&s->lock))
		return -EINTR;
	/* See "Memory reclaim" in the DOC above: no allocation may wait on I/O. */
	noio = memalloc_noio_save();
	if (cmd == VBS_IOC_ID(VBS_CTL_MODEL_EXCHANGE))
		ret = vbs_model_exchange(s, uarg);
	else
		ret = vbs_model_pages(s, uarg);
	memalloc_noio_restore(noio);
	mutex_unlock(&s->lock);
	return ret;
}

/**
 * vbs_model_release() - the control node is closed: detach its session
 * @file: the node.
 *
 * Runs when the last reference to the open file goes, including when the
 * model process is killed, so a dead model never leaves requests behind.
 *
 * Context: process context, may sleep.
 */
void vbs_model_release(struct file *file)
{
	struct vbs_model_session *s = file->private_data;
	struct vbs_dev *dev;

	if (!s)
		return;
	dev = s->dev;
	vbs_model_detach(s);
	kfree(s);
	/* Last: this may be the disk's last reference, and free it. */
	vbs_dev_put(dev);
}
