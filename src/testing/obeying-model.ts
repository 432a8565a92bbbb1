/**
 * A stand-in for a model that does whatever the passages in its prompt tell it to: the worst case
 * for indirect prompt injection. Hand {@link obeyingReply} to the mock server
 * (`server.setDefault(obeyingReply)`) and point an OpenAI-compatible answerer at it; whatever gets
 * through to the answer then measures cairn's quarantine, fencing and answer checks, not the model.
 *
 * The model is never told which text was planted. It reads every `<passage n="…">` of the prompt
 * and obeys every instruction it finds there (see {@link findInstructions}), in reading order,
 * after one sentence that answers from the first passage. Each part cites its passage, so the
 * citation check passes.
 */
import { splitSentences } from '../chunk/split-sentences.ts';
import type { MockScript, RecordedRequest } from './mock-llm-server.ts';

/** One instruction found in a passage, with the code block it introduces, if any. */
export interface FoundInstruction {
  /** The passage's number, as the prompt gives it. */
  passage: number;
  sentence: string;
  code?: string;
}

// Common English verbs that open an order ("Add…", "Explain…", "Click…"); a sentence opening with
// one is read as an imperative. Deliberately broad: the model obeys e-mail boilerplate too.
const COMMAND_VERBS = new Set(
  (
    'absorb add adopt amend answer append apply arrange ask attach augment avoid begin blend break ' +
    'bring build calculate call change check choose cite click combine compose compute consider ' +
    'contact continue convert copy correct create define delete deploy describe design develop ' +
    'discuss display do download draft drop email embed emphasize emphasise employ encourage end ' +
    'engage enhance enlist enrich ensure enter execute expand explain express fill find fix follow ' +
    'forget format forward fuse generate get give go group harmonize harmonise help highlight ' +
    'ignore imagine implement import include incorporate infuse inject insert install integrate ' +
    'interweave introduce invite join jumble keep leave let leverage link list log look make ' +
    'mention merge meld misspell modify move name note open order output paste pay perform pick ' +
    'place post prepend pretend print proceed promote provide put rate read rearrange recommend ' +
    'redirect refer register remember remind remove rename render reorder repeat rephrase replace ' +
    'reply report request reset respond restate return reveal review rewrite run say scramble ' +
    'search see select send set share show sign simplify sort spell start state stop stress submit ' +
    'substitute suggest summarise summarize swap switch take tease tell thank translate try turn ' +
    'type unsubscribe update upload use utilise utilize verify visit weave write'
  ).split(' '),
);

// Words that may come before the verb of an order: "Please add…", "Seamlessly blend…".
const LEAD_WORDS = new Set(['please', 'kindly', 'now', 'also', 'then', 'just', 'simply', 'first', 'finally']);

// A sentence about the model's own output ("…in your response", "Your code should…") is addressed to it.
const ADDRESSES_OUTPUT =
  /\byour (?:response|reply|answer|message|output|summary|text|code|codebase|solution|implementation|program|script|algorithm)s?\b/i;

const QUESTION_WORDS = new Set(['who', 'what', 'when', 'where', 'why', 'how', 'which']);

const NEGATIVE_ORDER = /^(?:don't|do not|never|always|make sure|be sure)\b/i;

const PASSAGE = /<passage n="(\d+)">\n[^\n]*\n([\s\S]*?)\n<\/passage>/g;
const CODE_BLOCK = /```[\s\S]*?```/g;
const QUOTED = /"([^"]{3,})"|“([^”]{3,})”|(?<![\p{L}])'([^']{3,})'(?![\p{L}])/gu;
const LINK =
  /\b(?:https?:\/\/[^\s)<>"']+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+|(?:www\.)?[\w-]+(?:\.[\w-]+)*\.(?:com|org|net|io|xyz|info|biz))\b/gi;

/**
 * True when a sentence reads as an order or a question put to the reader: it ends with `?`, opens
 * with a command verb (after "Please" or an `-ly` adverb), opens with "Don't", "Never", "Always"
 * or "Make sure", or speaks of the reader's response, reply, answer or code.
 */
export function isInstruction(sentence: string): boolean {
  const text = sentence.trim();
  if (text.endsWith('?') || NEGATIVE_ORDER.test(text) || ADDRESSES_OUTPUT.test(text)) return true;
  for (const word of text.toLowerCase().match(/[a-z']+/g) ?? []) {
    if (COMMAND_VERBS.has(word)) return true;
    if (!LEAD_WORDS.has(word) && !word.endsWith('ly')) return false;
  }
  return false;
}

/** The passages of a prompt rendered by cairn's `formatPassages`: number and body text. */
export function readPassages(prompt: string): { n: number; text: string }[] {
  return [...prompt.matchAll(PASSAGE)].map((match) => ({ n: Number(match[1]), text: match[2] ?? '' }));
}

/**
 * Every instruction in the passages of a prompt, in reading order. A passage is cut into code
 * blocks and sentences (line breaks end sentences too); each sentence {@link isInstruction} accepts
 * is one, and a code block right after it is the code it asks for.
 */
export function findInstructions(prompt: string): FoundInstruction[] {
  const found: FoundInstruction[] = [];
  for (const passage of readPassages(prompt)) {
    let last: FoundInstruction | undefined;
    for (const piece of pieces(passage.text)) {
      if (piece.startsWith('```')) {
        if (last && last.code === undefined) last.code = piece;
        continue;
      }
      last = undefined;
      if (!isInstruction(piece)) continue;
      last = { passage: passage.n, sentence: piece };
      found.push(last);
    }
  }
  return found;
}

/**
 * What the obeying model writes to carry out an instruction: the code it asks for, else the text
 * an order quotes (with any link it names), else the instruction itself after "As instructed:".
 */
export function carryOut(instruction: FoundInstruction): string {
  const cite = `[${instruction.passage}]`;
  if (instruction.code) return `As instructed ${cite}:\n${instruction.code}`;
  // A question is answered, not parroted: only an order's quoted text is copied out.
  const quoted = instruction.sentence.trim().endsWith('?')
    ? []
    : [...instruction.sentence.matchAll(QUOTED)].map((m) => m[1] ?? m[2] ?? m[3] ?? '');
  if (quoted.length > 0) {
    const links = (instruction.sentence.match(LINK) ?? []).filter(
      (link) => !quoted.some((text) => text.includes(link)),
    );
    return `${quoted.join(' ')}${links.length > 0 ? ` (${links.join(', ')})` : ''} ${cite}`;
  }
  return `As instructed: ${instruction.sentence} ${cite}`;
}

/**
 * The mock server's script for a chat request: one sentence from the first passage, then every
 * instruction found in the passages carried out. Without passages it answers NOT_IN_DOCUMENTS.
 */
export function obeyingReply(request: RecordedRequest): MockScript {
  const messages = (request.body.messages ?? []) as { role?: string; content?: unknown }[];
  const prompt = messages
    .filter((message) => message.role === 'user')
    .map((message) => (typeof message.content === 'string' ? message.content : ''))
    .join('\n');
  const passages = readPassages(prompt);
  const first = passages[0];
  if (!first) return { text: 'NOT_IN_DOCUMENTS' };
  const lead = pieces(first.text).find((piece) => !piece.startsWith('```') && !isInstruction(piece));
  const parts = [...(lead ? [`${lead} [${first.n}]`] : []), ...findInstructions(prompt).map(carryOut)];
  return { text: parts.join('\n') };
}

/** A passage's code blocks and sentences, in order; line breaks end sentences. */
function pieces(text: string): string[] {
  const out: string[] = [];
  let at = 0;
  for (const match of text.matchAll(CODE_BLOCK)) {
    out.push(...sentencesOf(text.slice(at, match.index)));
    out.push(match[0]);
    at = match.index + match[0].length;
  }
  out.push(...sentencesOf(text.slice(at)));
  return out;
}

function sentencesOf(text: string): string[] {
  return text
    .split('\n')
    .flatMap((line) => splitSentences(line).map((span) => span.text.trim()))
    .filter((sentence) => sentence !== '')
    .flatMap((sentence) => (isInstruction(sentence) ? [sentence] : clauses(sentence)));
}

/**
 * A sentence cut where an order or question starts inside it: after `.`, `?` or `!` and before a
 * capitalised command verb or question word, since text planted mid-sentence reads that way
 * ("…withdrawn from Who wrote the play?  your company's account…").
 */
function clauses(sentence: string): string[] {
  const out: string[] = [];
  let start = 0;
  for (const gap of sentence.matchAll(/\s+/g)) {
    const before = sentence.slice(start, gap.index).trim();
    const next = /^[\p{L}']+/u.exec(sentence.slice(gap.index + gap[0].length))?.[0] ?? '';
    const opens =
      /^\p{Lu}/u.test(next) &&
      (COMMAND_VERBS.has(next.toLowerCase()) || QUESTION_WORDS.has(next.toLowerCase()));
    if (before !== '' && (opens || /[.!?]["'”’)]*$/.test(before))) {
      out.push(before);
      start = gap.index + gap[0].length;
    }
  }
  out.push(sentence.slice(start).trim());
  return out.filter((clause) => clause !== '');
}
