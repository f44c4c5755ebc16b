#!/usr/bin/env node
// The `arbiter` command: runs the TypeScript CLI through tsx (a dependency), so no build step is needed.
const { spawnSync } = require('node:child_process');
const path = require('node:path');
const tsx = require.resolve('tsx/cli', { paths: [path.join(__dirname, '..', '..')] });
const main = path.join(__dirname, '..', 'main.ts');
const result = spawnSync(process.execPath, [tsx, main, ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(result.status === null ? 1 : result.status);
