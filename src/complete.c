// SPDX-License-Identifier: GPL-2.0
/*
 * virtblkiosim - the end of a request.
 *
 * This file owns what every path (inline, simulation engine, userland
 * model, removal) does when a request ends: what kind of request it is,
 * where it starts, counting it in the per-CPU statistics, ending it now or
 * at its simulated completion time from its hrtimer, and ending what the
 * engine still holds when a disk goes away; and reading and resetting
 * those statistics. It calls nothing else of the
 * driver, so the request path (queue.c), the engine (sim.c) and the model
 * protocol (model.c) all build on it without calling each other back.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/blk-mq.h>
#include <linux/hrtimer.h>
#include <linux/ktime.h>
#include <linux/log2.h>
#include <linux/math64.h>

#include "compat.h"
#include "vbs.h"

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
 * DOC: Ending a request
 *
 * A request the device finishes at once, in ->queue_rq, is ended there
 * with blk_mq_end_request(), or, on a poll queue, left on the queue's
 * list for the submitter's poll (below). Every request finished later,
 * by whatever ends it (the engine's timer, a model's answer, the timeout
 * handler, removal), goes through one door, vbs_complete(), which counts
 * it and calls blk_mq_complete_request(), as a real driver's interrupt
 * handler does for each request the device reports done. The block layer
 * then decides where the request ends: on this CPU, or, if the request
 * was submitted on a CPU that shares no cache with this one (queue
 * attribute rq_affinity), on the submitter's CPU through an IPI, where
 * the submitter's data is still in cache; a polled request always ends
 * right here. Wherever that is, blk-mq calls ->complete (vbs_complete_rq())
 * to end it. The same call also marks the request complete, so a
 * timeout racing with it finds nothing to do. A polled request is the one
 * exception: it waits on its poll queue's list for the submitter's poll
 * (vbs_complete_late()).
 */

/**
 * vbs_complete_rq() - blk-mq's ->complete: end a request we completed
 * @rq: a request passed to blk_mq_complete_request() by vbs_complete().
 *
 * Context: the CPU blk-mq chose: the caller's, an IPI's or the block
 * softirq's; must not sleep.
 */
void vbs_complete_rq(struct request *rq)
{
	struct vbs_cmd *cmd = blk_mq_rq_to_pdu(rq);

	blk_mq_end_request(rq, cmd->status);
}

/**
 * vbs_complete() - count and complete a request the engine or a model held
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
	/* The device's time: a request ended early still took all of it. */
	u64 ns = ktime_get_ns() + cmd->early_ns - cmd->start_ns;
	int op = cmd->op;

	vbs_account(dev, rq, op, cmd->status);
	this_cpu_inc(s->lat_hist[op][vbs_lat_bucket(ns)]);
	this_cpu_add(s->lat_sum_ns[op], ns);
	atomic_dec(&dev->sim.in_flight);
	vbs_complete_late(dev, rq);
}

/**
 * vbs_complete_late() - complete a request that did not end in ->queue_rq
 * @dev: the disk.
 * @rq: a started request, &vbs_cmd.status set, already counted.
 *
 * A polled request is never ended here: like a device writing an entry
 * into a completion queue that its host polls, the request goes on its
 * poll queue's list and the submitter's next ->poll ends it, in the
 * submitter's own task. That is also where the block layer wants it
 * ended: the bio of a polled request may come from a per-CPU cache of
 * bios that only task context may give back to (6.1 warns otherwise).
 * Every other request goes through blk_mq_complete_request().
 *
 * Context: any.
 */
void vbs_complete_late(struct vbs_dev *dev, struct request *rq)
{
	struct vbs_cmd *cmd = blk_mq_rq_to_pdu(rq);

	if (rq->mq_hctx->type == HCTX_TYPE_POLL) {
		llist_add(&cmd->poll_node, vbs_poll_list(rq->mq_hctx));
		return;
	}
	blk_mq_complete_request(rq);
}

/**
 * vbs_complete_batch() - end a batch of polled requests
 * @iob: the batch ->poll filled with blk_mq_add_to_batch().
 *
 * The submitter (io_uring) calls this once after its poll loop, with
 * every request that was added to @iob: blk_mq_end_request_batch() ends
 * them all, reading the clock once, freeing their tags in one go per
 * queue and waking nobody (the submitter is the one polling).
 *
 * Context: the polling task.
 */
static void vbs_complete_batch(struct io_comp_batch *iob)
{
	blk_mq_end_request_batch(iob);
}

/**
 * vbs_poll_end() - end the requests a poll queue has finished
 * @dev: the disk.
 * @hctx: one of its poll queues.
 * @iob: the submitter's completion batch, or NULL to end each request at
 *	once (the timeout handler, removal).
 * @watch: a request to look for, or NULL.
 * @seen: set to true if @watch was among the requests ended.
 *
 * llist_del_all() takes the whole list in one atomic exchange, so two
 * pollers of one queue (two io_uring rings, or a ring and the timeout
 * handler) each get their own requests and never the same one. The list
 * is last-in first-out; it is reversed so requests end in the order they
 * were executed. A request that failed, or that blk-mq cannot batch (one
 * with an end_io callback of its own), is ended on its own.
 *
 * Return: the number of requests ended (or handed to @iob).
 */
int vbs_poll_end(struct vbs_dev *dev, struct blk_mq_hw_ctx *hctx,
		 struct io_comp_batch *iob, const struct request *watch,
		 bool *seen)
{
	struct llist_node *list;
	struct vbs_cmd *cmd, *next;
	struct request *rq;
	int ended = 0;

	list = llist_del_all(vbs_poll_list(hctx));
	if (!list)
		return 0;
	list = llist_reverse_order(list);
	/* _safe: once ended, a request's tag, and its node, may be reused. */
	llist_for_each_entry_safe(cmd, next, list, poll_node) {
		rq = blk_mq_rq_from_pdu(cmd);
		if (rq == watch)
			*seen = true;
		if (!blk_mq_add_to_batch(rq, iob, cmd->status != BLK_STS_OK,
					 vbs_complete_batch))
			blk_mq_end_request(rq, cmd->status);
		ended++;
	}
	return ended;
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
	u64 fire = cmd->done_ns - cmd->early_ns;

	/* Completion time already reached: complete inline. */
	if (fire == cmd->start_ns || fire <= ktime_get_ns()) {
		vbs_complete(dev, rq);
		return;
	}

	/*
	 * Otherwise start the timer at the absolute completion time
	 * (HRTIMER_MODE_ABS on CLOCK_MONOTONIC, the clock ktime_get_ns()
	 * reads), so the time spent since the request started is not added
	 * again. If it fires before we mark the request WAITING, it leaves
	 * FIRED behind and we complete here. The timer fires @early_ns
	 * before the device's time, the host's cost of delivering the
	 * completion (vbs_sim_early()).
	 */
	atomic_set(&cmd->state, VBS_CMD_ARMING);
	hrtimer_start(&cmd->timer, ns_to_ktime(fire), HRTIMER_MODE_ABS);
	if (atomic_cmpxchg(&cmd->state, VBS_CMD_ARMING, VBS_CMD_WAITING) ==
	    VBS_CMD_FIRED) {
		atomic_set(&cmd->state, VBS_CMD_IDLE);
		vbs_complete(dev, rq);
	}
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
 * blk_mq_tagset_busy_iter() visits every started request of the tag set;
 * the poll queues' lists are emptied too.
 *
 * Context: process context, may sleep.
 */
void vbs_complete_all(struct vbs_dev *dev)
{
	struct blk_mq_hw_ctx *hctx;
	unsigned long i;

	blk_mq_tagset_busy_iter(&dev->tag_set, vbs_complete_waiting, dev);
	/*
	 * Requests a poll queue finished but nobody polled for (the
	 * submitter stopped polling): removal does not wait for them.
	 */
	queue_for_each_hw_ctx(dev->disk->queue, hctx, i)
		if (hctx->type == HCTX_TYPE_POLL)
			vbs_poll_end(dev, hctx, NULL, NULL, NULL);
}

/**
 * vbs_cmd_init() - prepare the completion side of a request's driver data
 * @cmd: the driver data of one request of the tag set.
 *
 * Called once per request from ->init_request. The timer is set up here
 * and not per request: setting up a timer again while its previous
 * callback may still be running on another CPU (the request was ended
 * there and reused here) would corrupt it, while starting it again is
 * allowed.
 *
 * Context: process context (tag set or queue creation).
 */
void vbs_cmd_init(struct vbs_cmd *cmd)
{
	vbs_hrtimer_setup(&cmd->timer, vbs_timer_fn, CLOCK_MONOTONIC,
			  HRTIMER_MODE_ABS);
	atomic_set(&cmd->state, VBS_CMD_IDLE);
}

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
