# Distributed under the MIT License. See README.md for the full manual.
#
# Private to ParallelCoverage.cmake: every test gets its own data directory. Tests declared
# at configure time get it in their ENVIRONMENT, set from the end of configure (CMake 3.28+)
# or from a deferred call in each test's own directory (older CMake); tests added at test
# time get it from DiscoveredTests.cmake, which ctest reads.

# How tests get their environment: CMake 3.28+ sets test properties of any directory, so
# one pass at the end does it (_parcov_isolate_remaining_dirs). Older CMake only sets them from
# the test's own directory: a watch on CMAKE_CURRENT_LIST_DIR notices add_subdirectory()
# entering a directory and schedules a call at its end. (CMake 4 no longer notifies that
# change on entry.) Called at include time, from the directory that includes the module.
function(_parcov_setup_isolation)
  if(CMAKE_VERSION VERSION_GREATER_EQUAL 3.28)
    define_property(TEST PROPERTY _PARCOV_PROBE INHERITED
      BRIEF_DOCS "Internal: set on every test, to tell tests from pieces of names"
      FULL_DOCS "Internal to ParallelCoverage.")
    set_property(GLOBAL PROPERTY _PARCOV_PROBE TRUE)
    set(mechanism "set_property(TEST ... DIRECTORY ...) at the end of configure")
  else()
    set(mechanism "a deferred call in each directory (CMake < 3.28)")
    set_property(DIRECTORY PROPERTY _PARCOV_SCHEDULED TRUE)
    cmake_language(DEFER CALL _parcov_isolate_current_dir)
    variable_watch(CMAKE_CURRENT_LIST_DIR _parcov_on_list_dir)
  endif()
  message(STATUS "ParallelCoverage: CMake ${CMAKE_VERSION}: tests isolated with ${mechanism}")
endfunction()

# A test's environment: its own data directory. gcov: GCC's and Clang's runtimes honour
# GCOV_PREFIX/GCOV_PREFIX_STRIP. llvm: %m names one file per instrumented binary or shared
# library (each writes its own profile), merged in place by the runtime under a lock when
# several processes of one test run the same binary, so the file count stays small.
function(_parcov_test_environment out test_dir strip)
  get_property(backend GLOBAL PROPERTY _PARCOV_BACKEND)
  _parcov_data_dir(data "$<CONFIG>")
  set(dir "${data}/current/tests/${test_dir}")
  if(backend STREQUAL "llvm")
    set(${out} "LLVM_PROFILE_FILE=${dir}/%m.profraw" PARENT_SCOPE)
  else()
    set(${out} "GCOV_PREFIX=${dir}" "GCOV_PREFIX_STRIP=${strip}" PARENT_SCOPE)
  endif()
endfunction()

# The tests of a directory, as _PARCOV_TEST_<i> (i < _PARCOV_TEST_COUNT) in the caller's
# scope: a CMake list cannot hold a name containing ';'. TESTS joins names with ';', so such
# a name arrives in pieces: glue pieces back together until they name a test.
function(_parcov_tests_of dir)
  get_property(items DIRECTORY "${dir}" PROPERTY TESTS)
  set(count 0)
  set(pending FALSE)
  foreach(item IN LISTS items)
    if(pending)
      string(APPEND acc ";${item}")
    else()
      set(acc "${item}")
    endif()
    if(dir STREQUAL CMAKE_CURRENT_SOURCE_DIR)
      if(TEST "${acc}")
        set(known TRUE)
      else()
        set(known FALSE)
      endif()
    elseif(CMAKE_VERSION VERSION_GREATER_EQUAL 3.28)
      # get_property(TEST) fails hard on a missing test; get_test_property() does not, and
      # an INHERITED property answers for every existing test (see _parcov_setup_isolation).
      get_test_property("${acc}" _PARCOV_PROBE DIRECTORY "${dir}" known)
    else()
      set(known TRUE)
    endif()
    if(known)
      set(_PARCOV_TEST_${count} "${acc}" PARENT_SCOPE)
      math(EXPR count "${count} + 1")
      set(pending FALSE)
    else()
      set(pending TRUE)
    endif()
  endforeach()
  set(_PARCOV_TEST_COUNT ${count} PARENT_SCOPE)
endfunction()

# Give every test of one directory its own GCOV_PREFIX. Runs deferred, at the end of the
# directory, so it sees tests added before and after the include.
function(_parcov_isolate_tests dir)
  _parcov_tests_of("${dir}")
  if(_PARCOV_TEST_COUNT EQUAL 0)
    return()
  endif()
  math(EXPR last "${_PARCOV_TEST_COUNT} - 1")
  set(hexes "")
  foreach(i RANGE ${last})
    string(HEX "${_PARCOV_TEST_${i}}" hex)
    list(APPEND hexes "${hex}")
  endforeach()
  execute_process(COMMAND "${PARALLEL_COVERAGE_PARCOV}" test-dir --hex ${hexes}
    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "ParallelCoverage: '${PARALLEL_COVERAGE_PARCOV} test-dir' failed: ${err}")
  endif()
  string(REGEX REPLACE "\n$" "" out "${out}")
  string(REPLACE "\n" ";" dirs "${out}")
  get_property(strip GLOBAL PROPERTY _PARCOV_STRIP)
  _parcov_runtime_enabled(runtime)
  foreach(i RANGE ${last})
    list(GET dirs ${i} test_dir)
    list(GET hexes ${i} hex)
    _parcov_test_environment(env "${test_dir}" "${strip}")
    if(dir STREQUAL CMAKE_CURRENT_SOURCE_DIR)
      set(where "")
    else()
      set(where DIRECTORY "${dir}")
    endif()
    if(runtime)
      _parcov_timeout_properties("${_PARCOV_TEST_${i}}" "${where}" env)
    endif()
    set_property(TEST "${_PARCOV_TEST_${i}}" ${where} APPEND PROPERTY ENVIRONMENT "${env}")
    set_property(GLOBAL APPEND PROPERTY _PARCOV_TEST_LINES "${test_dir}\t${hex}")
  endforeach()
endfunction()

# A test's timeout, for the runtime: PARCOV_TIMEOUT arms its watchdog (the only way to keep
# counts CTest 3.25's SIGKILL would lose); CMake 3.27+ also sends SIGTERM first, which the
# runtime catches, flushes, and dies by. The test's own choices win.
function(_parcov_timeout_properties test where env_var)
  # Only a test's own TIMEOUT (and ctest --timeout, which pre-test records for the runtime)
  # starts a watchdog thread: DART_TESTING_TIMEOUT, include(CTest)'s 1500 s for every test,
  # would make every test process multi-threaded.
  get_property(timeout TEST "${test}" ${where} PROPERTY TIMEOUT)
  if(timeout GREATER 0)
    set(${env_var} "${${env_var}};PARCOV_TIMEOUT=${timeout}" PARENT_SCOPE)
  endif()
  if(CMAKE_VERSION VERSION_GREATER_EQUAL 3.27)
    get_property(has_signal TEST "${test}" ${where} PROPERTY TIMEOUT_SIGNAL_NAME SET)
    get_property(has_grace TEST "${test}" ${where} PROPERTY TIMEOUT_SIGNAL_GRACE_PERIOD SET)
    # A test's own signal means its own grace period too (CTest's default when it set none);
    # a grace period alone is kept for our signal. The discovered tests' path does the same.
    if(NOT has_signal)
      set_property(TEST "${test}" ${where} PROPERTY TIMEOUT_SIGNAL_NAME SIGTERM)
      if(NOT has_grace)
        set_property(TEST "${test}" ${where} PROPERTY TIMEOUT_SIGNAL_GRACE_PERIOD 2)
      endif()
    endif()
  endif()
endfunction()

function(_parcov_isolate_current_dir)
  _parcov_isolate_tests("${CMAKE_CURRENT_SOURCE_DIR}")
endfunction()

# Called whenever CMAKE_CURRENT_LIST_DIR changes: the first time in a directory means
# add_subdirectory() just entered it, so schedule the isolation for its end.
function(_parcov_on_list_dir variable access value)
  if(NOT access STREQUAL "MODIFIED_ACCESS")
    return()
  endif()
  get_property(seen DIRECTORY PROPERTY _PARCOV_SCHEDULED)
  if(NOT seen)
    set_property(DIRECTORY PROPERTY _PARCOV_SCHEDULED TRUE)
    cmake_language(DEFER CALL _parcov_isolate_current_dir)
  endif()
endfunction()

# The directories of DIRS that had no deferred call (finished before the include): CMake
# 3.28+ isolates their tests from here; older CMake cannot, and the configure step says so.
function(_parcov_isolate_remaining_dirs dirs)
  # Directories finished before the include had no deferred call.
  set(missed "")
  foreach(dir IN LISTS dirs)
    get_property(seen DIRECTORY "${dir}" PROPERTY _PARCOV_SCHEDULED)
    if(NOT seen)
      if(CMAKE_VERSION VERSION_GREATER_EQUAL 3.28)
        _parcov_isolate_tests("${dir}")
      else()
        get_property(tests DIRECTORY "${dir}" PROPERTY TESTS)
        if(tests)
          list(APPEND missed "${dir}")
        endif()
      endif()
    endif()
  endforeach()
  if(missed)
    list(JOIN missed "\n  " missed)
    message(WARNING
      "ParallelCoverage: the tests of these directories were declared before "
      "include(ParallelCoverage), and CMake ${CMAKE_VERSION} cannot change them from here "
      "(3.28+ can):\n  ${missed}\nTheir coverage data is not isolated per test. "
      "Include ParallelCoverage before add_subdirectory(), or inject it with "
      "-DCMAKE_PROJECT_INCLUDE=.")
  endif()
endfunction()

# Tests added at test time (a directory's TEST_INCLUDE_FILES: gtest_discover_tests,
# catch_discover_tests, doctest_discover_tests, a project's own file) are not in TESTS: ctest
# adds them when it reads CTestTestfile.cmake, which includes those files before its own
# add_test() calls. Our begin file goes first and our end file last; between them
# ParallelCoverage/DiscoveredTests.cmake gives every test added the environment configure-time
# tests get (README.md, "Tests discovered at test time"). The older single TEST_INCLUDE_FILE,
# included before all of them, moves into the list after our begin file. Sets <out> to the
# number of such directories.
function(_parcov_wrap_test_includes out dirs)
  set(script "${_PARCOV_MODULE_DIR}/ParallelCoverage/DiscoveredTests.cmake")
  set(begin "${CMAKE_BINARY_DIR}/coverage-data/discovery-begin.cmake")
  set(end "${CMAKE_BINARY_DIR}/coverage-data/discovery-end.cmake")
  set(old_signature "${CMAKE_BINARY_DIR}/coverage-data/old-signature.cmake")
  _parcov_multi_configs(configs)
  set(any_old FALSE)
  set(count 0)
  foreach(dir IN LISTS dirs)
    get_property(files DIRECTORY "${dir}" PROPERTY TEST_INCLUDE_FILES)
    get_property(file DIRECTORY "${dir}" PROPERTY TEST_INCLUDE_FILE)
    if(NOT file STREQUAL "")
      list(PREPEND files "${file}")
      set_property(DIRECTORY "${dir}" PROPERTY TEST_INCLUDE_FILE)
    endif()
    if(files STREQUAL "")
      # Multi-config: an add_test(name command) test of this directory gets our properties
      # unevaluated, $<CONFIG> and all; the old-signature file mends them when ctest reads
      # them (README.md, "Tests declared with the old signature").
      get_property(tests DIRECTORY "${dir}" PROPERTY TESTS)
      if(configs AND NOT tests STREQUAL "")
        set_property(DIRECTORY "${dir}" PROPERTY TEST_INCLUDE_FILES "${old_signature}")
        set(any_old TRUE)
      endif()
      continue()
    endif()
    set_property(DIRECTORY "${dir}" PROPERTY TEST_INCLUDE_FILES "${begin}" ${files} "${end}")
    math(EXPR count "${count} + 1")
  endforeach()
  if((count GREATER 0 OR any_old) AND NOT EXISTS "${script}")
    message(FATAL_ERROR "ParallelCoverage: ${script} is missing (tests discovered at test "
      "time need it); reinstall ParallelCoverage.")
  endif()
  get_property(strip GLOBAL PROPERTY _PARCOV_STRIP)
  get_property(backend GLOBAL PROPERTY _PARCOV_BACKEND)
  _parcov_runtime_enabled(runtime)
  if(runtime)
    set(runtime 1)
  else()
    set(runtime 0)
  endif()
  set(timeout "")
  if(DART_TESTING_TIMEOUT GREATER 0)
    set(timeout "${DART_TESTING_TIMEOUT}")
  endif()
  # Multi-config: ctest -C picks the data directory (see _parcov_data_dir).
  set(default_config "${CMAKE_DEFAULT_BUILD_TYPE}")
  if(configs AND NOT default_config)
    list(GET configs 0 default_config)
  endif()
  string(CONCAT settings
    "set(_PARCOV_TT_BUILD_DIR [==[${CMAKE_BINARY_DIR}]==])\n"
    "set(_PARCOV_TT_CONFIGS [==[${configs}]==])\n"
    "set(_PARCOV_TT_DEFAULT_CONFIG [==[${default_config}]==])\n"
    "set(_PARCOV_TT_BACKEND ${backend})\n"
    "set(_PARCOV_TT_STRIP ${strip})\n"
    "set(_PARCOV_TT_RUNTIME ${runtime})\n"
    "set(_PARCOV_TT_TIMEOUT \"${timeout}\")\n"
    "set(_PARCOV_TT_PARCOV [==[${PARALLEL_COVERAGE_PARCOV}]==])\n"
    "include([==[${script}]==])\n")
  _parcov_write_if_changed("${begin}"
    "# Written by ParallelCoverage.cmake; read by ctest before a directory's TEST_INCLUDE_FILES.\n${settings}_parcov_tt_begin()\n")
  if(any_old)
    # The wrappers cost every later test of the run a forwarded call: defined only once a
    # directory's CTestTestfile.cmake (the includer) holds a $<CONFIG> left unevaluated.
    string(CONCAT text
      "# Written by ParallelCoverage.cmake; read by ctest first in each directory with tests\n"
      "# (multi-config generators): puts ctest -C's configuration where add_test(name command)\n"
      "# tests were left a literal $<CONFIG> in their data directory.\n"
      "if(COMMAND _parcov_tt_begin)\n  return()\nendif()\n"
      "# The includer, CTestTestfile.cmake: REALPATH resolves a relative name against ctest's\n"
      "# working directory (file(STRINGS) against CMAKE_CURRENT_SOURCE_DIR, empty in ctest).\n"
      "get_filename_component(_parcov_tt_old \"\${CMAKE_PARENT_LIST_FILE}\" REALPATH)\n"
      "# CMake writes the value quoted, its $ as \\$ (3.25 to 4.3): one search of the whole file\n"
      "# (not a regular expression per line), kept cheap as it runs for every directory.\n"
      "if(EXISTS \"\${_parcov_tt_old}\")\n"
      "  file(READ \"\${_parcov_tt_old}\" _parcov_tt_text)\n"
      "  string(FIND \"\${_parcov_tt_text}\" [==[/coverage-data/configs/\\$<CONFIG>/]==] _parcov_tt_at)\n"
      "  if(_parcov_tt_at EQUAL -1)\n"
      "    string(FIND \"\${_parcov_tt_text}\" [==[/coverage-data/configs/$<CONFIG>/]==] _parcov_tt_at)\n"
      "  endif()\n"
      "  unset(_parcov_tt_text)\n"
      "  if(_parcov_tt_at EQUAL -1)\n    return()\n  endif()\n"
      "endif()\n"
      "${settings}")
    _parcov_write_if_changed("${old_signature}" "${text}")
  endif()
  _parcov_write_if_changed("${end}"
    "# Written by ParallelCoverage.cmake; read by ctest after a directory's TEST_INCLUDE_FILES.\n_parcov_tt_end()\n")
  set(${out} ${count} PARENT_SCOPE)
endfunction()
