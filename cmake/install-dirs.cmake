# SPDX-License-Identifier: MIT
# Run first by `cmake --install`: records which of the directories the install puts files in
# (SGDR_INSTALL_DIRS, relative to the prefix or absolute) do not exist yet, with their
# missing parents, in SGDR_CREATED_DIRS_FILE, so that uninstall.cmake removes those once
# they are empty, and never a directory that was there before.
set(created "")
if(EXISTS "${SGDR_CREATED_DIRS_FILE}")
  file(STRINGS "${SGDR_CREATED_DIRS_FILE}" created)  # an earlier install's, still owed
endif()
foreach(dir IN LISTS SGDR_INSTALL_DIRS)
  if(IS_ABSOLUTE "${dir}")
    set(full "$ENV{DESTDIR}${dir}")
  else()
    set(full "$ENV{DESTDIR}${CMAKE_INSTALL_PREFIX}/${dir}")
  endif()
  while(NOT EXISTS "${full}" AND NOT full STREQUAL "/" AND NOT full STREQUAL "")
    list(APPEND created "${full}")
    get_filename_component(full "${full}" DIRECTORY)
  endwhile()
endforeach()
list(REMOVE_DUPLICATES created)
list(JOIN created "\n" text)
file(WRITE "${SGDR_CREATED_DIRS_FILE}" "${text}\n")
