import {
  CanActivate,
  Controller,
  ForbiddenException,
  Get,
  Header,
  Inject,
  Injectable,
  Module,
  OnModuleInit,
  UnauthorizedException,
  UseGuards,
} from '@nestjs/common';
import type { ExecutionContext } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { collectDefaultMetrics, Counter, Histogram, register } from 'prom-client';
import { Environment } from '@app/config';
import { bearerToken, secretsEqual } from '../auth/bearer-token';

export const UNMATCHED_ROUTE = 'unmatched';

export const httpRequestDuration = new Histogram({
  name: 'http_request_duration_seconds',
  help: 'HTTP request latency by route template and status',
  labelNames: ['method', 'route', 'status'] as const,
  buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
});

export const databaseUnavailableTotal = new Counter({
  name: 'database_unavailable_total',
  help: 'Requests answered 503 because the database, a worker or the pooler was unavailable',
});

const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/** A finished request in the duration histogram, labelled by its route template, never by a raw URL or method a client could vary without bound. */
export function observeRequest(method: string | undefined, routeTemplate: string | undefined, statusCode: number, seconds: number): void {
  const route = routeTemplate ?? UNMATCHED_ROUTE;
  httpRequestDuration.observe({ method: method && KNOWN_METHODS.has(method) ? method : 'OTHER', route, status: String(statusCode) }, seconds);
  if (statusCode === 503) databaseUnavailableTotal.inc();
}

@Injectable()
class MetricsTokenGuard implements CanActivate {
  constructor(@Inject(Environment) private readonly environment: Environment) {}

  canActivate(context: ExecutionContext): boolean {
    const expected = this.environment.METRICS_TOKEN;
    if (!expected) return true;
    const token = bearerToken(context.switchToHttp().getRequest<FastifyRequest>().headers.authorization);
    if (!token) throw new UnauthorizedException('Missing bearer metrics token');
    if (secretsEqual(token, expected)) return true;
    const otherServiceTokens = [this.environment.ADMIN_TOKEN, this.environment.ANALYTICS_TOKEN];
    if (otherServiceTokens.some((other) => other !== undefined && secretsEqual(token, other))) {
      throw new ForbiddenException('This token cannot be used on /metrics');
    }
    throw new UnauthorizedException('Unknown metrics token');
  }
}

@ApiExcludeController()
@Controller('metrics')
@UseGuards(MetricsTokenGuard)
export class MetricsController {
  @Get()
  @Header('Content-Type', register.contentType)
  metrics(): Promise<string> {
    return register.metrics();
  }
}

let defaultMetricsCollected = false;

@Module({ controllers: [MetricsController], providers: [MetricsTokenGuard] })
export class MetricsModule implements OnModuleInit {
  onModuleInit(): void {
    if (defaultMetricsCollected) return;
    collectDefaultMetrics();
    defaultMetricsCollected = true;
  }
}
