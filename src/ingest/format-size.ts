const KIB = 1024;
const MIB = 1024 * 1024;

/**
 * A byte count for people: `512 bytes`, `3.2 KB` or `210.0 MB` (binary units, one decimal).
 * With `{ trimZero: true }` a whole number drops its decimal, as limits read better (`50 MB`).
 */
export function formatSize(bytes: number, options: { trimZero?: boolean } = {}): string {
  if (bytes < KIB) return `${bytes} bytes`;
  const [value, unit] = bytes < MIB ? [bytes / KIB, 'KB'] : [bytes / MIB, 'MB'];
  const text = value.toFixed(1);
  return `${options.trimZero && text.endsWith('.0') ? text.slice(0, -2) : text} ${unit}`;
}
