#!/usr/bin/env node
'use strict';
/**
 * The `arbiter` command. It runs the CLI built once into dist/cli/arbiter.js (by `npm install`,
 * through the `prepare` script, or `npm run build:cli`), which starts in well under half a second.
 * When that build is missing or older than a source file, it runs the TypeScript sources through
 * tsx instead (about 2 s a call) and says how to build.
 */
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..', '..');
const built = path.join(root, 'dist', 'cli', 'arbiter.js');
/** Folders whose .ts files the build contains, and a bound on how many files are looked at. */
const sourceDirs = ['cli', 'shared', 'sim', 'resources'];
const sourceFilesMax = 5000;

/** The newest modification time of any TypeScript source (and package.json), in ms. */
function newestSourceMs() {
  let newest = fs.statSync(path.join(root, 'package.json')).mtimeMs;
  let seen = 0;
  const pending = sourceDirs.map((d) => path.join(root, d));
  while (pending.length > 0 && seen < sourceFilesMax) {
    const dir = pending.pop();
    let entries;
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const entry of entries) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) pending.push(full);
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) {
        seen += 1;
        newest = Math.max(newest, fs.statSync(full).mtimeMs);
      }
    }
  }
  return newest;
}

function builtIsFresh() {
  try {
    return fs.statSync(built).mtimeMs >= newestSourceMs();
  } catch {
    return false;
  }
}

if (builtIsFresh()) {
  require(built).main(process.argv.slice(2)).then((code) => process.exit(code));
} else {
  const why = fs.existsSync(built) ? 'is older than the sources' : 'is missing';
  process.stderr.write(`arbiter: the built CLI (dist/cli/arbiter.js) ${why}; running from the TypeScript sources, slowly. Build it once: npm run build:cli\n`);
  // Ctrl-C reaches the child too (same process group): this process waits for the child's own
  // cleanup instead of dying first and leaving it to finish after the shell prompt is back.
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => {});
  const tsx = require.resolve('tsx/cli', { paths: [root] });
  const result = spawnSync(process.execPath, [tsx, path.join(root, 'cli', 'main.ts'), ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(result.status === null ? 1 : result.status);
}
