import { type FormEvent, useState } from 'react';
import { ApiError, api } from './api.ts';

/** Asks for an API key and checks it against the server before keeping it. */
export function KeyForm({ onKey }: { onKey(key: string): void }) {
  const [value, setValue] = useState('');
  const [error, setError] = useState('');
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    try {
      await api(value.trim(), '/v1/documents');
      onKey(value.trim());
    } catch (caught) {
      setError(caught instanceof ApiError ? caught.message : String(caught));
    }
  };
  return (
    <form className="key-form" onSubmit={submit}>
      <h1>cairn</h1>
      <p>
        Grounded answers from your documents. Paste the API key that <code>cairn serve</code> printed.
      </p>
      <label htmlFor="api-key">API key</label>
      <input
        id="api-key"
        type="password"
        autoComplete="off"
        value={value}
        onChange={(event) => setValue(event.target.value)}
      />
      <button type="submit" disabled={!value.trim()}>
        Continue
      </button>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
    </form>
  );
}
