# Distributed under the MIT License. See README.md for the full manual.
#
# Private to ParallelCoverage.cmake: the runtime linked into instrumented binaries, and
# whether there is one.

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
