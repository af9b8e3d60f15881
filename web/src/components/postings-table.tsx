// Ledger postings for those who audit: under a transaction of the history, or under an order
// (its holds and releases). Signed amounts through money.ts.

import type { Posting } from '../api/types.ts';
import { assetAmount } from '../money.ts';

export function PostingsTable({
  postings,
  label,
}: {
  postings: readonly Posting[];
  label: string;
}) {
  return (
    <table className="w-full text-xs" aria-label={label}>
      <thead className="text-dim">
        <tr>
          <th className="px-2 py-0.5 text-left font-normal">Posting</th>
          <th className="px-2 py-0.5 text-left font-normal">Kind</th>
          <th className="px-2 py-0.5 text-left font-normal">Bucket</th>
          <th className="px-2 py-0.5 text-right font-normal">Amount</th>
          <th className="px-2 py-0.5 text-left font-normal">Reference</th>
        </tr>
      </thead>
      <tbody>
        {postings.map((p) => (
          <tr key={p.id}>
            <td className="num px-2 py-0.5 text-dim">{p.id}</td>
            <td className="px-2 py-0.5">{p.kind}</td>
            <td className="px-2 py-0.5 text-dim">{p.bucket}</td>
            <td className="num px-2 py-0.5 text-right">{assetAmount(p.asset, p.amount)}</td>
            <td className="px-2 py-0.5 text-dim">{p.reference}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
