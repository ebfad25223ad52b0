#include <cerrno>
#include <stdexcept>

#include "vbsim/device_name.hpp"
#include "vbsim/error.hpp"
#include "vbsim/fake_device.hpp"

#include "messages.hpp"

namespace vbsim {

namespace {

/// What FakeModule::open_device() returns: a borrow of one disk that
/// counts itself in the disk's open count while it lives, so that
/// remove() can refuse with EBUSY as the kernel does.
class OpenFakeDevice final : public BlockDevice {
public:
	OpenFakeDevice(FakeDevice& device, unsigned& open_count)
		: device_(device), open_count_(open_count)
	{
		open_count_++;
	}
	OpenFakeDevice(const OpenFakeDevice&) = delete;
	OpenFakeDevice& operator=(const OpenFakeDevice&) = delete;
	~OpenFakeDevice() override { open_count_--; }

	[[nodiscard]] const std::string& path() const override { return device_.path(); }
	[[nodiscard]] DeviceInfo info() override { return device_.info(); }
	void read_blocks(std::uint64_t lba, std::span<std::byte> out) override
	{
		device_.read_blocks(lba, out);
	}
	void write_blocks(std::uint64_t lba, std::span<const std::byte> in, WriteMode mode) override
	{
		device_.write_blocks(lba, in, mode);
	}
	[[nodiscard]] DeviceStats stats() override { return device_.stats(); }
	void reset_stats() override { device_.reset_stats(); }
	[[nodiscard]] SimParams get_sim() override { return device_.get_sim(); }
	void set_sim(const SimParams& params) override { device_.set_sim(params); }
	std::uint32_t add_fault(const FaultRule& rule) override { return device_.add_fault(rule); }
	[[nodiscard]] std::vector<FaultRule> list_faults() override { return device_.list_faults(); }
	void clear_faults(std::optional<std::uint32_t> id) override { device_.clear_faults(id); }
	PowercutResult powercut(const PowercutOptions& options) override
	{
		return device_.powercut(options);
	}

private:
	FakeDevice& device_;
	unsigned& open_count_;
};

/// What FakeModule::open_control() returns: a borrow of the module.
class OpenFakeControl final : public ControlDevice {
public:
	explicit OpenFakeControl(ControlDevice& module) : module_(module) {}

	[[nodiscard]] ModuleFeatures features() override { return module_.features(); }
	std::uint32_t add(const DeviceConfig& config, std::optional<std::uint32_t> index) override
	{
		return module_.add(config, index);
	}
	void remove(std::uint32_t index) override { module_.remove(index); }
	[[nodiscard]] std::vector<std::uint32_t> list() override { return module_.list(); }

private:
	ControlDevice& module_;
};

} // namespace

FakeModule::FakeModule(FakeLimits limits) : limits_(limits) {}

FakeModule::~FakeModule() = default;

ModuleFeatures FakeModule::features()
{
	return ModuleFeatures{
		.abi_version = k_abi_version,
		.features = limits_.features,
		.max_devices = limits_.max_devices,
		.nr_devices = static_cast<std::uint32_t>(disks_.size()),
	};
}

std::uint32_t FakeModule::add(const DeviceConfig& config, std::optional<std::uint32_t> index)
{
	const std::string what = detail::add_what(index);

	// The kernel's order: the configuration, then the index.
	if (!FakeDevice::resolve(config, limits_))
		throw_error(EINVAL, what);
	if (index && *index >= limits_.max_devices)
		throw_error(EINVAL, what);
	if (index && disks_.contains(*index))
		throw_error(EEXIST, what);
	if (disks_.size() >= limits_.max_devices)
		throw_error(ENOSPC, what);

	std::uint32_t chosen = 0;
	if (index) {
		chosen = *index;
	} else {
		// The lowest free index: the first gap in the sorted keys.
		for (const auto& entry : disks_) {
			if (entry.first != chosen)
				break;
			chosen++;
		}
	}

	disks_.emplace(chosen, Disk{std::make_unique<FakeDevice>(chosen, config, limits_), 0});
	return chosen;
}

void FakeModule::remove(std::uint32_t index)
{
	const std::string what = detail::remove_what(index);
	const auto it = disks_.find(index);
	if (it == disks_.end())
		throw_error(ENODEV, what);
	if (it->second.open_count != 0)
		throw_error(EBUSY, what);
	disks_.erase(it);
}

std::vector<std::uint32_t> FakeModule::list()
{
	std::vector<std::uint32_t> indices;
	indices.reserve(disks_.size());
	for (const auto& entry : disks_)
		indices.push_back(entry.first);
	return indices;
}

std::unique_ptr<BlockDevice> FakeModule::open_device(std::string_view name, Access /*access*/)
{
	const DeviceName parsed = parse_device_name(name);
	const auto it = parsed.index ? disks_.find(*parsed.index) : disks_.end();
	if (it == disks_.end())
		throw_error(ENOENT, "opening " + parsed.path);
	return std::make_unique<OpenFakeDevice>(*it->second.device, it->second.open_count);
}

std::unique_ptr<ControlDevice> FakeModule::open_control()
{
	return std::make_unique<OpenFakeControl>(*this);
}

FakeDevice& FakeModule::device(std::uint32_t index)
{
	return *disks_.at(index).device;
}

unsigned FakeModule::open_count(std::uint32_t index) const
{
	const auto it = disks_.find(index);
	return it == disks_.end() ? 0 : it->second.open_count;
}

} // namespace vbsim
