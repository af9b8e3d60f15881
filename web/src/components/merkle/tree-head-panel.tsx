// The latest signed tree head, with its ECDSA signature checked in this browser (WebCrypto)
// over the checkpoint body rebuilt from the head's own fields.

import { useEffect, useState } from 'react';
import type { TreeHead } from '../../api/audit-types.ts';
import { checkTreeHead, type HeadCheck } from '../../merkle/checkpoint.ts';
import { Mark } from './mark.tsx';

export function TreeHeadPanel({ head }: { head: TreeHead }) {
  const [check, setCheck] = useState<HeadCheck>();
  useEffect(() => {
    let live = true;
    void checkTreeHead(head).then((result) => live && setCheck(result));
    return () => {
      live = false;
    };
  }, [head]);
  return (
    <div className="flex flex-col gap-2 text-sm">
      <dl className="grid grid-cols-[7rem_1fr] gap-x-2 gap-y-1 break-all">
        <dt className="text-dim">Tree size</dt>
        <dd className="num" data-testid="head-size">
          {head.tree_size}
        </dd>
        <dt className="text-dim">Root</dt>
        <dd className="num">{head.root_hash}</dd>
        <dt className="text-dim">Signed at</dt>
        <dd className="num">{new Date(head.timestamp).toISOString()}</dd>
        <dt className="text-dim">Key id</dt>
        <dd className="num">{head.key_id}</dd>
      </dl>
      {check === undefined ? (
        <p className="text-dim">checking the signature…</p>
      ) : (
        <ul className="flex flex-col gap-0.5">
          <li>
            <Mark
              ok={check.signature}
              yes="signature verified in this browser (ECDSA P-256, SHA-256)"
              no="the signature does not verify"
              testId="head-signature"
            />
          </li>
          <li>
            <Mark ok={check.keyId} yes="key id matches the key" no="key id does not match" />
          </li>
          <li>
            <Mark
              ok={check.note}
              yes="checkpoint note matches the signed fields"
              no="checkpoint note differs from the signed fields"
            />
          </li>
        </ul>
      )}
      <details>
        <summary className="cursor-pointer text-dim">Checkpoint and public key</summary>
        <pre className="num mt-1 overflow-auto whitespace-pre-wrap break-all rounded bg-page p-2 text-xs">
          {head.checkpoint}
        </pre>
        <pre className="num mt-1 overflow-auto rounded bg-page p-2 text-xs">{head.public_key}</pre>
      </details>
    </div>
  );
}
