# Every third-party library comes from a Debian 12 package (tools/install-deps.sh installs them).
# Nothing is vendored or fetched. Facts and gotchas: shared/docs/reference/cpp-deps.md.
find_package(Threads REQUIRED)
find_package(OpenSSL 3.0 REQUIRED)
find_package(CURL REQUIRED)
find_package(Boost 1.74 REQUIRED)
find_package(nlohmann_json 3.11 REQUIRED)
find_package(yaml-cpp 0.7 REQUIRED)          # target is plain `yaml-cpp` in 0.7
find_package(prometheus-cpp CONFIG REQUIRED) # no version file in Debian's package
find_package(fmt REQUIRED)
find_package(spdlog REQUIRED)
find_package(CLI11 REQUIRED)
find_package(tl-expected REQUIRED)
find_package(PkgConfig REQUIRED)
pkg_check_modules(LDNS REQUIRED IMPORTED_TARGET ldns)
if(CK_BUILD_TESTS)
  find_package(GTest CONFIG REQUIRED)
endif()
if(CK_BUILD_BENCH)
  find_package(benchmark REQUIRED)
endif()
