import { useEffect, useState } from 'react';
import { ApiError, api, type KeyIdentity } from './api.ts';
import { ChatPage } from './ChatPage.tsx';
import { DocumentsPage } from './DocumentsPage.tsx';
import { EvalPage } from './EvalPage.tsx';
import { FeedbackPage } from './FeedbackPage.tsx';
import { KeyForm } from './KeyForm.tsx';

const PAGES = ['Chat', 'Documents', 'Evaluation', 'Feedback'] as const;
type Page = (typeof PAGES)[number];
const ADMIN_PAGES: readonly Page[] = ['Feedback'];

/** The shell: an API key (kept in this browser only), then the pages its role may see. */
export function App() {
  const [key, setKey] = useState(() => localStorage.getItem('cairn.key') ?? '');
  const [identity, setIdentity] = useState<KeyIdentity | null>(null);
  const [error, setError] = useState('');
  const [page, setPage] = useState<Page>(() => {
    const stored = localStorage.getItem('cairn.page');
    return PAGES.find((name) => name === stored) ?? 'Chat';
  });
  useEffect(() => {
    setIdentity(null);
    if (!key) return;
    api<KeyIdentity>(key, '/v1/me')
      .then(setIdentity)
      .catch((caught: unknown) => {
        if (caught instanceof ApiError && caught.status === 401) {
          localStorage.removeItem('cairn.key');
          setKey('');
        } else setError((caught as Error).message);
      });
  }, [key]);
  const show = (name: Page) => {
    localStorage.setItem('cairn.page', name);
    setPage(name);
  };
  if (!key) {
    return (
      <KeyForm
        onKey={(value) => {
          localStorage.setItem('cairn.key', value);
          setKey(value);
        }}
      />
    );
  }
  if (!identity)
    return error ? (
      <p role="alert" className="error">
        {error}
      </p>
    ) : (
      <p className="muted">Loading…</p>
    );
  const admin = identity.role === 'admin' || identity.role === 'operator';
  const pages = PAGES.filter((name) => admin || !ADMIN_PAGES.includes(name));
  const current = pages.includes(page) ? page : 'Chat';
  return (
    <div className="shell">
      <header>
        <strong className="brand">cairn</strong>
        <nav aria-label="Pages">
          {pages.map((name) => (
            <button
              key={name}
              type="button"
              className={name === current ? 'tab active' : 'tab'}
              aria-current={name === current ? 'page' : undefined}
              onClick={() => show(name)}
            >
              {name}
            </button>
          ))}
        </nav>
        <button
          type="button"
          className="link"
          onClick={() => {
            localStorage.removeItem('cairn.key');
            setKey('');
          }}
        >
          Change key
        </button>
      </header>
      <main>
        {/* Chat stays mounted behind the other pages, so an answer keeps streaming meanwhile. */}
        <div hidden={current !== 'Chat'}>
          <ChatPage key={identity.tenant} apiKey={key} tenant={identity.tenant} />
        </div>
        {current === 'Documents' && <DocumentsPage apiKey={key} />}
        {current === 'Evaluation' && <EvalPage apiKey={key} />}
        {current === 'Feedback' && <FeedbackPage apiKey={key} />}
      </main>
    </div>
  );
}
