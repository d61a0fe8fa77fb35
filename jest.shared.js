/** Settings shared by the unit and integration jest configs. */
module.exports = {
  rootDir: __dirname,
  moduleFileExtensions: ['js', 'json', 'ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }] },
  testEnvironment: 'node',
  setupFiles: ['reflect-metadata'],
  // Database folders of the local clusters hold files jest would otherwise crawl.
  modulePathIgnorePatterns: [
    '<rootDir>/.cluster',
    '<rootDir>/.cluster-faults',
    '<rootDir>/.cluster-test',
    '<rootDir>/.cluster-chaos',
    '<rootDir>/.data',
    '<rootDir>/dist',
  ],
  moduleNameMapper: {
    '^@app/(config|http-edge|tenancy|persistence|schema-doctor|testing|dev-database|tenants|reference-data|usage|telemetry)(|/.*)$': '<rootDir>/libs/$1/src$2',
    '^@migrations(|/.*)$': '<rootDir>/migrations$1',
  },
};
