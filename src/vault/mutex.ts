/** Runs tasks one at a time in call order; a failed task does not block the next. */
export class Mutex {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task, task);
    // The caller of run() gets the failure through `result`; the queue only has to go on.
    this.tail = result.catch(() => undefined);
    return result;
  }
}
