# Distributed under the MIT License. See README.md for the full manual.
#
# Read by ctest, not by cmake: tests added at test time through a directory's
# TEST_INCLUDE_FILES (gtest_discover_tests, catch_discover_tests, doctest_discover_tests, a
# project's own file) get the data directory the module gives configure-time tests
# (README.md, "How it works", "Tests discovered at test time"); with a multi-config generator,
# tests declared with add_test(name command) get their configuration's (old-signature.cmake,
# first in every other directory with tests, includes this file where one is).
#
# The module puts coverage-data/discovery-begin.cmake first and discovery-end.cmake last in
# the TEST_INCLUDE_FILES of every directory that has some. CTestTestfile.cmake includes them
# before its own add_test() calls, so only what the project's files add passes between the
# two. The begin file sets the variables below and includes this file, which replaces CTest's
# add_test() and set_tests_properties() (the originals stay reachable as _add_test and
# _set_tests_properties):
#   _PARCOV_TT_BUILD_DIR  the build tree           _PARCOV_TT_BACKEND  gcov or llvm
#   _PARCOV_TT_STRIP      GCOV_PREFIX_STRIP        _PARCOV_TT_RUNTIME  1 when the runtime is linked
#   _PARCOV_TT_TIMEOUT    DART_TESTING_TIMEOUT of the project, or empty
#   _PARCOV_TT_PARCOV     the parcov helper
# A test's data directory name comes from 'parcov test-dir', once per directory for all its
# tests at the end (one process for hundreds of names; hashing each name in CMake's math()
# cost ten times more, README.md "Tests discovered at test time").
#
# Nothing here may stop ctest: a failure would take every test of the project with it.

# ctest reads one CTestTestfile.cmake per directory into one interpreter: define once, or
# the second definition's _add_test would be the first wrapper and call itself.
if(COMMAND _parcov_tt_begin)
  return()
endif()
# ctest's interpreter sets no policies; the functions below keep these (CMP0054: quoted
# arguments of if() are never variables).
cmake_policy(VERSION 3.25...4.3)

# One argument as CMake source that reads back exactly: a bracket argument (the newline after
# the opening bracket is dropped by the parser, so a value starting with one survives) whose
# closing bracket does not occur in the value, nor straddle its end ("x]==" + "]==]").
function(_parcov_tt_quote out value)
  set(eq "==")
  while(1)
    string(FIND "${value}]" "]${eq}]" at)
    if(at EQUAL -1)
      break()
    endif()
    string(APPEND eq "=")
  endwhile()
  set(${out} "[${eq}[\n${value}]${eq}]" PARENT_SCOPE)
endfunction()

# Calls COMMAND with the arguments of the function this macro is expanded in, each exactly.
# A macro replaces ${ARGV} and ${ARGC} by its own arguments, so the function's are read
# through a variable holding their names. ]== in no argument (the usual case): quote them all
# alike, one command per argument (ctest runs this for every test of the directories it reads
# after ours).
macro(_parcov_tt_forward command)
  set(_parcov_tt_v ARGV)
  set(_parcov_tt_c ARGC)
  string(FIND "${${_parcov_tt_v}}" "]==" _parcov_tt_odd)
  set(_parcov_tt_code "")
  math(EXPR _parcov_tt_last "${${_parcov_tt_c}} - 1")
  foreach(_parcov_tt_i RANGE ${_parcov_tt_last})
    if(_parcov_tt_odd EQUAL -1)
      string(APPEND _parcov_tt_code " [==[\n${ARGV${_parcov_tt_i}}]==]")
    else()
      _parcov_tt_quote(_parcov_tt_arg "${ARGV${_parcov_tt_i}}")
      string(APPEND _parcov_tt_code " ${_parcov_tt_arg}")
    endif()
  endforeach()
  cmake_language(EVAL CODE "${command}(${_parcov_tt_code})")
endmacro()

# CTest's add_test(NAME COMMAND ARGS...), forwarded argument for argument (a name or argument
# may hold ';' or be empty, which ${ARGV} would lose), then isolated.
function(add_test)
  if(ARGC EQUAL 0)
    _add_test()
    return()
  endif()
  _parcov_tt_forward(_add_test)
  if(NOT _PARCOV_TT_ON)
    return()
  endif()
  string(HEX "${ARGV0}" key)
  if(key STREQUAL "")
    return()
  endif()
  set_property(GLOBAL APPEND PROPERTY _PARCOV_TT_KEYS "${key}")
  set_property(GLOBAL PROPERTY "_PARCOV_TT_NAME_${key}" "${ARGV0}")
  set_property(GLOBAL PROPERTY "_PARCOV_TT_ENV_${key}" "")
  set_property(GLOBAL PROPERTY "_PARCOV_TT_TIMEOUT_${key}" "${_PARCOV_TT_TIMEOUT}")
  set_property(GLOBAL PROPERTY "_PARCOV_TT_SIGNAL_${key}" "")
endfunction()

# set_tests_properties(TESTS... PROPERTIES K V ...), forwarded; the ENVIRONMENT and TIMEOUT
# of a test added since the begin file are remembered: setting ENVIRONMENT replaces the whole
# list, so ours is added to the project's at the end. So is whether it chose its own
# TIMEOUT_SIGNAL_NAME or TIMEOUT_SIGNAL_GRACE_PERIOD (then ours are not set, as at configure
# time).
function(set_tests_properties)
  if(ARGC EQUAL 0)
    _set_tests_properties()
    return()
  endif()
  # Multi-config: a test declared with add_test(name command) gets its properties as given,
  # generator expressions unevaluated, so its data directory still reads $<CONFIG>: put in
  # the configuration this ctest tests, as CMake does for add_test(NAME) tests. The path is
  # ours alone (the module's data directory).
  if(NOT _PARCOV_TT_CONFIGS STREQUAL "")
    set(literal "${_PARCOV_TT_BUILD_DIR}/coverage-data/configs/$<CONFIG>/")
    string(FIND "${ARGV}" "${literal}" at)
    if(at GREATER -1)
      _parcov_tt_data_dir()
      get_property(warned GLOBAL PROPERTY _PARCOV_TT_NO_CONFIG_WARNED)
      if(CTEST_CONFIGURATION_TYPE STREQUAL "" AND NOT warned)
        # CTest then runs the first build of the program it finds (Release/ before Debug/),
        # which need not be the configuration whose directory gets the data.
        set_property(GLOBAL PROPERTY _PARCOV_TT_NO_CONFIG_WARNED TRUE)
        message(WARNING "ParallelCoverage: ctest without -C: tests declared with "
          "add_test(name command), such as '${ARGV0}', write their coverage data into "
          "${_PARCOV_TT_DATA}, whichever configuration's program CTest runs. Name the "
          "configuration: ctest -C <config>.")
      endif()
      math(EXPR last "${ARGC} - 1")
      foreach(i RANGE ${last})
        string(REPLACE "${literal}" "${_PARCOV_TT_DATA}/" ARGV${i} "${ARGV${i}}")
      endforeach()
      string(REPLACE "${literal}" "${_PARCOV_TT_DATA}/" ARGV "${ARGV}")
    endif()
  endif()
  _parcov_tt_forward(_set_tests_properties)
  if(NOT _PARCOV_TT_ON)
    return()
  endif()
  # TESTS... PROPERTIES K V K V...: where the ENVIRONMENT and TIMEOUT values are.
  math(EXPR last "${ARGC} - 1")
  set(props -1)
  set(env_at -1)
  set(timeout_at -1)
  set(signal "")
  set(is_key FALSE)
  foreach(i RANGE ${last})
    if(props EQUAL -1)
      if(ARGV${i} STREQUAL "PROPERTIES")
        set(props ${i})
        set(is_key TRUE)
      endif()
    elseif(is_key)
      set(is_key FALSE)
      if(ARGV${i} STREQUAL "ENVIRONMENT")
        math(EXPR env_at "${i} + 1")
      elseif(ARGV${i} STREQUAL "TIMEOUT")
        math(EXPR timeout_at "${i} + 1")
      elseif(ARGV${i} STREQUAL "TIMEOUT_SIGNAL_NAME")
        list(APPEND signal name)
      elseif(ARGV${i} STREQUAL "TIMEOUT_SIGNAL_GRACE_PERIOD")
        list(APPEND signal grace)
      endif()
    else()
      set(is_key TRUE)
    endif()
  endforeach()
  if(props LESS 1 OR (env_at EQUAL -1 AND timeout_at EQUAL -1 AND signal STREQUAL "") OR
     env_at GREATER last OR timeout_at GREATER last)
    return()
  endif()
  math(EXPR last_test "${props} - 1")
  foreach(i RANGE ${last_test})
    string(HEX "${ARGV${i}}" key)
    get_property(ours GLOBAL PROPERTY "_PARCOV_TT_ENV_${key}" SET)
    if(NOT ours)
      continue()
    endif()
    if(env_at GREATER -1)
      set_property(GLOBAL PROPERTY "_PARCOV_TT_ENV_${key}" "${ARGV${env_at}}")
    endif()
    if(timeout_at GREATER -1)
      set_property(GLOBAL PROPERTY "_PARCOV_TT_TIMEOUT_${key}" "${ARGV${timeout_at}}")
    endif()
    if(NOT signal STREQUAL "")
      set_property(GLOBAL APPEND PROPERTY "_PARCOV_TT_SIGNAL_${key}" ${signal})
    endif()
  endforeach()
endfunction()

# Every test added since the begin file: its data directory (parcov test-dir, in batches that
# keep the command line short), its environment, its line in the data set's tests.tsv.
function(_parcov_tt_isolate)
  get_property(keys GLOBAL PROPERTY _PARCOV_TT_KEYS)
  set_property(GLOBAL PROPERTY _PARCOV_TT_KEYS "")
  list(LENGTH keys n)
  set(lines "")
  set(first 0)
  while(first LESS n)
    list(SUBLIST keys ${first} 500 batch)
    math(EXPR first "${first} + 500")
    execute_process(COMMAND "${_PARCOV_TT_PARCOV}" test-dir --hex ${batch}
      RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
    string(REGEX REPLACE "\n$" "" out "${out}")
    string(REPLACE "\n" ";" dirs "${out}")
    list(LENGTH batch want)
    list(LENGTH dirs got)
    if(NOT rc EQUAL 0 OR NOT got EQUAL want)
      message(WARNING "ParallelCoverage: '${_PARCOV_TT_PARCOV} test-dir' failed (${rc}): ${err}"
        "The tests added by this directory's TEST_INCLUDE_FILES are not isolated.")
      return()
    endif()
    foreach(key dir IN ZIP_LISTS batch dirs)
      get_property(env GLOBAL PROPERTY "_PARCOV_TT_ENV_${key}")
      get_property(timeout GLOBAL PROPERTY "_PARCOV_TT_TIMEOUT_${key}")
      set(data "${_PARCOV_TT_DATA}/current/tests/${dir}")
      if(_PARCOV_TT_BACKEND STREQUAL "llvm")
        list(APPEND env "LLVM_PROFILE_FILE=${data}/%m.profraw")
      else()
        list(APPEND env "GCOV_PREFIX=${data}" "GCOV_PREFIX_STRIP=${_PARCOV_TT_STRIP}")
      endif()
      if(_PARCOV_TT_RUNTIME AND timeout GREATER 0)
        list(APPEND env "PARCOV_TIMEOUT=${timeout}")
      endif()
      # As at configure time (CMake 3.27+, _parcov_timeout_properties): CTest's timeout sends
      # SIGTERM, which the runtime catches to write the counts, unless the test chose its own
      # signal; a grace period of its own is kept.
      set(more "")
      if(_PARCOV_TT_RUNTIME AND CMAKE_VERSION VERSION_GREATER_EQUAL 3.27)
        get_property(signal GLOBAL PROPERTY "_PARCOV_TT_SIGNAL_${key}")
        if(NOT "name" IN_LIST signal)
          list(APPEND more TIMEOUT_SIGNAL_NAME SIGTERM)
          if(NOT "grace" IN_LIST signal)
            list(APPEND more TIMEOUT_SIGNAL_GRACE_PERIOD 2)
          endif()
        endif()
      endif()
      get_property(name GLOBAL PROPERTY "_PARCOV_TT_NAME_${key}")
      _set_tests_properties("${name}" PROPERTIES ENVIRONMENT "${env}" ${more})
      string(APPEND lines "${dir}\t${key}\n")
    endforeach()
  endwhile()
  _parcov_tt_record("${lines}")
endfunction()

# Programs run while ctest reads the file (gtest_discover_tests PRE_TEST lists its tests by
# running the test program) write their data into the data set's discovery/ directory, which
# combine never reads, instead of next to the objects. The caller's values come back at the end.
function(_parcov_tt_set_env)
  set(data "${_PARCOV_TT_DATA}/current/discovery")
  if(_PARCOV_TT_BACKEND STREQUAL "llvm")
    set(vars LLVM_PROFILE_FILE)
    set(values "${data}/%m.profraw")
  else()
    set(vars GCOV_PREFIX GCOV_PREFIX_STRIP)
    set(values "${data}" "${_PARCOV_TT_STRIP}")
  endif()
  set(saved "")
  foreach(var value IN ZIP_LISTS vars values)
    if(DEFINED ENV{${var}})
      set_property(GLOBAL PROPERTY "_PARCOV_TT_SAVED_${var}" "$ENV{${var}}")
    endif()
    list(APPEND saved "${var}")
    set(ENV{${var}} "${value}")
  endforeach()
  set_property(GLOBAL PROPERTY _PARCOV_TT_SAVED "${saved}")
endfunction()

function(_parcov_tt_restore_env)
  get_property(vars GLOBAL PROPERTY _PARCOV_TT_SAVED)
  foreach(var IN LISTS vars)
    get_property(was_set GLOBAL PROPERTY "_PARCOV_TT_SAVED_${var}" SET)
    if(was_set)
      get_property(value GLOBAL PROPERTY "_PARCOV_TT_SAVED_${var}")
      set(ENV{${var}} "${value}")
    else()
      unset(ENV{${var}})
    endif()
    set_property(GLOBAL PROPERTY "_PARCOV_TT_SAVED_${var}")
  endforeach()
  set_property(GLOBAL PROPERTY _PARCOV_TT_SAVED "")
endfunction()

# The discovered tests' names go into the data set (tests.tsv next to its tests/, the same
# format as coverage-data/tests.tsv), so endings and doctor know them; a name already there
# (append mode, a second directory adding the same name) is not repeated.
function(_parcov_tt_record lines)
  set(run "${_PARCOV_TT_DATA}/current")
  if(lines STREQUAL "" OR NOT IS_DIRECTORY "${run}")
    return()
  endif()
  set(file "${run}/tests.tsv")
  set(old "")
  if(EXISTS "${file}")
    file(READ "${file}" old)
  endif()
  set(new "${lines}")
  if(NOT old STREQUAL "")
    set(new "")
    string(REPLACE "\n" ";" lines "${lines}")
    foreach(line IN LISTS lines)
      string(FIND "\n${old}" "\n${line}\n" at)
      if(NOT line STREQUAL "" AND at EQUAL -1)
        string(APPEND new "${line}\n")
      endif()
    endforeach()
  endif()
  if(NOT new STREQUAL "")
    file(APPEND "${file}" "${new}")
  endif()
endfunction()

# The data directory of the configuration ctest tests: coverage-data, or with a multi-config
# generator coverage-data/configs/<X> for ctest -C X (matched as CTestTestfile.cmake matches
# it, ignoring case; without -C the default configuration), as the module gives configure-time
# tests through $<CONFIG>.
macro(_parcov_tt_data_dir)
  set(_PARCOV_TT_DATA "${_PARCOV_TT_BUILD_DIR}/coverage-data")
  if(NOT _PARCOV_TT_CONFIGS STREQUAL "")
    set(_parcov_tt_config "${_PARCOV_TT_DEFAULT_CONFIG}")
    string(TOLOWER "${CTEST_CONFIGURATION_TYPE}" _parcov_tt_wanted)
    foreach(_parcov_tt_c IN LISTS _PARCOV_TT_CONFIGS)
      string(TOLOWER "${_parcov_tt_c}" _parcov_tt_lc)
      if(_parcov_tt_lc STREQUAL _parcov_tt_wanted)
        set(_parcov_tt_config "${_parcov_tt_c}")
      endif()
    endforeach()
    string(APPEND _PARCOV_TT_DATA "/configs/${_parcov_tt_config}")
  endif()
endmacro()

macro(_parcov_tt_begin)
  set(_PARCOV_TT_ON TRUE)
  _parcov_tt_data_dir()
  _parcov_tt_set_env()
endmacro()

macro(_parcov_tt_end)
  set(_PARCOV_TT_ON FALSE)
  _parcov_tt_restore_env()
  _parcov_tt_isolate()
endmacro()
