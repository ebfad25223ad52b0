// SPDX-License-Identifier: GPL-2.0
/*
 * virtblkiosim - the simulation engine.
 *
 * This file owns the time a request takes: when queue.c hands it a
 * request, the engine asks the fault rules (fault.c) what happens to it
 * and decides when it completes, from the disk's latency, bandwidth, IOPS
 * and parallel-unit settings. It also keeps the disk's random generator
 * and the settings themselves (VBS_IOC_GET_SIM / VBS_IOC_SET_SIM).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/jiffies.h>
#include <linux/ktime.h>
#include <linux/log2.h>
#include <linux/math64.h>
#include <linux/minmax.h>
#include <linux/overflow.h>
#include <linux/slab.h>

#include "vbs.h"

/**
 * DOC: The simulation engine
 *
 * Every request of a disk whose engine is active passes one pipeline:
 *
 *  1. fault rules: does a rule fire on it, and with what effect;
 *  2. data transfer, against the store or the write cache (queue.c);
 *  3. service time: the moment the request completes, computed here;
 *  4. completion: inline if that moment is already past, else from a
 *     high-resolution timer (queue.c).
 *
 * Steps 1 and 3 run together, at the start of the request, under the
 * disk's engine spinlock &vbs_sim.lock, because both consume the disk's
 * one random generator and update shared state, and the order in which
 * requests take the lock is the order in which the simulated device
 * serves them. The data transfer runs outside the lock, in parallel on
 * all hardware queues, and overlaps the simulated service time instead
 * of adding to it.
 *
 * Service time. The device is modelled as a set of timelines in virtual
 * time (nanoseconds of CLOCK_MONOTONIC), each holding the moment a
 * resource becomes free:
 *
 *  - the parallel units (channels): a min-heap of their free times. A
 *    request takes the unit that frees first and starts at
 *    max(now, that time); it keeps the unit until it completes.
 *  - the bandwidth "bus" of each direction: moving B bytes at W bytes/s
 *    takes B * 10^9 / W ns, and the transfers of one direction are laid
 *    end to end, so the direction never exceeds W.
 *  - the IOPS slots of each direction: completions at least 10^9 / IOPS
 *    ns apart.
 *
 * A request then completes at the latest of: its start on a unit plus its
 * latency plus its transfer time, the end of its transfer on the bus, and
 * its IOPS slot. Nothing waits actively: the result is just a time at
 * which the completion timer fires. With one request in flight a read
 * takes latency + transfer; with many, they queue behind the busy units,
 * the bus or the IOPS slots, and latency grows with queue depth as it
 * does on a real device.
 *
 * Latency. Per class (read, write, flush, discard): a base, plus jitter
 * (uniform in [0, j], or exponential with mean j), plus, with a
 * probability in parts per million, a "slow I/O" extra. The exponential
 * draw is -ln(u) * j for u uniform in (0, 1], computed without floating
 * point (the kernel does not save FPU state for us) by vbs_neg_ln_q16().
 *
 * Randomness. One splitmix64 generator per disk, started from the disk's
 * seed on every VBS_IOC_SET_SIM. Its sequence depends only on the seed
 * and the order of the draws, which is the order in which requests take
 * the lock: the same seed and the same single-threaded workload give the
 * same latencies and the same faults, on every kernel (the kernel's own
 * prandom could change between versions; ten lines of our own cannot).
 *
 * Cost when off: all settings zero and no fault rule means &vbs_sim.active
 * is false, and ->queue_rq pays one well-predicted branch on it, with the
 * inline path exactly as it is without an engine.
 */

/* The request timeout when VBS_IOC_SET_SIM leaves timeout_ms at 0. */
#define VBS_SIM_DEFAULT_TIMEOUT_MS	30000

/**
 * vbs_neg_ln_q16() - -ln(u) for u = (r + 1) / 2^32, in Q16 fixed point
 * @r: 32 random bits; u is then uniform in (0, 1].
 *
 * ln(u) = log2(u) * ln(2), and log2(u) = log2(r + 1) - 32. The integer
 * part of log2(x) is ilog2(x). For the fraction, take the mantissa
 * m = x / 2^k in [1, 2): squaring m doubles log2(m), which moves the next
 * binary digit of the fraction into the integer part, where a comparison
 * with 2 reads it (and a halving removes it again). Sixteen squarings give
 * sixteen exact fraction bits; the result is within 2^-16 of the true
 * value, far inside the 1% the exponential distribution needs.
 *
 * Return: -ln(u) * 65536, from 0 (u = 1) to about 22.2 * 65536.
 */
static u32 vbs_neg_ln_q16(u32 r)
{
	u64 x = (u64)r + 1;
	unsigned int k = ilog2(x);
	u32 log2_q16, frac = 0;
	u64 m;
	int i;

	if (k == 32)
		return 0;
	/* m in Q31: [2^31, 2^32) stands for [1, 2); m * m fits in 64 bits. */
	m = x << (31 - k);
	for (i = 0; i < 16; i++) {
		m = (m * m) >> 31;
		frac <<= 1;
		if (m >= BIT_ULL(32)) {
			frac |= 1;
			m >>= 1;
		}
	}
	log2_q16 = (k << 16) | frac;
	/* (32 - log2(x)) * ln(2), with ln(2) as 2977044472 / 2^32. */
	return (((u64)(32U << 16) - log2_q16) * 2977044472ULL) >> 32;
}

/**
 * vbs_sim_latency() - draw the latency of one request
 * @sim: the engine.
 * @lat: the settings of the request's class.
 *
 * Draws from the generator only what the settings need, so the sequence
 * a seed gives does not depend on settings that are off.
 *
 * Context: @sim->lock held.
 * Return: nanoseconds.
 */
static u64 vbs_sim_latency(struct vbs_sim *sim,
			   const struct vbs_sim_latency *lat)
	__must_hold(&sim->lock)
{
	u64 ns = lat->base_ns;
	u32 r;

	switch (lat->jitter) {
	case VBS_JITTER_UNIFORM:
		r = vbs_sim_rand(sim) >> 32;
		ns += mul_u64_u32_shr(lat->jitter_ns + 1, r, 32);
		break;
	case VBS_JITTER_EXP:
		r = vbs_sim_rand(sim) >> 32;
		ns += mul_u64_u32_shr(lat->jitter_ns, vbs_neg_ln_q16(r), 16);
		break;
	}
	if (lat->slow_ppm &&
	    vbs_rand_ppm(vbs_sim_rand(sim)) < lat->slow_ppm)
		ns += lat->slow_ns;
	return ns;
}

/**
 * vbs_units_sift_down() - restore the min-heap after its root grew
 * @h: the heap, h[0] possibly larger than its children.
 * @n: entries.
 *
 * The kernel has a min-heap library, but its interface changed twice
 * between 6.1 and 6.12; eight lines of our own do not.
 */
static void vbs_units_sift_down(u64 *h, unsigned int n)
{
	unsigned int i = 0, c;
	u64 v = h[0];

	for (;;) {
		c = 2 * i + 1;
		if (c >= n)
			break;
		if (c + 1 < n && h[c + 1] < h[c])
			c++;
		if (h[c] >= v)
			break;
		h[i] = h[c];
		i = c;
	}
	h[i] = v;
}

/**
 * vbs_ns_add() - add two times without wrapping
 * @a: nanoseconds.
 * @b: nanoseconds.
 *
 * One request's service time is bounded by the settings' ranges (a few
 * minutes at most), but the engine's timelines (bandwidth, IOPS) run ahead
 * of the clock by every reservation made and never released, for instance
 * by requests that timed out, so their sums are saturated instead: at
 * KTIME_MAX, the largest time an hrtimer takes, a request simply never
 * completes on its own and the request timeout ends it.
 *
 * Return: @a + @b, or KTIME_MAX if that is larger.
 */
static u64 vbs_ns_add(u64 a, u64 b)
{
	u64 sum;

	if (check_add_overflow(a, b, &sum) || sum > KTIME_MAX)
		return KTIME_MAX;
	return sum;
}

/**
 * vbs_sim_done_time() - when a request completes on the simulated device
 * @sim: the engine.
 * @class: VBS_SIM_* class of the request.
 * @bytes: bytes the request moves (ignored for flush and discard).
 * @now: ktime_get_ns() at the request's start.
 *
 * Reserves the request's place on every timeline (see the DOC above).
 *
 * Context: @sim->lock held.
 * Return: the completion time in ns of CLOCK_MONOTONIC; @now when the
 * settings give this request no service time at all.
 */
static u64 vbs_sim_done_time(struct vbs_sim *sim, int class, u32 bytes,
			     u64 now)
	__must_hold(&sim->lock)
{
	const struct vbs_sim_params *p = &sim->params;
	bool data = class == VBS_SIM_READ || class == VBS_SIM_WRITE;
	u64 start = now, done, xfer = 0, slot;

	if (sim->nr_units)
		start = max(now, sim->units[0]);
	if (data && p->bw_bps[class])
		xfer = mul_u64_u64_div_u64(bytes, NSEC_PER_SEC,
					   p->bw_bps[class]);
	done = vbs_ns_add(start, vbs_sim_latency(sim, &p->lat[class]) + xfer);
	if (xfer) {
		sim->bw_free[class] = vbs_ns_add(max(now, sim->bw_free[class]),
						 xfer);
		done = max(done, sim->bw_free[class]);
	}
	if (data && p->iops[class]) {
		slot = max(now, sim->iops_next[class]);
		sim->iops_next[class] = vbs_ns_add(slot,
						   div_u64(NSEC_PER_SEC,
							   p->iops[class]));
		done = max(done, slot);
	}
	if (sim->nr_units) {
		sim->units[0] = done;
		vbs_units_sift_down(sim->units, sim->nr_units);
	}
	return done;
}

/**
 * vbs_sim_class() - the latency class of an operation
 * @op: VBS_OP_* index.
 *
 * Return: VBS_SIM_* (write-zeroes is a discard).
 */
static int vbs_sim_class(int op)
{
	switch (op) {
	case VBS_OP_READ:
		return VBS_SIM_READ;
	case VBS_OP_WRITE:
		return VBS_SIM_WRITE;
	case VBS_OP_FLUSH:
		return VBS_SIM_FLUSH;
	default:
		return VBS_SIM_DISCARD;
	}
}

/**
 * vbs_sim_early() - how much earlier than the device a request is ended
 * @delivery_ns: the host's cost of delivering a completion
 *	(&vbs_sim_params.delivery_ns).
 * @cmd: the request, @cmd->start_ns and @cmd->done_ns set.
 *
 * Once the completion timer fires, the host still has work to do before
 * the submitter sees the result: the interrupt, blk-mq's completion, the
 * wake-up of the task sleeping in the system call and the switch back to
 * it. On real hardware that cost comes on top of the device's latency
 * too, but a simulated latency is meant to be what the submitter sees
 * above the cost of an immediate completion, which has none of that work.
 * So the timer fires this much early. The device's own timelines (units,
 * bandwidth, IOPS) keep the true completion time; only the timer moves.
 *
 * Return: @delivery_ns, or the whole service time if that is shorter (the
 * request is then ended at once, as one with no service time).
 */
u32 vbs_sim_early(u64 delivery_ns, const struct vbs_cmd *cmd)
{
	return min(delivery_ns, cmd->done_ns - cmd->start_ns);
}

/**
 * vbs_sim_plan() - decide what happens to a request and when it completes
 * @dev: the disk.
 * @op: VBS_OP_* index of the request.
 * @sector: first 512-byte sector (0 for a flush).
 * @bytes: bytes the request covers.
 * @cmd: the request's driver data: @cmd->start_ns is set; this fills in
 *	@cmd->effect, @cmd->status, @cmd->done_ns (0 for a request that is
 *	never completed) and, for corruption, the damaged range.
 *
 * Context: ->queue_rq; must not sleep; takes the engine lock.
 */
void vbs_sim_plan(struct vbs_dev *dev, int op, sector_t sector, u32 bytes,
		  struct vbs_cmd *cmd)
{
	struct vbs_sim *sim = &dev->sim;

	cmd->effect = 0;
	cmd->status = BLK_STS_OK;
	cmd->early_ns = 0;
	spin_lock(&sim->lock);
	if (sim->nr_rules)
		vbs_fault_check(dev, op, sector, bytes, cmd);
	if (cmd->effect == VBS_FAULT_TIMEOUT) {
		cmd->done_ns = 0;
	} else {
		cmd->done_ns = vbs_sim_done_time(sim, vbs_sim_class(op), bytes,
						 cmd->start_ns);
		cmd->early_ns = vbs_sim_early(sim->params.delivery_ns, cmd);
	}
	vbs_sim_count_start(sim);
	spin_unlock(&sim->lock);
}

/**
 * vbs_sim_count_start() - count a request the engine or a model holds
 * @sim: the disk's engine state.
 *
 * Raises the in-flight count (lowered again by vbs_complete()) and keeps
 * its peak. The peak is a statistic: two requests racing here may leave
 * it one short, which is not worth a lock on the model's path.
 */
void vbs_sim_count_start(struct vbs_sim *sim)
{
	int n = atomic_inc_return(&sim->in_flight);

	if (n > atomic_read(&sim->peak_in_flight))
		atomic_set(&sim->peak_in_flight, n);
}

/**
 * vbs_sim_is_default() - whether settings leave the engine nothing to do
 * @p: the settings.
 *
 * The seed and the request timeout do not count: neither changes what
 * happens to a request that completes.
 *
 * Return: true when no latency, bandwidth, IOPS or unit setting is made.
 */
static bool vbs_sim_is_default(const struct vbs_sim_params *p)
{
	const struct vbs_sim_latency *lat;
	int c;

	for (c = 0; c < VBS_SIM_NR_CLASSES; c++) {
		lat = &p->lat[c];
		if (lat->base_ns || lat->jitter || lat->slow_ppm)
			return false;
	}
	return !p->bw_bps[0] && !p->bw_bps[1] && !p->iops[0] && !p->iops[1] &&
	       !p->channels;
}

/**
 * vbs_sim_check() - validate settings from userland
 * @p: the settings, copied in.
 *
 * Return: 0, or -EINVAL for any value out of range.
 */
static int vbs_sim_check(const struct vbs_sim_params *p)
{
	const struct vbs_sim_latency *lat;
	int c;

	if (p->flags || memchr_inv(p->reserved, 0, sizeof(p->reserved)))
		return -EINVAL;
	for (c = 0; c < VBS_SIM_NR_CLASSES; c++) {
		lat = &p->lat[c];
		if (lat->base_ns > VBS_SIM_MAX_NS ||
		    lat->jitter_ns > VBS_SIM_MAX_NS ||
		    lat->slow_ns > VBS_SIM_MAX_NS ||
		    lat->slow_ppm > 1000000)
			return -EINVAL;
		switch (lat->jitter) {
		case VBS_JITTER_NONE:
			if (lat->jitter_ns)
				return -EINVAL;
			break;
		case VBS_JITTER_UNIFORM:
		case VBS_JITTER_EXP:
			break;
		default:
			return -EINVAL;
		}
	}
	for (c = 0; c < 2; c++) {
		if (p->bw_bps[c] && (p->bw_bps[c] < VBS_SIM_MIN_BW_BPS ||
				     p->bw_bps[c] > VBS_SIM_MAX_BW_BPS))
			return -EINVAL;
		if (p->iops[c] > VBS_SIM_MAX_IOPS)
			return -EINVAL;
	}
	if (p->channels > VBS_SIM_MAX_CHANNELS ||
	    p->timeout_ms > VBS_SIM_MAX_TIMEOUT_MS ||
	    p->delivery_ns > VBS_SIM_MAX_DELIVERY_NS)
		return -EINVAL;
	return 0;
}

/**
 * vbs_sim_get() - VBS_IOC_GET_SIM: the settings in force
 * @dev: the disk.
 * @p: filled in, @p->size included.
 *
 * Context: process context.
 */
void vbs_sim_get(struct vbs_dev *dev, struct vbs_sim_params *p)
{
	spin_lock(&dev->sim.lock);
	*p = dev->sim.params;
	spin_unlock(&dev->sim.lock);
	p->size = sizeof(*p);
}

/**
 * vbs_sim_set() - VBS_IOC_SET_SIM: replace the settings
 * @dev: the disk.
 * @p: the new settings, copied in (@p->size as the caller sent it).
 *
 * Everything that can fail (checking, allocating the unit heap) happens
 * before anything changes. The timelines restart empty and the random
 * sequence restarts from the seed; requests in flight keep the completion
 * time they were given.
 *
 * blk_queue_rq_timeout() sets how long blk-mq lets a request stay with the
 * driver before it calls our ->timeout handler; it applies to requests
 * started from now on, which is why it needs no freezing of the queue.
 *
 * Context: process context, may sleep.
 * Return: 0, -EINVAL or -ENOMEM.
 */
int vbs_sim_set(struct vbs_dev *dev, const struct vbs_sim_params *p)
{
	struct vbs_sim *sim = &dev->sim;
	unsigned int timeout_ms;
	u64 *units = NULL, *old;
	int ret;

	ret = vbs_sim_check(p);
	if (ret)
		return ret;
	/*
	 * On a model disk the model simulates the device; only the seed and
	 * the request timeout (how long a model may keep a request) apply.
	 */
	if (dev->model.on && !vbs_sim_is_default(p))
		return -EOPNOTSUPP;
	if (p->channels) {
		units = kcalloc(p->channels, sizeof(*units), GFP_KERNEL);
		if (!units)
			return -ENOMEM;
	}
	timeout_ms = p->timeout_ms ? p->timeout_ms : VBS_SIM_DEFAULT_TIMEOUT_MS;

	mutex_lock(&sim->mutex);
	spin_lock(&sim->lock);
	old = sim->units;
	sim->units = units;
	sim->nr_units = p->channels;
	sim->params = *p;
	sim->params.size = sizeof(sim->params);
	sim->rng = p->seed;
	memset(sim->bw_free, 0, sizeof(sim->bw_free));
	memset(sim->iops_next, 0, sizeof(sim->iops_next));
	sim->configured = !vbs_sim_is_default(p);
	vbs_sim_update_active(sim);
	spin_unlock(&sim->lock);
	blk_queue_rq_timeout(dev->disk->queue, msecs_to_jiffies(timeout_ms));
	mutex_unlock(&sim->mutex);

	kfree(old);
	return 0;
}

/**
 * vbs_sim_init() - an engine with every setting off
 * @sim: the engine, zeroed (part of a kzalloc'ed disk).
 *
 * Context: process context.
 */
void vbs_sim_init(struct vbs_sim *sim)
{
	spin_lock_init(&sim->lock);
	mutex_init(&sim->mutex);
	INIT_LIST_HEAD(&sim->rules);
	sim->next_rule_id = 1;
	sim->params.size = sizeof(sim->params);
	atomic_set(&sim->in_flight, 0);
	atomic_set(&sim->peak_in_flight, 0);
}

/**
 * vbs_sim_stop() - turn the engine off for good, before removal
 * @dev: the disk, about to be deleted.
 *
 * del_gendisk() waits for every request in flight. A request the engine
 * holds for a long service time, or forever (the timeout fault), would
 * make it wait that long; so the engine is switched off (new requests
 * complete inline) and the requests it holds are completed now.
 *
 * Context: process context, may sleep.
 */
void vbs_sim_stop(struct vbs_dev *dev)
{
	struct request_queue *q = dev->disk->queue;

	/*
	 * Quiesce first: blk_mq_quiesce_queue() returns once no ->queue_rq
	 * is running and none can start. Without it, a request that has
	 * seen the engine on but not yet reached its WAITING state would be
	 * missed by the walk below and then wait out its service time, or
	 * its timeout, inside del_gendisk().
	 */
	blk_mq_quiesce_queue(q);
	spin_lock(&dev->sim.lock);
	dev->sim.dying = true;
	vbs_sim_update_active(&dev->sim);
	spin_unlock(&dev->sim.lock);
	vbs_complete_all(dev);
	/* From here requests complete inline; let the queued ones through. */
	blk_mq_unquiesce_queue(q);
}

/**
 * vbs_sim_destroy() - free what the engine allocated
 * @sim: the engine; the disk's tag set is already freed.
 *
 * Context: process context.
 */
void vbs_sim_destroy(struct vbs_sim *sim)
{
	vbs_fault_destroy(sim);
	kfree(sim->units);
	sim->units = NULL;
	sim->nr_units = 0;
}
