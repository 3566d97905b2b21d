/**
 * `vitest`, as far as our contract suites use it, for lab pages (wxt.config.ts aliases
 * `vitest` to this file in lab builds only). Suites register with describe/it and
 * hooks exactly as under vitest; `runRegistered()` then runs them in order, in this
 * page, and names each case the way vitest does (`suite > case`) so a lab run can be
 * compared with `vitest list` in Node. `expect` is vitest's own (@vitest/expect on chai).
 */
import * as chai from 'chai';
import {
  GLOBAL_EXPECT,
  JestAsymmetricMatchers,
  JestChaiExpect,
  JestExtend,
  getState,
  setState,
} from '@vitest/expect';

type Fn = () => unknown;
type TestOptions = number | { timeout?: number };

interface Case {
  readonly kind: 'case';
  readonly name: string;
  readonly fn: Fn | undefined;
  readonly timeoutMs: number;
  readonly skip: boolean;
}

interface Suite {
  readonly kind: 'suite';
  readonly name: string;
  readonly children: (Case | Suite)[];
  readonly beforeAll: Fn[];
  readonly afterAll: Fn[];
  readonly beforeEach: Fn[];
  readonly afterEach: Fn[];
  readonly skip: boolean;
}

export interface CaseResult {
  /** `outer suite > inner suite > case`, as `vitest list` prints it. */
  readonly name: string;
  readonly state: 'pass' | 'fail' | 'skip';
  readonly ms: number;
  readonly error?: string;
}

const DEFAULT_TIMEOUT_MS = 20_000;

const newSuite = (name: string, skip = false): Suite => ({
  kind: 'suite',
  name,
  children: [],
  beforeAll: [],
  afterAll: [],
  beforeEach: [],
  afterEach: [],
  skip,
});

let root = newSuite('');
let current = root;

function register(name: string, body: () => void, skip: boolean): void {
  const suite = newSuite(name, skip);
  current.children.push(suite);
  const parent = current;
  current = suite;
  try {
    body();
  } finally {
    current = parent;
  }
}

function addCase(name: string, fn: Fn | undefined, options: TestOptions | undefined, skip: boolean): void {
  const timeoutMs = (typeof options === 'number' ? options : options?.timeout) ?? DEFAULT_TIMEOUT_MS;
  current.children.push({ kind: 'case', name, fn, timeoutMs, skip });
}

export const describe = Object.assign((name: string, body: () => void) => register(name, body, false), {
  skip: (name: string, body: () => void) => register(name, body, true),
});

export const it = Object.assign(
  (name: string, fn?: Fn, options?: TestOptions) => addCase(name, fn, options, false),
  { skip: (name: string, fn?: Fn, options?: TestOptions) => addCase(name, fn, options, true) },
);
export const test = it;

export const beforeAll = (fn: Fn): void => void current.beforeAll.push(fn);
export const afterAll = (fn: Fn): void => void current.afterAll.push(fn);
export const beforeEach = (fn: Fn): void => void current.beforeEach.push(fn);
export const afterEach = (fn: Fn): void => void current.afterEach.push(fn);

chai.use(JestExtend);
chai.use(JestChaiExpect);
chai.use(JestAsymmetricMatchers);

function makeExpect(): typeof chai.expect {
  const fn = ((value: unknown, message?: string) => {
    const state = getState(fn as never) as { assertionCalls: number };
    setState({ assertionCalls: state.assertionCalls + 1 }, fn as never);
    return chai.expect(value, message);
  }) as typeof chai.expect;
  Object.assign(fn, chai.expect);
  setState({ assertionCalls: 0, isExpectingAssertions: false, currentTestName: '' }, fn as never);
  (globalThis as Record<symbol, unknown>)[GLOBAL_EXPECT] = fn;
  return fn;
}

// Typed as vitest's for callers; at run time it is chai's expect with the jest matchers.
export const expect = makeExpect() as unknown as typeof import('vitest').expect;

function withTimeout(fn: Fn, ms: number, what: string): Promise<unknown> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([
    Promise.resolve().then(fn),
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

function describeError(e: unknown): string {
  if (e instanceof Error) {
    const cause = e.cause === undefined ? '' : `\ncaused by: ${describeError(e.cause)}`;
    return `${e.name}: ${e.message}${cause}`;
  }
  return String(e);
}

async function runSuite(
  suite: Suite,
  path: readonly string[],
  chain: readonly Suite[],
  out: CaseResult[],
  onResult: ((r: CaseResult) => void) | undefined,
): Promise<void> {
  const here = [...chain, suite];
  const names = suite.name === '' ? path : [...path, suite.name];
  const skipAll = here.some((s) => s.skip);
  let setupError: string | undefined;
  if (!skipAll) {
    try {
      for (const h of suite.beforeAll) await withTimeout(h, DEFAULT_TIMEOUT_MS, 'beforeAll');
    } catch (e) {
      // Reported on every test of the suite, as vitest does.
      setupError = `beforeAll failed: ${describeError(e)}`;
    }
  }
  for (const child of suite.children) {
    if (child.kind === 'suite') {
      await runSuite(child, names, here, out, onResult);
      continue;
    }
    const name = [...names, child.name].join(' > ');
    const started = performance.now();
    let result: CaseResult;
    if (skipAll || child.skip || !child.fn) {
      result = { name, state: 'skip', ms: 0 };
    } else if (setupError) {
      result = { name, state: 'fail', ms: 0, error: setupError };
    } else {
      let error: string | undefined;
      try {
        for (const s of here)
          for (const h of s.beforeEach) await withTimeout(h, child.timeoutMs, 'beforeEach');
        await withTimeout(child.fn, child.timeoutMs, 'test');
      } catch (e) {
        // A failing test is a result to report, not an error of the runner.
        error = describeError(e);
      }
      for (const s of [...here].reverse()) {
        for (const h of s.afterEach) {
          try {
            await withTimeout(h, child.timeoutMs, 'afterEach');
          } catch (e) {
            // The test fails with the first error it met.
            error ??= `afterEach failed: ${describeError(e)}`;
          }
        }
      }
      const ms = Math.round(performance.now() - started);
      result = error === undefined ? { name, state: 'pass', ms } : { name, state: 'fail', ms, error };
    }
    out.push(result);
    onResult?.(result);
  }
  if (!skipAll) {
    for (const h of suite.afterAll) {
      try {
        await withTimeout(h, DEFAULT_TIMEOUT_MS, 'afterAll');
      } catch (e) {
        // Reported as a failed pseudo-test, so the run shows it.
        out.push({
          name: [...names, '(afterAll)'].join(' > '),
          state: 'fail',
          ms: 0,
          error: describeError(e),
        });
      }
    }
  }
}

/** Runs everything registered so far, in registration order, then forgets it. */
export async function runRegistered(onResult?: (r: CaseResult) => void): Promise<CaseResult[]> {
  const suite = root;
  root = newSuite('');
  current = root;
  const out: CaseResult[] = [];
  await runSuite(suite, [], [], out, onResult);
  return out;
}
