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
 *       [cache] [ro] [nowz] [plain]                      -> index=N
 *       ro: VBS_CFG_READ_ONLY; nowz: without VBS_CFG_WRITE_ZEROES;
 *       plain: an ordinary disk (no VBS_CFG_MODEL), for comparisons
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
 *   vbs-modeltool race-detach-remove ROUNDS [pending_every=N]
 *       ROUNDS times: add a model disk, attach a session (every other
 *       round with VBS_MODEL_RECOVER) while a second thread spins on
 *       VBS_CTL_REMOVE of the disk (EBUSY while attached), then detach, so
 *       the removal lands right after the detach; every N-th round
 *       (default 4) a reader thread has a direct read pending that the
 *       detach fails, and the removal lands right after it closes the disk
 *   vbs-modeltool check-reserved MODEL_INDEX PLAIN_INDEX
 *       every reserved field and padding of every ioctl structure set
 *       non-zero is refused with EINVAL (output ones come back zero)
 *
 * With ready=FILE, the tool creates FILE once it is attached, so a script
 * can wait for it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
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
	if (opt_flag(argc, argv, "ro"))
		add.config.flags |= VBS_CFG_READ_ONLY;
	if (opt_flag(argc, argv, "nowz"))
		add.config.flags &= ~VBS_CFG_WRITE_ZEROES;
	if (opt_flag(argc, argv, "plain"))
		add.config.flags &= ~VBS_CFG_MODEL;
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

/* now_ns() - CLOCK_MONOTONIC in nanoseconds. */
static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* add_disk() - create a small disk with @flags; its index or -1. */
static int64_t add_disk(int ctl, uint32_t flags)
{
	struct vbs_ctl_add add = { .size = sizeof(add) };

	add.index = VBS_INDEX_ANY;
	add.config.size = sizeof(add.config);
	add.config.flags = flags;
	add.config.capacity = 1 << 20;
	add.config.nr_hw_queues = 1;
	add.config.queue_depth = 4;
	if (ioctl(ctl, VBS_CTL_ADD, &add))
		return -1;
	return add.index;
}

/* sysfs_u64() - a number from /sys/block/virtblkiosimN/virtblkiosim/NAME. */
static int64_t sysfs_u64(uint32_t index, const char *name)
{
	char path[128], buf[32];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/sys/block/%s%u/%s/%s", VBS_DISK_NAME,
		 index, VBS_DISK_NAME, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	return strtoll(buf, NULL, 0);
}

/* What one round of race-detach-remove shares between its threads. */
struct race {
	int ctl;		/* the remover's own control node */
	uint32_t index;		/* the disk of this round */
	atomic_int go;		/* the remover may start */
	atomic_ulong busy;	/* EBUSY answers the remover got */
	int remove_err;		/* 0, or the errno that stopped the remover */
	char path[64];		/* /dev/virtblkiosimN */
	int read_err;		/* the reader's result: 0 or an errno */
};

/*
 * race_remover() - thread B: VBS_CTL_REMOVE until it succeeds. EBUSY is
 * the only refusal allowed (a session is attached or the disk is open);
 * 30 s of refusals is a hang.
 */
static void *race_remover(void *arg)
{
	struct race *r = arg;
	uint64_t end;

	while (!atomic_load(&r->go))
		sched_yield();
	end = now_ns() + 30000000000ULL;
	for (;;) {
		if (!ioctl(r->ctl, VBS_CTL_REMOVE, &r->index)) {
			r->remove_err = 0;
			return NULL;
		}
		if (errno != EBUSY) {
			r->remove_err = errno;
			return NULL;
		}
		atomic_fetch_add(&r->busy, 1);
		if (now_ns() > end) {
			r->remove_err = ETIMEDOUT;
			return NULL;
		}
	}
}

/*
 * race_reader() - the opener: one direct 4 KiB read of the disk, which the
 * model never answers (the detach fails it), then close at once.
 */
static void *race_reader(void *arg)
{
	struct race *r = arg;
	void *buf = NULL;
	ssize_t n;
	int fd;

	fd = open(r->path, O_RDONLY | O_DIRECT | O_CLOEXEC);
	if (fd < 0 || posix_memalign(&buf, 4096, 4096)) {
		r->read_err = errno;
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	n = pread(fd, buf, 4096, 0);
	r->read_err = n < 0 ? errno : 0;
	close(fd);
	free(buf);
	return NULL;
}

/*
 * race_wait_pending() - wait until the reader's request is on the disk:
 * fetched into this session (@fetch) or pending, not yet fetched.
 */
static bool race_wait_pending(int fd, uint32_t index, bool fetch)
{
	struct vbs_model_exchange x = { .size = sizeof(x) };
	struct vbs_model_req r;
	uint64_t end = now_ns() + 10000000000ULL;

	if (fetch) {
		x.max_reqs = 1;
		x.reqs = (uintptr_t)&r;
		x.timeout_ms = 10000;
		return !ioctl(fd, VBS_CTL_MODEL_EXCHANGE, &x) &&
		       x.nr_reqs == 1 && r.op == VBS_OP_READ;
	}
	while (sysfs_u64(index, "model_pending") < 1) {
		if (now_ns() > end)
			return false;
		usleep(200);
	}
	return true;
}

/*
 * cmd_race_detach_remove() - a session detaching races with the removal
 * of its disk. The detach counts the session out under the model's lock,
 * then still wakes the waiters (VBS_MODEL_RECOVER) or fails the requests
 * it held; a removal that sees no session in between must not free the
 * disk under it. On a normal kernel a use-after-free may go unseen: the
 * test relies on the kernel log (KASAN on the debug kernel) as much as on
 * the checks here, which are that every removal ends (only EBUSY before),
 * every pending read fails with EIO and no disk is left over.
 */
static int cmd_race_detach_remove(int argc, char **argv)
{
	unsigned long rounds, pending_every, busy = 0, pending_rounds = 0;
	unsigned long recover_rounds = 0, plain = 0;
	struct vbs_features f0 = { .size = sizeof(f0) };
	struct vbs_features f1 = { .size = sizeof(f1) };
	struct vbs_model_attach a;
	uint64_t t0 = now_ns();
	char buf[160];
	int ctl;

	if (argc < 1)
		return 2;
	rounds = strtoul(argv[0], NULL, 0);
	pending_every = opt_u64(argc, argv, "pending_every", 4);
	ctl = open_control();
	if (ioctl(ctl, VBS_CTL_GET_FEATURES, &f0))
		die("VBS_CTL_GET_FEATURES");

	for (unsigned long round = 0; round < rounds && !failures; round++) {
		bool pending = pending_every &&
			       round % pending_every == pending_every - 1;
		bool recover = !pending && plain++ % 2;
		bool fetch = pending && pending_rounds % 2;
		struct race r = { .ctl = ctl };
		pthread_t remover, reader;
		int64_t idx;
		uint64_t end;
		int sfd;

		idx = add_disk(ctl, VBS_CFG_MODEL);
		if (idx < 0)
			die("VBS_CTL_ADD");
		r.index = (uint32_t)idx;
		snprintf(r.path, sizeof(r.path), "/dev/%s%u", VBS_DISK_NAME,
			 r.index);
		sfd = open_control();
		if (attach(sfd, r.index, recover ? VBS_MODEL_RECOVER : 0, &a))
			die("VBS_CTL_MODEL_ATTACH");
		if (pthread_create(&remover, NULL, race_remover, &r))
			die("pthread_create");
		if (pending) {
			if (pthread_create(&reader, NULL, race_reader, &r))
				die("pthread_create");
			snprintf(buf, sizeof(buf), "round %lu: the read did not "
				 "reach the model (%s)", round,
				 fetch ? "fetched" : "pending");
			if (!race_wait_pending(sfd, r.index, fetch))
				check(buf, false, NULL);
			pending_rounds++;
		} else {
			recover_rounds += recover;
		}
		/* Let the remover spin; detach once it has been refused. */
		atomic_store(&r.go, 1);
		end = now_ns() + 10000000000ULL;
		while (!atomic_load(&r.busy) && now_ns() < end)
			;
		if (!atomic_load(&r.busy)) {
			snprintf(buf, sizeof(buf), "round %lu: removal not "
				 "refused while attached (remover: %s)", round,
				 strerror(r.remove_err));
			check(buf, false, NULL);
		}
		close(sfd);
		if (pending) {
			pthread_join(reader, NULL);
			if (r.read_err != EIO) {
				snprintf(buf, sizeof(buf), "round %lu: pending "
					 "read: want EIO, got %s", round,
					 r.read_err ? strerror(r.read_err) :
						      "success");
				check(buf, false, NULL);
			}
		}
		pthread_join(remover, NULL);
		busy += atomic_load(&r.busy);
		if (r.remove_err) {
			snprintf(buf, sizeof(buf), "round %lu: VBS_CTL_REMOVE "
				 "of disk %u ended with %s", round, r.index,
				 strerror(r.remove_err));
			check(buf, false, NULL);
		}
	}
	if (ioctl(ctl, VBS_CTL_GET_FEATURES, &f1))
		die("VBS_CTL_GET_FEATURES");
	snprintf(buf, sizeof(buf), "%u disks before, %u after", f0.nr_devices,
		 f1.nr_devices);
	check("every disk of the race was removed",
	      f0.nr_devices == f1.nr_devices, buf);
	printf("rounds=%lu recover_rounds=%lu pending_read_rounds=%lu "
	       "refused_removals=%lu seconds=%.1f failures=%d\n", rounds,
	       recover_rounds, pending_rounds, busy,
	       (now_ns() - t0) / 1e9, failures);
	close(ctl);
	return failures ? 1 : 0;
}

/* --- check-reserved ------------------------------------------------- */

/* What to undo if a call that should have been refused went through. */
enum undo {
	UNDO_NONE,
	UNDO_REMOVE,	/* VBS_CTL_ADD created a disk: remove it */
	UNDO_SIM,	/* VBS_IOC_SET_SIM changed the settings: reset them */
	UNDO_FAULTS,	/* VBS_IOC_FAULT_ADD added a rule: clear them all */
};

/* The nodes check-reserved works on. */
struct rsv {
	int ctl;		/* control node, not a session */
	int session;		/* control node attached to the model disk */
	int disk;		/* the plain disk, opened read-write */
	uint32_t model, plain;
};

/* rsv_undo() - undo the effect of a call that should have failed. */
static void rsv_undo(struct rsv *c, enum undo undo, const void *arg)
{
	struct vbs_sim_params p = { .size = sizeof(p) };
	uint32_t id = VBS_FAULT_ID_ALL;
	uint32_t index;

	switch (undo) {
	case UNDO_NONE:
		break;
	case UNDO_REMOVE:
		index = ((const struct vbs_ctl_add *)arg)->index;
		if (ioctl(c->ctl, VBS_CTL_REMOVE, &index))
			die("VBS_CTL_REMOVE (undo)");
		break;
	case UNDO_SIM:
		if (ioctl(c->disk, VBS_IOC_SET_SIM, &p))
			die("VBS_IOC_SET_SIM (undo)");
		break;
	case UNDO_FAULTS:
		if (ioctl(c->disk, VBS_IOC_FAULT_CLEAR, &id))
			die("VBS_IOC_FAULT_CLEAR (undo)");
		break;
	}
}

/*
 * rsv_valid() - the unchanged argument must be accepted, so that a refusal
 * of the spoiled one is the reserved field's doing.
 */
static void rsv_valid(struct rsv *c, const char *cmd_name, int fd,
		      unsigned long cmd, const void *valid, size_t size,
		      enum undo undo)
{
	unsigned char buf[4096];
	char name[128];

	memcpy(buf, valid, size);
	snprintf(name, sizeof(name), "%s: the valid argument is accepted",
		 cmd_name);
	expect_errno(name, ioctl(fd, cmd, buf), 0);
	rsv_undo(c, undo, buf);
}

/*
 * rsv_field() - @valid with the top byte of the field at @off (@len bytes)
 * set is refused with EINVAL, for every @len-byte element of a field of
 * @count elements.
 */
static void rsv_field(struct rsv *c, const char *cmd_name, int fd,
		      unsigned long cmd, const void *valid, size_t size,
		      const char *field, size_t off, size_t len,
		      unsigned int count, enum undo undo)
{
	unsigned char buf[4096];
	char name[160];
	int ret;

	for (unsigned int i = 0; i < count; i++) {
		memcpy(buf, valid, size);
		buf[off + i * len + len - 1] = 0x80;
		if (count > 1)
			snprintf(name, sizeof(name), "%s: %s[%u] set", cmd_name,
				 field, i);
		else
			snprintf(name, sizeof(name), "%s: %s set", cmd_name,
				 field);
		ret = ioctl(fd, cmd, buf);
		expect_errno(name, ret, EINVAL);
		if (!ret)
			rsv_undo(c, undo, buf);
	}
}

/* RSV() - rsv_field() for a field of structure @type, all its elements. */
#define RSV(c, name, fd, cmd, valid, type, fld, undo)			\
	rsv_field(c, name, fd, cmd, &(valid), sizeof(valid), #fld,		\
		  offsetof(type, fld), sizeof(((type *)0)->fld[0]),		\
		  sizeof(((type *)0)->fld) / sizeof(((type *)0)->fld[0]),	\
		  undo)
/* RSV1() - the same for a scalar field. */
#define RSV1(c, name, fd, cmd, valid, type, fld, undo)			\
	rsv_field(c, name, fd, cmd, &(valid), sizeof(valid), #fld,		\
		  offsetof(type, fld), sizeof(((type *)0)->fld), 1, undo)

/*
 * rsv_out_zero() - an output field comes back zero even when the caller's
 * buffer held garbage there.
 */
static void rsv_out_zero(const char *name, const void *out, size_t off,
			 size_t len)
{
	const unsigned char *p = (const unsigned char *)out + off;
	bool zero = true;

	for (size_t i = 0; i < len; i++)
		zero &= !p[i];
	check(name, zero, zero ? NULL : "not zero");
}

#define OUT_ZERO(name, out, type, fld)					\
	rsv_out_zero(name ": " #fld " is zero", &(out), offsetof(type, fld), \
		     sizeof(((type *)0)->fld))

/* rsv_attach() - VBS_CTL_MODEL_ATTACH on a fresh node each time. */
static void rsv_attach(struct rsv *c)
{
	struct vbs_model_attach valid = { .size = sizeof(valid) };
	struct vbs_model_attach a;
	char name[96];
	int fd, ret;

	valid.index = c->model;
	fd = open_control();
	a = valid;
	expect_errno("attach: the valid argument is accepted",
		     ioctl(fd, VBS_CTL_MODEL_ATTACH, &a), 0);
	close(fd);
	for (unsigned int i = 0; i < 4; i++) {
		fd = open_control();
		a = valid;
		a.reserved[i] = 1ULL << 63;
		snprintf(name, sizeof(name), "attach: reserved[%u] set", i);
		ret = ioctl(fd, VBS_CTL_MODEL_ATTACH, &a);
		expect_errno(name, ret, EINVAL);
		/* Closing a node that did attach detaches it. */
		close(fd);
	}
}

/* rsv_model_io() - reserved fields of descriptors and answers. */
static void rsv_model_io(struct rsv *c)
{
	struct io io = { .offset = 12288, .len = 4096 };
	struct vbs_model_answer an = { .nr_maps = 1 };
	struct vbs_model_map map = { .ppn = 3, .src_ppn = 3 };
	struct vbs_model_req r;
	char path[64], buf[64];

	snprintf(path, sizeof(path), "/dev/%s%u", VBS_DISK_NAME, c->model);
	io.path = path;
	io_start(&io);
	if (fetch_one(c->session, io.offset / 512, &r)) {
		snprintf(buf, sizeof(buf), "reserved=0x%llx",
			 (unsigned long long)r.reserved);
		check("request descriptor: reserved is zero", !r.reserved, buf);
		serve_stray(c->session, &r);
	} else {
		check("request descriptor: reserved is zero", false,
		      "no request arrived");
	}
	pthread_join(io.thread, NULL);
	an.reserved0 = 1;
	bad_answer_case(c->session, path, "answer: reserved0 set fails the "
			"read (EIO, rejected)", an, map);
	an.reserved0 = 0;
	an.reserved = 1ULL << 63;
	bad_answer_case(c->session, path, "answer: reserved set fails the "
			"read (EIO, rejected)", an, map);
}

/*
 * cmd_check_reserved() - every structure of the ABI with reserved fields
 * or padding, through every ioctl that takes it: a non-zero reserved
 * input field is refused with EINVAL (each element of an array on its
 * own, its top byte set, so a check of only the low half is caught too),
 * a reserved output field comes back zero over a buffer full of garbage.
 */
static int cmd_check_reserved(int argc, char **argv)
{
	static uint8_t block[4096];
	struct rsv c;
	struct vbs_model_attach a;
	char path[64];

	if (argc < 2)
		return 2;
	c.model = strtoul(argv[0], NULL, 0);
	c.plain = strtoul(argv[1], NULL, 0);
	c.ctl = open_control();
	c.session = open_control();
	if (attach(c.session, c.model, 0, &a))
		die("VBS_CTL_MODEL_ATTACH");
	snprintf(path, sizeof(path), "/dev/%s%u", VBS_DISK_NAME, c.plain);
	c.disk = open(path, O_RDWR | O_CLOEXEC);
	if (c.disk < 0)
		die(path);

	/* Control node: VBS_CTL_ADD (struct vbs_dev_config inside). */
	{
		struct vbs_ctl_add v = { .size = sizeof(v) };

		v.index = VBS_INDEX_ANY;
		v.config.size = sizeof(v.config);
		v.config.capacity = 1 << 20;
		rsv_valid(&c, "add", c.ctl, VBS_CTL_ADD, &v, sizeof(v),
			  UNDO_REMOVE);
		RSV(&c, "add", c.ctl, VBS_CTL_ADD, v, struct vbs_ctl_add,
		    config.reserved, UNDO_REMOVE);
	}
	/* VBS_CTL_LIST. */
	{
		struct vbs_ctl_list v = { .size = sizeof(v) };

		rsv_valid(&c, "list", c.ctl, VBS_CTL_LIST, &v, sizeof(v),
			  UNDO_NONE);
		RSV1(&c, "list", c.ctl, VBS_CTL_LIST, v, struct vbs_ctl_list,
		     reserved0, UNDO_NONE);
	}
	/* VBS_CTL_GET_FEATURES: output. */
	{
		struct vbs_features f;

		memset(&f, 0xa5, sizeof(f));
		f.size = sizeof(f);
		expect_errno("features: call", ioctl(c.ctl,
			     VBS_CTL_GET_FEATURES, &f), 0);
		OUT_ZERO("features", f, struct vbs_features, reserved);
	}
	/* VBS_CTL_MODEL_ATTACH. */
	rsv_attach(&c);
	/* VBS_CTL_MODEL_EXCHANGE: neither answers nor fetches. */
	{
		struct vbs_model_exchange v = { .size = sizeof(v) };

		rsv_valid(&c, "exchange", c.session, VBS_CTL_MODEL_EXCHANGE,
			  &v, sizeof(v), UNDO_NONE);
		RSV1(&c, "exchange", c.session, VBS_CTL_MODEL_EXCHANGE, v,
		     struct vbs_model_exchange, flags, UNDO_NONE);
		RSV1(&c, "exchange", c.session, VBS_CTL_MODEL_EXCHANGE, v,
		     struct vbs_model_exchange, reserved0, UNDO_NONE);
		RSV(&c, "exchange", c.session, VBS_CTL_MODEL_EXCHANGE, v,
		    struct vbs_model_exchange, reserved, UNDO_NONE);
	}
	/* VBS_CTL_MODEL_PAGES and struct vbs_model_page_op. */
	{
		struct vbs_model_page_op op = {
			.op = VBS_PAGE_OP_TRIM, .src = a.physical_pages - 1,
			.dst = VBS_PPN_NONE,
		};
		struct vbs_model_pages v = { .size = sizeof(v), .nr_ops = 1 };

		v.ops = (uintptr_t)&op;
		rsv_valid(&c, "pages", c.session, VBS_CTL_MODEL_PAGES, &v,
			  sizeof(v), UNDO_NONE);
		RSV1(&c, "pages", c.session, VBS_CTL_MODEL_PAGES, v,
		     struct vbs_model_pages, reserved0, UNDO_NONE);
		RSV(&c, "pages", c.session, VBS_CTL_MODEL_PAGES, v,
		    struct vbs_model_pages, reserved, UNDO_NONE);
		op.reserved0 = 1U << 31;
		expect_errno("pages: page_op.reserved0 set",
			     ioctl(c.session, VBS_CTL_MODEL_PAGES, &v), EINVAL);
	}
	/* Descriptors and answers (I/O on the model disk). */
	rsv_model_io(&c);

	/* Disk: VBS_IOC_GET_INFO, output (struct vbs_dev_config inside). */
	{
		struct vbs_info i;

		memset(&i, 0xa5, sizeof(i));
		i.size = sizeof(i);
		expect_errno("info: call", ioctl(c.disk, VBS_IOC_GET_INFO, &i),
			     0);
		OUT_ZERO("info", i, struct vbs_info, reserved);
		OUT_ZERO("info", i, struct vbs_info, config.reserved);
	}
	/* VBS_IOC_READ and VBS_IOC_WRITE. */
	{
		struct vbs_block_io v = { .size = sizeof(v), .count = 1 };

		v.buf = (uintptr_t)block;
		rsv_valid(&c, "read", c.disk, VBS_IOC_READ, &v, sizeof(v),
			  UNDO_NONE);
		RSV1(&c, "read", c.disk, VBS_IOC_READ, v, struct vbs_block_io,
		     reserved0, UNDO_NONE);
		RSV(&c, "read", c.disk, VBS_IOC_READ, v, struct vbs_block_io,
		    reserved, UNDO_NONE);
		rsv_valid(&c, "write", c.disk, VBS_IOC_WRITE, &v, sizeof(v),
			  UNDO_NONE);
		RSV1(&c, "write", c.disk, VBS_IOC_WRITE, v,
		     struct vbs_block_io, reserved0, UNDO_NONE);
		RSV(&c, "write", c.disk, VBS_IOC_WRITE, v, struct vbs_block_io,
		    reserved, UNDO_NONE);
	}
	/* VBS_IOC_GET_STATS: output. */
	{
		static struct vbs_stats s;

		memset(&s, 0xa5, sizeof(s));
		s.size = sizeof(s);
		expect_errno("stats: call", ioctl(c.disk, VBS_IOC_GET_STATS,
			     &s), 0);
		OUT_ZERO("stats", s, struct vbs_stats, reserved0);
		OUT_ZERO("stats", s, struct vbs_stats, reserved);
		OUT_ZERO("stats", s, struct vbs_stats, reserved2);
	}
	/* VBS_IOC_GET_SIM (output) and VBS_IOC_SET_SIM. */
	{
		struct vbs_sim_params v = { .size = sizeof(v) };
		struct vbs_sim_params g;

		memset(&g, 0xa5, sizeof(g));
		g.size = sizeof(g);
		expect_errno("get_sim: call", ioctl(c.disk, VBS_IOC_GET_SIM,
			     &g), 0);
		OUT_ZERO("get_sim", g, struct vbs_sim_params, flags);
		OUT_ZERO("get_sim", g, struct vbs_sim_params, reserved);
		rsv_valid(&c, "set_sim", c.disk, VBS_IOC_SET_SIM, &v, sizeof(v),
			  UNDO_SIM);
		RSV1(&c, "set_sim", c.disk, VBS_IOC_SET_SIM, v,
		     struct vbs_sim_params, flags, UNDO_SIM);
		RSV(&c, "set_sim", c.disk, VBS_IOC_SET_SIM, v,
		    struct vbs_sim_params, reserved, UNDO_SIM);
	}
	/* VBS_IOC_FAULT_ADD, and the rules VBS_IOC_FAULT_LIST returns. */
	{
		struct vbs_fault_rule v = {
			.size = sizeof(v), .op_mask = VBS_OP_MASK(VBS_OP_READ),
			.effect = VBS_FAULT_IOERR, .lba = 0, .count = 1,
		};
		struct vbs_fault_rule rule;
		struct vbs_fault_list l = {
			.size = sizeof(l), .capacity = 1,
			.rule_size = sizeof(rule),
		};

		rsv_valid(&c, "fault_add", c.disk, VBS_IOC_FAULT_ADD, &v,
			  sizeof(v), UNDO_FAULTS);
		RSV1(&c, "fault_add", c.disk, VBS_IOC_FAULT_ADD, v,
		     struct vbs_fault_rule, reserved0, UNDO_FAULTS);
		RSV(&c, "fault_add", c.disk, VBS_IOC_FAULT_ADD, v,
		    struct vbs_fault_rule, reserved, UNDO_FAULTS);
		if (ioctl(c.disk, VBS_IOC_FAULT_ADD, &v))
			die("VBS_IOC_FAULT_ADD");
		memset(&rule, 0xa5, sizeof(rule));
		l.rules = (uintptr_t)&rule;
		expect_errno("fault_list: call", ioctl(c.disk,
			     VBS_IOC_FAULT_LIST, &l), 0);
		OUT_ZERO("fault_list", rule, struct vbs_fault_rule, reserved0);
		OUT_ZERO("fault_list", rule, struct vbs_fault_rule, reserved);
		rsv_undo(&c, UNDO_FAULTS, NULL);
	}
	/* VBS_IOC_POWERCUT (no write cache: changes nothing). */
	{
		struct vbs_powercut v = { .size = sizeof(v) };

		rsv_valid(&c, "powercut", c.disk, VBS_IOC_POWERCUT, &v,
			  sizeof(v), UNDO_NONE);
		RSV1(&c, "powercut", c.disk, VBS_IOC_POWERCUT, v,
		     struct vbs_powercut, reserved0, UNDO_NONE);
		RSV(&c, "powercut", c.disk, VBS_IOC_POWERCUT, v,
		    struct vbs_powercut, reserved, UNDO_NONE);
	}
	close(c.disk);
	close(c.session);
	close(c.ctl);
	printf("failures=%d\n", failures);
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
	else if (!strcmp(argv[1], "race-detach-remove"))
		ret = cmd_race_detach_remove(argc - 2, argv + 2);
	else if (!strcmp(argv[1], "check-reserved"))
		ret = cmd_check_reserved(argc - 2, argv + 2);
	if (ret != 2)
		return ret;
usage:
	fprintf(stderr, "usage: vbs-modeltool add|serve|hold|errors|answers|race-detach-remove|check-reserved ... (see the source)\n");
	return 2;
}
