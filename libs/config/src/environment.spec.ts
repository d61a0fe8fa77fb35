import { EnvironmentError, validateEnvironment } from './environment';

describe('validateEnvironment', () => {
  it('applies defaults when nothing is configured', () => {
    const environment = validateEnvironment({});
    expect(environment.PORT).toBe(3000);
    expect(environment.ANALYTICS_PORT).toBe(3100);
    expect(environment.DATABASE_URL).toBeUndefined();
    expect(environment.RATE_LIMIT_ENABLED).toBe(true);
  });

  it('converts numbers and booleans', () => {
    const environment = validateEnvironment({ PORT: '8080', RATE_LIMIT_ENABLED: 'false', SEED_DEMO: '1' });
    expect(environment.PORT).toBe(8080);
    expect(environment.RATE_LIMIT_ENABLED).toBe(false);
    expect(environment.SEED_DEMO).toBe(true);
  });

  it('treats empty strings as unset', () => {
    expect(validateEnvironment({ DATABASE_URL: '' }).DATABASE_URL).toBeUndefined();
  });

  it('names every invalid variable', () => {
    expect(() => validateEnvironment({ PORT: 'eighty', DATABASE_URL: 'mysql://x', ADMIN_TOKEN: 'short' })).toThrow(EnvironmentError);
    try {
      validateEnvironment({ PORT: 'eighty', DATABASE_URL: 'mysql://x', ADMIN_TOKEN: 'short' });
    } catch (error) {
      const message = (error as Error).message;
      expect(message).toContain('PORT');
      expect(message).toContain('DATABASE_URL');
      expect(message).toContain('ADMIN_TOKEN');
    }
  });
});
