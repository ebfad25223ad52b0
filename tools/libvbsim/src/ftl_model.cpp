// FtlModel: the FTL engine behind the model::Model interface, so that
// `vbsim model run ftl DEV` can drive a VBS_CFG_MODEL disk with it.
#include <algorithm>
#include <cerrno>
#include <mutex>
#include <stdexcept>
#include <utility>

#include "vbsim/ftl.hpp"
#include "vbsim/units.hpp"

namespace vbsim::ftl {

using std::chrono::nanoseconds;

namespace {

/// Hands the engine's GC operations to the runner's PageOps, which orders
/// them after every answer handed out before.
class PageOpsSink final : public FtlPageSink {
public:
	explicit PageOpsSink(model::PageOps& ops) : ops_(ops) {}
	void copy(std::uint64_t src, std::uint64_t dst) override { ops_.copy(src, dst); }
	void trim(std::uint64_t ppn) override { ops_.trim(ppn); }

private:
	model::PageOps& ops_;
};

/// @p layout and the options that shaped it, for the statistics.
nlohmann::json describe(const FtlLayout& layout, const FtlConfig& c)
{
	return {
		{"channels", layout.channels},
		{"luns_per_channel", layout.luns_per_channel},
		{"blocks_per_lun", layout.blocks_per_lun},
		{"pages_per_block", layout.pages_per_block},
		{"logical_pages", layout.logical_pages},
		{"physical_pages", layout.physical_pages},
		{"over_provisioning", layout.over_provisioning()},
		{"gc", gc_policy_name(c.gc)},
		{"gc_stream", c.gc_separate ? "separate" : "shared"},
		{"gc_low", c.gc_low},
		{"gc_high", c.gc_high},
		{"read_lat", format_duration(c.read_lat)},
		{"prog_lat", format_duration(c.prog_lat)},
		{"erase_lat", format_duration(c.erase_lat)},
		{"xfer_lat", format_duration(c.xfer_lat)},
		{"flush_lat", format_duration(c.flush_lat)},
	};
}

} // namespace

FtlModel::FtlModel(const FtlConfig& config) : config_(config)
{
	validate_ftl_config(config_);
}

void FtlModel::start(const model::Geometry& g)
{
	auto ftl = std::make_unique<Ftl>(config_, g.logical_pages, g.physical_pages);
	const std::lock_guard guard(lock_);
	ftl_ = std::move(ftl);
}

void FtlModel::handle(const model::Request& r, nanoseconds now, model::Reply& out, model::PageOps& ops)
{
	const std::lock_guard guard(lock_);
	if (!ftl_)
		throw std::logic_error("ftl: handle() called before start()");
	Ftl& ftl = *ftl_;
	nanoseconds done = now;
	out.status = 0;

	const bool has_pages = r.op != model::Op::flush;
	if (has_pages && (r.first_page + r.nr_pages > ftl.layout().logical_pages ||
			  ((r.op == model::Op::read || r.op == model::Op::write ||
			    r.op == model::Op::write_zeroes) &&
			   out.maps.size() < r.nr_pages))) {
		out.status = -EIO; // the runner and the kernel never send this
		out.delay = nanoseconds{0};
		return;
	}

	ftl.begin_request();
	switch (r.op) {
	case model::Op::read:
		for (std::uint32_t i = 0; i < r.nr_pages; ++i) {
			const Ftl::Read page = ftl.read(r.first_page + i, now);
			out.maps[i].ppn = page.ppn;
			done = std::max(done, page.done);
		}
		break;
	case model::Op::write:
	case model::Op::write_zeroes: {
		// write_zeroes programs pages like a write: the kernel fills
		// them with zeros (a drive could unmap instead; this one
		// spends the program time, as the NAND would).
		// All pages or none: a failed answer moves no data, so a page
		// remapped before the failure would read what was never written.
		PageOpsSink sink(ops);
		pages_.resize(r.nr_pages);
		for (std::uint32_t i = 0; i < r.nr_pages; ++i)
			pages_[i] = {.lpn = r.first_page + i, .partial = r.partial(i), .out = {}};
		if (!ftl.write(pages_, now, sink)) {
			out.status = -ENOSPC;
			break;
		}
		for (std::uint32_t i = 0; i < r.nr_pages; ++i) {
			out.maps[i] = {pages_[i].out.ppn, pages_[i].out.src_ppn};
			done = std::max(done, pages_[i].out.done);
		}
		break;
	}
	case model::Op::discard:
		// Only whole pages: unmapping a partly discarded page would
		// lose the rest of its data. Nothing to program: immediate.
		for (std::uint32_t i = 0; i < r.nr_pages; ++i)
			if (!r.partial(i))
				ftl.trim(r.first_page + i);
		break;
	case model::Op::flush:
		done = ftl.flush(now);
		break;
	}
	out.delay = std::max(done - now, nanoseconds{0});
}

nlohmann::json FtlModel::stats() const
{
	const std::lock_guard guard(lock_);
	if (!ftl_)
		return {{"started", false}};
	const FtlStats s = ftl_->stats();
	return {
		{"layout", describe(ftl_->layout(), config_)},
		{"host_pages_written", s.host_pages_written},
		{"host_pages_read", s.host_pages_read},
		{"host_pages_trimmed", s.host_pages_trimmed},
		{"gc_pages_copied", s.gc_pages_copied},
		{"waf", s.waf()},
		{"erases", s.erases},
		{"gc_invocations", s.gc_invocations},
		{"gc_victims", s.gc_victims},
		{"victim_valid_mean", s.victim_valid_mean},
		{"victim_valid_hist", s.victim_valid_hist},
		{"free_blocks", s.free_blocks},
		{"erase_count", {{"min", s.erase_min}, {"mean", s.erase_mean}, {"max", s.erase_max}}},
		{"no_space", s.no_space},
	};
}

} // namespace vbsim::ftl
