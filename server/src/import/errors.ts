/** A file that cannot be imported: names the file and where in it (line or feature number). */
export class ImportError extends Error {
  constructor(
    readonly file: string,
    readonly location: string | null,
    readonly reason: string,
  ) {
    super(`${file}${location ? ` (${location})` : ''}: ${reason}`);
    this.name = 'ImportError';
  }
}
