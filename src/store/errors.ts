/** A stored record that does not have the shape its store promises (written by another build, or damaged). */
export class StoreError extends Error {
  constructor(
    readonly code: 'invalid_record',
    message: string,
  ) {
    super(message);
    this.name = 'StoreError';
  }
}
