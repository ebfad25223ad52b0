// A model session: one attachment of a userland model to a VBS_CFG_MODEL
// disk, and the three things it can do (exchange answers for requests,
// copy and trim physical pages, detach).
//
// Abstract so that the runner and the models run against the kernel
// (IoctlSessionFactory: /dev/virtblkiosim-control) or in memory
// (FakeModelKernel) in the host tests. The types speak C++ only; the ABI
// structures stay inside libvbsim.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "vbsim/model.hpp"

namespace vbsim::model {

/// Most answers, requests or page operations in one call
/// (VBS_MODEL_MAX_BATCH).
inline constexpr std::uint32_t kMaxBatch = 4096;

/// Most logical pages one request spans (VBS_MODEL_MAX_REQ_PAGES).
inline constexpr std::uint32_t kMaxReqPages = 257;

/// Longest service time an answer may ask for (VBS_SIM_MAX_NS, 60 s).
inline constexpr std::chrono::nanoseconds kMaxDelay = std::chrono::seconds(60);

/// One answer as the session hands it in: the Reply of a handler, plus
/// where its maps sit in the maps array of the same exchange.
struct Answer {
	std::uint64_t id = 0;
	int status = 0;
	std::chrono::nanoseconds delay{0};
	std::uint32_t map_index = 0; ///< first of its maps in the exchange
	std::uint32_t nr_maps = 0;   ///< nr_pages for a successful data op, else 0
};

/// What one exchange did.
struct ExchangeResult {
	std::uint32_t nr_reqs = 0;  ///< requests written to the caller's array
	std::uint32_t accepted = 0; ///< answers that completed their request
	std::uint32_t rejected = 0; ///< answers the kernel refused
};

/// One physical page operation.
struct PageOp {
	enum class Kind { copy, trim };
	Kind kind = Kind::copy;
	std::uint64_t src = kNoPage; ///< page copied or trimmed
	std::uint64_t dst = kNoPage; ///< page copied to (copy only)
};

/// What attaching reported.
struct SessionInfo {
	std::uint32_t index = 0;   ///< N of /dev/virtblkiosimN
	std::uint32_t session = 0; ///< this session's number on the disk (1, 2, ...)
	Geometry geometry;
};

/// How long exchange() waits when no request is pending.
struct Wait {
	/// nullopt: until a request comes or a signal interrupts the call.
	std::optional<std::chrono::milliseconds> timeout;

	static Wait none() { return Wait{std::chrono::milliseconds(0)}; }
	static Wait forever() { return Wait{std::nullopt}; }
};

/// An attached session. Destroying it detaches: requests it fetched and
/// did not answer go back to the pending list if another session (or a
/// recovering model) can serve them, else they fail with EIO.
///
/// Errors are std::system_error with the kernel's errno and what was
/// attempted: ENOTCONN (not attached), EINVAL (a malformed call: too many
/// answers, a map index out of the maps array, a bad page operation;
/// nothing of the page operations is done then), EFAULT, EINTR (a signal
/// during a wait with no answers handed in), EPROTO (the kernel reported
/// more requests than the room given, or more answers than handed in).
class Session {
public:
	virtual ~Session() = default;

	[[nodiscard]] virtual const SessionInfo& info() const = 0;

	/// Applies @p answers in order (their maps in @p maps), then fetches
	/// up to reqs.size() requests into @p reqs, waiting as @p wait says
	/// when none is pending. An empty @p reqs only answers.
	virtual ExchangeResult exchange(std::span<const Answer> answers,
					std::span<const PageMap> maps, std::span<Request> reqs,
					Wait wait) = 0;

	/// Carries out @p ops in order (1..kMaxBatch of them), after checking
	/// all of them: one invalid operation fails the whole call with
	/// EINVAL, nothing done. Returns the number done.
	virtual std::uint32_t pages(std::span<const PageOp> ops) = 0;

protected:
	Session() = default;
	Session(const Session&) = default;
	Session& operator=(const Session&) = default;
};

/// Attaches sessions: the control node of the running kernel, or a fake.
class SessionFactory {
public:
	virtual ~SessionFactory() = default;

	/// Attaches a new session to disk @p index. @p recover: when the last
	/// session goes away, requests wait for the next model instead of
	/// failing (VBS_MODEL_RECOVER). Errors: EINVAL (not a model disk),
	/// ENODEV (no such disk), EPERM (no CAP_SYS_ADMIN), EBUSY (being
	/// removed).
	[[nodiscard]] virtual std::unique_ptr<Session> attach(std::uint32_t index,
							      bool recover) = 0;

protected:
	SessionFactory() = default;
	SessionFactory(const SessionFactory&) = default;
	SessionFactory& operator=(const SessionFactory&) = default;
};

/// Sessions on the running kernel: each attach() opens its own file on
/// /dev/virtblkiosim-control, and that open file is the session.
class IoctlSessionFactory final : public SessionFactory {
public:
	/// @p control_path: the control node.
	explicit IoctlSessionFactory(std::string control_path = "/dev/virtblkiosim-control");

	[[nodiscard]] std::unique_ptr<Session> attach(std::uint32_t index, bool recover) override;

private:
	std::string control_path_;
};

} // namespace vbsim::model
