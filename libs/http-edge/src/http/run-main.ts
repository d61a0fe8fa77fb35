import { EnvironmentError, messageOf, StartupError } from '@app/config';

export function runMain(bootstrap: () => Promise<void>): void {
  bootstrap().catch((error: unknown) => {
    if (error instanceof EnvironmentError || error instanceof StartupError) {
      process.stderr.write(`Failed to start: ${error.message}\n`);
    } else {
      const stack = error instanceof Error && error.stack ? `\n${error.stack}` : '';
      process.stderr.write(`Failed to start: ${messageOf(error)}${stack}\n`);
    }
    process.exit(1);
  });
}

export async function listenOrExplain(listen: () => Promise<unknown>, port: number, variable: string): Promise<void> {
  try {
    await listen();
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'EADDRINUSE')
      throw new StartupError(`Port ${port} is in use by another process`, `Stop that process, or set ${variable} to a free port`, { cause: error });
    if (code === 'EACCES')
      throw new StartupError(`Port ${port} needs privileges this process does not have`, `Set ${variable} to a port above 1023`, { cause: error });
    throw error;
  }
}
