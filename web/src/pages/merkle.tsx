// The Merkle audit log explorer: the latest signed tree head checked in the browser, the log's
// tree (or a tree of typed data) with inclusion proofs checked twice, consistency between heads
// and, for administrators, the integrity check.

import { useCallback, useEffect, useState } from 'react';
import { api, errorText } from '../api/client.ts';
import type { TreeHead } from '../api/audit-types.ts';
import { Button, ErrorLine, Panel, Tab } from '../components/form.tsx';
import { AuditExplorer } from '../components/merkle/audit-explorer.tsx';
import { ConsistencyPanel } from '../components/merkle/consistency-panel.tsx';
import { DataExplorer } from '../components/merkle/data-explorer.tsx';
import { IntegrityPanel } from '../components/merkle/integrity-panel.tsx';
import { TreeHeadPanel } from '../components/merkle/tree-head-panel.tsx';
import { useProfile } from '../session/session.tsx';

type Source = 'audit' | 'data';

export function MerklePage() {
  const profile = useProfile();
  const [source, setSource] = useState<Source>('audit');
  const [head, setHead] = useState<TreeHead>();
  const [error, setError] = useState<string>();

  const loadHead = useCallback(() => {
    setError(undefined);
    api
      .get<TreeHead>('/api/audit/tree-head')
      .then(setHead, (failure: unknown) => setError(errorText(failure)));
  }, []);
  useEffect(loadHead, [loadHead]);

  const tab = (value: Source, title: string) => (
    <Tab selected={source === value} onSelect={() => setSource(value)} className="px-3 py-1">
      {title}
    </Tab>
  );

  return (
    <main className="flex flex-col gap-4 p-4">
      <h1 className="text-lg font-semibold">Merkle audit log</h1>
      <ErrorLine message={error} />
      <div className="grid gap-4 xl:grid-cols-[minmax(0,1fr)_26rem]">
        <Panel
          className="min-w-0"
          title={
            <span role="tablist" aria-label="Tree" className="flex gap-1 normal-case">
              {tab('audit', 'Audit log')}
              {tab('data', 'Your data')}
            </span>
          }
          actions={
            source === 'audit' && (
              <Button onClick={loadHead} className="py-0.5 text-xs">
                Latest head
              </Button>
            )
          }
        >
          <div className="p-3" role="tabpanel">
            {source === 'data' ? (
              <DataExplorer />
            ) : head === undefined ? (
              <p className="text-dim">Loading the signed tree head…</p>
            ) : (
              <AuditExplorer key={`${head.tree_size}:${head.root_hash}`} head={head} />
            )}
          </div>
        </Panel>
        <div className="flex min-w-0 flex-col gap-4">
          <Panel title="Signed tree head">
            <div className="p-3">{head && <TreeHeadPanel head={head} />}</div>
          </Panel>
          <Panel title="Consistency between heads">
            <div className="p-3">{head && <ConsistencyPanel latest={head} />}</div>
          </Panel>
          {profile.role === 'admin' && (
            <Panel title="Integrity check">
              <div className="p-3">
                <IntegrityPanel />
              </div>
            </Panel>
          )}
        </div>
      </div>
    </main>
  );
}
