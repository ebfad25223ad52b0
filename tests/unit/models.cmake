# Host tests of the model framework: sessions, the fake model kernel, the
# runner, the built-in models and the `vbsim model` / `vbsim trace`
# commands. Included from CMakeLists.txt.
