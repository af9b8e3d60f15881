// Consistency between two signed tree heads chosen from the list: the proof is fetched
// (GET /api/audit/consistency) and checked in this browser against the two heads' own signed
// roots (RFC 9162 §2.1.4.2), and by the server as well. The listed heads are also checked as a
// chain: every signature, and each head's proof from the one before it.

import { useEffect, useState } from 'react';
import { api, errorText } from '../../api/client.ts';
import type { Consistency, TreeHead, TreeHeads, Validity } from '../../api/audit-types.ts';
import { checkHeadChain, type ChainCheck } from '../../merkle/head-chain.ts';
import { verifyConsistency } from '../../merkle/verify.ts';
import { Button, ErrorLine, Select } from '../form.tsx';
import { Mark } from './mark.tsx';

interface Result {
  proof: string[];
  rootsMatch: boolean;
  browser: boolean;
  server: Validity;
}

const headLabel = (h: TreeHead) =>
  `size ${h.tree_size} · ${new Date(h.timestamp).toISOString().slice(0, 19)}Z`;

function HeadSelect(props: {
  label: string;
  heads: TreeHead[];
  value: number | undefined;
  onChange(index: number): void;
}) {
  return (
    <Select
      label={props.label}
      value={props.value ?? ''}
      onChange={(event) => props.onChange(Number(event.target.value))}
    >
      {props.heads.map((h, i) => (
        <option key={`${h.tree_size}:${h.timestamp}`} value={i}>
          {headLabel(h)}
        </option>
      ))}
    </Select>
  );
}

export function ConsistencyPanel({ latest }: { latest: TreeHead }) {
  const [heads, setHeads] = useState<TreeHead[]>([]);
  const [older, setOlder] = useState<number>();
  const [newer, setNewer] = useState<number>();
  const [result, setResult] = useState<Result>();
  const [error, setError] = useState<string>();
  const [chain, setChain] = useState<ChainCheck>();

  useEffect(() => {
    let live = true;
    api.get<TreeHeads>('/api/audit/tree-heads?limit=50').then(
      ({ heads: list }) => {
        if (!live) return;
        setHeads(list);
        setNewer(0);
        setOlder(Math.max(0, list.length - 1));
        void checkHeadChain(list).then((result) => live && setChain(result));
      },
      (failure: unknown) => live && setError(errorText(failure)),
    );
    return () => {
      live = false;
    };
  }, [latest]);

  const check = async () => {
    const a = older === undefined ? undefined : heads[older];
    const b = newer === undefined ? undefined : heads[newer];
    if (a === undefined || b === undefined) return;
    const [first, second] = a.tree_size <= b.tree_size ? [a, b] : [b, a];
    setResult(undefined);
    setError(undefined);
    try {
      const reply = await api.get<Consistency>(
        `/api/audit/consistency?first=${first.tree_size}&second=${second.tree_size}`,
      );
      // The proof must join the roots the heads were signed with, not just the reply's.
      const rootsMatch =
        reply.first_root === first.root_hash && reply.second_root === second.root_hash;
      const [browser, server] = await Promise.all([
        verifyConsistency(
          first.tree_size,
          second.tree_size,
          reply.proof,
          first.root_hash,
          second.root_hash,
        ),
        api.post<Validity>('/api/crypto/merkle/consistency/verify', {
          first: first.tree_size,
          second: second.tree_size,
          first_root: first.root_hash,
          second_root: second.root_hash,
          proof: reply.proof,
        }),
      ]);
      setResult({ proof: reply.proof, rootsMatch, browser, server });
    } catch (failure) {
      setError(errorText(failure));
    }
  };

  return (
    <div className="flex flex-col gap-2 text-sm">
      <div className="flex flex-wrap items-end gap-3">
        <HeadSelect label="Older head" heads={heads} value={older} onChange={setOlder} />
        <HeadSelect label="Newer head" heads={heads} value={newer} onChange={setNewer} />
        <Button onClick={() => void check()} disabled={heads.length === 0}>
          Check consistency
        </Button>
      </div>
      {chain !== undefined && (
        <p data-testid="head-chain" data-ok={String(chain.problem === undefined)}>
          <Mark
            ok={chain.problem === undefined}
            yes={`the ${chain.heads} newest heads: every signature, and each one's consistency with the one before, checked in this browser`}
            no={chain.problem ?? ''}
          />
        </p>
      )}
      <ErrorLine message={error} />
      {result !== undefined && (
        <ul className="flex flex-col gap-0.5" data-testid="consistency-result">
          <li>
            <Mark
              ok={result.browser && result.rootsMatch}
              yes="browser: the older tree is a prefix of the newer"
              no="browser: the proof does not join the signed roots"
            />
          </li>
          <li>
            <Mark
              ok={result.server.valid}
              yes="server: consistent"
              no={`server: ${result.server.reason ?? 'not consistent'}`}
            />
          </li>
          <li className="text-dim">{result.proof.length} proof hashes</li>
        </ul>
      )}
    </div>
  );
}
