import {
  CanActivate,
  Controller,
  ForbiddenException,
  Get,
  Header,
  Inject,
  Injectable,
  MiddlewareConsumer,
  Module,
  NestMiddleware,
  NestModule,
  OnModuleInit,
  UnauthorizedException,
  UseGuards,
} from '@nestjs/common';
import type { ExecutionContext } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { NextFunction, Request, Response } from 'express';
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

@Injectable()
class HttpMetricsMiddleware implements NestMiddleware {
  use(request: Request, response: Response, next: NextFunction): void {
    const stop = httpRequestDuration.startTimer();
    response.on('finish', () => {
      // Route templates only: a raw URL or method would let any client grow the label set without bound.
      // A middleware's catch-all ('/{*path}') is what a request ended in when no controller took it.
      const path = (request.route as { path?: unknown } | undefined)?.path;
      const route = typeof path === 'string' && !path.includes('*') ? path : UNMATCHED_ROUTE;
      const method = KNOWN_METHODS.has(request.method) ? request.method : 'OTHER';
      stop({ method, route, status: String(response.statusCode) });
      if (response.statusCode === 503) databaseUnavailableTotal.inc();
    });
    next();
  }
}

@Injectable()
class MetricsTokenGuard implements CanActivate {
  constructor(@Inject(Environment) private readonly environment: Environment) {}

  canActivate(context: ExecutionContext): boolean {
    const expected = this.environment.METRICS_TOKEN;
    if (!expected) return true;
    const token = bearerToken(context.switchToHttp().getRequest<Request>().headers.authorization);
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
export class MetricsModule implements NestModule, OnModuleInit {
  onModuleInit(): void {
    if (defaultMetricsCollected) return;
    collectDefaultMetrics();
    defaultMetricsCollected = true;
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(HttpMetricsMiddleware).forRoutes('*path');
  }
}
