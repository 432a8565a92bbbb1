import { isIP } from 'node:net';
import { afterCode, nearestCue, type PiiRange } from './pii-context.ts';

// Dotted quads, not inside a longer dotted run (a five-part version or an OID is not an address).
const IPV4 = /(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?![\w]|\.\d)/g;

// Up to eight hex groups, some possibly empty ("::"), with an optional dotted-quad tail
// ("::ffff:192.0.2.1"); bounded repetitions of one-character-class groups split one way only.
const IPV6 =
  /(?<![\w:.])[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?:\.\d{1,3}\.\d{1,3}\.\d{1,3})?(?![\w:]|\.\d)/g;

const ADDRESS_CUE = /\b(?:ip|ipv4|ipv6|address|addr|host|server|client|from|src|dst|gateway|dns)\b/gi;

/**
 * Finds IPv4 and IPv6 addresses, full or compressed, each checked by `node:net`'s `isIP`. A
 * dotted quad labelled as a version or build ("version 1.24.3.1") is not an address, and an IPv6
 * shape needs a digit and two groups (or `::1`) so that `a::b` in code is left alone.
 */
export function findIpAddresses(text: string): PiiRange[] {
  const found: PiiRange[] = [];
  const ipv6Ends = new Set<number>();
  if (text.includes(':')) {
    for (const match of text.matchAll(IPV6)) {
      const candidate = match[0];
      const groups = candidate.split(':').filter(Boolean).length;
      const shaped = /\d/.test(candidate) && (groups >= 2 || candidate === '::1');
      if (!shaped || isIP(candidate) !== 6) continue;
      found.push({ start: match.index, end: match.index + candidate.length });
      ipv6Ends.add(match.index + candidate.length);
    }
  }
  if (text.includes('.')) {
    for (const match of text.matchAll(IPV4)) {
      if (isIP(match[0]) !== 4 || nearestCue(text, match.index, ADDRESS_CUE) === 'identifier') continue;
      if (afterCode(text, match.index, ADDRESS_CUE)) continue;
      // The dotted tail of "::ffff:192.0.2.1" ends where the IPv6 address found above ends.
      if (ipv6Ends.has(match.index + match[0].length)) continue;
      found.push({ start: match.index, end: match.index + match[0].length });
    }
  }
  return found;
}
