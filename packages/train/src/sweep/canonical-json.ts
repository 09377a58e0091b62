// Canonical JSON (object keys sorted, no whitespace) and the sha256 config hash of a sweep entry. Two configs
// hash alike exactly when they are equal as JSON values, whatever their key order; -0 is written as 0.
import { createHash } from 'node:crypto';

/** Serialises a JSON value with sorted object keys; throws on values JSON cannot represent. */
export function canonicalJson(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`canonicalJson: non-finite number ${value}`);
    return JSON.stringify(Object.is(value, -0) ? 0 : value);
  }
  if (typeof value === 'string' || typeof value === 'boolean') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item)).join(',')}]`;
  if (typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record)
      .filter((key) => record[key] !== undefined)
      .sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(record[key])}`).join(',')}}`;
  }
  throw new Error(`canonicalJson: cannot serialise a ${typeof value}`);
}

/** Hex sha256 of the canonical JSON of `value`. */
export function configHash(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex');
}
