import fs from 'node:fs';
import { CairnError, type ChatMessage } from '../spec/index.ts';

/** A prompt template: a system part and a user part with `{{name}}` placeholders. */
export interface PromptTemplate {
  /** File name without extension, e.g. `grounded-answer.v1`; recorded with every answer. */
  version: string;
  system: string;
  user: string;
}

/**
 * Loads a versioned prompt from `src/generate/prompts/<version>.md`. A prompt file is never
 * edited in place once released: a change gets a new version so runs stay comparable.
 */
export function loadPrompt(version: string): PromptTemplate {
  if (!/^[a-z0-9-]+\.v\d+$/.test(version)) {
    throw new CairnError('invalid_option', `prompt version "${version}" must look like "grounded-answer.v1"`);
  }
  return readPromptFile(new URL(`./prompts/${version}.md`, import.meta.url), version);
}

/** Reads a prompt file made of a `--- system` section then a `--- user` section. */
export function readPromptFile(url: URL, version: string): PromptTemplate {
  if (!fs.existsSync(url))
    throw new CairnError('invalid_option', `no prompt file for version "${version}" (${url.pathname})`);
  const text = fs.readFileSync(url, 'utf8');
  const match = /^--- system\n([\s\S]*?)\n--- user\n([\s\S]*)$/.exec(text.replace(/\r\n/g, '\n'));
  if (!match)
    throw new CairnError('internal', `${url.pathname} must have a "--- system" then a "--- user" section`);
  return { version, system: (match[1] ?? '').trim(), user: (match[2] ?? '').trim() };
}

/** Fills `{{name}}` placeholders; an unknown placeholder is an error rather than literal braces. */
export function renderPrompt(template: PromptTemplate, values: Record<string, string>): ChatMessage[] {
  const fill = (part: string) =>
    part.replace(/\{\{(\w+)\}\}/g, (_, name: string) => {
      const value = values[name];
      if (value === undefined)
        throw new CairnError(
          'internal',
          `prompt ${template.version} uses {{${name}}} but no value was given`,
        );
      return value;
    });
  return [
    { role: 'system', content: fill(template.system) },
    { role: 'user', content: fill(template.user) },
  ];
}
