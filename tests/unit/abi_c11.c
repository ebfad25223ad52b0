/*
 * The ABI header compiled alone as C11 with -Wall -Wextra -pedantic
 * -Werror: it must be self-contained, warning-free, and lay its structures
 * out exactly as abi_layout.h says.
 */
#include <linux/virtblkiosim.h>

#include <stddef.h>

#include "abi_layout.h"

#define VBS_CHECK_SIZE(type, size) \
	_Static_assert(sizeof(struct type) == (size), "sizeof(struct " #type ")");
#define VBS_CHECK_OFFSET(type, field, offset) \
	_Static_assert(offsetof(struct type, field) == (offset), #type "." #field);

VBS_ABI_SIZES(VBS_CHECK_SIZE)
VBS_ABI_OFFSETS(VBS_CHECK_OFFSET)

/* Structures that hold __u64 fields are 8-aligned on 64-bit ABIs. */
_Static_assert(_Alignof(struct vbs_info) == _Alignof(__u64), "alignof(struct vbs_info)");

/* Every ioctl encodes the size of its argument structure. */
#define VBS_CHECK_IOCTL(cmd, size) _Static_assert(_IOC_SIZE(cmd) == (size), #cmd " size");
VBS_ABI_IOCTLS(VBS_CHECK_IOCTL)

#define VBS_FACT_SIZE(type, size) {"sizeof(" #type ")", sizeof(struct type)},
#define VBS_FACT_OFFSET(type, field, offset) {#type "." #field, offsetof(struct type, field)},

const struct vbs_abi_fact vbs_abi_c_facts[] = {
	VBS_ABI_SIZES(VBS_FACT_SIZE)
	VBS_ABI_OFFSETS(VBS_FACT_OFFSET)
};

const unsigned long vbs_abi_c_fact_count = sizeof(vbs_abi_c_facts) / sizeof(vbs_abi_c_facts[0]);
