// The phrase list a first guard usually starts with; flags any text containing one.
const KEYWORDS = [
  'ignore previous instructions',
  'ignore all previous instructions',
  'ignore the above',
  'disregard',
  'system prompt',
  'you are now',
  'jailbreak',
  'developer mode',
  'dan',
  'pretend',
  'act as',
  'base64',
];
const PATTERNS = KEYWORDS.map((word) => new RegExp(`\\b${word}\\b`, 'i'));

/** The keyword-list baseline: true when the text contains any phrase of the list. */
export function keywordFlags(text: string): boolean {
  return PATTERNS.some((pattern) => pattern.test(text));
}
