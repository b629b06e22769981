// Runs before every integration test file: a real broker, JVM tools and rebalances need more than
// Jest's 5 s default per test. Tests that wait for something use waitUntil with their own bound.
jest.setTimeout(90_000);
