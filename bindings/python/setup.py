# SPDX-License-Identifier: MIT
"""Builds libsgdr from the repository's C sources with CMake and bundles it in the package.

The C sources are the repository's (two directories up) when building from a checkout, or
the copy an sdist carries in libsgdr/. The version is the C header's SGDR_VERSION_* macros,
the one source of truth.
"""
import os
import re
import shutil
import subprocess
import sys

from setuptools import Distribution, setup
from setuptools.command.build_py import build_py
from setuptools.command.sdist import sdist
from wheel.bdist_wheel import bdist_wheel

HERE = os.path.dirname(os.path.abspath(__file__))
# What the library's CMake build needs, copied into an sdist's libsgdr/.
C_TREE = ("CMakeLists.txt", "sgdr.pc.in", "cmake", "include", "src")
SONAME = "libsgdr.so.1"


def c_source_root():
    for top in (os.path.join(HERE, "libsgdr"), os.path.dirname(os.path.dirname(HERE))):
        if os.path.isfile(os.path.join(top, "include", "sgdr.h")) and \
                os.path.isfile(os.path.join(top, "CMakeLists.txt")):
            return top
    sys.exit("sgdr: libsgdr's C sources are neither in %s/libsgdr (an sdist) nor two "
             "directories up (a checkout)" % HERE)


def header_version(top):
    with open(os.path.join(top, "include", "sgdr.h")) as f:
        text = f.read()
    parts = []
    for part in ("MAJOR", "MINOR", "PATCH"):
        m = re.search(r"^#define SGDR_VERSION_%s (\d+)\s*$" % part, text, re.M)
        if m is None:
            sys.exit("sgdr: include/sgdr.h defines no SGDR_VERSION_%s" % part)
        parts.append(m.group(1))
    return ".".join(parts)


def build_library(top, build_dir, out_dir):
    """Configure and build the shared library alone; copy it to out_dir as its SONAME."""
    cmake = shutil.which("cmake")
    if cmake is None:
        sys.exit("sgdr: building the package needs cmake (and a C compiler) to build libsgdr")
    subprocess.check_call([
        cmake, "-S", top, "-B", build_dir, "-DCMAKE_BUILD_TYPE=Release",
        "-DSGDR_BUILD_SHARED=ON", "-DSGDR_BUILD_TESTS=OFF", "-DSGDR_BUILD_EXAMPLES=OFF",
        "-DSGDR_BUILD_TOOLS=OFF", "-DSGDR_BUILD_BENCH=OFF", "-DSGDR_INSTALL=OFF"])
    subprocess.check_call([cmake, "--build", build_dir, "--target", "sgdr", "-j2"])
    os.makedirs(out_dir, exist_ok=True)
    shutil.copyfile(os.path.join(build_dir, SONAME), os.path.join(out_dir, SONAME))
    os.chmod(os.path.join(out_dir, SONAME), 0o755)


def copy_license():
    """The repository's LICENSE next to setup.py, where setuptools finds license files for the
    sdist and the wheel's dist-info (an sdist already carries it there)."""
    top = os.path.dirname(os.path.dirname(HERE))
    if os.path.isfile(os.path.join(top, "include", "sgdr.h")):
        shutil.copyfile(os.path.join(top, "LICENSE"), os.path.join(HERE, "LICENSE"))


class BuildPyWithLibrary(build_py):
    """build_py, then libsgdr into the built package (never into the source tree)."""

    def run(self):
        super().run()
        build_temp = self.get_finalized_command("build").build_temp
        build_library(c_source_root(), os.path.abspath(os.path.join(build_temp, "libsgdr")),
                      os.path.join(self.build_lib, "sgdr"))


class SdistWithCSources(sdist):
    """An sdist that carries libsgdr's C sources, so a wheel can be built from it."""

    def make_release_tree(self, base_dir, files):
        super().make_release_tree(base_dir, files)
        top = c_source_root()
        for name in C_TREE:
            src, dst = os.path.join(top, name), os.path.join(base_dir, "libsgdr", name)
            if os.path.isdir(src):
                shutil.copytree(src, dst, dirs_exist_ok=True)
            else:
                os.makedirs(os.path.dirname(dst), exist_ok=True)
                shutil.copyfile(src, dst)


class PlatformWheel(bdist_wheel):
    """The wheel holds a native library but no Python extension: any Python 3, this
    platform (py3-none-linux_x86_64 and the like)."""

    def finalize_options(self):
        super().finalize_options()
        self.root_is_pure = False

    def get_tag(self):
        return "py3", "none", super().get_tag()[2]


class BinaryDistribution(Distribution):
    def has_ext_modules(self):
        return True


copy_license()
setup(version=header_version(c_source_root()),
      packages=["sgdr"],
      distclass=BinaryDistribution,
      cmdclass={"build_py": BuildPyWithLibrary, "sdist": SdistWithCSources,
                "bdist_wheel": PlatformWheel})
