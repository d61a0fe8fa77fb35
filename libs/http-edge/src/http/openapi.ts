import type { OpenAPIObject } from '@nestjs/swagger';
import type { HeaderObject, OperationObject, ResponseObject, SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';

export const ERROR_SCHEMA = 'ErrorBody';

const errorSchema: SchemaObject = {
  type: 'object',
  required: ['statusCode', 'error', 'message', 'requestId'],
  properties: {
    statusCode: { type: 'integer', minimum: 400, maximum: 599 },
    error: { type: 'string', description: 'The HTTP reason phrase' },
    message: { type: 'string' },
    requestId: { type: 'string', description: 'The X-Request-Id of the response' },
    details: {
      type: 'array',
      description: 'Validation errors only: one entry per invalid field',
      items: { type: 'object', required: ['field', 'message'], properties: { field: { type: 'string' }, message: { type: 'string' } } },
    },
  },
};

const integerHeader = (description: string): HeaderObject => ({ description, schema: { type: 'integer' } });
const HEADERS: Record<string, HeaderObject> = {
  'X-Request-Id': { description: 'Echo of the request id sent (up to 128 safe characters), or a generated one', schema: { type: 'string' } },
  'Retry-After': integerHeader('Seconds to wait before retrying'),
  'RateLimit-Limit': integerHeader("Requests allowed per window by the tenant's plan"),
  'RateLimit-Remaining': integerHeader('Requests left in the current window'),
  'RateLimit-Reset': integerHeader('Seconds until the window resets'),
  'Idempotent-Replayed': {
    description: '`true` when the answer replays an earlier request with the same Idempotency-Key',
    schema: { type: 'string', enum: ['true'] },
  },
  'WWW-Authenticate': { description: 'The authentication scheme: Bearer', schema: { type: 'string' } },
};
const ref = (header: string) => ({ $ref: `#/components/headers/${header}` });

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid input: a malformed request, malformed JSON, unknown fields, wrong types, out-of-range values or ids',
  401: 'Missing or unknown credentials',
  403: 'A suspended tenant, or a token of the wrong kind',
  404: 'Unknown resource, including one of another tenant',
  413: 'Body over 1 MiB',
  415: 'Body of another media type',
  429: "Over the tenant's rate limit",
  503: 'The database, a worker or the pooler is unavailable',
};

export interface DocumentRules {
  rateLimitedPrefix?: string;
  infrastructurePaths?: string[];
}

/** Every status an operation can answer, the one error schema and the headers: the rules of the HTTP edge, written once. */
export function completeDocument(document: OpenAPIObject, rules: DocumentRules = {}): OpenAPIObject {
  document.info.license ??= { name: 'MIT', url: 'https://opensource.org/licenses/MIT' };
  document.components ??= {};
  document.components.schemas = { ...document.components.schemas, [ERROR_SCHEMA]: errorSchema };
  for (const schema of Object.values(document.components.schemas)) allowNullReferences(schema as SchemaObject);
  const tags = new Set<string>();
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of ['get', 'post', 'put', 'patch', 'delete'] as const) {
      const operation = item[method];
      if (!operation) continue;
      completeOperation(path, operation, rules);
      operation.tags?.forEach((tag) => tags.add(tag));
    }
  }
  // Only the headers some response uses: a service without rate limits documents none.
  const used = JSON.stringify(document.paths);
  document.components.headers = Object.fromEntries(Object.entries(HEADERS).filter(([name]) => used.includes(`#/components/headers/${name}"`)));
  document.tags = [...tags].sort().map((name) => ({ name, description: TAG_DESCRIPTIONS[name.split(':')[0]] ?? name }));
  if (!document.servers?.length) document.servers = [{ url: '/', description: 'This server' }];
  return document;
}

const TAG_DESCRIPTIONS: Record<string, string> = {
  health: 'Liveness and readiness',
  tenant: 'The calling tenant (api key)',
  orders: "The tenant's orders and payments (api key)",
  'reference data': 'Countries and plans, the same for every tenant (api key)',
  admin: 'The control plane (ADMIN_TOKEN)',
  analytics: 'Cross-tenant analytics (ANALYTICS_TOKEN)',
};

/** `{$ref, nullable}` is not valid OpenAPI 3.0 (siblings of $ref are ignored): wrap the reference. */
function allowNullReferences(schema: SchemaObject): void {
  const properties = schema.properties ?? {};
  for (const [name, property] of Object.entries(properties)) {
    const candidate = property as SchemaObject & { $ref?: string };
    if (candidate.$ref && candidate.nullable) {
      const { $ref, ...rest } = candidate;
      properties[name] = { ...rest, type: 'object', allOf: [{ $ref }] };
    }
  }
}

function completeOperation(path: string, operation: OperationObject, rules: DocumentRules): void {
  const responses = operation.responses as Record<string, ResponseObject>;
  const parameters = (operation.parameters ?? []) as Array<{ in?: string; name?: string }>;
  const hasPathId = path.includes('{');
  const secured = (operation.security ?? []).length > 0;
  const rateLimited = rules.rateLimitedPrefix !== undefined && path.startsWith(rules.rateLimitedPrefix);
  const infrastructure = rules.infrastructurePaths?.includes(path) ?? false;
  // Public operations say so: no credentials at all, rather than nothing said.
  operation.security ??= [];
  operation.description ??= operation.summary;
  const idempotent = parameters.some((parameter) => parameter.in === 'header' && parameter.name === 'Idempotency-Key');

  // Node's parser answers any request it cannot read with a 400, whatever the operation.
  // Every number this API takes in a path or a query is an integer (ids, limits, days).
  for (const parameter of operation.parameters ?? []) {
    const schema = (parameter as { schema?: SchemaObject }).schema;
    if (schema?.type === 'number') schema.type = 'integer';
    if (schema && (parameter as { in?: string }).in === 'path' && schema.type === 'integer') schema.minimum ??= 1;
  }
  const statuses = new Set<number>([400]);
  if (secured) [401, 403].forEach((status) => statuses.add(status));
  if (hasPathId) statuses.add(404);
  if (operation.requestBody) [413, 415].forEach((status) => statuses.add(status));
  if (rateLimited) statuses.add(429);
  if (!infrastructure) statuses.add(503);
  // A 404 documented by a decorator on an operation without an id cannot happen.
  if (!hasPathId && !statuses.has(404)) delete responses['404'];

  for (const status of statuses) {
    if (!Object.hasOwn(responses, status)) responses[status] = { description: ERROR_DESCRIPTIONS[status] };
  }
  for (const [code, response] of Object.entries(responses)) {
    const status = Number(code);
    const headers: Record<string, unknown> = { ...response.headers, 'X-Request-Id': ref('X-Request-Id') };
    if (status >= 400) {
      response.content = { 'application/json': { schema: { $ref: `#/components/schemas/${ERROR_SCHEMA}` } } };
      if (!response.description) response.description = ERROR_DESCRIPTIONS[status] ?? 'Error';
    }
    if (status === 401) headers['WWW-Authenticate'] = ref('WWW-Authenticate');
    if (status === 429 || status === 503) headers['Retry-After'] = ref('Retry-After');
    if (rateLimited && status !== 401 && status !== 503) {
      for (const header of ['RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset']) headers[header] = ref(header);
    }
    if (idempotent && status >= 200 && status < 300) headers['Idempotent-Replayed'] = ref('Idempotent-Replayed');
    response.headers = headers as ResponseObject['headers'];
  }
}
