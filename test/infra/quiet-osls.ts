/** osls for the infra tests: its output is kept and shown only when packaging fails. */
import { execFile } from 'node:child_process';
import type { OslsRunner } from '../../cli/commands/package';

export function quietOsls(timeoutMs: number): OslsRunner {
  return ({ args, env }) =>
    new Promise((done) => {
      execFile('node_modules/.bin/osls', args, { env: { ...process.env, ...env }, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
        if (error) process.stderr.write(`osls ${args.join(' ')} failed:\n${stdout}\n${stderr}\n`);
        done(error ? (typeof error.code === 'number' ? error.code : 1) : 0);
      });
    });
}
