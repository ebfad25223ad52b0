// vbsim fault: add, list and clear the fault rules of a disk.
#include <fmt/format.h>
#include <fmt/ostream.h>
#include <fmt/ranges.h>
#include <limits>
#include <optional>
#include <stdexcept>
#include <system_error>

#include "command.hpp"
#include "json_output.hpp"
#include "options.hpp"
#include "text_output.hpp"
#include "vbsim/sim_types.hpp"
#include "vbsim/units.hpp"

namespace vbsim::cli {

namespace {

constexpr std::uint64_t k_u32_max = std::numeric_limits<std::uint32_t>::max();

/// --op: operation names separated by commas, "all" for every one.
std::uint32_t parse_ops(std::string_view text)
{
	std::uint32_t mask = 0;
	while (true) {
		const auto comma = text.find(',');
		const std::string_view word = text.substr(0, comma);
		bool known = false;
		for (Op op : k_all_ops) {
			if (word == op_name(op)) {
				mask |= op_bit(op);
				known = true;
			}
		}
		if (word == "all") {
			mask |= k_all_op_bits;
			known = true;
		}
		if (!known)
			throw std::invalid_argument(fmt::format(
				"invalid operation \"{}\": use read, write, flush, discard, write_zeroes or all, "
				"separated by commas",
				word));
		if (comma == std::string_view::npos)
			return mask;
		text.remove_prefix(comma + 1);
	}
}

/// --lba: "100" (one block), "100-199" (inclusive), "100+10" (count).
/// Sets @p rule's lba and count.
void parse_lba_range(std::string_view text, FaultRule& rule)
{
	const auto sep = text.find_first_of("-+");
	if (sep == std::string_view::npos || sep == 0) {
		rule.lba = parse_uint(text, std::numeric_limits<std::uint64_t>::max(), "LBA");
		rule.count = 1;
		return;
	}
	rule.lba = parse_uint(text.substr(0, sep), std::numeric_limits<std::uint64_t>::max(), "LBA");
	const std::uint64_t second = parse_uint(text.substr(sep + 1), std::numeric_limits<std::uint64_t>::max(),
						text[sep] == '-' ? "last LBA" : "block count");
	if (text[sep] == '+') {
		if (second == 0)
			throw std::invalid_argument(fmt::format("invalid LBA range \"{}\": the count must be at least 1", text));
		rule.count = second;
		return;
	}
	if (second < rule.lba || second == std::numeric_limits<std::uint64_t>::max())
		throw std::invalid_argument(
			fmt::format("invalid LBA range \"{}\": the last LBA must not be below the first", text));
	rule.count = second - rule.lba + 1;
}

/// --trigger: always, once, every:N, prob:PPM. Sets @p rule's trigger,
/// every_n and ppm.
void parse_trigger(std::string_view text, FaultRule& rule)
{
	if (text == "always") {
		rule.trigger = FaultTrigger::always;
	} else if (text == "once") {
		rule.trigger = FaultTrigger::once;
	} else if (text.starts_with("every:")) {
		rule.trigger = FaultTrigger::every_n;
		rule.every_n = static_cast<std::uint32_t>(parse_uint(text.substr(6), k_u32_max, "every"));
		if (rule.every_n == 0)
			throw std::invalid_argument(fmt::format("invalid trigger \"{}\": N must be at least 1", text));
	} else if (text.starts_with("prob:")) {
		rule.trigger = FaultTrigger::prob;
		rule.ppm = static_cast<std::uint32_t>(parse_uint(text.substr(5), k_ppm_max, "probability"));
		if (rule.ppm == 0)
			throw std::invalid_argument(fmt::format("invalid trigger \"{}\": PPM must be at least 1", text));
	} else {
		throw std::invalid_argument(
			fmt::format("invalid trigger \"{}\": use always, once, every:N or prob:PPM", text));
	}
}

/// A CLI11 validator from a parser that throws std::invalid_argument.
template <typename Parse>
CLI::Validator parse_check(Parse parse)
{
	return CLI::Validator(
		[parse](std::string& text) -> std::string {
			try {
				parse(text);
				return {};
			} catch (const std::invalid_argument& e) {
				return e.what();
			}
		},
		"");
}

/// "100", "100-199", "100-" (to the end).
std::string range_text(const FaultRule& r)
{
	if (r.count == 1)
		return std::to_string(r.lba);
	return fmt::format("{}-{}", r.lba, r.lba + r.count - 1);
}

/// "always", "once", "every:5", "prob:1000".
std::string trigger_text(const FaultRule& r)
{
	if (r.trigger == FaultTrigger::every_n)
		return fmt::format("every:{}", r.every_n);
	if (r.trigger == FaultTrigger::prob)
		return fmt::format("prob:{}", r.ppm);
	return std::string(fault_trigger_name(r.trigger));
}

class FaultCommand final : public Command {
public:
	explicit FaultCommand(CLI::App& parent)
		: Command(*parent.add_subcommand("fault", "Add, list or clear the fault rules of a disk"))
	{
		CLI::App& a = app();
		a.require_subcommand(1, 1);
		add_device_argument(a, device_);

		add_ = a.add_subcommand("add", "Add a fault rule and print its id");
		add_->add_option("--op", ops_text_, "Operations it applies to: read,write,flush,discard,write_zeroes or all")
			->type_name("OPS")
			->required()
			->check(parse_check([](const std::string& t) { (void)parse_ops(t); }));
		add_->add_option("--lba", lba_text_, "Blocks: LBA, FIRST-LAST or FIRST+COUNT (default: the whole disk)")
			->type_name("RANGE")
			->check(parse_check([](const std::string& t) {
				FaultRule r;
				parse_lba_range(t, r);
			}));
		add_->add_option("--effect", effect_text_, "What a hit request gets")
			->type_name("ioerr|medium|timeout|corrupt|lost-write")
			->required()
			->check(parse_check([](const std::string& t) {
				if (!fault_effect_from_name(t))
					throw std::invalid_argument(fmt::format(
						"invalid effect \"{}\": use ioerr, medium, timeout, corrupt or lost-write",
						t));
			}));
		add_->add_option("--trigger", trigger_text_, "Which matching requests it hits (default: always)")
			->type_name("always|once|every:N|prob:PPM")
			->check(parse_check([](const std::string& t) {
				FaultRule r;
				parse_trigger(t, r);
			}));
		remaining_option_ = add_uint_option(*add_, "--count", remaining_, "Fire at most N times (default: no limit)", "count", 1);
		add_json_flag(*add_, add_json_);

		list_ = a.add_subcommand("list", "List the rules with their counters");
		add_json_flag(*list_, list_json_);

		clear_ = a.add_subcommand("clear", "Remove rule ID, or every rule");
		clear_id_option_ = add_uint_option(*clear_, "ID", clear_id_, "The rule to remove (default: all)", "rule id", 1)->type_name("ID");
	}

	int run(Context& ctx) override
	{
		const auto device =
			ctx.devices.open_device(device_, list_->parsed() ? Access::read_only : Access::read_write);
		if (add_->parsed())
			return add(ctx, *device);
		if (list_->parsed())
			return list(ctx, *device);
		if (*clear_id_option_) {
			device->clear_faults(clear_id_);
			return k_exit_success;
		}
		try {
			device->clear_faults(std::nullopt);
		} catch (const std::system_error& e) {
			// No rule to clear: the disk is as asked.
			if (e.code() != std::errc::no_such_file_or_directory)
				throw;
		}
		return k_exit_success;
	}

private:
	int add(Context& ctx, BlockDevice& device)
	{
		FaultRule rule;
		rule.op_mask = parse_ops(ops_text_);
		if (!lba_text_.empty())
			parse_lba_range(lba_text_, rule);
		rule.effect = *fault_effect_from_name(effect_text_);
		parse_trigger(trigger_text_, rule);
		rule.remaining = *remaining_option_ ? remaining_ : 0;
		if (rule.trigger == FaultTrigger::once && rule.remaining > 1)
			throw UsageError("--trigger once fires once: --count must be 1 or left out");
		if (rule.effect == FaultEffect::corrupt && rule.op_mask != op_bit(Op::read))
			throw UsageError("--effect corrupt applies to reads only: use --op read");
		if (rule.effect == FaultEffect::lost_write && (rule.op_mask & op_bit(Op::read)) != 0)
			throw UsageError("--effect lost-write does not apply to reads");

		const std::uint32_t id = device.add_fault(rule);
		if (add_json_)
			fmt::print(ctx.out, "{}\n", fault_added_json(device.path(), id).dump(2));
		else
			fmt::print(ctx.out, "{}\n", id);
		return k_exit_success;
	}

	int list(Context& ctx, BlockDevice& device) const
	{
		const std::vector<FaultRule> rules = device.list_faults();
		if (list_json_) {
			fmt::print(ctx.out, "{}\n", faults_json(device.path(), rules).dump(2));
			return k_exit_success;
		}
		constexpr std::string_view row = "{:>4}  {:<18}{:<24}{:<11}{:<13}{:>10}{:>9}{:>7}  {}\n";
		fmt::print(ctx.out, row, "id", "ops", "lba", "effect", "trigger", "remaining", "matched", "fired",
			   "state");
		for (const FaultRule& r : rules) {
			fmt::print(ctx.out, row, r.id, join_or_dash(op_mask_names(r.op_mask), ","), range_text(r),
				   fault_effect_name(r.effect), trigger_text(r),
				   r.remaining == 0 && !r.spent ? std::string("-") : std::to_string(r.remaining),
				   r.matched, r.fired, r.spent ? "spent" : "active");
		}
		return k_exit_success;
	}

	std::string device_;
	CLI::App* add_ = nullptr;
	CLI::App* list_ = nullptr;
	CLI::App* clear_ = nullptr;
	std::string ops_text_;
	std::string lba_text_;
	std::string effect_text_;
	std::string trigger_text_ = "always";
	CLI::Option* remaining_option_ = nullptr;
	std::uint32_t remaining_ = 0;
	bool add_json_ = false;
	bool list_json_ = false;
	CLI::Option* clear_id_option_ = nullptr;
	std::uint32_t clear_id_ = 0;
};

} // namespace

std::unique_ptr<Command> make_fault_command(CLI::App& parent)
{
	return std::make_unique<FaultCommand>(parent);
}

} // namespace vbsim::cli
