import { EnvironmentError } from '@app/config';

/**
 * Runs a process's bootstrap; a failure to start is one clear line on stderr and exit 1
 * (an invalid environment names its variables, anything else shows its stack).
 */
export function runMain(bootstrap: () => Promise<void>): void {
  bootstrap().catch((error: unknown) => {
    if (error instanceof EnvironmentError) {
      process.stderr.write(`${error.message}\n`);
    } else {
      process.stderr.write(`Failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    }
    process.exit(1);
  });
}
