// The security report for a time range, downloaded as JSON or CSV: fetched with the access
// token (the Authorization header, never a URL token) and saved from a Blob.

import { useState, type FormEvent } from 'react';
import { api, errorText } from '../../api/client.ts';
import { saveFile } from '../download.ts';
import { Button, ErrorLine, Field, Select } from '../form.tsx';

/** `datetime-local` value (UTC) for an epoch time. */
const local = (ms: number) => new Date(ms).toISOString().slice(0, 16);

function fileName(response: Response, fallback: string): string {
  const match = /filename="([^"]+)"/.exec(response.headers.get('content-disposition') ?? '');
  return match?.[1] ?? fallback;
}

export function ReportDownload() {
  const [from, setFrom] = useState(() => local(Date.now() - 86_400_000));
  const [to, setTo] = useState(() => local(Date.now() + 60_000));
  const [format, setFormat] = useState<'json' | 'csv'>('csv');
  const [error, setError] = useState<string>();
  const [saved, setSaved] = useState<string>();

  const download = async (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    setSaved(undefined);
    try {
      const query = new URLSearchParams({
        from: `${from}:00.000Z`,
        to: `${to}:00.000Z`,
        format,
      });
      const response = await api.send('GET', `/api/security/report?${query.toString()}`);
      const name = fileName(response, `security-report.${format}`);
      saveFile(name, await response.blob());
      setSaved(name);
    } catch (failure) {
      setError(errorText(failure));
    }
  };

  return (
    <form className="flex flex-col gap-2 p-3 text-sm" onSubmit={(event) => void download(event)}>
      <div className="flex flex-wrap items-end gap-2">
        <Field
          label="From (UTC)"
          type="datetime-local"
          value={from}
          onChange={(event) => setFrom(event.target.value)}
        />
        <Field
          label="To (UTC)"
          type="datetime-local"
          value={to}
          onChange={(event) => setTo(event.target.value)}
        />
        <Select
          label="Format"
          value={format}
          onChange={(event) => setFormat(event.target.value as 'json' | 'csv')}
        >
          <option value="csv">CSV</option>
          <option value="json">JSON</option>
        </Select>
        <Button type="submit">Download report</Button>
      </div>
      <ErrorLine message={error} />
      {saved !== undefined && (
        <p className="text-up" role="status" data-testid="report-saved">
          Saved {saved}
        </p>
      )}
    </form>
  );
}
