/** `--name=value` and `--flag` (→ 'true') command-line arguments of the benchmarks. */
export function argsOf(argv: string[]): Record<string, string> {
  return Object.fromEntries(argv.filter((a) => a.startsWith('--')).map((a) => {
    const [k, ...v] = a.slice(2).split('=');
    return [k!, v.length ? v.join('=') : 'true'];
  }));
}
