import type { AskDone, Citation } from './api.ts';

/** One question and its answer as the chat shows and keeps it. */
export interface Turn {
  id: string;
  question: string;
  answer: string;
  citations: Citation[];
  done: AskDone | null;
  error: string;
  /** The reader's thumbs on this answer, once sent. */
  rating?: 'up' | 'down';
}

/** A conversation kept in this browser. */
export interface Conversation {
  id: string;
  title: string;
  updatedAt: string;
  turns: Turn[];
}

// Enough history to be useful without filling the browser's storage quota.
const KEPT = 50;
const storageKey = (tenant: string) => `cairn.conversations.${tenant}`;

/**
 * The tenant's conversations from this browser's localStorage, newest first. A turn that was
 * still streaming when the page went away is marked as interrupted.
 */
export function loadConversations(tenant: string): Conversation[] {
  try {
    const stored = JSON.parse(localStorage.getItem(storageKey(tenant)) ?? '[]') as Conversation[];
    if (!Array.isArray(stored)) return [];
    return stored.map((conversation) => ({
      ...conversation,
      turns: conversation.turns.map((turn) =>
        turn.done || turn.error ? turn : { ...turn, error: 'Interrupted before the answer finished.' },
      ),
    }));
  } catch {
    return [];
  }
}

/** Keeps the tenant's newest conversations in localStorage (they never leave the browser). */
export function saveConversations(tenant: string, conversations: Conversation[]): void {
  const kept = conversations.filter((conversation) => conversation.turns.length > 0).slice(0, KEPT);
  try {
    localStorage.setItem(storageKey(tenant), JSON.stringify(kept));
  } catch {
    // Storage full or disabled: the conversation still works, it is just not kept.
  }
}

/** A new, empty conversation. */
export function newConversation(): Conversation {
  return {
    id: crypto.randomUUID(),
    title: 'New conversation',
    updatedAt: new Date().toISOString(),
    turns: [],
  };
}
