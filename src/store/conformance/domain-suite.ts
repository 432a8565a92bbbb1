import { after, afterEach } from 'node:test';

/** What every domain conformance suite takes: a factory, per-test cleanup, and an optional skip. */
export interface DomainSuiteOptions<Domain> {
  /** Backend name shown in test titles, e.g. `sqlite` or `postgres`. */
  name: string;
  /** Opens the domain on an empty backend. */
  open: () => Promise<Domain>;
  /** Runs after each test (e.g. truncates the tables or closes connections). */
  cleanup?: () => Promise<void>;
  /** When set, every test is skipped with this reason (e.g. the database is unreachable). */
  skip?: string | undefined;
}

/** Opens domains for the suite's tests and runs the cleanup after each. */
export function suiteHarness<Domain extends { close(): Promise<void> }>(options: DomainSuiteOptions<Domain>) {
  const opened: Domain[] = [];
  afterEach(async () => {
    for (const domain of opened.splice(0)) await domain.close();
    await options.cleanup?.();
  });
  after(async () => {
    for (const domain of opened.splice(0)) await domain.close();
  });
  return {
    fresh: async () => {
      const domain = await options.open();
      opened.push(domain);
      return domain;
    },
    testOptions: options.skip ? { skip: options.skip } : {},
  };
}
