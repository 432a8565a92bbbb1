import type { Role } from '../spec/index.ts';

export {
  type ApiKeyRecord,
  type ApiKeyStore,
  assertTenantName,
  ROLES,
  type Role,
  TENANT_PATTERN,
} from '../spec/index.ts';

const RANK: Record<Role, number> = { reader: 0, writer: 1, admin: 2, operator: 3 };

/** True when `role` includes the rights of `required`. */
export function roleAllows(role: Role, required: Role): boolean {
  return RANK[role] >= RANK[required];
}
