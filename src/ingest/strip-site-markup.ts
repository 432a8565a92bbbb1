// Fences are recognised at any indentation here, so code inside list items is left alone too.
const FENCE = /^\s*(`{3,}|~{3,})/;
// VitePress / Docusaurus containers: `::: tip Title`, `:::details`, closing `:::`.
const CONTAINER = /^ {0,3}:{3,}[ \t]*([\w-]*)[ \t]*(.*?)[ \t]*$/;
// Container kinds whose title is not content (`::: code-group` only groups code blocks).
const UNTITLED_CONTAINERS = new Set(['code-group']);
const COMMENT = /<!--[\s\S]*?(?:-->|$)/g;
const SCRIPT_BLOCK = /^[ \t]*<(script|style)\b[^>]*>[\s\S]*?(?:<\/\1>[ \t]*$|(?![\s\S]))/gm;
// VitePress table-of-contents markers and code-snippet imports (`<<< @/snippets/x.ts`).
const DIRECTIVE_LINE = /^[ \t]*(?:\[\[toc\]\]|<<<[ \t]+\S.*)[ \t]*$/i;
// `{#custom-id}` (and `{#id .class}`) at the end of a heading, a container title or a line.
const HEADING_ANCHOR = /[ \t]*\{#[^}\s]*[^}]*\}[ \t]*$/;
// Opening tags start after a space or punctuation, so `Promise<Result>` and `Map<K, V>` stay.
const COMPONENT_WITH_TEXT = /(?<![\w$])<[A-Z][\w.-]*\b[^<>]*?\btext=(["'])(.*?)\1[^<>]*\/>/g;
const COMPONENT_TAG = /(?<![\w$])<[A-Z][\w.-]*(?:\s[^<>]*)?\/?>|<\/[A-Z][\w.-]*\s*>/g;
const HTML_TAG =
  /(?:(?<![\w$])<|<\/)(?:a|abbr|b|br|center|del|div|em|font|i|img|ins|kbd|mark|p|picture|small|source|span|strong|sub|sup|u|video|wbr)(?:\s[^<>]*)?\/?>/gi;
const CODE_SPAN = /(`+)[\s\S]*?\1/g;

/**
 * Removes documentation-site template markup from Markdown, outside fenced code: container fences
 * (`::: tip Title` … `:::`, keeping the text inside and a custom title as a `Title:` line), Vue/MDX
 * components (`<Badge type="info">3.1.0+</Badge>` keeps `3.1.0+`; `<Badge text="beta" />` keeps
 * `beta`; `<CRoot />` goes), inline HTML tags (their text stays), `<script>`/`<style>` blocks,
 * `<!-- comments -->`, `{#anchor}` heading ids and `[[toc]]`. Text inside backticks is untouched.
 */
export function stripSiteMarkup(markdown: string): string {
  const out: string[] = [];
  let prose: string[] = [];
  const flush = () => {
    if (prose.length > 0) out.push(...stripProse(prose.join('\n')).split('\n'));
    prose = [];
  };
  const lines = markdown.split('\n');
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index] ?? '';
    const fence = FENCE.exec(line)?.[1];
    if (fence === undefined) {
      prose.push(line);
      continue;
    }
    flush();
    out.push(line);
    for (index++; index < lines.length; index++) {
      const inner = lines[index] ?? '';
      out.push(inner);
      const closing = FENCE.exec(inner)?.[1];
      if (
        closing !== undefined &&
        closing[0] === fence[0] &&
        closing.length >= fence.length &&
        inner.trim() === closing
      )
        break;
    }
  }
  flush();
  return out.join('\n');
}

/** Markup removal for text known to hold no fenced code. */
function stripProse(text: string): string {
  const lines = text.replace(SCRIPT_BLOCK, '').replace(COMMENT, '').split('\n');
  const out: string[] = [];
  for (const line of lines) {
    const container = CONTAINER.exec(line);
    if (container) {
      const title = stripInline(container[2] ?? '').replace(HEADING_ANCHOR, '');
      if (title !== '' && !UNTITLED_CONTAINERS.has(container[1] ?? ''))
        out.push('', title.endsWith(':') ? title : `${title}:`, '');
      else out.push('');
      continue;
    }
    if (DIRECTIVE_LINE.test(line)) {
      out.push('');
      continue;
    }
    const stripped = stripInline(line).replace(HEADING_ANCHOR, '');
    // A line that held only markup becomes blank, so it ends a paragraph as the markup did.
    out.push(stripped.trim() === '' && line.trim() !== '' ? '' : stripped);
  }
  return out.join('\n');
}

/** Component and HTML tags out of one line, code spans kept as written. */
function stripInline(line: string): string {
  if (!line.includes('<')) return line;
  let result = '';
  let last = 0;
  for (const match of line.matchAll(CODE_SPAN)) {
    result += stripTags(line.slice(last, match.index)) + match[0];
    last = match.index + match[0].length;
  }
  result += stripTags(line.slice(last));
  return result;
}

function stripTags(text: string): string {
  if (!text.includes('<')) return text;
  const stripped = text
    .replace(COMPONENT_WITH_TEXT, (_whole, _quote, label: string) => label)
    .replace(COMPONENT_TAG, '')
    .replace(HTML_TAG, '');
  if (stripped === text) return text;
  // Removed tags leave doubled or trailing spaces behind; leading indentation is structure.
  const indent = /^[ \t]*/.exec(stripped)?.[0] ?? '';
  return (
    indent +
    stripped
      .slice(indent.length)
      .replace(/[ \t]{2,}/g, ' ')
      .replace(/[ \t]+$/, '')
  );
}
