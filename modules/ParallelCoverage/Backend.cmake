# Distributed under the MIT License. See README.md for the full manual.
#
# Private to ParallelCoverage.cmake: the project's compiler, the backend chosen for it (gcov
# with GCC or Clang, llvm: Clang's source-based coverage) and the tools the backend needs
# (gcov, llvm-cov, llvm-profdata, gcovr); MC/DC's requirements.

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

# The gcov backend's tools: the gcov of the compiler, and gcovr. parcov writes every report
# itself: gcovr only for PARCOV_REPORTER=gcovr and the fallback, so its absence is no reason
# to stop.
function(_parcov_find_gcov_tools compiler version)
  _parcov_find_gcov("${compiler}" "${version}")
  find_program(PARALLEL_COVERAGE_GCOVR NAMES gcovr DOC "The gcovr executable")
  if(NOT PARALLEL_COVERAGE_GCOVR)
    message(STATUS
      "ParallelCoverage: gcovr not found: parcov writes the reports; PARCOV_REPORTER=gcovr "
      "and the fallback need it (Debian: apt-get install gcovr).")
  endif()
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
