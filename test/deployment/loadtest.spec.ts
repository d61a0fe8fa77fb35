import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';

/**
 * k6 cannot run here: the scripts are checked as ES modules (syntax, imports) so that a typo
 * is not first found by whoever runs the load test.
 */
const LOADTEST = resolve(__dirname, '../../loadtest');

function scripts(directory: string): string[] {
  return readdirSync(directory).flatMap((entry) => {
    const path = join(directory, entry);
    if (statSync(path).isDirectory()) return scripts(path);
    return path.endsWith('.js') ? [path] : [];
  });
}

const files = scripts(LOADTEST);

describe('loadtest k6 scripts', () => {
  let scratch: string;
  beforeAll(() => {
    scratch = mkdtempSync(join(tmpdir(), 'k6-syntax-'));
  });
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('has the five scripts', () => {
    expect(files.map((file) => relative(LOADTEST, file)).sort()).toEqual(
      ['analytics.js', 'connection-storm.js', 'lib/setup.js', 'noisy-neighbour.js', 'tenant-mix.js'].sort(),
    );
  });

  it.each(files.map((file) => [relative(LOADTEST, file), file]))('%s parses as an ES module', (_, file) => {
    const copy = join(scratch, `${relative(LOADTEST, file).replace(/[/\\]/g, '_')}.mjs`);
    copyFileSync(file, copy);
    expect(() => execFileSync(process.execPath, ['--check', copy], { stdio: 'pipe' })).not.toThrow();
  });

  it.each(files.map((file) => [relative(LOADTEST, file), file]))('%s imports only k6 modules and files that exist', (_, file) => {
    const imports = [...readFileSync(file, 'utf8').matchAll(/^import [^'"]*['"]([^'"]+)['"]/gm)].map((match) => match[1]);
    for (const specifier of imports) {
      if (specifier.startsWith('.')) expect([specifier, existsSync(resolve(dirname(file), specifier))]).toEqual([specifier, true]);
      else expect(specifier).toMatch(/^k6(\/[a-z/-]+)?$/);
    }
  });

  it('documents every scenario in the README', () => {
    const readme = readFileSync(join(LOADTEST, 'README.md'), 'utf8');
    for (const file of files.filter((path) => !path.includes(join('loadtest', 'lib')))) {
      expect(readme).toContain(`loadtest/${relative(LOADTEST, file)}`);
    }
  });
});
