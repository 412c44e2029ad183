// Types of scripts/server-bundle.mjs (plain JavaScript: it runs before any TypeScript loader).
import type { BuildOptions, BuildResult } from 'esbuild';

/** server/dist/start.mjs, relative to the repository root. */
export const SERVER_BUNDLE: string;
/** True when the bundle exists and none of the sources it was built from changed since. */
export function serverBundleIsCurrent(root: string): boolean;
/** Builds the bundle with esbuild (or `opts.build`) and records its inputs; throws when the build fails. */
export function buildServerBundle(root: string, opts?: { build?: (options: BuildOptions) => Promise<BuildResult> }): Promise<void>;
