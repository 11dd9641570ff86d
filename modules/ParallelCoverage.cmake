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
  (``parcov pre-test``), so repeated runs never add up; the project's own
  ``CTEST_CUSTOM_PRE_TEST`` and ``CTEST_CUSTOM_POST_TEST`` commands run after it, with a
  data directory of that set (single-config generators); with the gcov backend the run
  ends with ``parcov post-test``, which merges it beside the ``.gcno`` files and renames
  the per-test ``.gcda`` files out of the way, so a project's own lcov or gcovr target
  reads the run's numbers;
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

.. variable:: PARALLEL_COVERAGE_PER_TEST

  ``auto`` (default), ``ON`` or ``OFF``. Record which tests executed each line:
  ``coverage/tests.json``, ``parcov tests-for`` and ``parcov affected``. ``auto``
  is ``ON`` with the gcov backend and ``OFF`` with llvm, where it costs one
  ``llvm-profdata merge`` and one ``llvm-cov export`` per test, each with only the
  binaries that test ran (the ``coverage`` target took about 16 times as long on
  a generated project of small programs).

.. variable:: PARALLEL_COVERAGE_DIFF_BASE
.. variable:: PARALLEL_COVERAGE_FAIL_UNDER_PATCH

  A git revision: the ``coverage`` target reports patch coverage of
  ``git diff <rev>`` (the line ``Patch: C of N changed lines covered (P%)``), and
  fails when it is below ``PARALLEL_COVERAGE_FAIL_UNDER_PATCH`` (a percentage).

.. variable:: PARALLEL_COVERAGE_MCDC

  ``BOOL``, default ``OFF``. MC/DC (modified condition/decision coverage) with
  Clang 18 or newer and the llvm backend: compiles with ``-fcoverage-mcdc``; the
  reports gain per-file MC/DC columns and the line
  ``MC/DC: C of N conditions covered (P%)``, the HTML each decision's conditions. Other compilers stop the configure
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
  The llvm backend's HTML is parcov's (with Regions and MC/DC columns);
  ``PARCOV_REPORTER=llvm-cov`` in the environment of the ``coverage`` step makes
  it llvm-cov's own (``llvm-cov show -format=html``).

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
  targets run it. One given here or found in the package is checked at configure time:
  if it lacks a command this module uses (it is older), a warning says so and the fix.
#]=======================================================================]

include_guard(GLOBAL)

if(CMAKE_VERSION VERSION_LESS 3.25)
  message(FATAL_ERROR "ParallelCoverage needs CMake 3.25 or newer (this is ${CMAKE_VERSION}).")
endif()

cmake_policy(PUSH)
cmake_policy(VERSION 3.25...4.3)

# Where this file lives, captured at include time: the private files below, the bootstrap
# build of parcov (../src) and the runtime source (../src/runtime) are found from here, whether
# the module is installed, vendored or injected with CMAKE_PROJECT_INCLUDE.
# A global property too: _parcov_finish runs deferred in the top-level directory, which does
# not see this variable when the module was included from a subdirectory.
set(_PARCOV_MODULE_DIR "${CMAKE_CURRENT_LIST_DIR}")
set_property(GLOBAL PROPERTY _PARCOV_MODULE_DIR "${CMAKE_CURRENT_LIST_DIR}")

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
# --- per-test and patch coverage (issue 15) ---
set(PARALLEL_COVERAGE_PER_TEST "auto" CACHE STRING
  "Record which tests executed each line: ON, OFF, or auto (ON with the gcov backend, OFF with llvm)")
set_property(CACHE PARALLEL_COVERAGE_PER_TEST PROPERTY STRINGS auto ON OFF)
set(PARALLEL_COVERAGE_DIFF_BASE "" CACHE STRING
  "Git revision: the coverage target reports the coverage of the lines changed since it (empty: none)")
set(PARALLEL_COVERAGE_FAIL_UNDER_PATCH "" CACHE STRING
  "Fail the coverage target below this patch coverage percentage (needs PARALLEL_COVERAGE_DIFF_BASE)")
# --- end of per-test and patch coverage ---
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

# The private parts, one concern each (their functions are all _parcov_*).
foreach(_parcov_part IN ITEMS
    Backend         # compiler, backend and its tools
    Bootstrap       # which parcov, built at configure time if need be
    BuildTree       # directories, configurations, data directories
    Instrumentation # which targets, the backend's options
    TargetOptions   # per target: -O0 and atomic counters
    Runtime         # the runtime object linked into instrumented binaries
    Isolation       # each test's own data directory
    GeneratedFiles  # CTestCustom.cmake, parcov.conf, tests.tsv, objects.txt
    Targets)        # coverage, coverage-doctor, coverage-clean
  include("${_PARCOV_MODULE_DIR}/ParallelCoverage/${_parcov_part}.cmake")
endforeach()

# Runs once, at the end of the top-level directory: everything is declared by then.
function(_parcov_finish)
  get_property(_PARCOV_MODULE_DIR GLOBAL PROPERTY _PARCOV_MODULE_DIR)
  _parcov_all_dirs(dirs "${CMAKE_SOURCE_DIR}")
  _parcov_instrument_targets("${dirs}")
  _parcov_report_target_options()
  _parcov_isolate_remaining_dirs("${dirs}")
  _parcov_wrap_test_includes(discovery "${dirs}")

  _parcov_write_config()
  _parcov_write_ctest_customs("${dirs}")
  _parcov_add_targets(name doctor_name clean_name)

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

function(_parcov_enable)
  _parcov_compiler(id version compiler)
  _parcov_choose_backend(backend "${id}" "${version}" "${compiler}")
  _parcov_check_mcdc("${id}" "${version}" "${backend}")
  if(backend STREQUAL "gcov")
    _parcov_find_gcov_tools("${compiler}" "${version}")
  endif()
  _parcov_find_parcov()

  # GCOV_PREFIX_STRIP drops these leading components of each object's absolute .gcda path,
  # so a test's data lands under its directory at the same build-relative path.
  string(REGEX REPLACE "[^/]" "" slashes "${CMAKE_BINARY_DIR}")
  string(LENGTH "${slashes}" strip)
  set_property(GLOBAL PROPERTY _PARCOV_STRIP ${strip})

  _parcov_setup_isolation()
  cmake_language(DEFER DIRECTORY "${CMAKE_SOURCE_DIR}" CALL _parcov_finish)
endfunction()

if(PARALLEL_COVERAGE)
  _parcov_enable()
endif()

cmake_policy(POP)
