// The recovery codes MFA confirmation returns, shown once: copy them all (with a visible
// confirmation, or the codes selected for a manual copy when the browser refuses) or download
// them as a text file.

import { useRef, useState } from 'react';
import { useProfile } from '../session/session.tsx';
import { copyText } from './clipboard.ts';
import { saveFile } from './download.ts';
import { Button } from './form.tsx';
import { recoveryCodesFile } from './recovery-codes-file.ts';

export function RecoveryCodesPanel({ codes }: { codes: string[] }) {
  const profile = useProfile();
  const list = useRef<HTMLUListElement>(null);
  const [copy, setCopy] = useState<'idle' | 'copied' | 'failed'>('idle');
  const [created] = useState(() => new Date());
  const file = recoveryCodesFile(codes, {
    username: profile.username,
    host: window.location.host,
    created,
  });

  const copyAll = async () => {
    const copied = await copyText(codes.join('\n'));
    setCopy(copied ? 'copied' : 'failed');
    if (!copied && list.current !== null) window.getSelection()?.selectAllChildren(list.current);
  };

  return (
    <div role="region" aria-label="Recovery codes" className="rounded border border-up/50 p-3">
      <p className="mb-2 text-sm">
        Recovery codes: each works once if you lose your authenticator. They are not shown again, so
        copy or download them now.
      </p>
      <ul ref={list} className="num grid grid-cols-2 gap-1 text-sm" data-testid="recovery-codes">
        {codes.map((code) => (
          <li key={code}>{code}</li>
        ))}
      </ul>
      <div className="mt-3 flex flex-wrap items-center gap-2">
        <Button className="py-1 text-sm" onClick={() => void copyAll()}>
          {copy === 'copied' ? 'Copied ✓' : 'Copy all'}
        </Button>
        <Button className="py-1 text-sm" onClick={() => saveFile(file.name, file.text)}>
          Download .txt
        </Button>
        <span role="status" className="text-xs" data-testid="recovery-copy-status">
          {copy === 'copied' && <span className="text-up">All {codes.length} codes copied.</span>}
          {copy === 'failed' && (
            <span className="text-yellow-300">
              This browser refused to copy: the codes are selected, press Ctrl+C (⌘C).
            </span>
          )}
        </span>
      </div>
    </div>
  );
}
