// The C++ interface of a userland model: the program that decides, for a
// disk created with VBS_CFG_MODEL, where each logical page lives, how long
// each request takes and whether it fails (see "The userland-model
// protocol" in <linux/virtblkiosim.h> and docs/models.md).
//
// A model is a class deriving Model. The runner (model_runner.hpp) attaches
// sessions to the disk, fetches requests in batches, calls handle() once
// per request and hands the answers back; the model never sees the
// protocol's structures or the file descriptors.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include <nlohmann/json.hpp>

#include "vbsim/stats.hpp"

namespace vbsim::model {

/// "No physical page": a read of it returns zeros (VBS_PPN_NONE).
inline constexpr std::uint64_t kNoPage = ~std::uint64_t{0};

/// Bytes of one logical or physical page (VBS_MODEL_PAGE_SIZE).
inline constexpr std::uint32_t kPageSize = 4096;

/// Bytes of one sector, the unit of Request::sector.
inline constexpr std::uint32_t kSectorSize = 512;

/// What a request asks for (VBS_OP_*): the operations the statistics
/// count, one type for both.
using vbsim::Op;

/// The attached disk's shape, as VBS_CTL_MODEL_ATTACH reported it.
struct Geometry {
	std::uint64_t logical_pages = 0;    ///< pages of 4096 bytes the host sees
	std::uint64_t physical_pages = 0;   ///< pages of the physical store
	std::uint32_t sectors_per_page = 8; ///< 512-byte sectors in one page
	std::uint32_t max_req_pages = 257;  ///< most pages one request spans
};

/// One request fetched from the kernel.
struct Request {
	std::uint64_t id = 0;       ///< identity of its answer (slot + generation)
	Op op = Op::read;
	bool fua = false;           ///< write: durable on completion
	bool from_ioctl = false;    ///< came from VBS_IOC_READ/WRITE
	std::uint64_t sector = 0;   ///< first 512-byte sector (0 for a flush)
	std::uint32_t nr_sectors = 0;
	std::uint64_t first_page = 0; ///< logical page = sector / 8
	std::uint32_t nr_pages = 0;   ///< logical pages touched (0 for a flush)
	std::uint32_t sectors_per_page = 8; ///< copied from Geometry by the runner
	/// Set to the kernel's VBS_OP_* number when it names an operation
	/// this library does not know (a newer kernel's); @c op is then
	/// meaningless. The runner answers such a request -EOPNOTSUPP itself
	/// and never hands it to a model.
	std::optional<std::uint32_t> unknown_op{};

	/// True when logical page (first_page + @p i) is only partly covered
	/// by the request's sectors: then a write must say, in
	/// PageMap::src_ppn, where the rest of that page comes from.
	[[nodiscard]] bool partial(std::uint32_t i) const
	{
		const std::uint64_t page_start = (first_page + i) * sectors_per_page;
		const std::uint64_t page_end = page_start + sectors_per_page;
		return sector > page_start || sector + nr_sectors < page_end;
	}

	/// Bytes the request transfers.
	[[nodiscard]] std::uint64_t bytes() const
	{
		return std::uint64_t{nr_sectors} * kSectorSize;
	}
};

/// Where one logical page of a request lives.
///
/// read: @c ppn = the page to read (kNoPage = zeros). write and
/// write_zeroes: @c ppn = the destination page (never kNoPage); @c src_ppn
/// = for a partially covered page, the page whose current contents fill
/// the rest (kNoPage = zeros, == ppn for an update in place); ignored for
/// a whole page.
struct PageMap {
	std::uint64_t ppn = kNoPage;
	std::uint64_t src_ppn = kNoPage;
};

/// The model's answer to one request, filled by Model::handle().
struct Reply {
	/// 0, or a negative errno the request fails with (-EIO, -ENODATA,
	/// -ENOSPC, -ETIMEDOUT, -EOPNOTSUPP). A failed request moves no data;
	/// its maps are not sent.
	int status = 0;
	/// Service time still to simulate, counted from now (the exchange
	/// that carries the answer).
	std::chrono::nanoseconds delay{0};
	/// Pre-sized by the runner to nr_pages for read, write and
	/// write_zeroes (entries default to kNoPage), empty otherwise.
	std::span<PageMap> maps;
};

/// Physical page operations, what garbage collection does. Their effect
/// in the kernel is ordered with the answers: before the runner sends a
/// page operation it commits every answer the handlers produced before
/// it, so a relocation never overtakes the write that filled the page.
class PageOps {
public:
	virtual ~PageOps() = default;
	/// Page @p dst_ppn gets the contents of page @p src_ppn.
	virtual void copy(std::uint64_t src_ppn, std::uint64_t dst_ppn) = 0;
	/// Page @p ppn is freed and reads as zeros.
	virtual void trim(std::uint64_t ppn) = 0;
};

/// A userland model: one decision per request.
class Model {
public:
	virtual ~Model() = default;

	/// The model's name as `vbsim model run` spells it ("identity").
	[[nodiscard]] virtual std::string_view name() const = 0;

	/// Called once before any request, with the attached disk's geometry.
	/// Throws std::invalid_argument (a clear message) if the model's own
	/// configuration does not fit the geometry.
	virtual void start(const Geometry& g) = 0;

	/// Decides one request. @p now is the runner's steady clock at fetch
	/// time. With several runner threads handle() is called concurrently;
	/// a model that is not thread-safe returns 1 from threads_supported().
	virtual void handle(const Request& r, std::chrono::nanoseconds now, Reply& out,
			    PageOps& ops) = 0;

	/// How many runner threads may call handle() at once.
	[[nodiscard]] virtual unsigned threads_supported() const { return 1; }

	/// Model-specific statistics for `vbsim model run` (live and final).
	[[nodiscard]] virtual nlohmann::json stats() const = 0;

	/// Called by ModelRunner::join() once every thread has ended without
	/// an error: a model that writes output completes it here, and
	/// throws (std::system_error) when it cannot.
	virtual void finish() {}

protected:
	Model() = default;
	Model(const Model&) = default;
	Model& operator=(const Model&) = default;
};

/// Name of @p op as the trace format and the statistics spell it
/// ("read", "write", "flush", "discard", "write_zeroes").
using vbsim::op_name;

} // namespace vbsim::model
