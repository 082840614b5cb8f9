# Build helpers shared by every directory.
#
#   ck_library(<name> SOURCES ... [DEPS certkeeper::x ...] [PUBLIC_LIBS ...] [PRIVATE_LIBS ...])
#     Defines the static library target certkeeper_<name> with the alias certkeeper::<name>.
#     DEPS lists the certkeeper libraries this one may use; the allowed set for each library is
#     written down in CK_ALLOWED_DEPS_<name> below (docs/architecture.md, "Dependency rules"),
#     and configuring fails if a library declares a dependency it is not allowed to have.
#
#   ck_test(<name> SOURCES ... LIBS ... LABELS unit|integration [FIXTURES ...] [SERIAL])
#     A GoogleTest executable whose cases are registered one by one with ctest. SERIAL keeps
#     its cases from running beside any other test (for suites that disturb shared components).
#     PREFIX is prepended to each case's ctest name (e.g. "tsan." for sanitizer builds).

# No -Wnull-dereference: GCC 12 only evaluates it after optimisation, where it reports false
# positives inside Boost.Asio and nlohmann/json once they are inlined into our code, so a release
# build with -Werror failed on headers we do not own.
set(CK_WARNING_FLAGS -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast
    -Wcast-align -Woverloaded-virtual -Wconversion -Wsign-conversion -Wimplicit-fallthrough
    # Designated initializers that name only some fields are the idiom for option structs.
    -Wno-missing-field-initializers)

# Which certkeeper libraries each library may depend on (design.md, "Dependency rules").
set(CK_ALLOWED_DEPS_common "")
set(CK_ALLOWED_DEPS_http "common")
set(CK_ALLOWED_DEPS_crypto "common")
set(CK_ALLOWED_DEPS_acme "crypto;http;common")
set(CK_ALLOWED_DEPS_kube "http;common")
set(CK_ALLOWED_DEPS_api "common")
set(CK_ALLOWED_DEPS_pki "crypto;common")
set(CK_ALLOWED_DEPS_webhook "api;pki;kube;crypto;http;metrics;common")
set(CK_ALLOWED_DEPS_dns "common")
set(CK_ALLOWED_DEPS_metrics "http;common")
set(CK_ALLOWED_DEPS_solver "acme;dns;http;crypto;common")
set(CK_ALLOWED_DEPS_acmecli "solver;acme;dns;http;crypto;common")

if(CK_SANITIZE)
  string(REPLACE "," ";" _ck_sanitizers "${CK_SANITIZE}")
  set(CK_SANITIZER_FLAGS "")
  foreach(s IN LISTS _ck_sanitizers)
    list(APPEND CK_SANITIZER_FLAGS "-fsanitize=${s}")
  endforeach()
  list(APPEND CK_SANITIZER_FLAGS -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_compile_options(${CK_SANITIZER_FLAGS})
  add_link_options(${CK_SANITIZER_FLAGS})
endif()

# Fuzzing instruments every library (coverage for libFuzzer, ASan/UBSan for the bugs it finds).
if(CK_FUZZ)
  # -fno-sanitize-recover: a UBSan finding must stop the run, not scroll past.
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all
                      -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined -fno-sanitize-recover=all)
endif()

function(ck_apply_warnings target)
  target_compile_options(${target} PRIVATE ${CK_WARNING_FLAGS})
  if(CK_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()

function(ck_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;PUBLIC_LIBS;PRIVATE_LIBS" ${ARGN})
  if(DEFINED CK_ALLOWED_DEPS_${name})
    foreach(dep IN LISTS ARG_DEPS)
      string(REPLACE "certkeeper::" "" short "${dep}")
      if(NOT short IN_LIST CK_ALLOWED_DEPS_${name})
        message(FATAL_ERROR "lib/${name} may not depend on ${dep} "
                            "(allowed: ${CK_ALLOWED_DEPS_${name}}; see docs/architecture.md)")
      endif()
    endforeach()
  endif()
  add_library(certkeeper_${name} STATIC ${ARG_SOURCES})
  add_library(certkeeper::${name} ALIAS certkeeper_${name})
  # Includes are written from the repository root: #include "lib/common/error.h".
  target_include_directories(certkeeper_${name} PUBLIC ${PROJECT_SOURCE_DIR} ${PROJECT_BINARY_DIR})
  target_link_libraries(certkeeper_${name} PUBLIC ${ARG_DEPS} ${ARG_PUBLIC_LIBS}
                                           PRIVATE ${ARG_PRIVATE_LIBS})
  ck_apply_warnings(certkeeper_${name})
endfunction()

function(ck_test name)
  cmake_parse_arguments(ARG "SERIAL" "PREFIX" "SOURCES;LIBS;LABELS;FIXTURES;ENVIRONMENT" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_LIBS} GTest::gmock GTest::gtest)
  ck_apply_warnings(${name})
  set(props LABELS "${ARG_LABELS}")
  if(ARG_FIXTURES)
    list(APPEND props FIXTURES_REQUIRED "${ARG_FIXTURES}")
  endif()
  if(ARG_ENVIRONMENT)
    list(APPEND props ENVIRONMENT "${ARG_ENVIRONMENT}")
  endif()
  if(ARG_SERIAL)
    list(APPEND props RUN_SERIAL TRUE)
  endif()
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 30 TEST_PREFIX "${ARG_PREFIX}" PROPERTIES ${props})
endfunction()
