// What a vbsim command works with: where devices come from, where output
// goes, and how a repeating command waits. main() fills it with the real
// things; tests fill it with fakes and string streams.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <ostream>

#include "vbsim/device_provider.hpp"
#include "vbsim/model_session.hpp"

namespace vbsim::cli {

/// Paces a repeating command (stats --watch) and notices when the user
/// asks it to stop.
class Pacer {
public:
	virtual ~Pacer() = default;

	/// The current time on the pacer's clock.
	[[nodiscard]] virtual std::chrono::steady_clock::time_point now() = 0;

	/// Waits @p interval. Returns false, early, if the user asked to stop
	/// (Ctrl-C) before or while waiting.
	[[nodiscard]] virtual bool wait(std::chrono::nanoseconds interval) = 0;

protected:
	Pacer() = default;
	Pacer(const Pacer&) = default;
	Pacer& operator=(const Pacer&) = default;
};

/// Everything a command borrows while it runs.
struct Context {
	DeviceProvider& devices; ///< opens disks and the control node
	std::ostream& out;       ///< results
	std::ostream& err;       ///< diagnostics
	/// Makes the pacer of a repeating command; called only by one.
	std::function<std::unique_ptr<Pacer>()> make_pacer;
	/// Attaches model sessions (vbsim model run); null where none can be.
	model::SessionFactory* sessions = nullptr;
};

} // namespace vbsim::cli
