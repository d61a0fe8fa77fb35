import { ExecutionContext, ForbiddenException, UnauthorizedException } from '@nestjs/common';
import { validateEnvironment } from '@app/config';
import { AnalyticsTokenGuard } from './analytics-token.guard';

const ANALYTICS_TOKEN = 'analytics-token-0123456789';
const ADMIN_TOKEN = 'admin-token-0123456789';
const TENANT_KEY = `tk_${'A'.repeat(43)}`;

function contextWith(authorization?: string): ExecutionContext {
  const request = { headers: authorization === undefined ? {} : { authorization } };
  return { switchToHttp: () => ({ getRequest: () => request }) } as unknown as ExecutionContext;
}

function guard(variables: Record<string, string>): AnalyticsTokenGuard {
  return new AnalyticsTokenGuard(validateEnvironment(variables));
}

describe('AnalyticsTokenGuard', () => {
  const configured = guard({ ANALYTICS_TOKEN, ADMIN_TOKEN });

  it('lets the analytics token through', () => {
    expect(configured.canActivate(contextWith(`Bearer ${ANALYTICS_TOKEN}`))).toBe(true);
  });

  it.each([
    ['the admin token', `Bearer ${ADMIN_TOKEN}`],
    ['a tenant api key', `Bearer ${TENANT_KEY}`],
  ])('refuses %s as the wrong kind (403)', (_kind, header) => {
    expect(() => configured.canActivate(contextWith(header))).toThrow(ForbiddenException);
  });

  it.each([
    ['no header', undefined],
    ['an empty bearer', 'Bearer '],
    ['another scheme', `Basic ${ANALYTICS_TOKEN}`],
    ['an unknown token', 'Bearer not-a-known-token'],
    ['a near miss of the tenant key format', `Bearer tk_${'A'.repeat(42)}`],
    ['the analytics token with a suffix', `Bearer ${ANALYTICS_TOKEN}x`],
  ])('refuses %s as unauthenticated (401)', (_kind, header) => {
    expect(() => configured.canActivate(contextWith(header))).toThrow(UnauthorizedException);
  });

  it("recognises the API's generated admin tokens when ADMIN_TOKEN is not shared with this process", () => {
    const withoutAdmin = guard({ ANALYTICS_TOKEN });
    expect(() => withoutAdmin.canActivate(contextWith(`Bearer adm_${'b'.repeat(32)}`))).toThrow(ForbiddenException);
    expect(() => withoutAdmin.canActivate(contextWith(`Bearer adm_${'b'.repeat(31)}`))).toThrow(UnauthorizedException);
  });
});
