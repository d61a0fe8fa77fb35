/** Settings shared by the unit and integration jest configs. */
module.exports = {
  rootDir: __dirname,
  moduleFileExtensions: ['js', 'json', 'ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }] },
  testEnvironment: 'node',
  setupFiles: ['reflect-metadata'],
  moduleNameMapper: {
    '^@app/(config|common|tenancy|persistence|testing)(|/.*)$': '<rootDir>/libs/$1/src$2',
    '^@migrations(|/.*)$': '<rootDir>/migrations$1',
  },
};
