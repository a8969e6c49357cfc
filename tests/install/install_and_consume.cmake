# Script mode (cmake -P): a real install and a real downstream build.
file(REMOVE_RECURSE ${WORK_DIR})
set(prefix ${WORK_DIR}/prefix)
function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "command failed (${rc}): ${ARGN}\n${out}\n${err}")
  endif()
endfunction()
run(${CMAKE_COMMAND} -S ${LOWP_SOURCE_DIR} -B ${WORK_DIR}/lowp-build -DCMAKE_CXX_COMPILER=${CXX}
    -DLOWP_BUILD_TESTS=OFF -DLOWP_BUILD_BENCHMARKS=OFF -DLOWP_BUILD_EXAMPLES=OFF
    -DCMAKE_INSTALL_PREFIX=${prefix})
run(${CMAKE_COMMAND} --install ${WORK_DIR}/lowp-build)
foreach(f include/lowp/lowp.hpp share/cmake/lowp/lowpConfig.cmake share/cmake/lowp/lowpConfigVersion.cmake
          share/pkgconfig/lowp.pc)
  if(NOT EXISTS ${prefix}/${f})
    message(FATAL_ERROR "install did not write ${f}")
  endif()
endforeach()
# 1) find_package from the installed prefix.
run(${CMAKE_COMMAND} -S ${CONSUMER_DIR} -B ${WORK_DIR}/consumer-build -DCMAKE_CXX_COMPILER=${CXX}
    -DCMAKE_PREFIX_PATH=${prefix})
run(${CMAKE_COMMAND} --build ${WORK_DIR}/consumer-build)
run(${WORK_DIR}/consumer-build/consumer)
# 2) add_subdirectory of the source tree: options default OFF, only the target appears.
run(${CMAKE_COMMAND} -S ${CONSUMER_DIR} -B ${WORK_DIR}/subdir-build -DCMAKE_CXX_COMPILER=${CXX}
    -DLOWP_CONSUMER_USE_SUBDIRECTORY=${LOWP_SOURCE_DIR})
run(${CMAKE_COMMAND} --build ${WORK_DIR}/subdir-build)
run(${WORK_DIR}/subdir-build/consumer)
# 3) pkg-config.
find_program(PKG_CONFIG pkg-config)
if(PKG_CONFIG)
  set(ENV{PKG_CONFIG_PATH} ${prefix}/share/pkgconfig)
  execute_process(COMMAND ${PKG_CONFIG} --cflags lowp OUTPUT_VARIABLE cflags RESULT_VARIABLE rc
                  OUTPUT_STRIP_TRAILING_WHITESPACE)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "pkg-config --cflags lowp failed")
  endif()
  separate_arguments(cflags UNIX_COMMAND "${cflags}")
  run(${CXX} ${cflags} ${CONSUMER_DIR}/main.cpp -o ${WORK_DIR}/consumer-pc)
  run(${WORK_DIR}/consumer-pc)
endif()
message(STATUS "installed lowp consumed through find_package, add_subdirectory and pkg-config")
