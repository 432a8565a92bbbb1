import { type FormEvent, useEffect, useRef, useState } from 'react';
import { streamAsk } from './api.ts';
import { ConversationList } from './ConversationList.tsx';
import {
  type Conversation,
  loadConversations,
  newConversation,
  saveConversations,
  type Turn,
} from './conversations.ts';
import { TurnView } from './TurnView.tsx';

/**
 * Chat with streamed answers, kept per tenant in this browser: the conversation survives tab
 * switches and reloads, and past ones can be reopened from the list.
 */
export function ChatPage({ apiKey, tenant }: { apiKey: string; tenant: string }) {
  const [conversations, setConversations] = useState<Conversation[]>(() => {
    const stored = loadConversations(tenant);
    return stored.length > 0 ? stored : [newConversation()];
  });
  const [activeId, setActiveId] = useState(
    () => localStorage.getItem(`cairn.activeConversation.${tenant}`) ?? conversations[0]?.id ?? '',
  );
  const [question, setQuestion] = useState('');
  const [busy, setBusy] = useState(false);
  const abort = useRef<AbortController | null>(null);
  const active = conversations.find((conversation) => conversation.id === activeId) ?? conversations[0];

  useEffect(() => saveConversations(tenant, conversations), [tenant, conversations]);
  useEffect(() => {
    if (active) localStorage.setItem(`cairn.activeConversation.${tenant}`, active.id);
  }, [tenant, active]);

  const updateTurn = (conversationId: string, turnId: string, change: (turn: Turn) => Turn) =>
    setConversations((all) =>
      all.map((conversation) =>
        conversation.id === conversationId
          ? {
              ...conversation,
              turns: conversation.turns.map((turn) => (turn.id === turnId ? change(turn) : turn)),
            }
          : conversation,
      ),
    );

  // `fresh`: "Ask again" wants a new answer, not the cached one.
  const ask = async (text: string, fresh = false) => {
    if (!text || busy || !active) return;
    const conversationId = active.id;
    const turnId = crypto.randomUUID();
    const turn: Turn = { id: turnId, question: text, answer: '', citations: [], done: null, error: '' };
    // The conversation being asked in moves to the top of the list.
    setConversations((all) => {
      const current = all.find((conversation) => conversation.id === conversationId) ?? active;
      const updated = {
        ...current,
        title: current.turns.length === 0 ? text.slice(0, 80) : current.title,
        updatedAt: new Date().toISOString(),
        turns: [...current.turns, turn],
      };
      return [updated, ...all.filter((conversation) => conversation.id !== conversationId)];
    });
    setBusy(true);
    const controller = new AbortController();
    abort.current = controller;
    const update = (change: (turn: Turn) => Turn) => updateTurn(conversationId, turnId, change);
    try {
      await streamAsk(
        apiKey,
        text,
        {
          token: (delta) => update((current) => ({ ...current, answer: current.answer + delta })),
          reset: () => update((current) => ({ ...current, answer: '', citations: [] })),
          citation: (citation) =>
            update((current) => ({ ...current, citations: [...current.citations, citation] })),
          // The final answer replaces the streamed text: the guard may have dropped invalid citations.
          done: (done) => update((current) => ({ ...current, answer: done.answer, done })),
        },
        controller.signal,
        { noCache: fresh },
      );
    } catch (caught) {
      update((current) => ({
        ...current,
        error: controller.signal.aborted ? 'Stopped.' : (caught as Error).message,
      }));
    } finally {
      setBusy(false);
    }
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const text = question.trim();
    if (!text || busy) return;
    setQuestion('');
    void ask(text);
  };

  const startNew = () => {
    const empty = conversations.find((conversation) => conversation.turns.length === 0);
    const next = empty ?? newConversation();
    if (!empty) setConversations((all) => [next, ...all]);
    setActiveId(next.id);
  };

  return (
    <div className="chat-layout">
      <ConversationList
        conversations={conversations}
        activeId={active?.id ?? ''}
        disabled={busy}
        onOpen={setActiveId}
        onNew={startNew}
      />
      <div className="chat">
        <section className="turns" aria-label="Conversation">
          {(active?.turns.length ?? 0) === 0 && (
            <p className="muted">Ask a question about the indexed documents.</p>
          )}
          {active?.turns.map((turn) => (
            <TurnView
              key={turn.id}
              apiKey={apiKey}
              turn={turn}
              busy={busy}
              onRetry={() => void ask(turn.question, true)}
              onRated={(rating) => updateTurn(active.id, turn.id, (current) => ({ ...current, rating }))}
            />
          ))}
        </section>
        <form className="ask" onSubmit={submit}>
          <label htmlFor="question" className="visually-hidden">
            Question
          </label>
          <input
            id="question"
            placeholder="Ask about your documents…"
            value={question}
            onChange={(event) => setQuestion(event.target.value)}
            disabled={busy}
          />
          {busy ? (
            <button type="button" onClick={() => abort.current?.abort()}>
              Stop
            </button>
          ) : (
            <button type="submit" disabled={!question.trim()}>
              Ask
            </button>
          )}
        </form>
      </div>
    </div>
  );
}
