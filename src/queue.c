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
 * vbs_op_index() - which statistics slot a request belongs to
 * @rq: the request.
 *
 * Return: a VBS_OP_* index, or -1 for an operation the disk does not do.
 */
int vbs_op_index(struct request *rq)
{
	switch (req_op(rq)) {
	case REQ_OP_READ:
	case REQ_OP_DRV_IN:
		return VBS_OP_READ;
	case REQ_OP_WRITE:
	case REQ_OP_DRV_OUT:
		return VBS_OP_WRITE;
	case REQ_OP_FLUSH:
		return VBS_OP_FLUSH;
	case REQ_OP_DISCARD:
		return VBS_OP_DISCARD;
	case REQ_OP_WRITE_ZEROES:
		return VBS_OP_WRITE_ZEROES;
	default:
		return -1;
	}
}

/**
 * vbs_request_sector() - where a request starts
 * @rq: the request.
 *
 * Filesystem I/O carries its position (blk_rq_pos()). A passthrough request
 * built by the block I/O ioctl does not: its position was stored in the
 * request's driver data when the ioctl built it.
 *
 * Return: the first 512-byte sector.
 */
sector_t vbs_request_sector(struct request *rq)
{
	if (blk_rq_is_passthrough(rq))
		return ((struct vbs_cmd *)blk_mq_rq_to_pdu(rq))->pt_sector;
	return blk_rq_pos(rq);
}

/**
 * vbs_request_fua() - whether a write must be durable when it completes
 * @rq: a write request.
 *
 * REQ_FUA ("force unit access") reaches the driver only on a disk that
 * advertises a write cache with FUA; the block layer strips it otherwise.
 * The block I/O ioctl passes its own flag in the driver data.
 *
 * Return: true for an FUA write.
 */
bool vbs_request_fua(struct request *rq)
{
	if (blk_rq_is_passthrough(rq))
		return ((struct vbs_cmd *)blk_mq_rq_to_pdu(rq))->pt_fua;
	return rq->cmd_flags & REQ_FUA;
}

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
 * vbs_account() - add a finished request to this CPU's statistics
 * @dev: the disk.
 * @rq: the request.
 * @status: how it completed.
 *
 * this_cpu_add() is one instruction on x86 and needs no lock: each CPU
 * only ever writes its own counters.
 */
static void vbs_account(struct vbs_dev *dev, struct request *rq,
			blk_status_t status)
{
	struct vbs_pcpu_stats __percpu *s = dev->stats;
	int op = vbs_op_index(rq);

	this_cpu_inc(s->completed);
	if (op < 0)
		return;
	this_cpu_inc(s->ops[op].requests);
	this_cpu_add(s->ops[op].bytes, blk_rq_bytes(rq));
	if (status)
		this_cpu_inc(s->ops[op].errors);
	if (blk_rq_is_passthrough(rq))
		this_cpu_inc(s->ops[op].ioctl_requests);
}

/**
 * vbs_lat_bucket() - the histogram bucket of a latency
 * @ns: the latency in nanoseconds.
 *
 * Return: 0 below 1 us; b for [2^(b-1), 2^b) us; VBS_LAT_BUCKETS - 1 for
 * everything longer.
 */
static unsigned int vbs_lat_bucket(u64 ns)
{
	u64 us = div_u64(ns, NSEC_PER_USEC);

	if (!us)
		return 0;
	return min_t(unsigned int, ilog2(us) + 1, VBS_LAT_BUCKETS - 1);
}

/**
 * vbs_complete() - count and end a request the engine held
 * @dev: the disk.
 * @rq: the request; the caller won it (see &vbs_cmd.state).
 *
 * Context: any: ->queue_rq, the completion timer (hard irq), the timeout
 * handler, removal, or a model's ioctl.
 */
void vbs_complete(struct vbs_dev *dev, struct request *rq)
{
	struct vbs_cmd *cmd = blk_mq_rq_to_pdu(rq);
	struct vbs_pcpu_stats __percpu *s = dev->stats;
	u64 ns = ktime_get_ns() - cmd->start_ns;
	int op = vbs_op_index(rq);

	vbs_account(dev, rq, cmd->status);
	this_cpu_inc(s->lat_hist[op][vbs_lat_bucket(ns)]);
	this_cpu_add(s->lat_sum_ns[op], ns);
	atomic_dec(&dev->sim.in_flight);
	blk_mq_end_request(rq, cmd->status);
}

/**
 * vbs_timer_fn() - the simulated device finished a request
 * @timer: &vbs_cmd.timer of the request.
 *
 * If ->queue_rq is still between starting the timer and marking the
 * request WAITING (the completion time had already passed), the timer only
 * leaves a note (FIRED) and ->queue_rq completes the request itself. If the
 * timeout handler or removal got the request first, there is nothing left
 * to do.
 *
 * Context: hard irq (the hrtimer interrupt); must not sleep.
 * Return: HRTIMER_NORESTART: the timer is used once per request.
 */
static enum hrtimer_restart vbs_timer_fn(struct hrtimer *timer)
{
	struct vbs_cmd *cmd = container_of(timer, struct vbs_cmd, timer);
	struct request *rq = blk_mq_rq_from_pdu(cmd);
	int state = atomic_read(&cmd->state);

	for (;;) {
		if (state == VBS_CMD_WAITING) {
			if (atomic_try_cmpxchg(&cmd->state, &state,
					       VBS_CMD_IDLE)) {
				vbs_complete(rq->q->queuedata, rq);
				break;
			}
		} else if (state == VBS_CMD_ARMING) {
			if (atomic_try_cmpxchg(&cmd->state, &state,
					       VBS_CMD_FIRED))
				break;
		} else {
			break;
		}
	}
	return HRTIMER_NORESTART;
}

/**
 * vbs_complete_at() - complete a request at its simulated completion time
 * @dev: the disk.
 * @rq: a started request; &vbs_cmd.status, &vbs_cmd.start_ns and
 *	&vbs_cmd.done_ns are set (@done_ns == @start_ns: no service time).
 *
 * Used by the engine's path (below) and by a model's answer (model.c).
 *
 * Context: process context.
 */
void vbs_complete_at(struct vbs_dev *dev, struct request *rq)
{
	struct vbs_cmd *cmd = blk_mq_rq_to_pdu(rq);

	/* Completion time already reached: complete inline. */
	if (cmd->done_ns == cmd->start_ns || cmd->done_ns <= ktime_get_ns()) {
		vbs_complete(dev, rq);
		return;
	}

	/*
	 * Otherwise start the timer at the absolute completion time
	 * (HRTIMER_MODE_ABS on CLOCK_MONOTONIC, the clock ktime_get_ns()
	 * reads), so the time spent since the request started is not added
	 * again. If it fires before we mark the request WAITING, it leaves
	 * FIRED behind and we complete here.
	 */
	atomic_set(&cmd->state, VBS_CMD_ARMING);
	hrtimer_start(&cmd->timer, ns_to_ktime(cmd->done_ns), HRTIMER_MODE_ABS);
	if (atomic_cmpxchg(&cmd->state, VBS_CMD_ARMING, VBS_CMD_WAITING) ==
	    VBS_CMD_FIRED) {
		atomic_set(&cmd->state, VBS_CMD_IDLE);
		vbs_complete(dev, rq);
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
	if (dev->model.on) {
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
 * vbs_complete_waiting() - end one request the engine holds, at removal
 * @rq: a started request of the disk.
 * @data: the disk.
 *
 * A request waiting for its timer completes with the status it was to
 * have; one hung by a timeout fault fails with BLK_STS_IOERR.
 *
 * Context: process context.
 * Return: true, to visit the next request.
 */
static bool vbs_complete_waiting(struct request *rq, void *data)
{
	struct vbs_cmd *cmd = blk_mq_rq_to_pdu(rq);

	if (atomic_cmpxchg(&cmd->state, VBS_CMD_WAITING, VBS_CMD_IDLE) !=
	    VBS_CMD_WAITING)
		return true;
	hrtimer_cancel(&cmd->timer);
	if (cmd->effect == VBS_FAULT_TIMEOUT)
		cmd->status = BLK_STS_IOERR;
	vbs_complete(data, rq);
	return true;
}

/**
 * vbs_complete_all() - complete every request the engine holds
 * @dev: the disk, whose engine is already off.
 *
 * blk_mq_tagset_busy_iter() visits every started request of the tag set.
 *
 * Context: process context, may sleep.
 */
void vbs_complete_all(struct vbs_dev *dev)
{
	blk_mq_tagset_busy_iter(&dev->tag_set, vbs_complete_waiting, dev);
}

/**
 * vbs_init_request() - prepare a request's driver data, once
 * @set: the tag set.
 * @rq: one of its requests (also each hardware queue's flush request).
 * @hctx_idx: the hardware queue it belongs to.
 *
 * blk-mq allocates every request of the tag set up front and calls
 * ->init_request for each, so per-request setup costs nothing on the I/O
 * path. The timer is set up here and not in ->queue_rq: setting up a timer
 * again while its previous callback may still be running on another CPU
 * (the request was ended there and reused here) would corrupt it, while
 * starting it again is allowed.
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

	vbs_hrtimer_setup(&cmd->timer, vbs_timer_fn, CLOCK_MONOTONIC,
			  HRTIMER_MODE_ABS);
	atomic_set(&cmd->state, VBS_CMD_IDLE);
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

/**
 * vbs_stats_sum() - add up every CPU's counters
 * @dev: the disk.
 * @sum: filled with the totals since the disk was created, in the layout
 *	VBS_IOC_GET_STATS reports (only the fields kept per CPU).
 * @in_flight: set to the requests started and not completed.
 *
 * Each counter is read with READ_ONCE(): its CPU may be adding to it right
 * now, and the compiler must neither reuse an earlier read nor read it
 * twice. A u64 read is one load, never torn, only because the module is
 * built for 64-bit kernels alone (vbs.h); on a 32-bit kernel these
 * counters would need u64_stats_sync.
 */
static void vbs_stats_sum(struct vbs_dev *dev, struct vbs_stats *sum,
			  u64 *in_flight)
{
	const struct vbs_pcpu_stats *s;
	u64 started = 0, completed = 0;
	int cpu, op, b;

	memset(sum, 0, sizeof(*sum));
	for_each_possible_cpu(cpu) {
		s = per_cpu_ptr(dev->stats, cpu);
		for (op = 0; op < VBS_OP_NR; op++) {
			sum->ops[op].requests += READ_ONCE(s->ops[op].requests);
			sum->ops[op].bytes += READ_ONCE(s->ops[op].bytes);
			sum->ops[op].errors += READ_ONCE(s->ops[op].errors);
			sum->ops[op].ioctl_requests +=
				READ_ONCE(s->ops[op].ioctl_requests);
			sum->faults[op] += READ_ONCE(s->faults[op]);
			sum->lat_sum_ns[op] += READ_ONCE(s->lat_sum_ns[op]);
			for (b = 0; b < VBS_LAT_BUCKETS; b++)
				sum->lat_hist[op][b] +=
					READ_ONCE(s->lat_hist[op][b]);
		}
		completed += READ_ONCE(s->completed);
		started += READ_ONCE(s->started);
	}
	/*
	 * A request counted on one CPU while we summed another can make the
	 * sums disagree for an instant; never report less than zero.
	 */
	*in_flight = started > completed ? started - completed : 0;
}

/**
 * vbs_stats_read() - the disk's statistics since the last reset
 * @dev: the disk.
 * @out: filled in; @out->size is left for the caller to set.
 *
 * Context: process context, may sleep.
 */
void vbs_stats_read(struct vbs_dev *dev, struct vbs_stats *out)
{
	const struct vbs_stats *base = &dev->stats_base;
	int op, b;

	vbs_stats_sum(dev, out, &out->in_flight);
	mutex_lock(&dev->stats_lock);
	for (op = 0; op < VBS_OP_NR; op++) {
		out->ops[op].requests -= base->ops[op].requests;
		out->ops[op].bytes -= base->ops[op].bytes;
		out->ops[op].errors -= base->ops[op].errors;
		out->ops[op].ioctl_requests -= base->ops[op].ioctl_requests;
		out->faults[op] -= base->faults[op];
		out->lat_sum_ns[op] -= base->lat_sum_ns[op];
		for (b = 0; b < VBS_LAT_BUCKETS; b++)
			out->lat_hist[op][b] -= base->lat_hist[op][b];
	}
	out->since_ns = dev->stats_since;
	mutex_unlock(&dev->stats_lock);

	/* Not reset: they describe the present, not a period. */
	out->peak_in_flight = atomic_read(&dev->sim.peak_in_flight);
	out->pages_in_use = atomic_long_read(&dev->store.nr_pages);
	out->bytes_in_use = out->pages_in_use << PAGE_SHIFT;
	out->cache_pages = atomic_long_read(&dev->cache.nr_pages);
}

/**
 * vbs_stats_reset() - start counting again from zero
 * @dev: the disk.
 *
 * The per-CPU counters are never written by a reader: the current sums
 * become the new base, so a reset racing with I/O loses nothing. The peak
 * queue depth starts again from the requests in flight now.
 *
 * Context: process context, may sleep.
 */
void vbs_stats_reset(struct vbs_dev *dev)
{
	u64 in_flight;

	mutex_lock(&dev->stats_lock);
	vbs_stats_sum(dev, &dev->stats_base, &in_flight);
	dev->stats_since = ktime_get_ns();
	mutex_unlock(&dev->stats_lock);

	spin_lock(&dev->sim.lock);
	atomic_set(&dev->sim.peak_in_flight,
		   atomic_read(&dev->sim.in_flight));
	spin_unlock(&dev->sim.lock);
}
