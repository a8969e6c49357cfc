# cmake -DCXX=<compiler> -DSOURCE=<misuse.cpp> -DINCLUDES=<dir;dir> -P check_misuse.cmake
# Compiles SOURCE (which must fail) and requires each static_assert message in the output.
set(messages
  "Bits exceeds the container width"
  "a packed nibble holds 2..4 bits"
  "the container must be int8_t, uint8_t, int16_t, uint16_t or int32_t"
  "Bits must be in \\[2, 16\\]"
  "packed storage .* reads and writes a lowp::NibbleSpan"
  "element type must be the storage's code_type"
  "Scheme must be lowp::Symmetric or lowp::Affine"
  "Storage must be a storage policy"
  "Rounding must be lowp::NearestEven"
  "the view would dangle"
  "the requantization Policy must be")
set(flags)
foreach(dir IN LISTS INCLUDES)
  if(dir AND NOT dir STREQUAL "/usr/include")  # never reorder the system directory
    list(APPEND flags "-I${dir}")
  endif()
endforeach()
execute_process(COMMAND ${CXX} -std=c++17 -fsyntax-only ${flags} ${SOURCE}
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(rc EQUAL 0)
  message(FATAL_ERROR "misuse.cpp compiled: the static_asserts did not fire")
endif()
foreach(m IN LISTS messages)
  if(NOT "${out}${err}" MATCHES "${m}")
    message(FATAL_ERROR "missing static_assert message: ${m}\n${err}")
  endif()
  message(STATUS "static_assert fired: ${m}")
endforeach()
