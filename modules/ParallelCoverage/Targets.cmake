# Distributed under the MIT License. See README.md for the full manual.
#
# Private to ParallelCoverage.cmake: the coverage, coverage-doctor and coverage-clean targets.

# A custom target running parcov commands on this build tree, so no one needs to know where
# parcov lives: NAME, or parcov-NAME when the project already has a target NAME (out: the
# name used). Each command is "COMMAND [OPTIONS]"; a multi-config generator passes the
# configuration being built (--config $<CONFIG>).
function(_parcov_add_target out name comment)
  if(TARGET ${name})
    set(why "")
    if(name STREQUAL "coverage")
      # Theirs usually runs lcov or gcovr on the build tree (CodeCoverage.cmake and the like):
      # with the gcov backend, ctest's post-test (parcov post-test) merges each run beside the
      # .gcno files and renames the per-test files out of their *.gcda search.
      # (The llvm backend gives the tests no GCOV_PREFIX: .gcda files of the project's own
      # --coverage flags land beside the objects as without the module.)
      get_property(backend GLOBAL PROPERTY _PARCOV_BACKEND)
      if(NOT backend STREQUAL "llvm")
        string(CONCAT why " (the project's own reads the data of the last ctest run: ctest"
          " merges it beside the .gcno files when it ends)")
      endif()
    endif()
    message(STATUS "ParallelCoverage: the project has its own '${name}' target; ours is 'parcov-${name}'${why}")
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

# Our three targets; out: the names used (see _parcov_add_target).
function(_parcov_add_targets out_coverage out_doctor out_clean)
  # doctor --before-report stops on what would make the report empty or wrong, saying the fix.
  _parcov_add_target(name coverage
    "Merging the coverage data of the last ctest run and writing reports"
    "doctor --before-report" combine report)
  _parcov_add_target(doctor_name coverage-doctor "Checking the coverage setup" doctor)
  _parcov_add_target(clean_name coverage-clean "Removing the coverage data and reports" clean)
  set(${out_coverage} "${name}" PARENT_SCOPE)
  set(${out_doctor} "${doctor_name}" PARENT_SCOPE)
  set(${out_clean} "${clean_name}" PARENT_SCOPE)
endfunction()
