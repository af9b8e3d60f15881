// One leaf's inclusion proof, checked twice: in this browser (WebCrypto, RFC 9162) and by the
// server (POST /api/crypto/merkle/verify). The tamper switch flips one bit of one proof hash (or
// of the leaf hash when the proof is empty) to show that both checks then refuse it.

import { useEffect, useState } from 'react';
import { api, errorText } from '../../api/client.ts';
import type { Validity } from '../../api/audit-types.ts';
import type { Encoding } from '../../merkle/leaf-data.ts';
import { flipBit, verifyInclusion } from '../../merkle/verify.ts';

export interface ProofSubject {
  index: number;
  treeSize: number;
  leafHash: string;
  proof: string[];
  root: string;
  /** Typed data: the item itself, sent to the server in place of its hash. */
  item?: { text: string; encoding: Encoding };
}

type Check =
  | { state: 'checking' }
  | { state: 'done'; valid: boolean; reason?: string }
  | { state: 'failed'; message: string };

function CheckLine(props: { name: string; check: Check; testId: string }) {
  const { check } = props;
  const [text, tone] =
    check.state === 'checking'
      ? ['checking…', 'text-dim']
      : check.state === 'failed'
        ? [`could not check: ${check.message}`, 'text-amber-300']
        : check.valid
          ? ['✓ valid', 'text-up']
          : [
              `✗ invalid${check.reason === undefined ? '' : `: ${check.reason}`}`,
              'text-down font-semibold',
            ];
  return (
    <div
      className="flex gap-2"
      data-testid={props.testId}
      data-valid={check.state === 'done' ? String(check.valid) : undefined}
    >
      <dt className="w-44 shrink-0 text-dim">{props.name}</dt>
      <dd className={tone} role="status">
        {text}
      </dd>
    </div>
  );
}

/** Give it `key` = the leaf, so a new leaf starts untampered. */
export function ProofPanel({ subject }: { subject: ProofSubject }) {
  const [tamper, setTamper] = useState(false);
  const [target, setTarget] = useState(0);
  const [browser, setBrowser] = useState<Check>({ state: 'checking' });
  const [server, setServer] = useState<Check>({ state: 'checking' });

  const tamperLeaf = tamper && subject.proof.length === 0;
  const leafHash = tamperLeaf ? flipBit(subject.leafHash) : subject.leafHash;
  const proof = subject.proof.map((p, i) => (tamper && i === target ? flipBit(p) : p));

  useEffect(() => {
    let live = true;
    setBrowser({ state: 'checking' });
    setServer({ state: 'checking' });
    const { index, treeSize, root, item } = subject;
    void verifyInclusion(leafHash, index, treeSize, proof, root).then((valid) => {
      if (live) setBrowser({ state: 'done', valid });
    });
    const leaf =
      item !== undefined && !tamperLeaf
        ? { leaf: item.text, encoding: item.encoding }
        : { leaf_hash: leafHash };
    api
      .post<Validity>('/api/crypto/merkle/verify', {
        ...leaf,
        index,
        tree_size: treeSize,
        proof,
        root_hash: root,
      })
      .then(
        (reply) => live && setServer({ state: 'done', ...reply }),
        (error: unknown) => live && setServer({ state: 'failed', message: errorText(error) }),
      );
    return () => {
      live = false;
    };
  }, [subject, tamper, target]); // leafHash and proof derive from these three

  return (
    <div className="flex flex-col gap-3 text-sm">
      <dl className="flex flex-col gap-1">
        <CheckLine name="Browser (WebCrypto)" check={browser} testId="browser-check" />
        <CheckLine name="Server" check={server} testId="server-check" />
      </dl>
      <fieldset className="flex flex-wrap items-center gap-3 rounded border border-edge p-2">
        <legend className="px-1 text-xs text-dim">Tamper</legend>
        <label className="flex items-center gap-2">
          <input
            type="checkbox"
            checked={tamper}
            onChange={(event) => setTamper(event.target.checked)}
          />
          Flip one bit of {subject.proof.length === 0 ? 'the leaf hash' : 'proof hash'}
        </label>
        {subject.proof.length > 1 && (
          <label className="flex items-center gap-2 text-dim">
            number
            <select
              className="rounded border border-edge bg-page px-1 py-0.5 text-ink"
              value={target}
              onChange={(event) => setTarget(Number(event.target.value))}
            >
              {subject.proof.map((_, i) => (
                <option key={i} value={i}>
                  {i}
                </option>
              ))}
            </select>
          </label>
        )}
      </fieldset>
      <dl className="grid grid-cols-[8rem_1fr] gap-x-2 gap-y-1 break-all">
        <dt className="text-dim">Leaf</dt>
        <dd className="num">
          {subject.index} of {subject.treeSize}
        </dd>
        <dt className="text-dim">Leaf hash</dt>
        <dd className={`num ${tamperLeaf ? 'text-down' : ''}`}>{leafHash}</dd>
        <dt className="text-dim">Root</dt>
        <dd className="num">{subject.root}</dd>
        <dt className="text-dim">Proof ({proof.length})</dt>
        <dd>
          <ol className="num flex flex-col gap-0.5" data-testid="proof-hashes">
            {proof.map((p, i) => (
              <li key={i} className={tamper && i === target ? 'text-down' : ''}>
                {i}: {p}
              </li>
            ))}
          </ol>
        </dd>
      </dl>
    </div>
  );
}
