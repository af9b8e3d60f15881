// A Merkle tree of data the user types, one item per line: built by the server
// (POST /api/crypto/merkle/build), drawn a window at a time like the audit log, and each leaf's
// proof (POST /api/crypto/merkle/proof) checked against a leaf hash this browser computes itself.

import { useMemo, useState, type FormEvent } from 'react';
import { api, errorText } from '../../api/client.ts';
import type { MerkleBuild, MerkleProof } from '../../api/audit-types.ts';
import { decodeItem, itemsOf, itemsProblem, type Encoding } from '../../merkle/leaf-data.ts';
import { inclusionNodes, windowOf, windowTree } from '../../merkle/tree-shape.ts';
import { leafHash, toHex } from '../../merkle/verify.ts';
import { Button, ErrorLine, Select, TextArea, useAction } from '../form.tsx';
import { ProofPanel, type ProofSubject } from './proof-panel.tsx';
import { TreeView } from './tree-view.tsx';
import { WINDOW_LEAVES, WindowPager } from './window-pager.tsx';

const SAMPLE = [
  'BUY 10 TCS @ 4105.35',
  'SELL 5 INFY @ 1502.10',
  'BUY 2 RELIANCE @ 2950.00',
  'CANCEL order 17',
  'SELL 8 HDFCBANK @ 1650.25',
].join('\n');

interface Built {
  items: string[];
  encoding: Encoding;
  tree: MerkleBuild;
}

export function DataExplorer() {
  const [text, setText] = useState(SAMPLE);
  const [encoding, setEncoding] = useState<Encoding>('utf8');
  const [built, setBuilt] = useState<Built>();
  const [start, setStart] = useState(0);
  const [selected, setSelected] = useState<number>();
  const [subject, setSubject] = useState<ProofSubject>();
  const { busy, error, setError, run } = useAction();

  const build = async (event: FormEvent) => {
    event.preventDefault();
    const items = itemsOf(text);
    const problem = itemsProblem(items, encoding);
    if (problem !== undefined) {
      setError(problem);
      return;
    }
    await run(async () => {
      const tree = await api.post<MerkleBuild>('/api/crypto/merkle/build', {
        data: items,
        encoding,
      });
      setBuilt({ items, encoding, tree });
      setStart(0);
      setSelected(undefined);
      setSubject(undefined);
    });
  };

  const select = async (index: number) => {
    if (built === undefined) return;
    setSelected(index);
    setSubject(undefined);
    setError(undefined);
    const item = built.items[index] ?? '';
    try {
      const reply = await api.post<MerkleProof>('/api/crypto/merkle/proof', {
        data: built.items,
        encoding: built.encoding,
        index,
      });
      // The leaf hash comes from this browser, not the server's reply.
      const own = toHex(await leafHash(decodeItem(item, built.encoding) ?? new Uint8Array()));
      if (own !== reply.leaf_hash) setError('the server hashed this item differently');
      setSubject({
        index,
        treeSize: reply.tree_size,
        leafHash: own,
        proof: reply.proof,
        root: built.tree.root_hash,
        item: { text: item, encoding: built.encoding },
      });
    } catch (failure) {
      setError(errorText(failure));
    }
  };

  const size = built?.tree.leaf_count ?? 0;
  const view = useMemo(() => ({ start, span: WINDOW_LEAVES }), [start]);
  const root = useMemo(
    () =>
      built &&
      windowTree(built.tree.leaf_count, view, (level, index) => built.tree.levels[level]?.[index]),
    [built, view],
  );
  const highlight = useMemo(() => {
    if (selected === undefined || built === undefined) return undefined;
    const { path, siblings } = inclusionNodes(built.tree.leaf_count, selected);
    return { path: new Set(path), siblings: new Set(siblings) };
  }, [selected, built]);

  return (
    <div className="flex flex-col gap-3">
      <form className="flex flex-col gap-2" onSubmit={(event) => void build(event)}>
        <TextArea
          label="Items, one per line"
          className="text-sm"
          value={text}
          onChange={(event) => setText(event.target.value)}
          rows={6}
          spellCheck={false}
        />
        <div className="flex items-end gap-3">
          <Select
            label="Encoding"
            value={encoding}
            onChange={(event) => setEncoding(event.target.value as Encoding)}
          >
            <option value="utf8">utf8</option>
            <option value="hex">hex</option>
            <option value="base64">base64</option>
          </Select>
          <Button type="submit" tone="primary" disabled={busy}>
            Build tree
          </Button>
          {built !== undefined && (
            <span className="num text-sm text-dim" data-testid="data-root">
              {built.tree.leaf_count} leaves, {built.tree.node_count} nodes, root{' '}
              {built.tree.root_hash.slice(0, 16)}…
            </span>
          )}
        </div>
      </form>
      <ErrorLine message={error} />
      {built !== undefined && root !== undefined && (
        <>
          {size > WINDOW_LEAVES && (
            <WindowPager
              size={size}
              window={view}
              onStart={setStart}
              onJump={(leaf) => {
                setStart(windowOf(leaf, WINDOW_LEAVES).start);
                void select(leaf);
              }}
            />
          )}
          <TreeView
            root={root}
            height={built.tree.levels.length - 1}
            highlight={highlight}
            selected={selected}
            onSelectLeaf={(leaf) => void select(leaf)}
            label="tree of the typed items"
          />
        </>
      )}
      {subject !== undefined && (
        <div className="grid items-start gap-4 lg:grid-cols-2">
          <div className="text-sm">
            <span className="text-dim">Item {subject.index}: </span>
            <span className="num break-all" data-testid="data-item">
              {subject.item?.text}
            </span>
          </div>
          <ProofPanel key={`${subject.index}:${subject.root}`} subject={subject} />
        </div>
      )}
    </div>
  );
}
