// SPDX-License-Identifier: GPL-2.0
/*
 * virtblkiosim - the blk-mq request path.
 *
 * This file owns a request from the moment blk-mq hands it to the driver
 * (->queue_rq) until it is completed: it decides what the request does,
 * moves its data through the page store, counts it, and ends it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bvec.h>
#include <linux/highmem.h>
#include <linux/hrtimer.h>
#include <linux/ktime.h>
#include <linux/log2.h>

#include "compat.h"
#include "vbs.h"

/*
 * The workqueue of deferred requests (vbs_deferred_work()), shared by every
 * disk; made and destroyed with the module's disks (dev.c).
 */
struct workqueue_struct *vbs_wq;

/**
 * DOC: The request path
 *
 * A block driver on Linux 6.x is either "bio-based" (it gets each bio as
 * the filesystem submitted it, like brd) or "blk-mq" (it gets requests from
 * the multi-queue block layer). virtblkiosim is blk-mq because that is
 * what real storage drivers are, and because blk-mq gives it, for free:
 * per-CPU software queues mapped onto N hardware queues (so CPUs do not
 * contend), a bounded number of requests in flight (tags = queue depth),
 * merging of adjacent I/O, an I/O scheduler if one is wanted, request
 * timeouts, and standard I/O accounting (/sys/block/X/stat).
 *
 * Every request takes the same steps in vbs_queue_rq():
 *
 *  1. blk_mq_start_request(): the request is now "on the device"; a
 *     write to a read-only disk fails here, whichever path follows.
 *  2. on a model disk, hand the request to the userland model
 *     (model.c); if the simulation engine is active, hand it to the
 *     engine (vbs_queue_sim(), below); either way, stop here;
 *  3. vbs_execute(): do what it asks (copy data, free pages, ...).
 *  4. count it in the per-CPU statistics.
 *  5. blk_mq_end_request(): report the status to the submitter (on a
 *     poll queue, at the submitter's next poll: vbs_end_inline()).
 *
 * With the engine off (the default) the device completes inline: the data
 * lives in RAM, so there is nothing to wait for, and the only cost of the
 * engine is the test in step 2.
 *
 * With the engine on (sim.c), the request first learns its fate from the
 * fault rules and its completion time from the device model, then its data
 * moves, and then it completes: inline if that time has already come, or
 * later from a high-resolution timer embedded in its driver data.
 *
 * Why an hrtimer and not a sleep or a workqueue: ->queue_rq must return
 * quickly so blk-mq can hand us the next request; the simulated device
 * serves many at once. A sleeping wait would hold the submitting task (and
 * with it the hardware queue) for the whole service time; a delayed
 * workqueue has jiffy resolution (1-4 ms). An hrtimer fires within
 * microseconds of the time it is given and costs no thread. Its callback
 * runs in hard-irq context (in softirq context on a PREEMPT_RT kernel,
 * where timers not marked HARD are moved there) and plays the part of the
 * device's interrupt: it calls blk_mq_complete_request(), as every path
 * that ends a request later does (complete.c).
 *
 * Three more entry points make the path what a modern blk-mq driver's is:
 *
 *  - ->queue_rqs takes a whole plug's list of requests in one call
 *    (vbs_queue_rqs());
 *  - poll queues (the poll_queues parameter, nr_poll_queues per disk):
 *    io_uring with IORING_SETUP_IOPOLL sends its I/O there and, instead
 *    of sleeping until it is woken, calls ->poll (vbs_poll()) until its
 *    requests are done; a request finished inline on a poll queue waits
 *    on the queue's list for that poll, which ends the finished requests
 *    in one batch (blk_mq_add_to_batch(), blk_mq_end_request_batch());
 *  - ->map_queues says which hardware queues are the poll ones.
 *
 * Who ends a waiting request: its timer, or the blk-mq timeout handler
 * (a request hung by a timeout fault, or one whose service time is longer
 * than the request timeout), or the removal of the disk. They race; an
 * atomic state in &vbs_cmd.state makes exactly one of them the winner.
 */

/**
 * vbs_transfer() - move a read or write request's data
 * @dev: the disk.
 * @rq: the request; its memory is described by bio_vec segments.
 * @write: true to copy into the disk, false to copy out of it.
 * @gfp: how a write may allocate store pages.
 *
 * rq_for_each_segment() walks the request's memory one page-sized piece at
 * a time, whatever the bios it was built from. bvec_kmap_local() gives a
 * kernel address for each piece (a no-op on 64-bit, a temporary mapping
 * for highmem on 32-bit). The store, or the write cache in front of it,
 * does the rest.
 *
 * Context: reads never sleep; writes may only if @gfp allows.
 * Return: BLK_STS_OK or the store's error.
 */
static blk_status_t vbs_transfer(struct vbs_dev *dev, struct request *rq,
				 bool write, gfp_t gfp)
{
	sector_t sector = vbs_request_sector(rq);
	bool fua = write && vbs_request_fua(rq);
	struct req_iterator iter;
	blk_status_t status = BLK_STS_OK;
	struct bio_vec bv;
	void *buf;

	rq_for_each_segment(bv, rq, iter) {
		buf = bvec_kmap_local(&bv);
		if (write)
			status = vbs_media_write(dev, buf, sector, bv.bv_len,
						 fua, gfp);
		else
			status = vbs_media_read(dev, buf, sector, bv.bv_len);
		kunmap_local(buf);
		if (status)
			break;
		sector += bv.bv_len >> SECTOR_SHIFT;
	}
	return status;
}

/**
 * vbs_execute() - carry out what a request asks of the device
 * @dev: the disk.
 * @rq: the request, already started.
 * @op: its VBS_OP_* index (REQ_OP_DRV_IN/OUT, the ioctl's passthrough
 *	requests, are reads and writes), or -1.
 * @gfp: GFP_NOWAIT when called from ->queue_rq, which must not sleep;
 *	GFP_NOIO from the deferred work, which may.
 *
 * FLUSH makes the writes in the volatile write cache durable; on a disk
 * without a cache the block layer never sends one, as every completed
 * write is already in the store. DISCARD and WRITE_ZEROES both leave the
 * range reading as zeros; the store frees the whole pages.
 *
 * What can be done without sleeping is done at once: reads (lock-free
 * lookups, see store.c) and writes into the store whose pages exist or
 * can be had without reclaim. What may sleep is refused with
 * BLK_STS_AGAIN when @gfp forbids sleeping, and the caller defers the
 * request: a write whose page allocation failed (written again from the
 * start, which is harmless), every write, flush and zeroing on a disk
 * with a write cache (its stripe mutexes, and a flush walks the whole
 * cache), and discard and write-zeroes (freeing a large range takes a
 * while, with cond_resched() between pages).
 *
 * Return: the status to complete the request with, or BLK_STS_AGAIN.
 */
static blk_status_t vbs_execute(struct vbs_dev *dev, struct request *rq,
				int op, gfp_t gfp)
{
	bool nowait = !gfpflags_allow_blocking(gfp);
	blk_status_t status;

	switch (op) {
	case VBS_OP_READ:
		return vbs_transfer(dev, rq, false, gfp);
	case VBS_OP_WRITE:
		if (nowait && dev->cache.on)
			return BLK_STS_AGAIN;
		status = vbs_transfer(dev, rq, true, gfp);
		if (status == BLK_STS_RESOURCE && nowait)
			return BLK_STS_AGAIN;
		return status;
	case VBS_OP_FLUSH:
		if (!dev->cache.on)
			return BLK_STS_OK;
		if (nowait)
			return BLK_STS_AGAIN;
		return vbs_cache_flush(dev);
	case VBS_OP_DISCARD:
	case VBS_OP_WRITE_ZEROES:
		if (nowait)
			return BLK_STS_AGAIN;
		vbs_media_zero(dev, blk_rq_pos(rq), blk_rq_bytes(rq));
		return BLK_STS_OK;
	default:
		return BLK_STS_NOTSUPP;
	}
}

/**
 * vbs_defer() - hand a request to its queue's work item
 * @hctx: the hardware queue the request came on.
 * @rq: the request, started.
 * @sim: the engine has planned it already (vbs_queue_sim()).
 *
 * llist_add() reports whether the list was empty; only then is the work
 * queued (queueing it while it is pending would do nothing anyway, and a
 * running work item takes the list again before it finishes).
 *
 * Context: any.
 */
static void vbs_defer(struct blk_mq_hw_ctx *hctx, struct request *rq,
		      bool sim)
{
	struct vbs_hwq *hwq = hctx->driver_data;
	struct vbs_cmd *cmd = blk_mq_rq_to_pdu(rq);

	this_cpu_inc(hwq->dev->stats->deferred);
	cmd->defer_sim = sim;
	if (llist_add(&cmd->defer_node, &hwq->deferred))
		queue_work(vbs_wq, &hwq->work);
}

/**
 * vbs_sim_execute() - the data and the completion of a planned request
 * @dev: the disk.
 * @hctx: the hardware queue the request came on.
 * @rq: the request, planned by vbs_sim_plan().
 * @gfp: as vbs_execute().
 *
 * Context: ->queue_rq (@gfp GFP_NOWAIT) or the deferred work (GFP_NOIO).
 */
static void vbs_sim_execute(struct vbs_dev *dev, struct blk_mq_hw_ctx *hctx,
			    struct request *rq, gfp_t gfp)
{
	struct vbs_cmd *cmd = blk_mq_rq_to_pdu(rq);
	blk_status_t status = BLK_STS_OK;

	/*
	 * b. Move the data. An error, a hang or a lost write means the
	 * device did not do the operation; a corrupting read does it and
	 * then damages what it returns. What cannot be done without
	 * sleeping goes to the work item, with its plan.
	 */
	if (!cmd->effect || cmd->effect == VBS_FAULT_CORRUPT) {
		status = vbs_execute(dev, rq, cmd->op, gfp);
		if (status == BLK_STS_AGAIN) {
			vbs_defer(hctx, rq, true);
			return;
		}
		cmd->status = status;
		if (cmd->effect == VBS_FAULT_CORRUPT && !status)
			vbs_fault_corrupt(rq, vbs_request_sector(rq), cmd);
	}

	/*
	 * c. A hung request is never completed by us: the block layer's
	 * timeout handler (vbs_timeout_rq()) will end it.
	 */
	if (cmd->effect == VBS_FAULT_TIMEOUT) {
		atomic_set(&cmd->state, VBS_CMD_WAITING);
		return;
	}

	/* d. Complete it at its completion time. */
	vbs_complete_at(dev, rq);
}

/**
 * vbs_queue_sim() - the request path when the simulation engine is on
 * @dev: the disk.
 * @hctx: the hardware queue the request came on.
 * @rq: the request, already started.
 *
 * Context: ->queue_rq; must not sleep.
 */
static void vbs_queue_sim(struct vbs_dev *dev, struct blk_mq_hw_ctx *hctx,
			  struct request *rq)
{
	struct vbs_cmd *cmd = blk_mq_rq_to_pdu(rq);

	/*
	 * a. Ask the engine: does a fault rule fire, and when does the
	 * device complete the request? The clock is read once, here, right
	 * after blk_mq_start_request(): latency is measured from this point,
	 * and the data copy below overlaps the simulated service time.
	 */
	cmd->start_ns = ktime_get_ns();
	vbs_sim_plan(dev, cmd->op, vbs_request_sector(rq), blk_rq_bytes(rq),
		     cmd);
	vbs_sim_execute(dev, hctx, rq, GFP_NOWAIT);
}

/**
 * vbs_deferred_work() - execute the requests ->queue_rq deferred
 * @work: &vbs_hwq.work of one hardware queue.
 *
 * Runs on vbs_wq, a workqueue with a rescuer thread (WQ_MEM_RECLAIM): the
 * requests here may be what reclaim is waiting for (swap on the disk, or
 * the writeback of a filesystem on it), so they must make progress even
 * when no new worker thread can be created. Here the store allocates with
 * GFP_NOIO and the write cache takes its mutexes. Each request then
 * completes as every late completion does: through
 * blk_mq_complete_request(), which hands it back to the CPU that
 * submitted it (complete.c).
 *
 * Context: process context, may sleep.
 */
void vbs_deferred_work(struct work_struct *work)
{
	struct vbs_hwq *hwq = container_of(work, struct vbs_hwq, work);
	struct vbs_dev *dev = hwq->dev;
	struct llist_node *list;
	struct vbs_cmd *cmd, *next;
	struct request *rq;

	list = llist_reverse_order(llist_del_all(&hwq->deferred));
	/* _safe: once completed, a request's tag, and its node, may be reused. */
	llist_for_each_entry_safe(cmd, next, list, defer_node) {
		rq = blk_mq_rq_from_pdu(cmd);
		if (cmd->defer_sim) {
			vbs_sim_execute(dev, rq->mq_hctx, rq, GFP_NOIO);
		} else {
			cmd->status = vbs_execute(dev, rq, cmd->op, GFP_NOIO);
			vbs_account(dev, rq, cmd->op, cmd->status);
			vbs_complete_late(dev, rq);
		}
		cond_resched();
	}
}

/**
 * vbs_end_inline() - end a request ->queue_rq has finished
 * @dev: the disk.
 * @hctx: the hardware queue the request came on.
 * @rq: the request.
 * @status: how it went.
 *
 * On an ordinary queue the request ends now: blk_mq_end_request()
 * finishes every bio of the request (waking the submitter or calling its
 * end_io), updates /sys/block/X/stat, and frees the tag for the next
 * request.
 *
 * On a poll queue the submitter asked not to be woken: it (io_uring with
 * IORING_SETUP_IOPOLL) submits a batch and then calls the queue's ->poll
 * in a loop, as it would read an NVMe completion queue, until its
 * requests are done. So the finished request is only put on the queue's
 * lock-free list, where vbs_poll() finds it and ends it in a batch with
 * the others.
 */
static void vbs_end_inline(struct vbs_dev *dev, struct blk_mq_hw_ctx *hctx,
			   struct request *rq, blk_status_t status)
{
	struct vbs_cmd *cmd;

	if (hctx->type != HCTX_TYPE_POLL) {
		blk_mq_end_request(rq, status);
		return;
	}
	cmd = blk_mq_rq_to_pdu(rq);
	cmd->status = status;
	vbs_complete_late(dev, rq);
}

/**
 * vbs_queue_one() - execute one request handed to the driver
 * @dev: the disk.
 * @hctx: the hardware queue the request was dispatched on.
 * @rq: the request.
 *
 * The one path behind ->queue_rq and ->queue_rqs.
 *
 * Context: blk-mq's dispatch, under rcu_read_lock(); must not sleep.
 */
static void vbs_queue_one(struct vbs_dev *dev, struct blk_mq_hw_ctx *hctx,
			  struct request *rq)
{
	struct vbs_cmd *cmd = blk_mq_rq_to_pdu(rq);
	blk_status_t status;
	int op;

	/*
	 * The operation's statistics slot, worked out once for the whole
	 * path: the store, the engine, the model and the counters use it.
	 */
	op = vbs_op_index(rq);
	cmd->op = op;

	/*
	 * 1. Start the request: blk-mq arms its timeout, marks it in flight
	 * for I/O accounting, and from here on the request is ours until we
	 * end it.
	 */
	blk_mq_start_request(rq);
	this_cpu_inc(dev->stats->started);

	/*
	 * A read-only disk is write-protected hardware, and the driver is the
	 * only place that can enforce it: the block layer refuses to open a
	 * read-only disk for writing, but BLKROSET (blockdev --setrw) clears
	 * the flag on the block device, and bio_check_ro() then only warns
	 * once and lets writes through; passthrough requests are not checked
	 * at all. So every write, discard and write-zeroes ends here with an
	 * I/O error, on a model disk as on any other, before a model or the
	 * engine sees it.
	 */
	if (unlikely(dev->cfg.flags & VBS_CFG_READ_ONLY) &&
	    op_is_write(req_op(rq))) {
		status = BLK_STS_IOERR;
		goto end;
	}

	/*
	 * 2. On a model disk the userland model decides where the data is
	 * and when the request completes (model.c). With the simulation
	 * engine on, it takes over: fault rules, data, service time,
	 * completion now or later. Both off, the tests are two
	 * well-predicted branches and the request completes inline.
	 */
	if (likely(op >= 0)) {
		if (VBS_ENGINE && dev->model.on) {
			vbs_model_queue(dev, hctx, rq, op);
			return;
		}
		if (vbs_sim_active(dev)) {
			vbs_queue_sim(dev, hctx, rq);
			return;
		}
	}

	/*
	 * 3. Execute it against the page store, or, if that would mean
	 * sleeping, leave it to the queue's work item (vbs_execute()).
	 */
	status = vbs_execute(dev, rq, op, GFP_NOWAIT);
	if (unlikely(status == BLK_STS_AGAIN)) {
		vbs_defer(hctx, rq, false);
		return;
	}
end:
	/* 4. Count it. */
	vbs_account(dev, rq, op, status);

	/* 5. Complete it, now or at the submitter's next poll. */
	vbs_end_inline(dev, hctx, rq, status);
}

/**
 * vbs_queue_rq() - blk-mq's entry into the driver: execute one request
 * @hctx: the hardware queue the request was dispatched on.
 * @bd: the request (bd->rq) and whether more follow (bd->last).
 *
 * Called by blk-mq for every request it does not hand over in a batch
 * (->queue_rqs), on any CPU, concurrently on all hardware queues; with
 * the engine off nothing here takes a lock shared between queues.
 *
 * Context: blk-mq's dispatch: the submitting task, or the kblockd worker
 * running the queue, under rcu_read_lock() and possibly with preemption
 * off; must not sleep. A driver may set BLK_MQ_F_BLOCKING on its tag set
 * to be called where it may sleep instead, but then every dispatch pays
 * for an SRCU read section, and blk-mq cannot issue from a context that
 * may not sleep, so it punts more work to kblockd. The little that may
 * sleep here (allocation under memory pressure, the write cache, large
 * discards) goes to a work item instead (vbs_execute(), vbs_defer()).
 * Return: BLK_STS_OK: the request was accepted (and completed, or will
 * be). Returning an error instead would make blk-mq end it for us;
 * returning BLK_STS_RESOURCE would make blk-mq retry it later.
 */
static blk_status_t vbs_queue_rq(struct blk_mq_hw_ctx *hctx,
				 const struct blk_mq_queue_data *bd)
{
	vbs_queue_one(hctx->queue->queuedata, hctx, bd->rq);
	return BLK_STS_OK;
}

/**
 * vbs_queue_rqs() - blk-mq's batched entry: execute a plug's requests
 * @rqlist: the requests, in submission order.
 *
 * A task that submits several bios under a plug (io_uring submitting a
 * batch, the page cache writing back, a filesystem's journal) has its
 * requests collected on the plug, not dispatched one by one. When the
 * plug is flushed and every request is for this queue with no I/O
 * scheduler, blk-mq hands the whole list over in one call instead of one
 * ->queue_rq call per request: one indirect call, and one pass of blk-mq's
 * dispatch bookkeeping, for the batch. The requests may belong to
 * different hardware queues (the task may have moved between CPUs), so
 * each is executed on its own rq->mq_hctx. A driver leaves on the list
 * the requests it could not take, and blk-mq issues those one by one;
 * ours takes them all.
 *
 * The list's type changed in 6.13 (VBS_RQ_LIST, compat.h); rq_list_pop()
 * takes either.
 *
 * Context: as ->queue_rq; must not sleep.
 */
static void vbs_queue_rqs(VBS_RQ_LIST *rqlist)
{
	struct request *rq;

	while ((rq = rq_list_pop(rqlist))) {
		struct vbs_dev *dev = rq->q->queuedata;

		this_cpu_inc(dev->stats->batched);
		vbs_queue_one(dev, rq->mq_hctx, rq);
	}
}

/**
 * vbs_poll() - blk-mq's ->poll: end what a poll queue has finished
 * @hctx: a poll queue.
 * @iob: the submitter's completion batch (NULL when the poll comes from
 *	a path that cannot batch).
 *
 * io_uring calls this, through bio_poll() and blk_mq_poll(), in a loop
 * for the queue its polled requests went to, until they are done. Each
 * request found is added to @iob with blk_mq_add_to_batch(), and the
 * submitter ends the whole batch with vbs_complete_batch() (complete.c)
 * when its loop is over. Requests the engine, a model or the work item
 * completes later come here too: they are put on the same list
 * (vbs_complete_late()) when the device is done with them.
 *
 * Context: the polling task, preemption enabled; must not sleep.
 * Return: the number of requests found finished, 0 if none (the caller
 * then polls again, or stops after its time).
 */
static int vbs_poll(struct blk_mq_hw_ctx *hctx, struct io_comp_batch *iob)
{
	struct vbs_dev *dev = hctx->queue->queuedata;
	int ended;

	if (hctx->type != HCTX_TYPE_POLL)
		return 0;
	ended = vbs_poll_end(dev, hctx, iob, NULL, NULL);
	if (ended)
		this_cpu_add(dev->stats->polled, ended);
	return ended;
}

/**
 * vbs_map_queues() - tell blk-mq which hardware queues serve which I/O
 * @set: the disk's tag set.
 *
 * blk-mq calls it when the tag set is created, with one map for a disk
 * without poll queues and all of them (HCTX_MAX_TYPES, vbs_dev_prepare())
 * for a disk with. The hardware queues are numbered in one range: the
 * default ones first, then the poll ones. Each map gets its
 * count and where it starts, and blk_mq_map_queues() spreads the CPUs
 * over that map's queues. The HCTX_TYPE_READ map (reads on queues of
 * their own, as some NVMe setups do) stays empty, so reads use the
 * default queues.
 *
 * Context: process context (tag set creation).
 */
static void vbs_map_queues(struct blk_mq_tag_set *set)
{
	struct vbs_dev *dev = set->driver_data;
	struct blk_mq_queue_map *map;
	unsigned int type, offset = 0;

	for (type = 0; type < set->nr_maps; type++) {
		map = &set->map[type];
		switch (type) {
		case HCTX_TYPE_DEFAULT:
			map->nr_queues = dev->cfg.nr_hw_queues;
			break;
		case HCTX_TYPE_POLL:
			map->nr_queues = dev->cfg.nr_poll_queues;
			break;
		default:
			map->nr_queues = 0;
			continue;
		}
		map->queue_offset = offset;
		offset += map->nr_queues;
		blk_mq_map_queues(map);
	}
}

/**
 * vbs_timeout_rq() - blk-mq's request timeout expired
 * @rq: a request we started longer than the request timeout ago.
 *
 * blk-mq calls this when a request is still with the driver after
 * q->rq_timeout (30 s by default; VBS_IOC_SET_SIM timeout_ms). A request
 * hung by a timeout fault, or with a service time longer than that, or
 * held by a userland model that did not answer in time, is ended here
 * with BLK_STS_TIMEOUT: the submitter gets ETIMEDOUT, and the
 * disk carries on with its other requests. hrtimer_cancel() makes sure
 * the request's timer is neither pending nor running before the request
 * is ended (and its tag possibly reused).
 *
 * Context: process context (blk-mq's timeout work), may sleep.
 * Return: BLK_EH_DONE when we ended the request; BLK_EH_RESET_TIMER for a
 * request we are still executing or completing right now (wait again).
 */
static enum blk_eh_timer_return vbs_timeout_rq(struct request *rq)
{
	struct vbs_cmd *cmd = blk_mq_rq_to_pdu(rq);
	struct vbs_dev *dev = rq->q->queuedata;

	/* A request a model holds and never answered. */
	if (dev->model.on && vbs_model_timeout(dev, rq)) {
		if (rq->mq_hctx->type == HCTX_TYPE_POLL)
			vbs_poll_end(dev, rq->mq_hctx, NULL, NULL, NULL);
		return BLK_EH_DONE;
	}

	/*
	 * A request a poll queue finished, and nobody polled for since: a
	 * driver whose completions are only seen by polling looks for them
	 * here too, as NVMe's timeout handler does, and ends what it finds.
	 */
	if (rq->mq_hctx->type == HCTX_TYPE_POLL) {
		bool seen = false;

		vbs_poll_end(dev, rq->mq_hctx, NULL, rq, &seen);
		if (seen)
			return BLK_EH_DONE;
	}

	if (atomic_cmpxchg(&cmd->state, VBS_CMD_WAITING, VBS_CMD_IDLE) !=
	    VBS_CMD_WAITING)
		return BLK_EH_RESET_TIMER;
	hrtimer_cancel(&cmd->timer);
	cmd->status = BLK_STS_TIMEOUT;
	vbs_complete(dev, rq);
	/*
	 * On a poll queue that only put the request on the queue's list;
	 * end it now rather than wait for a poll that may never come.
	 */
	if (rq->mq_hctx->type == HCTX_TYPE_POLL)
		vbs_poll_end(dev, rq->mq_hctx, NULL, NULL, NULL);
	return BLK_EH_DONE;
}

/**
 * vbs_init_request() - prepare a request's driver data, once
 * @set: the tag set.
 * @rq: one of its requests (also each hardware queue's flush request).
 * @hctx_idx: the hardware queue it belongs to.
 *
 * blk-mq allocates every request of the tag set up front and calls
 * ->init_request for each, so per-request setup costs nothing on the I/O
 * path: the completion timer (vbs_cmd_init(), complete.c) and the model
 * protocol's fields.
 *
 * blk-mq also passes the memory node the request was allocated on, an
 * unsigned int before 7.2 and an int since: VBS_DEFINE_INIT_REQUEST()
 * (compat.h) wraps this function in the prototype the kernel has.
 *
 * Context: process context (tag set or queue creation).
 * Return: 0.
 */
static int vbs_init_request(struct blk_mq_tag_set *set, struct request *rq,
			    unsigned int hctx_idx)
{
	struct vbs_cmd *cmd = blk_mq_rq_to_pdu(rq);

	vbs_cmd_init(cmd);
	INIT_LIST_HEAD(&cmd->model_node);
	cmd->model_slot = U32_MAX;
	return 0;
}

VBS_DEFINE_INIT_REQUEST(vbs_init_request_cb, vbs_init_request)

/**
 * vbs_init_hctx() - attach the driver's state to a hardware queue
 * @hctx: the hardware queue.
 * @data: tag_set.driver_data: the disk.
 * @hctx_idx: its index, 0 .. vbs_nr_queues() - 1.
 *
 * Context: process context (queue creation).
 * Return: 0.
 */
static int vbs_init_hctx(struct blk_mq_hw_ctx *hctx, void *data,
			 unsigned int hctx_idx)
{
	struct vbs_dev *dev = data;

	hctx->driver_data = &dev->hwqs[hctx_idx];
	return 0;
}

const struct blk_mq_ops vbs_mq_ops = {
	.queue_rq	= vbs_queue_rq,
	.queue_rqs	= vbs_queue_rqs,
	.complete	= vbs_complete_rq,
	.poll		= vbs_poll,
	.map_queues	= vbs_map_queues,
	.init_hctx	= vbs_init_hctx,
	.timeout	= vbs_timeout_rq,
	.init_request	= VBS_INIT_REQUEST(vbs_init_request_cb),
};
