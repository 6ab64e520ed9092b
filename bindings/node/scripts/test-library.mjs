// SPDX-License-Identifier: MIT
// pretest: what `npm test` tests when SGDR_LIBRARY and SGDR_SCHEDULE are not set, as a
// contributor builds it: this checkout's build/release (the `release` preset), built with
// CMake first if the library or sgdr-schedule is missing there. Says which it uses.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const top = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const build = join(top, 'build/release');

/** The library and the tool under test: the environment's, else build/release's. */
export function underTest(env = process.env) {
  return {
    library: env.SGDR_LIBRARY || join(build, 'libsgdr.so.1'),
    schedule: env.SGDR_SCHEDULE || join(build, 'tools/sgdr-schedule'),
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { library, schedule } = underTest();
  const missing = [library, schedule].filter((p) => !existsSync(p));
  if (missing.length > 0 && (process.env.SGDR_LIBRARY || process.env.SGDR_SCHEDULE)) {
    process.stderr.write(`test-library: ${missing.join(' and ')} missing (from the environment)\n`);
    process.exit(1);
  }
  if (missing.length > 0) {
    process.stderr.write(`test-library: ${missing.join(' and ')} missing; building: ` +
      'cmake --preset release && cmake --build --preset release\n');
    const run = (args) => execFileSync('cmake', args, { cwd: top, stdio: ['ignore', 'ignore', 'inherit'] });
    run(['--preset', 'release']);
    run(['--build', '--preset', 'release', '-j2', '--target', 'sgdr', 'sgdr-schedule']);
  }
  process.stderr.write(`test-library: testing ${library} and ${schedule}\n`);
}
