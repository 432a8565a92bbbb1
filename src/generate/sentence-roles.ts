/** What a question asks for, as far as it changes which sentence should lead an answer. */
export interface QuestionIntent {
  /** A value: "what is the default", "how many", "which version", "how long", "when". */
  value: boolean;
  /** Steps or code: "how do I", "how to", "what command", "example". */
  howTo: boolean;
  /** The aim, design or background itself ("what was the study's aim"), so those are not penalised. */
  aim: boolean;
}

/** What role a sentence plays in its text. */
export type SentenceRole = 'aim' | 'background' | 'method' | 'finding' | 'other';

const VALUE_QUESTION =
  /\b(?:default|how (?:many|much|long|often|large|big|old|far|fast|high|low)|(?:which|what) (?:version|release|year|date|port|size|limit|timeout|value|number|percentage|level|type)|since when|when (?:was|were|did|does|is|will)|what (?:is|are) the (?:[\w-]+ )?(?:value|limit|size|port|timeout|number|maximum|minimum|max|min|version|threshold|rate|duration|period|interval))\b/i;
const HOW_TO_QUESTION =
  /\b(?:how (?:do|can|could|should|would|does) (?:i|we|you|one)|how to|what (?:is the )?command|which command|show (?:me )?(?:an? )?example|example of|syntax for)\b/i;
const AIM_QUESTION =
  /\b(?:aim|aims|purpose|objective|goal|hypothes[ie]s|rationale|design|method|methods|why was)\b/i;

// A literal an answer can carry: a number or version anywhere, or a code span holding a literal
// (`*`, `'v8'`, `true`, `[]`, `10_000`), not a name such as `afterEach`.
const NUMBER = /(?<![\p{L}_])\d/u;
const CODE_SPAN = /`([^`\n]+)`/g;
const LITERAL = /^(?:(['"]).*\1|[-+]?\.?\d[\w.,_-]*|true|false|null|undefined|none|\*+|\[.*\]|\{.*\}|\/.*)$/i;
const INLINE_CODE = /`[^`\n]+`/;

// Structured-abstract labels at the start of a sentence ("OBJECTIVE:", "Results.").
const LABEL =
  /^\s*(background|introduction|context|objectives?|aims?|purpose|goals?|methods?|design|setting|participants|patients|interventions?|measurements?|main outcome measures?|results?|findings|conclusions?|interpretation|significance)\s*[:.]\s/i;
const LABEL_ROLES: Record<string, SentenceRole> = {
  background: 'background',
  introduction: 'background',
  context: 'background',
  objective: 'aim',
  objectives: 'aim',
  aim: 'aim',
  aims: 'aim',
  purpose: 'aim',
  goal: 'aim',
  goals: 'aim',
  method: 'method',
  methods: 'method',
  design: 'method',
  setting: 'method',
  participants: 'method',
  patients: 'method',
  intervention: 'method',
  interventions: 'method',
  measurement: 'method',
  measurements: 'method',
  result: 'finding',
  results: 'finding',
  findings: 'finding',
  conclusion: 'finding',
  conclusions: 'finding',
  interpretation: 'finding',
  significance: 'finding',
};

const AIM =
  /\b(?:we (?:aimed|aim|sought|set out|hypothesi[sz]ed|hypothesi[sz]e|investigated|investigate|examined|examine|evaluated|evaluate|assessed|assess|studied|explored|explore|tested|test|asked|compared|analy[sz]ed|analy[sz]e|describe|present|propose|here)|(?:the )?(?:aims?|purpose|objectives?|goals?) (?:of|was|were|is|are)|(?:this|the present|our|the current) (?:study|paper|review|trial|article|work|analysis|report) (?:aim|aimed|aims|was designed|investigat|examin|evaluat|assess|explor|describ|report|test|sought|address|focus)|to (?:determine|investigate|examine|evaluate|assess|explore|test|clarify|elucidate|characteri[sz]e|identify) (?:whether|if|how|the)|in order to (?:determine|investigate|examine|evaluate|assess))/i;
const BACKGROUND =
  /\b(?:(?:is|are|remains?|was|were) (?:still )?(?:unknown|unclear|not (?:well |fully |yet )?(?:known|understood|established|clear)|poorly understood|controversial|elusive|debated|uncertain)|little is known|remains? to be (?:determined|established|elucidated)|(?:has|have) not been (?:studied|investigated|examined|established|determined)|it is (?:not )?(?:known|thought|believed|hypothesi[sz]ed) (?:that|whether)|however, (?:the|it|whether|little)|is (?:a|an|the) (?:major|common|leading|important|serious|growing) )/i;
const METHOD =
  /\b(?:we (?:enrolled|recruited|randomi[sz]ed|randomly assigned|included|collected|performed|conducted|used|measured|obtained|followed|surveyed|screened|searched|genotyped|sequenced)|(?:were|was) (?:randomly assigned|randomi[sz]ed|enrolled|recruited|included|followed up|measured|collected|obtained|performed|conducted|analy[sz]ed|assessed|evaluated|recorded|genotyped)|a total of \d|data (?:were|was) (?:collected|obtained|analy[sz]ed)|(?:cohort|cross-sectional|case-control|prospective|retrospective|randomi[sz]ed) (?:study|trial|analysis) (?:of|in|was|with))/i;
const FINDING =
  /\b(?:results? (?:showed|show|indicated?|suggest(?:ed)?|revealed?|demonstrated?|confirmed?)|we (?:found|find|show|showed|observed|observe|demonstrate|demonstrated|identified|identify|report that|conclude)|(?:was|were|is|are) (?:significantly |strongly |positively |negatively |inversely |independently )?(?:associated|correlated|linked|related)|associated with|significantly|(?:reduced|increased|decreased|improved|lowered|raised|elevated|attenuated|enhanced|abolished|prevented|inhibited|promoted|induced|impaired|restored|accelerated|delayed|suppressed|blocked|rescued) |(?:higher|lower|greater|fewer|more|less) (?:than|risk|rates?|levels?|incidence|mortality)|odds ratio|hazard ratio|relative risk|confidence interval|\b(?:OR|HR|RR|CI)\b|p\s*[<=]\s*0?\.\d|in conclusion|conclusions?:|these (?:findings|results|data|observations) (?:suggest|indicate|show|demonstrate|support|reveal|provide)|our (?:findings|results|data) (?:suggest|indicate|show|demonstrate|support)|(?:led|leads) to|resulted in|results in|is (?:required|necessary|sufficient|essential|critical) for|are (?:required|necessary|sufficient|essential|critical) for|did not (?:differ|change|affect|reduce|increase|improve|alter)|no (?:significant )?(?:difference|association|effect|change)s?)/i;

/** Reads what a question asks for from its wording. */
export function questionIntent(question: string): QuestionIntent {
  return {
    value: VALUE_QUESTION.test(question),
    howTo: HOW_TO_QUESTION.test(question),
    aim: AIM_QUESTION.test(question),
  };
}

/** True when a sentence carries a literal value: a number, a version, or a literal in a code span. */
export function hasValue(sentence: string): boolean {
  const outsideCode = sentence.replace(CODE_SPAN, ' ');
  if (NUMBER.test(outsideCode)) return true;
  return [...sentence.matchAll(CODE_SPAN)].some((match) => LITERAL.test((match[1] ?? '').trim()));
}

/** True when a sentence shows inline code (a command, an option, a call). */
export function hasInlineCode(sentence: string): boolean {
  return INLINE_CODE.test(sentence);
}

/**
 * The role of a sentence in an abstract or report, from a structured-abstract label or cue
 * phrases: an aim ("we investigated whether"), background ("is unknown"), method ("were
 * randomised"), finding ("was associated with", "reduced", "in conclusion") or other. An aim or
 * background cue wins over a finding cue, since "we examined whether X reduced Y" states an aim.
 */
export function sentenceRole(sentence: string): SentenceRole {
  const label = LABEL.exec(sentence)?.[1]?.toLowerCase();
  if (label !== undefined) {
    const role = LABEL_ROLES[label];
    if (role !== undefined) return role;
  }
  if (AIM.test(sentence)) return 'aim';
  if (BACKGROUND.test(sentence)) return 'background';
  if (FINDING.test(sentence)) return 'finding';
  if (METHOD.test(sentence)) return 'method';
  return 'other';
}
