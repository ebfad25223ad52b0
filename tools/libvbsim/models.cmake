# The userland-model side of libvbsim: sessions (the kernel's and the
# in-memory fake's), the runner, and the built-in models. Included from
# CMakeLists.txt so that this list can grow on its own.
target_sources(libvbsim PRIVATE
	src/fake_model_kernel.cpp
	src/hdd.cpp
	src/ioctl_session.cpp
	src/model_runner.cpp
	src/models.cpp
	src/trace_replay.cpp
)
