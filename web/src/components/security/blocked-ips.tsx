// Blocked addresses with their reason and expiry; an administrator unblocks one, or blocks an
// address for a number of minutes with a reason (POST /api/security/block-ip, unblock-ip). A
// block the exchange refuses because it would lock the administrator out (their own address, or
// loopback) is explained, and sent again with `override` only once they confirm.

import { useState, type FormEvent } from 'react';
import { api, ApiFailure } from '../../api/client.ts';
import type { BlockedIp, BlockRequest } from '../../api/security-types.ts';
import { Button, ErrorLine, Field, useAction } from '../form.tsx';

export function BlockedIps(props: { blocked: BlockedIp[] | undefined; onChange(): void }) {
  const [ip, setIp] = useState('');
  const [minutes, setMinutes] = useState('60');
  const [reason, setReason] = useState('');
  /** The block the exchange refused as a lockout, with its explanation, awaiting a confirm. */
  const [lockout, setLockout] = useState<{ body: BlockRequest; message: string }>();
  const { busy, error, run } = useAction();

  const act = (path: string, body: object) =>
    run(async () => {
      await api.post(path, body);
      props.onChange();
    });

  const place = async (body: BlockRequest) => {
    setLockout(undefined);
    let refused: ApiFailure | undefined;
    const ok = await run(async () => {
      try {
        await api.post('/api/security/block-ip', body);
      } catch (failure) {
        if (!(failure instanceof ApiFailure) || failure.code !== 'BLOCK_LOCKS_OUT') throw failure;
        refused = failure;
        return;
      }
      props.onChange();
    });
    if (refused !== undefined) setLockout({ body, message: refused.message });
    else if (ok) {
      setIp('');
      setReason('');
    }
  };

  const block = (event: FormEvent) => {
    event.preventDefault();
    void place({ ip: ip.trim(), minutes: Number(minutes), reason: reason.trim() });
  };

  return (
    <div className="flex flex-col gap-3 p-3 text-sm">
      <ErrorLine message={error} />
      {lockout !== undefined && (
        <div
          role="alertdialog"
          aria-label="Confirm a block that locks you out"
          className="flex flex-col gap-2 rounded border border-down/70 bg-down/10 p-3"
          data-testid="lockout-warning"
        >
          <p className="font-semibold text-down">
            This is your own address / loopback — blocking it locks you out.
          </p>
          <p className="text-xs text-dim">{lockout.message}</p>
          <div className="flex gap-2">
            <Button
              tone="danger"
              disabled={busy}
              onClick={() => void place({ ...lockout.body, override: true })}
            >
              Block anyway and lock me out
            </Button>
            <Button disabled={busy} onClick={() => setLockout(undefined)}>
              Cancel
            </Button>
          </div>
        </div>
      )}
      {props.blocked === undefined ? (
        <p className="text-dim">Loading…</p>
      ) : props.blocked.length === 0 ? (
        <p className="text-dim" data-testid="no-blocks">
          No address is blocked.
        </p>
      ) : (
        <ul className="flex flex-col divide-y divide-edge" data-testid="blocked-ips">
          {props.blocked.map((b) => (
            <li key={b.ip} className="flex items-start gap-3 py-1.5" data-ip={b.ip}>
              <div className="min-w-0 flex-1">
                <p className="num break-all">{b.ip}</p>
                <p className="text-xs text-dim">
                  {b.manual ? 'manual' : 'automatic'}: <span>{b.reason}</span>
                </p>
                <p className="num text-xs text-dim">until {b.until.slice(0, 19)}Z</p>
              </div>
              <Button
                tone="danger"
                disabled={busy}
                aria-label={`Unblock ${b.ip}`}
                onClick={() => void act('/api/security/unblock-ip', { ip: b.ip })}
              >
                Unblock
              </Button>
            </li>
          ))}
        </ul>
      )}
      <form
        className="flex flex-wrap items-end gap-2 border-t border-edge pt-3"
        aria-label="Block an address"
        onSubmit={block}
      >
        <Field
          label="Address"
          value={ip}
          required
          placeholder="203.0.113.7"
          onChange={(event) => setIp(event.target.value)}
          className="w-40"
        />
        <Field
          label="Minutes"
          type="number"
          min={1}
          max={525600}
          required
          value={minutes}
          onChange={(event) => setMinutes(event.target.value)}
          className="w-24"
        />
        <Field
          label="Reason"
          value={reason}
          required
          minLength={3}
          maxLength={200}
          onChange={(event) => setReason(event.target.value)}
          className="min-w-40 flex-1"
        />
        <Button type="submit" tone="danger" disabled={busy}>
          Block
        </Button>
      </form>
    </div>
  );
}
