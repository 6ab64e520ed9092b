// SPDX-License-Identifier: MIT
// prepack: put libsgdr.so.1 into native/ so that the packed tarball carries its own copy,
// and the repository's LICENSE next to package.json (npm packs a LICENSE found there).
// With SGDR_BUILD_DIR set, copies that build directory's library; otherwise builds the
// library from this source tree with CMake (Release, the library only) in build/npm-pack.
// Refuses to pack when package.json's version is not sgdr.h's, or the library's.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import koffi from 'koffi';

const pkgDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const top = resolve(pkgDir, '../..');
const name = 'libsgdr.so.1';

function die(msg) {
  process.stderr.write(`bundle-library: ${msg}\n`);
  process.exit(1);
}

const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
const header = readFileSync(join(top, 'include/sgdr.h'), 'utf8')
  .match(/#define SGDR_VERSION_STRING "([^"]+)"/)?.[1];
if (pkg.version !== header) {
  die(`package.json has version ${pkg.version} but include/sgdr.h is ${header}: ` +
    `run \`npm version --no-git-tag-version ${header}\` in bindings/node`);
}

let build = process.env.SGDR_BUILD_DIR;
if (!build) {
  build = join(top, 'build/npm-pack');
  const run = (args) => execFileSync('cmake', args, { stdio: ['ignore', 'ignore', 'inherit'] });
  run(['-S', top, '-B', build, '-DCMAKE_BUILD_TYPE=Release', '-DSGDR_BUILD_TESTS=OFF',
    '-DSGDR_BUILD_EXAMPLES=OFF', '-DSGDR_BUILD_TOOLS=OFF', '-DSGDR_BUILD_BENCH=OFF']);
  run(['--build', build, '-j2', '--target', 'sgdr']);
}
const from = join(resolve(build), name);
const to = join(pkgDir, 'native', name);
mkdirSync(dirname(to), { recursive: true });
try {
  copyFileSync(from, to); // follows the symlink to the versioned file
} catch (e) {
  die(`cannot copy ${from}: ${e.message}`);
}
const lib = koffi.load(to);
const got = lib.func('const char *sgdr_version_string(void)')();
lib.unload();
if (got !== pkg.version) die(`${from} is libsgdr ${got}, the package is ${pkg.version}`);
process.stderr.write(`bundle-library: ${to} (libsgdr ${got}, from ${from})\n`);
copyFileSync(join(top, 'LICENSE'), join(pkgDir, 'LICENSE'));
