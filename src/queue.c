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
#include <linux/ktime.h>

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
 *  1. blk_mq_start_request(): the request is now "on the device".
 *  2. vbs_execute(): do what it asks (copy data, free pages, ...).
 *  3. count it in the per-CPU statistics.
 *  4. blk_mq_end_request(): report the status to the submitter.
 *
 * The simulated device completes inline: the data lives in RAM, so there is
 * nothing to wait for. Step 2 is where a simulation stage (latency, faults)
 * and a userland model stage slot in, with step 4 then run later from a
 * timer or from the model's answer instead of inline.
 */

/**
 * vbs_op_index() - which statistics slot a request belongs to
 * @rq: the request.
 *
 * Return: a VBS_OP_* index, or -1 for an operation the disk does not do.
 */
static int vbs_op_index(struct request *rq)
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
static sector_t vbs_request_sector(struct request *rq)
{
	if (blk_rq_is_passthrough(rq))
		return ((struct vbs_cmd *)blk_mq_rq_to_pdu(rq))->pt_sector;
	return blk_rq_pos(rq);
}

/**
 * vbs_transfer() - move a read or write request's data
 * @dev: the disk.
 * @rq: the request; its memory is described by bio_vec segments.
 * @write: true to copy into the store, false to copy out of it.
 *
 * rq_for_each_segment() walks the request's memory one page-sized piece at
 * a time, whatever the bios it was built from. bvec_kmap_local() gives a
 * kernel address for each piece (a no-op on 64-bit, a temporary mapping
 * for highmem on 32-bit). The store does the rest.
 *
 * Context: process context (BLK_MQ_F_BLOCKING), may sleep.
 * Return: BLK_STS_OK or the store's error.
 */
static blk_status_t vbs_transfer(struct vbs_dev *dev, struct request *rq,
				 bool write)
{
	sector_t sector = vbs_request_sector(rq);
	struct req_iterator iter;
	blk_status_t status = BLK_STS_OK;
	struct bio_vec bv;
	void *buf;

	rq_for_each_segment(bv, rq, iter) {
		buf = bvec_kmap_local(&bv);
		if (write)
			status = vbs_store_write(&dev->store, buf, sector,
						 bv.bv_len);
		else
			status = vbs_store_read(&dev->store, buf, sector,
						bv.bv_len);
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
 * FLUSH has nothing to do: every completed write is already in the store,
 * which is all the "media" this device has. DISCARD and WRITE_ZEROES both
 * leave the range reading as zeros; the store frees the whole pages.
 *
 * Context: process context (BLK_MQ_F_BLOCKING), may sleep.
 * Return: the status to complete the request with.
 */
static blk_status_t vbs_execute(struct vbs_dev *dev, struct request *rq)
{
	/*
	 * A read-only disk is "write-protected hardware": the block layer
	 * refuses to open it for writing, but an administrator can clear
	 * the block device's read-only flag (BLKROSET), so check here too.
	 */
	if (op_is_write(req_op(rq)) && (dev->cfg.flags & VBS_CFG_READ_ONLY))
		return BLK_STS_IOERR;

	switch (req_op(rq)) {
	case REQ_OP_READ:
	case REQ_OP_DRV_IN:
		return vbs_transfer(dev, rq, false);
	case REQ_OP_WRITE:
	case REQ_OP_DRV_OUT:
		return vbs_transfer(dev, rq, true);
	case REQ_OP_FLUSH:
		return BLK_STS_OK;
	case REQ_OP_DISCARD:
	case REQ_OP_WRITE_ZEROES:
		vbs_store_zero(&dev->store, blk_rq_pos(rq), blk_rq_bytes(rq));
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
 * vbs_queue_rq() - blk-mq's entry into the driver: execute one request
 * @hctx: the hardware queue the request was dispatched on.
 * @bd: the request (bd->rq) and whether more follow (bd->last).
 *
 * Called by blk-mq for every request, on any CPU, concurrently on all
 * hardware queues; nothing here takes a lock shared between queues.
 *
 * Context: process context: the tag set is BLK_MQ_F_BLOCKING, which makes
 * blk-mq call us where we may sleep (page allocation in the store, and
 * cond_resched() in long discards). Without that flag ->queue_rq runs
 * under rcu_read_lock() and must never sleep; a RAM disk would then have
 * to allocate with GFP_NOWAIT and fail writes under memory pressure.
 * Return: BLK_STS_OK: the request was accepted (and here, completed).
 * Returning an error instead would make blk-mq end it for us; returning
 * BLK_STS_RESOURCE would make blk-mq retry it later.
 */
static blk_status_t vbs_queue_rq(struct blk_mq_hw_ctx *hctx,
				 const struct blk_mq_queue_data *bd)
{
	struct vbs_dev *dev = hctx->queue->queuedata;
	struct request *rq = bd->rq;
	blk_status_t status;

	/*
	 * 1. Start the request: blk-mq arms its timeout, marks it in flight
	 * for I/O accounting, and from here on the request is ours until we
	 * end it.
	 */
	blk_mq_start_request(rq);
	this_cpu_inc(dev->stats->started);

	/* 2. Execute it against the page store. */
	status = vbs_execute(dev, rq);

	/* 3. Count it. */
	vbs_account(dev, rq, status);

	/*
	 * 4. Complete it: blk_mq_end_request() finishes every bio of the
	 * request (waking the submitter or calling its end_io), updates
	 * /sys/block/X/stat, and frees the tag for the next request.
	 */
	blk_mq_end_request(rq, status);
	return BLK_STS_OK;
}

const struct blk_mq_ops vbs_mq_ops = {
	.queue_rq	= vbs_queue_rq,
};

/**
 * vbs_stats_sum() - add up every CPU's counters
 * @dev: the disk.
 * @sum: filled with the totals since the disk was created.
 */
static void vbs_stats_sum(struct vbs_dev *dev, struct vbs_pcpu_stats *sum)
{
	const struct vbs_pcpu_stats *s;
	int cpu, op;

	memset(sum, 0, sizeof(*sum));
	for_each_possible_cpu(cpu) {
		s = per_cpu_ptr(dev->stats, cpu);
		for (op = 0; op < VBS_OP_NR; op++) {
			sum->ops[op].requests += READ_ONCE(s->ops[op].requests);
			sum->ops[op].bytes += READ_ONCE(s->ops[op].bytes);
			sum->ops[op].errors += READ_ONCE(s->ops[op].errors);
			sum->ops[op].ioctl_requests +=
				READ_ONCE(s->ops[op].ioctl_requests);
		}
		sum->completed += READ_ONCE(s->completed);
		sum->started += READ_ONCE(s->started);
	}
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
	struct vbs_pcpu_stats sum;
	int op;

	vbs_stats_sum(dev, &sum);
	mutex_lock(&dev->stats_lock);
	for (op = 0; op < VBS_OP_NR; op++) {
		const struct vbs_op_stats *b = &dev->stats_base.ops[op];

		out->ops[op].requests = sum.ops[op].requests - b->requests;
		out->ops[op].bytes = sum.ops[op].bytes - b->bytes;
		out->ops[op].errors = sum.ops[op].errors - b->errors;
		out->ops[op].ioctl_requests =
			sum.ops[op].ioctl_requests - b->ioctl_requests;
	}
	out->since_ns = dev->stats_since;
	mutex_unlock(&dev->stats_lock);

	/*
	 * Not reset: they describe the present, not a period. A request
	 * counted on one CPU while we summed another can make the sums
	 * disagree for an instant; never report less than zero.
	 */
	out->in_flight = sum.started > sum.completed ?
			 sum.started - sum.completed : 0;
	out->pages_in_use = atomic_long_read(&dev->store.nr_pages);
	out->bytes_in_use = out->pages_in_use << PAGE_SHIFT;
}

/**
 * vbs_stats_reset() - start counting again from zero
 * @dev: the disk.
 *
 * The per-CPU counters are never written by a reader: the current sums
 * become the new base, so a reset racing with I/O loses nothing.
 *
 * Context: process context, may sleep.
 */
void vbs_stats_reset(struct vbs_dev *dev)
{
	struct vbs_pcpu_stats sum;

	vbs_stats_sum(dev, &sum);
	mutex_lock(&dev->stats_lock);
	dev->stats_base = sum;
	dev->stats_since = ktime_get_ns();
	mutex_unlock(&dev->stats_lock);
}
