/**
 * Reads `arbiter.config.yml` (or another path) and validates it. YAML syntax errors become
 * problems with a line and column, like every other problem: the caller prints them all.
 */
import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument } from 'yaml';
import { validateConfig, type ConfigProblem, type ConfigResult } from '../../domain';

export const defaultConfigPath = 'arbiter.config.yml';

/** Parses YAML text and validates it. */
export function parseConfigText(text: string): ConfigResult {
  // prettyErrors: false leaves `linePos` unset, so positions come from a LineCounter instead.
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { prettyErrors: false, uniqueKeys: true, lineCounter });
  if (document.errors.length > 0) {
    const errors: ConfigProblem[] = document.errors.map((e) => {
      const at = lineCounter.linePos(e.pos[0]);
      return { path: `line ${at.line}, column ${at.col}`, message: `invalid YAML: ${e.message.split('\n')[0]}` };
    });
    return { ok: false, errors };
  }
  if (document.contents === null) return { ok: false, errors: [{ path: '', message: 'the file is empty (no YAML in it): start from arbiter.config.yml in the project (README, Configuration)' }] };
  return validateConfig(document.toJS());
}

/** Reads and validates a config file; an unreadable file is a problem, not an exception. */
export function loadConfigFile(path: string = defaultConfigPath): ConfigResult {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    return { ok: false, errors: [{ path: '', message: `cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}` }] };
  }
  return parseConfigText(text);
}

/** Formats problems one per line: `path: message`. */
export function formatProblems(problems: readonly ConfigProblem[]): string {
  return problems.map((p) => (p.path === '' ? p.message : `${p.path}: ${p.message}`)).join('\n');
}
