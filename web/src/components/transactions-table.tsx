// The history on the portfolio page: one row per business event (a trade, a deposit, an
// adjustment), newest first, each opening onto the ledger postings behind it; and the CSV export.

import { Fragment, useEffect, useState } from 'react';
import { api, errorText } from '../api/client.ts';
import type { Transaction, TransactionPage } from '../api/types.ts';
import { paiseOf, rupees } from '../money.ts';
import { dateTime } from '../time.ts';
import { saveFile } from './download.ts';
import { Button, ErrorLine, Panel } from './form.tsx';
import { PostingsTable } from './postings-table.tsx';
import { transactionText } from './transaction-text.ts';

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
            <PostingsTable postings={t.postings} label={`Postings of transaction ${t.id}`} />
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
