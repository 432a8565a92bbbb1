import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { isProcessAlive } from './index-lock.ts';

/**
 * What a `cairn` command on this machine needs to reach the server that holds an index: written
 * by `cairn serve` beside the index (`<index>.server.json`, mode 0600) once it listens, removed
 * when it stops.
 */
export interface LocalServerAccess {
  /** The serving process; a file whose process is gone is ignored. */
  pid: number;
  /** Loopback URL of the port the server actually bound, e.g. `http://127.0.0.1:8787`. */
  url: string;
  /** Bearer token the server accepts from loopback on `POST /v1/ask` only (see {@link LocalToken}). */
  token: string;
  /** The namespace the token answers in (the server's configured one). */
  tenant: string;
  /** Absolute path of the index file the server holds. */
  index: string;
  /** The server's `servingFingerprint`: a command answers through it only when its own is equal. */
  fingerprint: string;
}

/** A random secret for {@link LocalServerAccess.token}, in the same `cairn_` style as API keys. */
export function createLocalToken(): string {
  return `cairn_local_${randomBytes(32).toString('base64url')}`;
}

/** True when `candidate` is `token`, compared in constant time. */
export function matchesLocalToken(token: string, candidate: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(token), digest(candidate));
}

/** The access file of an index file: `<absolute index path>.server.json`. */
export function localAccessFile(indexFile: string): string {
  return `${path.resolve(indexFile)}.server.json`;
}

/**
 * The URL a command on this machine reaches a server bound to `host` at: the host itself when
 * it is loopback, loopback when it is a wildcard address; undefined for an address on another
 * interface, whose requests would not come from loopback (the token is refused from anywhere else).
 */
export function loopbackUrl(host: string, port: number): string | undefined {
  if (host === '0.0.0.0' || host === '127.0.0.1' || host === 'localhost') return `http://127.0.0.1:${port}`;
  if (host === '::' || host === '::1' || host === '[::1]') return `http://[::1]:${port}`;
  return isLoopbackAddress(host) ? `http://${host}:${port}` : undefined;
}

/** True for a TCP peer on this machine: 127.0.0.0/8, ::1, or an IPv4-mapped 127.x address. */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  const v4 = address.startsWith('::ffff:') ? address.slice('::ffff:'.length) : address;
  return v4.startsWith('127.') || address === '::1';
}

/**
 * Writes the access file readable by this user only: its token answers questions over the
 * namespace's documents, quarantined ones included, so no other account on the machine may read
 * it. Written under a private temporary name and renamed, so a reader never sees half a file and
 * a file left by a crashed server (whatever its mode) is replaced, not reused. Returns its removal.
 */
export function writeLocalAccess(access: LocalServerAccess): { remove(): void } {
  const file = localAccessFile(access.index);
  const temporary = `${file}.${process.pid}.tmp`;
  fs.rmSync(temporary, { force: true });
  fs.writeFileSync(temporary, `${JSON.stringify(access, null, 2)}\n`, { flag: 'wx', mode: 0o600 });
  fs.renameSync(temporary, file);
  return {
    remove() {
      // Only our own: a newer server may have taken a stale lock and written its file since.
      if (readAccessFile(file)?.pid === access.pid) fs.rmSync(file, { force: true });
    },
  };
}

/**
 * The access file of a running server for `indexFile`, or undefined when there is none, its
 * process is gone, it names another index, or it is not this user's own private file (anyone
 * else could have written it to point the command, and its token, at their own server).
 */
export function readLocalAccess(indexFile: string): LocalServerAccess | undefined {
  const file = localAccessFile(indexFile);
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    return undefined;
  }
  if (typeof process.getuid === 'function' && stat.uid !== process.getuid()) return undefined;
  if ((stat.mode & 0o077) !== 0) return undefined;
  const access = readAccessFile(file);
  if (!access || access.index !== path.resolve(indexFile) || !isProcessAlive(access.pid)) return undefined;
  return access;
}

function readAccessFile(file: string): LocalServerAccess | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
  const value = parsed as Partial<Record<keyof LocalServerAccess, unknown>>;
  const strings = [value.url, value.token, value.tenant, value.index, value.fingerprint];
  if (!Number.isInteger(value.pid) || !strings.every((field) => typeof field === 'string')) return undefined;
  return value as LocalServerAccess;
}
