// The audit log's tree at a signed tree head, one window of leaves at a time (the log may hold
// millions; only the window, its path to the root and that path's siblings are fetched). A
// clicked leaf shows its kind, payload (as plain text; a user sees only their side of it) and
// inclusion proof, checked twice.

import { useEffect, useMemo, useState } from 'react';
import { api, errorText } from '../../api/client.ts';
import type { AuditLeaf, TreeHead } from '../../api/audit-types.ts';
import { loadAuditWindow, type LoadedWindow } from '../../merkle/audit-window.ts';
import { heightOf, inclusionNodes, windowOf, windowTree } from '../../merkle/tree-shape.ts';
import { leafHash, toHex } from '../../merkle/verify.ts';
import { ErrorLine } from '../form.tsx';
import { Mark } from './mark.tsx';
import { ProofPanel } from './proof-panel.tsx';
import { TreeView } from './tree-view.tsx';
import { WINDOW_LEAVES, WindowPager } from './window-pager.tsx';

function LeafDetails({ leaf }: { leaf: AuditLeaf }) {
  const [hashed, setHashed] = useState<boolean>();
  useEffect(() => {
    if (leaf.payload === null || leaf.redacted) return;
    void leafHash(new TextEncoder().encode(leaf.payload)).then((h) =>
      setHashed(toHex(h) === leaf.leaf_hash),
    );
  }, [leaf]);
  return (
    <dl className="grid grid-cols-[8rem_1fr] gap-x-2 gap-y-1 text-sm">
      <dt className="text-dim">Kind</dt>
      <dd data-testid="leaf-kind">{leaf.kind}</dd>
      <dt className="text-dim">Appended</dt>
      <dd className="num">{new Date(leaf.created_at).toISOString()}</dd>
      <dt className="text-dim">Payload</dt>
      <dd>
        {leaf.payload === null ? (
          <span className="text-dim">hidden: this leaf does not concern you</span>
        ) : (
          <>
            <pre
              className="num max-h-40 overflow-auto whitespace-pre-wrap break-all rounded bg-page p-2 text-xs"
              data-testid="leaf-payload"
            >
              {leaf.payload}
            </pre>
            {leaf.redacted ? (
              <span className="text-dim" data-testid="leaf-redacted">
                only your side is shown, so this does not hash to the leaf hash; the proof checks
                the leaf hash
              </span>
            ) : (
              hashed !== undefined && (
                <Mark
                  ok={hashed}
                  yes="the payload hashes to the leaf hash"
                  no="the payload does not hash to the leaf hash"
                />
              )
            )}
          </>
        )}
      </dd>
    </dl>
  );
}

export function AuditExplorer({ head }: { head: TreeHead }) {
  const size = head.tree_size;
  const [start, setStart] = useState(() => windowOf(size - 1, WINDOW_LEAVES).start);
  const [loaded, setLoaded] = useState<LoadedWindow>();
  const [selected, setSelected] = useState<number>();
  const [leaf, setLeaf] = useState<AuditLeaf>();
  const [error, setError] = useState<string>();
  const view = useMemo(() => ({ start, span: WINDOW_LEAVES }), [start]);

  useEffect(() => {
    let live = true;
    setLoaded(undefined);
    setError(undefined);
    loadAuditWindow(size, head.root_hash, view).then(
      (result) => live && setLoaded(result),
      (failure: unknown) => live && setError(errorText(failure)),
    );
    return () => {
      live = false;
    };
  }, [size, head.root_hash, view]);

  useEffect(() => {
    if (selected === undefined) return;
    let live = true;
    setLeaf(undefined);
    setError(undefined);
    api.get<AuditLeaf>(`/api/audit/leaf/${selected}?tree_size=${size}`).then(
      (reply) => live && setLeaf(reply),
      (failure: unknown) => live && setError(errorText(failure)),
    );
    return () => {
      live = false;
    };
  }, [selected, size]);

  const root = useMemo(
    () => loaded && windowTree(size, view, (level, index) => loaded.nodes.get(`${level}:${index}`)),
    [loaded, size, view],
  );
  const highlight = useMemo(() => {
    if (selected === undefined) return undefined;
    const { path, siblings } = inclusionNodes(size, selected);
    return { path: new Set(path), siblings: new Set(siblings) };
  }, [selected, size]);

  const subject = useMemo(
    () =>
      leaf && {
        index: leaf.index,
        treeSize: leaf.tree_size,
        leafHash: leaf.leaf_hash,
        proof: leaf.proof,
        // Checked against the signed root (whose signature this page verified), not the reply's.
        root: head.root_hash,
      },
    [leaf, head.root_hash],
  );

  const jump = (index: number) => {
    setStart(windowOf(index, WINDOW_LEAVES).start);
    setSelected(index);
  };

  return (
    <div className="flex flex-col gap-3">
      <WindowPager size={size} window={view} onStart={setStart} onJump={jump} />
      <ErrorLine message={error} />
      {root === undefined ? (
        <p className="text-dim" role="status">
          Loading the tree…
        </p>
      ) : (
        <>
          <TreeView
            root={root}
            height={heightOf(size)}
            highlight={highlight}
            selected={selected}
            onSelectLeaf={setSelected}
            label={`audit log tree, leaves ${view.start} onwards`}
          />
          <p className="text-sm" data-testid="window-root">
            <Mark
              ok={loaded?.rootMatches === true}
              yes="this window hashes up to the signed root"
              no="this window does not hash up to the signed root"
            />
          </p>
        </>
      )}
      {leaf !== undefined && subject !== undefined && (
        <div className="grid items-start gap-4 lg:grid-cols-2">
          <LeafDetails key={leaf.index} leaf={leaf} />
          <ProofPanel key={`${leaf.index}:${leaf.tree_size}`} subject={subject} />
        </div>
      )}
    </div>
  );
}
