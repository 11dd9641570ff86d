# Distributed under the MIT License. See README.md for the full manual.
#
# Private to ParallelCoverage.cmake: the files written into the build tree for ctest and
# parcov: CTestCustom.cmake, coverage-data/parcov.conf, tests.tsv, objects.txt. (Isolation.cmake
# writes the discovery-begin/end files ctest reads for tests added at test time.)

# One argument of the command line CTest runs from CTEST_CUSTOM_PRE_TEST. CTest splits that
# line itself (cmSystemTools::ParseArguments): "..." and '...' group and escape nothing;
# outside them a backslash takes the next character as it is. So a plain word goes as it is,
# an argument without " or \ in double quotes, and any other one unquoted with a backslash
# before each character that would split or quote it.
function(_parcov_ctest_argument out arg)
  if(arg MATCHES "^[A-Za-z0-9_-]+$")
    set(quoted "${arg}")
  elseif(NOT arg MATCHES "[\"\\]")
    set(quoted "\"${arg}\"")
  else()
    string(REGEX REPLACE "([\\\"' \t])" "\\\\\\1" quoted "${arg}")
  endif()
  set(${out} "${quoted}" PARENT_SCOPE)
endfunction()

# TEXT as a quoted argument in CTestCustom.cmake, which ctest evaluates: \ and " escaped, and
# $ so that no part of a path is read as a variable reference.
function(_parcov_cmake_string out text)
  string(REPLACE "\\" "\\\\" text "${text}")
  string(REPLACE "\"" "\\\"" text "${text}")
  string(REPLACE "$" "\\$" text "${text}")
  set(${out} "\"${text}\"" PARENT_SCOPE)
endfunction()

# The CTEST_CUSTOM_PRE_TEST command: 'parcov pre-test -C <build>' (or 'parcov ARGN -C
# <build>', for CTEST_CUSTOM_POST_TEST), each argument quoted for CTest's command line
# (_parcov_ctest_argument), the line then written as a CMake string.
function(_parcov_pre_test_command out)
  set(words "${ARGN}")
  if(NOT words)
    set(words pre-test)
  endif()
  # Joined by hand: a list would split a path holding ';'.
  set(line "")
  set(separator "")
  foreach(arg IN ITEMS "${PARALLEL_COVERAGE_PARCOV}" ${words} -C "${CMAKE_BINARY_DIR}")
    _parcov_ctest_argument(quoted "${arg}")
    string(APPEND line "${separator}${quoted}")
    set(separator " ")
  endforeach()
  _parcov_cmake_string(line "${line}")
  set(${out} "${line}" PARENT_SCOPE)
endfunction()

# CTestCustom.cmake is read by ctest from the directory it runs in: the top of the build tree
# and every directory with tests (ctest --test-dir build/tests also starts a new data set).
# A project may write its own during configure: keep its content and append our block.
function(_parcov_write_ctest_custom binary_dir)
  set(file "${binary_dir}/CTestCustom.cmake")
  set(begin "# >>> ParallelCoverage (generated; edits here are lost)")
  set(end "# <<< ParallelCoverage")
  set(theirs "")
  if(EXISTS "${file}")
    file(READ "${file}" theirs)
    string(FIND "${theirs}" "${begin}" at)
    if(at GREATER_EQUAL 0)
      string(SUBSTRING "${theirs}" 0 ${at} theirs)
    endif()
  endif()
  _parcov_pre_test_command(command)
  # gcov: after the project's own post-test commands (part of the run), parcov post-test
  # merges the run beside the .gcno files, where a project's own lcov or gcovr target reads.
  set(post_command "")
  get_property(backend GLOBAL PROPERTY _PARCOV_BACKEND)
  if(NOT backend STREQUAL "llvm")
    _parcov_pre_test_command(post_command post-test -q)
    set(post_command "list(APPEND CTEST_CUSTOM_POST_TEST ${post_command})\n")
  endif()
  _parcov_custom_command_env(pre CTEST_CUSTOM_PRE_TEST)
  _parcov_custom_command_env(post CTEST_CUSTOM_POST_TEST)
  # The project's own CTEST_CUSTOM_PRE_TEST and _POST_TEST commands are part of the ctest run
  # (a plain build counts what they run): ours goes first, so that theirs write into the new
  # data set, each list in a data directory of its own (evaluated by ctest, which reads the
  # project's settings above). Multi-config: ctest's -C is not known here, theirs run as they are.
  _parcov_write_if_changed("${file}" "${theirs}${begin}
set(_parcov_own_pre \"\${CTEST_CUSTOM_PRE_TEST}\")
set(_parcov_own_post \"\${CTEST_CUSTOM_POST_TEST}\")
set(CTEST_CUSTOM_PRE_TEST ${command})
set(CTEST_CUSTOM_POST_TEST \"\")
set(_parcov_env_pre ${pre})
set(_parcov_env_post ${post})
foreach(_parcov_command IN LISTS _parcov_own_pre)
  list(APPEND CTEST_CUSTOM_PRE_TEST \"\${_parcov_env_pre}\${_parcov_command}\")
endforeach()
foreach(_parcov_command IN LISTS _parcov_own_post)
  list(APPEND CTEST_CUSTOM_POST_TEST \"\${_parcov_env_post}\${_parcov_command}\")
endforeach()
${post_command}${end}
")
endfunction()

# The start of a command line giving one of the project's CTEST_CUSTOM_* commands the data
# directory tests/<LIST> of the current data set, as a quoted CMake string ending in a space
# (nothing with a multi-config generator), to put before the project's command.
function(_parcov_custom_command_env out list)
  get_property(multi GLOBAL PROPERTY GENERATOR_IS_MULTI_CONFIG)
  if(multi)
    set(${out} "\"\"" PARENT_SCOPE)
    return()
  endif()
  get_property(strip GLOBAL PROPERTY _PARCOV_STRIP)
  _parcov_test_environment(env "${list}" "${strip}")
  set(line "")
  foreach(arg IN ITEMS "${CMAKE_COMMAND}" -E env ${env})
    _parcov_ctest_argument(quoted "${arg}")
    string(APPEND line "${quoted} ")
  endforeach()
  _parcov_cmake_string(line "${line}")
  set(${out} "${line}" PARENT_SCOPE)
endfunction()

# CTestCustom.cmake in the top of the build tree and in every directory of DIRS that has tests.
function(_parcov_write_ctest_customs dirs)
  _parcov_write_ctest_custom("${CMAKE_BINARY_DIR}")
  foreach(dir IN LISTS dirs)
    get_property(tests DIRECTORY "${dir}" PROPERTY TESTS)
    get_property(includes DIRECTORY "${dir}" PROPERTY TEST_INCLUDE_FILES)
    get_property(binary_dir DIRECTORY "${dir}" PROPERTY BINARY_DIR)
    if((tests OR includes) AND NOT binary_dir STREQUAL CMAKE_BINARY_DIR)
      _parcov_write_ctest_custom("${binary_dir}")
    endif()
  endforeach()
endfunction()

# The settings parcov reads (README.md, "How it works").
function(_parcov_write_config)
  string(REPLACE ";" "," formats "${PARALLEL_COVERAGE_FORMATS}")
  set(text "# Written by ParallelCoverage.cmake at configure time; edits are lost.\n")
  string(APPEND text
    "version=1\n"
    "source_root=${PARALLEL_COVERAGE_ROOT}\n"
    "build_dir=${CMAKE_BINARY_DIR}\n"
    "output_dir=${PARALLEL_COVERAGE_OUTPUT_DIR}\n"
    "gcov=${PARALLEL_COVERAGE_GCOV}\n"
    "gcovr=${PARALLEL_COVERAGE_GCOVR}\n"
    "formats=${formats}\n"
    "fail_under_line=${PARALLEL_COVERAGE_FAIL_UNDER_LINE}\n"
    "fail_under_branch=${PARALLEL_COVERAGE_FAIL_UNDER_BRANCH}\n"
    "fail_under_mcdc=${PARALLEL_COVERAGE_FAIL_UNDER_MCDC}\n")
  # --- per-test and patch coverage (issue 15) ---
  # auto: on with gcov only (llvm's costs an export per test, README "Who tests what").
  get_property(backend GLOBAL PROPERTY _PARCOV_BACKEND)
  if(PARALLEL_COVERAGE_PER_TEST STREQUAL "auto" AND NOT backend STREQUAL "llvm"
     OR NOT PARALLEL_COVERAGE_PER_TEST STREQUAL "auto" AND PARALLEL_COVERAGE_PER_TEST)
    string(APPEND text "per_test=1\n")
  else()
    string(APPEND text "per_test=0\n")
  endif()
  string(APPEND text "diff_base=${PARALLEL_COVERAGE_DIFF_BASE}\n"
    "fail_under_patch=${PARALLEL_COVERAGE_FAIL_UNDER_PATCH}\n")
  # --- end of per-test and patch coverage ---
  if(PARALLEL_COVERAGE_MCDC)
    string(APPEND text "mcdc=1\n")
  endif()
  if(PARALLEL_COVERAGE_APPEND)
    string(APPEND text "append=1\n")
  else()
    string(APPEND text "append=0\n")
  endif()
  if(PARALLEL_COVERAGE_ALLOW_STALE)
    string(APPEND text "allow_stale=1\n")
  else()
    string(APPEND text "allow_stale=0\n")
  endif()
  # doctor: with the runtime, a test whose data directory has no process record ran nothing
  # instrumented.
  _parcov_runtime_enabled(runtime)
  if(runtime)
    string(APPEND text "runtime=1\n")
  else()
    string(APPEND text "runtime=0\n")
  endif()
  foreach(pattern IN LISTS PARALLEL_COVERAGE_EXCLUDE)
    string(APPEND text "exclude=${pattern}\n")
  endforeach()
  _parcov_multi_configs(configs)
  if(configs)
    # What cmake --build builds without --config: parcov's default too.
    set(default "${CMAKE_DEFAULT_BUILD_TYPE}")
    if(NOT default)
      list(GET configs 0 default)
    endif()
    string(APPEND text "default_config=${default}\n")
    foreach(config IN LISTS configs)
      string(APPEND text "config=${config}\n")
    endforeach()
  endif()
  _parcov_backend_config(text)
  _parcov_write_if_changed("${CMAKE_BINARY_DIR}/coverage-data/parcov.conf" "${text}")

  get_property(lines GLOBAL PROPERTY _PARCOV_TEST_LINES)
  string(REPLACE ";" "\n" lines "${lines}")
  if(NOT configs)
    set(configs "-")
  endif()
  foreach(config IN LISTS configs)
    _parcov_data_dir(data "${config}")
    _parcov_write_if_changed("${data}/tests.tsv" "${lines}\n")
  endforeach()
endfunction()

# The backend's lines of parcov.conf.
function(_parcov_backend_config text_var)
  get_property(backend GLOBAL PROPERTY _PARCOV_BACKEND)
  set(text "${${text_var}}backend=${backend}\n")
  if(PARALLEL_COVERAGE_LLVM_COV)
    string(APPEND text "llvm_cov=${PARALLEL_COVERAGE_LLVM_COV}\n")
  endif()
  if(PARALLEL_COVERAGE_LLVM_PROFDATA)
    string(APPEND text "llvm_profdata=${PARALLEL_COVERAGE_LLVM_PROFDATA}\n")
  endif()
  set(${text_var} "${text}" PARENT_SCOPE)
endfunction()

# llvm-cov needs every instrumented executable and shared library: their paths, one a line,
# in objects.txt of the data directory (one per configuration with a multi-config
# generator), written at generate time when the paths are known.
function(_parcov_write_binaries targets)
  get_property(backend GLOBAL PROPERTY _PARCOV_BACKEND)
  if(NOT backend STREQUAL "llvm")
    return()
  endif()
  set(content "")
  foreach(target IN LISTS targets)
    string(APPEND content "$<TARGET_FILE:${target}>\n")
  endforeach()
  _parcov_data_dir(data "$<CONFIG>")
  file(GENERATE OUTPUT "${data}/objects.txt" CONTENT "${content}")
endfunction()

# Atomic, and untouched when unchanged (its time stamp then still means something).
function(_parcov_write_if_changed file content)
  if(EXISTS "${file}")
    file(READ "${file}" old)
    if(old STREQUAL content)
      return()
    endif()
  endif()
  file(WRITE "${file}.parcov-tmp" "${content}")
  file(RENAME "${file}.parcov-tmp" "${file}")
endfunction()
