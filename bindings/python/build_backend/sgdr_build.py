# SPDX-License-Identifier: MIT
"""The package's own PEP 517 build backend: the standard library and CMake, nothing else.

pip builds a package in an isolated environment into which it first installs the backend's
requirements; setuptools and wheel would have to come from the network (a plain venv has no
`wheel`). This backend needs none: it builds libsgdr from the C sources with CMake, bundles
it in the `sgdr` package and writes the wheel with zipfile (and the sdist with tarfile).

The C sources are the repository's (two directories up) when building from a checkout, or
the copy an sdist carries in libsgdr/. The version is the C header's SGDR_VERSION_* macros,
the one source of truth.
"""
import base64
import hashlib
import io
import os
import re
import shutil
import subprocess
import sysconfig
import tarfile
import tempfile
import zipfile

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # bindings/python
NAME = "sgdr"
SONAME = "libsgdr.so.1"
# What the library's CMake build needs, copied into an sdist's libsgdr/.
C_TREE = ("CMakeLists.txt", "sgdr.pc.in", "cmake", "include", "src")
# The package's own files that an sdist carries.
SDIST_FILES = ("pyproject.toml", "README.md", "pytest.ini", "build_backend", NAME, "tests")

SUMMARY = "SGDR (cosine annealing with warm restarts) from libsgdr, with PyTorch schedulers"
CLASSIFIERS = (
    "License :: OSI Approved :: MIT License",
    "Programming Language :: Python :: 3",
    "Operating System :: POSIX :: Linux",
)


class BuildError(Exception):
    pass


def c_source_root():
    for top in (os.path.join(HERE, "libsgdr"), os.path.dirname(os.path.dirname(HERE))):
        if os.path.isfile(os.path.join(top, "include", "sgdr.h")) and \
                os.path.isfile(os.path.join(top, "CMakeLists.txt")):
            return top
    raise BuildError("sgdr: libsgdr's C sources are neither in %s/libsgdr (an sdist) nor two "
                     "directories up (a checkout)" % HERE)


def license_file():
    """The sdist's LICENSE, or the repository's (two directories up) in a checkout."""
    for path in (os.path.join(HERE, "LICENSE"),
                 os.path.join(os.path.dirname(os.path.dirname(HERE)), "LICENSE")):
        if os.path.isfile(path):
            return path
    raise BuildError("sgdr: no LICENSE in %s or two directories up" % HERE)


def version():
    with open(os.path.join(c_source_root(), "include", "sgdr.h")) as f:
        text = f.read()
    parts = []
    for part in ("MAJOR", "MINOR", "PATCH"):
        m = re.search(r"^#define SGDR_VERSION_%s (\d+)\s*$" % part, text, re.M)
        if m is None:
            raise BuildError("sgdr: include/sgdr.h defines no SGDR_VERSION_%s" % part)
        parts.append(m.group(1))
    return ".".join(parts)


def metadata():
    with open(os.path.join(HERE, "README.md"), encoding="utf-8") as f:
        readme = f.read()
    lines = ["Metadata-Version: 2.1", "Name: " + NAME, "Version: " + version(),
             "Summary: " + SUMMARY, "License: MIT", "License-File: LICENSE",
             "Requires-Python: >=3.8"]
    lines += ["Classifier: " + c for c in CLASSIFIERS]
    lines += ["Provides-Extra: torch", 'Requires-Dist: torch; extra == "torch"',
              "Description-Content-Type: text/markdown"]
    return "\n".join(lines) + "\n\n" + readme


def wheel_tag():
    # A native library but no Python extension: any Python 3, this platform.
    return "py3-none-" + re.sub(r"[-.]", "_", sysconfig.get_platform())


def dist_info():
    return "%s-%s.dist-info" % (NAME, version())


def build_library(build_dir):
    """Configure and build the shared library alone; returns the path of its SONAME."""
    cmake = shutil.which("cmake")
    if cmake is None:
        raise BuildError("sgdr: building the package needs cmake (and a C compiler) to build "
                         "libsgdr")
    subprocess.check_call([
        cmake, "-S", c_source_root(), "-B", build_dir, "-DCMAKE_BUILD_TYPE=Release",
        "-DSGDR_BUILD_SHARED=ON", "-DSGDR_BUILD_TESTS=OFF", "-DSGDR_BUILD_EXAMPLES=OFF",
        "-DSGDR_BUILD_TOOLS=OFF", "-DSGDR_BUILD_BENCH=OFF", "-DSGDR_INSTALL=OFF"])
    subprocess.check_call([cmake, "--build", build_dir, "--target", "sgdr", "-j2"])
    return os.path.join(build_dir, SONAME)


# ---- PEP 517 hooks ----

def get_requires_for_build_wheel(config_settings=None):
    return []


def get_requires_for_build_sdist(config_settings=None):
    return []


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    path = os.path.join(metadata_directory, dist_info())
    os.makedirs(path, exist_ok=True)
    for name, text in (("METADATA", metadata()), ("WHEEL", wheel_file())):
        with open(os.path.join(path, name), "w", encoding="utf-8") as f:
            f.write(text)
    return dist_info()


def wheel_file():
    return ("Wheel-Version: 1.0\nGenerator: sgdr_build\nRoot-Is-Purelib: false\nTag: %s\n"
            % wheel_tag())


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    name = "%s-%s-%s.whl" % (NAME, version(), wheel_tag())
    with tempfile.TemporaryDirectory() as tmp:
        library = build_library(os.path.join(tmp, "libsgdr"))
        files = []  # (path in the wheel, bytes, mode)
        package = os.path.join(HERE, NAME)
        for entry in sorted(os.listdir(package)):
            if entry.endswith(".py"):
                with open(os.path.join(package, entry), "rb") as f:
                    files.append(("%s/%s" % (NAME, entry), f.read(), 0o644))
        with open(library, "rb") as f:  # follows the symlink to the versioned file
            files.append(("%s/%s" % (NAME, SONAME), f.read(), 0o755))
        with open(license_file(), "rb") as f:
            files.append((dist_info() + "/LICENSE", f.read(), 0o644))
        files.append((dist_info() + "/METADATA", metadata().encode(), 0o644))
        files.append((dist_info() + "/WHEEL", wheel_file().encode(), 0o644))
        record = [",".join((path, "sha256=" + base64.urlsafe_b64encode(
            hashlib.sha256(data).digest()).rstrip(b"=").decode(), str(len(data))))
            for path, data, _ in files]
        record.append(dist_info() + "/RECORD,,")
        files.append((dist_info() + "/RECORD", ("\n".join(record) + "\n").encode(), 0o644))
        with zipfile.ZipFile(os.path.join(wheel_directory, name), "w",
                             zipfile.ZIP_DEFLATED) as whl:
            for path, data, mode in files:
                info = zipfile.ZipInfo(path, date_time=(1980, 1, 1, 0, 0, 0))
                info.external_attr = (0o100000 | mode) << 16
                info.compress_type = zipfile.ZIP_DEFLATED
                whl.writestr(info, data)
    return name


def build_sdist(sdist_directory, config_settings=None):
    """An sdist that carries libsgdr's C sources, so that a wheel can be built from it."""
    base = "%s-%s" % (NAME, version())
    name = base + ".tar.gz"
    top = c_source_root()

    def clean(info):
        if "__pycache__" in info.name.split("/") or info.name.endswith(".pyc"):
            return None
        info.uid = info.gid = 0
        info.uname = info.gname = ""
        return info

    with tarfile.open(os.path.join(sdist_directory, name), "w:gz", format=tarfile.PAX_FORMAT) as tar:
        for entry in SDIST_FILES:
            tar.add(os.path.join(HERE, entry), arcname="%s/%s" % (base, entry), filter=clean)
        tar.add(license_file(), arcname="%s/LICENSE" % base, filter=clean)
        for entry in C_TREE:
            tar.add(os.path.join(top, entry), arcname="%s/libsgdr/%s" % (base, entry),
                    filter=clean)
        pkg_info = metadata().encode()
        info = tarfile.TarInfo("%s/PKG-INFO" % base)
        info.size = len(pkg_info)
        info.mode = 0o644
        tar.addfile(info, io.BytesIO(pkg_info))
    return name
