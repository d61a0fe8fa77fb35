/** Unit tests: beside the code, no database, seconds to run. */
module.exports = {
  ...require('./jest.shared'),
  displayName: 'unit',
  testMatch: ['<rootDir>/{apps,libs}/**/src/**/*.spec.ts', '<rootDir>/{test,scripts}/**/*.spec.ts'],
};
