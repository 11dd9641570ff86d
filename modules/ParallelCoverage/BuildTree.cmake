# Distributed under the MIT License. See README.md for the full manual.
#
# Private to ParallelCoverage.cmake: the build tree as the other parts see it: its
# directories, its configurations and the data directory of each.

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

# ${out} = MULTI with a multi-config generator, else SINGLE: the one place that asks.
function(_parcov_by_generator out multi single)
  get_property(is_multi GLOBAL PROPERTY GENERATOR_IS_MULTI_CONFIG)
  if(is_multi)
    set(${out} "${multi}" PARENT_SCOPE)
  else()
    set(${out} "${single}" PARENT_SCOPE)
  endif()
endfunction()

# The configurations of the build: CMAKE_CONFIGURATION_TYPES, or CMAKE_BUILD_TYPE.
function(_parcov_configs out)
  _parcov_by_generator(configs "${CMAKE_CONFIGURATION_TYPES}" "${CMAKE_BUILD_TYPE}")
  set(${out} "${configs}" PARENT_SCOPE)
endfunction()

# The configurations of a multi-config generator (empty for a single-config one).
function(_parcov_multi_configs out)
  _parcov_by_generator(configs "${CMAKE_CONFIGURATION_TYPES}" "")
  set(${out} "${configs}" PARENT_SCOPE)
endfunction()

# The data directory parcov uses for configuration CONFIG: coverage-data, or with a
# multi-config generator coverage-data/configs/CONFIG (each configuration has its own data
# sets; its objects live in their own directories), so switching configurations never mixes
# their data. CONFIG may be $<CONFIG> where generator expressions are evaluated.
function(_parcov_data_dir out config)
  _parcov_by_generator(dir "${CMAKE_BINARY_DIR}/coverage-data/configs/${config}"
    "${CMAKE_BINARY_DIR}/coverage-data")
  set(${out} "${dir}" PARENT_SCOPE)
endfunction()
