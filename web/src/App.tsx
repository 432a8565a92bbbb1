import { useState } from 'react';
import { ChatPage } from './ChatPage.tsx';
import { DocumentsPage } from './DocumentsPage.tsx';
import { EvalPage } from './EvalPage.tsx';
import { KeyForm } from './KeyForm.tsx';

const PAGES = ['Chat', 'Documents', 'Evaluation'] as const;
type Page = (typeof PAGES)[number];

/** The shell: an API key (kept in this browser only), then the three pages. */
export function App() {
  const [key, setKey] = useState(() => localStorage.getItem('cairn.key') ?? '');
  const [page, setPage] = useState<Page>('Chat');
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
  return (
    <div className="shell">
      <header>
        <strong className="brand">cairn</strong>
        <nav aria-label="Pages">
          {PAGES.map((name) => (
            <button
              key={name}
              type="button"
              className={name === page ? 'tab active' : 'tab'}
              aria-current={name === page ? 'page' : undefined}
              onClick={() => setPage(name)}
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
        {page === 'Chat' && <ChatPage apiKey={key} />}
        {page === 'Documents' && <DocumentsPage apiKey={key} />}
        {page === 'Evaluation' && <EvalPage apiKey={key} />}
      </main>
    </div>
  );
}
