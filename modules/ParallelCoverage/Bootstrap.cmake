# Distributed under the MIT License. See README.md for the full manual.
#
# Private to ParallelCoverage.cmake: which parcov the coverage targets and ctest run, built
# at configure time from the sources beside the module when none is installed.

# parcov: the installed one, a user-given one, or a bootstrap build of the sources beside
# the module (its ../src), made at configure time in its own build tree so the project's
# flags (and our instrumentation) never reach it. It is a tool of the build machine: the project's toolchain
# file, compilers and flags, also those given through the environment (CC, CFLAGS,
# CMAKE_TOOLCHAIN_FILE...), are kept away from it. Same generator as the project; with a
# multi-config one, its Release configuration.
# A parcov not built from the sources beside this module may be older than it: the targets
# and ctest's commands would then stop with "unknown command" at build or test time. Said
# here once, with the fix; the build is not stopped (the project builds without coverage).
function(_parcov_check_parcov)
  foreach(command IN ITEMS coverage post-test)
    execute_process(COMMAND "${PARALLEL_COVERAGE_PARCOV}" ${command} --help
      RESULT_VARIABLE rc OUTPUT_QUIET ERROR_QUIET)
    if(NOT rc EQUAL 0)
      message(WARNING "ParallelCoverage: ${PARALLEL_COVERAGE_PARCOV} has no '${command}' command "
        "(rc ${rc}): it is older than this module, or not parcov. Install the parcov of this "
        "ParallelCoverage, or remove PARALLEL_COVERAGE_PARCOV from the cache "
        "(cmake -U PARALLEL_COVERAGE_PARCOV) to build one from the sources beside the module.")
      return()
    endif()
  endforeach()
endfunction()

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
    _parcov_check_parcov()
    return()
  endif()
  if(DEFINED ParallelCoverage_PARCOV_EXECUTABLE AND EXISTS "${ParallelCoverage_PARCOV_EXECUTABLE}")
    set(PARALLEL_COVERAGE_PARCOV "${ParallelCoverage_PARCOV_EXECUTABLE}" CACHE FILEPATH
      "The parcov helper")
    _parcov_check_parcov()
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
  # A bootstrap build of another copy of the module (the project now includes a different
  # one) would keep building that copy's parcov for this module: start it again.
  if(EXISTS "${bin}/CMakeCache.txt")
    file(STRINGS "${bin}/CMakeCache.txt" home REGEX "^CMAKE_HOME_DIRECTORY:INTERNAL=" LIMIT_COUNT 1)
    string(REGEX REPLACE "^[^=]*=" "" home "${home}")
    file(REAL_PATH "${src}" real_src)
    if(home)
      file(REAL_PATH "${home}" home)
    endif()
    if(NOT home STREQUAL real_src)
      message(STATUS "ParallelCoverage: ${bin} built parcov from ${home}; building it again from ${src}")
      file(REMOVE_RECURSE "${bin}")
    endif()
  endif()
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
