// Numbers as people read them.
export function formatBytes(n) {
  if (!(n >= 0)) return '—';
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(0)} kB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}
export const percent = (p) => `${Math.round(p * 100)}%`;
