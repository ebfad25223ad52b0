// SPDX-License-Identifier: GPL-2.0
/*
 * vbs-modeltool - drive the userland-model protocol of virtblkiosim at the
 * lowest level, for the guest tests (tests/guest/t/7NN-model-*.sh).
 *
 * The C++ framework (libvbsim, `vbsim model run`) is the way to write a
 * model; this tool talks to the ioctls directly so the tests can also send
 * what no well-behaved model would: stale, repeated and malformed answers.
 * Output is "key=value" lines; exit 0 on success, 1 on a failed check, 2
 * on a usage error.
 *
 *   vbs-modeltool add CAP_MB [model_pages=N] [lbs=N] [queues=N] [depth=N]
 *       [cache]                                          -> index=N
 *   vbs-modeltool serve INDEX [map=identity|cow] [recover] [delay_us=N]
 *       [batch=N] [exit_after=N] [ready=FILE]
 *       a model: identity (physical page = logical page) or cow (every
 *       write goes to a free physical page; the old one is trimmed), until
 *       SIGTERM/SIGINT or exit_after answers; prints its statistics
 *   vbs-modeltool hold INDEX SECONDS [recover] [ready=FILE]
 *       attach, fetch requests and never answer them
 *   vbs-modeltool errors INDEX OTHER_INDEX
 *       the attach / exchange / page-op errors (OTHER_INDEX: a disk that
 *       is not a model disk)
 *   vbs-modeltool answers INDEX
 *       submits its own I/O and checks how bad answers are handled
 *
 * With ready=FILE, the tool creates FILE once it is attached, so a script
 * can wait for it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/virtblkiosim.h>

#define CONTROL "/dev/" VBS_CONTROL_NAME
#define BATCH_MAX 256

static volatile sig_atomic_t stop;
static int failures;

/* on_signal() - ask the serving loop to stop. */
static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* die() - report a usage or system error and exit 2. */
static void die(const char *what)
{
	fprintf(stderr, "vbs-modeltool: %s: %s\n", what, strerror(errno));
	exit(2);
}

/* check() - one named check: print it, count a failure. */
static void check(const char *name, bool ok, const char *detail)
{
	printf("%s %s%s%s\n", ok ? "ok" : "FAIL", name, detail ? ": " : "",
	       detail ? detail : "");
	if (!ok)
		failures++;
}

/* expect_errno() - check an ioctl result against the errno expected. */
static void expect_errno(const char *name, int ret, int want)
{
	char buf[96];
	int got = ret < 0 ? errno : 0;

	snprintf(buf, sizeof(buf), "want %s, got %s", strerror(want),
		 got ? strerror(got) : "success");
	check(name, got == want, got == want ? NULL : buf);
}

/* opt_u64() - the value of "key=N" among the arguments, or a default. */
static uint64_t opt_u64(int argc, char **argv, const char *key, uint64_t def)
{
	size_t n = strlen(key);

	for (int i = 0; i < argc; i++)
		if (!strncmp(argv[i], key, n) && argv[i][n] == '=')
			return strtoull(argv[i] + n + 1, NULL, 0);
	return def;
}

/* opt_str() - the value of "key=S" among the arguments, or NULL. */
static const char *opt_str(int argc, char **argv, const char *key)
{
	size_t n = strlen(key);

	for (int i = 0; i < argc; i++)
		if (!strncmp(argv[i], key, n) && argv[i][n] == '=')
			return argv[i] + n + 1;
	return NULL;
}

/* opt_flag() - whether the bare word @key is among the arguments. */
static bool opt_flag(int argc, char **argv, const char *key)
{
	for (int i = 0; i < argc; i++)
		if (!strcmp(argv[i], key))
			return true;
	return false;
}

/* open_control() - open the control node or die. */
static int open_control(void)
{
	int fd = open(CONTROL, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		die(CONTROL);
	return fd;
}

/* attach() - attach @fd to disk @index; 0 or -1 with errno. */
static int attach(int fd, uint32_t index, uint32_t flags,
		  struct vbs_model_attach *a)
{
	memset(a, 0, sizeof(*a));
	a->size = sizeof(*a);
	a->index = index;
	a->flags = flags;
	return ioctl(fd, VBS_CTL_MODEL_ATTACH, a);
}

/* mark_ready() - create the ready file a script waits for. */
static void mark_ready(int argc, char **argv)
{
	const char *path = opt_str(argc, argv, "ready");
	int fd;

	if (!path)
		return;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		die(path);
	close(fd);
}

/* cmd_add() - create a model disk. */
static int cmd_add(int argc, char **argv)
{
	struct vbs_ctl_add add = { .size = sizeof(add) };
	int fd;

	if (argc < 1)
		return 2;
	add.index = VBS_INDEX_ANY;
	add.config.size = sizeof(add.config);
	add.config.flags = VBS_CFG_MODEL | VBS_CFG_DISCARD |
			   VBS_CFG_WRITE_ZEROES;
	if (opt_flag(argc, argv, "cache"))
		add.config.flags |= VBS_CFG_WRITE_CACHE;
	add.config.capacity = strtoull(argv[0], NULL, 0) << 20;
	add.config.model_pages = opt_u64(argc, argv, "model_pages", 0);
	add.config.logical_block_size = opt_u64(argc, argv, "lbs", 0);
	add.config.nr_hw_queues = opt_u64(argc, argv, "queues", 0);
	add.config.queue_depth = opt_u64(argc, argv, "depth", 0);
	fd = open_control();
	if (ioctl(fd, VBS_CTL_ADD, &add))
		die("VBS_CTL_ADD");
	printf("index=%u\n", add.index);
	close(fd);
	return 0;
}

/*
 * The state of the "serve" model: a page map for the cow mapping, and
 * the trims owed for pages the answers just sent made dead.
 */
struct model {
	int fd;
	bool cow;
	uint64_t logical, physical;
	uint64_t *map;		/* lpn -> ppn (cow) */
	uint8_t *used;		/* ppn in use (cow) */
	uint64_t cursor;	/* next ppn to try (cow) */
	struct vbs_model_page_op trims[BATCH_MAX * VBS_MODEL_MAX_REQ_PAGES];
	unsigned int nr_trims;
	uint64_t answered, pages_trimmed;
};

/* model_alloc_page() - a free physical page (cow); one always exists. */
static uint64_t model_alloc_page(struct model *m)
{
	for (;;) {
		uint64_t p = m->cursor++ % m->physical;

		if (!m->used[p]) {
			m->used[p] = 1;
			return p;
		}
	}
}

/*
 * model_retire() - a cow page is dead: trim it after the next exchange.
 * It stays "used" until the trim is sent, or a write handed out in the
 * meantime could land on it and then be trimmed away.
 */
static void model_retire(struct model *m, uint64_t ppn)
{
	if (ppn == VBS_PPN_NONE)
		return;
	m->trims[m->nr_trims++] = (struct vbs_model_page_op){
		.op = VBS_PAGE_OP_TRIM, .src = ppn, .dst = VBS_PPN_NONE,
	};
}

/* page_partial() - whether request page @i is only partly covered. */
static bool page_partial(const struct vbs_model_req *r, uint32_t i)
{
	uint64_t first = (r->first_page + i) * 8;
	uint64_t s = r->sector > first ? r->sector : first;
	uint64_t e = r->sector + r->nr_sectors < first + 8 ?
		     r->sector + r->nr_sectors : first + 8;

	return e - s < 8;
}

/* model_map() - the maps of one request; returns how many. */
static uint32_t model_map(struct model *m, const struct vbs_model_req *r,
			  struct vbs_model_map *maps)
{
	bool reads = r->op == VBS_OP_READ;

	if (r->op == VBS_OP_DISCARD && m->cow) {
		for (uint32_t i = 0; i < r->nr_pages; i++) {
			uint64_t lpn = r->first_page + i;

			if (!page_partial(r, i) && lpn < m->logical) {
				model_retire(m, m->map[lpn]);
				m->map[lpn] = VBS_PPN_NONE;
			}
		}
		return 0;
	}
	if (!reads && r->op != VBS_OP_WRITE && r->op != VBS_OP_WRITE_ZEROES)
		return 0;
	for (uint32_t i = 0; i < r->nr_pages; i++) {
		uint64_t lpn = r->first_page + i;

		if (!m->cow) {
			maps[i].ppn = lpn;
			maps[i].src_ppn = lpn;
		} else if (reads) {
			maps[i].ppn = m->map[lpn];
			maps[i].src_ppn = VBS_PPN_NONE;
		} else {
			maps[i].src_ppn = m->map[lpn];
			maps[i].ppn = model_alloc_page(m);
			model_retire(m, m->map[lpn]);
			m->map[lpn] = maps[i].ppn;
		}
	}
	return r->nr_pages;
}

/* model_trim() - send the trims owed; they follow the answers. */
static void model_trim(struct model *m)
{
	struct vbs_model_pages p = { .size = sizeof(p) };

	for (unsigned int done = 0; done < m->nr_trims;) {
		unsigned int n = m->nr_trims - done;

		if (n > VBS_MODEL_MAX_BATCH)
			n = VBS_MODEL_MAX_BATCH;
		p.nr_ops = n;
		p.ops = (uintptr_t)(m->trims + done);
		if (ioctl(m->fd, VBS_CTL_MODEL_PAGES, &p))
			die("VBS_CTL_MODEL_PAGES");
		done += n;
		m->pages_trimmed += n;
	}
	for (unsigned int i = 0; i < m->nr_trims; i++)
		m->used[m->trims[i].src] = 0;
	m->nr_trims = 0;
}

/* cmd_serve() - run a model until told to stop. */
static int cmd_serve(int argc, char **argv)
{
	static struct vbs_model_req reqs[BATCH_MAX];
	static struct vbs_model_answer ans[BATCH_MAX];
	static struct vbs_model_map maps[BATCH_MAX * VBS_MODEL_MAX_REQ_PAGES];
	struct vbs_model_exchange x;
	struct vbs_model_attach a;
	uint64_t delay_ns, exit_after;
	unsigned int batch, nr_ans = 0, nr_maps = 0;
	struct model *m;

	if (argc < 1)
		return 2;
	m = calloc(1, sizeof(*m));
	if (!m)
		die("calloc");
	m->cow = opt_str(argc, argv, "map") &&
		 !strcmp(opt_str(argc, argv, "map"), "cow");
	delay_ns = opt_u64(argc, argv, "delay_us", 0) * 1000;
	exit_after = opt_u64(argc, argv, "exit_after", 0);
	batch = opt_u64(argc, argv, "batch", 32);
	if (!batch || batch > BATCH_MAX)
		return 2;
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);

	m->fd = open_control();
	if (attach(m->fd, strtoul(argv[0], NULL, 0),
		   opt_flag(argc, argv, "recover") ? VBS_MODEL_RECOVER : 0, &a))
		die("VBS_CTL_MODEL_ATTACH");
	m->logical = a.logical_pages;
	m->physical = a.physical_pages;
	if (m->cow) {
		m->map = malloc(m->logical * sizeof(*m->map));
		m->used = calloc(m->physical, 1);
		if (!m->map || !m->used)
			die("malloc");
		memset(m->map, 0xff, m->logical * sizeof(*m->map));
	}
	printf("session=%u logical_pages=%" PRIu64 " physical_pages=%" PRIu64
	       "\n", a.session, m->logical, m->physical);
	fflush(stdout);
	mark_ready(argc, argv);

	while (!stop) {
		memset(&x, 0, sizeof(x));
		x.size = sizeof(x);
		x.nr_answers = nr_ans;
		x.answers = (uintptr_t)ans;
		x.nr_maps = nr_maps;
		x.maps = (uintptr_t)maps;
		x.max_reqs = batch;
		x.reqs = (uintptr_t)reqs;
		x.timeout_ms = 200;
		if (ioctl(m->fd, VBS_CTL_MODEL_EXCHANGE, &x)) {
			if (errno == EINTR)
				continue;
			die("VBS_CTL_MODEL_EXCHANGE");
		}
		if (x.rejected) {
			fprintf(stderr, "vbs-modeltool: %u answers rejected\n",
				x.rejected);
			failures++;
		}
		m->answered += x.accepted;
		model_trim(m);
		if (exit_after && m->answered >= exit_after)
			break;
		nr_ans = 0;
		nr_maps = 0;
		for (uint32_t i = 0; i < x.nr_reqs; i++) {
			struct vbs_model_answer *an = &ans[nr_ans++];

			memset(an, 0, sizeof(*an));
			an->id = reqs[i].id;
			an->delay_ns = delay_ns;
			an->map_index = nr_maps;
			an->nr_maps = model_map(m, &reqs[i], maps + nr_maps);
			nr_maps += an->nr_maps;
		}
	}
	printf("answered=%" PRIu64 " trimmed=%" PRIu64 " failures=%d\n",
	       m->answered, m->pages_trimmed, failures);
	close(m->fd);
	return failures ? 1 : 0;
}

/* cmd_hold() - attach, take requests, never answer. */
static int cmd_hold(int argc, char **argv)
{
	static struct vbs_model_req reqs[BATCH_MAX];
	struct vbs_model_exchange x;
	struct vbs_model_attach a;
	unsigned int held = 0;
	time_t end;
	int fd;

	if (argc < 2)
		return 2;
	fd = open_control();
	if (attach(fd, strtoul(argv[0], NULL, 0),
		   opt_flag(argc, argv, "recover") ? VBS_MODEL_RECOVER : 0, &a))
		die("VBS_CTL_MODEL_ATTACH");
	mark_ready(argc, argv);
	end = time(NULL) + strtoul(argv[1], NULL, 0);
	while (time(NULL) < end) {
		memset(&x, 0, sizeof(x));
		x.size = sizeof(x);
		x.max_reqs = BATCH_MAX;
		x.reqs = (uintptr_t)reqs;
		x.timeout_ms = 100;
		if (ioctl(fd, VBS_CTL_MODEL_EXCHANGE, &x) && errno != EINTR)
			die("VBS_CTL_MODEL_EXCHANGE");
		held += x.nr_reqs;
	}
	printf("held=%u\n", held);
	close(fd);
	return 0;
}

/*
 * later_header_exchange() - VBS_CTL_MODEL_EXCHANGE through the number a
 * later header would give it, its structure grown by 64 bytes: the module
 * knows the command by type, number and direction and checks the request
 * (too many requests wanted: EINVAL, not ENOTTY).
 */
static void later_header_exchange(int fd)
{
	struct {
		struct vbs_model_exchange x;
		uint8_t later[64];
	} big;

	memset(&big, 0, sizeof(big));
	big.x.size = sizeof(big);
	big.x.max_reqs = VBS_MODEL_MAX_BATCH + 1;
	expect_errno("exchange through a later header's number",
		     ioctl(fd, _IOC(_IOC_READ | _IOC_WRITE, VBS_IOC_MAGIC,
				    _IOC_NR(VBS_CTL_MODEL_EXCHANGE),
				    sizeof(big)), &big), EINVAL);
}

/* cmd_errors() - the protocol's refusals. */
static int cmd_errors(int argc, char **argv)
{
	struct vbs_model_exchange x = { .size = sizeof(x) };
	struct vbs_model_pages p = { .size = sizeof(p) };
	struct vbs_model_page_op op = { 0 };
	struct vbs_model_attach a;
	uint32_t index, other;
	int fd, fd2, ret;

	if (argc < 2)
		return 2;
	index = strtoul(argv[0], NULL, 0);
	other = strtoul(argv[1], NULL, 0);
	fd = open_control();
	fd2 = open_control();

	expect_errno("exchange before attach",
		     ioctl(fd, VBS_CTL_MODEL_EXCHANGE, &x), ENOTCONN);
	expect_errno("attach a disk that is not a model disk",
		     attach(fd, other, 0, &a), EINVAL);
	expect_errno("attach a disk that does not exist",
		     attach(fd, 999, 0, &a), ENODEV);
	expect_errno("attach with an unknown flag",
		     attach(fd, index, 1U << 7, &a), EINVAL);
	memset(&a, 0, sizeof(a));
	a.size = 8;
	a.index = index;
	expect_errno("attach with a short size",
		     ioctl(fd, VBS_CTL_MODEL_ATTACH, &a), EINVAL);
	expect_errno("attach with a NULL argument",
		     ioctl(fd, VBS_CTL_MODEL_ATTACH, NULL), EFAULT);

	ret = attach(fd, index, 0, &a);
	expect_errno("attach the model disk", ret, 0);
	check("attach reports the geometry",
	      !ret && a.session >= 1 && a.sectors_per_page == 8 &&
	      a.max_req_pages == VBS_MODEL_MAX_REQ_PAGES &&
	      a.physical_pages >= a.logical_pages && a.logical_pages, NULL);
	expect_errno("attach the same node twice",
		     attach(fd, index, 0, &a), EBUSY);
	expect_errno("a second session on another node",
		     attach(fd2, index, 0, &a), 0);
	expect_errno("remove a disk with a model attached",
		     ioctl(fd, VBS_CTL_REMOVE, &index), EBUSY);

	x.flags = 1;
	expect_errno("exchange with unknown flags",
		     ioctl(fd, VBS_CTL_MODEL_EXCHANGE, &x), EINVAL);
	x.flags = 0;
	x.max_reqs = VBS_MODEL_MAX_BATCH + 1;
	expect_errno("exchange with too many requests wanted",
		     ioctl(fd, VBS_CTL_MODEL_EXCHANGE, &x), EINVAL);
	later_header_exchange(fd);
	x.max_reqs = 0;
	x.nr_answers = 1;
	x.answers = 0;
	expect_errno("exchange with answers at NULL",
		     ioctl(fd, VBS_CTL_MODEL_EXCHANGE, &x), EFAULT);
	x.nr_answers = 0;
	x.reserved[1] = 1;
	expect_errno("exchange with a reserved field set",
		     ioctl(fd, VBS_CTL_MODEL_EXCHANGE, &x), EINVAL);
	x.reserved[1] = 0;
	expect_errno("exchange that neither answers nor fetches",
		     ioctl(fd, VBS_CTL_MODEL_EXCHANGE, &x), 0);

	p.nr_ops = 0;
	expect_errno("page ops: none", ioctl(fd, VBS_CTL_MODEL_PAGES, &p),
		     EINVAL);
	p.nr_ops = 1;
	p.ops = (uintptr_t)&op;
	op.op = 9;
	expect_errno("page ops: unknown op",
		     ioctl(fd, VBS_CTL_MODEL_PAGES, &p), EINVAL);
	op.op = VBS_PAGE_OP_COPY;
	op.src = 0;
	op.dst = a.physical_pages;
	expect_errno("page ops: copy past the store",
		     ioctl(fd, VBS_CTL_MODEL_PAGES, &p), EINVAL);
	op.op = VBS_PAGE_OP_TRIM;
	op.src = 1;
	op.dst = 2;
	expect_errno("page ops: trim with a destination",
		     ioctl(fd, VBS_CTL_MODEL_PAGES, &p), EINVAL);
	op.dst = VBS_PPN_NONE;
	op.src = VBS_PPN_NONE;
	expect_errno("page ops: trim of no page",
		     ioctl(fd, VBS_CTL_MODEL_PAGES, &p), EINVAL);
	op.src = a.physical_pages - 1;
	expect_errno("page ops: trim of the last page",
		     ioctl(fd, VBS_CTL_MODEL_PAGES, &p), 0);
	check("page ops report what they did", p.done == 1, NULL);
	p.ops = 16;
	expect_errno("page ops at a bad address",
		     ioctl(fd, VBS_CTL_MODEL_PAGES, &p), EFAULT);

	close(fd);
	close(fd2);
	return failures ? 1 : 0;
}

/* The I/O the "answers" check submits, on a thread of its own. */
struct io {
	const char *path;
	uint64_t offset;
	size_t len;
	bool write;
	int result;	/* 0 or errno */
	pthread_t thread;
};

/* io_thread() - one direct read or write of the model disk. */
static void *io_thread(void *arg)
{
	struct io *io = arg;
	void *buf;
	ssize_t n;
	int fd;

	io->result = 0;
	fd = open(io->path, (io->write ? O_RDWR : O_RDONLY) | O_DIRECT |
		  O_CLOEXEC);
	if (fd < 0 || posix_memalign(&buf, 4096, io->len)) {
		io->result = errno;
		return NULL;
	}
	memset(buf, 0x5a, io->len);
	n = io->write ? pwrite(fd, buf, io->len, io->offset) :
			pread(fd, buf, io->len, io->offset);
	if (n < 0)
		io->result = errno;
	else if ((size_t)n != io->len)
		io->result = EIO;
	free(buf);
	close(fd);
	return NULL;
}

/* io_start() - submit @io on its own thread. */
static void io_start(struct io *io)
{
	if (pthread_create(&io->thread, NULL, io_thread, io))
		die("pthread_create");
}

/*
 * serve_stray() - answer a request that is not the one a check waits for
 * (udev probes a disk that was written to) as an identity model would.
 */
static void serve_stray(int fd, const struct vbs_model_req *r)
{
	static struct vbs_model_map maps[VBS_MODEL_MAX_REQ_PAGES];
	struct vbs_model_answer an = { .id = r->id };
	struct vbs_model_exchange x = { .size = sizeof(x) };
	bool mapped = r->op == VBS_OP_READ || r->op == VBS_OP_WRITE ||
		      r->op == VBS_OP_WRITE_ZEROES;

	for (uint32_t i = 0; mapped && i < r->nr_pages; i++)
		maps[i].ppn = maps[i].src_ppn = r->first_page + i;
	an.nr_maps = mapped ? r->nr_pages : 0;
	x.nr_answers = 1;
	x.answers = (uintptr_t)&an;
	x.nr_maps = an.nr_maps;
	x.maps = (uintptr_t)maps;
	if (ioctl(fd, VBS_CTL_MODEL_EXCHANGE, &x))
		die("VBS_CTL_MODEL_EXCHANGE (stray)");
}

/* fetch_one() - wait for the request at @sector the I/O thread sent. */
static bool fetch_one(int fd, uint64_t sector, struct vbs_model_req *r)
{
	struct vbs_model_exchange x = { .size = sizeof(x) };

	for (int tries = 0; tries < 64; tries++) {
		x.max_reqs = 1;
		x.reqs = (uintptr_t)r;
		x.timeout_ms = 10000;
		if (ioctl(fd, VBS_CTL_MODEL_EXCHANGE, &x) || x.nr_reqs != 1)
			return false;
		if (r->sector == sector && r->op != VBS_OP_FLUSH)
			return true;
		serve_stray(fd, r);
	}
	return false;
}

/* answer() - send answers; returns the exchange's counts. */
static struct vbs_model_exchange answer(int fd, struct vbs_model_answer *an,
					unsigned int n,
					struct vbs_model_map *maps,
					unsigned int nr_maps)
{
	struct vbs_model_exchange x = { .size = sizeof(x) };

	x.nr_answers = n;
	x.answers = (uintptr_t)an;
	x.nr_maps = nr_maps;
	x.maps = (uintptr_t)maps;
	if (ioctl(fd, VBS_CTL_MODEL_EXCHANGE, &x))
		die("VBS_CTL_MODEL_EXCHANGE (answer)");
	return x;
}

/*
 * bad_answer_case() - submit one 4 KiB read, answer it badly with @an
 * (id filled in here), and check the read fails with EIO and the answer
 * is counted as rejected.
 */
static void bad_answer_case(int fd, const char *path, const char *name,
			    struct vbs_model_answer an,
			    struct vbs_model_map map)
{
	struct io io = { .path = path, .offset = 8192, .len = 4096 };
	struct vbs_model_exchange x;
	struct vbs_model_req r;
	char buf[64];

	io_start(&io);
	if (!fetch_one(fd, io.offset / 512, &r)) {
		check(name, false, "no request arrived");
		pthread_join(io.thread, NULL);
		return;
	}
	an.id = r.id;
	x = answer(fd, &an, 1, &map, 1);
	pthread_join(io.thread, NULL);
	snprintf(buf, sizeof(buf), "rejected=%u accepted=%u io=%s", x.rejected,
		 x.accepted, io.result ? strerror(io.result) : "ok");
	check(name, x.rejected == 1 && !x.accepted && io.result == EIO, buf);
}

/* cmd_answers() - how the kernel treats good, late and bad answers. */
static int cmd_answers(int argc, char **argv)
{
	struct vbs_model_answer an = { 0 }, twice[2];
	struct vbs_model_map map = { 0, 0 };
	struct vbs_model_exchange x;
	struct vbs_model_attach a;
	struct vbs_model_req r;
	struct io io = { .offset = 4096, .len = 4096, .write = true };
	char path[64], buf[96];
	uint32_t index;
	int fd;

	if (argc < 1)
		return 2;
	index = strtoul(argv[0], NULL, 0);
	snprintf(path, sizeof(path), "/dev/%s%u", VBS_DISK_NAME, index);
	io.path = path;
	fd = open_control();
	if (attach(fd, index, 0, &a))
		die("VBS_CTL_MODEL_ATTACH");

	/* A good answer, then the same answer again (late duplicate). */
	io_start(&io);
	check("a write arrives as a descriptor", fetch_one(fd, 8, &r), NULL);
	snprintf(buf, sizeof(buf), "op=%u sector=%llu nr_sectors=%u pages=%u",
		 r.op, (unsigned long long)r.sector, r.nr_sectors, r.nr_pages);
	check("the descriptor describes the write",
	      r.op == VBS_OP_WRITE && r.sector == 8 && r.nr_sectors == 8 &&
	      r.first_page == 1 && r.nr_pages == 1 && (r.id >> 32), buf);
	an.id = r.id;
	an.nr_maps = 1;
	map.ppn = 7;
	map.src_ppn = 7;
	twice[0] = an;
	twice[1] = an;
	x = answer(fd, twice, 2, &map, 1);
	pthread_join(io.thread, NULL);
	snprintf(buf, sizeof(buf), "accepted=%u rejected=%u io=%s", x.accepted,
		 x.rejected, io.result ? strerror(io.result) : "ok");
	check("a duplicate answer is rejected, the first completes",
	      x.accepted == 1 && x.rejected == 1 && !io.result, buf);
	x = answer(fd, &an, 1, &map, 1);
	check("a late answer to a completed request is rejected",
	      x.rejected == 1 && !x.accepted, NULL);
	an.id = (r.id & 0xffffffffULL) | ((r.id >> 32) + 1000) << 32;
	x = answer(fd, &an, 1, &map, 1);
	check("an answer with the wrong generation is rejected",
	      x.rejected == 1 && !x.accepted, NULL);
	an.id = 0xffffffffULL;
	x = answer(fd, &an, 1, &map, 1);
	check("an answer to a slot that does not exist is rejected",
	      x.rejected == 1 && !x.accepted, NULL);

	/* Bad answers to live requests fail them with EIO. */
	an = (struct vbs_model_answer){ .nr_maps = 1 };
	map = (struct vbs_model_map){ .ppn = a.physical_pages };
	bad_answer_case(fd, path, "a page past the store fails the read", an,
			map);
	map.ppn = 3;
	an.nr_maps = 2;
	bad_answer_case(fd, path, "a wrong map count fails the read", an, map);
	an.nr_maps = 1;
	an.map_index = 5;
	bad_answer_case(fd, path, "maps past the array fail the read", an,
			map);
	an.map_index = 0;
	an.status = -EPERM;
	an.nr_maps = 0;
	bad_answer_case(fd, path, "an errno outside the protocol fails the read",
			an, map);
	an.status = 0;
	an.nr_maps = 1;
	an.reserved = 1;
	bad_answer_case(fd, path, "a reserved field fails the read", an, map);
	an.reserved = 0;
	an.delay_ns = VBS_SIM_MAX_NS + 1;
	bad_answer_case(fd, path, "a delay above the limit fails the read", an,
			map);

	/* A status is passed on: -ENODATA is a medium error (ENODATA). */
	io = (struct io){ .path = path, .offset = 0, .len = 4096 };
	io_start(&io);
	if (fetch_one(fd, 0, &r)) {
		an = (struct vbs_model_answer){ .id = r.id, .status = -ENODATA };
		x = answer(fd, &an, 1, NULL, 0);
	}
	pthread_join(io.thread, NULL);
	snprintf(buf, sizeof(buf), "io=%s", strerror(io.result));
	check("a medium error answer reaches the reader as ENODATA",
	      io.result == ENODATA, buf);

	/* The data written through ppn 7 reads back from there. */
	io = (struct io){ .path = path, .offset = 40960, .len = 4096 };
	io_start(&io);
	if (fetch_one(fd, 80, &r)) {
		an = (struct vbs_model_answer){ .id = r.id, .nr_maps = 1 };
		map = (struct vbs_model_map){ .ppn = 7, .src_ppn = 7 };
		x = answer(fd, &an, 1, &map, 1);
	}
	pthread_join(io.thread, NULL);
	check("a read mapped elsewhere completes", !io.result && x.accepted == 1,
	      NULL);

	close(fd);
	return failures ? 1 : 0;
}

/* main() - dispatch the subcommand. */
int main(int argc, char **argv)
{
	int ret = 2;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2)
		goto usage;
	if (!strcmp(argv[1], "add"))
		ret = cmd_add(argc - 2, argv + 2);
	else if (!strcmp(argv[1], "serve"))
		ret = cmd_serve(argc - 2, argv + 2);
	else if (!strcmp(argv[1], "hold"))
		ret = cmd_hold(argc - 2, argv + 2);
	else if (!strcmp(argv[1], "errors"))
		ret = cmd_errors(argc - 2, argv + 2);
	else if (!strcmp(argv[1], "answers"))
		ret = cmd_answers(argc - 2, argv + 2);
	if (ret != 2)
		return ret;
usage:
	fprintf(stderr, "usage: vbs-modeltool add|serve|hold|errors|answers ... (see the source)\n");
	return 2;
}
