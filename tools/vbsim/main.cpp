// vbsim: the command-line tool of virtblkiosim. Everything but wiring the
// real devices, streams and Ctrl-C handling to the commands lives in
// app.cpp and the cmd_*.cpp files, which the unit tests drive with fakes.
#include <iostream>
#include <string>
#include <vector>

#include "app.hpp"
#include "signal_pacer.hpp"
#include "vbsim/ioctl_device.hpp"
#include "vbsim/model_session.hpp"

int main(int argc, char** argv)
{
	vbsim::KernelProvider devices;
	vbsim::model::IoctlSessionFactory sessions;
	vbsim::cli::Context ctx{
		.devices = devices,
		.out = std::cout,
		.err = std::cerr,
		.make_pacer = [] { return std::make_unique<vbsim::cli::SignalPacer>(); },
		.sessions = &sessions,
	};
	const std::vector<std::string> args(argv + (argc > 0 ? 1 : 0), argv + argc);
	return vbsim::cli::run(args, ctx);
}
