# Distributed under the MIT License. See README.md for the full manual.

#[=======================================================================[.rst:
ParallelCoverage
----------------

Correct code coverage for test suites run with ``ctest -j``.

Include it once, anywhere after ``project()``::

  find_package(ParallelCoverage)   # or list(APPEND CMAKE_MODULE_PATH <repo>/modules)
  include(ParallelCoverage)

or inject it into a project that knows nothing about it::

  cmake -S . -B build -DPARALLEL_COVERAGE=ON \
        -DCMAKE_PROJECT_INCLUDE=<repo>/modules/ParallelCoverage.cmake

Nothing happens unless ``PARALLEL_COVERAGE`` is ON. Then, at the end of the
configure step:

* every non-imported executable and library target of the project is compiled
  and linked with :variable:`PARALLEL_COVERAGE_COMPILE_OPTIONS` (GCC's
  ``--coverage`` by default), whether it was created before or after the
  include, in any directory;
* every CTest test gets its own data directory through ``GCOV_PREFIX`` and
  ``GCOV_PREFIX_STRIP`` added to its ``ENVIRONMENT``, so tests running in
  parallel never write the same ``.gcda`` file;
* ``CTestCustom.cmake`` makes each ``ctest`` run start a new data set
  (``parcov pre-test``), so repeated runs never add up;
* a ``coverage`` target (``cmake --build <dir> -t coverage``) merges the data
  of the last ``ctest`` run (``parcov combine``) and writes the reports into
  :variable:`PARALLEL_COVERAGE_OUTPUT_DIR` (``parcov report``, through gcovr).
  If the project already has a ``coverage`` target, ours is ``parcov-coverage``.

Cache variables
^^^^^^^^^^^^^^^

.. variable:: PARALLEL_COVERAGE

  ``BOOL``, default ``OFF``. Master switch.

.. variable:: PARALLEL_COVERAGE_APPEND

  ``BOOL``, default ``OFF``. Keep adding every ``ctest`` run to the same data
  set instead of starting a new one.

.. variable:: PARALLEL_COVERAGE_FORMATS

  List of report formats, from ``txt`` (``summary.txt``), ``html``
  (``html/index.html``), ``xml`` (Cobertura ``coverage.xml``), ``json``
  (gcovr JSON ``coverage.json``), ``lcov`` (lcov tracefile ``coverage.info``).
  Default: ``txt;html;xml;json``.

.. variable:: PARALLEL_COVERAGE_EXCLUDE

  List of gcovr regular expressions; a relative one is matched against source
  paths relative to :variable:`PARALLEL_COVERAGE_ROOT`. Default
  ``tests/;test/;examples/``.

.. variable:: PARALLEL_COVERAGE_FAIL_UNDER_LINE
.. variable:: PARALLEL_COVERAGE_FAIL_UNDER_BRANCH

  Percentages (``0``–``100``); the ``coverage`` target fails when the total
  line or branch coverage is below them. Empty (default): no threshold.

.. variable:: PARALLEL_COVERAGE_ROOT

  Source root of the report. Default: ``CMAKE_SOURCE_DIR``.

.. variable:: PARALLEL_COVERAGE_OUTPUT_DIR

  Where reports go. Default: ``<build>/coverage``.

.. variable:: PARALLEL_COVERAGE_COMPILE_OPTIONS

  Options added to C and C++ compilations of instrumented targets. Default:
  ``--coverage;-fprofile-abs-path;-O0``. ``-fprofile-abs-path`` records
  absolute source paths in the notes files so reports find the sources from
  any directory; ``-O0`` keeps one counter per source line, so counts map to
  the lines a reader sees.

.. variable:: PARALLEL_COVERAGE_EXCLUDE_TARGETS

  Targets never instrumented (for example code generators run at build time).
  Setting the target property ``PARALLEL_COVERAGE_EXCLUDE`` to true does the
  same from the target's own directory.

.. variable:: PARALLEL_COVERAGE_GCOV

  The gcov matching the compiler. Default: found next to the compiler
  (``gcc-12`` gives ``gcov-12``).

.. variable:: PARALLEL_COVERAGE_GCOVR

  The gcovr executable.

.. variable:: PARALLEL_COVERAGE_PARCOV

  The ``parcov`` helper. Default: the installed package's, or one built at
  configure time from the sources next to this module (a separate build, never
  instrumented).
#]=======================================================================]

include_guard(GLOBAL)

if(CMAKE_VERSION VERSION_LESS 3.25)
  message(FATAL_ERROR "ParallelCoverage needs CMake 3.25 or newer (this is ${CMAKE_VERSION}).")
endif()

cmake_policy(PUSH)
cmake_policy(VERSION 3.25...4.3)

# Where this file lives, for the bootstrap build of parcov.
set(_PARCOV_MODULE_DIR "${CMAKE_CURRENT_LIST_DIR}")

option(PARALLEL_COVERAGE "Instrument the project for coverage and isolate each CTest test's data" OFF)
option(PARALLEL_COVERAGE_APPEND "Add each ctest run to the previous coverage data instead of replacing it" OFF)
set(PARALLEL_COVERAGE_FORMATS "txt;html;xml;json" CACHE STRING
  "Coverage report formats: txt, html, xml (Cobertura), json (gcovr), lcov (tracefile)")
set(PARALLEL_COVERAGE_EXCLUDE "tests/;test/;examples/" CACHE STRING
  "gcovr regexes of sources left out of the report (relative ones are relative to PARALLEL_COVERAGE_ROOT)")
set(PARALLEL_COVERAGE_FAIL_UNDER_LINE "" CACHE STRING
  "Fail the coverage target below this total line coverage percentage (empty: never)")
set(PARALLEL_COVERAGE_FAIL_UNDER_BRANCH "" CACHE STRING
  "Fail the coverage target below this total branch coverage percentage (empty: never)")
set(PARALLEL_COVERAGE_ROOT "${CMAKE_SOURCE_DIR}" CACHE PATH "Source root of the coverage report")
set(PARALLEL_COVERAGE_OUTPUT_DIR "${CMAKE_BINARY_DIR}/coverage" CACHE PATH
  "Directory the coverage reports are written to")
set(PARALLEL_COVERAGE_COMPILE_OPTIONS "--coverage;-fprofile-abs-path;-O0" CACHE STRING
  "Compile options added to instrumented C and C++ targets")
set(PARALLEL_COVERAGE_EXCLUDE_TARGETS "" CACHE STRING "Targets that are never instrumented")
mark_as_advanced(PARALLEL_COVERAGE_APPEND PARALLEL_COVERAGE_ROOT PARALLEL_COVERAGE_OUTPUT_DIR
  PARALLEL_COVERAGE_COMPILE_OPTIONS PARALLEL_COVERAGE_EXCLUDE_TARGETS)


# Compiler of the project: C if enabled, else C++.
function(_parcov_compiler out_id out_version out_path)
  get_property(languages GLOBAL PROPERTY ENABLED_LANGUAGES)
  foreach(lang IN ITEMS C CXX)
    if(lang IN_LIST languages)
      set(${out_id} "${CMAKE_${lang}_COMPILER_ID}" PARENT_SCOPE)
      set(${out_version} "${CMAKE_${lang}_COMPILER_VERSION}" PARENT_SCOPE)
      set(${out_path} "${CMAKE_${lang}_COMPILER}" PARENT_SCOPE)
      return()
    endif()
  endforeach()
  message(FATAL_ERROR
    "ParallelCoverage: include it after project() with C or C++ enabled "
    "(enabled languages: '${languages}').")
endfunction()

# The gcov of the same GCC: 'x86_64-linux-gnu-gcc-12' -> 'x86_64-linux-gnu-gcov-12', then
# 'gcov-<major>', then 'gcov' if its version matches.
function(_parcov_find_gcov compiler version)
  if(PARALLEL_COVERAGE_GCOV)
    return()
  endif()
  get_filename_component(dir "${compiler}" DIRECTORY)
  get_filename_component(name "${compiler}" NAME)
  string(REGEX MATCH "^[0-9]+" major "${version}")
  set(candidates "")
  if(name MATCHES "gcc")
    string(REPLACE "gcc" "gcov" guess "${name}")
    list(APPEND candidates "${guess}")
  endif()
  list(APPEND candidates "gcov-${major}")
  find_program(PARALLEL_COVERAGE_GCOV NAMES ${candidates} HINTS "${dir}" NO_CACHE)
  if(NOT PARALLEL_COVERAGE_GCOV)
    find_program(gcov NAMES gcov HINTS "${dir}" NO_CACHE)
    if(gcov)
      execute_process(COMMAND "${gcov}" --version OUTPUT_VARIABLE out ERROR_QUIET)
      if(out MATCHES " ${major}\\.[0-9]+")
        set(PARALLEL_COVERAGE_GCOV "${gcov}")
      endif()
    endif()
  endif()
  if(NOT PARALLEL_COVERAGE_GCOV)
    message(FATAL_ERROR
      "ParallelCoverage: no gcov for GCC ${version} (tried ${candidates} and gcov next to "
      "${compiler}). Install it (Debian: apt-get install gcc-${major}) or set "
      "-DPARALLEL_COVERAGE_GCOV=/path/to/gcov-${major}.")
  endif()
  set(PARALLEL_COVERAGE_GCOV "${PARALLEL_COVERAGE_GCOV}" CACHE FILEPATH
    "gcov matching the compiler (used by gcovr)")
endfunction()

# parcov: the installed one, a user-given one, or a bootstrap build of the sources beside
# this module, made at configure time in its own build tree so the project's flags (and our
# instrumentation) never reach it.
function(_parcov_find_parcov)
  if(PARALLEL_COVERAGE_PARCOV)
    return()
  endif()
  if(DEFINED ParallelCoverage_PARCOV_EXECUTABLE AND EXISTS "${ParallelCoverage_PARCOV_EXECUTABLE}")
    set(PARALLEL_COVERAGE_PARCOV "${ParallelCoverage_PARCOV_EXECUTABLE}" CACHE FILEPATH
      "The parcov helper")
    return()
  endif()
  get_filename_component(src "${_PARCOV_MODULE_DIR}/.." ABSOLUTE)
  if(NOT EXISTS "${src}/src/parcov.c")
    message(FATAL_ERROR
      "ParallelCoverage: no parcov found. Install the ParallelCoverage package and use "
      "find_package(ParallelCoverage), or set -DPARALLEL_COVERAGE_PARCOV=/path/to/parcov.")
  endif()
  set(bin "${CMAKE_BINARY_DIR}/_parcov")
  message(STATUS "ParallelCoverage: building parcov from ${src}")
  execute_process(
    COMMAND "${CMAKE_COMMAND}" -S "${src}" -B "${bin}" -G "${CMAKE_GENERATOR}"
            -DCMAKE_BUILD_TYPE=Release -DCMAKE_C_FLAGS= -DPARCOV_BUILD_TESTS=OFF
            -DPARCOV_INSTALL_RULES=OFF -DPARCOV_WERROR=OFF
    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(rc EQUAL 0)
    execute_process(COMMAND "${CMAKE_COMMAND}" --build "${bin}" --target parcov
      RESULT_VARIABLE rc OUTPUT_VARIABLE out2 ERROR_VARIABLE out2)
    string(APPEND out "${out2}")
  endif()
  if(NOT rc EQUAL 0 OR NOT EXISTS "${bin}/parcov")
    message(FATAL_ERROR
      "ParallelCoverage: building parcov in ${bin} failed:\n${out}\n"
      "parcov needs a C11 compiler and json-c (Debian: apt-get install libjson-c-dev).")
  endif()
  set(PARALLEL_COVERAGE_PARCOV "${bin}/parcov" CACHE FILEPATH "The parcov helper")
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
      get_property(known TEST "${acc}" DIRECTORY "${dir}" PROPERTY NAME SET)
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
  foreach(i RANGE ${last})
    list(GET dirs ${i} test_dir)
    list(GET hexes ${i} hex)
    set(env
      "GCOV_PREFIX=${CMAKE_BINARY_DIR}/coverage-data/current/tests/${test_dir}"
      "GCOV_PREFIX_STRIP=${strip}")
    if(dir STREQUAL CMAKE_CURRENT_SOURCE_DIR)
      set_property(TEST "${_PARCOV_TEST_${i}}" APPEND PROPERTY ENVIRONMENT "${env}")
    else()
      set_property(TEST "${_PARCOV_TEST_${i}}" DIRECTORY "${dir}" APPEND PROPERTY ENVIRONMENT "${env}")
    endif()
    set_property(GLOBAL APPEND PROPERTY _PARCOV_TEST_LINES "${test_dir}\t${hex}")
  endforeach()
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

# Every directory of the build, depth first.
function(_parcov_all_dirs out dir)
  set(result "${dir}")
  get_property(subdirs DIRECTORY "${dir}" PROPERTY SUBDIRECTORIES)
  foreach(sub IN LISTS subdirs)
    _parcov_all_dirs(below "${sub}")
    list(APPEND result ${below})
  endforeach()
  set(${out} "${result}" PARENT_SCOPE)
endfunction()

function(_parcov_instrument_targets dirs)
  set(options "")
  foreach(opt IN LISTS PARALLEL_COVERAGE_COMPILE_OPTIONS)
    list(APPEND options "$<$<COMPILE_LANGUAGE:C,CXX>:${opt}>")
  endforeach()
  set(count 0)
  foreach(dir IN LISTS dirs)
    get_property(targets DIRECTORY "${dir}" PROPERTY BUILDSYSTEM_TARGETS)
    foreach(target IN LISTS targets)
      get_target_property(type "${target}" TYPE)
      get_target_property(excluded "${target}" PARALLEL_COVERAGE_EXCLUDE)
      if(NOT type MATCHES "^(EXECUTABLE|STATIC_LIBRARY|SHARED_LIBRARY|MODULE_LIBRARY|OBJECT_LIBRARY)$"
         OR excluded OR target IN_LIST PARALLEL_COVERAGE_EXCLUDE_TARGETS)
        continue()
      endif()
      set_property(TARGET "${target}" APPEND PROPERTY COMPILE_OPTIONS "${options}")
      if(type MATCHES "^(STATIC|OBJECT)_LIBRARY$")
        # Whatever links these needs libgcov, even a target we leave alone.
        set_property(TARGET "${target}" APPEND PROPERTY
          INTERFACE_LINK_OPTIONS "$<BUILD_INTERFACE:--coverage>")
      else()
        set_property(TARGET "${target}" APPEND PROPERTY LINK_OPTIONS "--coverage")
      endif()
      math(EXPR count "${count} + 1")
    endforeach()
  endforeach()
  set(_PARCOV_INSTRUMENTED ${count} PARENT_SCOPE)
endfunction()

# Quote one argument for the command lines CTest runs from CTEST_CUSTOM_PRE_TEST.
function(_parcov_quote out arg)
  string(REPLACE "\\" "\\\\" arg "${arg}")
  string(REPLACE "\"" "\\\"" arg "${arg}")
  set(${out} "\"${arg}\"" PARENT_SCOPE)
endfunction()

# CTestCustom.cmake is read by ctest from the build directory. A project may write its own
# during configure: keep its content and append our block.
function(_parcov_write_ctest_custom)
  set(file "${CMAKE_BINARY_DIR}/CTestCustom.cmake")
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
  _parcov_quote(exe "${PARALLEL_COVERAGE_PARCOV}")
  _parcov_quote(build "${CMAKE_BINARY_DIR}")
  set(command "${exe} pre-test -C ${build}")
  string(REPLACE "\\" "\\\\" command "${command}")
  string(REPLACE "\"" "\\\"" command "${command}")
  _parcov_write_if_changed("${file}"
    "${theirs}${begin}\nlist(APPEND CTEST_CUSTOM_PRE_TEST \"${command}\")\n${end}\n")
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
    "fail_under_branch=${PARALLEL_COVERAGE_FAIL_UNDER_BRANCH}\n")
  if(PARALLEL_COVERAGE_APPEND)
    string(APPEND text "append=1\n")
  else()
    string(APPEND text "append=0\n")
  endif()
  foreach(pattern IN LISTS PARALLEL_COVERAGE_EXCLUDE)
    string(APPEND text "exclude=${pattern}\n")
  endforeach()
  _parcov_write_if_changed("${CMAKE_BINARY_DIR}/coverage-data/parcov.conf" "${text}")

  get_property(lines GLOBAL PROPERTY _PARCOV_TEST_LINES)
  string(REPLACE ";" "\n" lines "${lines}")
  _parcov_write_if_changed("${CMAKE_BINARY_DIR}/coverage-data/tests.tsv" "${lines}\n")
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

# Runs once, at the end of the top-level directory: everything is declared by then.
function(_parcov_finish)
  _parcov_all_dirs(dirs "${CMAKE_SOURCE_DIR}")
  _parcov_instrument_targets("${dirs}")

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

  _parcov_write_config()
  _parcov_write_ctest_custom()

  set(name coverage)
  if(TARGET coverage)
    set(name parcov-coverage)
    message(STATUS "ParallelCoverage: the project has its own 'coverage' target; ours is 'parcov-coverage'")
  endif()
  add_custom_target(${name}
    COMMAND "${PARALLEL_COVERAGE_PARCOV}" combine -C "${CMAKE_BINARY_DIR}"
    COMMAND "${PARALLEL_COVERAGE_PARCOV}" report -C "${CMAKE_BINARY_DIR}"
    WORKING_DIRECTORY "${CMAKE_BINARY_DIR}"
    USES_TERMINAL
    VERBATIM
    COMMENT "Merging the coverage data of the last ctest run and writing reports")
  get_property(count GLOBAL PROPERTY _PARCOV_TEST_LINES)
  list(LENGTH count count)
  message(STATUS "ParallelCoverage: ${_PARCOV_INSTRUMENTED} targets instrumented, ${count} tests isolated; "
    "run ctest -j N, then cmake --build ${CMAKE_BINARY_DIR} -t ${name}")
endfunction()

function(_parcov_enable)
  _parcov_compiler(id version compiler)
  if(NOT id STREQUAL "GNU")
    message(FATAL_ERROR
      "ParallelCoverage: compiler '${id}' is not supported yet; this version supports GCC "
      "(gcov). Configure with CC=gcc, or set PARALLEL_COVERAGE=OFF.")
  endif()
  _parcov_find_gcov("${compiler}" "${version}")
  find_program(PARALLEL_COVERAGE_GCOVR NAMES gcovr DOC "The gcovr executable")
  if(NOT PARALLEL_COVERAGE_GCOVR)
    message(FATAL_ERROR
      "ParallelCoverage: gcovr not found. Install it (Debian: apt-get install gcovr) "
      "or set -DPARALLEL_COVERAGE_GCOVR=/path/to/gcovr.")
  endif()
  _parcov_find_parcov()

  # GCOV_PREFIX_STRIP drops these leading components of each object's absolute .gcda path,
  # so a test's data lands under its directory at the same build-relative path.
  string(REGEX REPLACE "[^/]" "" slashes "${CMAKE_BINARY_DIR}")
  string(LENGTH "${slashes}" strip)
  set_property(GLOBAL PROPERTY _PARCOV_STRIP ${strip})

  set_property(DIRECTORY PROPERTY _PARCOV_SCHEDULED TRUE)
  cmake_language(DEFER CALL _parcov_isolate_current_dir)
  variable_watch(CMAKE_CURRENT_LIST_DIR _parcov_on_list_dir)
  cmake_language(DEFER DIRECTORY "${CMAKE_SOURCE_DIR}" CALL _parcov_finish)
endfunction()

if(PARALLEL_COVERAGE)
  _parcov_enable()
endif()

cmake_policy(POP)
