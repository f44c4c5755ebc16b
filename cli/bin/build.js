#!/usr/bin/env node
'use strict';
/**
 * Builds the CLI once into dist/cli/arbiter.js (npm runs it at install, as `prepare`; by hand:
 * `npm run build:cli`), so `arbiter` starts in a fraction of a second instead of compiling the
 * TypeScript at every call. npm packages stay external (read from node_modules at run time).
 *
 * Sources that find files next to themselves (`__dirname`: the dashboard's assets, the simulator's
 * scenarios) keep finding them: each `__dirname` becomes that source file's own folder, computed
 * from the bundle's place in dist/cli.
 *
 *   node cli/bin/build.js [--outfile <file>] [--if-possible]
 *
 * --if-possible (the `prepare` script): a failed build is reported and the install goes on; the
 * CLI then runs from its sources and says so.
 */
const path = require('node:path');
const fs = require('node:fs');

const root = path.join(__dirname, '..', '..');
const outArg = process.argv.indexOf('--outfile');
const outfile = outArg > 0 ? path.resolve(process.argv[outArg + 1]) : path.join(root, 'dist', 'cli', 'arbiter.js');
const ifPossible = process.argv.includes('--if-possible');

let esbuild;
try {
  esbuild = require('esbuild');
} catch {
  // An install without devDependencies: the CLI still runs, from the sources (bin/arbiter.js says so).
  process.stderr.write('arbiter: esbuild is not installed (an install without devDependencies?): the CLI is not built and runs from its TypeScript sources.\n');
  process.exit(0);
}

/** `__dirname` in a project source → that source's folder, relative to the bundle's project root. */
const sourceDirnamePlugin = {
  name: 'source-dirname',
  setup(build) {
    build.onLoad({ filter: /\.ts$/ }, async (args) => {
      if (args.path.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
      const text = await fs.promises.readFile(args.path, 'utf8');
      if (!/\b__dirname\b/.test(text)) return { contents: text, loader: 'ts' };
      const dir = path.relative(root, path.dirname(args.path)).split(path.sep).join('/');
      return { contents: text.replace(/\b__dirname\b/g, `__arbiterSourceDir(${JSON.stringify(dir)})`), loader: 'ts' };
    });
  },
};

const projectRootFromBundle = path.relative(path.dirname(outfile), root).split(path.sep).join('/') || '.';
esbuild
  .build({
    entryPoints: [path.join(root, 'cli', 'main.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    packages: 'external',
    logLevel: 'warning',
    banner: { js: `const __arbiterSourceDir = (dir) => require('node:path').join(__dirname, ${JSON.stringify(projectRootFromBundle)}, dir);` },
    plugins: [sourceDirnamePlugin],
  })
  .then(() => process.stdout.write(`arbiter: CLI built into ${path.relative(process.cwd(), outfile) || outfile}\n`))
  .catch((error) => {
    process.stderr.write(`arbiter: building the CLI failed: ${error.message}\n`);
    if (ifPossible) process.stderr.write('arbiter: the CLI runs from its TypeScript sources until `npm run build:cli` succeeds.\n');
    process.exit(ifPossible ? 0 : 1);
  });
