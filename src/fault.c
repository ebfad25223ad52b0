// SPDX-License-Identifier: GPL-2.0
/*
 * virtblkiosim - fault rules.
 *
 * This file owns the part of a request's life where the simulated device
 * misbehaves on purpose: the list of rules that the ioctls add, list and
 * clear, the test of each request against them at the start of its
 * service, and the damage a "corrupt" rule does to the data it returns.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bvec.h>
#include <linux/highmem.h>
#include <linux/list.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "vbs.h"

/**
 * DOC: Fault rules
 *
 * A rule says: requests of these operations (a VBS_OP_* mask) that touch
 * this range of logical blocks suffer this effect (I/O error, medium
 * error, timeout, corrupted read data, lost write) when this trigger
 * says so (always, once, every N-th matching request, with a
 * probability), at most this many times. The device tries its rules in
 * the order they were added; the first that fires decides.
 *
 * The rules live on a list in the disk's engine (&vbs_sim.rules). The
 * request path reads and updates them (match and fire counters, fires
 * left, the random draw of a probability rule) under the engine spinlock,
 * which it holds anyway to compute the service time; a disk without rules
 * and without settings never takes that lock (&vbs_sim.active). RCU would
 * let readers walk the list without the lock, but every walk here also
 * writes counters and draws from the disk's one random generator, which
 * must happen in a single order for a seed to replay the same faults.
 *
 * The ioctls that change the list hold &vbs_sim.mutex, so they can
 * allocate and free with GFP_KERNEL outside the spinlock, and take the
 * spinlock only for the moment they link or unlink a rule.
 */

/**
 * struct vbs_fault - one rule as the disk keeps it
 * @node: entry in &vbs_sim.rules (under &vbs_sim.lock and &vbs_sim.mutex).
 * @rule: the rule as added, with its id; @rule.matched, @rule.fired,
 *	@rule.remaining and @rule.state change as requests hit it (under
 *	&vbs_sim.lock).
 * @start: first 512-byte sector of the rule's range.
 * @end: sector after the last one of the range.
 */
struct vbs_fault {
	struct list_head node;
	struct vbs_fault_rule rule;
	sector_t start;
	sector_t end;
};

/**
 * vbs_fault_validate() - check a rule from userland against the disk
 * @dev: the disk.
 * @r: the rule, copied in; output fields are ignored. On success
 *	@r->count and @r->remaining hold their resolved values.
 *
 * Return: 0, or -EINVAL for any value out of range or any unknown bit.
 */
static int vbs_fault_validate(struct vbs_dev *dev, struct vbs_fault_rule *r)
{
	u64 nr_blocks = dev->cfg.capacity >> (dev->lbs_shift + SECTOR_SHIFT);
	u64 end;

	if (r->reserved0 || memchr_inv(r->reserved, 0, sizeof(r->reserved)))
		return -EINVAL;
	if (!r->op_mask || r->op_mask & ~VBS_OP_MASK_ALL)
		return -EINVAL;

	switch (r->effect) {
	case VBS_FAULT_IOERR:
	case VBS_FAULT_MEDIUM:
	case VBS_FAULT_TIMEOUT:
		break;
	case VBS_FAULT_CORRUPT:
		if (r->op_mask != VBS_OP_MASK(VBS_OP_READ))
			return -EINVAL;
		break;
	case VBS_FAULT_LOST_WRITE:
		if (r->op_mask & VBS_OP_MASK(VBS_OP_READ))
			return -EINVAL;
		break;
	default:
		return -EINVAL;
	}

	switch (r->trigger) {
	case VBS_TRIGGER_ALWAYS:
		if (r->every_n || r->ppm)
			return -EINVAL;
		break;
	case VBS_TRIGGER_ONCE:
		if (r->every_n || r->ppm || r->remaining > 1)
			return -EINVAL;
		r->remaining = 1;
		break;
	case VBS_TRIGGER_EVERY_N:
		if (!r->every_n || r->ppm)
			return -EINVAL;
		break;
	case VBS_TRIGGER_PROB:
		if (r->every_n || !r->ppm || r->ppm > 1000000)
			return -EINVAL;
		break;
	default:
		return -EINVAL;
	}

	if (r->lba >= nr_blocks)
		return -EINVAL;
	if (!r->count)
		r->count = nr_blocks - r->lba;
	if (check_add_overflow(r->lba, r->count, &end) || end > nr_blocks)
		return -EINVAL;
	return 0;
}

/**
 * vbs_fault_new_id() - an id for a new rule
 * @sim: the engine.
 *
 * Ids count up from 1. After 2^32 - 1 rules they wrap around; then an id
 * still in use is skipped, so ids stay unique.
 *
 * Context: @sim->mutex held (the list cannot change).
 * Return: the id, never 0.
 */
static u32 vbs_fault_new_id(struct vbs_sim *sim)
{
	struct vbs_fault *f;
	u32 id;

again:
	id = sim->next_rule_id++;
	if (!sim->next_rule_id)
		sim->next_rule_id = 1;
	list_for_each_entry(f, &sim->rules, node)
		if (f->rule.id == id)
			goto again;
	return id;
}

/**
 * vbs_fault_add() - VBS_IOC_FAULT_ADD: append a rule to the disk's list
 * @dev: the disk.
 * @rule: the rule, copied in. On success it is what the disk keeps: id
 *	set, count and remaining resolved, counters zero.
 *
 * Context: process context, may sleep.
 * Return: 0, -EINVAL, -ENOSPC (VBS_FAULT_MAX_RULES reached) or -ENOMEM.
 */
int vbs_fault_add(struct vbs_dev *dev, struct vbs_fault_rule *rule)
{
	struct vbs_sim *sim = &dev->sim;
	struct vbs_fault *f;
	u32 shift = dev->lbs_shift;
	int ret;

	ret = vbs_fault_validate(dev, rule);
	if (ret)
		return ret;
	f = kzalloc(sizeof(*f), GFP_KERNEL);
	if (!f)
		return -ENOMEM;
	rule->size = sizeof(*rule);
	rule->matched = 0;
	rule->fired = 0;
	rule->state = 0;
	f->start = rule->lba << shift;
	f->end = (rule->lba + rule->count) << shift;

	mutex_lock(&sim->mutex);
	if (sim->nr_rules >= VBS_FAULT_MAX_RULES) {
		mutex_unlock(&sim->mutex);
		kfree(f);
		return -ENOSPC;
	}
	rule->id = vbs_fault_new_id(sim);
	f->rule = *rule;
	spin_lock(&sim->lock);
	list_add_tail(&f->node, &sim->rules);
	sim->nr_rules++;
	vbs_sim_update_active(sim);
	spin_unlock(&sim->lock);
	mutex_unlock(&sim->mutex);
	return 0;
}

/**
 * vbs_fault_list() - VBS_IOC_FAULT_LIST: a snapshot of the rules
 * @dev: the disk.
 * @rules: array of @capacity entries, filled in list order.
 * @capacity: entries @rules can hold.
 * @count: set to the number of rules (may exceed @capacity).
 *
 * The counters of all rules are copied in one hold of the engine lock, so
 * they describe one instant.
 *
 * Context: process context, may sleep.
 * Return: 0.
 */
int vbs_fault_list(struct vbs_dev *dev, struct vbs_fault_rule *rules,
		   u32 capacity, u32 *count)
{
	struct vbs_sim *sim = &dev->sim;
	struct vbs_fault *f;
	u32 n = 0;

	mutex_lock(&sim->mutex);
	spin_lock(&sim->lock);
	list_for_each_entry(f, &sim->rules, node) {
		if (n < capacity)
			rules[n] = f->rule;
		n++;
	}
	spin_unlock(&sim->lock);
	mutex_unlock(&sim->mutex);
	*count = n;
	return 0;
}

/**
 * vbs_fault_clear() - VBS_IOC_FAULT_CLEAR: remove one rule or all
 * @dev: the disk.
 * @id: the rule's id, or VBS_FAULT_ID_ALL.
 *
 * Once a rule is unlinked under the engine lock no request can see it
 * (requests only look under that lock), so it is freed at once.
 *
 * Context: process context, may sleep.
 * Return: 0, or -ENOENT when no rule has that id.
 */
int vbs_fault_clear(struct vbs_dev *dev, u32 id)
{
	struct vbs_sim *sim = &dev->sim;
	struct vbs_fault *f, *tmp;
	LIST_HEAD(gone);
	int ret = -ENOENT;

	mutex_lock(&sim->mutex);
	spin_lock(&sim->lock);
	list_for_each_entry_safe(f, tmp, &sim->rules, node) {
		if (id != VBS_FAULT_ID_ALL && f->rule.id != id)
			continue;
		list_move_tail(&f->node, &gone);
		sim->nr_rules--;
		ret = 0;
	}
	vbs_sim_update_active(sim);
	spin_unlock(&sim->lock);
	mutex_unlock(&sim->mutex);

	list_for_each_entry_safe(f, tmp, &gone, node)
		kfree(f);
	return id == VBS_FAULT_ID_ALL ? 0 : ret;
}

/**
 * vbs_fault_destroy() - free every rule, when the disk goes away
 * @sim: the engine; no request and no ioctl can run any more.
 *
 * Context: process context.
 */
void vbs_fault_destroy(struct vbs_sim *sim)
{
	struct vbs_fault *f, *tmp;

	list_for_each_entry_safe(f, tmp, &sim->rules, node) {
		list_del(&f->node);
		kfree(f);
	}
	sim->nr_rules = 0;
}

/**
 * vbs_fault_fires() - count a matching request and test the trigger
 * @sim: the engine.
 * @f: a rule the request matches.
 *
 * Context: @sim->lock held.
 * Return: true when the rule fires on this request.
 */
static bool vbs_fault_fires(struct vbs_sim *sim, struct vbs_fault *f)
	__must_hold(&sim->lock)
{
	struct vbs_fault_rule *r = &f->rule;
	bool fire;

	r->matched++;
	if (r->state & VBS_FAULT_STATE_SPENT)
		return false;
	switch (r->trigger) {
	case VBS_TRIGGER_EVERY_N:
		fire = !(r->matched % r->every_n);
		break;
	case VBS_TRIGGER_PROB:
		fire = vbs_rand_ppm(vbs_sim_rand(sim)) < r->ppm;
		break;
	default:
		fire = true;
		break;
	}
	if (!fire)
		return false;
	r->fired++;
	if (r->remaining && !--r->remaining)
		r->state |= VBS_FAULT_STATE_SPENT;
	return true;
}

/**
 * vbs_fault_check() - apply the first rule that fires on a request
 * @dev: the disk.
 * @op: VBS_OP_* index of the request.
 * @sector: first 512-byte sector.
 * @bytes: bytes the request covers (0 for a flush).
 * @cmd: the request's driver data: @cmd->effect and @cmd->status are set
 *	when a rule fires, and the damaged range for a corrupting one.
 *
 * Context: the engine lock held (from vbs_sim_plan()).
 */
void vbs_fault_check(struct vbs_dev *dev, int op, sector_t sector,
		     u32 bytes, struct vbs_cmd *cmd)
	__must_hold(&dev->sim.lock)
{
	struct vbs_sim *sim = &dev->sim;
	sector_t end = sector + (bytes >> SECTOR_SHIFT);
	struct vbs_fault *f;

	lockdep_assert_held(&sim->lock);
	list_for_each_entry(f, &sim->rules, node) {
		if (!(f->rule.op_mask & VBS_OP_MASK(op)))
			continue;
		/* A flush has no blocks: it matches on its operation. */
		if (op != VBS_OP_FLUSH && (sector >= f->end || end <= f->start))
			continue;
		if (!vbs_fault_fires(sim, f))
			continue;

		cmd->effect = f->rule.effect;
		switch (f->rule.effect) {
		case VBS_FAULT_IOERR:
			cmd->status = BLK_STS_IOERR;
			break;
		case VBS_FAULT_MEDIUM:
			cmd->status = BLK_STS_MEDIUM;
			break;
		case VBS_FAULT_CORRUPT:
			cmd->corrupt_start = max(sector, f->start);
			cmd->corrupt_end = min(end, f->end);
			cmd->corrupt_salt = vbs_sim_rand(sim) >> 32;
			break;
		}
		this_cpu_inc(dev->stats->faults[op]);
		return;
	}
}

/**
 * vbs_fault_corrupt() - damage the data a read returns
 * @rq: the read, its data already copied from the store.
 * @sector: the request's first 512-byte sector.
 * @cmd: its driver data, with the damaged range.
 *
 * Inverts one byte in the first sector of every logical block inside the
 * range, at an offset chosen by the rule's random draw. The store keeps
 * the good data: the next read without the fault returns it.
 *
 * Context: process context.
 */
void vbs_fault_corrupt(struct request *rq, sector_t sector,
		       const struct vbs_cmd *cmd)
{
	struct vbs_dev *dev = rq->q->queuedata;
	sector_t mask = BIT(dev->lbs_shift) - 1;
	unsigned int offset = cmd->corrupt_salt % SECTOR_SIZE;
	struct req_iterator iter;
	struct bio_vec bv;
	sector_t s, end;
	u8 *buf;

	rq_for_each_segment(bv, rq, iter) {
		end = sector + (bv.bv_len >> SECTOR_SHIFT);
		s = max(sector, cmd->corrupt_start);
		if (s < min(end, cmd->corrupt_end)) {
			buf = bvec_kmap_local(&bv);
			for (; s < min(end, cmd->corrupt_end); s++)
				if (!(s & mask))
					buf[((s - sector) << SECTOR_SHIFT) +
					    offset] ^= 0xff;
			kunmap_local(buf);
		}
		sector = end;
	}
}
