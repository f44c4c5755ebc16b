// Lints one piece of code as if it lived at each given path, with the project's eslint.config.mjs,
// through ESLint's Node API. A separate process because jest's VM cannot load an ESM config file.
// Usage: node lint-text.mjs <root> <code-file> <path>... ; prints [{ filePath, messages }] as JSON.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ESLint } from 'eslint';

const [root, codeFile, ...paths] = process.argv.slice(2);
const code = readFileSync(codeFile, 'utf8');
const eslint = new ESLint({ cwd: root });
const out = [];
for (const path of paths) {
  const [result] = await eslint.lintText(code, { filePath: join(root, path) });
  out.push({ filePath: path, messages: result.messages.map(({ ruleId, severity, line, message }) => ({ ruleId, severity, line, message })) });
}
process.stdout.write(JSON.stringify(out));
