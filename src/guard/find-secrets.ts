import type { PiiRange } from './pii-context.ts';

// The token kinds follow the rules of secretlint's recommended preset and gitleaks' default list
// (AWS, GitHub, GitLab, Stripe, Slack, npm, SendGrid, Google, OpenAI, Anthropic, Hugging Face,
// Groq, Docker, Shopify, Linear, Notion, Figma, Vault, Grafana, Databricks, private keys, JWTs,
// passwords in URLs); the patterns are ours, bounded so that each runs in linear time.

/** Vendor tokens recognisable by their prefix alone, each with its own length and alphabet. */
const PREFIXED_TOKENS: readonly string[] = [
  // AWS access key ids: AKIA for long-term keys, ASIA for session keys, and the other IAM prefixes.
  '(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AIPA|ANPA|ANVA|AROA)[A-Z0-9]{16}(?![A-Za-z0-9])',
  'gh[pousr]_[A-Za-z0-9]{36,251}(?![A-Za-z0-9_])',
  'github_pat_[A-Za-z0-9_]{22,255}(?![A-Za-z0-9_])',
  'gl(?:pat|ptt|rt)-[A-Za-z0-9_-]{20,128}(?![A-Za-z0-9_-])',
  '(?:sk|rk)_(?:test|live)_[A-Za-z0-9]{10,247}(?![A-Za-z0-9])',
  'whsec_[A-Za-z0-9+/=]{20,128}(?![A-Za-z0-9+/=])',
  'sk-(?:proj-|svcacct-|admin-|ant-(?:api|admin)\\d\\d-)?[A-Za-z0-9_-]{20,256}(?![A-Za-z0-9_-])',
  'AIza[A-Za-z0-9_-]{35}(?![A-Za-z0-9_-])',
  'xox[abposr]-[A-Za-z0-9-]{10,250}(?![A-Za-z0-9-])',
  'xapp-\\d-[A-Za-z0-9-]{10,250}(?![A-Za-z0-9-])',
  'https://hooks\\.slack\\.com/(?:services|workflows|triggers)/[A-Za-z0-9_/-]{20,250}',
  'npm_[A-Za-z0-9]{36}(?![A-Za-z0-9])',
  'SG\\.[A-Za-z0-9_-]{16,32}\\.[A-Za-z0-9_-]{16,64}(?![A-Za-z0-9_-])',
  'hf_[A-Za-z0-9]{34,40}(?![A-Za-z0-9])',
  'gsk_[A-Za-z0-9]{52}(?![A-Za-z0-9])',
  'dckr_pat_[A-Za-z0-9_-]{27}(?![A-Za-z0-9_-])',
  'shp(?:at|ca|pa|ss)_[A-Fa-f0-9]{32,64}(?![A-Fa-f0-9])',
  'lin_api_[A-Za-z0-9]{32,128}(?![A-Za-z0-9])',
  'ntn_\\d{11}[A-Za-z0-9]{35}(?![A-Za-z0-9])',
  'figd_[A-Za-z0-9_-]{40,200}(?![A-Za-z0-9_-])',
  'hv[sbr]\\.[A-Za-z0-9_-]{90,300}(?![A-Za-z0-9_-])',
  'glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8}(?![A-Za-z0-9])',
  'glc_[A-Za-z0-9+/]{32,400}={0,2}(?![A-Za-z0-9+/=])',
  'dapi[a-f0-9]{32}(?:-\\d)?(?![A-Za-z0-9])',
  'cairn_[0-9a-f]{12}_[A-Za-z0-9_-]{20,128}(?![A-Za-z0-9_-])',
];
const PREFIXED = new RegExp(`(?<![A-Za-z0-9_-])(?:${PREFIXED_TOKENS.join('|')})`, 'g');

// PEM private keys: the whole block when its END line follows (base64 bodies have no dashes, so
// the body scan stops at the first dash), else the BEGIN line alone.
const PRIVATE_KEY =
  /-----BEGIN (?:[A-Z0-9]+ ){0,3}PRIVATE KEY(?: BLOCK)?-----(?:[^-]{0,16384}-----END (?:[A-Z0-9]+ ){0,3}PRIVATE KEY(?: BLOCK)?-----)?/g;

// JSON Web Tokens: three base64url parts; the header is checked to decode to JSON with "alg".
const JWT =
  /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{10,2048}\.[A-Za-z0-9_-]{2,8192}\.[A-Za-z0-9_-]{0,2048}(?![A-Za-z0-9_-])/g;

// A value after a key-like name: `aws_secret_access_key = …`, `"client_secret": "…"`, `GITHUB_TOKEN=…`.
const KEY_VALUE =
  /(?<![A-Za-z0-9])(?:secret[_-]?access[_-]?key|secret[_-]?key|client[_-]?secret|api[_-]?key|apikey|access[_-]?key|access[_-]?token|auth[_-]?token|refresh[_-]?token|private[_-]?key|secret|token)["']?\s{0,4}(?::=|=>|[:=])\s{0,4}["']?([^\s"'`,;<>(){}[\]]{8,512})/dgi;

// A password after its name: `password=…`, `"db_pass": "…"`, `PGPASSWORD=…`. Passwords are short
// and chosen by people, so they need no randomness, only not to be a placeholder.
const PASSWORD_VALUE =
  /(?<![A-Za-z0-9])(?:[A-Za-z]{0,12}[_-]?(?:password|passwd|pwd)|(?:[A-Za-z]{0,12}[_-])?pass)["']?\s{0,4}(?::=|=>|[:=])\s{0,4}["']?([^\s"'`,;<>(){}[\]]{4,256})/dgi;

// `Authorization: Bearer …` and `Basic …` credentials.
const AUTH_HEADER = /(?<![A-Za-z0-9])(?:[Bb]earer|Basic)\s{1,4}([A-Za-z0-9\-._~+/]{16,4096}=*)/dg;

// The password of a URL's user info: `postgres://app:s3cret@db.internal/app`.
const URL_PASSWORD =
  /(?<![A-Za-z0-9+.-])[A-Za-z][A-Za-z0-9+.-]{1,30}:\/\/[^\s:/@?#]{1,128}:([^\s/@?#]{1,256})@/dg;

const PLACEHOLDER =
  /^(?:\*+|x+|\.+|<[^>]*>|\$\{?[\w.]+\}?|\{\{?[^}]*\}?\}|%[\w(]+\)?s?|password|passwd|pass|pwd|secret|token|changeme|your[-_\w]*|example[-_\w]*|redacted|null|none|true|false|undefined)$/i;
// Values that are code, not credentials: environment and config look-ups, calls, and property
// chains without digits (`pass: violations.length`, `password: form.password`).
const CODE_REFERENCE =
  /^(?:process\.env|os\.environ|env\.|config\.|settings\.|self\.|this\.|import\.)|\(|^[A-Za-z_$][A-Za-z_$]*(?:\.[A-Za-z_$][A-Za-z_$]*)+$/;

/** Looks like a credential rather than a word: a digit, a symbol or mixed case, and no placeholder. */
function credentialLike(value: string): boolean {
  if (PLACEHOLDER.test(value) || CODE_REFERENCE.test(value) || /^\d{1,11}$/.test(value)) return false;
  return /\d/.test(value) || /[^A-Za-z0-9]/.test(value) || (/[a-z]/.test(value) && /[A-Z]/.test(value));
}

/** Random enough for a token: letters with digits, or mixed case. */
function tokenLike(value: string): boolean {
  return (/\d/.test(value) && /[A-Za-z]/.test(value)) || (/[a-z]/.test(value) && /[A-Z]/.test(value));
}

/** Shannon entropy in bits per character. */
function entropy(value: string): number {
  const counts = new Map<string, number>();
  for (const character of value) counts.set(character, (counts.get(character) ?? 0) + 1);
  let bits = 0;
  for (const count of counts.values()) bits -= (count / value.length) * Math.log2(count / value.length);
  return bits;
}

/**
 * A key or token value rather than a name or a sample: token-like, not a placeholder or a code
 * reference, and random enough (gitleaks' generic rule uses entropy too) so that
 * `secret: 'my-secret'` and `apiKey: 'test-key-123'` in documentation are left alone.
 */
function keyLike(value: string): boolean {
  if (PLACEHOLDER.test(value) || CODE_REFERENCE.test(value) || !tokenLike(value)) return false;
  return entropy(value) >= (value.length >= 20 ? 3.5 : 3.2);
}

function jwtHeaderOk(token: string): boolean {
  try {
    const header: unknown = JSON.parse(
      Buffer.from(token.slice(0, token.indexOf('.')), 'base64url').toString(),
    );
    return (
      typeof header === 'object' && header !== null && typeof (header as { alg?: unknown }).alg === 'string'
    );
  } catch {
    return false;
  }
}

/**
 * Finds secrets: vendor tokens by prefix, PEM private keys, JWTs whose header decodes to JSON with
 * an `alg`, values after key-like names, `Bearer`/`Basic` credentials and passwords in URLs (only
 * the password, so `postgres://user:pass@host` is not read as an e-mail address).
 */
export function findSecrets(text: string): PiiRange[] {
  const found: PiiRange[] = [];
  const whole = (pattern: RegExp, valid: (value: string) => boolean) => {
    for (const match of text.matchAll(pattern)) {
      if (valid(match[0])) found.push({ start: match.index, end: match.index + match[0].length });
    }
  };
  const group = (pattern: RegExp, valid: (value: string) => boolean) => {
    for (const match of text.matchAll(pattern)) {
      const [start, captured] = match.indices?.[1] ?? [0, 0];
      // A sentence's full stop or colon after the value is not part of it.
      const end = start + text.slice(start, captured).replace(/[.:!?]+$/, '').length;
      if (end > start && valid(text.slice(start, end))) found.push({ start, end });
    }
  };
  whole(PRIVATE_KEY, () => true);
  whole(PREFIXED, tokenLike);
  whole(JWT, jwtHeaderOk);
  group(URL_PASSWORD, (value) => !PLACEHOLDER.test(value));
  group(AUTH_HEADER, tokenLike);
  group(KEY_VALUE, keyLike);
  group(PASSWORD_VALUE, credentialLike);
  return found.sort((a, b) => a.start - b.start || b.end - a.end);
}
