import { Controller, Get, Header, Injectable, MiddlewareConsumer, Module, NestMiddleware, NestModule } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { NextFunction, Request, Response } from 'express';
import { collectDefaultMetrics, Counter, Histogram, register } from 'prom-client';

collectDefaultMetrics();

export const httpRequestDuration = new Histogram({
  name: 'http_request_duration_seconds',
  help: 'HTTP request latency by route and status',
  labelNames: ['method', 'route', 'status'] as const,
  buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
});

export const databaseUnavailableTotal = new Counter({
  name: 'database_unavailable_total',
  help: 'Requests answered 503 because the database, a worker or the pooler was unavailable',
});

@Injectable()
class HttpMetricsMiddleware implements NestMiddleware {
  use(request: Request, response: Response, next: NextFunction): void {
    const stop = httpRequestDuration.startTimer();
    response.on('finish', () => {
      // The route pattern, not the URL: ids in paths would explode the label set.
      const route = (request.route?.path as string | undefined) ?? 'unmatched';
      const labels = { method: request.method, route: `${request.baseUrl ?? ''}${route}`, status: String(response.statusCode) };
      stop(labels);
      if (response.statusCode === 503) databaseUnavailableTotal.inc();
    });
    next();
  }
}

@ApiExcludeController()
@Controller('metrics')
export class MetricsController {
  @Get()
  @Header('Content-Type', register.contentType)
  metrics(): Promise<string> {
    return register.metrics();
  }
}

/** Prometheus metrics at GET /metrics: Node's defaults plus HTTP latency by route. */
@Module({ controllers: [MetricsController] })
export class MetricsModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(HttpMetricsMiddleware).forRoutes('*path');
  }
}
