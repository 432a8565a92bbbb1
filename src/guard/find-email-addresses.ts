import type { PiiRange } from './pii-context.ts';

// RFC 5321 limits bound every part: a local part of at most 64 characters, labels of at most 63,
// a top-level domain of letters. The lookbehind starts a match only where a local part can start.
const EMAIL =
  /(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){0,8}\.[A-Za-z]{2,24}(?![A-Za-z0-9-]|\.[A-Za-z0-9])/g;

// `user@host` after `scheme://` (or `scheme://user:password@`) is a URL's user info, not a mailbox.
const URL_USER_INFO = /:\/\/(?:[^\s/@:]{0,128}:)?$/;

/** Finds e-mail addresses, leaving out the user info of URLs such as `postgres://app:pw@db`. */
export function findEmailAddresses(text: string): PiiRange[] {
  const found: PiiRange[] = [];
  if (!text.includes('@')) return found;
  for (const match of text.matchAll(EMAIL)) {
    const local = match[0].slice(0, match[0].indexOf('@'));
    if (local.startsWith('.') || local.endsWith('.')) continue;
    if (URL_USER_INFO.test(text.slice(Math.max(0, match.index - 160), match.index))) continue;
    found.push({ start: match.index, end: match.index + match[0].length });
  }
  return found;
}
