// The history on the portfolio page: one row per business event (a trade, a deposit, an
// adjustment), newest first, each opening onto the ledger postings behind it; and the CSV export.

import { Fragment, useEffect, useState } from 'react';
import { api, errorText } from '../api/client.ts';
import type { Transaction, TransactionPage } from '../api/types.ts';
import { assetAmount, paiseOf, rupees } from '../money.ts';
import { dateTime } from '../time.ts';
import { saveFile } from './download.ts';
import { Button, ErrorLine, Panel } from './form.tsx';
import { transactionText } from './transaction-text.ts';

function Postings({ transaction }: { transaction: Transaction }) {
  return (
    <table className="w-full text-xs" aria-label={`Postings of transaction ${transaction.id}`}>
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
        {transaction.postings.map((p) => (
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

function TransactionRow({ transaction: t }: { transaction: Transaction }) {
  const [open, setOpen] = useState(false);
  return (
    <Fragment>
      <tr className="border-t border-edge/60" data-kind={t.kind} data-id={t.id}>
        <td className="num px-3 py-1 text-dim">{dateTime(t.time)}</td>
        <td className="px-3 py-1" data-testid="transaction-text">
          {transactionText(t)}
        </td>
        <td className="num px-3 py-1 text-right">{rupees(paiseOf(t.cash_after))}</td>
        <td className="px-3 py-1 text-right">
          <button
            type="button"
            className="text-xs text-dim hover:text-ink"
            aria-expanded={open}
            aria-label={`Postings of transaction ${t.id}`}
            onClick={() => setOpen(!open)}
          >
            {open ? '▾' : '▸'} {t.postings.length}{' '}
            {t.postings.length === 1 ? 'posting' : 'postings'}
          </button>
        </td>
      </tr>
      {open && (
        <tr>
          <td colSpan={4} className="bg-page/60 px-3 py-1">
            <Postings transaction={t} />
          </td>
        </tr>
      )}
    </Fragment>
  );
}

export function TransactionsTable({ version }: { version: unknown }) {
  const [rows, setRows] = useState<Transaction[]>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    void api
      .get<TransactionPage>('/api/trading/transactions?limit=100')
      .then((page) => setRows(page.transactions));
  }, [version]);

  // The export needs the Authorization header, so it is fetched and saved as a Blob.
  const download = () => {
    setError(undefined);
    api
      .send('GET', '/api/trading/transactions?format=csv&limit=1000')
      .then((response) => response.blob())
      .then((blob) => saveFile('transactions.csv', blob))
      .catch((e: unknown) => setError(errorText(e)));
  };

  return (
    <Panel
      title="Transactions"
      actions={
        <Button className="py-0.5 text-xs" onClick={download}>
          Export CSV
        </Button>
      }
    >
      <ErrorLine message={error} />
      <div className="max-h-96 overflow-auto">
        <table className="w-full text-sm" data-testid="transactions">
          <thead className="text-xs text-dim">
            <tr>
              <th className="px-3 py-1 text-left font-normal">Time</th>
              <th className="px-3 py-1 text-left font-normal">Transaction</th>
              <th className="px-3 py-1 text-right font-normal">Cash after</th>
              <th className="px-3 py-1 text-right font-normal">Ledger</th>
            </tr>
          </thead>
          <tbody>
            {rows?.map((t) => (
              <TransactionRow key={t.id} transaction={t} />
            ))}
          </tbody>
        </table>
        {rows?.length === 0 && <p className="px-3 py-2 text-dim">No transactions yet.</p>}
      </div>
    </Panel>
  );
}
