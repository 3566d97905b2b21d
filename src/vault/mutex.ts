/** Runs tasks one at a time in call order; a failed task does not block the next. The project's one mutex. */
export class Mutex {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task, task);
    // The caller gets the failure through `result`; the chain only needs to know the task ended.
    this.tail = result.catch(() => undefined);
    return result;
  }

  /** Resolves once every task queued so far has ended (without queueing one). */
  async idle(): Promise<void> {
    await this.tail;
  }
}
