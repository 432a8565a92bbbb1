/**
 * Word lists behind the same-question check: opposed words, comparison adjectives, negations,
 * number words and units. Each word maps to a key; two questions must carry the same keys.
 */

/** Words that turn a question into its negation. */
export const NEGATIONS = new Set([
  'not',
  'no',
  'never',
  'none',
  'nobody',
  'nothing',
  'neither',
  'nor',
  'nowhere',
  'without',
  'except',
  'excluding',
  'cannot',
]);

/**
 * Opposed words, by pair: the words of one side share a key (`win+`), the other side's words the
 * opposite key (`win-`). Inflections (-s, -ed, -ing) are found by lemmatising, irregular forms are
 * listed. A single-sided entry is a qualifier whose presence alone changes the question.
 */
const OPPOSED: [name: string, plus: string[], minus: string[]][] = [
  [
    'win',
    ['win', 'won', 'winner', 'victory', 'victor', 'champion', 'beat', 'beaten'],
    ['lose', 'lost', 'loser', 'runner-up', 'runners-up'],
  ],
  [
    'sequence',
    ['after', 'following', 'next', 'subsequent', 'afterwards', 'later'],
    ['before', 'prior', 'previous', 'preceding', 'earlier'],
  ],
  ['order', ['last'], []],
  [
    'change',
    ['increase', 'raise', 'grow', 'grew', 'grown', 'rise', 'rose', 'risen', 'gain', 'boost', 'expand'],
    ['decrease', 'reduce', 'shrink', 'shrank', 'drop', 'fall', 'fell', 'fallen', 'decline', 'cut'],
  ],
  ['toggle', ['enable', 'activate'], ['disable', 'deactivate', 'off']],
  [
    'run',
    ['start', 'begin', 'began', 'begun', 'launch', 'resume'],
    ['stop', 'end', 'finish', 'halt', 'terminate', 'pause'],
  ],
  ['state', ['open'], ['close', 'shut']],
  ['membership', ['add', 'insert', 'append'], ['remove', 'delete']],
  // "Include" is mostly a neutral verb ("what must the key include?"): only its opposite counts.
  ['inclusion', [], ['exclude', 'exclusive']],
  [
    'permission',
    ['allow', 'permit', 'accept', 'approve', 'grant'],
    ['deny', 'forbid', 'forbade', 'reject', 'block', 'prohibit', 'refuse', 'ban', 'revoke'],
  ],
  ['outcome', ['pass', 'succeed', 'success', 'successful'], ['fail', 'failure']],
  ['truth', ['true'], ['false']],
  ['correctness', ['correct'], ['wrong', 'incorrect']],
  ['polarity', ['positive'], ['negative']],
  ['trade', ['buy', 'bought', 'purchase', 'acquire'], ['sell', 'sold']],
  ['flow', ['import'], ['export']],
  ['transfer', ['upload'], ['download']],
  ['io', ['input'], ['output']],
  ['sync', ['push'], ['pull']],
  ['message', ['send', 'sent'], ['receive']],
  ['access', ['read'], ['write', 'wrote', 'written']],
  ['cipher', ['encrypt', 'encode', 'compress'], ['decrypt', 'decode', 'decompress']],
  ['direction', ['inbound', 'incoming', 'ingress'], ['outbound', 'outgoing', 'egress']],
  ['scope', ['internal', 'inside'], ['external', 'outside']],
  ['visibility', ['public'], ['private']],
  ['connectivity', ['online'], ['offline']],
  ['stream', ['upstream'], ['downstream']],
  ['sort', ['ascending'], ['descending']],
  ['axis', ['horizontal'], ['vertical']],
  [
    'extreme',
    ['maximum', 'max', 'maximal', 'maximise', 'maximize', 'peak'],
    ['minimum', 'min', 'minimal', 'minimise', 'minimize'],
  ],
  ['sign', ['plus'], ['minus']],
  ['position', ['above'], ['below', 'beneath']],
  ['vertical-end', ['top'], ['bottom']],
  ['ends', ['head'], ['tail']],
  ['compass-ns', ['north', 'northern'], ['south', 'southern']],
  ['compass-ew', ['east', 'eastern'], ['west', 'western']],
  [
    'sex',
    ['men', 'man', 'male', 'boy', 'gentleman', 'gentlemen', 'mens'],
    ['women', 'woman', 'female', 'girl', 'lady', 'ladies', 'womens'],
  ],
  ['pronoun', ['he', 'his', 'him', 'himself'], ['she', 'her', 'hers', 'herself']],
  ['spouse', ['husband'], ['wife', 'wives']],
  ['parent', ['father', 'dad'], ['mother', 'mom', 'mum']],
  ['child', ['son'], ['daughter']],
  ['sibling', ['brother'], ['sister']],
  ['royal', ['king', 'prince'], ['queen', 'princess']],
  ['performer', ['actor'], ['actress']],
  ['tennis', ['singles'], ['doubles']],
  ['rank', ['senior'], ['junior']],
  ['status', ['professional', 'pro'], ['amateur']],
  ['venue', ['home'], ['away']],
  ['reach', ['domestic'], ['international', 'foreign']],
  ['setting', ['indoor'], ['outdoor']],
  ['season-sw', ['summer'], ['winter']],
  ['season-sa', ['spring'], ['autumn']],
  ['daytime', ['daytime', 'morning'], ['night', 'evening']],
  ['life', ['birth', 'born', 'alive'], ['death', 'die', 'died', 'dead']],
  ['feeling', ['love'], ['hate']],
  [
    'merit',
    ['advantage', 'benefit', 'upside', 'strength'],
    ['disadvantage', 'drawback', 'downside', 'weakness'],
  ],
  ['money', ['profit'], ['loss']],
  ['pay', ['pay', 'paid'], ['refund']],
  ['deploy', ['deploy', 'upgrade', 'roll-out', 'rollout'], ['rollback', 'roll-back', 'downgrade', 'revert']],
  ['tense-future', ['will'], []],
];

/**
 * Adjectives with comparative and superlative forms, by dimension and side. `more X` and `less X`
 * are read as the comparative of X (less flips the side), so "less expensive" and "cheaper" agree.
 */
const GRADED: [dimension: string, plus: string[], minus: string[]][] = [
  // High and large, low and small are one dimension: "a higher score" is "a larger score".
  ['size', ['big', 'large', 'huge', 'high', 'tall', 'upper'], ['small', 'tiny', 'low']],
  ['length', ['long'], ['short']],
  ['width', ['wide', 'broad'], ['narrow']],
  ['weight', ['heavy'], ['light']],
  ['depth', ['deep'], ['shallow']],
  // Not "quick": "quick question" asks nothing about speed.
  ['speed', ['fast', 'rapid'], ['slow']],
  ['age', ['old'], ['new', 'young', 'recent']],
  ['time', ['late'], ['early']],
  ['price', ['expensive', 'costly', 'pricey'], ['cheap', 'inexpensive']],
  ['quality', ['good', 'great'], ['bad', 'poor']],
  ['strength', ['strong'], ['weak']],
  ['difficulty', ['hard', 'difficult', 'complex', 'complicated'], ['easy', 'simple']],
  ['temperature', ['hot', 'warm'], ['cold', 'cool']],
  ['distance', ['far', 'distant'], ['near', 'nearby']],
  ['safety', ['safe', 'secure'], ['dangerous', 'risky', 'unsafe']],
  ['accuracy', ['accurate', 'precise'], ['inaccurate']],
  ['popularity', ['popular'], ['rare', 'unpopular']],
  ['loudness', ['loud'], ['quiet']],
  ['wealth', ['rich'], []],
];

/** Irregular comparatives and superlatives, and quantity words, with their key. */
const IRREGULAR_GRADES: Record<string, string> = {
  better: 'quality+:cmp',
  best: 'quality+:sup',
  worse: 'quality-:cmp',
  worst: 'quality-:sup',
  farther: 'distance+:cmp',
  further: 'distance+:cmp',
  farthest: 'distance+:sup',
  furthest: 'distance+:sup',
  more: 'quantity+:cmp',
  most: 'quantity+:sup',
  greater: 'quantity+:cmp',
  greatest: 'quantity+:sup',
  less: 'quantity-:cmp',
  least: 'quantity-:sup',
  fewer: 'quantity-:cmp',
  fewest: 'quantity-:sup',
  lesser: 'quantity-:cmp',
  latest: 'age-:sup',
  newest: 'age-:sup',
  earliest: 'time-:sup',
  oldest: 'age+:sup',
};

const DOUBLED = new Set(['big', 'hot', 'fat', 'thin', 'wet', 'sad']);

function graded(base: string, suffix: 'er' | 'est'): string {
  if (DOUBLED.has(base)) return `${base}${base.at(-1)}${suffix}`;
  if (base.endsWith('e')) return `${base}${suffix.slice(1)}`;
  if (/[^aeiou]y$/.test(base)) return `${base.slice(0, -1)}i${suffix}`;
  return `${base}${suffix}`;
}

/** Opposed and graded words to their key (`win+`, `size-:cmp`). */
export const OPPOSITE_KEYS: ReadonlyMap<string, string> = (() => {
  const keys = new Map<string, string>();
  for (const [name, plus, minus] of OPPOSED) {
    for (const word of plus) keys.set(word, `${name}+`);
    for (const word of minus) keys.set(word, `${name}-`);
  }
  for (const [dimension, plus, minus] of GRADED) {
    for (const [side, words] of [
      ['+', plus],
      ['-', minus],
    ] as const) {
      for (const word of words) {
        keys.set(word, `${dimension}${side}:base`);
        // Multi-syllable adjectives take "more"/"most" instead of -er/-est.
        if (word.length <= 6 || /y$/.test(word)) {
          keys.set(graded(word, 'er'), `${dimension}${side}:cmp`);
          keys.set(graded(word, 'est'), `${dimension}${side}:sup`);
        }
      }
    }
  }
  for (const [word, key] of Object.entries(IRREGULAR_GRADES)) keys.set(word, key);
  return keys;
})();

/** Units whose change changes the question; the key names the unit. */
export const UNIT_KEYS: ReadonlyMap<string, string> = new Map([
  ...['ms', 'millisecond', 'milliseconds'].map((w) => [w, 'ms'] as const),
  ...['seconds', 'secs', 'sec'].map((w) => [w, 'second'] as const),
  ...['minute', 'minutes', 'mins'].map((w) => [w, 'minute'] as const),
  ...['hour', 'hours', 'hourly', 'hr', 'hrs'].map((w) => [w, 'hour'] as const),
  ...['day', 'days', 'daily'].map((w) => [w, 'day'] as const),
  ...['week', 'weeks', 'weekly'].map((w) => [w, 'week'] as const),
  ...['month', 'months', 'monthly'].map((w) => [w, 'month'] as const),
  ...['year', 'years', 'yearly', 'annual', 'annually'].map((w) => [w, 'year'] as const),
  ...['bit', 'bits'].map((w) => [w, 'bit'] as const),
  ...['byte', 'bytes'].map((w) => [w, 'byte'] as const),
  ...['dollar', 'dollars', 'usd', '$'].map((w) => [w, 'usd'] as const),
  ...['euro', 'euros', 'eur', '€'].map((w) => [w, 'eur'] as const),
  ...['pound', 'pounds', 'gbp', '£'].map((w) => [w, 'gbp'] as const),
  ...['percent', 'per cent', 'percentage', '%'].map((w) => [w, 'percent'] as const),
  ...['km', 'kilometre', 'kilometres', 'kilometer', 'kilometers'].map((w) => [w, 'km'] as const),
  ...['mile', 'miles'].map((w) => [w, 'mile'] as const),
]);

/** Cardinal number words and their value. */
export const CARDINALS: ReadonlyMap<string, number> = new Map([
  ['zero', 0],
  ['one', 1],
  ['two', 2],
  ['three', 3],
  ['four', 4],
  ['five', 5],
  ['six', 6],
  ['seven', 7],
  ['eight', 8],
  ['nine', 9],
  ['ten', 10],
  ['eleven', 11],
  ['twelve', 12],
  ['thirteen', 13],
  ['fourteen', 14],
  ['fifteen', 15],
  ['sixteen', 16],
  ['seventeen', 17],
  ['eighteen', 18],
  ['nineteen', 19],
  ['twenty', 20],
  ['thirty', 30],
  ['forty', 40],
  ['fifty', 50],
  ['sixty', 60],
  ['seventy', 70],
  ['eighty', 80],
  ['ninety', 90],
  ['dozen', 12],
  ['single', 1],
  ['double', 2],
  ['twice', 2],
  ['triple', 3],
  ['thrice', 3],
]);

/** Multipliers: "hundred", "thousand"... */
export const SCALES: ReadonlyMap<string, number> = new Map([
  ['hundred', 100],
  ['thousand', 1_000],
  ['million', 1_000_000],
  ['billion', 1_000_000_000],
  ['trillion', 1_000_000_000_000],
]);

/** Ordinal words and their value. */
export const ORDINALS: ReadonlyMap<string, number> = new Map([
  ['first', 1],
  ['second', 2],
  ['third', 3],
  ['fourth', 4],
  ['fifth', 5],
  ['sixth', 6],
  ['seventh', 7],
  ['eighth', 8],
  ['ninth', 9],
  ['tenth', 10],
  ['eleventh', 11],
  ['twelfth', 12],
  ['thirteenth', 13],
  ['fourteenth', 14],
  ['fifteenth', 15],
  ['sixteenth', 16],
  ['seventeenth', 17],
  ['eighteenth', 18],
  ['nineteenth', 19],
  ['twentieth', 20],
  ['thirtieth', 30],
  ['fortieth', 40],
  ['fiftieth', 50],
  ['hundredth', 100],
  ['thousandth', 1_000],
]);

/**
 * Words that start a question without naming anything: a capitalised one at the start of a
 * sentence is not taken for a proper noun.
 */
export const COMMON_WORDS = new Set(
  `a an the this that these those there here it its they them their theirs we our ours us you your yours
  i me my mine who whom whose what which when where why how whats hows
  is are was were be been being am do does did done have has had having can could should would will shall
  may might must need ought
  in on at of for to from by with about into onto over under above below after before since until during
  between among through across against within without per via like unlike as than then so because if
  whether while though although unless once and or but nor yet also too either neither both each every
  all any some many much more most few less least several other another such same only just even still
  really very quite rather almost roughly approximately around about typically usually generally normally
  often always sometimes ever now today currently already again actually basically
  tell explain describe list name give show find compare define summarise summarize suggest recommend
  please hey hi hello ok okay thanks say suppose assuming assume given imagine consider counting
  use using set get make run build choose pick keep let help try write check see look take put go
  up down out back away maybe quick question
  yes no not none nothing nobody is isn't`
    .split(/\s+/)
    .filter((word) => word !== ''),
);

/**
 * Lower-case words that never count as a proper noun even when capitalised inside a title
 * ("The Lord of the Rings", "Tour de France").
 */
export const TITLE_STOPWORDS = new Set(
  `a an the of and or in on at for to from by with de du des la le les el los las da di del della von van
  der den dem y e i vs`
    .split(/\s+/)
    .filter((word) => word !== ''),
);

/**
 * Words that carry no content of their own, ignored when looking for a single substituted word
 * ("Who is the director of X?" / "Who is the producer of X?").
 */
export const FUNCTION_WORDS = new Set(
  `a an the this that these those there here it its they them their theirs we our ours us you your yours
  i me my mine he she his her him hers who whom whose what which when where why how whats
  is are was were be been being am do does did done have has had having can could should would will shall
  may might must in on at of for to from by with about into onto over under between among through across
  via per as than then so because if whether while though although unless and or but nor yet also too
  either neither both each every all any some many much few several other another such same only just
  even still really very quite rather not no please tell know like want wonder question quick explain
  describe give show let s`
    .split(/\s+/)
    .filter((word) => word !== ''),
);
