# Finds lowp's two dependencies and makes sure the targets Eigen3::Eigen and
# xsimd exist. Used by lowp's own CMakeLists.txt and by the installed lowpConfig.cmake.
include_guard(GLOBAL)
find_package(Eigen3 3.4 REQUIRED NO_MODULE)

find_package(xsimd 8.1 CONFIG QUIET)
if(TARGET xsimd)
  # Debian's xsimd 8.1 package config links a target "xtl" unconditionally, although
  # xsimd needs xtl only for xtl::xcomplex, which lowp does not use. Provide an empty
  # one when the real xtl is absent so that the link line does not get -lxtl.
  get_target_property(_lowp_xsimd_libs xsimd INTERFACE_LINK_LIBRARIES)
  if(_lowp_xsimd_libs AND "xtl" IN_LIST _lowp_xsimd_libs AND NOT TARGET xtl)
    find_package(xtl QUIET)
    if(NOT TARGET xtl)
      add_library(xtl INTERFACE IMPORTED)
    endif()
  endif()
else()
  # Cross builds: the package config sits in the build machine's multiarch folder,
  # but the headers are architecture-independent. Find them and check the version.
  find_path(LOWP_XSIMD_INCLUDE_DIR xsimd/xsimd.hpp)
  if(NOT LOWP_XSIMD_INCLUDE_DIR)
    message(FATAL_ERROR "lowp needs xsimd >= 8.1 (Debian: apt-get install libxsimd-dev)")
  endif()
  file(STRINGS ${LOWP_XSIMD_INCLUDE_DIR}/xsimd/config/xsimd_config.hpp _lowp_xsimd_v
       REGEX "#define XSIMD_VERSION_(MAJOR|MINOR) ")
  string(REGEX REPLACE ".*MAJOR ([0-9]+).*" "\\1" _lowp_xsimd_major "${_lowp_xsimd_v}")
  string(REGEX REPLACE ".*MINOR ([0-9]+).*" "\\1" _lowp_xsimd_minor "${_lowp_xsimd_v}")
  if("${_lowp_xsimd_major}.${_lowp_xsimd_minor}" VERSION_LESS 8.1)
    message(FATAL_ERROR "lowp needs xsimd >= 8.1, found ${_lowp_xsimd_major}.${_lowp_xsimd_minor}")
  endif()
  add_library(xsimd INTERFACE IMPORTED)
  set_target_properties(xsimd PROPERTIES INTERFACE_INCLUDE_DIRECTORIES ${LOWP_XSIMD_INCLUDE_DIR})
endif()
