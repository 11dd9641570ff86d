# Distributed under the MIT License. See README.md for the full manual.
#
# Private to ParallelCoverage.cmake: the coverage, coverage-doctor and coverage-clean targets.

# A custom target running parcov commands on this build tree, so no one needs to know where
# parcov lives: NAME, or parcov-NAME when the project already has a target NAME (out: the
# name used). Each of COMMANDS is "COMMAND [OPTIONS]"; a multi-config generator passes the
# configuration being built (--config $<CONFIG>). ANNOUNCE: the command prints the comment
# itself when given --announce, which Makefile generators use instead of a COMMENT: they echo
# one with a cmake process of its own (cmake -E cmake_echo_color), which costs the coverage
# step more CPU than an unchanged combine.
function(_parcov_add_target out name comment)
  cmake_parse_arguments(PARSE_ARGV 3 arg "ANNOUNCE" "" "COMMANDS")
  if(arg_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "_parcov_add_target: unexpected arguments ${arg_UNPARSED_ARGUMENTS}")
  endif()
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
  set(announce "")
  set(comment_arg COMMENT "${comment}")
  if(arg_ANNOUNCE AND CMAKE_GENERATOR MATCHES "Makefiles")
    set(announce --announce)
    set(comment_arg "")
  endif()
  set(commands "")
  foreach(command IN LISTS arg_COMMANDS)
    separate_arguments(command UNIX_COMMAND "${command}")
    list(APPEND commands COMMAND "${PARALLEL_COVERAGE_PARCOV}" ${command} ${announce} ${config}
      -C "${CMAKE_BINARY_DIR}")
  endforeach()
  add_custom_target(${name} ${commands}
    WORKING_DIRECTORY "${CMAKE_BINARY_DIR}"
    USES_TERMINAL
    VERBATIM
    ${comment_arg})
  set(${out} "${name}" PARENT_SCOPE)
endfunction()

# Our three targets; out: the names used (see _parcov_add_target).
function(_parcov_add_targets out_coverage out_doctor out_clean)
  # parcov coverage: doctor --before-report (stopping on what would make the report empty or
  # wrong, saying the fix), combine and report, in one process. Its comment is parcov's
  # (COVERAGE_COMMENT in src/parcov.c): the same words under every generator.
  _parcov_add_target(name coverage
    "Merging the coverage data of the last ctest run and writing reports"
    ANNOUNCE COMMANDS coverage)
  _parcov_add_target(doctor_name coverage-doctor "Checking the coverage setup" COMMANDS doctor)
  _parcov_add_target(clean_name coverage-clean "Removing the coverage data and reports"
    COMMANDS clean)
  set(${out_coverage} "${name}" PARENT_SCOPE)
  set(${out_doctor} "${doctor_name}" PARENT_SCOPE)
  set(${out_clean} "${clean_name}" PARENT_SCOPE)
endfunction()
