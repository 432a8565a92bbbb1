import { type ChangeEvent, useCallback, useEffect, useState } from 'react';
import { api, type IngestJob, type StoredDocument } from './api.ts';

const PAGE_SIZE = 25;

/** True when the document's title or source contains the search and it passes the filter. */
function matches(document: StoredDocument, search: string, filter: string): boolean {
  const needle = search.trim().toLowerCase();
  if (needle && !`${document.title}\n${document.source}`.toLowerCase().includes(needle)) return false;
  if (filter === 'quarantined') return document.quarantined;
  if (filter === 'searchable') return !document.quarantined;
  if (filter.startsWith('collection:'))
    return document.metadata?.collection === filter.slice('collection:'.length);
  return true;
}

/**
 * Upload files, follow each ingest job, and find (search by title or source, filter, page
 * through), release or delete the tenant's documents.
 */
export function DocumentsPage({ apiKey }: { apiKey: string }) {
  const [documents, setDocuments] = useState<StoredDocument[]>([]);
  const [jobs, setJobs] = useState<IngestJob[]>([]);
  const [error, setError] = useState('');
  const [search, setSearch] = useState('');
  const [filter, setFilter] = useState('all');
  const [page, setPage] = useState(0);
  const collections = [
    ...new Set(
      documents.flatMap((document) => (document.metadata?.collection ? [document.metadata.collection] : [])),
    ),
  ].sort();
  const matching = documents.filter((document) => matches(document, search, filter));
  const pages = Math.max(1, Math.ceil(matching.length / PAGE_SIZE));
  const current = Math.min(page, pages - 1);
  const shown = matching.slice(current * PAGE_SIZE, (current + 1) * PAGE_SIZE);

  const refresh = useCallback(async () => {
    try {
      setDocuments((await api<{ documents: StoredDocument[] }>(apiKey, '/v1/documents')).documents);
    } catch (caught) {
      setError((caught as Error).message);
    }
  }, [apiKey]);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  // Poll unfinished jobs until they end, then refresh the list.
  useEffect(() => {
    const pending = jobs.filter((job) => job.status === 'queued' || job.status === 'running');
    if (pending.length === 0) return;
    const timer = setTimeout(async () => {
      const updated = await Promise.all(
        jobs.map(async (job) =>
          job.status === 'queued' || job.status === 'running'
            ? (await api<{ job: IngestJob }>(apiKey, `/v1/ingest-jobs/${job.id}`)).job
            : job,
        ),
      );
      setJobs(updated);
      if (updated.some((job, index) => job.status !== jobs[index]?.status)) void refresh();
    }, 400);
    return () => clearTimeout(timer);
  }, [jobs, apiKey, refresh]);

  const upload = async (event: ChangeEvent<HTMLInputElement>) => {
    const files = [...(event.target.files ?? [])];
    if (files.length === 0) return;
    const form = new FormData();
    for (const file of files) form.append('file', file, file.name);
    setError('');
    try {
      const { job } = await api<{ job: IngestJob }>(apiKey, '/v1/documents', { method: 'POST', body: form });
      setJobs((all) => [job, ...all]);
    } catch (caught) {
      setError((caught as Error).message);
    }
    event.target.value = '';
  };

  const release = async (id: string) => {
    try {
      await api(apiKey, `/v1/documents/${encodeURIComponent(id)}/release`, { method: 'POST' });
      await refresh();
    } catch (caught) {
      setError((caught as Error).message);
    }
  };

  const remove = async (id: string) => {
    try {
      await api(apiKey, `/v1/documents/${encodeURIComponent(id)}`, { method: 'DELETE' });
      await refresh();
    } catch (caught) {
      setError((caught as Error).message);
    }
  };

  return (
    <div className="documents">
      <label className="upload">
        Upload documents (.md, .txt, .html, .pdf, .docx)
        <input type="file" multiple accept=".md,.markdown,.txt,.html,.htm,.pdf,.docx" onChange={upload} />
      </label>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {jobs.length > 0 && (
        <ul className="jobs" aria-label="Ingest jobs">
          {jobs.map((job) => (
            <li key={job.id} data-status={job.status}>
              <strong>{job.files.join(', ')}</strong>: {job.status}
              {job.status === 'running' && job.current
                ? ` (${job.processed} processed, now ${job.current})`
                : ''}
              {job.summary &&
                ` · ${job.summary.added} added, ${job.summary.updated} updated, ${job.summary.unchanged} unchanged, ${job.summary.failed.length} failed, ${job.summary.quarantined?.length ?? 0} quarantined`}
              {job.summary?.failed.map((failure) => (
                <div key={failure.path} className="error">
                  {failure.path}: {failure.reason}
                </div>
              ))}
              {job.error && <div className="error">{job.error}</div>}
            </li>
          ))}
        </ul>
      )}
      <div className="doc-controls">
        <label>
          Search
          <input
            type="search"
            placeholder="Title or source"
            value={search}
            onChange={(event) => {
              setSearch(event.target.value);
              setPage(0);
            }}
          />
        </label>
        <label>
          Show
          <select
            value={filter}
            onChange={(event) => {
              setFilter(event.target.value);
              setPage(0);
            }}
          >
            <option value="all">all documents</option>
            <option value="quarantined">quarantined</option>
            <option value="searchable">searchable</option>
            {collections.map((name) => (
              <option key={name} value={`collection:${name}`}>
                collection {name}
              </option>
            ))}
          </select>
        </label>
      </div>
      <table className="doc-table">
        <caption>
          {matching.length === documents.length
            ? `${documents.length} documents`
            : `${matching.length} of ${documents.length} documents`}
          {pages > 1 && ` · page ${current + 1} of ${pages}`}
        </caption>
        <thead>
          <tr>
            <th scope="col">Title</th>
            <th scope="col">Source</th>
            <th scope="col">Chunks</th>
            <th scope="col">Indexed</th>
            <th scope="col">Status</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {shown.length === 0 && documents.length > 0 && (
            <tr>
              <td colSpan={6} className="muted">
                No documents match.
              </td>
            </tr>
          )}
          {shown.map((document) => (
            <tr key={document.id}>
              <td className="doc-title">{document.title}</td>
              <td className="doc-source">{document.source}</td>
              <td className="doc-chunks">{document.chunkCount}</td>
              <td className="doc-indexed">{new Date(document.ingestedAt).toLocaleString()}</td>
              <td className="doc-status">
                {document.quarantined ? (
                  <span
                    className="quarantined"
                    title={document.injection?.excerpt ?? 'held back by an admin'}
                  >
                    Quarantined{document.injection ? ` (${document.injection.category})` : ''}{' '}
                    <button
                      type="button"
                      onClick={() => release(document.id)}
                      aria-label={`Release ${document.title}`}
                    >
                      Release
                    </button>
                  </span>
                ) : (
                  'searchable'
                )}
              </td>
              <td className="doc-actions">
                <button
                  type="button"
                  onClick={() => remove(document.id)}
                  aria-label={`Delete ${document.title}`}
                >
                  Delete
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {pages > 1 && (
        <nav className="pager" aria-label="Document pages">
          <button type="button" disabled={current === 0} onClick={() => setPage(current - 1)}>
            Previous
          </button>
          <span>
            Page {current + 1} of {pages}
          </span>
          <button type="button" disabled={current >= pages - 1} onClick={() => setPage(current + 1)}>
            Next
          </button>
        </nav>
      )}
    </div>
  );
}
