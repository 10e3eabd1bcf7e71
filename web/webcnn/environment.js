// Where this code runs: Node, a page (window + document), or a worker.

export const isNode = typeof process !== 'undefined' && !!(process.versions && process.versions.node) &&
  typeof window === 'undefined';
export const isWindow = typeof window !== 'undefined' && typeof document !== 'undefined';
