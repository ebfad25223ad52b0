// SPDX-License-Identifier: GPL-2.0
/*
 * vbs-simtool - drive the simulation engine of a virtblkiosim disk through
 * its ioctls, for the guest tests (tests/guest/t/5NN-sim-*.sh).
 *
 * A small C11 stand-in until `vbsim sim/fault/powercut` exist: every
 * command prints plain "key=value" lines that a shell script can parse,
 * and exits 0 on success, 1 on failure, 2 on a usage error.
 *
 *   vbs-simtool get DEV
 *   vbs-simtool set DEV [KEY=VALUE...]       (every key not given is 0)
 *       seed, channels, timeout_ms, delivery_ns, read_bw, write_bw,
 *       read_iops, write_iops, and per class C in read, write, flush,
 *       discard:
 *       C_ns, C_jitter_ns, C_jitter (none|uniform|exp), C_slow_ppm,
 *       C_slow_ns
 *   vbs-simtool fault-add DEV ops=read,write,flush,discard,wzeroes
 *       effect=ioerr|medium|timeout|corrupt|lost lba=N [count=N]
 *       [trigger=always|once|every:N|prob:PPM] [remaining=N]   -> id=N
 *   vbs-simtool fault-list DEV
 *   vbs-simtool fault-clear DEV [ID]
 *   vbs-simtool powercut DEV [keep=PPM] [seed=S]  -> dropped=N kept=N
 *   vbs-simtool stats DEV
 *   vbs-simtool reset-stats DEV
 *   vbs-simtool probe DEV read|write LBA BLOCKS N
 *       N direct I/Os of BLOCKS logical blocks at LBA, one after the
 *       other; prints one character per I/O: '.' ok, 'E' EIO,
 *       'M' ENODATA (medium error), 'T' ETIMEDOUT, '?' anything else
 *   vbs-simtool fill DEV LBA BLOCKS BYTE [sync]    direct write of BYTE
 *   vbs-simtool verify DEV LBA BLOCKS BYTE         exit 1 on a difference
 *   vbs-simtool flush DEV                          fsync()
 *   vbs-simtool ioctl-write DEV LBA BLOCKS BYTE [fua]
 *   vbs-simtool ioctl-read DEV LBA BLOCKS BYTE     exit 1 on a difference
 *   vbs-simtool map DEV LBA BLOCKS BYTE            one character per block:
 *       'd' every byte is BYTE, '0' every byte is zero, '?' anything else
 *   vbs-simtool features DEV                       features=0x... (hex)
 *   vbs-simtool check-einval DEV     invalid arguments are refused and
 *                                    change nothing
 *   vbs-simtool fill-big DEV MIB BYTE  MIB MiB of BYTE from the start,
 *                                    1 MiB direct writes
 *   vbs-simtool remove-timing DEV [LIMIT_MS]   remove DEV (VBS_CTL_REMOVE)
 *       while another process calls VBS_CTL_GET_FEATURES back to back:
 *       fails if a call issued during the removal waits for it (takes
 *       more than a quarter of its time, at least 50 ms), or if the
 *       removal takes more than LIMIT_MS (default 10000)
 *   vbs-simtool check-open-mode DEV  VBS_IOC_WRITE on O_RDONLY and
 *                                    VBS_IOC_READ on O_WRONLY: EBADF
 *   vbs-simtool bad-buffers DEV N    N VBS_IOC_READs of 512 KiB into a
 *       read-only mapping and N VBS_IOC_WRITEs from an inaccessible one:
 *       each must fail with EFAULT (what the kernel keeps meanwhile is the
 *       test's to measure)
 *   vbs-simtool check-privilege DEV CONTROL root|user   every command of
 *       the ABI (a table of them all) on the node that serves it: as a
 *       user, those that change anything fail with EPERM and the others
 *       are served; as root none is refused for privilege; every other
 *       number of the 0xB9 space, in every direction, is ENOTTY on both
 *       nodes (so a command added to the module but not to the table
 *       fails the check). Arguments are all-ones bytes: invalid for every
 *       command, so that nothing changes even as root
 *
 * Build: cc -std=c11 -O2 -Wall -Wextra -I include/uapi -o vbs-simtool \
 *        tests/guest/sim/vbs-simtool.c   (tests/guest/sim/Makefile)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/virtblkiosim.h>

static const char *const class_names[VBS_SIM_NR_CLASSES] = {
	"read", "write", "flush", "discard",
};

static const char *const op_names[] = {
	"read", "write", "flush", "discard", "wzeroes",
};

static const char *const effect_names[] = {
	"", "ioerr", "medium", "timeout", "corrupt", "lost",
};

static const char *const jitter_names[] = { "none", "uniform", "exp" };

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("vbs-simtool: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

static void usage(void)
{
	fputs("usage: vbs-simtool COMMAND DEV [ARGS...] (see the source)\n",
	      stderr);
	exit(2);
}

static unsigned long long parse_u64(const char *s)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s || *end)
		die("not a number: '%s'", s);
	return v;
}

static int open_dev(const char *path, int flags)
{
	int fd = open(path, flags);

	if (fd < 0)
		die("open %s: %s", path, strerror(errno));
	return fd;
}

static void xioctl(int fd, unsigned long cmd, void *arg, const char *what)
{
	if (ioctl(fd, cmd, arg))
		die("%s: %s", what, strerror(errno));
}

static unsigned int block_size(int fd)
{
	struct vbs_info info = { .size = sizeof(info) };

	xioctl(fd, VBS_IOC_GET_INFO, &info, "VBS_IOC_GET_INFO");
	return info.config.logical_block_size;
}

static void *xalloc(size_t len)
{
	void *p;

	if (posix_memalign(&p, 4096, len ? len : 1))
		die("out of memory");
	return p;
}

/* --- sim ------------------------------------------------------------ */

static void print_sim(const struct vbs_sim_params *p)
{
	int c;

	printf("seed=%llu\nchannels=%u\ntimeout_ms=%u\ndelivery_ns=%llu\n",
	       p->seed, p->channels, p->timeout_ms, p->delivery_ns);
	printf("read_bw=%llu\nwrite_bw=%llu\n", p->bw_bps[0],
	       p->bw_bps[1]);
	printf("read_iops=%u\nwrite_iops=%u\n", p->iops[0], p->iops[1]);
	for (c = 0; c < VBS_SIM_NR_CLASSES; c++) {
		const struct vbs_sim_latency *l = &p->lat[c];
		const char *n = class_names[c];

		printf("%s_ns=%llu\n%s_jitter=%s\n%s_jitter_ns=%llu"
		       "\n%s_slow_ppm=%u\n%s_slow_ns=%llu\n",
		       n, l->base_ns, n, l->jitter < 3 ? jitter_names[l->jitter] :
		       "?", n, l->jitter_ns, n, l->slow_ppm, n, l->slow_ns);
	}
}

static void set_key(struct vbs_sim_params *p, const char *kv)
{
	const char *eq = strchr(kv, '=');
	char key[64];
	const char *val;
	size_t klen;
	int c, j;

	if (!eq || (klen = (size_t)(eq - kv)) >= sizeof(key))
		die("expected KEY=VALUE: '%s'", kv);
	memcpy(key, kv, klen);
	key[klen] = 0;
	val = eq + 1;

	if (!strcmp(key, "seed"))
		p->seed = parse_u64(val);
	else if (!strcmp(key, "channels"))
		p->channels = (uint32_t)parse_u64(val);
	else if (!strcmp(key, "timeout_ms"))
		p->timeout_ms = (uint32_t)parse_u64(val);
	else if (!strcmp(key, "delivery_ns"))
		p->delivery_ns = parse_u64(val);
	else if (!strcmp(key, "read_bw"))
		p->bw_bps[VBS_SIM_READ] = parse_u64(val);
	else if (!strcmp(key, "write_bw"))
		p->bw_bps[VBS_SIM_WRITE] = parse_u64(val);
	else if (!strcmp(key, "read_iops"))
		p->iops[VBS_SIM_READ] = (uint32_t)parse_u64(val);
	else if (!strcmp(key, "write_iops"))
		p->iops[VBS_SIM_WRITE] = (uint32_t)parse_u64(val);
	else {
		for (c = 0; c < VBS_SIM_NR_CLASSES; c++) {
			size_t n = strlen(class_names[c]);
			struct vbs_sim_latency *l = &p->lat[c];
			const char *rest = key + n;

			if (strncmp(key, class_names[c], n) || rest[0] != '_')
				continue;
			rest++;
			if (!strcmp(rest, "ns")) {
				l->base_ns = parse_u64(val);
			} else if (!strcmp(rest, "jitter_ns")) {
				l->jitter_ns = parse_u64(val);
			} else if (!strcmp(rest, "slow_ppm")) {
				l->slow_ppm = (uint32_t)parse_u64(val);
			} else if (!strcmp(rest, "slow_ns")) {
				l->slow_ns = parse_u64(val);
			} else if (!strcmp(rest, "jitter")) {
				for (j = 0; j < 3; j++)
					if (!strcmp(val, jitter_names[j]))
						break;
				l->jitter = j < 3 ? (uint32_t)j :
					    (uint32_t)parse_u64(val);
			} else {
				die("unknown key '%s'", key);
			}
			return;
		}
		die("unknown key '%s'", key);
	}
}

static int cmd_get(const char *dev)
{
	struct vbs_sim_params p = { .size = sizeof(p) };
	int fd = open_dev(dev, O_RDONLY);

	xioctl(fd, VBS_IOC_GET_SIM, &p, "VBS_IOC_GET_SIM");
	print_sim(&p);
	return 0;
}

static int cmd_set(const char *dev, int argc, char **argv)
{
	struct vbs_sim_params p = { .size = sizeof(p) };
	int fd = open_dev(dev, O_RDONLY);
	int i;

	for (i = 0; i < argc; i++)
		set_key(&p, argv[i]);
	xioctl(fd, VBS_IOC_SET_SIM, &p, "VBS_IOC_SET_SIM");
	return 0;
}

/* --- faults --------------------------------------------------------- */

static uint32_t parse_ops(const char *s)
{
	char buf[128], *tok, *save = NULL;
	uint32_t mask = 0;
	unsigned int i;

	snprintf(buf, sizeof(buf), "%s", s);
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		for (i = 0; i < sizeof(op_names) / sizeof(op_names[0]); i++)
			if (!strcmp(tok, op_names[i]))
				break;
		if (i == sizeof(op_names) / sizeof(op_names[0]))
			mask |= (uint32_t)parse_u64(tok);
		else
			mask |= VBS_OP_MASK(i);
	}
	return mask;
}

static void parse_rule(struct vbs_fault_rule *r, int argc, char **argv)
{
	int i;
	unsigned int e;

	for (i = 0; i < argc; i++) {
		const char *a = argv[i];

		if (!strncmp(a, "ops=", 4)) {
			r->op_mask = parse_ops(a + 4);
		} else if (!strncmp(a, "effect=", 7)) {
			for (e = 1; e < 6; e++)
				if (!strcmp(a + 7, effect_names[e]))
					break;
			r->effect = e < 6 ? e : (uint32_t)parse_u64(a + 7);
		} else if (!strncmp(a, "lba=", 4)) {
			r->lba = parse_u64(a + 4);
		} else if (!strncmp(a, "count=", 6)) {
			r->count = parse_u64(a + 6);
		} else if (!strncmp(a, "remaining=", 10)) {
			r->remaining = (uint32_t)parse_u64(a + 10);
		} else if (!strcmp(a, "trigger=always")) {
			r->trigger = VBS_TRIGGER_ALWAYS;
		} else if (!strcmp(a, "trigger=once")) {
			r->trigger = VBS_TRIGGER_ONCE;
		} else if (!strncmp(a, "trigger=every:", 14)) {
			r->trigger = VBS_TRIGGER_EVERY_N;
			r->every_n = (uint32_t)parse_u64(a + 14);
		} else if (!strncmp(a, "trigger=prob:", 13)) {
			r->trigger = VBS_TRIGGER_PROB;
			r->ppm = (uint32_t)parse_u64(a + 13);
		} else if (!strncmp(a, "trigger=", 8)) {
			r->trigger = (uint32_t)parse_u64(a + 8);
		} else {
			die("unknown rule argument '%s'", a);
		}
	}
}

static int cmd_fault_add(const char *dev, int argc, char **argv)
{
	struct vbs_fault_rule r = { .size = sizeof(r) };
	int fd = open_dev(dev, O_RDONLY);

	parse_rule(&r, argc, argv);
	xioctl(fd, VBS_IOC_FAULT_ADD, &r, "VBS_IOC_FAULT_ADD");
	printf("id=%u\n", r.id);
	return 0;
}

static int cmd_fault_list(const char *dev)
{
	struct vbs_fault_rule rules[VBS_FAULT_MAX_RULES];
	struct vbs_fault_list l = {
		.size = sizeof(l), .capacity = VBS_FAULT_MAX_RULES,
		.rule_size = sizeof(rules[0]),
		.rules = (unsigned long long)(uintptr_t)rules,
	};
	int fd = open_dev(dev, O_RDONLY);
	uint32_t i;

	xioctl(fd, VBS_IOC_FAULT_LIST, &l, "VBS_IOC_FAULT_LIST");
	printf("count=%u\n", l.count);
	for (i = 0; i < l.count && i < l.capacity; i++) {
		const struct vbs_fault_rule *r = &rules[i];

		printf("rule id=%u ops=0x%x effect=%s lba=%llu"
		       " count=%llu trigger=%u every_n=%u ppm=%u"
		       " remaining=%u matched=%llu fired=%llu"
		       " spent=%u\n", r->id, r->op_mask,
		       r->effect < 6 ? effect_names[r->effect] : "?", r->lba,
		       r->count, r->trigger, r->every_n, r->ppm, r->remaining,
		       r->matched, r->fired,
		       !!(r->state & VBS_FAULT_STATE_SPENT));
	}
	return 0;
}

static int cmd_fault_clear(const char *dev, int argc, char **argv)
{
	uint32_t id = argc ? (uint32_t)parse_u64(argv[0]) : VBS_FAULT_ID_ALL;
	int fd = open_dev(dev, O_RDONLY);

	xioctl(fd, VBS_IOC_FAULT_CLEAR, &id, "VBS_IOC_FAULT_CLEAR");
	return 0;
}

static int cmd_powercut(const char *dev, int argc, char **argv)
{
	struct vbs_powercut pc = { .size = sizeof(pc) };
	int fd = open_dev(dev, O_RDONLY);
	int i;

	for (i = 0; i < argc; i++) {
		if (!strncmp(argv[i], "keep=", 5)) {
			pc.flags |= VBS_POWERCUT_KEEP_RANDOM;
			pc.keep_ppm = (uint32_t)parse_u64(argv[i] + 5);
		} else if (!strncmp(argv[i], "seed=", 5)) {
			pc.flags |= VBS_POWERCUT_SEED;
			pc.seed = parse_u64(argv[i] + 5);
		} else {
			die("unknown powercut argument '%s'", argv[i]);
		}
	}
	xioctl(fd, VBS_IOC_POWERCUT, &pc, "VBS_IOC_POWERCUT");
	printf("dropped=%llu\nkept=%llu\n", pc.pages_dropped,
	       pc.pages_kept);
	return 0;
}

/* --- statistics ----------------------------------------------------- */

static int cmd_stats(const char *dev)
{
	static struct vbs_stats s;
	int fd = open_dev(dev, O_RDONLY);
	int op, b;

	s.size = sizeof(s);
	xioctl(fd, VBS_IOC_GET_STATS, &s, "VBS_IOC_GET_STATS");
	printf("size=%u\nin_flight=%llu\npeak_in_flight=%llu"
	       "\npages_in_use=%llu\ncache_pages=%llu\n",
	       s.size, s.in_flight, s.peak_in_flight, s.pages_in_use,
	       s.cache_pages);
	for (op = 0; op < 5; op++) {
		const char *n = op_names[op];
		unsigned long long total = 0;

		for (b = 0; b < VBS_LAT_BUCKETS; b++)
			total += s.lat_hist[op][b];
		printf("%s_requests=%llu\n%s_bytes=%llu"
		       "\n%s_errors=%llu\n%s_faults=%llu"
		       "\n%s_lat_count=%llu\n%s_lat_mean_ns=%llu"
		       "\n", n, s.ops[op].requests, n, s.ops[op].bytes, n,
		       s.ops[op].errors, n, s.faults[op], n, total, n,
		       total ? s.lat_sum_ns[op] / total : 0);
		printf("%s_hist=", n);
		for (b = 0; b < VBS_LAT_BUCKETS; b++)
			printf("%s%llu", b ? "," : "", s.lat_hist[op][b]);
		printf("\n");
	}
	return 0;
}

static int cmd_reset_stats(const char *dev)
{
	int fd = open_dev(dev, O_RDONLY);

	xioctl(fd, VBS_IOC_RESET_STATS, NULL, "VBS_IOC_RESET_STATS");
	return 0;
}

/* --- data ----------------------------------------------------------- */

static char result_char(int err)
{
	switch (err) {
	case 0:
		return '.';
	case EIO:
		return 'E';
	case ENODATA:
		return 'M';
	case ETIMEDOUT:
		return 'T';
	default:
		return '?';
	}
}

static int cmd_probe(const char *dev, int argc, char **argv)
{
	bool write;
	unsigned long long lba, blocks, n, i;
	unsigned int bs;
	ssize_t got;
	void *buf;
	int fd;

	if (argc != 4)
		usage();
	write = !strcmp(argv[0], "write");
	if (!write && strcmp(argv[0], "read"))
		usage();
	lba = parse_u64(argv[1]);
	blocks = parse_u64(argv[2]);
	n = parse_u64(argv[3]);
	fd = open_dev(dev, (write ? O_RDWR : O_RDONLY) | O_DIRECT);
	bs = block_size(fd);
	buf = xalloc(blocks * bs);
	memset(buf, 0x5a, blocks * bs);
	for (i = 0; i < n; i++) {
		if (write)
			got = pwrite(fd, buf, blocks * bs, (off_t)(lba * bs));
		else
			got = pread(fd, buf, blocks * bs, (off_t)(lba * bs));
		if (got < 0)
			putchar(result_char(errno));
		else
			putchar((unsigned long long)got == blocks * bs ? '.' : '?');
	}
	putchar('\n');
	return 0;
}

static int cmd_fill(const char *dev, int argc, char **argv)
{
	unsigned long long lba, blocks;
	unsigned int bs;
	int fd, flags = O_RDWR | O_DIRECT;
	void *buf;

	if (argc < 3)
		usage();
	lba = parse_u64(argv[0]);
	blocks = parse_u64(argv[1]);
	if (argc > 3 && !strcmp(argv[3], "sync"))
		flags |= O_DSYNC;
	fd = open_dev(dev, flags);
	bs = block_size(fd);
	buf = xalloc(blocks * bs);
	memset(buf, (int)parse_u64(argv[2]), blocks * bs);
	if (pwrite(fd, buf, blocks * bs, (off_t)(lba * bs)) !=
	    (ssize_t)(blocks * bs))
		die("write %s at LBA %llu: %s", dev, lba,
		    strerror(errno));
	return 0;
}

static int compare(const unsigned char *buf, size_t len, int byte,
		   unsigned long long lba, unsigned int bs)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (buf[i] != (unsigned char)byte) {
			printf("mismatch lba=%llu offset=%zu got=0x%02x"
			       " expected=0x%02x\n", lba + i / bs, i % bs,
			       buf[i], byte);
			return 1;
		}
	}
	return 0;
}

static int cmd_verify(const char *dev, int argc, char **argv)
{
	unsigned long long lba, blocks;
	unsigned int bs;
	void *buf;
	int fd;

	if (argc != 3)
		usage();
	lba = parse_u64(argv[0]);
	blocks = parse_u64(argv[1]);
	fd = open_dev(dev, O_RDONLY | O_DIRECT);
	bs = block_size(fd);
	buf = xalloc(blocks * bs);
	if (pread(fd, buf, blocks * bs, (off_t)(lba * bs)) !=
	    (ssize_t)(blocks * bs))
		die("read %s at LBA %llu: %s", dev, lba,
		    strerror(errno));
	return compare(buf, blocks * bs, (int)parse_u64(argv[2]), lba, bs);
}

static int cmd_map(const char *dev, int argc, char **argv)
{
	unsigned long long lba, blocks, b;
	const unsigned char *p;
	unsigned int bs, i;
	bool data, zero;
	int fd, byte;
	void *buf;

	if (argc != 3)
		usage();
	lba = parse_u64(argv[0]);
	blocks = parse_u64(argv[1]);
	byte = (int)parse_u64(argv[2]);
	fd = open_dev(dev, O_RDONLY | O_DIRECT);
	bs = block_size(fd);
	buf = xalloc(blocks * bs);
	if (pread(fd, buf, blocks * bs, (off_t)(lba * bs)) !=
	    (ssize_t)(blocks * bs))
		die("read %s at LBA %llu: %s", dev, lba, strerror(errno));
	for (b = 0; b < blocks; b++) {
		p = (const unsigned char *)buf + b * bs;
		data = zero = true;
		for (i = 0; i < bs; i++) {
			data &= p[i] == (unsigned char)byte;
			zero &= !p[i];
		}
		putchar(data ? 'd' : zero ? '0' : '?');
	}
	putchar('\n');
	return 0;
}

static int cmd_features(const char *dev)
{
	struct vbs_info info = { .size = sizeof(info) };
	int fd = open_dev(dev, O_RDONLY);

	xioctl(fd, VBS_IOC_GET_INFO, &info, "VBS_IOC_GET_INFO");
	printf("features=0x%llx\n", info.features);
	return 0;
}

static int cmd_flush(const char *dev)
{
	int fd = open_dev(dev, O_RDWR);

	if (fsync(fd))
		die("fsync %s: %s", dev, strerror(errno));
	return 0;
}

static int cmd_ioctl_io(const char *dev, bool write, int argc, char **argv)
{
	struct vbs_block_io io = { .size = sizeof(io) };
	unsigned int bs;
	void *buf;
	int fd;

	if (argc < 3)
		usage();
	fd = open_dev(dev, write ? O_RDWR : O_RDONLY);
	bs = block_size(fd);
	io.lba = parse_u64(argv[0]);
	io.count = (uint32_t)parse_u64(argv[1]);
	buf = xalloc((size_t)io.count * bs);
	io.buf = (unsigned long long)(uintptr_t)buf;
	if (write) {
		memset(buf, (int)parse_u64(argv[2]), (size_t)io.count * bs);
		if (argc > 3 && !strcmp(argv[3], "fua"))
			io.flags = VBS_IO_FUA;
		xioctl(fd, VBS_IOC_WRITE, &io, "VBS_IOC_WRITE");
		return 0;
	}
	xioctl(fd, VBS_IOC_READ, &io, "VBS_IOC_READ");
	return compare(buf, (size_t)io.count * bs, (int)parse_u64(argv[2]),
		       io.lba, bs);
}

/* --- argument validation -------------------------------------------- */

static int failures;

static void expect_errno(int fd, unsigned long cmd, void *arg, int want,
			 const char *what)
{
	int ret = ioctl(fd, cmd, arg);
	int err = ret ? errno : 0;

	if (err != want) {
		printf("FAIL %s: expected %s got %s\n", what, strerror(want),
		       err ? strerror(err) : "success");
		failures++;
	} else {
		printf("ok %s\n", what);
	}
}

/*
 * later_header_number() - a program built against a later header, where
 * struct vbs_sim_params has grown by 64 bytes, calls VBS_IOC_GET_SIM with
 * a number whose size bits say so: the module still knows the command
 * (it compares type, number and direction only) and fills what it has;
 * the same number with another direction is not a command.
 */
static void later_header_number(int fd)
{
	struct {
		struct vbs_sim_params p;
		__u8 later[64];
	} big;
	unsigned long nr = _IOC_NR(VBS_IOC_GET_SIM);

	memset(&big, 0, sizeof(big));
	big.p.size = sizeof(big);
	if (ioctl(fd, _IOC(_IOC_READ | _IOC_WRITE, VBS_IOC_MAGIC, nr,
			   sizeof(big)), &big)) {
		printf("FAIL get_sim through a later header's number: %s\n",
		       strerror(errno));
		failures++;
	} else if (big.p.size != sizeof(struct vbs_sim_params)) {
		printf("FAIL get_sim through a later header's number: size %u, expected %zu\n",
		       big.p.size, sizeof(struct vbs_sim_params));
		failures++;
	} else {
		printf("ok get_sim through a later header's number\n");
	}
	big.p.size = sizeof(struct vbs_sim_params);
	expect_errno(fd, _IOC(_IOC_READ, VBS_IOC_MAGIC, nr, sizeof(big.p)),
		     &big, ENOTTY, "get_sim's number with another direction");
}

static void bad_sim(int fd, void (*spoil)(struct vbs_sim_params *),
		    const char *what)
{
	struct vbs_sim_params p = { .size = sizeof(p) };

	p.lat[VBS_SIM_READ].base_ns = 1000;
	spoil(&p);
	expect_errno(fd, VBS_IOC_SET_SIM, &p, EINVAL, what);
}

static void sp_flags(struct vbs_sim_params *p) { p->flags = 1; }
static void sp_reserved(struct vbs_sim_params *p) { p->reserved[6] = 1; }
static void sp_delivery(struct vbs_sim_params *p)
{
	p->delivery_ns = VBS_SIM_MAX_DELIVERY_NS + 1;
}
static void sp_base(struct vbs_sim_params *p)
{
	p->lat[1].base_ns = VBS_SIM_MAX_NS + 1;
}
static void sp_jitter_kind(struct vbs_sim_params *p) { p->lat[2].jitter = 3; }
static void sp_jitter_none(struct vbs_sim_params *p)
{
	p->lat[0].jitter_ns = 5;
}
static void sp_slow_ppm(struct vbs_sim_params *p)
{
	p->lat[3].slow_ppm = 1000001;
}
static void sp_channels(struct vbs_sim_params *p)
{
	p->channels = VBS_SIM_MAX_CHANNELS + 1;
}
static void sp_timeout(struct vbs_sim_params *p)
{
	p->timeout_ms = VBS_SIM_MAX_TIMEOUT_MS + 1;
}
static void sp_size(struct vbs_sim_params *p) { p->size = 8; }
static void sp_bw_low(struct vbs_sim_params *p)
{
	p->bw_bps[VBS_SIM_READ] = VBS_SIM_MIN_BW_BPS - 1;
}
static void sp_bw_one(struct vbs_sim_params *p)
{
	p->bw_bps[VBS_SIM_WRITE] = 1;
}
static void sp_bw_high(struct vbs_sim_params *p)
{
	p->bw_bps[VBS_SIM_WRITE] = VBS_SIM_MAX_BW_BPS + 1;
}
static void sp_iops_high(struct vbs_sim_params *p)
{
	p->iops[VBS_SIM_READ] = VBS_SIM_MAX_IOPS + 1;
}
static void sp_edges_low(struct vbs_sim_params *p)
{
	p->bw_bps[VBS_SIM_READ] = VBS_SIM_MIN_BW_BPS;
	p->bw_bps[VBS_SIM_WRITE] = VBS_SIM_MIN_BW_BPS;
	p->iops[VBS_SIM_READ] = 1;
	p->iops[VBS_SIM_WRITE] = 1;
	p->channels = 1;
	p->timeout_ms = 1;
}
static void sp_edges_high(struct vbs_sim_params *p)
{
	int c;

	for (c = 0; c < VBS_SIM_NR_CLASSES; c++) {
		p->lat[c].base_ns = VBS_SIM_MAX_NS;
		p->lat[c].jitter = VBS_JITTER_EXP;
		p->lat[c].jitter_ns = VBS_SIM_MAX_NS;
		p->lat[c].slow_ns = VBS_SIM_MAX_NS;
		p->lat[c].slow_ppm = 1000000;
	}
	p->bw_bps[VBS_SIM_READ] = VBS_SIM_MAX_BW_BPS;
	p->bw_bps[VBS_SIM_WRITE] = VBS_SIM_MAX_BW_BPS;
	p->iops[VBS_SIM_READ] = VBS_SIM_MAX_IOPS;
	p->iops[VBS_SIM_WRITE] = VBS_SIM_MAX_IOPS;
	p->channels = VBS_SIM_MAX_CHANNELS;
	p->timeout_ms = VBS_SIM_MAX_TIMEOUT_MS;
	p->delivery_ns = VBS_SIM_MAX_DELIVERY_NS;
}

/* Settings at the edge of every range are taken; @restore is put back. */
static void good_sim(int fd, void (*set)(struct vbs_sim_params *),
		     const struct vbs_sim_params *restore, const char *what)
{
	struct vbs_sim_params p = { .size = sizeof(p) };

	set(&p);
	if (ioctl(fd, VBS_IOC_SET_SIM, &p)) {
		printf("FAIL %s: %s\n", what, strerror(errno));
		failures++;
	} else {
		printf("ok %s\n", what);
	}
	p = *restore;
	xioctl(fd, VBS_IOC_SET_SIM, &p, "VBS_IOC_SET_SIM");
}

static void bad_rule(int fd, const char *args, const char *what)
{
	struct vbs_fault_rule r = { .size = sizeof(r) };
	char buf[256], *argv[16], *save = NULL, *tok;
	int argc = 0;

	snprintf(buf, sizeof(buf), "%s", args);
	for (tok = strtok_r(buf, " ", &save); tok && argc < 16;
	     tok = strtok_r(NULL, " ", &save))
		argv[argc++] = tok;
	parse_rule(&r, argc, argv);
	expect_errno(fd, VBS_IOC_FAULT_ADD, &r, EINVAL, what);
}

static void bad_powercut(int fd, uint32_t flags, uint32_t ppm, unsigned long long seed,
			 uint32_t reserved0, const char *what)
{
	struct vbs_powercut pc = {
		.size = sizeof(pc), .flags = flags, .keep_ppm = ppm,
		.seed = seed, .reserved0 = reserved0,
	};

	expect_errno(fd, VBS_IOC_POWERCUT, &pc, EINVAL, what);
}

static int cmd_check_einval(const char *dev)
{
	struct vbs_sim_params before = { .size = sizeof(before) };
	struct vbs_sim_params after = { .size = sizeof(after) };
	struct vbs_fault_list l = { .size = sizeof(l) };
	struct vbs_info info = { .size = sizeof(info) };
	char range[128];
	uint32_t id;
	int fd = open_dev(dev, O_RDONLY);
	unsigned long long nr;

	xioctl(fd, VBS_IOC_GET_INFO, &info, "VBS_IOC_GET_INFO");
	nr = info.config.capacity / info.config.logical_block_size;
	xioctl(fd, VBS_IOC_GET_SIM, &before, "VBS_IOC_GET_SIM");

	bad_sim(fd, sp_flags, "sim: unknown flag");
	bad_sim(fd, sp_reserved, "sim: reserved field set");
	bad_sim(fd, sp_base, "sim: base latency above 60 s");
	bad_sim(fd, sp_jitter_kind, "sim: unknown jitter kind");
	bad_sim(fd, sp_jitter_none, "sim: jitter_ns without a jitter kind");
	bad_sim(fd, sp_slow_ppm, "sim: slow_ppm above 10^6");
	bad_sim(fd, sp_channels, "sim: too many channels");
	bad_sim(fd, sp_timeout, "sim: timeout above 1 h");
	bad_sim(fd, sp_delivery, "sim: delivery time above 1 ms");
	bad_sim(fd, sp_size, "sim: size below the first version");
	bad_sim(fd, sp_bw_low, "sim: bandwidth below 4 KiB/s");
	bad_sim(fd, sp_bw_one, "sim: bandwidth of 1 B/s");
	bad_sim(fd, sp_bw_high, "sim: bandwidth above 2^50 B/s");
	bad_sim(fd, sp_iops_high, "sim: IOPS above 10^9");

	xioctl(fd, VBS_IOC_GET_SIM, &after, "VBS_IOC_GET_SIM");
	if (memcmp(&before, &after, sizeof(before))) {
		printf("FAIL sim: settings changed by refused calls\n");
		failures++;
	} else {
		printf("ok sim: settings unchanged\n");
	}
	good_sim(fd, sp_edges_low, &before, "sim: every range's lowest value");
	good_sim(fd, sp_edges_high, &before, "sim: every range's highest value");

	bad_rule(fd, "effect=ioerr lba=0 count=1", "rule: no operation");
	bad_rule(fd, "ops=0x20 effect=ioerr lba=0 count=1",
		 "rule: unknown operation bit");
	bad_rule(fd, "ops=read effect=0 lba=0 count=1", "rule: no effect");
	bad_rule(fd, "ops=read effect=6 lba=0 count=1", "rule: unknown effect");
	bad_rule(fd, "ops=read,write effect=corrupt lba=0 count=1",
		 "rule: corrupt on writes");
	bad_rule(fd, "ops=read effect=lost lba=0 count=1",
		 "rule: lost write on reads");
	bad_rule(fd, "ops=read effect=ioerr lba=0 count=1 trigger=4",
		 "rule: unknown trigger");
	bad_rule(fd, "ops=read effect=ioerr lba=0 count=1 trigger=every:0",
		 "rule: every 0th");
	bad_rule(fd, "ops=read effect=ioerr lba=0 count=1 trigger=prob:0",
		 "rule: probability 0");
	bad_rule(fd, "ops=read effect=ioerr lba=0 count=1 trigger=prob:1000001",
		 "rule: probability above 1");
	bad_rule(fd, "ops=read effect=ioerr lba=0 count=1 trigger=once remaining=2",
		 "rule: once with remaining 2");
	snprintf(range, sizeof(range), "ops=read effect=ioerr lba=%llu"
		 " count=1", nr);
	bad_rule(fd, range, "rule: range starts past the end");
	snprintf(range, sizeof(range), "ops=read effect=ioerr lba=%llu"
		 " count=2", nr - 1);
	bad_rule(fd, range, "rule: range ends past the end");
	bad_rule(fd, "ops=read effect=ioerr lba=1 count=0xffffffffffffffff",
		 "rule: range wraps around");

	l.capacity = 0;
	l.rule_size = sizeof(struct vbs_fault_rule);
	xioctl(fd, VBS_IOC_FAULT_LIST, &l, "VBS_IOC_FAULT_LIST");
	if (l.count) {
		printf("FAIL rule: %u rules exist after refused adds\n",
		       l.count);
		failures++;
	} else {
		printf("ok rule: no rule added\n");
	}
	l.rule_size = 8;
	expect_errno(fd, VBS_IOC_FAULT_LIST, &l, EINVAL,
		     "list: entry size below the first version");
	l.rule_size = sizeof(struct vbs_fault_rule);
	l.capacity = 4;
	l.rules = 0;
	expect_errno(fd, VBS_IOC_FAULT_LIST, &l, EINVAL,
		     "list: capacity without an array");
	id = 12345;
	expect_errno(fd, VBS_IOC_FAULT_CLEAR, &id, ENOENT,
		     "clear: unknown id");

	bad_powercut(fd, 1U << 2, 0, 0, 0, "powercut: unknown flag");
	bad_powercut(fd, 0, 10, 0, 0, "powercut: keep_ppm without keep flag");
	bad_powercut(fd, VBS_POWERCUT_KEEP_RANDOM, 1000001, 0, 0,
		     "powercut: keep_ppm above 10^6");
	bad_powercut(fd, VBS_POWERCUT_SEED, 0, 1, 0,
		     "powercut: seed without keep flag");
	bad_powercut(fd, VBS_POWERCUT_KEEP_RANDOM, 0, 7, 0,
		     "powercut: seed without seed flag");
	bad_powercut(fd, 0, 0, 0, 1, "powercut: reserved field set");

	expect_errno(fd, _IO(VBS_IOC_MAGIC, 0x7f), NULL, ENOTTY,
		     "unknown command");
	later_header_number(fd);
	printf("failures=%d\n", failures);
	return failures ? 1 : 0;
}

/* --- removal against the control node ------------------------------ */

static unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000000000ULL +
	       (unsigned long long)ts.tv_nsec;
}

/* fill-big: MIB MiB of BYTE from LBA 0, 1 MiB direct writes. */
static int cmd_fill_big(const char *dev, int argc, char **argv)
{
	unsigned long long mib, i;
	void *buf;
	int fd;

	if (argc != 2)
		usage();
	mib = parse_u64(argv[0]);
	fd = open_dev(dev, O_RDWR | O_DIRECT);
	buf = xalloc(1 << 20);
	memset(buf, (int)parse_u64(argv[1]), 1 << 20);
	for (i = 0; i < mib; i++)
		if (pwrite(fd, buf, 1 << 20, (off_t)(i << 20)) != 1 << 20)
			die("write %s at MiB %llu: %s", dev, i, strerror(errno));
	close(fd);
	return 0;
}

#define TIMING_MAX_CALLS (1U << 20)

/* What the GET_FEATURES poller and the remover share. */
struct timing {
	volatile int stop;
	volatile unsigned long calls;	/* calls made */
	volatile int err;		/* errno of a failed call */
	unsigned long long t[TIMING_MAX_CALLS][2]; /* issued, returned */
};

/* The poller: VBS_CTL_GET_FEATURES back to back, each call timed. */
static void timing_poller(struct timing *sh)
{
	struct vbs_features f;
	unsigned long n = 0;
	int fd = open_dev("/dev/" VBS_CONTROL_NAME, O_RDONLY);

	while (!sh->stop) {
		unsigned long long t0 = now_ns(), t1;

		memset(&f, 0, sizeof(f));
		f.size = sizeof(f);
		if (ioctl(fd, VBS_CTL_GET_FEATURES, &f)) {
			sh->err = errno;
			break;
		}
		t1 = now_ns();
		if (n < TIMING_MAX_CALLS) {
			sh->t[n][0] = t0;
			sh->t[n][1] = t1;
		}
		sh->calls = ++n;
	}
	_exit(0);
}

/*
 * remove-timing: remove DEV through the control node while another
 * process calls VBS_CTL_GET_FEATURES back to back, and check that the
 * removal does not hold up the control node: every call issued during
 * the removal (its first three quarters: one issued at its very end may
 * rightly return after it) returns within a quarter of the removal's
 * time (at least 50 ms), so well before the removal does. ("Before" alone
 * is not enough: a call blocked on a lock the removal drops as its last
 * step wakes up a few microseconds before the removal returns.)
 */
static int cmd_remove_timing(const char *dev, int argc, char **argv)
{
	struct vbs_info info = { .size = sizeof(info) };
	unsigned long long t_start, t_end, d, cut, bound, max_lat = 0;
	unsigned long long blocked_at = 0, blocked_lat = 0;
	unsigned long i, n, during = 0, blocked = 0;
	unsigned long long limit_ms = argc ? parse_u64(argv[0]) : 10000;
	struct timing *sh;
	uint32_t index;
	int fd, ctl, ret, err, fails = 0;
	pid_t pid;

	fd = open_dev(dev, O_RDONLY);
	xioctl(fd, VBS_IOC_GET_INFO, &info, "VBS_IOC_GET_INFO");
	index = info.index;
	close(fd);
	ctl = open_dev("/dev/" VBS_CONTROL_NAME, O_RDWR);
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		die("mmap: %s", strerror(errno));
	pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (!pid)
		timing_poller(sh);
	/* The poller is running: it made a few calls. */
	t_start = now_ns() + 10000000000ULL;
	while (sh->calls < 100 && !sh->err && now_ns() < t_start)
		usleep(1000);
	if (sh->calls < 100)
		die("the GET_FEATURES poller did not run: %s",
		    strerror(sh->err));
	t_start = now_ns();
	ret = ioctl(ctl, VBS_CTL_REMOVE, &index);
	err = errno;
	t_end = now_ns();
	sh->stop = 1;
	waitpid(pid, NULL, 0);
	if (ret)
		die("VBS_CTL_REMOVE of disk %u: %s", index, strerror(err));
	if (sh->err)
		die("VBS_CTL_GET_FEATURES: %s", strerror(sh->err));

	d = t_end - t_start;
	cut = t_end - d / 4;
	bound = d / 4 > 50000000ULL ? d / 4 : 50000000ULL;
	n = sh->calls < TIMING_MAX_CALLS ? sh->calls : TIMING_MAX_CALLS;
	for (i = 0; i < n; i++) {
		unsigned long long t0 = sh->t[i][0], t1 = sh->t[i][1];

		if (t1 < t_start)
			continue;
		if (t1 - t0 > max_lat)
			max_lat = t1 - t0;
		if (t0 < t_start || t0 >= cut)
			continue;
		during++;
		if (t1 - t0 > bound || t1 > t_end) {
			if (!blocked++) {
				blocked_at = t0 - t_start;
				blocked_lat = t1 - t0;
			}
		}
	}
	printf("remove_ms=%.1f\nfeatures_calls=%lu\ncalls_during_removal=%lu"
	       "\nblocked_calls=%lu\nmax_features_latency_ms=%.3f\n", d / 1e6,
	       sh->calls, during, blocked, max_lat / 1e6);
	if (blocked) {
		printf("FAIL a GET_FEATURES issued %.3f ms into the %.1f ms "
		       "removal took %.3f ms (more than %.1f ms): it waited "
		       "for the removal (%lu such calls)\n", blocked_at / 1e6,
		       d / 1e6, blocked_lat / 1e6, bound / 1e6, blocked);
		fails++;
	}
	if (!during) {
		printf("FAIL no GET_FEATURES call was issued during the "
		       "removal\n");
		fails++;
	}
	if (d > limit_ms * 1000000ULL) {
		printf("FAIL the removal took %.1f ms, more than %llu ms\n",
		       d / 1e6, limit_ms);
		fails++;
	}
	return fails ? 1 : 0;
}

/*
 * check-open-mode: the block I/O ioctls respect how the disk was opened:
 * VBS_IOC_WRITE on a descriptor opened read-only and VBS_IOC_READ on one
 * opened write-only both fail with EBADF; both work on a read-write one.
 */
static int cmd_check_open_mode(const char *dev)
{
	struct vbs_block_io io = { .size = sizeof(io), .count = 1 };
	unsigned int bs;
	void *buf;
	int fd;

	fd = open_dev(dev, O_RDWR);
	bs = block_size(fd);
	buf = xalloc(bs);
	memset(buf, 0x3c, bs);
	io.buf = (unsigned long long)(uintptr_t)buf;
	io.lba = 1;
	expect_errno(fd, VBS_IOC_WRITE, &io, 0, "write on O_RDWR");
	expect_errno(fd, VBS_IOC_READ, &io, 0, "read on O_RDWR");
	close(fd);

	fd = open_dev(dev, O_RDONLY);
	expect_errno(fd, VBS_IOC_READ, &io, 0, "read on O_RDONLY");
	expect_errno(fd, VBS_IOC_WRITE, &io, EBADF, "write on O_RDONLY");
	close(fd);

	fd = open_dev(dev, O_WRONLY);
	memset(buf, 0, bs);
	expect_errno(fd, VBS_IOC_READ, &io, EBADF, "read on O_WRONLY");
	if (((unsigned char *)buf)[0]) {
		printf("FAIL read on O_WRONLY: the buffer got the disk's data\n");
		failures++;
	}
	expect_errno(fd, VBS_IOC_WRITE, &io, 0, "write on O_WRONLY");
	close(fd);
	printf("failures=%d\n", failures);
	return failures ? 1 : 0;
}

/*
 * Every command of the ABI: the node that serves it and whether it
 * changes anything (and so needs CAP_SYS_ADMIN). A command the module
 * gains must be added here, or check-privilege fails on its number.
 */
struct priv_cmd {
	const char *name;
	unsigned long cmd;
	bool control;
	bool mutating;
};

#define PRIV_CMD(c, ctl, mut) { #c, c, ctl, mut }

static const struct priv_cmd priv_cmds[] = {
	PRIV_CMD(VBS_IOC_GET_INFO, false, false),
	PRIV_CMD(VBS_IOC_READ, false, false),
	PRIV_CMD(VBS_IOC_WRITE, false, true),
	PRIV_CMD(VBS_IOC_GET_STATS, false, false),
	PRIV_CMD(VBS_IOC_RESET_STATS, false, true),
	PRIV_CMD(VBS_IOC_GET_SIM, false, false),
	PRIV_CMD(VBS_IOC_SET_SIM, false, true),
	PRIV_CMD(VBS_IOC_FAULT_ADD, false, true),
	PRIV_CMD(VBS_IOC_FAULT_LIST, false, false),
	PRIV_CMD(VBS_IOC_FAULT_CLEAR, false, true),
	PRIV_CMD(VBS_IOC_POWERCUT, false, true),
	PRIV_CMD(VBS_CTL_GET_FEATURES, true, false),
	PRIV_CMD(VBS_CTL_ADD, true, true),
	PRIV_CMD(VBS_CTL_REMOVE, true, true),
	PRIV_CMD(VBS_CTL_LIST, true, false),
	PRIV_CMD(VBS_CTL_MODEL_ATTACH, true, true),
	PRIV_CMD(VBS_CTL_MODEL_EXCHANGE, true, true),
	PRIV_CMD(VBS_CTL_MODEL_PAGES, true, true),
};

/* The command of the table with @cmd's number and direction, on @control. */
static const struct priv_cmd *priv_lookup(unsigned long cmd, bool control)
{
	unsigned long id_mask = ~((unsigned long)_IOC_SIZEMASK << _IOC_SIZESHIFT);
	size_t i;

	for (i = 0; i < sizeof(priv_cmds) / sizeof(priv_cmds[0]); i++)
		if ((priv_cmds[i].cmd & id_mask) == (cmd & id_mask) &&
		    priv_cmds[i].control == control)
			return &priv_cmds[i];
	return NULL;
}

/* One call with all-ones arguments; its errno, 0 on success. */
static int priv_call(int fd, unsigned long cmd, unsigned char *arg)
{
	memset(arg, 0xff, 4096);
	return ioctl(fd, cmd, arg) ? errno : 0;
}

static int cmd_check_privilege(const char *dev, int argc, char **argv)
{
	static const unsigned int dirs[] = {
		_IOC_NONE, _IOC_READ, _IOC_WRITE, _IOC_READ | _IOC_WRITE
	};
	const struct priv_cmd *c;
	unsigned char *arg = xalloc(4096);
	unsigned int nr, d, unknown = 0;
	bool root, on_control;
	int fds[2], err;
	size_t i;

	if (argc != 2 || (strcmp(argv[1], "root") && strcmp(argv[1], "user")))
		usage();
	root = !strcmp(argv[1], "root");
	if (root != (geteuid() == 0))
		die("check-privilege %s run with euid %u", argv[1], geteuid());
	fds[0] = open_dev(dev, O_RDWR);
	fds[1] = open_dev(argv[0], O_RDWR);

	for (i = 0; i < sizeof(priv_cmds) / sizeof(priv_cmds[0]); i++) {
		c = &priv_cmds[i];
		err = priv_call(fds[c->control], c->cmd, arg);
		if (!root && c->mutating && err != EPERM) {
			printf("FAIL %s as a user: expected %s got %s\n",
			       c->name, strerror(EPERM),
			       err ? strerror(err) : "success");
			failures++;
		} else if ((root || !c->mutating) &&
			   (err == EPERM || err == ENOTTY)) {
			printf("FAIL %s as %s: refused with %s\n", c->name,
			       root ? "root" : "a user", strerror(err));
			failures++;
		} else {
			printf("ok %s as %s: %s\n", c->name,
			       root ? "root" : "a user",
			       err ? strerror(err) : "success");
		}
	}

	/* Every number not in the table, on each node, is not a command. */
	for (on_control = false; ; on_control = true) {
		for (nr = 0; nr < 256; nr++) {
			for (d = 0; d < 4; d++) {
				unsigned long cmd = _IOC(dirs[d], VBS_IOC_MAGIC,
							 nr, dirs[d] ? 8 : 0);

				if (priv_lookup(cmd, on_control))
					continue;
				err = priv_call(fds[on_control], cmd, arg);
				unknown++;
				if (err != ENOTTY) {
					printf("FAIL number 0x%02x dir %u on the %s: %s, not ENOTTY (a command missing from the table?)\n",
					       nr, dirs[d],
					       on_control ? "control node" : "disk",
					       err ? strerror(err) : "success");
					failures++;
				}
			}
		}
		if (on_control)
			break;
	}
	printf("unknown_numbers=%u\nfailures=%d\n", unknown, failures);
	close(fds[0]);
	close(fds[1]);
	free(arg);
	return failures ? 1 : 0;
}

static int cmd_bad_buffers(const char *dev, int argc, char **argv)
{
	struct vbs_block_io io = { .size = sizeof(io) };
	size_t len = 512 * 1024;
	unsigned long i, n;
	unsigned int bs;
	void *ro, *none;
	int fd, err;

	if (argc != 1)
		usage();
	n = parse_u64(argv[0]);
	fd = open_dev(dev, O_RDWR);
	bs = block_size(fd);
	/* Mapped and present, but not writable: a read cannot land there. */
	ro = mmap(NULL, len, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE,
		  -1, 0);
	none = mmap(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (ro == MAP_FAILED || none == MAP_FAILED)
		die("mmap: %s", strerror(errno));
	io.count = (uint32_t)(len / bs);
	for (i = 0; i < n; i++) {
		io.buf = (unsigned long long)(uintptr_t)ro;
		err = ioctl(fd, VBS_IOC_READ, &io) ? errno : 0;
		if (err != EFAULT) {
			printf("FAIL read %lu into a read-only buffer: %s, not EFAULT\n",
			       i, err ? strerror(err) : "success");
			failures++;
			break;
		}
		io.buf = (unsigned long long)(uintptr_t)none;
		err = ioctl(fd, VBS_IOC_WRITE, &io) ? errno : 0;
		if (err != EFAULT) {
			printf("FAIL write %lu from an inaccessible buffer: %s, not EFAULT\n",
			       i, err ? strerror(err) : "success");
			failures++;
			break;
		}
	}
	printf("calls=%lu\nfailures=%d\n", 2 * i, failures);
	close(fd);
	return failures ? 1 : 0;
}

int main(int argc, char **argv)
{
	const char *cmd, *dev;

	if (argc < 3)
		usage();
	cmd = argv[1];
	dev = argv[2];
	argc -= 3;
	argv += 3;
	setvbuf(stdout, NULL, _IOLBF, 0);

	if (!strcmp(cmd, "get"))
		return cmd_get(dev);
	if (!strcmp(cmd, "set"))
		return cmd_set(dev, argc, argv);
	if (!strcmp(cmd, "fault-add"))
		return cmd_fault_add(dev, argc, argv);
	if (!strcmp(cmd, "fault-list"))
		return cmd_fault_list(dev);
	if (!strcmp(cmd, "fault-clear"))
		return cmd_fault_clear(dev, argc, argv);
	if (!strcmp(cmd, "powercut"))
		return cmd_powercut(dev, argc, argv);
	if (!strcmp(cmd, "stats"))
		return cmd_stats(dev);
	if (!strcmp(cmd, "reset-stats"))
		return cmd_reset_stats(dev);
	if (!strcmp(cmd, "probe"))
		return cmd_probe(dev, argc, argv);
	if (!strcmp(cmd, "fill"))
		return cmd_fill(dev, argc, argv);
	if (!strcmp(cmd, "verify"))
		return cmd_verify(dev, argc, argv);
	if (!strcmp(cmd, "flush"))
		return cmd_flush(dev);
	if (!strcmp(cmd, "ioctl-write"))
		return cmd_ioctl_io(dev, true, argc, argv);
	if (!strcmp(cmd, "ioctl-read"))
		return cmd_ioctl_io(dev, false, argc, argv);
	if (!strcmp(cmd, "map"))
		return cmd_map(dev, argc, argv);
	if (!strcmp(cmd, "features"))
		return cmd_features(dev);
	if (!strcmp(cmd, "check-einval"))
		return cmd_check_einval(dev);
	if (!strcmp(cmd, "fill-big"))
		return cmd_fill_big(dev, argc, argv);
	if (!strcmp(cmd, "remove-timing"))
		return cmd_remove_timing(dev, argc, argv);
	if (!strcmp(cmd, "bad-buffers"))
		return cmd_bad_buffers(dev, argc, argv);
	if (!strcmp(cmd, "check-privilege"))
		return cmd_check_privilege(dev, argc, argv);
	if (!strcmp(cmd, "check-open-mode"))
		return cmd_check_open_mode(dev);
	usage();
	return 2;
}
