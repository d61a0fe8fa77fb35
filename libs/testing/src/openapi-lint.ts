import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = join(__dirname, '../../..');

/**
 * What redocly (recommended ruleset, redocly.yaml) and spectral (spectral:oas, .spectral.yaml)
 * say of an OpenAPI document, errors and warnings alike, one line per problem.
 */
export async function lintOpenApi(document: unknown): Promise<{ redocly: string[]; spectral: string[] }> {
  const file = join(mkdtempSync(join(tmpdir(), 'openapi-')), 'openapi.json');
  writeFileSync(file, JSON.stringify(document, null, 2));
  const options = { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 };
  const redocly = await run('npx', ['redocly', 'lint', file, '--format=json'], options).catch((error: unknown) => error as { stdout: string });
  const spectral = await run('npx', ['spectral', 'lint', file, '--format=json', '--quiet'], options).catch((error: unknown) => error as { stdout: string });
  const redoclyReport = JSON.parse(redocly.stdout) as { problems: Array<{ ruleId: string; message: string }> };
  const spectralProblems = JSON.parse(spectral.stdout || '[]') as Array<{ code: string; message: string; severity: number }>;
  return {
    redocly: redoclyReport.problems.map((problem) => `${problem.ruleId}: ${problem.message}`),
    // Severity 0 is an error, 1 a warning; hints and infos are not findings.
    spectral: spectralProblems.filter((problem) => problem.severity <= 1).map((problem) => `${problem.code}: ${problem.message}`),
  };
}
