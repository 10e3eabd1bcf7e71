// Where this code runs: Node, a page (window + document), or a worker.

export const isNode = typeof process !== 'undefined' && !!(process.versions && process.versions.node) &&
  typeof window === 'undefined';
export const isWindow = typeof window !== 'undefined' && typeof document !== 'undefined';

/**
 * A Node built-in module (e.g. 'fs/promises'), imported by a name bundlers do not follow: a bundle for the
 * browser must not try to resolve node: modules, and only the Node paths ever call this.
 */
export function nodeBuiltin(name) {
  const specifier = `node:${name}`;
  return import(/* webpackIgnore: true */ /* @vite-ignore */ specifier);
}
