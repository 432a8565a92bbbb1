import { detectPii, type PiiSpan } from './detect-pii.ts';
import { PII_PLACEHOLDERS } from './redact-pii.ts';

/** Text a {@link createRedactingStream} takes delta by delta and hands on redacted. */
export interface RedactingStream {
  /** Takes the next delta and sends on whatever part of the text no later delta can change. */
  write(delta: string): void;
  /** The text is complete: sends the rest, redacted, and starts over for the next text. */
  end(): void;
  /** The text was cut off mid-way: drops the unsent rest (it may end inside a value) and starts over. */
  discard(): void;
}

/** Options of {@link createRedactingStream}. */
export interface RedactingStreamOptions {
  /**
   * Characters kept unsent at the end of the text, longer than any value written with spaces
   * (an IBAN in groups is 42, a card 37, a phone number about 20). @default 64
   */
  holdBack?: number;
}

// Text before the unsent part that detection still reads: labels ("call", "api_key =") and the
// line above a value sit within it.
const CONTEXT_CHARS = 256;
// A private-key block grows until its END line, which can be kilobytes after the BEGIN line.
const OPEN_KEY_BLOCK = /^-----BEGIN [A-Z0-9 ]*PRIVATE KEY/;

/**
 * Redacts text as it streams: each delta is held until it is at least `holdBack` characters
 * from the end, then sent up to a whitespace boundary that is not inside a detected value, with
 * detected values replaced by the same placeholders as `redactPii`. A value is never split
 * between two sends: one written without spaces (an e-mail, a key) is one word and words are
 * never split; one written with spaces fits in the hold-back, so it is complete before any of it
 * leaves. Joined, the sends equal `redactPii` of the whole text. Until a delta is sent it is
 * delayed by about `holdBack` characters, a dozen tokens.
 */
export function createRedactingStream(
  send: (text: string) => void,
  options: RedactingStreamOptions = {},
): RedactingStream {
  const holdBack = options.holdBack ?? 64;
  let text = '';
  let sent = 0;

  const spansAround = (): PiiSpan[] => {
    let from = Math.max(0, sent - CONTEXT_CHARS);
    while (from > 0 && !/\s/.test(text[from - 1] ?? '')) from--;
    return detectPii(text.slice(from)).map((span) => ({
      ...span,
      start: span.start + from,
      end: span.end + from,
    }));
  };
  const wordBoundaryAtOrBefore = (index: number) => {
    let cut = index;
    while (cut > sent && !/\s/.test(text[cut - 1] ?? '')) cut--;
    return cut;
  };
  const sendUpTo = (cut: number, spans: PiiSpan[]) => {
    let output = '';
    let cursor = sent;
    for (const span of spans) {
      if (span.end <= sent || span.start >= cut) continue;
      // A value that began in text already sent (detected only now) still loses what is left of it.
      output += text.slice(cursor, Math.max(span.start, sent)) + PII_PLACEHOLDERS[span.type];
      cursor = span.end;
    }
    output += text.slice(cursor, cut);
    sent = cut;
    if (output !== '') send(output);
  };
  const reset = () => {
    text = '';
    sent = 0;
  };

  return {
    write(delta) {
      text += delta;
      if (text.length - holdBack <= sent) return;
      const spans = spansAround();
      let cut = wordBoundaryAtOrBefore(text.length - holdBack);
      for (let moved = true; moved && cut > sent; ) {
        moved = false;
        for (const span of spans) {
          const open = OPEN_KEY_BLOCK.test(span.text) && !span.text.includes('-----END');
          if (span.start < cut && (span.end > cut || open)) {
            cut = wordBoundaryAtOrBefore(span.start);
            moved = true;
          }
        }
      }
      if (cut > sent) sendUpTo(cut, spans);
    },
    end() {
      if (text.length > sent) sendUpTo(text.length, spansAround());
      reset();
    },
    discard: reset,
  };
}
