# Distributed under the MIT License. See README.md for the full manual.
#
# Private to ParallelCoverage.cmake: which targets are instrumented and what they get: the
# backend's compile and link options, the per-target options of TargetOptions.cmake, and the
# runtime object of Runtime.cmake.

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
