/** What failed and what to do about it, a line each: what runMain prints instead of a stack trace. */
export class StartupError extends Error {
  constructor(
    readonly what: string,
    readonly hint: string,
    options?: { cause?: unknown },
  ) {
    super(`${what}\n  ${hint}`, options);
  }
}

export function connectionFailure(error: unknown, url: string, variable: string): StartupError {
  const { host, pathname, username } = new URL(url);
  const code = (error as { code?: string } | undefined)?.code;
  const where = `${host}${pathname} as ${decodeURIComponent(username) || 'the default user'}`;
  switch (code) {
    case 'ECONNREFUSED':
      return new StartupError(
        `The database at ${host} (${variable}) refused the connection`,
        `Start it, or fix ${variable}; unset DATABASE_URL to use the embedded PostgreSQL`,
        { cause: error },
      );
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new StartupError(`The database host in ${variable} (${host}) cannot be resolved`, `Fix the host name in ${variable}`, { cause: error });
    case '28P01':
    case '28000':
      return new StartupError(`The database refused the credentials for ${where} (${variable})`, `Fix the user or password in ${variable}`, { cause: error });
    case '3D000':
      return new StartupError(
        `The database ${pathname.slice(1)} does not exist on ${host} (${variable})`,
        `Create it (CREATE DATABASE ${pathname.slice(1)}) or fix ${variable}`,
        { cause: error },
      );
    default:
      return new StartupError(
        `Cannot connect to the database at ${where} (${variable}): ${messageOf(error)}`,
        `Check that it runs and that ${variable} is right`,
        { cause: error },
      );
  }
}

export function messageOf(error: unknown): string {
  if (error instanceof Error && error.message) return error.message;
  if (typeof error === 'string' && error) return error;
  return 'no message given';
}
