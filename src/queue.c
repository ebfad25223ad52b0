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
 *  5. blk_mq_end_request(): report the status to the submitter.
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
 * where timers not marked HARD are moved there), and blk_mq_end_request()
 * may be called from either. A real driver's interrupt handler would
 * rather call blk_mq_complete_request(), which can move the completion to
 * the CPU that submitted the request; the timer already fires on that
 * CPU (it was started there), so ending the request directly is enough.
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
 *
 * rq_for_each_segment() walks the request's memory one page-sized piece at
 * a time, whatever the bios it was built from. bvec_kmap_local() gives a
 * kernel address for each piece (a no-op on 64-bit, a temporary mapping
 * for highmem on 32-bit). The store, or the write cache in front of it,
 * does the rest.
 *
 * Context: process context (BLK_MQ_F_BLOCKING), may sleep.
 * Return: BLK_STS_OK or the store's error.
 */
static blk_status_t vbs_transfer(struct vbs_dev *dev, struct request *rq,
				 bool write)
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
						 fua);
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
 *
 * FLUSH makes the writes in the volatile write cache durable; on a disk
 * without a cache the block layer never sends one, as every completed
 * write is already in the store. DISCARD and WRITE_ZEROES both leave the
 * range reading as zeros; the store frees the whole pages.
 *
 * Context: process context (BLK_MQ_F_BLOCKING), may sleep.
 * Return: the status to complete the request with.
 */
static blk_status_t vbs_execute(struct vbs_dev *dev, struct request *rq)
{
	switch (req_op(rq)) {
	case REQ_OP_READ:
	case REQ_OP_DRV_IN:
		return vbs_transfer(dev, rq, false);
	case REQ_OP_WRITE:
	case REQ_OP_DRV_OUT:
		return vbs_transfer(dev, rq, true);
	case REQ_OP_FLUSH:
		if (!dev->cache.on)
			return BLK_STS_OK;
		return vbs_cache_flush(dev);
	case REQ_OP_DISCARD:
	case REQ_OP_WRITE_ZEROES:
		vbs_media_zero(dev, blk_rq_pos(rq), blk_rq_bytes(rq));
		return BLK_STS_OK;
	default:
		return BLK_STS_NOTSUPP;
	}
}

/**
 * vbs_queue_sim() - the request path when the simulation engine is on
 * @dev: the disk.
 * @rq: the request, already started.
 * @op: its VBS_OP_* index.
 *
 * Context: process context (BLK_MQ_F_BLOCKING), may sleep.
 */
static void vbs_queue_sim(struct vbs_dev *dev, struct request *rq, int op)
{
	struct vbs_cmd *cmd = blk_mq_rq_to_pdu(rq);
	sector_t sector = vbs_request_sector(rq);

	/*
	 * a. Ask the engine: does a fault rule fire, and when does the
	 * device complete the request? The clock is read once, here, right
	 * after blk_mq_start_request(): latency is measured from this point,
	 * and the data copy below overlaps the simulated service time.
	 */
	cmd->start_ns = ktime_get_ns();
	vbs_sim_plan(dev, op, sector, blk_rq_bytes(rq), cmd);

	/*
	 * b. Move the data. An error, a hang or a lost write means the
	 * device did not do the operation; a corrupting read does it and
	 * then damages what it returns.
	 */
	switch (cmd->effect) {
	case 0:
		cmd->status = vbs_execute(dev, rq);
		break;
	case VBS_FAULT_CORRUPT:
		cmd->status = vbs_execute(dev, rq);
		if (!cmd->status)
			vbs_fault_corrupt(rq, sector, cmd);
		break;
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
 * vbs_queue_rq() - blk-mq's entry into the driver: execute one request
 * @hctx: the hardware queue the request was dispatched on.
 * @bd: the request (bd->rq) and whether more follow (bd->last).
 *
 * Called by blk-mq for every request, on any CPU, concurrently on all
 * hardware queues; with the engine off nothing here takes a lock shared
 * between queues.
 *
 * Context: process context: the tag set is BLK_MQ_F_BLOCKING, which makes
 * blk-mq call us where we may sleep (page allocation in the store, and
 * cond_resched() in long discards). Without that flag ->queue_rq runs
 * under rcu_read_lock() and must never sleep; a RAM disk would then have
 * to allocate with GFP_NOWAIT and fail writes under memory pressure.
 * Return: BLK_STS_OK: the request was accepted (and completed, or will
 * be). Returning an error instead would make blk-mq end it for us;
 * returning BLK_STS_RESOURCE would make blk-mq retry it later.
 */
static blk_status_t vbs_queue_rq(struct blk_mq_hw_ctx *hctx,
				 const struct blk_mq_queue_data *bd)
{
	struct vbs_dev *dev = hctx->queue->queuedata;
	struct request *rq = bd->rq;
	blk_status_t status;
	int op;

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
		vbs_account(dev, rq, BLK_STS_IOERR);
		blk_mq_end_request(rq, BLK_STS_IOERR);
		return BLK_STS_OK;
	}

	/*
	 * 2. On a model disk the userland model decides where the data is
	 * and when the request completes (model.c). With the simulation
	 * engine on, it takes over: fault rules, data, service time,
	 * completion now or later. Both off, the tests are two
	 * well-predicted branches and the request completes inline.
	 */
	if (!IS_ENABLED(VBS_NO_ENGINE) && dev->model.on) {
		op = vbs_op_index(rq);
		if (op >= 0) {
			vbs_model_queue(dev, hctx, rq, op);
			return BLK_STS_OK;
		}
	}
	if (vbs_sim_active(dev)) {
		op = vbs_op_index(rq);
		if (op >= 0) {
			vbs_queue_sim(dev, rq, op);
			return BLK_STS_OK;
		}
	}

	/* 3. Execute it against the page store. */
	status = vbs_execute(dev, rq);

	/* 4. Count it. */
	vbs_account(dev, rq, status);

	/*
	 * 5. Complete it: blk_mq_end_request() finishes every bio of the
	 * request (waking the submitter or calling its end_io), updates
	 * /sys/block/X/stat, and frees the tag for the next request.
	 */
	blk_mq_end_request(rq, status);
	return BLK_STS_OK;
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
	if (dev->model.on && vbs_model_timeout(dev, rq))
		return BLK_EH_DONE;

	if (atomic_cmpxchg(&cmd->state, VBS_CMD_WAITING, VBS_CMD_IDLE) !=
	    VBS_CMD_WAITING)
		return BLK_EH_RESET_TIMER;
	hrtimer_cancel(&cmd->timer);
	cmd->status = BLK_STS_TIMEOUT;
	vbs_complete(dev, rq);
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

const struct blk_mq_ops vbs_mq_ops = {
	.queue_rq	= vbs_queue_rq,
	.timeout	= vbs_timeout_rq,
	.init_request	= VBS_INIT_REQUEST(vbs_init_request_cb),
};
