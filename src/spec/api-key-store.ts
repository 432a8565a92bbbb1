import { CairnError } from './errors.ts';

/**
 * What a key may do: readers search and ask; writers also manage documents; admins also manage
 * their tenant's keys; operators also manage the keys of any tenant they name (and so create
 * tenants), while their document routes stay in their own tenant like every key's.
 */
export type Role = 'reader' | 'writer' | 'admin' | 'operator';

/** Every role, lowest first. */
export const ROLES: readonly Role[] = ['reader', 'writer', 'admin', 'operator'];

/** Tenant names are folder names too (uploads, eval runs), so nothing path-like: no `.`, `..` or `/`. */
export const TENANT_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** Throws `invalid_input` unless `tenant` is a plain tenant name ({@link TENANT_PATTERN}). */
export function assertTenantName(tenant: string): void {
  if (!TENANT_PATTERN.test(tenant))
    throw new CairnError(
      'invalid_input',
      `tenant "${tenant}" must be 1-64 letters, digits, dot, dash or underscore, starting with a letter or digit`,
    );
}

/** A key's identity, never its secret. */
export interface ApiKeyRecord {
  id: string;
  tenant: string;
  role: Role;
  label: string;
  createdAt: string;
}

/** API keys bound to one tenant namespace and a role; only sha256 hashes of the secrets are stored. */
export interface ApiKeyStore {
  /** Creates a key and returns its secret, which is shown once and never stored. */
  create(input: {
    tenant: string;
    role: Role;
    label?: string;
  }): Promise<{ key: string; record: ApiKeyRecord }>;
  /** The key's record, or undefined for an unknown or revoked key. */
  verify(key: string): Promise<ApiKeyRecord | undefined>;
  /** Active keys of one tenant, or of every tenant when none is given, oldest first. */
  list(tenant?: string): Promise<ApiKeyRecord[]>;
  /** Revokes an active key of the tenant; false when there is none with that id. */
  revoke(tenant: string, id: string): Promise<boolean>;
  /** Active keys of every tenant. */
  count(): Promise<number>;
  close(): Promise<void>;
}
