import type { Conversation } from './conversations.ts';

/** Past conversations of this tenant in this browser, newest first; one opens on click. */
export function ConversationList({
  conversations,
  activeId,
  disabled,
  onOpen,
  onNew,
}: {
  conversations: Conversation[];
  activeId: string;
  disabled: boolean;
  onOpen(id: string): void;
  onNew(): void;
}) {
  const past = conversations.filter((conversation) => conversation.turns.length > 0);
  return (
    <nav className="conversations" aria-label="Conversations">
      <button type="button" onClick={onNew} disabled={disabled}>
        New conversation
      </button>
      {past.length > 0 && (
        <ul>
          {past.map((conversation) => (
            <li key={conversation.id}>
              <button
                type="button"
                className={conversation.id === activeId ? 'conversation active' : 'conversation'}
                aria-current={conversation.id === activeId ? 'true' : undefined}
                disabled={disabled}
                onClick={() => onOpen(conversation.id)}
              >
                <span className="conversation-title">{conversation.title}</span>
                <span className="muted">
                  {new Date(conversation.updatedAt).toLocaleDateString()} · {conversation.turns.length}{' '}
                  {conversation.turns.length === 1 ? 'question' : 'questions'}
                </span>
              </button>
            </li>
          ))}
        </ul>
      )}
      <p className="muted small">Kept in this browser only.</p>
    </nav>
  );
}
