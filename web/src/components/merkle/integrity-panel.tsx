// The administrators' integrity check (GET /api/crypto/merkle/integrity): the server recomputes
// the log from the database and names the first row or leaf that no longer matches.

import { useState } from 'react';
import { api } from '../../api/client.ts';
import type { Integrity } from '../../api/audit-types.ts';
import { Button, ErrorLine, useAction } from '../form.tsx';

export function IntegrityPanel() {
  const [report, setReport] = useState<Integrity>();
  const { busy, error, run } = useAction();
  const check = () =>
    run(async () => setReport(await api.get<Integrity>('/api/crypto/merkle/integrity')));
  return (
    <div className="flex flex-col gap-2 text-sm">
      <div>
        <Button onClick={() => void check()} disabled={busy}>
          {busy ? 'Checking…' : 'Run integrity check'}
        </Button>
      </div>
      <ErrorLine message={error} />
      {report !== undefined && (
        <div data-testid="integrity-result" data-ok={String(report.ok)}>
          {report.ok ? (
            <p className="text-up">
              ✓ intact: {report.tree_size} leaves recomputed, {report.heads_checked} signed heads
              checked in {report.duration_ms} ms
            </p>
          ) : (
            <dl className="grid grid-cols-[6rem_1fr] gap-x-2 gap-y-1 text-down">
              <dt className="font-semibold">✗ failed</dt>
              <dd>{report.failure?.reason}</dd>
              <dt>Leaf</dt>
              <dd className="num">{report.failure?.index ?? '—'}</dd>
              <dt>Kind</dt>
              <dd>{report.failure?.kind ?? '—'}</dd>
              <dt>Record</dt>
              <dd className="break-all">{report.failure?.record ?? '—'}</dd>
            </dl>
          )}
        </div>
      )}
    </div>
  );
}
