import { createHash, randomBytes } from 'node:crypto';
import { type ApiKeyRecord, assertTenantName, CairnError, ROLES, type Role } from '../spec/index.ts';

/** sha256 of a key: what every backend stores in place of the secret. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/**
 * A new key for a tenant and role, checked as every backend must: a plain tenant name and a known
 * role. The secret is returned once with the record; backends keep only its hash.
 */
export function newApiKey(input: { tenant: string; role: Role; label?: string }): {
  key: string;
  keyHash: string;
  record: ApiKeyRecord;
} {
  assertTenantName(input.tenant);
  if (!ROLES.includes(input.role))
    throw new CairnError('invalid_input', `role "${input.role}" must be one of ${ROLES.join(', ')}`);
  const id = randomBytes(6).toString('hex');
  // High-entropy secrets: a fast hash is enough, there is nothing to brute-force.
  const key = `cairn_${id}_${randomBytes(24).toString('base64url')}`;
  return {
    key,
    keyHash: hashApiKey(key),
    record: {
      id,
      tenant: input.tenant,
      role: input.role,
      label: input.label ?? '',
      createdAt: new Date().toISOString(),
    },
  };
}
