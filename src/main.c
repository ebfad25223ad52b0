// SPDX-License-Identifier: GPL-2.0
/*
 * virtblkiosim - a block device driver that simulates a storage device.
 *
 * This file owns the life of the module: its parameters, and module init
 * and exit, which create the disks asked for at load (through dev.c) and
 * the control node (control.c), and take them down again.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>

#include "vbs.h"

/**
 * DOC: Module parameters
 *
 * They shape the disks created at load time (nr_devices of them) and are
 * the defaults for disks added later through /dev/virtblkiosim-control.
 * All are read-only in /sys/module/virtblkiosim/parameters/: changing them
 * after load would not change the disks that exist. An invalid value
 * makes the load fail with -EINVAL and a log line naming the parameter.
 */
static unsigned int nr_devices = 1;
module_param(nr_devices, uint, 0444);
MODULE_PARM_DESC(nr_devices, "Disks created at load, 0..64 (default: 1)");

static unsigned long capacity_mb = 1024;
module_param(capacity_mb, ulong, 0444);
MODULE_PARM_DESC(capacity_mb,
		 "Capacity of each disk in MiB, 1..2^30 (default: 1024)");

static unsigned int logical_block_size = 512;
module_param(logical_block_size, uint, 0444);
MODULE_PARM_DESC(logical_block_size,
		 "Logical block size in bytes: 512, 1024, 2048 or 4096 (default: 512)");

static unsigned int physical_block_size;
module_param(physical_block_size, uint, 0444);
MODULE_PARM_DESC(physical_block_size,
		 "Physical block size in bytes, a power of two from the logical block size to 65536 (default: 0 = logical block size)");

static unsigned int nr_hw_queues;
module_param(nr_hw_queues, uint, 0444);
MODULE_PARM_DESC(nr_hw_queues,
		 "Hardware queues per disk, 1..number of CPUs (default: 0 = one per CPU)");

static unsigned int poll_queues;
module_param(poll_queues, uint, 0444);
MODULE_PARM_DESC(poll_queues,
		 "Extra hardware queues for polled I/O (io_uring IOPOLL) of the disks made at load, 0..number of CPUs (default: 0)");

static unsigned int queue_depth = 128;
module_param(queue_depth, uint, 0444);
MODULE_PARM_DESC(queue_depth,
		 "Requests in flight per hardware queue, 1..4096 (default: 128)");

static bool discard = true;
module_param(discard, bool, 0444);
MODULE_PARM_DESC(discard, "Support discard, which frees memory (default: on)");

static bool write_zeroes = true;
module_param(write_zeroes, bool, 0444);
MODULE_PARM_DESC(write_zeroes, "Support write-zeroes (default: on)");

static bool write_cache;
module_param(write_cache, bool, 0444);
MODULE_PARM_DESC(write_cache,
		 "Advertise a volatile write cache and FUA, so the disk receives flushes (default: off)");

static unsigned int max_partitions = 16;
module_param(max_partitions, uint, 0444);
MODULE_PARM_DESC(max_partitions,
		 "Partition minor numbers reserved per disk, 0..255; 0 disables partitions (default: 16)");

/* Most disks nr_devices may ask for at load; more can be added later. */
#define VBS_MAX_LOAD_DEVICES	64

/* Largest capacity_mb: 2^30 MiB (1 PiB). */
#define VBS_MAX_CAPACITY_MB	BIT_ULL(30)

/**
 * vbs_config_defaults() - a configuration built from the module parameters
 * @cfg: filled in.
 *
 * Context: any.
 */
static void vbs_config_defaults(struct vbs_dev_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->size = sizeof(*cfg);
	cfg->capacity = (u64)capacity_mb << 20;
	cfg->logical_block_size = logical_block_size;
	cfg->physical_block_size = physical_block_size;
	cfg->nr_hw_queues = nr_hw_queues;
	cfg->queue_depth = queue_depth;
	cfg->nr_poll_queues = poll_queues;
	cfg->max_partitions = max_partitions;
	if (discard)
		cfg->flags |= VBS_CFG_DISCARD;
	if (write_zeroes)
		cfg->flags |= VBS_CFG_WRITE_ZEROES;
	if (write_cache)
		cfg->flags |= VBS_CFG_WRITE_CACHE;
}

/**
 * vbs_params_check() - validate the module parameters at load
 *
 * Values that have no "0 = default" meaning are checked here, so that a
 * wrong insmod line fails and says which parameter was wrong; the rest is
 * checked with the configuration they make, by vbs_devs_init().
 *
 * Return: 0, or -EINVAL.
 */
static int vbs_params_check(void)
{
	if (nr_devices > VBS_MAX_LOAD_DEVICES) {
		pr_err("nr_devices %u: must be from 0 to %u\n", nr_devices,
		       VBS_MAX_LOAD_DEVICES);
		return -EINVAL;
	}
	if (!capacity_mb || capacity_mb > VBS_MAX_CAPACITY_MB) {
		pr_err("capacity_mb %lu: must be from 1 to %llu\n",
		       capacity_mb, VBS_MAX_CAPACITY_MB);
		return -EINVAL;
	}
	if (!logical_block_size) {
		pr_err("logical_block_size 0: must be a power of two from 512 to %lu\n",
		       PAGE_SIZE);
		return -EINVAL;
	}
	if (poll_queues > nr_cpu_ids) {
		pr_err("poll_queues %u: must be from 0 to the number of CPUs (%u)\n",
		       poll_queues, nr_cpu_ids);
		return -EINVAL;
	}
	if (!queue_depth) {
		pr_err("queue_depth 0: must be from 1 to %u\n",
		       VBS_MAX_QUEUE_DEPTH);
		return -EINVAL;
	}
	return 0;
}

/**
 * vbs_check_abi() - pin the ioctl structure layouts at compile time
 *
 * A change of size is an ABI break for programs built against an older
 * header; the build fails instead of shipping one.
 */
static void __init vbs_check_abi(void)
{
	BUILD_BUG_ON(sizeof(struct vbs_dev_config) != VBS_DEV_CONFIG_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct vbs_info) != VBS_INFO_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct vbs_block_io) != VBS_BLOCK_IO_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct vbs_stats) != VBS_STATS_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct vbs_features) != VBS_FEATURES_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct vbs_ctl_add) != VBS_CTL_ADD_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct vbs_ctl_list) != VBS_CTL_LIST_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct vbs_sim_params) != VBS_SIM_PARAMS_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct vbs_fault_rule) != VBS_FAULT_RULE_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct vbs_fault_list) != VBS_FAULT_LIST_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct vbs_powercut) != VBS_POWERCUT_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct vbs_model_attach) !=
		     VBS_MODEL_ATTACH_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct vbs_model_req) != VBS_MODEL_REQ_SIZE);
	BUILD_BUG_ON(sizeof(struct vbs_model_answer) != VBS_MODEL_ANSWER_SIZE);
	BUILD_BUG_ON(sizeof(struct vbs_model_exchange) !=
		     VBS_MODEL_EXCHANGE_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct vbs_model_page_op) !=
		     VBS_MODEL_PAGE_OP_SIZE);
	BUILD_BUG_ON(sizeof(struct vbs_model_pages) !=
		     VBS_MODEL_PAGES_SIZE_VER0);
	BUILD_BUG_ON(VBS_MODEL_MAX_REQ_PAGES <
		     (VBS_MAX_HW_SECTORS >> VBS_PAGE_SECTORS_SHIFT) + 1);
}

/**
 * vbs_init() - module entry point
 *
 * A module whose init fails is freed at once, whatever still refers to
 * it. So the load only fails while nothing of it is visible: every disk
 * asked for with nr_devices is prepared (all its memory allocated) before
 * anything is registered, and once the first disk is published the load
 * succeeds. A published disk may be open already, by udev's probe or by
 * the partition scan of add_disk() itself, whose file is only released
 * when this task returns to user space; tearing it down and freeing the
 * module under that open file would leave the block layer calling into
 * freed code. A disk whose add_disk() fails (the only failure left once
 * the disks are prepared) is reported and left out, as loop does.
 *
 * Context: process context (insmod / modprobe).
 * Return: 0, or a negative errno; on failure nothing stays registered.
 */
static int __init vbs_init(void)
{
	struct vbs_dev_config cfg;
	struct vbs_dev **devs;
	unsigned int i, added = 0;
	int ret;

	vbs_check_abi();

	/* 1. Refuse bad parameters before registering anything. */
	ret = vbs_params_check();
	if (ret)
		return ret;

	/*
	 * 2. Check the configuration the parameters make (it is every new
	 * disk's default) and get a block major number for the disks.
	 * Nothing uses the major before a disk is published.
	 */
	vbs_config_defaults(&cfg);
	ret = vbs_devs_init(&cfg);
	if (ret)
		return ret;

	/*
	 * 3. Prepare the disks asked for with nr_devices, with their
	 * indices reserved, none visible yet.
	 */
	devs = kcalloc(nr_devices, sizeof(*devs), GFP_KERNEL);
	if (!devs) {
		ret = -ENOMEM;
		goto out_devs_exit;
	}
	for (i = 0; i < nr_devices; i++) {
		devs[i] = vbs_dev_prepare(&cfg, i);
		if (IS_ERR(devs[i])) {
			ret = PTR_ERR(devs[i]);
			pr_err("creating disk %u failed: %d\n", i, ret);
			goto out_unprepare;
		}
	}

	/*
	 * 4. Open the control device: from here on, userland can add and
	 * remove disks concurrently with anything else; the reserved
	 * indices keep it from taking ours. misc_register() leaves nothing
	 * behind when it fails.
	 */
	ret = vbs_control_init();
	if (ret)
		goto out_unprepare;

	/* 5. Publish the disks. Nothing is undone from here on. */
	for (i = 0; i < nr_devices; i++) {
		ret = vbs_dev_publish(devs[i]);
		if (ret) {
			pr_warn("adding disk %u failed: %d, left out\n", i, ret);
			vbs_dev_unprepare(devs[i]);
		} else {
			added++;
		}
	}
	kfree(devs);

	pr_info("loaded: %u of %u disk(s) of %lu MiB, ABI %u\n", added,
		nr_devices, capacity_mb, VBS_ABI_VERSION);
	return 0;

	/* Undo step 3. */
out_unprepare:
	while (i--)
		vbs_dev_unprepare(devs[i]);
	kfree(devs);
	/* Undo step 2. */
out_devs_exit:
	vbs_devs_exit();
	return ret;
}

/**
 * vbs_exit() - module exit: the mirror of vbs_init()
 *
 * Context: process context (rmmod), only when no disk is open.
 */
static void __exit vbs_exit(void)
{
	/* Undo step 4: no new disks can be added after this. */
	vbs_control_exit();
	/* Undo steps 5 and 3: remove every disk, made at load or later. */
	vbs_dev_remove_all();
	/*
	 * Pages freed by discard wait for an RCU grace period before their
	 * callback, which is code in this module, runs. Wait for all of them
	 * before the module's code goes away.
	 */
	rcu_barrier();
	/* Undo step 2. */
	vbs_devs_exit();
	pr_info("unloaded\n");
}

module_init(vbs_init);
module_exit(vbs_exit);

MODULE_AUTHOR("The virtblkiosim authors");
MODULE_DESCRIPTION("Block device driver that simulates a storage device");
MODULE_LICENSE("GPL");
