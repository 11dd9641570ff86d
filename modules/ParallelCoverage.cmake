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
  and linked with :variable:`PARALLEL_COVERAGE_COMPILE_OPTIONS` (``--coverage``
  for the gcov backend, ``-fprofile-instr-generate -fcoverage-mapping`` for
  Clang's source-based coverage, see :variable:`PARALLEL_COVERAGE_BACKEND`),
  whether it was created before or after the include, in any directory;
* every CTest test gets its own data directory through ``GCOV_PREFIX`` and
  ``GCOV_PREFIX_STRIP`` (gcov) or ``LLVM_PROFILE_FILE`` (llvm) added to its
  ``ENVIRONMENT``, so tests running in parallel never write the same file; tests
  that ``ctest`` adds from a directory's ``TEST_INCLUDE_FILES``
  (``gtest_discover_tests()``, ``catch_discover_tests()``, ``doctest_discover_tests()``)
  get the same when ctest reads them (``ParallelCoverage/DiscoveredTests.cmake``);
* ``CTestCustom.cmake`` makes each ``ctest`` run start a new data set
  (``parcov pre-test``), so repeated runs never add up;
* a ``coverage`` target (``cmake --build <dir> -t coverage``) merges the data
  of the last ``ctest`` run (``parcov combine``) and writes the reports into
  :variable:`PARALLEL_COVERAGE_OUTPUT_DIR` (``parcov report``, gcovr's numbers
  without gcovr, or ``llvm-profdata`` and ``llvm-cov`` for the llvm backend).
  ``coverage-doctor`` (``parcov doctor``) and ``coverage-clean`` (``parcov clean``)
  next to it. If the project already has a target of one of these names, ours is
  ``parcov-<name>``. With a multi-config generator each configuration has its own
  data, and the targets work on the configuration being built (``--config X``).

Cache variables
^^^^^^^^^^^^^^^

.. variable:: PARALLEL_COVERAGE

  ``BOOL``, default ``OFF``. Master switch.

.. variable:: PARALLEL_COVERAGE_BACKEND

  ``auto`` (default), ``gcov`` or ``llvm``. ``auto`` is ``gcov`` with GCC and
  ``llvm`` (source-based coverage) with Clang. ``gcov`` with Clang uses
  Clang's ``--coverage`` and ``llvm-cov gcov`` of Clang's version.

.. variable:: PARALLEL_COVERAGE_APPEND

  ``BOOL``, default ``OFF``. Keep adding every ``ctest`` run to the same data
  set instead of starting a new one.

.. variable:: PARALLEL_COVERAGE_FORMATS

  List of report formats, from ``txt`` (``summary.txt``), ``html``
  (``html/index.html``), ``xml`` (Cobertura ``coverage.xml``), ``json``
  (gcovr JSON ``coverage.json``), ``lcov`` (lcov tracefile ``coverage.info``),
  ``md`` (Markdown ``summary.md``), ``sonarqube``
  (SonarQube generic coverage ``sonarqube.xml``), ``coveralls`` (Coveralls job
  ``coveralls.json``). Default: ``txt;html;xml;json``.

.. variable:: PARALLEL_COVERAGE_EXCLUDE

  List of gcovr regular expressions; a relative one is matched against source
  paths relative to :variable:`PARALLEL_COVERAGE_ROOT`. Default
  ``tests/;test/;examples/``. With the llvm backend they become llvm-cov's
  ``-ignore-filename-regex`` (POSIX extended syntax), anchored the same way.

.. variable:: PARALLEL_COVERAGE_FAIL_UNDER_LINE
.. variable:: PARALLEL_COVERAGE_FAIL_UNDER_BRANCH
.. variable:: PARALLEL_COVERAGE_FAIL_UNDER_MCDC

  Percentages (``0``–``100``); the ``coverage`` target fails when the total
  line, branch or MC/DC condition coverage is below them. Empty (default): no
  threshold. The MC/DC one needs :variable:`PARALLEL_COVERAGE_MCDC`.

.. variable:: PARALLEL_COVERAGE_MCDC

  ``BOOL``, default ``OFF``. MC/DC (modified condition/decision coverage) with
  Clang 18 or newer and the llvm backend: compiles with ``-fcoverage-mcdc``; the
  reports gain per-file MC/DC columns and the line
  ``MC/DC: C of N conditions covered (P%)``. Other compilers stop the configure
  step with an error saying what to use.

.. variable:: PARALLEL_COVERAGE_ALLOW_STALE

  ``OFF`` (default): the ``coverage`` target and ``parcov report`` fail when data
  of the last test run is older than its object (the object was rebuilt since
  the tests ran), since the report would leave it out. ``ON``: report without it.

.. variable:: PARALLEL_COVERAGE_ROOT

  Source root of the report. Default: ``CMAKE_SOURCE_DIR``.

.. variable:: PARALLEL_COVERAGE_OUTPUT_DIR

  Where reports go. Default: ``<build>/coverage``.

.. variable:: PARALLEL_COVERAGE_COMPILE_OPTIONS

  Options added to C and C++ compilations of instrumented targets. Empty
  (default): the backend's, ``--coverage;-fprofile-abs-path`` with GCC,
  ``--coverage`` with Clang's gcov, and
  ``-fprofile-instr-generate;-fcoverage-mapping`` with llvm, plus per target
  ``-O0`` and the counter updates of :variable:`PARALLEL_COVERAGE_ATOMIC`.
  ``-fprofile-abs-path`` records absolute source paths in the notes files so
  reports find the sources from any directory. ``-O0`` keeps one counter per
  source line, so counts map to the lines a reader sees; it is added only
  where the project chose no optimisation itself: not to a target with an
  ``-O`` in its ``COMPILE_OPTIONS`` (which start as its directory's), its
  ``COMPILE_FLAGS`` or the ``INTERFACE_COMPILE_OPTIONS`` of what it links,
  nor for a language whose ``CMAKE_<LANG>_FLAGS`` has an ``-O``, nor for a
  configuration whose ``CMAKE_<LANG>_FLAGS_<CONFIG>`` has an ``-O`` other than
  CMake's default for it (``Release``'s ``-O3`` is CMake's choice: ``-O0``
  overrides it, and the configure step says so). When set, the list is used
  as given for every target: no ``-O0`` and no ``-fprofile-update`` added.

.. variable:: PARALLEL_COVERAGE_ATOMIC

  ``auto`` (default), ``ON`` or ``OFF``: whether counters are updated with
  atomic instructions (``-fprofile-update=atomic``), which keeps counts exact
  when threads run the same code and makes hot instrumented code several
  times slower. ``auto``: where code runs in threads. A target starts threads
  when a line of one of its ``SOURCES`` does (``pthread_create``,
  ``std::thread``, ``std::async``, ``thrd_create``, ``#include <thread>``,
  ``#pragma omp``, TBB, Boost.Thread, GLib, libuv, Qt threads) or when it links
  a runtime that starts its own (``OpenMP::*``, ``TBB::*``,
  ``Boost::thread``, ``gomp``, ``tbb``, ``-fopenmp`` anywhere in its link
  closure, options or directory flags). Such a target, and every target that
  links one, gets atomic updates, and so does every instrumented target in
  its link closure. Linking ``Threads::Threads`` or ``pthread`` starts no
  thread and is no reason. Other targets, and all with ``OFF``, get
  ``-fprofile-update=single`` (GCC would otherwise choose atomic updates
  under ``-pthread``); ``ON``: every target atomic. The target property
  ``PARALLEL_COVERAGE_ATOMIC`` (``ON``/``OFF``) decides for one target: set it
  ``ON`` where threads are started by code the scan does not read (a header
  not in ``SOURCES``, an imported library running callbacks in its threads).

.. variable:: PARALLEL_COVERAGE_RUNTIME

  ``BOOL``, default ``ON``. With GCC or Clang (either backend), link the
  ParallelCoverage runtime (compiled at configure time with the project's
  compiler and our own options only, never the project's flags) into every
  instrumented executable and shared library: it keeps the counters of
  processes that end with ``_exit()``, a fatal signal or a timeout, counts
  work done before a ``fork()`` once, and records how each test process ended
  so ``parcov`` can name tests that crashed, timed out or wrote no data.
  Tests with a ``TIMEOUT`` get ``PARCOV_TIMEOUT`` in their environment (the
  runtime's watchdog takes snapshots before it; ``ctest --timeout`` does the same
  for tests without one) and, on CMake 3.27 and newer,
  ``TIMEOUT_SIGNAL_NAME`` ``SIGTERM`` with a grace period of
  ``TIMEOUT_SIGNAL_GRACE_PERIOD`` 2 seconds (a test's own signal or grace
  period wins). A test program run outside ctest only to list its tests
  (``gtest_discover_tests`` ``POST_BUILD``, Catch2, doctest) writes its data
  into ``coverage-data/discovery-runs/``, not next to the objects.

.. variable:: PARALLEL_COVERAGE_EXCLUDE_TARGETS

  Targets never instrumented (for example code generators run at build time).
  Setting the target property ``PARALLEL_COVERAGE_EXCLUDE`` to true does the
  same from the target's own directory.

.. variable:: PARALLEL_COVERAGE_GCOV

  The gcov matching the compiler. Default: found next to the compiler
  (``gcc-12`` gives ``gcov-12``); with Clang, ``llvm-cov-<major> gcov`` (a
  command line: gcovr splits it like a shell).

.. variable:: PARALLEL_COVERAGE_LLVM_COV
.. variable:: PARALLEL_COVERAGE_LLVM_PROFDATA

  ``llvm-cov`` and ``llvm-profdata`` of Clang's version (``clang-14`` gives
  ``llvm-cov-14``), for the llvm backend and Clang's gcov.

.. variable:: PARALLEL_COVERAGE_GCOVR

  The gcovr executable: only for ``PARCOV_REPORTER=gcovr`` (gcovr's numbers and
  HTML) and the fallback when parcov's reader cannot match gcovr; parcov writes
  every report itself, and configuring without gcovr is fine.

.. variable:: PARALLEL_COVERAGE_PARCOV

  The ``parcov`` helper. Default: the installed package's, or one built at
  configure time from the sources next to this module (a separate build with the
  project's generator, never instrumented, taking none of the project's toolchain file,
  compilers or flags: ``build/_parcov/parcov``, ``build/_parcov/Release/parcov`` under a
  multi-config generator). The ``coverage``, ``coverage-doctor`` and ``coverage-clean``
  targets run it.
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
  "Coverage report formats: txt, html, xml (Cobertura), json (gcovr), lcov (tracefile), md, sonarqube, coveralls")
set(PARALLEL_COVERAGE_EXCLUDE "tests/;test/;examples/" CACHE STRING
  "gcovr regexes of sources left out of the report (relative ones are relative to PARALLEL_COVERAGE_ROOT)")
set(PARALLEL_COVERAGE_FAIL_UNDER_LINE "" CACHE STRING
  "Fail the coverage target below this total line coverage percentage (empty: never)")
set(PARALLEL_COVERAGE_FAIL_UNDER_BRANCH "" CACHE STRING
  "Fail the coverage target below this total branch coverage percentage (empty: never)")
set(PARALLEL_COVERAGE_FAIL_UNDER_MCDC "" CACHE STRING
  "Fail the coverage target below this total MC/DC condition coverage percentage (empty: never)")
option(PARALLEL_COVERAGE_MCDC "MC/DC coverage (Clang 18 or newer, llvm backend)" OFF)
option(PARALLEL_COVERAGE_ALLOW_STALE
  "Report even when objects were rebuilt since the tests ran (their old data is left out)" OFF)
set(PARALLEL_COVERAGE_ROOT "${CMAKE_SOURCE_DIR}" CACHE PATH "Source root of the coverage report")
set(PARALLEL_COVERAGE_OUTPUT_DIR "${CMAKE_BINARY_DIR}/coverage" CACHE PATH
  "Directory the coverage reports are written to")
set(PARALLEL_COVERAGE_COMPILE_OPTIONS "" CACHE STRING
  "Compile options added to instrumented C and C++ targets (empty: the backend's)")
option(PARALLEL_COVERAGE_RUNTIME
  "Link the runtime that keeps coverage of crashing, _exit()ing, forking and timed-out tests" ON)
set(PARALLEL_COVERAGE_ATOMIC "auto" CACHE STRING
  "Atomic coverage counters: auto (targets that use threads), ON (all targets), OFF (none)")
set_property(CACHE PARALLEL_COVERAGE_ATOMIC PROPERTY STRINGS auto ON OFF)
set(PARALLEL_COVERAGE_EXCLUDE_TARGETS "" CACHE STRING "Targets that are never instrumented")
set(PARALLEL_COVERAGE_BACKEND "auto" CACHE STRING
  "Coverage backend: auto (GCC: gcov, Clang: llvm), gcov, or llvm (Clang's source-based coverage)")
set_property(CACHE PARALLEL_COVERAGE_BACKEND PROPERTY STRINGS auto gcov llvm)
mark_as_advanced(PARALLEL_COVERAGE_APPEND PARALLEL_COVERAGE_ROOT PARALLEL_COVERAGE_OUTPUT_DIR
  PARALLEL_COVERAGE_COMPILE_OPTIONS PARALLEL_COVERAGE_EXCLUDE_TARGETS PARALLEL_COVERAGE_RUNTIME
  PARALLEL_COVERAGE_ATOMIC)


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

# --- Backends (gcov with GCC or Clang; llvm: Clang's source-based coverage) ---------------

# Resolve PARALLEL_COVERAGE_BACKEND for this compiler, find the tools it needs, and record
# it in the global property _PARCOV_BACKEND (gcov or llvm) for the deferred calls.
function(_parcov_choose_backend out id version compiler)
  set(backend "${PARALLEL_COVERAGE_BACKEND}")
  if(NOT backend MATCHES "^(auto|gcov|llvm)$")
    message(FATAL_ERROR
      "ParallelCoverage: PARALLEL_COVERAGE_BACKEND='${backend}' is not one of auto, gcov, llvm.")
  endif()
  if(NOT id MATCHES "^(GNU|Clang)$")
    message(FATAL_ERROR
      "ParallelCoverage: compiler '${id}' is not supported; ParallelCoverage supports GCC "
      "(gcov) and Clang (gcov or llvm). Configure with CC=gcc or CC=clang, or set "
      "PARALLEL_COVERAGE=OFF.")
  endif()
  if(backend STREQUAL "auto")
    if(id STREQUAL "GNU")
      set(backend gcov)
    else()
      set(backend llvm)
    endif()
  endif()
  if(backend STREQUAL "llvm" AND NOT id STREQUAL "Clang")
    message(FATAL_ERROR
      "ParallelCoverage: PARALLEL_COVERAGE_BACKEND=llvm needs Clang (the compiler is ${id} "
      "${version}). Configure with CC=clang, or use the gcov backend.")
  endif()
  if(id STREQUAL "Clang")
    _parcov_find_llvm_tools("${compiler}" "${version}" "${backend}")
  endif()
  set_property(GLOBAL PROPERTY _PARCOV_BACKEND "${backend}")
  set(${out} "${backend}" PARENT_SCOPE)
endfunction()

# llvm-cov (and for the llvm backend llvm-profdata) of Clang's version: 'clang-14' ->
# 'llvm-cov-14', also next to the compiler (/usr/lib/llvm-14/bin/llvm-cov). Clang's gcov data
# needs its own llvm-cov: GCC's gcov says "version mismatch". For the gcov backend the gcov
# command gcovr runs is "<llvm-cov> gcov" (gcovr 5 splits --gcov-executable like a shell).
function(_parcov_find_llvm_tools compiler version backend)
  get_filename_component(dir "${compiler}" DIRECTORY)
  get_filename_component(real "${compiler}" REALPATH)
  get_filename_component(real_dir "${real}" DIRECTORY)
  string(REGEX MATCH "^[0-9]+" major "${version}")
  set(tools llvm-cov)
  if(backend STREQUAL "llvm")
    list(APPEND tools llvm-profdata)
  endif()
  foreach(tool IN LISTS tools)
    string(TOUPPER "${tool}" var)
    string(REPLACE "-" "_" var "PARALLEL_COVERAGE_${var}")
    if(NOT ${var})
      unset(found)
      find_program(found NAMES ${tool}-${major} HINTS "${dir}" "${real_dir}" NO_CACHE)
      if(NOT found)
        find_program(found NAMES ${tool} HINTS "${real_dir}" "${dir}" NO_CACHE)
        if(found)
          execute_process(COMMAND "${found}" --version OUTPUT_VARIABLE out ERROR_QUIET)
          if(NOT out MATCHES "LLVM version ${major}\\.")
            set(found "")
          endif()
        endif()
      endif()
      if(NOT found)
        message(FATAL_ERROR
          "ParallelCoverage: no ${tool} for Clang ${version} (tried ${tool}-${major} and "
          "${tool} next to ${compiler}). Install it (Debian: apt-get install llvm-${major}) "
          "or set -D${var}=/path/to/${tool}-${major}.")
      endif()
      set(${var} "${found}" CACHE FILEPATH "${tool} matching Clang")
    endif()
  endforeach()
  if(backend STREQUAL "gcov" AND NOT PARALLEL_COVERAGE_GCOV)
    # Quoted for gcovr's shell-like split: a path may hold spaces.
    string(REPLACE "'" "'\\''" quoted "${PARALLEL_COVERAGE_LLVM_COV}")
    set(PARALLEL_COVERAGE_GCOV "'${quoted}' gcov" CACHE STRING
      "gcov command matching the compiler (used by gcovr)")
  endif()
endfunction()

# The compile options and the link option of the backend (PARALLEL_COVERAGE_COMPILE_OPTIONS
# when set). -O0 and the counter updates are per target: _parcov_target_options.
function(_parcov_backend_flags out_compile out_link)
  get_property(backend GLOBAL PROPERTY _PARCOV_BACKEND)
  _parcov_compiler(id version compiler)
  if(backend STREQUAL "llvm")
    set(options -fprofile-instr-generate -fcoverage-mapping)
    set(link -fprofile-instr-generate)
  elseif(id STREQUAL "GNU")
    set(options --coverage -fprofile-abs-path)
    set(link --coverage)
  else()
    # Clang has no -fprofile-abs-path: CMake passes absolute source paths, which Clang's
    # notes record as given.
    set(options --coverage)
    set(link --coverage)
  endif()
  if(NOT PARALLEL_COVERAGE_COMPILE_OPTIONS STREQUAL "")
    set(options "${PARALLEL_COVERAGE_COMPILE_OPTIONS}")
  endif()
  set(${out_compile} "${options}" PARENT_SCOPE)
  set(${out_link} "${link}" PARENT_SCOPE)
endfunction()

# --- Per-target compile options: optimisation and counter updates (README "Optimisation and
# atomic counters") --------------------------------------------------------------------------

# The patterns of the per-target decisions, as local variables of the caller (a macro: the
# module may be included in a directory whose variables the final call does not see).
# _PARCOV_OPT_REGEX: an -O option in a flags string or list, also inside a generator
# expression. _PARCOV_THREAD_SOURCE_REGEX: a source line that starts threads. The others:
# targets, libraries and options of runtimes that start threads of their own.
macro(_parcov_option_patterns)
  set(_PARCOV_OPT_REGEX "(^|[ ;:>\"])-O([0-9sgz]|fast)?($|[ ;>\"])")
  set(_PARCOV_THREAD_SOURCE_REGEX
    "pthread_create|thrd_create|std::thread|std::jthread|std::async|#[ \t]*include[ \t]*<thread>|#[ \t]*pragma[ \t]+omp|std::execution::par|tbb::|boost::thread|g_thread_new|g_thread_pool_new|uv_thread_create|uv_queue_work|QThread|QtConcurrent|_beginthread|CreateThread")
  set(_PARCOV_THREAD_TARGET_REGEX "^(OpenMP::.*|TBB::.*|Boost::thread)$")
  set(_PARCOV_THREAD_LIBRARY_REGEX
    "(^|/)(lib)?(gomp|omp|iomp5|tbb|tbb[0-9]+|boost_thread[^/]*)(\\.so[.0-9]*|\\.a)?$")
  set(_PARCOV_THREAD_OPTION_REGEX
    "(^|[ ;:,>\"])(-fopenmp|-fopenmp=[^ ;>\"]*|-qopenmp|-lgomp|-liomp5|-lomp|-ltbb[0-9]*)($|[ ;,>\"])")
endmacro()

# Whether TARGET is one ParallelCoverage instruments.
function(_parcov_is_instrumented target out)
  get_target_property(type "${target}" TYPE)
  get_target_property(excluded "${target}" PARALLEL_COVERAGE_EXCLUDE)
  if(NOT type MATCHES "^(EXECUTABLE|STATIC_LIBRARY|SHARED_LIBRARY|MODULE_LIBRARY|OBJECT_LIBRARY)$"
     OR excluded OR target IN_LIST PARALLEL_COVERAGE_EXCLUDE_TARGETS)
    set(${out} FALSE PARENT_SCOPE)
  else()
    set(${out} TRUE PARENT_SCOPE)
  endif()
endfunction()

# The link closure of TARGET: the targets reached through its LINK_LIBRARIES and,
# recursively, their INTERFACE_LINK_LIBRARIES ($<LINK_ONLY:x> included), in ${out_targets};
# the other link items in ${out_items}.
function(_parcov_link_closure target out_targets out_items)
  set(queue "${target}")
  set(seen "")
  set(items_seen "")
  while(queue)
    list(POP_FRONT queue t)
    if(t IN_LIST seen)
      continue()
    endif()
    list(APPEND seen "${t}")
    if(t STREQUAL target)
      get_target_property(items "${t}" LINK_LIBRARIES)
    else()
      get_target_property(items "${t}" INTERFACE_LINK_LIBRARIES)
    endif()
    if(NOT items)
      continue()
    endif()
    foreach(item IN LISTS items)
      # A static library's private dependency, and the ::@(dir) markers of
      # target_link_libraries() called from another directory.
      if(item MATCHES "^\\$<LINK_ONLY:([^$<>]+)>$")
        set(item "${CMAKE_MATCH_1}")
      endif()
      if(item MATCHES "^::@")
        continue()
      endif()
      if(TARGET "${item}")
        get_target_property(aliased "${item}" ALIASED_TARGET)
        if(aliased)
          set(item "${aliased}")
        endif()
        list(APPEND queue "${item}")
      else()
        list(APPEND items_seen "${item}")
      endif()
    endforeach()
  endwhile()
  list(REMOVE_ITEM seen "${target}")
  set(${out_targets} "${seen}" PARENT_SCOPE)
  set(${out_items} "${items_seen}" PARENT_SCOPE)
endfunction()

# Why TARGET starts threads itself, or empty: a line of its own sources that starts threads
# (pthread_create, std::thread, std::async, thrd_create, an OpenMP pragma, TBB...), or a
# runtime that starts threads of its own (OpenMP, TBB, Boost.Thread) among what it links or
# in its compile or link options or its directory's flags.
function(_parcov_starts_threads target closure items out)
  _parcov_option_patterns()
  get_target_property(dir "${target}" SOURCE_DIR)
  get_target_property(bin "${target}" BINARY_DIR)
  get_target_property(sources "${target}" SOURCES)
  foreach(source IN LISTS sources)
    if(source MATCHES "\\$<" OR NOT source MATCHES
       "\\.(c|cc|cp|cpp|cxx|c\\+\\+|C|CPP|h|hh|hpp|hxx|h\\+\\+|H|inl|ipp|tcc|txx|m|mm)$")
      continue()
    endif()
    foreach(base IN ITEMS "" "${dir}/" "${bin}/")
      if(NOT IS_ABSOLUTE "${source}" OR base STREQUAL "")
        set(path "${base}${source}")
        if(IS_ABSOLUTE "${path}" AND EXISTS "${path}" AND NOT IS_DIRECTORY "${path}")
          file(STRINGS "${path}" hit REGEX "${_PARCOV_THREAD_SOURCE_REGEX}" LIMIT_COUNT 1)
          if(hit)
            string(REGEX MATCH "${_PARCOV_THREAD_SOURCE_REGEX}" what "${hit}")
            get_filename_component(name "${source}" NAME)
            set(${out} "${what} in ${name}" PARENT_SCOPE)
            return()
          endif()
          break()
        endif()
      endif()
    endforeach()
  endforeach()
  foreach(t IN LISTS closure)
    if(t MATCHES "${_PARCOV_THREAD_TARGET_REGEX}")
      set(${out} "links ${t}" PARENT_SCOPE)
      return()
    endif()
  endforeach()
  foreach(item IN LISTS items)
    if(item MATCHES "${_PARCOV_THREAD_LIBRARY_REGEX}")
      set(${out} "links ${item}" PARENT_SCOPE)
      return()
    endif()
  endforeach()
  set(texts "")
  foreach(prop IN ITEMS COMPILE_OPTIONS COMPILE_FLAGS LINK_OPTIONS LINK_FLAGS)
    get_target_property(value "${target}" ${prop})
    list(APPEND texts "${value}")
  endforeach()
  foreach(t IN LISTS closure)
    foreach(prop IN ITEMS INTERFACE_COMPILE_OPTIONS INTERFACE_LINK_OPTIONS)
      get_target_property(value "${t}" ${prop})
      list(APPEND texts "${value}")
    endforeach()
  endforeach()
  foreach(var IN ITEMS CMAKE_C_FLAGS CMAKE_CXX_FLAGS CMAKE_EXE_LINKER_FLAGS
                       CMAKE_SHARED_LINKER_FLAGS CMAKE_MODULE_LINKER_FLAGS)
    get_directory_property(value DIRECTORY "${dir}" DEFINITION ${var})
    list(APPEND texts "${value}")
  endforeach()
  foreach(text IN LISTS texts)
    if(text MATCHES "${_PARCOV_THREAD_OPTION_REGEX}")
      set(${out} "uses ${CMAKE_MATCH_2}" PARENT_SCOPE)
      return()
    endif()
  endforeach()
  set(${out} "" PARENT_SCOPE)
endfunction()

# PARALLEL_COVERAGE_ATOMIC=auto: which of TARGETS run code in threads. A target that starts
# threads (_parcov_starts_threads), and every instrumented target linked with it into one
# binary, may run in several threads at once: each of them gets atomic counters. A binary
# that links a target starting threads is such a binary too (a thread pool in a library runs
# the program's callbacks). Records the reason in the target property _PARCOV_THREADS_WHY;
# linking Threads::Threads or pthread alone is no reason: thread-safe libraries (googletest)
# link it without ever starting a thread.
function(_parcov_decide_threads targets)
  set(starters "")
  foreach(target IN LISTS targets)
    _parcov_link_closure("${target}" closure items)
    set_property(TARGET "${target}" PROPERTY _PARCOV_CLOSURE "${closure}")
    _parcov_starts_threads("${target}" "${closure}" "${items}" why)
    if(why)
      list(APPEND starters "${target}")
      set_property(TARGET "${target}" PROPERTY _PARCOV_THREADS_WHY "starts threads: ${why}")
    endif()
  endforeach()
  foreach(target IN LISTS targets)
    get_target_property(closure "${target}" _PARCOV_CLOSURE)
    set(starter "")
    foreach(t IN LISTS closure)
      if(t IN_LIST starters)
        set(starter "${t}")
        break()
      endif()
    endforeach()
    if(NOT target IN_LIST starters AND NOT starter)
      continue()
    endif()
    if(starter)
      set_property(TARGET "${target}" PROPERTY _PARCOV_THREADS_WHY
        "links ${starter}, which starts threads")
    endif()
    foreach(t IN LISTS closure)
      if(t IN_LIST targets)
        get_target_property(why "${t}" _PARCOV_THREADS_WHY)
        if(NOT why)
          set_property(TARGET "${t}" PROPERTY _PARCOV_THREADS_WHY
            "linked into ${target}, which runs threads")
        endif()
      endif()
    endforeach()
  endforeach()
endfunction()

# The link closures of the instrumented targets of DIRS (target property _PARCOV_CLOSURE)
# and, with PARALLEL_COVERAGE_ATOMIC=auto, which of them run threads.
function(_parcov_decide_target_options dirs)
  set(instrumented "")
  foreach(dir IN LISTS dirs)
    get_property(targets DIRECTORY "${dir}" PROPERTY BUILDSYSTEM_TARGETS)
    foreach(target IN LISTS targets)
      _parcov_is_instrumented("${target}" yes)
      if(yes)
        list(APPEND instrumented "${target}")
      endif()
    endforeach()
  endforeach()
  string(TOLOWER "${PARALLEL_COVERAGE_ATOMIC}" mode)
  if(mode STREQUAL "auto")
    _parcov_decide_threads("${instrumented}")
  else()
    foreach(target IN LISTS instrumented)
      _parcov_link_closure("${target}" closure items)
      set_property(TARGET "${target}" PROPERTY _PARCOV_CLOSURE "${closure}")
    endforeach()
  endif()
endfunction()

# Whether TARGET chose its own optimisation: an -O in its COMPILE_OPTIONS (which start as
# its directory's), its COMPILE_FLAGS, or the INTERFACE_COMPILE_OPTIONS of what it links.
function(_parcov_own_optimisation target out)
  _parcov_option_patterns()
  get_target_property(closure "${target}" _PARCOV_CLOSURE)
  set(texts "")
  foreach(prop IN ITEMS COMPILE_OPTIONS COMPILE_FLAGS)
    get_target_property(value "${target}" ${prop})
    list(APPEND texts "${value}")
  endforeach()
  foreach(t IN LISTS closure)
    get_target_property(value "${t}" INTERFACE_COMPILE_OPTIONS)
    list(APPEND texts "${value}")
  endforeach()
  if(texts MATCHES "${_PARCOV_OPT_REGEX}")
    set(${out} TRUE PARENT_SCOPE)
  else()
    set(${out} FALSE PARENT_SCOPE)
  endif()
endfunction()

# The configurations of the build: CMAKE_CONFIGURATION_TYPES, or CMAKE_BUILD_TYPE.
function(_parcov_configs out)
  get_property(multi GLOBAL PROPERTY GENERATOR_IS_MULTI_CONFIG)
  if(multi)
    set(${out} "${CMAKE_CONFIGURATION_TYPES}" PARENT_SCOPE)
  else()
    set(${out} "${CMAKE_BUILD_TYPE}" PARENT_SCOPE)
  endif()
endfunction()

# -O0 for the languages and configurations of DIR whose flags set no optimisation of the
# project's own: CMAKE_<LANG>_FLAGS without -O, and CMAKE_<LANG>_FLAGS_<CONFIG> without -O
# or still CMake's default for that build type (Release's -O3 is CMake's choice, not the
# project's). Sets ${out} to generator expressions, ${out_kept} to the flag variables that
# keep their -O, and ${out_overridden} to the configurations whose default -O gives way.
function(_parcov_default_o0 dir out out_kept out_overridden)
  _parcov_option_patterns()
  get_property(languages GLOBAL PROPERTY ENABLED_LANGUAGES)
  _parcov_configs(configs)
  get_property(multi GLOBAL PROPERTY GENERATOR_IS_MULTI_CONFIG)
  set(result "")
  set(kept "")
  set(overridden "")
  foreach(lang IN ITEMS C CXX)
    if(NOT lang IN_LIST languages)
      continue()
    endif()
    get_directory_property(flags DIRECTORY "${dir}" DEFINITION CMAKE_${lang}_FLAGS)
    if(flags MATCHES "${_PARCOV_OPT_REGEX}")
      list(APPEND kept "${lang}:CMAKE_${lang}_FLAGS")
      continue()
    endif()
    set(need "")
    foreach(config IN LISTS configs)
      string(TOUPPER "${config}" upper)
      get_directory_property(cflags DIRECTORY "${dir}" DEFINITION CMAKE_${lang}_FLAGS_${upper})
      get_directory_property(init DIRECTORY "${dir}" DEFINITION CMAKE_${lang}_FLAGS_${upper}_INIT)
      string(REGEX REPLACE "[ \t]+" " " cflags " ${cflags} ")
      string(REGEX REPLACE "[ \t]+" " " init " ${init} ")
      if(cflags MATCHES "${_PARCOV_OPT_REGEX}" AND NOT cflags STREQUAL init)
        list(APPEND kept "${lang}:CMAKE_${lang}_FLAGS_${upper}")
      else()
        list(APPEND need "${config}")
        if(cflags MATCHES "${_PARCOV_OPT_REGEX}")
          list(APPEND overridden "${config}")
        endif()
      endif()
    endforeach()
    if(NOT multi)
      if(need OR configs STREQUAL "")
        list(APPEND result "$<$<COMPILE_LANGUAGE:${lang}>:-O0>")
      endif()
    elseif(need)
      list(JOIN need "," need)
      list(APPEND result "$<$<AND:$<COMPILE_LANGUAGE:${lang}>,$<CONFIG:${need}>>:-O0>")
    endif()
  endforeach()
  list(REMOVE_DUPLICATES overridden)
  set(${out} "${result}" PARENT_SCOPE)
  set(${out_kept} "${kept}" PARENT_SCOPE)
  set(${out_overridden} "${overridden}" PARENT_SCOPE)
endfunction()

# The options ParallelCoverage adds to TARGET beyond the backend's: -O0 where the project
# chose no optimisation (see _parcov_default_o0), and the counter updates: atomic where the
# target's code runs in threads (PARALLEL_COVERAGE_ATOMIC auto, _parcov_decide_threads),
# everywhere (ON) or nowhere (OFF); elsewhere -fprofile-update=single, which also keeps GCC's
# driver from choosing atomic updates by itself under -pthread. The target property
# PARALLEL_COVERAGE_ATOMIC (ON/OFF) overrides the cache variable.
# Counts what it decided in the global properties _PARCOV_ATOMIC_TARGETS and
# _PARCOV_OWN_O_TARGETS, for the configure message.
function(_parcov_target_options target out)
  set(result "")
  _parcov_own_optimisation("${target}" own)
  if(own)
    set_property(GLOBAL APPEND PROPERTY _PARCOV_OWN_O_TARGETS "${target}")
  else()
    get_target_property(dir "${target}" SOURCE_DIR)
    _parcov_default_o0("${dir}" o0 kept overridden)
    list(APPEND result ${o0})
  endif()
  get_target_property(mode "${target}" PARALLEL_COVERAGE_ATOMIC)
  if(mode STREQUAL "mode-NOTFOUND" OR mode STREQUAL "")
    set(mode "${PARALLEL_COVERAGE_ATOMIC}")
  endif()
  string(TOLOWER "${mode}" mode)
  if(mode STREQUAL "auto")
    get_target_property(why "${target}" _PARCOV_THREADS_WHY)
    if(why)
      set(atomic TRUE)
    else()
      set(atomic FALSE)
    endif()
  elseif(mode MATCHES "^(on|yes|true|1)$")
    set(atomic TRUE)
    set(why "PARALLEL_COVERAGE_ATOMIC")
  elseif(mode MATCHES "^(off|no|false|0)$")
    set(atomic FALSE)
  else()
    message(FATAL_ERROR "ParallelCoverage: PARALLEL_COVERAGE_ATOMIC='${mode}' (or the target "
      "property of ${target}) is not one of auto, ON, OFF.")
  endif()
  if(atomic)
    list(APPEND result "$<$<COMPILE_LANGUAGE:C,CXX>:-fprofile-update=atomic>")
    set_property(GLOBAL APPEND PROPERTY _PARCOV_ATOMIC_TARGETS "${target} (${why})")
  else()
    list(APPEND result "$<$<COMPILE_LANGUAGE:C,CXX>:-fprofile-update=single>")
  endif()
  set(${out} "${result}" PARENT_SCOPE)
endfunction()

# One configure line each on optimisation and atomic counters: what was decided and why.
function(_parcov_report_target_options)
  if(NOT PARALLEL_COVERAGE_COMPILE_OPTIONS STREQUAL "")
    message(STATUS "ParallelCoverage: compile options from PARALLEL_COVERAGE_COMPILE_OPTIONS, "
      "used as given (no -O0 or -fprofile-update added)")
    return()
  endif()
  get_property(atomic GLOBAL PROPERTY _PARCOV_ATOMIC_TARGETS)
  list(LENGTH atomic n)
  if(n GREATER 12)
    # A long list would bury the rest of the output.
    list(SUBLIST atomic 0 12 atomic)
    math(EXPR more "${n} - 12")
    list(APPEND atomic "${more} more")
  endif()
  if(atomic)
    list(JOIN atomic ", " atomic)
    set(atomic ": ${atomic}")
  endif()
  message(STATUS "ParallelCoverage: atomic counters (PARALLEL_COVERAGE_ATOMIC=${PARALLEL_COVERAGE_ATOMIC}) "
    "in ${n} targets${atomic}")
  get_property(own GLOBAL PROPERTY _PARCOV_OWN_O_TARGETS)
  _parcov_default_o0("${CMAKE_SOURCE_DIR}" o0 kept overridden)
  set(text "-O0 added where the project sets no -O")
  if(overridden)
    list(JOIN overridden ", " overridden)
    string(APPEND text " (CMake's default -O of ${overridden} is overridden)")
  endif()
  if(kept)
    list(JOIN kept ", " kept)
    string(APPEND text "; the project's own -O kept in ${kept}")
  endif()
  if(own)
    list(JOIN own ", " own)
    string(APPEND text "; targets keeping their own -O: ${own}")
  endif()
  message(STATUS "ParallelCoverage: ${text}")
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

# The data directory parcov uses for configuration CONFIG: coverage-data, or with a
# multi-config generator coverage-data/configs/CONFIG (each configuration has its own data
# sets; its objects live in their own directories), so switching configurations never mixes
# their data. CONFIG may be $<CONFIG> where generator expressions are evaluated.
function(_parcov_data_dir out config)
  get_property(multi GLOBAL PROPERTY GENERATOR_IS_MULTI_CONFIG)
  if(multi)
    set(${out} "${CMAKE_BINARY_DIR}/coverage-data/configs/${config}" PARENT_SCOPE)
  else()
    set(${out} "${CMAKE_BINARY_DIR}/coverage-data" PARENT_SCOPE)
  endif()
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

# parcov: the installed one, a user-given one, or a bootstrap build of the sources beside
# this module, made at configure time in its own build tree so the project's flags (and our
# instrumentation) never reach it. It is a tool of the build machine: the project's toolchain
# file, compilers and flags, also those given through the environment (CC, CFLAGS,
# CMAKE_TOOLCHAIN_FILE...), are kept away from it. Same generator as the project; with a
# multi-config one, its Release configuration.
function(_parcov_find_parcov)
  set(bin "${CMAKE_BINARY_DIR}/_parcov")
  get_property(multi GLOBAL PROPERTY GENERATOR_IS_MULTI_CONFIG)
  if(multi)
    set(exe "${bin}/Release/parcov")
  else()
    set(exe "${bin}/parcov")
  endif()
  # Our own bootstrap build is brought up to date at every configure (a vendored copy may
  # have been updated); any other parcov is the user's or the package's.
  if(PARALLEL_COVERAGE_PARCOV AND NOT PARALLEL_COVERAGE_PARCOV STREQUAL "${exe}")
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
  set(clean_env "${CMAKE_COMMAND}" -E env)
  foreach(var IN ITEMS CC CXX CFLAGS CXXFLAGS CPPFLAGS LDFLAGS CMAKE_TOOLCHAIN_FILE
      CMAKE_BUILD_TYPE CMAKE_CONFIGURATION_TYPES CMAKE_C_COMPILER_LAUNCHER
      CMAKE_EXPORT_COMPILE_COMMANDS CMAKE_GENERATOR_PLATFORM CMAKE_GENERATOR_TOOLSET)
    list(APPEND clean_env "--unset=${var}")
  endforeach()
  # Configured once; later, --build alone re-runs that configure when parcov's CMake files
  # change and recompiles changed sources.
  set(rc 0)
  set(out "")
  if(NOT EXISTS "${bin}/CMakeCache.txt")
    message(STATUS "ParallelCoverage: building parcov from ${src}")
    set(make_program "")
    if(CMAKE_MAKE_PROGRAM)
      set(make_program "-DCMAKE_MAKE_PROGRAM=${CMAKE_MAKE_PROGRAM}")
    endif()
    execute_process(
      COMMAND ${clean_env} "${CMAKE_COMMAND}" -S "${src}" -B "${bin}" -G "${CMAKE_GENERATOR}"
              ${make_program} -DCMAKE_BUILD_TYPE=Release -DCMAKE_CONFIGURATION_TYPES=Release
              -DCMAKE_C_FLAGS= -DPARCOV_BUILD_TESTS=OFF
              -DPARCOV_INSTALL_RULES=OFF -DPARCOV_WERROR=OFF
      RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  endif()
  if(rc EQUAL 0)
    execute_process(
      COMMAND ${clean_env} "${CMAKE_COMMAND}" --build "${bin}" --config Release --target parcov
      RESULT_VARIABLE rc OUTPUT_VARIABLE out2 ERROR_VARIABLE out2)
    string(APPEND out "${out2}")
  endif()
  if(NOT rc EQUAL 0 OR NOT EXISTS "${exe}")
    message(FATAL_ERROR
      "ParallelCoverage: building parcov in ${bin} failed:\n${out}\n"
      "parcov needs a C11 compiler and json-c (Debian: apt-get install libjson-c-dev).")
  endif()
  set(PARALLEL_COVERAGE_PARCOV "${exe}" CACHE FILEPATH "The parcov helper")
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
      # an INHERITED property answers for every existing test (see _parcov_enable).
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

# The runtime (src/runtime/parcov_rt.c, README "Endings"), compiled at configure time into
# one object of the build tree, linked into instrumented binaries as a file. It is compiled by
# the project's compiler (C, or C++ in a project without C) with our options only: none of the
# project's CMAKE_<LANG>_FLAGS*, directory options or definitions reach it, so -std=c89,
# -pedantic-errors, -Werror with any warning, -fvisibility=hidden, LTO or sanitizers never
# break it, and no coverage flag instruments it. From the project's flags only the ones that
# choose the target ABI are kept (-m32, --target=...), without which it would not link.
# Recompiled when the source, the compiler or these options change (the key in a stamp file).
function(_parcov_add_runtime out_object)
  set(source "${_PARCOV_MODULE_DIR}/../src/runtime/parcov_rt.c")
  if(NOT EXISTS "${source}")
    message(FATAL_ERROR "ParallelCoverage: the runtime source ${source} is missing; reinstall "
      "ParallelCoverage or set -DPARALLEL_COVERAGE_RUNTIME=OFF.")
  endif()
  get_filename_component(source "${source}" ABSOLUTE)
  # A changed runtime source re-runs the configure step, which recompiles it.
  set_property(DIRECTORY "${CMAKE_SOURCE_DIR}" APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${source}")
  get_property(languages GLOBAL PROPERTY ENABLED_LANGUAGES)
  if("C" IN_LIST languages)
    set(lang C)
    set(args -x c -std=gnu11)
  else()
    set(lang CXX)
    set(args -x c++)
  endif()
  list(APPEND args -O2 -fPIC -w)
  _parcov_runtime_build_dir_definition(definition)
  list(APPEND args "-D${definition}")
  if(CMAKE_${lang}_COMPILER_TARGET AND CMAKE_${lang}_COMPILE_OPTIONS_TARGET)
    list(APPEND args "${CMAKE_${lang}_COMPILE_OPTIONS_TARGET}${CMAKE_${lang}_COMPILER_TARGET}")
  endif()
  if(CMAKE_SYSROOT)
    list(APPEND args "--sysroot=${CMAKE_SYSROOT}")
  endif()
  string(TOUPPER "${CMAKE_BUILD_TYPE}" config)
  separate_arguments(project_flags UNIX_COMMAND
    "${CMAKE_${lang}_FLAGS} ${CMAKE_${lang}_FLAGS_${config}}")
  foreach(flag IN LISTS project_flags)
    if(flag MATCHES "^(-m(32|64|x32|16)|-march=.*|-mabi=.*|--target=.*|-m?float-abi=.*)$")
      list(APPEND args "${flag}")
    endif()
  endforeach()
  get_property(backend GLOBAL PROPERTY _PARCOV_BACKEND)
  if(backend STREQUAL "llvm")
    list(APPEND args -DPARCOV_RT_LLVM)
  elseif(CMAKE_${lang}_COMPILER_ID STREQUAL "Clang")
    list(APPEND args -DPARCOV_RT_CLANG_GCOV)
  endif()
  set(compiler "${CMAKE_${lang}_COMPILER}")
  if(CMAKE_${lang}_COMPILER_ARG1)
    separate_arguments(arg1 UNIX_COMMAND "${CMAKE_${lang}_COMPILER_ARG1}")
    list(PREPEND args ${arg1})
  endif()
  file(SHA256 "${source}" source_hash)
  file(TIMESTAMP "${compiler}" compiler_time "%s" UTC)
  set(key "${source_hash} ${compiler} ${CMAKE_${lang}_COMPILER_VERSION} ${compiler_time} ${args}")
  # Under _parcov/, which parcov never searches for the project's objects.
  set(dir "${CMAKE_BINARY_DIR}/_parcov/runtime")
  set(object "${dir}/parcov_rt.o")
  set(stamp "${dir}/parcov_rt.key")
  set(old "")
  if(EXISTS "${stamp}" AND EXISTS "${object}")
    file(READ "${stamp}" old)
  endif()
  if(NOT old STREQUAL key)
    file(MAKE_DIRECTORY "${dir}")
    # Written under a temporary name: a failed compile leaves no half object to link.
    execute_process(COMMAND "${compiler}" ${args} -c "${source}" -o "${object}.tmp"
      RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
    if(NOT rc EQUAL 0)
      list(JOIN args " " shown)
      message(FATAL_ERROR "ParallelCoverage: compiling the runtime failed:\n"
        "  ${compiler} ${shown} -c ${source}\n${out}\n"
        "Set -DPARALLEL_COVERAGE_RUNTIME=OFF to build without it.")
    endif()
    file(RENAME "${object}.tmp" "${object}")
    file(WRITE "${stamp}" "${key}")
  endif()
  set(${out_object} "${object}" PARENT_SCOPE)
endfunction()

# The build tree, as a C string for the runtime: a test program run outside ctest only to list
# its tests (POST_BUILD discovery) writes its data under its coverage-data/discovery-runs/.
function(_parcov_runtime_build_dir_definition out)
  string(REPLACE "\\" "\\\\" dir "${CMAKE_BINARY_DIR}")
  string(REPLACE "\"" "\\\"" dir "${dir}")
  set(${out} "PARCOV_RT_BUILD_DIR=\"${dir}\"" PARENT_SCOPE)
endfunction()

# The runtime (README "Endings") drives libgcov's internals (GCC) or Clang's runtimes (llvm
# backend: compiler-rt's profile runtime; gcov backend: its GCDAProfiling).
function(_parcov_runtime_enabled out)
  get_property(backend GLOBAL PROPERTY _PARCOV_BACKEND)
  _parcov_compiler(id version compiler)
  if(PARALLEL_COVERAGE_RUNTIME AND (id STREQUAL "GNU" OR id STREQUAL "Clang"))
    set(${out} TRUE PARENT_SCOPE)
  else()
    set(${out} FALSE PARENT_SCOPE)
  endif()
endfunction()

function(_parcov_instrument_targets dirs)
  _parcov_backend_flags(compile_options link)
  # MC/DC: Clang's condition bitmaps on top of the backend's options (_parcov_check_mcdc).
  if(PARALLEL_COVERAGE_MCDC AND NOT "-fcoverage-mcdc" IN_LIST compile_options)
    list(APPEND compile_options -fcoverage-mcdc)
  endif()
  set(options "")
  foreach(opt IN LISTS compile_options)
    list(APPEND options "$<$<COMPILE_LANGUAGE:C,CXX>:${opt}>")
  endforeach()
  _parcov_runtime_enabled(runtime)
  if(runtime)
    _parcov_add_runtime(runtime_object)
  endif()
  set(count 0)
  set(binaries "")
  if(PARALLEL_COVERAGE_COMPILE_OPTIONS STREQUAL "")
    _parcov_decide_target_options("${dirs}")
  endif()
  foreach(dir IN LISTS dirs)
    get_property(targets DIRECTORY "${dir}" PROPERTY BUILDSYSTEM_TARGETS)
    foreach(target IN LISTS targets)
      _parcov_is_instrumented("${target}" instrumented)
      if(NOT instrumented)
        continue()
      endif()
      get_target_property(type "${target}" TYPE)
      set(own_options "")
      if(PARALLEL_COVERAGE_COMPILE_OPTIONS STREQUAL "")
        _parcov_target_options("${target}" own_options)
      endif()
      set_property(TARGET "${target}" APPEND PROPERTY COMPILE_OPTIONS "${options}" ${own_options})
      if(type MATCHES "^(STATIC|OBJECT)_LIBRARY$")
        # Whatever links these needs libgcov, even a target we leave alone.
        set_property(TARGET "${target}" APPEND PROPERTY
          INTERFACE_LINK_OPTIONS "$<BUILD_INTERFACE:${link}>")
      else()
        set_property(TARGET "${target}" APPEND PROPERTY LINK_OPTIONS "${link}")
        list(APPEND binaries "${target}")
        if(runtime)
          # _exit(), killpg() (Check's timeout) and exec called from statically linked code
          # (Debian's libcheck.a) go through the runtime; the executable exports the state
          # every runtime copy shares.
          set_property(TARGET "${target}" APPEND PROPERTY SOURCES "${runtime_object}")
          set_property(TARGET "${target}" APPEND PROPERTY LINK_OPTIONS
            "LINKER:--wrap=_exit,--wrap=_Exit,--wrap=killpg,--wrap=execve,--wrap=execv,--wrap=execvp,--wrap=execvpe,--wrap=fexecve")
          if(type STREQUAL "EXECUTABLE")
            set_property(TARGET "${target}" APPEND PROPERTY LINK_OPTIONS
              "LINKER:--export-dynamic-symbol=parcov_rt_state_v1")
          endif()
        endif()
      endif()
      math(EXPR count "${count} + 1")
    endforeach()
  endforeach()
  _parcov_write_binaries("${binaries}")
  set(_PARCOV_INSTRUMENTED ${count} PARENT_SCOPE)
endfunction()

# Quote one argument for the command lines CTest runs from CTEST_CUSTOM_PRE_TEST.
function(_parcov_quote out arg)
  string(REPLACE "\\" "\\\\" arg "${arg}")
  string(REPLACE "\"" "\\\"" arg "${arg}")
  set(${out} "\"${arg}\"" PARENT_SCOPE)
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
    "fail_under_branch=${PARALLEL_COVERAGE_FAIL_UNDER_BRANCH}\n"
    "fail_under_mcdc=${PARALLEL_COVERAGE_FAIL_UNDER_MCDC}\n")
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

# The configurations of a multi-config generator (empty for a single-config one).
function(_parcov_multi_configs out)
  set(configs "")
  get_property(multi GLOBAL PROPERTY GENERATOR_IS_MULTI_CONFIG)
  if(multi)
    _parcov_configs(configs)
  endif()
  set(${out} "${configs}" PARENT_SCOPE)
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
  set(count 0)
  foreach(dir IN LISTS dirs)
    get_property(files DIRECTORY "${dir}" PROPERTY TEST_INCLUDE_FILES)
    get_property(file DIRECTORY "${dir}" PROPERTY TEST_INCLUDE_FILE)
    if(NOT file STREQUAL "")
      list(PREPEND files "${file}")
      set_property(DIRECTORY "${dir}" PROPERTY TEST_INCLUDE_FILE)
    endif()
    if(files STREQUAL "")
      continue()
    endif()
    set_property(DIRECTORY "${dir}" PROPERTY TEST_INCLUDE_FILES "${begin}" ${files} "${end}")
    math(EXPR count "${count} + 1")
  endforeach()
  if(count GREATER 0 AND NOT EXISTS "${script}")
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
  _parcov_multi_configs(configs)
  set(default_config "${CMAKE_DEFAULT_BUILD_TYPE}")
  if(configs AND NOT default_config)
    list(GET configs 0 default_config)
  endif()
  string(CONCAT text
    "# Written by ParallelCoverage.cmake; read by ctest before a directory's TEST_INCLUDE_FILES.\n"
    "set(_PARCOV_TT_BUILD_DIR [==[${CMAKE_BINARY_DIR}]==])\n"
    "set(_PARCOV_TT_CONFIGS [==[${configs}]==])\n"
    "set(_PARCOV_TT_DEFAULT_CONFIG [==[${default_config}]==])\n"
    "set(_PARCOV_TT_BACKEND ${backend})\n"
    "set(_PARCOV_TT_STRIP ${strip})\n"
    "set(_PARCOV_TT_RUNTIME ${runtime})\n"
    "set(_PARCOV_TT_TIMEOUT \"${timeout}\")\n"
    "set(_PARCOV_TT_PARCOV [==[${PARALLEL_COVERAGE_PARCOV}]==])\n"
    "include([==[${script}]==])\n"
    "_parcov_tt_begin()\n")
  _parcov_write_if_changed("${begin}" "${text}")
  _parcov_write_if_changed("${end}"
    "# Written by ParallelCoverage.cmake; read by ctest after a directory's TEST_INCLUDE_FILES.\n_parcov_tt_end()\n")
  set(${out} ${count} PARENT_SCOPE)
endfunction()

# A custom target running parcov commands on this build tree, so no one needs to know where
# parcov lives: NAME, or parcov-NAME when the project already has a target NAME (out: the
# name used). Each command is "COMMAND [OPTIONS]"; a multi-config generator passes the
# configuration being built (--config $<CONFIG>).
function(_parcov_add_target out name comment)
  if(TARGET ${name})
    message(STATUS "ParallelCoverage: the project has its own '${name}' target; ours is 'parcov-${name}'")
    set(name parcov-${name})
  endif()
  set(config "")
  get_property(multi GLOBAL PROPERTY GENERATOR_IS_MULTI_CONFIG)
  if(multi)
    set(config --config "$<CONFIG>")
  endif()
  set(commands "")
  foreach(command IN LISTS ARGN)
    separate_arguments(command UNIX_COMMAND "${command}")
    list(APPEND commands COMMAND "${PARALLEL_COVERAGE_PARCOV}" ${command} ${config}
      -C "${CMAKE_BINARY_DIR}")
  endforeach()
  add_custom_target(${name} ${commands}
    WORKING_DIRECTORY "${CMAKE_BINARY_DIR}"
    USES_TERMINAL
    VERBATIM
    COMMENT "${comment}")
  set(${out} "${name}" PARENT_SCOPE)
endfunction()

# Runs once, at the end of the top-level directory: everything is declared by then.
function(_parcov_finish)
  _parcov_all_dirs(dirs "${CMAKE_SOURCE_DIR}")
  _parcov_instrument_targets("${dirs}")
  _parcov_report_target_options()

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

  _parcov_wrap_test_includes(discovery "${dirs}")

  _parcov_write_config()
  _parcov_write_ctest_custom("${CMAKE_BINARY_DIR}")
  foreach(dir IN LISTS dirs)
    get_property(tests DIRECTORY "${dir}" PROPERTY TESTS)
    get_property(includes DIRECTORY "${dir}" PROPERTY TEST_INCLUDE_FILES)
    get_property(binary_dir DIRECTORY "${dir}" PROPERTY BINARY_DIR)
    if((tests OR includes) AND NOT binary_dir STREQUAL CMAKE_BINARY_DIR)
      _parcov_write_ctest_custom("${binary_dir}")
    endif()
  endforeach()

  # doctor --before-report stops on what would make the report empty or wrong, saying the fix.
  _parcov_add_target(name coverage
    "Merging the coverage data of the last ctest run and writing reports"
    "doctor --before-report" combine report)
  _parcov_add_target(doctor_name coverage-doctor "Checking the coverage setup" doctor)
  _parcov_add_target(clean_name coverage-clean "Removing the coverage data and reports" clean)
  get_property(count GLOBAL PROPERTY _PARCOV_TEST_LINES)
  list(LENGTH count count)
  if(discovery EQUAL 1)
    set(discovery "1 directory")
  else()
    set(discovery "${discovery} directories")
  endif()
  message(STATUS "ParallelCoverage: ${_PARCOV_INSTRUMENTED} targets instrumented, ${count} tests "
    "isolated at configure time, ${discovery} with tests added at test time (isolated when "
    "ctest reads them); run ctest -j N, then cmake --build ${CMAKE_BINARY_DIR} -t ${name} "
    "(also: -t ${doctor_name}, -t ${clean_name})")
endfunction()

# PARALLEL_COVERAGE_MCDC needs Clang 18's -fcoverage-mcdc and llvm-cov's MC/DC report.
function(_parcov_check_mcdc id version backend)
  if(NOT PARALLEL_COVERAGE_MCDC)
    if(NOT PARALLEL_COVERAGE_FAIL_UNDER_MCDC STREQUAL "")
      message(FATAL_ERROR
        "ParallelCoverage: PARALLEL_COVERAGE_FAIL_UNDER_MCDC=${PARALLEL_COVERAGE_FAIL_UNDER_MCDC} "
        "needs PARALLEL_COVERAGE_MCDC=ON.")
    endif()
    return()
  endif()
  if(NOT id STREQUAL "Clang" OR version VERSION_LESS 18)
    message(FATAL_ERROR
      "ParallelCoverage: PARALLEL_COVERAGE_MCDC needs Clang 18 or newer (-fcoverage-mcdc); the "
      "compiler is ${id} ${version}. Configure with CC=clang-19 CXX=clang++-19 (Debian: "
      "apt-get install clang-19 llvm-19 libclang-rt-19-dev) in a new build directory, or set "
      "-DPARALLEL_COVERAGE_MCDC=OFF.")
  endif()
  if(NOT backend STREQUAL "llvm")
    message(FATAL_ERROR
      "ParallelCoverage: PARALLEL_COVERAGE_MCDC needs the llvm backend (source-based "
      "coverage), not ${backend}: set -DPARALLEL_COVERAGE_BACKEND=llvm (or auto).")
  endif()
endfunction()

function(_parcov_enable)
  _parcov_compiler(id version compiler)
  _parcov_choose_backend(backend "${id}" "${version}" "${compiler}")
  _parcov_check_mcdc("${id}" "${version}" "${backend}")
  if(backend STREQUAL "gcov")
    _parcov_find_gcov("${compiler}" "${version}")
    # parcov writes every report itself: gcovr only for PARCOV_REPORTER=gcovr and the
    # fallback, so its absence is no reason to stop.
    find_program(PARALLEL_COVERAGE_GCOVR NAMES gcovr DOC "The gcovr executable")
    if(NOT PARALLEL_COVERAGE_GCOVR)
      message(STATUS
        "ParallelCoverage: gcovr not found: parcov writes the reports; PARCOV_REPORTER=gcovr "
        "and the fallback need it (Debian: apt-get install gcovr).")
    endif()
  endif()
  _parcov_find_parcov()

  # GCOV_PREFIX_STRIP drops these leading components of each object's absolute .gcda path,
  # so a test's data lands under its directory at the same build-relative path.
  string(REGEX REPLACE "[^/]" "" slashes "${CMAKE_BINARY_DIR}")
  string(LENGTH "${slashes}" strip)
  set_property(GLOBAL PROPERTY _PARCOV_STRIP ${strip})

  # How tests get their environment: CMake 3.28+ sets test properties of any directory, so
  # one pass at the end does it. Older CMake only sets them from the test's own directory:
  # a watch on CMAKE_CURRENT_LIST_DIR notices add_subdirectory() entering a directory and
  # schedules a call at its end. (CMake 4 no longer notifies that change on entry.)
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
  cmake_language(DEFER DIRECTORY "${CMAKE_SOURCE_DIR}" CALL _parcov_finish)
endfunction()

if(PARALLEL_COVERAGE)
  _parcov_enable()
endif()

cmake_policy(POP)
