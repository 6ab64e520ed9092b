# SPDX-License-Identifier: MIT
# Debian packages from one build: `cpack -G DEB` in a build configured with
# -DCMAKE_INSTALL_PREFIX=/usr makes
#   libsgdr1      the shared library (named after its SONAME)
#   libsgdr-dev   the headers, the libsgdr.so link, sgdr.pc and the CMake package
#   sgdr-tools    sgdr-schedule and its man page
# cmake/deb/stage.cmake completes each package's tree before it is packed (copyright,
# changelog.Debian.gz, compressed man page, file modes).
set(SGDR_DEB_MAINTAINER "The libsgdr authors <libsgdr@example.org>"
    CACHE STRING "Maintainer field of the Debian packages")
set(SGDR_DEB_RELEASE 1 CACHE STRING "Debian revision of the packages (the -N of X.Y.Z-N)")

set(CPACK_PACKAGE_NAME sgdr)
set(CPACK_PACKAGE_VENDOR "libsgdr")
set(CPACK_PACKAGE_CONTACT "${SGDR_DEB_MAINTAINER}")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
# empty: the first line of each component description below is its package synopsis
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "")
set(CPACK_GENERATOR DEB)
set(CPACK_STRIP_FILES ON)
# Debian packages install to /usr; configure with -DCMAKE_INSTALL_PREFIX=/usr so that the
# libdir is the multiarch one (lib/<triplet>) as well.
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_COMPONENTS_ALL lib dev tools)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_PRE_BUILD_SCRIPTS ${CMAKE_CURRENT_LIST_DIR}/deb/stage.cmake)
# for stage.cmake
set(CPACK_SGDR_DEB_DIR ${CMAKE_CURRENT_LIST_DIR}/deb)
set(CPACK_SGDR_SOURCE_DIR ${PROJECT_SOURCE_DIR})

set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_RELEASE ${SGDR_DEB_RELEASE})
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# sgdr-schedule needs libsgdr.so.1 of this build, which no installed package has yet
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS_PRIVATE_DIRS ${PROJECT_BINARY_DIR})
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(sgdr_deb_version "${PROJECT_VERSION}-${SGDR_DEB_RELEASE}")
set(sgdr_deb_about
  "libsgdr schedules the learning rate of a training loop: cosine annealing\n"
  "with warm restarts (SGDR, Loshchilov & Hutter 2017), linear warm-up, a cycle\n"
  "limit and bit-exact checkpoint and resume, behind a small C API with a\n"
  "stable ABI.")
string(CONCAT sgdr_deb_about ${sgdr_deb_about})

set(CPACK_DEBIAN_LIB_PACKAGE_NAME libsgdr${PROJECT_VERSION_MAJOR})
set(CPACK_DEBIAN_LIB_PACKAGE_SECTION libs)
# shlibs: programs built against 1.N depend on libsgdr1 (>= 1.N); the ldconfig trigger
# refreshes the loader cache.
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS ON)
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS_POLICY ">=")
set(CPACK_DEBIAN_LIB_PACKAGE_CONTROL_EXTRA ${CMAKE_CURRENT_LIST_DIR}/deb/triggers)
set(CPACK_COMPONENT_LIB_DESCRIPTION
    "SGDR learning-rate scheduler with warm restarts - shared library\n${sgdr_deb_about}\nThis package holds the shared library.")

set(CPACK_DEBIAN_DEV_PACKAGE_NAME libsgdr-dev)
set(CPACK_DEBIAN_DEV_PACKAGE_SECTION libdevel)
set(CPACK_DEBIAN_DEV_PACKAGE_DEPENDS "libsgdr${PROJECT_VERSION_MAJOR} (= ${sgdr_deb_version})")
set(CPACK_COMPONENT_DEV_DESCRIPTION
    "SGDR learning-rate scheduler with warm restarts - development files\n${sgdr_deb_about}\nThis package holds the C header, the C++ wrapper, the pkg-config file and\nthe CMake package.")

set(CPACK_DEBIAN_TOOLS_PACKAGE_NAME sgdr-tools)
set(CPACK_DEBIAN_TOOLS_PACKAGE_SECTION utils)
set(CPACK_DEBIAN_TOOLS_PACKAGE_DEPENDS "libsgdr${PROJECT_VERSION_MAJOR} (= ${sgdr_deb_version})")
set(CPACK_COMPONENT_TOOLS_DESCRIPTION
    "SGDR learning-rate scheduler with warm restarts - command-line tool\n${sgdr_deb_about}\nThis package holds sgdr-schedule, which prints a schedule as CSV, as a\nterminal plot or as an SVG chart.")

include(CPack)
