# Install layout (relative, so 'cmake --install B --prefix P' works anywhere):
#   bin/parcov
#   share/ParallelCoverage/modules/ParallelCoverage.cmake
#   share/ParallelCoverage/modules/ParallelCoverage/*.cmake  (its private files; DiscoveredTests.cmake
#                                                            is read by ctest)
#   share/ParallelCoverage/src/runtime/parcov_rt.c   (found by the module as ../src/runtime)
#   lib/cmake/ParallelCoverage/ParallelCoverageConfig{,Version}.cmake
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(PARCOV_CONFIG_DIR "${CMAKE_INSTALL_LIBDIR}/cmake/ParallelCoverage")
set(PARCOV_MODULE_DIR "${CMAKE_INSTALL_DATADIR}/ParallelCoverage/modules")

install(TARGETS parcov RUNTIME DESTINATION "${CMAKE_INSTALL_BINDIR}")
install(FILES "${PROJECT_SOURCE_DIR}/modules/ParallelCoverage.cmake" DESTINATION "${PARCOV_MODULE_DIR}")
# The module's private files (included from ParallelCoverage/ next to it) and
# DiscoveredTests.cmake (read by ctest): the whole directory, so none can be forgotten.
install(DIRECTORY "${PROJECT_SOURCE_DIR}/modules/ParallelCoverage"
  DESTINATION "${PARCOV_MODULE_DIR}" FILES_MATCHING PATTERN "*.cmake")
install(FILES "${PROJECT_SOURCE_DIR}/src/runtime/parcov_rt.c"
  DESTINATION "${CMAKE_INSTALL_DATADIR}/ParallelCoverage/src/runtime")

configure_package_config_file(
  "${PROJECT_SOURCE_DIR}/cmake/ParallelCoverageConfig.cmake.in"
  "${PROJECT_BINARY_DIR}/ParallelCoverageConfig.cmake"
  INSTALL_DESTINATION "${PARCOV_CONFIG_DIR}"
  PATH_VARS CMAKE_INSTALL_BINDIR PARCOV_MODULE_DIR)
# Any 0.x release with the same minor version serves; the package is architecture-bound
# only through parcov, which find_package users run, never link.
write_basic_package_version_file(
  "${PROJECT_BINARY_DIR}/ParallelCoverageConfigVersion.cmake"
  COMPATIBILITY SameMinorVersion)
# The supported CMake range is part of the version check: find_package() then reports the
# package as unsuitable instead of failing inside the module.
file(APPEND "${PROJECT_BINARY_DIR}/ParallelCoverageConfigVersion.cmake" [[
if(CMAKE_VERSION VERSION_LESS 3.25)
  set(PACKAGE_VERSION "${PACKAGE_VERSION} (needs CMake 3.25 to 4.3)")
  set(PACKAGE_VERSION_UNSUITABLE TRUE)
endif()
]])
install(FILES
  "${PROJECT_BINARY_DIR}/ParallelCoverageConfig.cmake"
  "${PROJECT_BINARY_DIR}/ParallelCoverageConfigVersion.cmake"
  DESTINATION "${PARCOV_CONFIG_DIR}")
