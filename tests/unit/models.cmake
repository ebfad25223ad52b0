# Host tests of the model framework: sessions, the fake model kernel, the
# runner, the built-in models and the `vbsim model` / `vbsim trace`
# commands. Included from CMakeLists.txt.
vbs_unit_tests(model_test
	abi_model_convert_test.cpp
	model_hdd_trace_test.cpp
	model_kernel_test.cpp
	model_runner_test.cpp
	model_trace_test.cpp
)
# abi_model_convert_test.cpp checks the library's private ABI conversions.
target_include_directories(model_test PRIVATE ${PROJECT_SOURCE_DIR}/tools/libvbsim/src)
# model_hdd_trace_test.cpp borrows TempDir from the CLI harness,
# model_trace_test.cpp runs the CLI.
target_link_libraries(model_test PRIVATE vbsim_cli vbs_uapi)

vbs_unit_tests(model_cli_test cli_model_test.cpp)
target_link_libraries(model_cli_test PRIVATE vbsim_cli)
