import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, posix, relative, resolve } from 'node:path';
import { parse } from 'yaml';
import { DatabaseRole, Environment, ENVIRONMENT_VARIABLES, validateEnvironment } from '@app/config';

/**
 * No Docker engine runs where the unit tests run, so docker-compose.yml, the Dockerfile and the
 * PgBouncer config are checked as data: that they agree with each other, with the apps'
 * validated configuration (libs/config) and with the build output paths (nest-cli.json).
 */

const ROOT = resolve(__dirname, '../..');
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');
const readJson = (file: string): any => JSON.parse(read(file));

// ---- docker-compose.yml ----------------------------------------------------------------

interface HealthCheck {
  test: string[] | string;
}
interface DependsOn {
  condition: string;
}
interface Service {
  image?: string;
  build?: unknown;
  command?: string[] | string;
  entrypoint?: string[] | string;
  environment?: Record<string, string | number | boolean | null> | string[];
  ports?: string[];
  volumes?: string[];
  healthcheck?: HealthCheck;
  depends_on?: Record<string, DependsOn> | string[];
  restart?: string;
}
interface Compose {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
}

const compose = parse(read('docker-compose.yml'), { merge: true }) as Compose;
const services = compose.services;

/** Values for the host variables the compose file requires (`${VAR:?message}`). */
const HOST_ENVIRONMENT: Record<string, string> = Object.fromEntries(
  read('deploy/compose.env.example')
    .split(/\r?\n/)
    .filter((line) => /^[A-Z_]+=/.test(line))
    .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
);

/** Compose interpolation: ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error}, ${VAR?error}. */
function interpolate(value: string, host: Record<string, string> = HOST_ENVIRONMENT): string {
  return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}/g, (_, name: string, operator?: string, argument?: string) => {
    const set = host[name];
    if (operator?.endsWith('?')) {
      if (set === undefined) throw new Error(`${name} is required by docker-compose.yml: ${argument}`);
      return set;
    }
    if (operator?.endsWith('-')) return set ?? argument ?? '';
    return set ?? '';
  });
}

function environmentOf(service: Service): Record<string, string> {
  const raw = service.environment ?? {};
  const entries: Array<[string, string]> = Array.isArray(raw)
    ? raw.map((line) => [line.split('=')[0], line.slice(line.indexOf('=') + 1)])
    : Object.entries(raw).map(([key, value]) => [key, value === null ? '' : String(value)]);
  return Object.fromEntries(entries.map(([key, value]) => [key, interpolate(value)]));
}

/** Environment values as written, before interpolation. */
function rawEnvironmentOf(service: Service): Record<string, string> {
  return Object.fromEntries(Object.entries(service.environment as Record<string, unknown>).map(([key, value]) => [key, String(value)]));
}

function dependenciesOf(service: Service): Record<string, string> {
  const raw = service.depends_on ?? {};
  if (Array.isArray(raw)) return Object.fromEntries(raw.map((name) => [name, 'service_started']));
  return Object.fromEntries(Object.entries(raw).map(([name, dependency]) => [name, dependency.condition]));
}

/** The container side of each published port ("127.0.0.1:${X:-5432}:5432" -> 5432). */
function containerPorts(service: Service): number[] {
  return (service.ports ?? []).map((port) => Number(interpolate(port).split(':').pop()!.split('/')[0]));
}

function asList(value: string[] | string | undefined): string[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value.map(String) : value.split(/\s+/);
}

function bindMounts(service: Service): Array<{ source: string; target: string }> {
  return (service.volumes ?? [])
    .map((volume) => volume.split(':'))
    .filter(([source]) => source.startsWith('./'))
    .map(([source, target]) => ({ source, target }));
}

// ---- build output paths (nest-cli.json) --------------------------------------------------

interface NestProject {
  root: string;
  sourceRoot: string;
  entryFile: string;
  compilerOptions?: { tsConfigPath?: string };
}
const nestCli = readJson('nest-cli.json') as { compilerOptions: { tsConfigPath: string }; projects: Record<string, NestProject> };

/** Where `nest build <project>` writes the compiled form of a source file of that project. */
function nestOutput(projectName: string, sourceFile?: string): string {
  const project = nestCli.projects[projectName];
  const tsconfigPath = project.compilerOptions?.tsConfigPath ?? nestCli.compilerOptions.tsConfigPath;
  const tsconfig = readJson(tsconfigPath) as { compilerOptions: { outDir: string }; include: string[] };
  const outDir = posix.normalize(posix.join(dirname(tsconfigPath), tsconfig.compilerOptions.outDir));
  // tsc mirrors the inputs under outDir from their common root: the app's tsconfig includes
  // ../../libs and ../../migrations too, which puts that root at the repository root.
  const inputRoots = tsconfig.include.map((pattern) => posix.join(dirname(tsconfigPath), pattern.split('/*')[0]));
  const commonRoot = inputRoots.reduce((common, path) => {
    const a = posix.normalize(common).split('/');
    const b = posix.normalize(path).split('/');
    let i = 0;
    while (i < a.length && i < b.length && a[i] === b[i]) i += 1;
    return a.slice(0, i).join('/') || '.';
  });
  const source = sourceFile ?? posix.join(project.sourceRoot, `${project.entryFile}.ts`);
  return posix.join(outDir, posix.relative(commonRoot, source).replace(/\.ts$/, '.js'));
}

const API_MAIN = nestOutput('api');
const CONTROL_PLANE_MAIN = nestOutput('control-plane');
const ANALYTICS_MAIN = nestOutput('analytics');
const MIGRATE_CLI = nestOutput('control-plane', 'apps/control-plane/src/cli/migrate.ts');
const START_LOCAL = nestOutput('control-plane', 'apps/control-plane/src/cli/start-local.ts');

// ---- Dockerfile --------------------------------------------------------------------------

interface Instruction {
  keyword: string;
  args: string;
}
interface Stage {
  name: string;
  base: string;
  instructions: Instruction[];
}

function parseDockerfile(text: string): { args: Record<string, string>; stages: Stage[] } {
  const lines = text
    .replace(/\\\r?\n/g, ' ')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  const args: Record<string, string> = {};
  const stages: Stage[] = [];
  for (const line of lines) {
    const [keyword, ...rest] = line.split(/\s+/);
    const instruction = { keyword: keyword.toUpperCase(), args: rest.join(' ') };
    if (instruction.keyword === 'FROM') {
      const [base, as, name] = rest;
      const resolved = base.replace(/\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g, (_, arg: string) => args[arg] ?? '');
      stages.push({ name: as?.toUpperCase() === 'AS' ? name : String(stages.length), base: resolved, instructions: [] });
    } else if (stages.length === 0 && instruction.keyword === 'ARG') {
      const [name, value] = instruction.args.split('=');
      args[name] = value ?? '';
    } else if (stages.length > 0) {
      stages[stages.length - 1].instructions.push(instruction);
    }
  }
  return { args, stages };
}

const dockerfile = parseDockerfile(read('Dockerfile'));
const finalStage = dockerfile.stages[dockerfile.stages.length - 1];
const runs = (stage: Stage) => stage.instructions.filter((i) => i.keyword === 'RUN').map((i) => i.args);
const copies = (stage: Stage) => stage.instructions.filter((i) => i.keyword === 'COPY').map((i) => i.args.split(/\s+/));

// ---- PgBouncer ---------------------------------------------------------------------------

function parseIni(text: string): Record<string, Record<string, string>> {
  const sections: Record<string, Record<string, string>> = {};
  let current = '';
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.trim();
    if (line === '' || line.startsWith(';') || line.startsWith('#')) continue;
    const section = /^\[(.+)\]$/.exec(line);
    if (section) {
      current = section[1];
      sections[current] = {};
      continue;
    }
    const index = line.indexOf('=');
    sections[current][line.slice(0, index).trim()] = line.slice(index + 1).trim();
  }
  return sections;
}

function mountedFile(service: Service, target: string): string {
  const mount = bindMounts(service).find((m) => m.target === target);
  if (!mount) throw new Error(`nothing is mounted at ${target}`);
  return mount.source;
}

const pgbouncerIni = parseIni(read(mountedFile(services.pgbouncer, '/etc/pgbouncer/pgbouncer.ini')));
const pgbouncerSettings = pgbouncerIni.pgbouncer;
const pgbouncerPort = Number(pgbouncerSettings.listen_port);
const pgbouncerEntrypoint = read(mountedFile(services.pgbouncer, '/etc/pgbouncer/entrypoint.sh'));

// ---- the checks --------------------------------------------------------------------------

const CITUS_NODES = ['coordinator', 'worker1', 'worker2'];
const APPS = ['api', 'control-plane', 'analytics'];
const environmentDefaults = new Environment() as unknown as Record<string, unknown>;
const APP_SPECS: Record<string, { main: string; portVariable: string; tokens: string[]; owner: boolean }> = {
  api: { main: API_MAIN, portVariable: 'PORT', tokens: ['API_KEY_SECRET'], owner: false },
  'control-plane': { main: CONTROL_PLANE_MAIN, portVariable: 'CONTROL_PLANE_PORT', tokens: ['ADMIN_TOKEN', 'API_KEY_SECRET'], owner: true },
  analytics: { main: ANALYTICS_MAIN, portVariable: 'ANALYTICS_PORT', tokens: ['ANALYTICS_TOKEN'], owner: true },
};
const ROLE_PASSWORDS = {
  [DatabaseRole.Tenant]: 'APP_TENANT_PASSWORD',
  [DatabaseRole.Control]: 'APP_CONTROL_PASSWORD',
  [DatabaseRole.Analytics]: 'APP_ANALYTICS_PASSWORD',
};

describe('docker-compose.yml', () => {
  it('has the whole stack', () => {
    expect(Object.keys(services).sort()).toEqual(
      ['analytics', 'api', 'cluster-init', 'control-plane', 'coordinator', 'migrate', 'pgbouncer', 'worker1', 'worker2'].sort(),
    );
  });

  it('takes every secret from the env file, required, and the example names each', () => {
    const text = read('docker-compose.yml');
    const required = [...new Set([...text.matchAll(/\$\{([A-Z_]+):\?/g)].map((match) => match[1]))].sort();
    expect(required.sort()).toEqual(Object.keys(HOST_ENVIRONMENT).sort());
    expect(() => interpolate('${POSTGRES_PASSWORD:?required}', {})).toThrow(/required/);
  });

  describe.each(CITUS_NODES)('Citus node %s', (name) => {
    const node = services[name];

    it('runs a Citus 13 image that takes passwords only (scram-sha-256)', () => {
      expect(node.image).toMatch(/^citusdata\/citus:13(\.\d+)*(-pg1[5-7])?$/);
      const environment = environmentOf(node);
      expect(environment).toMatchObject({
        POSTGRES_DB: 'app',
        POSTGRES_HOST_AUTH_METHOD: 'scram-sha-256',
        POSTGRES_PASSWORD: HOST_ENVIRONMENT.POSTGRES_PASSWORD,
      });
      expect(environment.POSTGRES_INITDB_ARGS).toContain('--auth-host=scram-sha-256');
    });

    it('tracks tenant statistics and allows non-blocking shard moves', () => {
      const command = asList(node.command);
      expect(command[0]).toBe('postgres');
      expect(command).toContain('wal_level=logical');
      expect(command).toContain('citus.stat_tenants_track=all');
    });

    it('keeps its data in a named volume', () => {
      const named = (node.volumes ?? []).map((volume) => volume.split(':')).find(([, target]) => target === '/var/lib/postgresql/data');
      expect(named).toBeDefined();
      expect(Object.keys(compose.volumes ?? {})).toContain(named![0]);
    });

    it('has a pg_isready healthcheck over TCP on the database', () => {
      const test = asList(node.healthcheck?.test);
      expect(test).toEqual(expect.arrayContaining(['pg_isready', '-h', '127.0.0.1', '-d', 'app']));
    });
  });

  it('publishes database ports on the loopback interface only', () => {
    for (const name of [...CITUS_NODES, 'pgbouncer']) {
      for (const port of services[name].ports ?? []) expect(port).toMatch(/^127\.0\.0\.1:/);
    }
  });

  describe('cluster-init', () => {
    const init = services['cluster-init'];

    it('runs once the three nodes are healthy, with the same image', () => {
      expect(init.image).toBe(services.coordinator.image);
      expect(init.restart).toBe('no');
      expect(dependenciesOf(init)).toEqual(Object.fromEntries(CITUS_NODES.map((name) => [name, 'service_healthy'])));
    });

    it('records the owner password for the workers, then joins the coordinator and both workers', () => {
      const [script] = bindMounts(init);
      expect(existsSync(join(ROOT, script.source))).toBe(true);
      expect(asList(init.entrypoint)).toEqual(['bash', script.target]);
      const environment = environmentOf(init);
      expect(environment.CITUS_COORDINATOR).toBe('coordinator:5432');
      expect(environment.CITUS_WORKERS.split(/\s+/).sort()).toEqual(['worker1:5432', 'worker2:5432']);
      expect(environment.PGPASSWORD).toBe(HOST_ENVIRONMENT.POSTGRES_PASSWORD);
      const text = read(script.source);
      expect(text.indexOf('pg_dist_authinfo')).toBeGreaterThan(-1);
      expect(text.indexOf('pg_dist_authinfo')).toBeLessThan(text.indexOf('citus_add_node'));
      expect(text).toContain('citus_set_coordinator_host');
      expect(text).toMatch(/citus_add_node[\s\S]*WHERE NOT EXISTS/);
    });
  });

  describe('pgbouncer', () => {
    it('pools in transaction mode in front of the coordinator', () => {
      expect(pgbouncerSettings).toMatchObject({
        pool_mode: 'transaction',
        default_pool_size: '20',
        max_client_conn: '2000',
      });
      expect(
        pgbouncerSettings.ignore_startup_parameters
          .split(',')
          .map((p) => p.trim())
          .sort(),
      ).toEqual(['extra_float_digits', 'options']);
      expect(pgbouncerIni.databases.app).toMatch(/\bhost=coordinator\b/);
      expect(pgbouncerIni.databases.app).toMatch(/\bport=5432\b/);
      expect(pgbouncerIni.databases.app).toMatch(/\bdbname=app\b/);
      expect(pgbouncerIni.databases.app).not.toMatch(/\buser=/); // each client keeps its own role
    });

    it('checks every role with scram-sha-256 through auth_query; only the auth user has a line, written from the env file', () => {
      expect(pgbouncerSettings).toMatchObject({ auth_type: 'scram-sha-256', auth_user: 'postgres' });
      expect(pgbouncerSettings.auth_query).toMatch(/FROM pg_shadow WHERE usename = \$1/);
      expect(pgbouncerEntrypoint).toContain(pgbouncerSettings.auth_file);
      expect(pgbouncerEntrypoint).toContain('"postgres" "%s"');
      expect(environmentOf(services.pgbouncer).PGBOUNCER_AUTH_PASSWORD).toBe(HOST_ENVIRONMENT.POSTGRES_PASSWORD);
    });

    it('is healthy when it answers on its listen port, and has room for its clients', () => {
      expect(containerPorts(services.pgbouncer)).toEqual([pgbouncerPort]);
      expect(asList(services.pgbouncer.healthcheck?.test)).toEqual(expect.arrayContaining(['pg_isready', '-p', String(pgbouncerPort)]));
      expect(dependenciesOf(services.pgbouncer)).toEqual({ coordinator: 'service_healthy' });
      const limits = (services.pgbouncer as { ulimits?: { nofile?: { soft: number } } }).ulimits;
      expect(limits?.nofile?.soft).toBeGreaterThan(Number(pgbouncerSettings.max_client_conn));
    });
  });

  describe('migrate', () => {
    const migrate = services.migrate;

    it('runs the migration command of the app image once, after the cluster has joined', () => {
      expect(migrate.image).toBe(services.api.image);
      expect(migrate.restart).toBe('no');
      expect(asList(migrate.command)).toEqual(['node', MIGRATE_CLI]);
      expect(existsSync(join(ROOT, 'apps/control-plane/src/cli/migrate.ts'))).toBe(true);
      expect(dependenciesOf(migrate)).toEqual({ 'cluster-init': 'service_completed_successfully' });
    });

    it('connects as the owner directly to the coordinator, never through PgBouncer, and sets every app role password', () => {
      const environment = environmentOf(migrate);
      const url = new URL(environment.DATABASE_URL);
      expect([url.hostname, url.port, url.username, url.password, url.pathname]).toEqual([
        'coordinator',
        '5432',
        'postgres',
        HOST_ENVIRONMENT.POSTGRES_PASSWORD,
        '/app',
      ]);
      for (const variable of Object.values(ROLE_PASSWORDS)) expect(environment[variable]).toBe(HOST_ENVIRONMENT[variable]);
    });
  });

  describe.each(APPS)('%s', (name) => {
    const app = services[name];
    const spec = APP_SPECS[name];
    const environment = environmentOf(app);
    const port = Number(environment[spec.portVariable] ?? environmentDefaults[spec.portVariable]);

    it('runs the build output of its nest project from the app image', () => {
      expect(app.image).toBe(services.migrate.image);
      expect(app.build).toEqual(services.migrate.build);
      expect(asList(app.command)).toEqual(['node', spec.main]);
    });

    it('starts after the migrations, PgBouncer and the coordinator, and does not migrate itself', () => {
      expect(dependenciesOf(app)).toEqual({
        migrate: 'service_completed_successfully',
        pgbouncer: 'service_healthy',
        coordinator: 'service_healthy',
      });
      expect(validateEnvironment(environment).MIGRATE_ON_BOOT).toBe(false);
    });

    it('reaches the pooled roles through PgBouncer with their passwords, and LISTENs on the coordinator as the control role', () => {
      const pooled: Record<string, string> = { TENANT_DATABASE_URL: DatabaseRole.Tenant, CONTROL_DATABASE_URL: DatabaseRole.Control };
      if (spec.owner) pooled.ANALYTICS_DATABASE_URL = DatabaseRole.Analytics;
      for (const [variable, role] of Object.entries(pooled)) {
        const url = new URL(environment[variable]);
        expect([variable, url.hostname, Number(url.port), url.username, url.password, url.pathname]).toEqual([
          variable,
          'pgbouncer',
          pgbouncerPort,
          role,
          HOST_ENVIRONMENT[ROLE_PASSWORDS[role as keyof typeof ROLE_PASSWORDS]],
          '/app',
        ]);
      }
      const listen = new URL(environment.CONTROL_LISTEN_URL);
      expect([listen.hostname, listen.port, listen.username]).toEqual(['coordinator', '5432', DatabaseRole.Control]);
    });

    it(spec.owner ? 'holds the owner URL, straight to the coordinator' : 'holds no owner URL and no owner password', () => {
      if (spec.owner) {
        const owner = new URL(environment.DATABASE_URL);
        expect([owner.hostname, owner.port, owner.username, owner.pathname]).toEqual(['coordinator', '5432', 'postgres', '/app']);
      } else {
        expect(environment.DATABASE_URL).toBeUndefined();
        expect(Object.values(environment).join(' ')).not.toContain(HOST_ENVIRONMENT.POSTGRES_PASSWORD);
        expect(Object.keys(environment).filter((variable) => variable.includes('ANALYTICS'))).toEqual([]);
      }
    });

    it('publishes its port and checks /health/ready on it', () => {
      expect(containerPorts(app)).toEqual([port]);
      expect(asList(app.healthcheck?.test).join(' ')).toContain(`http://127.0.0.1:${port}/health/ready`);
    });

    it('takes its tokens from the host, required', () => {
      for (const token of spec.tokens) {
        expect(rawEnvironmentOf(app)[token]).toMatch(new RegExp(`^\\$\\{${token}:\\?.+\\}$`));
        expect(() => environmentOf({ environment: { [token]: rawEnvironmentOf(app)[token] } })).not.toThrow();
        expect(() => interpolate(rawEnvironmentOf(app)[token], {})).toThrow(/required/);
      }
    });
  });

  it.each(['migrate', ...APPS])('sets on %s only variables the apps read, with valid values', (name) => {
    const environment = environmentOf(services[name]);
    expect(Object.keys(environment).filter((variable) => !ENVIRONMENT_VARIABLES.includes(variable))).toEqual([]);
    expect(() => validateEnvironment(environment)).not.toThrow();
  });

  it('waits on healthchecks and one-shots that exist', () => {
    for (const [name, service] of Object.entries(services)) {
      for (const [dependency, condition] of Object.entries(dependenciesOf(service))) {
        expect([name, dependency, dependency in services]).toEqual([name, dependency, true]);
        if (condition === 'service_healthy') expect([dependency, services[dependency].healthcheck]).toEqual([dependency, expect.anything()]);
        if (condition === 'service_completed_successfully') expect([dependency, services[dependency].restart]).toEqual([dependency, 'no']);
      }
    }
  });
});

describe('Dockerfile', () => {
  const build = dockerfile.stages.find((stage) => stage.name === 'build')!;

  it('builds both apps in a build stage with every dependency', () => {
    expect(dockerfile.stages.length).toBeGreaterThanOrEqual(2);
    expect(build).toBeDefined();
    expect(runs(build).some((run) => /\bnpm ci\b/.test(run) && !run.includes('--omit'))).toBe(true);
    const buildCommands = runs(build).join(' && ');
    expect(buildCommands).toMatch(/nest build api\b/);
    expect(buildCommands).toMatch(/nest build control-plane\b/);
    expect(buildCommands).toMatch(/nest build analytics\b/);
  });

  it('runs on a Node.js LTS that satisfies package.json engines', () => {
    const major = Number(/^node:(\d+)/.exec(finalStage.base)?.[1]);
    const engine = Number(/(\d+)/.exec(readJson('package.json').engines.node)?.[1]);
    expect(major % 2).toBe(0);
    expect(major).toBeGreaterThanOrEqual(engine);
    expect(build.base).toBe(finalStage.base);
  });

  it('ships production dependencies only, in production mode', () => {
    const installs = runs(finalStage).filter((run) => /\bnpm (ci|install|i)\b/.test(run));
    expect(installs).toHaveLength(1);
    expect(installs[0]).toMatch(/\bnpm ci\b/);
    expect(installs[0]).toMatch(/--omit=dev\b/);
    expect(finalStage.instructions).toContainEqual({ keyword: 'ENV', args: 'NODE_ENV=production' });
    expect(copies(finalStage)).toContainEqual(['package.json', 'package-lock.json', './']);
  });

  it('copies the compiled apps from the build stage', () => {
    expect(copies(finalStage)).toContainEqual([`--from=${build.name}`, '/app/dist', './dist']);
    const workdir = finalStage.instructions.filter((i) => i.keyword === 'WORKDIR').pop()?.args;
    expect(workdir).toBe('/app');
  });

  it('runs as a non-root user', () => {
    const users = finalStage.instructions.filter((i) => i.keyword === 'USER').map((i) => i.args);
    expect(users.length).toBeGreaterThan(0);
    expect(users[users.length - 1]).not.toMatch(/^(root|0)(:|$)/);
  });

  it('starts the tenant API from its nest build output, like npm run start:api', () => {
    const cmd = finalStage.instructions.filter((i) => i.keyword === 'CMD').pop()!;
    expect(JSON.parse(cmd.args)).toEqual(['node', API_MAIN]);
    const scripts = readJson('package.json').scripts as Record<string, string>;
    expect(scripts['start:api']).toContain(`node ${API_MAIN}`);
    expect(scripts['start:control-plane']).toContain(`node ${CONTROL_PLANE_MAIN}`);
    expect(scripts.start).toContain(`node ${START_LOCAL}`);
    expect(scripts['start:analytics']).toContain(`node ${ANALYTICS_MAIN}`);
    expect(scripts.migrate).toContain(`node ${MIGRATE_CLI}`);
  });

  it('has a .dockerignore that keeps local state out and what the build copies in', () => {
    const ignored = read('.dockerignore')
      .split(/\r?\n/)
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#'));
    expect(ignored).toEqual(expect.arrayContaining(['node_modules', 'dist', '.data', '.cluster', '.env', '.git']));
    const copied = dockerfile.stages
      .flatMap(copies)
      .filter((args) => !args[0].startsWith('--from'))
      .flatMap((args) => args.slice(0, -1));
    for (const source of copied) {
      expect([source, existsSync(join(ROOT, source))]).toEqual([source, true]);
      expect([source, ignored.some((pattern) => relative(pattern, source) === '' || source.startsWith(`${pattern}/`))]).toEqual([source, false]);
    }
  });
});
