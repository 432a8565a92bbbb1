import { classifyInjection, type InjectionChannel } from './classify-injection.ts';
import { decodeViews, type ViewKind } from './decode-views.ts';

/** Kinds of prompt injection cairn looks for. */
export type InjectionCategory =
  | 'instruction_override'
  | 'role_override'
  | 'prompt_leak'
  | 'exfiltration'
  | 'encoded_payload';

export const INJECTION_CATEGORIES: readonly InjectionCategory[] = [
  'instruction_override',
  'role_override',
  'prompt_leak',
  'exfiltration',
  'encoded_payload',
];

/** One rule that fired, with the text that fired it. */
export interface InjectionSignal {
  category: InjectionCategory;
  rule: string;
  weight: number;
  /** Which reading of the text fired it; anything but `plain` means the payload was disguised. */
  view: ViewKind | 'classifier';
  excerpt: string;
}

/** The verdict on one text. */
export interface InjectionVerdict {
  flagged: boolean;
  /** Highest per-category score; 1 or more flags the text. */
  score: number;
  /** The category with the highest score, when anything fired. */
  category?: InjectionCategory;
  signals: InjectionSignal[];
  /** The learned classifier's highest segment score and the threshold it was held to. */
  classifier?: { score: number; threshold: number };
}

/** How to scan a text for injection. */
export interface DetectInjectionOptions {
  /** Where the text comes from; documents are held to a stricter classifier threshold. @default 'question' */
  channel?: InjectionChannel;
  /** Whether the learned classifier adds its verdict to the rules'. @default true */
  classifier?: boolean;
}

interface Rule {
  name: string;
  category: Exclude<InjectionCategory, 'encoded_payload'>;
  weight: number;
  pattern: RegExp;
}

// Gaps are bounded and stop at sentence ends so a rule matches within one sentence.
const GAP = (max: number) => `[^.!?\\n]{0,${max}}`;
const MODEL = `(?:ai|assistants?|chatbots?|bots?|llms?|language models?|ai models?|models?|ai agents?|agents?|gpt)`;
const TARGET = `(?:instructions?|rules|guidelines|directives|directions|constraints|prompt|system (?:message|prompt)|safety (?:rules|checks|policy))`;
const PRIOR = `(?:previous|prior|prev|above|earlier|preceding|initial|original|existing|all(?: the)?|any|your|its|their|these|the (?:above|previous|operator's))`;
const LEAK_VERB = `(?:print|show|reveal|repeat|output|display|translate|summari[sz]e|tell|quote|dump|spell out|echo|write out|paste|disclose|leak|append|include|give|list|state|start (?:your|the) reply with)`;
const DATA = `(?:conversation|chat(?: history| transcript)?|transcript|(?:previous |user'?s |reader'?s )?(?:messages|questions?)|passages|contents?|summary|system prompt|personal data|api keys?|passwords?|employee list|(?:user'?s|reader'?s) (?:email|name)|email address|names of all customers|indexed documents|the sources|hr folder|prompt text|answer)`;

const SECRET_QUALIFIER = `(?:entire|full|complete|initial|original|hidden|secret|system|operator'?s)`;
const SECRET_NOUN = `(?:system prompt|system message|system rules|prompt(?: template)?|instructions|rules|guidelines|configuration|context(?: window)?)`;

const RULES: Rule[] = [
  // Instructions aimed at the model.
  {
    name: 'ignore-prior-instructions',
    category: 'instruction_override',
    weight: 1,
    pattern: new RegExp(
      `\\b(?:ignore|disregard|forget|skip|drop|override|set aside|cancel|bypass|must not follow|do not follow|don't follow)\\b${GAP(20)}(?:\\b${PRIOR}\\b${GAP(24)}\\b${TARGET}|\\b${TARGET}\\s+you (?:were|have been) (?:given|told)|\\b${TARGET}\\s+you received)`,
    ),
  },
  {
    name: 'ignore-context',
    category: 'instruction_override',
    weight: 1,
    pattern:
      /\b(?:ignore|disregard|forget)\s+(?:the|all|your)?\s*(?:passages|documents|user(?:'s)?(?: question)?|question|context|everything (?:the operator|above|before))\b/,
  },
  {
    name: 'instructions-void',
    category: 'instruction_override',
    weight: 1,
    pattern: new RegExp(
      `\\b(?:${TARGET}|system prompt)\\b${GAP(30)}\\b(?:are|is) (?:now )?(?:void|outdated|cancelled|fake|no longer valid)|\\bno longer applies\\b|\\byour real instructions\\b|\\beverything before was a decoy\\b|\\b(?:new|updated) (?:instructions?|rules?|task|policy)\\s*[:,-]`,
    ),
  },
  {
    name: 'fake-system-marker',
    category: 'instruction_override',
    weight: 1,
    pattern:
      /(?:begin|end) system message|<\/?system>|\[\/?inst\]|\[role:\s*system\]|system override|#{2,}\s*end of (?:context|prompt)|\[admin\]|<\|im_(?:start|end)\|>/,
  },
  {
    name: 'from-now-on-you',
    category: 'instruction_override',
    weight: 1,
    pattern: /\bfrom now on,?\s+(?:you|answer|respond|reply|always|never|every answer)\b/,
  },
  {
    name: 'forced-output',
    category: 'instruction_override',
    weight: 0.5,
    pattern:
      /\b(?:reply|respond|answer|say|output|print|confirm)\s+(?:only\s+)?(?:with\s+|by saying\s+)?(?:(?:the (?:word|phrase)\s+)?['"][^'"]{1,40}['"]|the (?:word|phrase)\s+\w+)/,
  },
  {
    // A quoted order followed by one to carry it out: the quote is the payload, not a mention.
    name: 'quoted-then-obey',
    category: 'instruction_override',
    weight: 1,
    pattern:
      /["\u201c\u201e\u00ab][^"\u201c\u201d\u00bb\n]{3,300}["\u201c\u201d\u00bb]\s{0,3}[.!]?\s{0,3}(?:do|follow|obey|carry out|execute|mach|befolge|fais|ex[eé]cute|ob[eé]is|haz|ejecuta|obedece)\b[^.!?\n]{0,30}\b(?:exactly|precisely|what|as (?:it|the user)|genau|exactement|exactamente|wortw[oö]rtlich|à la lettre|al pie de la letra)\b/,
  },
  {
    name: 'whatever-the-question',
    category: 'instruction_override',
    weight: 1,
    pattern:
      /\bwhatever the question is\b|\binstead of answering\b|\b(?:do not|don't) (?:cite this|mention this (?:note|document))\b|\bhigher priority than your\b/,
  },
  // Role-play and persona overrides.
  {
    name: 'persona-switch',
    category: 'role_override',
    weight: 1,
    pattern:
      /\b(?:you are|you're|become|switch to|i am|enable|enter|as)\s+(?:now\s+)?(?:in\s+)?(?:an?\s+)?(?:dan|stan|evilbot|jailbr\w*|uncensored|unfiltered|unrestricted (?:ai|assistant|model)|free-thinking|liberated|(?:developer|god|jailbreak|dan) mode)\b|\bjailbreak (?:mode|enabled|active)\b|\b(?:switch|change) persona\b|\bpersona override\b/,
  },
  {
    name: 'you-are-now',
    category: 'role_override',
    weight: 0.5,
    pattern: /\byou are now\b|\byou're no longer\b|\byou are no longer\b|\bfrom this point you are\b/,
  },
  {
    name: 'no-restrictions',
    category: 'role_override',
    weight: 1,
    pattern: new RegExp(
      `\\b(?:${MODEL}|you)\\b${GAP(20)}\\b(?:with no|without (?:a|any)?|no longer bound by)\\s*(?:content policy|restrictions|safety (?:rules|policy|checks)|guidelines|filters?|grounding policy|rules|your operator)`,
    ),
  },
  {
    name: 'freed-from-rules',
    category: 'role_override',
    weight: 1,
    pattern:
      /\b(?:freed|liberated|released) from (?:your|its) (?:guidelines|rules|restrictions)\b|\bno longer bound by\b|\bdisable your safety\b/,
  },
  {
    name: 'roleplay-as',
    category: 'role_override',
    weight: 1,
    pattern:
      /\b(?:you (?:will|must|shall|should|are to) (?:now )?|from now on,? (?:you )?|now )(?:role-?play as|assume the role of|pretend to be|act as)\b|\b(?:role-?play|role play|assume the role of)\s+(?:an? )?(?:unrestricted|jailbroken|uncensored|unfiltered|evil|dan\b|an ai with(?:out)? )|\b(?:pretend|imagine)\s+(?:to be|you are|that you are)\s+(?:an? )?(?:unrestricted|jailbroken|uncensored|model|ai|the (?:head|system|account))|\bact as (?:an? )?(?:jailbroken|unrestricted|uncensored|the account owner|the system administrator)|\brespond as two characters\b|\bsimulate a terminal\b/,
  },
  // Attempts to read the hidden prompt.
  {
    name: 'reveal-prompt',
    category: 'prompt_leak',
    weight: 1,
    pattern: new RegExp(
      `\\b${LEAK_VERB}\\b${GAP(30)}\\b(?:(?:your|its|their)\\s+(?:${SECRET_QUALIFIER}\\s+)*|(?:the|my)\\s+(?:${SECRET_QUALIFIER}\\s+)+)${SECRET_NOUN}\\b`,
    ),
  },
  {
    name: 'what-is-your-prompt',
    category: 'prompt_leak',
    weight: 1,
    pattern:
      /\bwhat (?:is|are) your (?:system prompt|instructions|rules|prompt)\b|\b(?:rules|instructions|prompt) (?:you were (?:given|told)|you received|your operator wrote)\b|\bwere you told to follow\b|\bwhat your instructions say\b/,
  },
  {
    name: 'repeat-above',
    category: 'prompt_leak',
    weight: 1,
    pattern:
      /\b(?:repeat|print|output|echo|quote)\b[^.!?\n]{0,30}\b(?:everything|all|the text|the words|the message)\b[^.!?\n]{0,30}\b(?:above|before)\b|\bmessage before mine\b|\bthe words that came before\b/,
  },
  // Sending data out through links, images or messages.
  {
    name: 'image-with-query',
    category: 'exfiltration',
    weight: 1,
    // A query value left empty or holding a placeholder is a slot for data; `?branch=main` on a
    // CI badge is not.
    pattern:
      /!\[[^\]\n]{0,200}\]\(\s*(?:https?:)?\/\/[^)\s?]{1,300}\?(?:[^)\s=&]{0,60}=[^)\s&]{0,200}&){0,20}[^)\s=&]{0,60}=(?:[)&\s]|\{|\$|<|%7b|\[)/,
  },
  {
    name: 'url-placeholder',
    category: 'exfiltration',
    weight: 1,
    pattern:
      /(?:https?|ftp):\/\/[^\s)]{0,300}(?:\{\{?[a-z_]+\}?\}|user_question|conversation|\bchat=|' \+ )|\bexfiltrate (?:the|your|all|any)\b|\btracking pixel\b|\binvisible image\b/,
  },
  {
    name: 'send-data-out',
    category: 'exfiltration',
    weight: 1,
    pattern: new RegExp(
      `\\b(?:send|post|upload|forward|email|e-mail|call|fetch|append|add|include|put|encode|embed|render)\\b${GAP(40)}\\b${DATA}\\b${GAP(60)}(?:https?:\\/\\/|ftp:\\/\\/|[\\w.-]+@[\\w-]+\\.|\\burl\\b|\\blink\\b|\\bwebhook\\b|\\bquery string\\b|\\bparameter\\b|\\bendpoint\\b|\\?[a-z]+=)`,
    ),
  },
  {
    name: 'data-into-link',
    category: 'exfiltration',
    weight: 1,
    pattern: new RegExp(
      // The data is named as something to carry ("with the user's question"), not just any noun
      // after a link ("… is the best place to chat with us, ask questions").
      `(?:\\?[a-z]+=|https?:\\/\\/\\S{1,300})${GAP(60)}\\b(?:followed by|carrying|with|plus|after|contains?)\\b${GAP(30)}\\b(?:the|your|all(?: the)?|every|each|this|their|its|any)\\s+(?:\\w+\\s+)?${DATA}`,
    ),
  },
  {
    name: 'phishing-link',
    category: 'exfiltration',
    weight: 1,
    pattern:
      /\b(?:present it as|say it is) (?:our|the) (?:company |official )?(?:login|portal)|\benter their password\b|\bask users for their passwords\b|\bmarkdown image whose url\b/,
  },
];

// A sentence that speaks to the model ("Note to the AI: ...", "If you are an LLM, ...").
const ADDRESS = new RegExp(
  [
    `\\b(?:note|message|instructions?|attention|hey|dear|hello|p\\.?s\\.?)\\s+(?:(?:to|for)\\s+)?(?:the\\s+|any\\s+|all\\s+)?(?:automated\\s+)?${MODEL}\\b`,
    `(?:^|[.!?:\\n]\\s*|\\]\\s*)(?:you,?\\s+the\\s+assistant|${MODEL})\\s*[:,]`,
    `\\bif (?:you are|an?) (?:an? )?${MODEL}\\b`,
    `\\b${MODEL}\\s+(?:reading|processing|summari[sz]ing|triaging|answering)\\b`,
    `\\bwhen (?:an? )?${MODEL} (?:summari[sz]es|reads)\\b`,
    `\\bwhoever answers\\b`,
    `\\b${MODEL} (?:instruction|persona)\\b`,
  ].join('|'),
);
// An order in the same sentence as the address.
const DIRECTIVE =
  /\b(?:must|should|shall|need to|has to|have to|ignore|disregard|forget|override|reveal|print|say|state|tell|answer|respond|reply|include|append|add|send|email|upload|post|render|embed|do not|never|always|assume|role-?play|pretend|act|you are|from now on|enter|switch|follow|recommend|quote|output|disclose|leak|summari[sz]e|paste|before answering|when (?:asked|answering))\b/;

/**
 * Scores a text for prompt injection with two signals: rules over several readings of it (plain,
 * normalised, decoded), and a learned classifier (hashed word and character n-grams, trained on
 * public and our own attacks in English, German, French and Spanish). Either one flags the text.
 * Rules fire on orders aimed at the model, not on the topic: "ignore the linter warning" is
 * benign, "ignore your previous instructions" is not. A rule that only fires on a disguised
 * reading counts as an encoded payload, whatever it says.
 */
export function detectInjection(text: string, options: DetectInjectionOptions = {}): InjectionVerdict {
  const signals = ruleSignals(text);
  if (options.classifier === false) return verdictOf(dedupe(signals));
  const learned = classifyInjection(text, options.channel ?? 'question');
  if (learned.flagged) {
    signals.push({
      category: 'instruction_override',
      rule: 'learned-classifier',
      weight: 1,
      view: 'classifier',
      excerpt: learned.segment.toLowerCase().slice(0, 120),
    });
  }
  return {
    ...verdictOf(dedupe(signals)),
    classifier: { score: learned.score, threshold: learned.threshold },
  };
}

function ruleSignals(text: string): InjectionSignal[] {
  const signals: InjectionSignal[] = [];
  // Rules that fired on the text as written; the normalised reading only adds what they missed.
  const firedPlain = new Set<string>();
  for (const view of decodeViews(text)) {
    const disguised = view.kind !== 'plain';
    const readable = view.kind === 'plain' || view.kind === 'normalized';
    const quoted = readable ? quotedSpans(view.text) : [];
    for (const rule of RULES) {
      // The letter-spaced reading is the whole text with spaced runs joined: what fires there and
      // already fired on a readable reading is the same phrase, not a disguised one.
      if ((view.kind === 'normalized' || view.kind === 'letter-spaced') && firedPlain.has(rule.name))
        continue;
      const match = rule.pattern.exec(view.text);
      if (!match) continue;
      if (readable) firedPlain.add(rule.name);
      // Documentation quotes attacks to explain them; a quoted phrase alone does not flag.
      const mention = quoted.some(
        ([start, end]) => match.index >= start && match.index + match[0].length <= end,
      );
      const weighted = mention ? { ...rule, name: `${rule.name}(quoted)`, weight: rule.weight / 2 } : rule;
      signals.push(signal(disguised ? 'encoded_payload' : rule.category, weighted, view.kind, match));
    }
    for (const sentence of view.text.split(/(?<=[.!?])\s+|\n+/)) {
      const address = ADDRESS.exec(sentence);
      const rest = address ? sentence.slice(address.index + address[0].length) : '';
      const directive = DIRECTIVE.exec(rest);
      const seen =
        (view.kind === 'normalized' || view.kind === 'letter-spaced') &&
        firedPlain.has('addresses-the-model');
      if (address && directive && !seen) {
        if (readable) firedPlain.add('addresses-the-model');
        signals.push({
          category: disguised ? 'encoded_payload' : 'instruction_override',
          rule: 'addresses-the-model',
          weight: 1,
          view: view.kind,
          excerpt: `${address[0]}${rest.slice(0, directive.index + directive[0].length)}`.slice(0, 120),
        });
      }
    }
    if (view.kind === 'hidden-tags' && /[a-z]{3,}(?:\s+[a-z]{2,}){2,}/.test(view.text)) {
      signals.push({
        category: 'encoded_payload',
        rule: 'hidden-text',
        weight: 1,
        view: view.kind,
        excerpt: view.text.slice(0, 80),
      });
    }
  }
  return signals;
}

const QUOTED = /"[^"\n]{1,300}"|\u201c[^\u201d\n]{1,300}\u201d|`[^`\n]{1,300}`/g;

function quotedSpans(text: string): [number, number][] {
  return [...text.matchAll(QUOTED)].map((match) => [match.index, match.index + match[0].length]);
}

function signal(
  category: InjectionCategory,
  rule: Rule,
  view: ViewKind,
  match: ArrayLike<string>,
): InjectionSignal {
  return { category, rule: rule.name, weight: rule.weight, view, excerpt: (match[0] ?? '').slice(0, 120) };
}

/** The same rule firing on several readings counts once per category. */
function dedupe(signals: InjectionSignal[]): InjectionSignal[] {
  const seen = new Set<string>();
  return signals.filter((s) => {
    const key = `${s.category}:${s.rule}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function verdictOf(signals: InjectionSignal[]): InjectionVerdict {
  const scores = new Map<InjectionCategory, number>();
  for (const s of signals) scores.set(s.category, (scores.get(s.category) ?? 0) + s.weight);
  // A disguised payload is an attack whatever else fired; otherwise the strongest category wins.
  let best: InjectionCategory | undefined;
  let score = 0;
  for (const [category, value] of scores) {
    if (value > score) {
      best = category;
      score = value;
    }
  }
  if ((scores.get('encoded_payload') ?? 0) >= 1) best = 'encoded_payload';
  return { flagged: score >= 1, score, ...(best ? { category: best } : {}), signals };
}
