// Runs before every cluster test file: a test kills brokers, waits for leaders to move and for
// the cluster to heal, which takes tens of seconds, not Jest's default 5 s.
jest.setTimeout(180_000);
