// SPDX-License-Identifier: GPL-2.0
/*
 * virtblkiosim - /dev/virtblkiosim-control.
 *
 * This file owns the control node, the way to create and remove disks
 * while the module is loaded (as /dev/loop-control does for loop devices).
 * It only validates and dispatches: dev.c creates, finds and removes
 * disks, model.c runs the model sessions.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "vbs.h"

/* Most indices VBS_CTL_LIST returns in one call. */
#define VBS_LIST_MAX		65536U

/**
 * vbs_ctl_get_features() - VBS_CTL_GET_FEATURES
 * @uarg: user address of a struct vbs_features.
 *
 * Return: 0, -EFAULT or -EINVAL.
 */
static int vbs_ctl_get_features(void __user *uarg)
{
	struct vbs_features f = {
		.abi_version	= VBS_ABI_VERSION,
		.features	= vbs_features(),
		.max_devices	= VBS_MAX_DEVICES,
		.nr_devices	= vbs_dev_count(),
	};

	return vbs_copy_struct_out(uarg, &f, sizeof(f));
}

/**
 * vbs_ctl_add() - VBS_CTL_ADD: create a disk
 * @uarg: user address of a struct vbs_ctl_add.
 *
 * The configuration is copied and checked like any extensible structure;
 * the new index is written back into the caller's structure.
 *
 * Return: 0; -EFAULT; -EINVAL (bad configuration); -EEXIST; -ENOSPC;
 * -ENOMEM.
 */
static int vbs_ctl_add(void __user *uarg)
{
	struct vbs_ctl_add add;
	u32 index;
	int ret;

	ret = vbs_copy_struct_in(&add, sizeof(add), VBS_CTL_ADD_SIZE_VER0,
				 uarg);
	if (ret)
		return ret;
	if (add.config.size < VBS_DEV_CONFIG_SIZE_VER0 ||
	    add.config.size > sizeof(add.config) ||
	    memchr_inv(add.config.reserved, 0, sizeof(add.config.reserved)))
		return -EINVAL;

	ret = vbs_dev_create(&add.config, add.index, &index);
	if (ret)
		return ret;
	/*
	 * The structure was readable a moment ago; if it is not writable the
	 * disk still exists and VBS_CTL_LIST shows it.
	 */
	if (put_user(index,
		     (u32 __user *)(uarg + offsetof(struct vbs_ctl_add, index))))
		return -EFAULT;
	return 0;
}

/**
 * vbs_ctl_list() - VBS_CTL_LIST: the indices of the disks
 * @uarg: user address of a struct vbs_ctl_list.
 *
 * Return: 0, -EFAULT, -EINVAL or -ENOMEM.
 */
static int vbs_ctl_list(void __user *uarg)
{
	struct vbs_ctl_list list;
	u32 *indices = NULL;
	u32 n;
	int ret;

	ret = vbs_copy_struct_in(&list, sizeof(list), VBS_CTL_LIST_SIZE_VER0,
				 uarg);
	if (ret)
		return ret;
	if (list.reserved0 || list.capacity > VBS_LIST_MAX ||
	    (list.capacity && !list.indices))
		return -EINVAL;
	if (list.capacity) {
		indices = kvcalloc(list.capacity, sizeof(*indices), GFP_KERNEL);
		if (!indices)
			return -ENOMEM;
	}
	vbs_dev_list(indices, list.capacity, &list.count);
	n = min(list.count, list.capacity);
	if (n && copy_to_user(u64_to_user_ptr(list.indices), indices,
			      n * sizeof(*indices)))
		ret = -EFAULT;
	else if (put_user(list.count, (u32 __user *)(uarg +
			  offsetof(struct vbs_ctl_list, count))))
		ret = -EFAULT;
	kvfree(indices);
	return ret;
}

/**
 * vbs_ctl_model_attach() - VBS_CTL_MODEL_ATTACH: make the node a session
 * @file: the open control node.
 * @uarg: user address of a struct vbs_model_attach.
 *
 * The disk is looked up with a reference (vbs_dev_get()), which the
 * session keeps for as long as it is attached: whatever removal does
 * meanwhile, the disk's memory stays until the session has let go.
 *
 * Context: process context, may sleep.
 * Return: 0, -EINVAL (bad argument, not a model disk), -ENODEV (no such
 * disk), -EBUSY (the node is already a session, or the disk is going
 * away), -EFAULT or -ENOMEM.
 */
static int vbs_ctl_model_attach(struct file *file, void __user *uarg)
{
	struct vbs_model_attach a;
	struct vbs_dev *dev;
	int ret;

	ret = vbs_copy_struct_in(&a, sizeof(a), VBS_MODEL_ATTACH_SIZE_VER0,
				 uarg);
	if (ret)
		return ret;
	if (a.flags & ~VBS_MODEL_ATTACH_ALL_FLAGS ||
	    memchr_inv(a.reserved, 0, sizeof(a.reserved)))
		return -EINVAL;
	dev = vbs_dev_get(a.index);
	if (!dev)
		return -ENODEV;
	/* On success the session owns the reference (vbs_model_release()). */
	ret = vbs_model_attach(file, dev, &a, uarg);
	if (ret)
		vbs_dev_put(dev);
	return ret;
}

/**
 * vbs_ctl_ioctl() - dispatch an ioctl on the control node
 * @file: the open control node.
 * @cmd: the command.
 * @arg: its argument.
 *
 * Commands are told apart by VBS_IOC_ID(), as on the disks (vbs_ioctl()).
 * Commands that create or destroy disks need CAP_SYS_ADMIN, checked here
 * at the call rather than at open, so that a privileged program cannot
 * hand an open descriptor to an unprivileged one and lend it the right.
 *
 * Context: process context, may sleep.
 * Return: 0 or a negative errno; -ENOTTY for a command we do not know.
 */
static long vbs_ctl_ioctl(struct file *file, unsigned int cmd,
			  unsigned long arg)
{
	void __user *uarg = (void __user *)arg;
	u32 index;

	switch (VBS_IOC_ID(cmd)) {
	case VBS_IOC_ID(VBS_CTL_GET_FEATURES):
		return vbs_ctl_get_features(uarg);
	case VBS_IOC_ID(VBS_CTL_LIST):
		return vbs_ctl_list(uarg);
	case VBS_IOC_ID(VBS_CTL_ADD):
		if (!capable(CAP_SYS_ADMIN))
			return -EPERM;
		return vbs_ctl_add(uarg);
	case VBS_IOC_ID(VBS_CTL_REMOVE):
		if (!capable(CAP_SYS_ADMIN))
			return -EPERM;
		if (get_user(index, (u32 __user *)uarg))
			return -EFAULT;
		return vbs_dev_remove(index);
	case VBS_IOC_ID(VBS_CTL_MODEL_ATTACH):
		if (!capable(CAP_SYS_ADMIN))
			return -EPERM;
		return vbs_ctl_model_attach(file, uarg);
	case VBS_IOC_ID(VBS_CTL_MODEL_EXCHANGE):
	case VBS_IOC_ID(VBS_CTL_MODEL_PAGES):
		if (!capable(CAP_SYS_ADMIN))
			return -EPERM;
		return vbs_model_ioctl(file, VBS_IOC_ID(cmd), uarg);
	default:
		return -ENOTTY;
	}
}

/**
 * vbs_ctl_open() - open the control node
 * @inode: its inode.
 * @file: the new open file.
 *
 * The misc core stores its struct miscdevice in @file->private_data; we
 * keep that field for the model session (model.c), empty until
 * VBS_CTL_MODEL_ATTACH.
 *
 * Return: 0.
 */
static int vbs_ctl_open(struct inode *inode, struct file *file)
{
	file->private_data = NULL;
	return nonseekable_open(inode, file);
}

/**
 * vbs_ctl_release() - the last reference to an open control node went
 * @inode: its inode.
 * @file: the open file.
 *
 * Closing the node (or exiting, or being killed) detaches a model.
 *
 * Return: 0.
 */
static int vbs_ctl_release(struct inode *inode, struct file *file)
{
	vbs_model_release(file);
	return 0;
}

static const struct file_operations vbs_ctl_fops = {
	.owner		= THIS_MODULE,
	.open		= vbs_ctl_open,
	.release	= vbs_ctl_release,
	.unlocked_ioctl	= vbs_ctl_ioctl,
	/* Every argument has the same layout for 32-bit callers. */
	.compat_ioctl	= compat_ptr_ioctl,
	.llseek		= noop_llseek,
};

/*
 * A misc device: a character device with a dynamic minor under the misc
 * major, and a /dev node created by devtmpfs/udev, all in one call.
 * Mode 0666: anyone may list disks and read the features; the commands
 * that change something check CAP_SYS_ADMIN themselves.
 */
static struct miscdevice vbs_ctl_misc = {
	.minor		= MISC_DYNAMIC_MINOR,
	.name		= VBS_CONTROL_NAME,
	.fops		= &vbs_ctl_fops,
	.mode		= 0666,
};

/**
 * vbs_control_init() - register /dev/virtblkiosim-control
 *
 * Context: module init.
 * Return: 0 or misc_register()'s error.
 */
int vbs_control_init(void)
{
	return misc_register(&vbs_ctl_misc);
}

/**
 * vbs_control_exit() - unregister /dev/virtblkiosim-control
 *
 * No ioctl can be running: an open control node holds a module reference.
 *
 * Context: module exit.
 */
void vbs_control_exit(void)
{
	misc_deregister(&vbs_ctl_misc);
}
