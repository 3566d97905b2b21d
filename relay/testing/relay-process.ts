// Test helper: a real relay process (`tsx relay/main.ts`), so a test can kill -9 it.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export interface RelayProcess {
  readonly url: string;
  readonly pid: number;
  /** Resolves with the exit code (or signal) once the process ended. */
  readonly exited: Promise<number | NodeJS.Signals>;
  kill(signal?: NodeJS.Signals): Promise<number | NodeJS.Signals>;
  /** What the process wrote to stderr (its logs). */
  stderr(): string;
}

const ROOT = path.resolve(import.meta.dirname, '../..');

/** `nodeArgs`: flags for node itself (V8 heap settings, profiling), before the script. */
export async function startRelayProcess(
  env: Record<string, string>,
  nodeArgs: readonly string[] = [],
): Promise<RelayProcess> {
  const child: ChildProcess = spawn(
    process.execPath,
    [...nodeArgs, '--import', 'tsx', path.join(ROOT, 'relay/main.ts')],
    {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', PORT: '0', LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let err = '';
  child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<number | NodeJS.Signals>((resolve) =>
    child.once('exit', (code, signal) => resolve(signal ?? code ?? 0)),
  );
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(out);
      if (match) resolve(match[1]!);
    });
    void exited.then((code) => reject(new Error(`relay exited (${code}) before listening:\n${err}`)));
  });
  return {
    url,
    pid: child.pid!,
    exited,
    async kill(signal = 'SIGKILL') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
    stderr: () => err,
  };
}
