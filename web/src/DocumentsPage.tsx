import { type ChangeEvent, useCallback, useEffect, useState } from 'react';
import { api, type IngestJob, type StoredDocument } from './api.ts';

/** Upload files, follow each ingest job, and list or delete the tenant's documents. */
export function DocumentsPage({ apiKey }: { apiKey: string }) {
  const [documents, setDocuments] = useState<StoredDocument[]>([]);
  const [jobs, setJobs] = useState<IngestJob[]>([]);
  const [error, setError] = useState('');

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
      <table className="doc-table">
        <caption>{documents.length} documents</caption>
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
          {documents.map((document) => (
            <tr key={document.id}>
              <td>{document.title}</td>
              <td>{document.source}</td>
              <td>{document.chunkCount}</td>
              <td>{new Date(document.ingestedAt).toLocaleString()}</td>
              <td>
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
              <td>
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
    </div>
  );
}
