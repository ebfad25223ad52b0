/* SPDX-License-Identifier: GPL-2.0 */
/*
 * virtblkiosim - internal header shared by the module's files.
 *
 * Who owns what part of a request's life:
 *
 *  main.c     module parameters, init and exit
 *  dev.c      a disk's life: creation, lookup, open, removal, release
 *  queue.c    the blk-mq operations: a request enters and is executed
 *  complete.c the end of a request: counting it, ending it now or later;
 *             the statistics
 *  store.c    the sparse page store that holds the disk's data
 *  cache.c    the volatile write cache in front of the store
 *  sim.c      the simulation engine: service time, parameters, seed
 *  fault.c    fault rules: which requests fail, hang or lie
 *  model.c    the userland-model protocol: a program maps every request
 *  ioctl.c    ioctls on /dev/virtblkiosimN, including block I/O via ioctl
 *  control.c  /dev/virtblkiosim-control: add, remove and list disks
 *  sysfs.c    /sys/block/virtblkiosimN/virtblkiosim/ attributes
 *  compat.h   every difference between the kernel versions we support
 */
#ifndef VBS_H
#define VBS_H

#include <linux/atomic.h>
#include <linux/bits.h>
#include <linux/blk-mq.h>
#include <linux/blkdev.h>
#include <linux/hrtimer.h>
#include <linux/list.h>
#include <linux/llist.h>
#include <linux/lockdep.h>
#include <linux/math64.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>

#include <linux/virtblkiosim.h>

/*
 * 64-bit kernels only: page indices are unsigned long, and the per-CPU
 * statistics are u64 counters read without a seqcount (queue.c), which is
 * only free of torn reads where a u64 is one machine word. Every machine
 * worth simulating storage on runs a 64-bit kernel; a 32-bit build would
 * need u64_stats_sync and 64-bit indices throughout.
 */
#ifndef CONFIG_64BIT
#error "virtblkiosim needs a 64-bit kernel (CONFIG_64BIT)"
#endif

/* Most disks that can exist at once (index 0 .. VBS_MAX_DEVICES - 1). */
#define VBS_MAX_DEVICES		1024

/* Sectors of 512 bytes in one page of the store, and its log2. */
#define VBS_PAGE_SECTORS_SHIFT	(PAGE_SHIFT - SECTOR_SHIFT)
#define VBS_PAGE_SECTORS	BIT(VBS_PAGE_SECTORS_SHIFT)

/* Most physical pages a model disk's store may have (2^38: 1 PiB). */
#define VBS_MAX_MODEL_PAGES	BIT_ULL(38)

/* Most requests in flight per hardware queue (queue_depth). */
#define VBS_MAX_QUEUE_DEPTH	4096U

/* How a block device was opened, as vbs_ioctl() is told. */
#define VBS_ACCESS_READ		BIT(0)
#define VBS_ACCESS_WRITE	BIT(1)

/* Largest request the disk accepts, in 512-byte sectors (1 MiB). */
#define VBS_MAX_HW_SECTORS	2048U

/*
 * What identifies an ioctl command: its type, number and direction. The
 * size bits of an ioctl number are sizeof() of the structure in the
 * caller's header; structures grow between versions and carry that size
 * in their first field too, which settles what is copied (see
 * vbs_copy_struct_in()). Ignoring those bits in the dispatch lets a
 * program built against a later header, whose numbers have grown, still
 * reach the command.
 */
#define VBS_IOC_ID(cmd)	((cmd) & ~(_IOC_SIZEMASK << _IOC_SIZESHIFT))

/**
 * struct vbs_store - the sparse store that holds one disk's durable data
 * @pages: page index (sector >> VBS_PAGE_SECTORS_SHIFT) -> struct page.
 *	An absent index reads as zeros. Readers look up under RCU without
 *	taking a lock; inserts and erases take the xarray's internal lock.
 *	Erased pages are freed after an RCU grace period, so a reader that
 *	found a page can keep copying from it until rcu_read_unlock().
 * @nr_pages: pages of memory holding the disk's data: those in @pages
 *	plus those in the write cache (&vbs_cache.pages). Atomic, no lock.
 */
struct vbs_store {
	struct xarray pages;
	atomic_long_t nr_pages;
};

/* Stripes of the write cache's page locks: page index modulo this. */
#define VBS_CACHE_LOCKS		64

/**
 * struct vbs_cache - the volatile write cache in front of the store
 * @on: the disk has a volatile write cache (VBS_CFG_WRITE_CACHE). Fixed
 *	when the disk is created; when false nothing else here is used.
 * @pages: page index -> struct page holding the page's newest contents
 *	when they are not durable yet. Looked up under RCU like
 *	&vbs_store.pages; changed only under the page's stripe lock.
 * @nr_pages: pages in @pages (atomic, no lock).
 * @locks: @locks[idx % VBS_CACHE_LOCKS] serialises every change of page
 *	idx in @pages and in the store (copy-on-write, write-through,
 *	flush, discard, power cut), so a page's two copies never disagree.
 *	Mutexes: every holder runs in process context and may allocate.
 */
struct vbs_cache {
	bool on;
	struct xarray pages;
	atomic_long_t nr_pages;
	struct mutex locks[VBS_CACHE_LOCKS];	/* per page stripe */
};

/**
 * struct vbs_sim - the simulation engine's state of one disk (sim.c)
 * @active: the engine has something to do: some setting in @params or a
 *	fault rule. Read without the lock by every request (READ_ONCE), so
 *	that a disk with default settings pays one branch; written under
 *	@lock.
 * @dying: the disk is being removed; the engine stays off (under @lock).
 * @configured: @params holds a setting that acts on requests (latency,
 *	bandwidth, IOPS or units; not the seed or the timeout). Under @lock.
 * @lock: protects everything below except @mutex and the atomics. Taken
 *	by ->queue_rq (process context) and the ioctls, never from the
 *	completion timer, so a plain spin_lock() is enough.
 * @mutex: serialises the ioctls that change the engine (VBS_IOC_SET_SIM,
 *	VBS_IOC_FAULT_*), so they may allocate before taking @lock.
 * @params: the settings in force, as VBS_IOC_SET_SIM stored them.
 * @rng: state of the disk's random generator (splitmix64), started from
 *	@params.seed by every VBS_IOC_SET_SIM.
 * @units: a min-heap of @nr_units times (ns, CLOCK_MONOTONIC) at which
 *	each parallel unit becomes free; @units[0] frees first. NULL when
 *	the number of units is unlimited.
 * @nr_units: entries in @units (@params.channels).
 * @bw_free: per direction (VBS_SIM_READ, VBS_SIM_WRITE), ns at which the
 *	"bus" has moved every byte reserved so far.
 * @iops_next: per direction, ns before which no further request of that
 *	direction may complete.
 * @rules: the fault rules (struct vbs_fault in fault.c), in the order
 *	they are tried. Changed under @mutex and @lock, read under @lock.
 * @nr_rules: entries in @rules.
 * @next_rule_id: id of the next rule added (never 0).
 * @in_flight: requests started with the engine active and not completed
 *	(atomic: the completion timer decrements it).
 * @peak_in_flight: highest @in_flight seen since the last statistics
 *	reset (atomic).
 */
struct vbs_sim {
	bool active;
	bool dying;
	bool configured;
	spinlock_t lock;		/* see kernel-doc */
	struct mutex mutex;		/* serialises engine ioctls */
	struct vbs_sim_params params;
	u64 rng;
	u64 *units;
	unsigned int nr_units;
	u64 bw_free[2];
	u64 iops_next[2];
	struct list_head rules;
	unsigned int nr_rules;
	u32 next_rule_id;
	atomic_t in_flight;
	atomic_t peak_in_flight;
};

struct vbs_model_session;

/**
 * struct vbs_model - the userland-model side of one disk (model.c)
 * @on: the disk is a model disk (VBS_CFG_MODEL); fixed at creation.
 * @recover: with no session attached, requests wait for the next model
 *	instead of failing (the last session asked for VBS_MODEL_RECOVER).
 * @dying: the disk is being removed: requests fail, no session attaches.
 * @lock: protects everything below except the atomics; taken by
 *	->queue_rq, the model's ioctls and the timeout handler, all in
 *	process context.
 * @wq: sessions waiting in VBS_CTL_MODEL_EXCHANGE for a request.
 * @pending: requests no session has fetched yet (&vbs_cmd.model_node),
 *	oldest first.
 * @nr_pending: entries of @pending.
 * @slots: one per tag of every hardware queue (hardware queue * @depth +
 *	tag): the request in that slot while the model side holds it, NULL
 *	otherwise. Emptying a slot under @lock is what gives the right to
 *	complete its request.
 * @nr_slots: entries of @slots.
 * @depth: tags per hardware queue.
 * @gen: the generation of the last id given out (never 0).
 * @sessions: sessions attached.
 * @next_session: number of the last session attached.
 * @logical_pages: pages of the disk's logical capacity.
 * @physical_pages: pages of the physical store (&vbs_dev_config.model_pages).
 * @rejected: answers refused since the disk was created.
 */
struct vbs_model {
	bool on;
	bool recover;
	bool dying;
	spinlock_t lock;		/* see kernel-doc */
	wait_queue_head_t wq;
	struct list_head pending;
	unsigned int nr_pending;
	struct request **slots;
	unsigned int nr_slots;
	unsigned int depth;
	u32 gen;
	unsigned int sessions;
	u32 next_session;
	u64 logical_pages;
	u64 physical_pages;
	atomic_long_t rejected;
};

/**
 * struct vbs_pcpu_stats - one CPU's share of a disk's counters
 * @ops: per VBS_OP_* counters, only ever added to (by this CPU).
 * @faults: per VBS_OP_*, requests a fault rule fired on.
 * @lat_sum_ns: per VBS_OP_*, sum of the latencies in @lat_hist, in ns.
 * @lat_hist: per VBS_OP_*, latency histogram (VBS_LAT_BUCKETS).
 * @started: requests handed to the driver on this CPU.
 * @completed: requests completed on this CPU.
 * @batched: requests handed over in a batch (->queue_rqs).
 * @polled: requests a poll queue's ->poll ended.
 * @deferred: requests ->queue_rq left to a work item (vbs_defer()).
 *
 * Each CPU adds to its own copy without a lock or atomic instruction; a
 * reader sums all copies. "Reset" does not write here: it saves the sums
 * in &vbs_dev.stats_base and later reports the difference. The completion
 * timer adds from hard-irq context: this_cpu_add() is safe against an
 * interrupt on the same CPU.
 */
struct vbs_pcpu_stats {
	struct vbs_op_stats ops[VBS_OP_NR];
	u64 faults[VBS_OP_NR];
	u64 lat_sum_ns[VBS_OP_NR];
	u64 lat_hist[VBS_OP_NR][VBS_LAT_BUCKETS];
	u64 started;
	u64 completed;
	u64 batched;
	u64 polled;
	u64 deferred;
};

/**
 * struct vbs_hwq - the driver's state of one hardware queue
 * @dev: the disk.
 * @poll_done: on a poll queue, requests executed and waiting for the
 *	queue's ->poll to end them.
 * @deferred: requests ->queue_rq could not execute without sleeping,
 *	waiting for @work.
 * @work: executes @deferred on vbs_wq, where sleeping is allowed.
 *
 * Both lists are lock-free (llist): adding is one atomic exchange, and
 * their consumer takes a whole list at once.
 */
struct vbs_hwq {
	struct vbs_dev *dev;
	struct llist_head poll_done;
	struct llist_head deferred;
	struct work_struct work;
};

/**
 * struct vbs_dev - one simulated disk
 * @index: N of /dev/virtblkiosimN; key in the device table.
 * @cfg: the configuration in force, every default resolved. Read-only
 *	after creation.
 * @lbs_shift: log2(@cfg.logical_block_size) - 9: shift from logical blocks
 *	to 512-byte sectors.
 * @tag_set: blk-mq tag set (hardware queues, depth, per-request data).
 * @disk: the gendisk; its queue's queuedata points back here.
 * @store: the data.
 * @cache: the volatile write cache in front of @store.
 * @sim: the simulation engine.
 * @model: the userland model, on a VBS_CFG_MODEL disk.
 * @stats: per-CPU counters.
 * @hwqs: one per hardware queue, poll queues included (vbs_nr_queues());
 *	each queue's hctx->driver_data points to its own.
 * @stats_lock: serialises reset against readers of @stats_base.
 * @stats_base: the counters' sums at the last reset, in the layout
 *	VBS_IOC_GET_STATS reports them (protected by @stats_lock).
 * @stats_since: ktime_get_ns() of the last reset (protected by @stats_lock).
 * @lock: protects @open_count and @removing.
 * @open_count: opens of the disk or its partitions that are not released.
 * @removing: set once removal has started: new opens fail with -ENXIO.
 */
struct vbs_dev {
	u32 index;
	struct vbs_dev_config cfg;
	unsigned int lbs_shift;
	struct blk_mq_tag_set tag_set;
	struct gendisk *disk;
	struct vbs_store store;
	struct vbs_cache cache;
	struct vbs_sim sim;
	struct vbs_model model;
	struct vbs_pcpu_stats __percpu *stats;
	struct vbs_hwq *hwqs;
	struct mutex stats_lock;	/* guards stats_base, stats_since */
	struct vbs_stats stats_base;
	u64 stats_since;
	spinlock_t lock;		/* guards open_count, removing */
	unsigned int open_count;
	bool removing;
};

/*
 * States of &vbs_cmd.state, for a request the engine completes later. Who
 * moves the request out of WAITING (the timer, the timeout handler or
 * removal) is the one that ends it; ARMING and FIRED cover the moment
 * while ->queue_rq is starting the timer, which may already expire.
 */
#define VBS_CMD_IDLE		0 /* not waiting for a timer */
#define VBS_CMD_ARMING		1 /* ->queue_rq is starting the timer */
#define VBS_CMD_WAITING		2 /* timer running, or hung by a fault */
#define VBS_CMD_FIRED		3 /* timer expired while ARMING */

/**
 * struct vbs_cmd - driver data carried by every request (blk-mq "pdu")
 * @pt_sector: for a passthrough request (REQ_OP_DRV_IN/OUT, built by the
 *	block I/O ioctl), the first 512-byte sector; such requests carry no
 *	position of their own.
 * @pt_fua: the passthrough write asked for FUA.
 * @effect: the VBS_FAULT_* a fault rule chose, 0 for none.
 * @status: the status the request completes with.
 * @state: VBS_CMD_* (atomic: the timer, the timeout handler and removal
 *	race for it).
 * @corrupt_salt: VBS_FAULT_CORRUPT: picks the byte inverted per block.
 * @corrupt_start: VBS_FAULT_CORRUPT: first sector whose data is damaged.
 * @corrupt_end: VBS_FAULT_CORRUPT: sector after the last one damaged.
 * @start_ns: ktime_get_ns() when the request was started.
 * @done_ns: ktime_get_ns() time at which the request completes.
 * @early_ns: how long before @done_ns the request is ended, to make up
 *	for the host's cost of delivering the completion (vbs_sim_early()).
 * @poll_node: on a poll queue, links the executed request into the
 *	queue's list of requests its submitter's poll will end.
 * @defer_node: links a request ->queue_rq deferred into its queue's
 *	&vbs_hwq.deferred.
 * @op: the request's vbs_op_index(), worked out once in ->queue_rq.
 * @defer_sim: a deferred request had its plan from the engine already
 *	(vbs_queue_sim()): the work item only moves its data and completes it.
 * @timer: completes the request at @done_ns; set up once per request in
 *	->init_request.
 * @model_node: on a model disk, links the request into the pending list
 *	(or a list of requests being failed).
 * @model_owner: the session that fetched the request, NULL while pending.
 * @model_id: the id the model knows the request by (generation, slot).
 * @model_slot: index of the request in &vbs_model.slots.
 * @model_op: VBS_OP_* of the request.
 * @model_flags: VBS_MODEL_REQ_* flags.
 * @model_sector: first 512-byte sector.
 * @model_nr_sectors: 512-byte sectors covered.
 * @model_first_page: first logical page touched.
 * @model_pages: logical pages touched.
 *
 * blk-mq allocates one of these behind each struct request when the tag
 * set is created (tag_set.cmd_size), so the I/O path never allocates.
 * Only @pt_* are set by the submitter; the rest belongs to queue.c and the
 * engine and is set again for every request that takes the engine's path
 * (requests completed inline never look at it).
 */
struct vbs_cmd {
	sector_t pt_sector;
	bool pt_fua;
	u8 effect;
	blk_status_t status;
	atomic_t state;
	u32 corrupt_salt;
	sector_t corrupt_start;
	sector_t corrupt_end;
	u64 start_ns;
	u64 done_ns;
	u32 early_ns;
	struct llist_node poll_node;
	struct llist_node defer_node;
	s8 op;
	bool defer_sim;
	struct hrtimer timer;
	struct list_head model_node;
	struct vbs_model_session *model_owner;
	u64 model_id;
	u32 model_slot;
	u32 model_op;
	u32 model_flags;
	u32 model_nr_sectors;
	sector_t model_sector;
	u64 model_first_page;
	u32 model_pages;
};

/* dev.c */
int vbs_devs_init(const struct vbs_dev_config *defaults);
void vbs_devs_exit(void);
struct vbs_dev *vbs_dev_prepare(const struct vbs_dev_config *cfg, u32 index);
int vbs_dev_publish(struct vbs_dev *dev);
void vbs_dev_unprepare(struct vbs_dev *dev);
int vbs_dev_create(const struct vbs_dev_config *cfg, u32 index, u32 *created);
int vbs_dev_remove(u32 index);
void vbs_dev_remove_all(void);
void vbs_dev_list(u32 *indices, u32 capacity, u32 *count);
u32 vbs_dev_count(void);
struct vbs_dev *vbs_dev_get(u32 index);

/* queue.c */
extern const struct blk_mq_ops vbs_mq_ops;
extern struct workqueue_struct *vbs_wq;
void vbs_deferred_work(struct work_struct *work);

/* complete.c */
void vbs_stats_read(struct vbs_dev *dev, struct vbs_stats *out);
void vbs_stats_reset(struct vbs_dev *dev);
void vbs_complete_all(struct vbs_dev *dev);
sector_t vbs_request_sector(struct request *rq);
bool vbs_request_fua(struct request *rq);
void vbs_complete(struct vbs_dev *dev, struct request *rq);
void vbs_complete_rq(struct request *rq);
void vbs_complete_late(struct vbs_dev *dev, struct request *rq);
int vbs_poll_end(struct vbs_dev *dev, struct blk_mq_hw_ctx *hctx,
		 struct io_comp_batch *iob, const struct request *watch,
		 bool *seen);
void vbs_complete_at(struct vbs_dev *dev, struct request *rq);
void vbs_cmd_init(struct vbs_cmd *cmd);

/**
 * struct vbs_range - a byte range of the disk cut at page boundaries
 * @head_idx: page index of the partial page at the start.
 * @head_offset: first byte of the range inside that page.
 * @head_len: bytes of the range inside that page; 0: no partial start.
 * @tail_idx: page index of the partial page at the end.
 * @tail_len: bytes of the range inside that page, from its first byte;
 *	0: no partial end.
 * @first: first whole page.
 * @last: last whole page; @first > @last when there is none.
 */
struct vbs_range {
	unsigned long head_idx;
	unsigned int head_offset;
	unsigned int head_len;
	unsigned long tail_idx;
	unsigned int tail_len;
	unsigned long first;
	unsigned long last;
};

/* store.c */
void vbs_store_init(struct vbs_store *store);
void vbs_store_destroy(struct vbs_store *store);
blk_status_t vbs_store_read(struct vbs_store *store, void *dst,
			    sector_t sector, unsigned int len);
blk_status_t vbs_store_write(struct vbs_store *store, const void *src,
			     sector_t sector, unsigned int len, gfp_t gfp);
void vbs_store_zero(struct vbs_store *store, sector_t sector, u64 len);
struct page *vbs_store_page_alloc(void);
void vbs_store_page_release(struct vbs_store *store, struct page *page);
int vbs_store_page_replace(struct vbs_store *store, unsigned long idx,
			   struct page *page);
void vbs_store_page_erase(struct vbs_store *store, unsigned long idx);
void vbs_store_zero_partial(struct vbs_store *store, unsigned long idx,
			    unsigned int offset, unsigned int len);
unsigned int vbs_store_chunk(sector_t sector, u64 len, unsigned int *offset);
void vbs_range_split(sector_t sector, u64 len, struct vbs_range *r);
int vbs_store_page_copy(struct vbs_store *store, unsigned long src,
			unsigned long dst);

/* cache.c */
void vbs_cache_init(struct vbs_cache *cache, bool on);
void vbs_cache_destroy(struct vbs_cache *cache, struct vbs_store *store);
blk_status_t vbs_cache_read(struct vbs_dev *dev, void *dst, sector_t sector,
			    unsigned int len);
blk_status_t vbs_cache_write(struct vbs_dev *dev, const void *src,
			     sector_t sector, unsigned int len, bool fua);
void vbs_cache_zero(struct vbs_dev *dev, sector_t sector, u64 len);
blk_status_t vbs_cache_flush(struct vbs_dev *dev);
void vbs_cache_powercut(struct vbs_dev *dev, u32 keep_ppm, u64 seed,
			u64 *dropped, u64 *kept);

/* sim.c */
void vbs_sim_init(struct vbs_sim *sim);
void vbs_sim_destroy(struct vbs_sim *sim);
void vbs_sim_stop(struct vbs_dev *dev);
void vbs_sim_plan(struct vbs_dev *dev, int op, sector_t sector, u32 bytes,
		  struct vbs_cmd *cmd);
void vbs_sim_get(struct vbs_dev *dev, struct vbs_sim_params *p);
int vbs_sim_set(struct vbs_dev *dev, const struct vbs_sim_params *p);
void vbs_sim_count_start(struct vbs_sim *sim);
u32 vbs_sim_early(u64 delivery_ns, const struct vbs_cmd *cmd);

/* fault.c */
int vbs_fault_add(struct vbs_dev *dev, struct vbs_fault_rule *rule);
int vbs_fault_list(struct vbs_dev *dev, struct vbs_fault_rule *rules,
		   u32 capacity, u32 *count);
int vbs_fault_clear(struct vbs_dev *dev, u32 id);
void vbs_fault_destroy(struct vbs_sim *sim);
void vbs_fault_check(struct vbs_dev *dev, int op, sector_t sector,
		     u32 bytes, struct vbs_cmd *cmd);
void vbs_fault_corrupt(struct request *rq, sector_t sector,
		       const struct vbs_cmd *cmd);

/* model.c */
int vbs_model_init(struct vbs_dev *dev);
void vbs_model_destroy(struct vbs_dev *dev);
void vbs_model_queue(struct vbs_dev *dev, struct blk_mq_hw_ctx *hctx,
		     struct request *rq, int op);
bool vbs_model_timeout(struct vbs_dev *dev, struct request *rq);
void vbs_model_stop(struct vbs_dev *dev);
bool vbs_model_begin_removal(struct vbs_dev *dev);
int vbs_model_attach(struct file *file, struct vbs_dev *dev,
		     struct vbs_model_attach *a, void __user *uarg);
long vbs_model_ioctl(struct file *file, unsigned int cmd, void __user *uarg);
void vbs_model_release(struct file *file);

/* ioctl.c */
int vbs_ioctl(struct vbs_dev *dev, struct block_device *bdev,
	      unsigned int access, unsigned int cmd, unsigned long arg);
u64 vbs_features(void);
int vbs_copy_struct_in(void *dst, size_t ksize, size_t min_size,
		       void __user *src);
int vbs_copy_struct_out(void __user *dst, void *src, size_t ksize);

/* control.c */
int vbs_control_init(void);
void vbs_control_exit(void);

/* sysfs.c */
extern const struct attribute_group *vbs_disk_groups[];

/**
 * vbs_rand_next() - next value of a splitmix64 sequence
 * @state: the generator's state, advanced.
 *
 * splitmix64 (Steele, Lea, Flood, "Fast splittable pseudorandom number
 * generators", 2014): a Weyl sequence scrambled by two multiply-xorshift
 * rounds. Small, fast, and good enough for simulation; not for secrets.
 *
 * Return: 64 random bits.
 */
static inline u64 vbs_rand_next(u64 *state)
{
	u64 z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/**
 * vbs_rand_ppm() - map random bits onto parts per million
 * @r: 64 random bits.
 *
 * Multiply-and-shift instead of a modulo: no division, and each value in
 * [0, 10^6) is hit by the same number of 32-bit inputs, give or take one.
 *
 * Return: a value in [0, 1000000); "x < ppm" has probability ppm / 10^6.
 */
static inline u32 vbs_rand_ppm(u64 r)
{
	return mul_u32_u32(r >> 32, 1000000) >> 32;
}

/**
 * vbs_sim_rand() - next value of the disk's random sequence
 * @sim: the engine.
 *
 * Context: @sim->lock held.
 * Return: 64 random bits.
 */
static inline u64 vbs_sim_rand(struct vbs_sim *sim)
	__must_hold(&sim->lock)
{
	lockdep_assert_held(&sim->lock);
	return vbs_rand_next(&sim->rng);
}

/**
 * vbs_sim_update_active() - recompute whether requests take the engine
 * @sim: the engine.
 *
 * Called whenever the settings (VBS_IOC_SET_SIM, which sets
 * &vbs_sim.configured) or the fault rules change.
 *
 * Context: @sim->lock held.
 */
static inline void vbs_sim_update_active(struct vbs_sim *sim)
	__must_hold(&sim->lock)
{
	lockdep_assert_held(&sim->lock);
	WRITE_ONCE(sim->active, !sim->dying &&
		   (sim->nr_rules || sim->configured));
}

/**
 * vbs_dev_put() - drop a reference taken by vbs_dev_get()
 * @dev: the disk.
 *
 * The reference is the gendisk's own: dropping the last one frees the disk
 * (->free_disk, dev.c), whoever drops it.
 *
 * Context: process context, may sleep.
 */
static inline void vbs_dev_put(struct vbs_dev *dev)
{
	put_disk(dev->disk);
}

/**
 * vbs_op_index() - which statistics slot a request belongs to
 * @rq: the request.
 *
 * Return: a VBS_OP_* index, or -1 for an operation the disk does not do.
 */
static inline int vbs_op_index(struct request *rq)
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
 * vbs_nr_queues() - hardware queues of a disk, poll queues included
 * @cfg: a resolved configuration.
 *
 * Return: @cfg->nr_hw_queues + @cfg->nr_poll_queues.
 */
static inline unsigned int vbs_nr_queues(const struct vbs_dev_config *cfg)
{
	return cfg->nr_hw_queues + cfg->nr_poll_queues;
}

/**
 * vbs_poll_list() - the list of finished requests of a poll queue
 * @hctx: a hardware queue of type HCTX_TYPE_POLL.
 *
 * Return: the queue's list (its &vbs_hwq, vbs_init_hctx()).
 */
static inline struct llist_head *vbs_poll_list(struct blk_mq_hw_ctx *hctx)
{
	return &((struct vbs_hwq *)hctx->driver_data)->poll_done;
}

/**
 * vbs_account() - add a finished request to this CPU's statistics
 * @dev: the disk.
 * @rq: the request.
 * @op: its vbs_op_index(), which the caller already has.
 * @status: how it completed.
 *
 * this_cpu_add() is one instruction on x86 and needs no lock: each CPU
 * only ever writes its own counters. Inline: every request of the fast
 * path (queue.c) and of the engine's and the model's (complete.c) calls it.
 */
static inline void vbs_account(struct vbs_dev *dev, struct request *rq,
			       int op, blk_status_t status)
{
	struct vbs_pcpu_stats __percpu *s = dev->stats;

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

/*
 * 0 in a module built with `make VBS_NO_ENGINE=1` (Kbuild): the engine and
 * model tests of the request path fold away at compile time.
 */
#ifdef VBS_NO_ENGINE
#define VBS_ENGINE	0
#else
#define VBS_ENGINE	1
#endif

/**
 * vbs_sim_active() - whether requests must take the simulation engine's path
 * @dev: the disk.
 *
 * The one test a request pays when the engine is off. A request that
 * races with VBS_IOC_SET_SIM sees the old or the new value; either way it
 * is handled consistently.
 *
 * A module built with ``make VBS_NO_ENGINE=1`` (a benchmark's baseline
 * only: `make bench` measures what the engine costs while off) has the
 * test folded away at compile time, and the engine is never entered.
 *
 * Return: true when the engine has settings or fault rules.
 */
static inline bool vbs_sim_active(struct vbs_dev *dev)
{
	if (!VBS_ENGINE)
		return false;
	return READ_ONCE(dev->sim.active);
}

/**
 * vbs_media_read() - read the disk's current contents
 * @dev: the disk.
 * @dst: kernel buffer of @len bytes.
 * @sector: first 512-byte sector.
 * @len: bytes, a multiple of 512, inside one segment.
 *
 * Without a write cache the store is all there is; the cache's lookups
 * are skipped at the cost of one branch.
 *
 * Return: BLK_STS_OK.
 */
static inline blk_status_t vbs_media_read(struct vbs_dev *dev, void *dst,
					  sector_t sector, unsigned int len)
{
	if (!dev->cache.on)
		return vbs_store_read(&dev->store, dst, sector, len);
	return vbs_cache_read(dev, dst, sector, len);
}

/**
 * vbs_media_write() - write to the disk, through its cache if it has one
 * @dev: the disk.
 * @src: kernel buffer of @len bytes.
 * @sector: first 512-byte sector.
 * @len: bytes, a multiple of 512.
 * @fua: the write must be durable when it completes (REQ_FUA).
 * @gfp: how the store may allocate (GFP_NOWAIT from ->queue_rq, GFP_NOIO
 *	where sleeping is allowed); the write cache always sleeps.
 *
 * Context: process context; may sleep unless @gfp forbids it and the disk
 * has no write cache.
 * Return: BLK_STS_OK or BLK_STS_RESOURCE.
 */
static inline blk_status_t vbs_media_write(struct vbs_dev *dev,
					   const void *src, sector_t sector,
					   unsigned int len, bool fua, gfp_t gfp)
{
	if (!dev->cache.on)
		return vbs_store_write(&dev->store, src, sector, len, gfp);
	return vbs_cache_write(dev, src, sector, len, fua);
}

/**
 * vbs_media_zero() - make a range read as zeros (discard, write-zeroes)
 * @dev: the disk.
 * @sector: first 512-byte sector.
 * @len: bytes, a multiple of 512.
 *
 * Context: process context, may sleep.
 */
static inline void vbs_media_zero(struct vbs_dev *dev, sector_t sector,
				  u64 len)
{
	if (!dev->cache.on)
		vbs_store_zero(&dev->store, sector, len);
	else
		vbs_cache_zero(dev, sector, len);
}

/**
 * vbs_bytes_to_pages() - pages needed to hold @bytes
 * @bytes: a byte count.
 *
 * Return: @bytes rounded up to whole pages.
 */
static inline u64 vbs_bytes_to_pages(u64 bytes)
{
	return (bytes + PAGE_SIZE - 1) >> PAGE_SHIFT;
}

#endif /* VBS_H */
