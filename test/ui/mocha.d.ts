// The mocha globals @web/test-runner provides (the repo does not depend on @types/mocha).
declare function describe(name: string, fn: () => void): void;
declare function it(name: string, fn: () => Promise<void> | void): void;
declare function afterEach(fn: () => Promise<void> | void): void;
