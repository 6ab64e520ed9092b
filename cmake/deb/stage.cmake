# SPDX-License-Identifier: MIT
# CPack pre-build script (cmake/packaging.cmake): completes each Debian package's staged tree
# the way Debian policy wants it before it is packed: /usr/share/doc/<package>/copyright
# (machine-readable, MIT, from LICENSE when the tree has one) and changelog.Debian.gz, man
# pages compressed with gzip -9n, and file modes 0644 (0755 for programs and directories).
find_program(GZIP gzip REQUIRED)
set(dir ${CPACK_SGDR_DEB_DIR})

# The licence: the project's LICENSE (its "Copyright" line and the text after it), else the
# MIT text kept here.
set(SGDR_COPYRIGHT "2026 The libsgdr authors")
file(READ ${dir}/MIT.txt text)
if(EXISTS ${CPACK_SGDR_SOURCE_DIR}/LICENSE)
  file(READ ${CPACK_SGDR_SOURCE_DIR}/LICENSE license)
  if(license MATCHES "Copyright \\(c\\) ([^\n]+)\n+(.*)$")
    set(SGDR_COPYRIGHT "${CMAKE_MATCH_1}")
    set(text "${CMAKE_MATCH_2}")
  endif()
endif()
string(STRIP "${text}" text)
string(REGEX REPLACE "\n\n" "\n.\n" text "${text}")
string(REGEX REPLACE "\n" "\n " text " ${text}")
set(SGDR_LICENSE_TEXT "${text}")
set(SGDR_DEB_MAINTAINER "${CPACK_PACKAGE_CONTACT}")
string(TIMESTAMP date "%a, %d %b %Y %H:%M:%S +0000" UTC) # SOURCE_DATE_EPOCH if set

foreach(component IN LISTS CPACK_COMPONENTS_ALL)
  string(TOUPPER ${component} up)
  set(package ${CPACK_DEBIAN_${up}_PACKAGE_NAME})
  set(root ${CPACK_TEMPORARY_DIRECTORY}/${component})
  set(doc ${root}/usr/share/doc/${package})
  file(MAKE_DIRECTORY ${doc})
  configure_file(${dir}/copyright ${doc}/copyright @ONLY)
  file(WRITE ${doc}/changelog.Debian
    "libsgdr (${CPACK_PACKAGE_VERSION}-${CPACK_DEBIAN_PACKAGE_RELEASE}) unstable; urgency=medium\n\n"
    "  * libsgdr ${CPACK_PACKAGE_VERSION}, packaged by cpack -G DEB.\n\n"
    " -- ${CPACK_PACKAGE_CONTACT}  ${date}\n")
  file(GLOB_RECURSE pages ${root}/usr/share/man/*.[1-9])
  foreach(f IN ITEMS ${doc}/changelog.Debian ${pages})
    execute_process(COMMAND ${GZIP} -9nf ${f} COMMAND_ERROR_IS_FATAL ANY)
  endforeach()

  file(GLOB_RECURSE files ${root}/*)
  foreach(f IN LISTS files)
    if(IS_SYMLINK ${f})
      continue()
    endif()
    if(f MATCHES "/usr/bin/[^/]+$")
      file(CHMOD ${f} PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
    else()
      file(CHMOD ${f} PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
    endif()
  endforeach()
  file(GLOB_RECURSE dirs LIST_DIRECTORIES true ${root}/*)
  foreach(d IN LISTS dirs)
    if(IS_DIRECTORY ${d} AND NOT IS_SYMLINK ${d})
      file(CHMOD ${d} PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
    endif()
  endforeach()
endforeach()
