// A page-mapped flash translation layer (FTL): the "ftl" model.
//
// A NAND SSD cannot overwrite a page in place: a page is programmed once,
// and only a whole block of pages can be erased. So the drive keeps a map
// from each logical page (what the host addresses) to the physical page
// that holds its current contents, writes every new version of a logical
// page to a fresh physical page, and marks the old one invalid. When free
// blocks run low, garbage collection (GC) picks a victim block, copies its
// still-valid pages elsewhere and erases it. Those copies are the drive's
// write amplification; the erases are its wear; the time they take shows
// up as latency spikes of the writes that had to wait for them.
//
// Two layers:
//
//  * Ftl, the engine: geometry, maps, allocation, GC and NAND timing. It
//    knows nothing of the kernel or of requests; the unit tests drive it
//    page by page (tests/unit/ftl_*_test.cpp).
//  * FtlModel, the model::Model adapter that `vbsim model run ftl DEV`
//    runs: it turns each request into page operations on the engine and
//    the engine's GC copies and erases into model::PageOps.
//
// For the vbsim command: fill an FtlConfig (set_ftl_option() accepts the
// `key=value` spellings listed at FtlConfig, parse_ftl_options() a list of
// them), check it early with validate_ftl_config() so a typo fails before
// any disk is touched, then construct FtlModel(config). FtlModel::start()
// throws std::invalid_argument when the geometry does not fit the disk.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "vbsim/model.hpp"

namespace vbsim::ftl {

using model::kNoPage;

/// How GC picks the block to reclaim.
enum class GcPolicy {
	/// The block with the fewest valid pages: the fewest copies now.
	greedy,
	/// The block with the highest (1 - u) / (2u) * age, u its valid
	/// fraction and age the time since it was last written (Rosenblum and
	/// Ousterhout's LFS cleaner, Kawaguchi et al.'s flash variant): an old
	/// block whose remaining data has stayed put is likely cold and
	/// worth compacting even if it is fuller than the emptiest one.
	cost_benefit,
};

/// Everything an FTL can be told. Every field has a usable default; the
/// `key=value` spelling set_ftl_option() accepts is given per field.
struct FtlConfig {
	std::uint32_t channels = 2;         ///< channels=N, 1..256
	std::uint32_t luns_per_channel = 2; ///< luns=N, 1..256 (dies per channel)
	std::uint32_t pages_per_block = 64; ///< pages-per-block=N, 2..65536
	/// blocks-per-lun=N, 0..1048576; 0 = as many as the physical pages allow.
	std::uint32_t blocks_per_lun = 0;
	/// op=10% or op=0.1: over-provisioning, physical / logical - 1. When
	/// set, the FTL uses only logical * (1 + op) of the disk's physical
	/// pages (which must have at least that many); unset = all of them,
	/// so the disk's model_pages decides. Not together with blocks_per_lun.
	std::optional<double> op;
	GcPolicy gc = GcPolicy::greedy; ///< gc=greedy|cost-benefit
	/// gc-low=N: GC starts when a LUN has fewer than N free blocks (1..1024).
	std::uint32_t gc_low = 2;
	/// gc-high=N: and reclaims blocks until it has N (gc_low..1024).
	std::uint32_t gc_high = 4;
	/// gc-stream=separate|shared: GC copies into a block of its own per
	/// LUN (separate), apart from new host data, or into the host's open
	/// block (shared). Data GC moves has survived a while, so it is likely
	/// colder than new writes; keeping the two apart lets cold blocks stay
	/// full and hot blocks empty out, which is what cost-benefit needs to
	/// beat greedy. Separate costs one more spare block per LUN and needs
	/// gc-low >= 2 (GC must find a free block for its own stream).
	bool gc_separate = true;
	// Latencies: set_ftl_option() wants a unit ("200us"; a bare number
	// other than 0 is refused) and the range given.
	std::chrono::nanoseconds read_lat{40'000};       ///< read-lat=40us (NAND page read), 0..100ms
	std::chrono::nanoseconds prog_lat{200'000};      ///< prog-lat=200us (page program), 0..100ms
	std::chrono::nanoseconds erase_lat{2'000'000};   ///< erase-lat=2ms (block erase), 0..1s
	std::chrono::nanoseconds xfer_lat{0};            ///< xfer-lat=0: one page over the channel, 0..100ms
	std::chrono::nanoseconds flush_lat{10'000};      ///< flush-lat=10us: a flush's reply time, 0..1s
};

/// Sets one option from its command-line spelling: @p key as listed at
/// FtlConfig (with or without a leading "--"; '_' and '-' alike), @p value
/// its text. Throws std::invalid_argument naming the option and what it
/// accepts.
void set_ftl_option(FtlConfig& config, std::string_view key, std::string_view value);

/// A config from `key=value` strings (e.g. {"channels=8", "gc=greedy"}),
/// applied in order over the defaults, then validated.
[[nodiscard]] FtlConfig parse_ftl_options(std::span<const std::string> options);

/// Checks what can be checked without the disk: ranges, gc_low <= gc_high,
/// positive latencies where zero makes no sense, op vs blocks_per_lun.
/// Throws std::invalid_argument with the offending option in the message.
void validate_ftl_config(const FtlConfig& config);

/// The geometry an FTL settles on for one disk.
struct FtlLayout {
	std::uint32_t channels = 0;
	std::uint32_t luns_per_channel = 0;
	std::uint32_t blocks_per_lun = 0;
	std::uint32_t pages_per_block = 0;
	std::uint64_t logical_pages = 0;
	std::uint64_t physical_pages = 0; ///< pages the FTL uses, <= the store's

	[[nodiscard]] std::uint32_t luns() const { return channels * luns_per_channel; }
	[[nodiscard]] std::uint64_t blocks() const { return std::uint64_t{luns()} * blocks_per_lun; }
	/// physical / logical - 1.
	[[nodiscard]] double over_provisioning() const
	{
		return static_cast<double>(physical_pages) / static_cast<double>(logical_pages) - 1.0;
	}
};

/// Fits @p config onto a disk of @p logical_pages host pages and
/// @p store_pages physical pages. Throws std::invalid_argument (what is
/// wrong and what to change) when the geometry needs more pages than the
/// store has, or leaves a LUN fewer spare blocks than GC needs
/// (gc_low plus the open blocks: 1, or 2 with gc_separate).
[[nodiscard]] FtlLayout plan_ftl_layout(const FtlConfig& config, std::uint64_t logical_pages,
					std::uint64_t store_pages);

/// Where an engine's GC sends its physical page operations, in order.
class FtlPageSink {
public:
	virtual ~FtlPageSink() = default;
	/// Physical page @p dst gets the contents of @p src.
	virtual void copy(std::uint64_t src, std::uint64_t dst) = 0;
	/// Physical page @p ppn was erased: its contents are gone.
	virtual void trim(std::uint64_t ppn) = 0;

protected:
	FtlPageSink() = default;
	FtlPageSink(const FtlPageSink&) = default;
	FtlPageSink& operator=(const FtlPageSink&) = default;
};

/// Counters of one engine since it was built.
struct FtlStats {
	std::uint64_t host_pages_written = 0; ///< pages programmed for the host
	std::uint64_t host_pages_read = 0;    ///< mapped pages read (unmapped read free)
	std::uint64_t host_pages_trimmed = 0; ///< mapped pages discarded
	std::uint64_t gc_pages_copied = 0;    ///< valid pages GC relocated
	std::uint64_t erases = 0;             ///< blocks erased
	std::uint64_t gc_invocations = 0;     ///< times a LUN's GC ran
	std::uint64_t gc_victims = 0;         ///< blocks GC reclaimed
	std::uint64_t no_space = 0;           ///< page writes no LUN had room for
	std::uint64_t free_blocks = 0;        ///< now, over all LUNs
	std::uint64_t erase_min = 0;          ///< erase count of the least worn block
	std::uint64_t erase_max = 0;          ///< and of the most worn
	double erase_mean = 0;
	/// GC victims by valid pages, in 8 buckets of pages_per_block / 8.
	std::vector<std::uint64_t> victim_valid_hist;
	double victim_valid_mean = 0; ///< valid pages per victim

	/// (host + GC writes) / host writes; 1 before any write.
	[[nodiscard]] double waf() const
	{
		if (host_pages_written == 0)
			return 1.0;
		return static_cast<double>(host_pages_written + gc_pages_copied) /
		       static_cast<double>(host_pages_written);
	}
};

/// One physical block as the engine sees it (for statistics and tests).
struct FtlBlockInfo {
	enum class State { free, open, full };
	State state = State::free;
	std::uint32_t written = 0;     ///< pages programmed since the last erase
	std::uint32_t valid = 0;       ///< of those, pages a logical page maps to
	std::uint32_t erase_count = 0;
};

/// The engine. Not thread-safe: one caller at a time.
///
/// Time: every operation takes the caller's clock @c now and answers
/// when its NAND work finishes on the same clock. Each LUN (a die: one
/// read, program or erase at a time) and each channel (one page transfer
/// at a time) keeps a busy-until time; an operation starts when its LUN
/// (and channel) is free, so concurrent requests queue behind each other
/// and behind GC.
class Ftl {
public:
	/// Throws std::invalid_argument as plan_ftl_layout() does.
	Ftl(const FtlConfig& config, std::uint64_t logical_pages, std::uint64_t store_pages);

	[[nodiscard]] const FtlLayout& layout() const { return layout_; }
	[[nodiscard]] const FtlConfig& config() const { return config_; }

	/// Starts a new host request; call it before each request's pages
	/// (pins last until the next call). GC never relocates or erases a block
	/// that the current request wrote to or reads a partial page's old
	/// contents from: the kernel carries out GC's copies before this
	/// request's answer, so such a block would lose data the answer needs.
	void begin_request();

	/// A page read. The result's @c ppn is kNoPage for an unmapped page.
	struct Read {
		std::uint64_t ppn = kNoPage;
		std::chrono::nanoseconds done{0};
	};
	[[nodiscard]] Read read(std::uint64_t lpn, std::chrono::nanoseconds now);

	/// A page write: @c ppn the new home, @c src_ppn the old one for a
	/// @p partial write (the kernel merges the rest of the page from it;
	/// kNoPage = zeros).
	struct Write {
		std::uint64_t ppn = kNoPage;
		std::uint64_t src_ppn = kNoPage;
		std::chrono::nanoseconds done{0};
	};
	/// Writes logical page @p lpn alone: write() of a one-page request.
	[[nodiscard]] std::optional<Write> write(std::uint64_t lpn, bool partial,
						 std::chrono::nanoseconds now, FtlPageSink& sink);

	/// One page of a multi-page write(): @c lpn and @c partial in,
	/// @c out filled.
	struct PageWrite {
		std::uint64_t lpn = 0;
		bool partial = false;
		Write out;
	};
	/// Writes @p pages as one request, all or nothing, running GC first
	/// wherever a LUN is short of free blocks. First every page gets its
	/// new physical page; only when each did are the logical pages moved
	/// there. False when some page found no room: then no logical page
	/// moved (GC may have relocated some, contents and all), so the map
	/// reads as before, and the pages already taken stay unused until GC
	/// erases their block. A failed request moves no data in the kernel,
	/// so remapping part of it would point pages at physical pages never
	/// filled. Cannot fail while plan_ftl_layout()'s spare-block rule
	/// holds and GC can reclaim, but a model must not crash on it.
	[[nodiscard]] bool write(std::span<PageWrite> pages, std::chrono::nanoseconds now,
				 FtlPageSink& sink);

	/// Discards logical page @p lpn: unmapped, its physical page invalid
	/// (the data stays in the store until GC erases the block).
	void trim(std::uint64_t lpn);

	/// When a flush issued at @p now completes. There is no write cache
	/// (a write completes when programmed), so this is the fixed flush_lat.
	[[nodiscard]] std::chrono::nanoseconds flush(std::chrono::nanoseconds now) const;

	/// The physical page logical page @p lpn maps to, or kNoPage.
	[[nodiscard]] std::uint64_t lookup(std::uint64_t lpn) const { return l2p_.at(lpn); }
	/// The logical page stored at physical page @p ppn, or kNoPage if the
	/// page is free or holds stale data.
	[[nodiscard]] std::uint64_t owner(std::uint64_t ppn) const { return p2l_.at(ppn); }
	[[nodiscard]] FtlBlockInfo block(std::uint64_t index) const;
	/// Free blocks of LUN @p lun (channel * luns_per_channel + lun in it).
	[[nodiscard]] std::uint64_t free_blocks(std::uint32_t lun) const;

	[[nodiscard]] FtlStats stats() const;

private:
	struct Block {
		FtlBlockInfo::State state = FtlBlockInfo::State::free;
		std::uint32_t written = 0;
		std::uint32_t valid = 0;
		std::uint32_t erase_count = 0;
		std::uint64_t pinned = 0; ///< request number that may not lose it
		std::chrono::nanoseconds last_write{0};
	};
	static constexpr std::uint64_t kNoBlock = ~std::uint64_t{0};
	struct Lun {
		std::deque<std::uint64_t> free; ///< erased blocks, oldest erase first
		std::uint64_t open = kNoBlock;    ///< block host writes fill
		std::uint64_t gc_open = kNoBlock; ///< block GC fills (gc_separate)
		std::chrono::nanoseconds busy_until{0};
	};

	[[nodiscard]] std::uint64_t block_of(std::uint64_t ppn) const { return ppn / layout_.pages_per_block; }
	[[nodiscard]] std::uint32_t lun_of_block(std::uint64_t b) const
	{
		return static_cast<std::uint32_t>(b / layout_.blocks_per_lun);
	}
	[[nodiscard]] std::uint32_t channel_of_lun(std::uint32_t lun) const { return lun / layout_.luns_per_channel; }
	[[nodiscard]] std::uint32_t stripe_lun(std::uint64_t k) const;

	/// Which write stream a page belongs to: the host's or GC's.
	enum class Stream { host, gc };
	/// The open block @p stream writes to in @p l (one for both unless
	/// gc_separate).
	[[nodiscard]] std::uint64_t& open_block(Lun& l, Stream stream) const;
	/// The next free page of LUN @p lun for @p stream, opening a block
	/// from the free pool when needed and, if @p may_gc, running GC when
	/// that leaves fewer than gc_low free. nullopt: the LUN is full.
	std::optional<std::uint64_t> allocate(std::uint32_t lun, Stream stream, bool may_gc,
					      std::chrono::nanoseconds now, FtlPageSink& sink);
	/// Reclaims blocks of LUN @p lun until it has gc_high free or no
	/// block is worth it.
	void collect(std::uint32_t lun, std::chrono::nanoseconds now, FtlPageSink& sink);
	/// The block GC should reclaim next in @p lun, or kNoBlock: a full,
	/// unpinned block with fewer than pages_per_block valid pages, at
	/// most @p room of them, best by the configured policy.
	[[nodiscard]] std::uint64_t pick_victim(std::uint32_t lun, std::uint64_t room,
						std::chrono::nanoseconds now) const;
	/// The next free page of any LUN for a host write, striping over
	/// them; the page's block is pinned. nullopt: every LUN is full.
	std::optional<std::uint64_t> allocate_host(std::chrono::nanoseconds now, FtlPageSink& sink);
	/// Charges the transfer and program of page @p ppn to its channel and
	/// LUN; returns when the program ends.
	std::chrono::nanoseconds program(std::uint64_t ppn, std::chrono::nanoseconds now);
	/// Marks physical page @p ppn stale.
	void invalidate(std::uint64_t ppn);
	/// Points @p lpn at @p ppn (both ways) and dates ppn's block @p now.
	void map(std::uint64_t lpn, std::uint64_t ppn, std::chrono::nanoseconds now);

	FtlConfig config_;
	FtlLayout layout_;
	std::vector<std::uint64_t> l2p_;
	std::vector<std::uint64_t> p2l_;
	std::vector<Block> blocks_;
	std::vector<Lun> luns_;
	std::vector<std::chrono::nanoseconds> channel_busy_;
	std::uint64_t next_stripe_ = 0;
	std::uint64_t request_ = 1; ///< begin_request() count; blocks start unpinned (0)
	FtlStats stats_;
	std::vector<std::uint64_t> victim_valid_hist_;
	std::uint64_t victim_valid_sum_ = 0;
};

/// The "ftl" model: one Ftl behind the model::Model interface.
///
/// read: one NAND read per mapped page, the reply's delay the last one's
/// completion. write / write_zeroes: one program per page (write_zeroes
/// programs the zeros the kernel fills in), after any GC it triggers.
/// discard: unmaps, no delay. flush: flush_lat. A request completes when
/// its slowest page does. -ENOSPC if a write finds no room for one of its
/// pages: then none of them moves, and every page reads as before.
class FtlModel final : public model::Model {
public:
	explicit FtlModel(const FtlConfig& config);

	[[nodiscard]] std::string_view name() const override { return "ftl"; }
	void start(const model::Geometry& g) override;
	void handle(const model::Request& r, std::chrono::nanoseconds now, model::Reply& out,
		    model::PageOps& ops) override;
	/// The maps and the timelines are one shared state: one thread
	/// (handle() locks anyway, so that stats() may run beside it).
	[[nodiscard]] unsigned threads_supported() const override { return 1; }
	/// The layout, the options and FtlStats, as JSON. Safe to call from
	/// another thread while handle() runs (live statistics).
	[[nodiscard]] nlohmann::json stats() const override;

	/// The engine, once start() made it (tests look inside; not while
	/// another thread calls handle()).
	[[nodiscard]] const Ftl* engine() const { return ftl_.get(); }

private:
	FtlConfig config_;
	mutable std::mutex lock_; ///< guards ftl_ and the engine's state
	std::unique_ptr<Ftl> ftl_;
	std::vector<Ftl::PageWrite> pages_; ///< a write's pages, kept between requests (lock_)
};

/// Spelling of @p policy in options and statistics.
[[nodiscard]] std::string_view gc_policy_name(GcPolicy policy);

} // namespace vbsim::ftl
