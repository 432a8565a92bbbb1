type Scalar = string | number | boolean;

/**
 * Keeps the fields of `record` that fit document metadata: strings, finite numbers, booleans,
 * dates (as ISO strings) and arrays of those (joined by `,`). Nested objects and nulls are dropped.
 */
export function toScalarMetadata(
  record: Readonly<Record<string, unknown>>,
  options: { exclude?: readonly string[] } = {},
): Record<string, Scalar> {
  const metadata: Record<string, Scalar> = {};
  for (const [key, value] of Object.entries(record)) {
    if (options.exclude?.includes(key)) continue;
    const scalar = Array.isArray(value) ? joinScalars(value) : toScalar(value);
    if (scalar !== undefined) metadata[key] = scalar;
  }
  return metadata;
}

function joinScalars(values: unknown[]): string | undefined {
  const scalars = values.map(toScalar);
  if (scalars.some((scalar) => scalar === undefined)) return undefined;
  return scalars.join(',');
}

function toScalar(value: unknown): Scalar | undefined {
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (value instanceof Date && !Number.isNaN(value.getTime())) return value.toISOString();
  return undefined;
}
