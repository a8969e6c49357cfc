# cmake -DREADME=<README.md> -DOUT=<file.cpp> -P extract_snippet.cmake
# Writes the first ```cpp block of README.md to OUT (only when it changed, to spare rebuilds).
file(READ "${README}" text)
string(FIND "${text}" "```cpp\n" begin)
if(begin EQUAL -1)
  message(FATAL_ERROR "${README} has no ```cpp block")
endif()
math(EXPR begin "${begin} + 7")
string(SUBSTRING "${text}" ${begin} -1 rest)
string(FIND "${rest}" "```" end)
if(end EQUAL -1)
  message(FATAL_ERROR "${README}: the ```cpp block is not closed")
endif()
string(SUBSTRING "${rest}" 0 ${end} code)
file(WRITE "${OUT}.tmp" "// Extracted from README.md at build time; edit README.md, not this file.\n${code}")
configure_file("${OUT}.tmp" "${OUT}" COPYONLY)  # rewrites only on change
