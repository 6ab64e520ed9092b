# SPDX-License-Identifier: MIT
# The helpers shared by sgdr-schedule and the example programs: command-line parsing, the
# schedule flags, a text buffer and SVG charts. A static library, never installed. Included
# from tools/ and examples/, whichever comes first defines it.
include_guard(GLOBAL)
add_library(sgdr_tools_common STATIC
  ${CMAKE_CURRENT_LIST_DIR}/cli.c
  ${CMAKE_CURRENT_LIST_DIR}/schedflags.c
  ${CMAKE_CURRENT_LIST_DIR}/strbuf.c
  ${CMAKE_CURRENT_LIST_DIR}/svgchart.c
  ${CMAKE_CURRENT_LIST_DIR}/ticks.c)
target_include_directories(sgdr_tools_common PUBLIC ${CMAKE_CURRENT_LIST_DIR})
target_link_libraries(sgdr_tools_common PUBLIC sgdr::sgdr)
if(SGDR_LIBM)
  target_link_libraries(sgdr_tools_common PUBLIC ${SGDR_LIBM})
endif()
target_compile_options(sgdr_tools_common PRIVATE ${SGDR_WARNINGS})
