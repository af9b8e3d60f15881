// The integrity check: recomputes the audit log from its rows and holds it against everything
// that vouches for it. Each leaf must hash to its stored hash and sit at its index, each stored
// tile root must be the root of its 64 leaves; the tree must reach every signed head's root,
// each head's signature and consistency proof must verify; and
// every trade, ledger transaction, security event and order must match the last leaf about it,
// with no such row left without a leaf. Reports the first failure by leaf index.
// Used by the API and by `npm run audit:verify`, which needs only the public key. In the exchange
// it runs in slices (SERVER_PACE): small pages, and a yield to the event loop whenever a slice's
// time is spent, so a check of a long log never holds up orders or WebSocket traffic.

import type { KeyObject } from 'node:crypto';
import type { AuditRepo, StoredLeaf, StoredTreeHead } from '../store/audit.repo.ts';
import { canonicalJson, payloadHash, type AuditKind, type AuditTile } from './leaf.ts';
import { CompactMerkleTree, verifyConsistency } from './merkle.ts';
import { ledgerTxData, orderData, securityEventData, tradeData } from './records.ts';
import { verifyTreeHead } from './tree-head.ts';
import { TILE_LEAVES, TileFiller } from './tree.ts';

export interface IntegrityFailure {
  /** The leaf that does not match, when one does not. */
  readonly index?: number;
  readonly kind?: string;
  /** The row the leaf is about, e.g. `trade 42`. */
  readonly record?: string;
  readonly reason: string;
}

export interface IntegrityReport {
  readonly ok: boolean;
  readonly treeSize: number;
  readonly rootHash: Buffer;
  readonly headsChecked: number;
  readonly latestHead: StoredTreeHead | undefined;
  readonly failure: IntegrityFailure | undefined;
}

type SourceKind = Exclude<AuditKind, 'admin_action'>;

/** How the check shares the event loop: rows read per query, and the longest stretch between yields. */
export interface Pace {
  readonly pageRows: number;
  readonly sliceMs: number;
}

/** Alone in its process (`npm run audit:verify`): big pages, no yields. */
export const OFFLINE_PACE: Pace = { pageRows: 5_000, sliceMs: Infinity };
/** In the exchange: a page is a millisecond or two of reading, a slice at most about 10 ms. */
export const SERVER_PACE: Pace = { pageRows: 100, sliceMs: 5 };

/** Yields to the event loop once the current slice has run for `sliceMs`. */
class Slices {
  private since = performance.now();

  constructor(private readonly sliceMs: number) {}

  async pause(): Promise<void> {
    if (performance.now() - this.since < this.sliceMs) return;
    await new Promise((resolve) => setImmediate(resolve));
    this.since = performance.now();
  }
}
const SOURCE_NAMES: Record<SourceKind, string> = {
  order: 'order',
  trade: 'trade',
  ledger_tx: 'ledger transaction',
  security_event: 'security event',
};

interface ParsedLeaf {
  readonly leaf: StoredLeaf;
  readonly id: number;
  /** Canonical JSON of the record the leaf vouches for. */
  readonly data: string;
}

export async function checkIntegrity(
  repo: AuditRepo,
  publicKey: KeyObject,
  pace: Pace = SERVER_PACE,
): Promise<IntegrityReport> {
  const slices = new Slices(pace.sliceMs);
  const heads = await repo.allHeads();
  const tiles = await repo.tiles();
  const tree = new CompactMerkleTree();
  const filler = new TileFiller();
  let headIndex = 0;
  let headsChecked = 0;
  let failure: IntegrityFailure | undefined;
  const seen: Record<SourceKind, Set<number>> = {
    order: new Set(),
    trade: new Set(),
    ledger_tx: new Set(),
    security_event: new Set(),
  };
  const lastOrderLeaf = new Map<number, ParsedLeaf>();

  const checkHeadsAt = (size: number): void => {
    let previous = heads[headIndex - 1];
    for (let head = heads[headIndex]; head?.treeSize === size; head = heads[headIndex]) {
      failure ??= headFailure(head, previous, tree.root(), publicKey);
      headIndex += 1;
      headsChecked += 1;
      previous = head;
    }
  };

  checkHeadsAt(0);
  scan: for await (const page of repo.scan(pace.pageRows)) {
    const bySource: Record<SourceKind, ParsedLeaf[]> = {
      order: [],
      trade: [],
      ledger_tx: [],
      security_event: [],
    };
    for (const leaf of page) {
      await slices.pause();
      failure ??= leafFailure(leaf, tree.size);
      if (failure !== undefined) break scan;
      const hash = Buffer.from(leaf.leaf_hash, 'hex');
      tree.append(hash);
      const tile = filler.add(hash);
      if (tile !== undefined) failure ??= tileFailure(tiles, tile);
      checkHeadsAt(tree.size);
      const parsed = parse(leaf);
      if (parsed === undefined) continue;
      const kind = leaf.kind as SourceKind;
      seen[kind].add(parsed.id);
      if (kind === 'order') lastOrderLeaf.set(parsed.id, parsed);
      else bySource[kind].push(parsed);
    }
    failure ??= await sourceFailure(repo, bySource, slices);
    if (failure !== undefined) break;
  }

  const unreached = heads[headIndex];
  if (failure === undefined && unreached !== undefined) {
    failure = {
      index: tree.size,
      reason: `the signed tree head at size ${unreached.treeSize} covers leaves the log no longer has (it has ${tree.size})`,
    };
  }
  const stray = tiles.find((t) => t.tile >= Math.floor(tree.size / TILE_LEAVES));
  if (failure === undefined && stray !== undefined) {
    failure = { reason: `audit tile ${stray.tile} is stored but the log has no such leaves` };
  }
  failure ??= await orderFailure(repo, [...lastOrderLeaf.values()], pace.pageRows, slices);
  failure ??= await unauditedRow(repo, seen, pace.pageRows, slices);
  return {
    ok: failure === undefined,
    treeSize: tree.size,
    rootHash: tree.root(),
    headsChecked,
    latestHead: heads[heads.length - 1],
    failure,
  };
}

function leafFailure(leaf: StoredLeaf, expected: number): IntegrityFailure | undefined {
  if (leaf.seq !== expected) {
    return {
      index: expected,
      reason: `leaf ${expected} is missing (the next stored is ${leaf.seq})`,
    };
  }
  if (payloadHash(leaf.payload).toString('hex') !== leaf.leaf_hash) {
    return {
      index: leaf.seq,
      kind: leaf.kind,
      reason: 'the leaf payload does not hash to its stored leaf hash',
    };
  }
  return undefined;
}

/** Whether the stored tiles hold `computed` (recomputed from its leaves) at its place. */
function tileFailure(
  tiles: readonly AuditTile[],
  computed: AuditTile,
): IntegrityFailure | undefined {
  const stored = tiles[computed.tile];
  const last = (computed.tile + 1) * TILE_LEAVES - 1;
  if (stored?.tile !== computed.tile) {
    return {
      index: last,
      reason: `audit tile ${computed.tile} (leaves up to ${last}) is not stored`,
    };
  }
  if (!stored.hash.equals(computed.hash)) {
    return { index: last, reason: `audit tile ${computed.tile} does not match its leaves` };
  }
  return undefined;
}

function headFailure(
  head: StoredTreeHead,
  previous: StoredTreeHead | undefined,
  root: Buffer,
  publicKey: KeyObject,
): IntegrityFailure | undefined {
  const at = `the signed tree head at size ${head.treeSize}`;
  if (!verifyTreeHead(head, publicKey)) {
    return { index: head.treeSize - 1, reason: `${at} does not verify with the audit public key` };
  }
  if (!root.equals(head.rootHash)) {
    return { index: head.treeSize - 1, reason: `the leaves up to ${at} do not give its root` };
  }
  if (
    previous !== undefined &&
    !verifyConsistency(
      previous.treeSize,
      head.treeSize,
      head.consistencyProof,
      previous.rootHash,
      head.rootHash,
    )
  ) {
    return {
      index: head.treeSize - 1,
      reason: `${at} has no valid consistency proof from the head at ${previous.treeSize}`,
    };
  }
  return undefined;
}

/** The id of the row a leaf is about and the record as canonical JSON; undefined if none. */
function parse(leaf: StoredLeaf): ParsedLeaf | undefined {
  if (!(leaf.kind in SOURCE_NAMES)) return undefined;
  const { data } = JSON.parse(leaf.payload) as { data: Record<string, unknown> };
  const id = leaf.kind === 'ledger_tx' ? data.tx_id : data.id;
  return { leaf, id: Number(id), data: canonicalJson(data) };
}

function mismatch(parsed: ParsedLeaf, found: boolean): IntegrityFailure {
  const kind = parsed.leaf.kind as SourceKind;
  const record = `${SOURCE_NAMES[kind]} ${parsed.id}`;
  return {
    index: parsed.leaf.seq,
    kind,
    record,
    reason: found
      ? `${record} differs from what audit leaf ${parsed.leaf.seq} recorded`
      : `${record} recorded by audit leaf ${parsed.leaf.seq} is missing from the database`,
  };
}

/** Compares leaves with the rows they are about, all rows of a kind in one query. */
async function compare(
  leaves: readonly ParsedLeaf[],
  load: (ids: number[]) => Promise<Map<number, string>>,
  slices: Slices,
): Promise<IntegrityFailure | undefined> {
  if (leaves.length === 0) return undefined;
  const rows = await load([...new Set(leaves.map((l) => l.id))]);
  await slices.pause();
  for (const parsed of leaves) {
    const row = rows.get(parsed.id);
    if (row !== parsed.data) return mismatch(parsed, row !== undefined);
  }
  return undefined;
}

async function sourceFailure(
  repo: AuditRepo,
  leaves: Record<SourceKind, ParsedLeaf[]>,
  slices: Slices,
): Promise<IntegrityFailure | undefined> {
  const failures = [
    await compare(
      leaves.trade,
      async (ids) => {
        const rows = await repo.trades(ids);
        return new Map(rows.map((r) => [r.id, canonicalJson(tradeData(r))]));
      },
      slices,
    ),
    await compare(
      leaves.security_event,
      async (ids) => {
        const rows = await repo.securityEvents(ids);
        return new Map(rows.map((r) => [r.id, canonicalJson(securityEventData(r))]));
      },
      slices,
    ),
    await compare(
      leaves.ledger_tx,
      async (ids) => {
        const byTx = new Map<number, object[]>();
        for (const row of await repo.ledgerEntries(ids)) {
          const entries = byTx.get(row.tx_id) ?? [];
          entries.push(row);
          byTx.set(row.tx_id, entries);
        }
        return new Map(
          [...byTx].map(([tx, entries]) => [tx, canonicalJson(ledgerTxData(tx, entries))]),
        );
      },
      slices,
    ),
  ];
  return first(failures);
}

/** Orders change; each must match the last leaf about it. */
async function orderFailure(
  repo: AuditRepo,
  leaves: readonly ParsedLeaf[],
  page: number,
  slices: Slices,
): Promise<IntegrityFailure | undefined> {
  const failures: (IntegrityFailure | undefined)[] = [];
  for (let i = 0; i < leaves.length; i += page) {
    failures.push(
      await compare(
        leaves.slice(i, i + page),
        async (ids) => {
          const rows = await repo.orders(ids);
          return new Map(rows.map((r) => [r.id, canonicalJson(orderData(r))]));
        },
        slices,
      ),
    );
  }
  return first(failures);
}

/** A row no leaf vouches for: inserted behind the exchange's back. */
async function unauditedRow(
  repo: AuditRepo,
  seen: Record<SourceKind, Set<number>>,
  page: number,
  slices: Slices,
): Promise<IntegrityFailure | undefined> {
  for (const kind of Object.keys(seen) as SourceKind[]) {
    for (let after = Number.MIN_SAFE_INTEGER; ;) {
      await slices.pause();
      const ids = await repo.sourceIds(kind, after, page);
      const stray = ids.find((id) => !seen[kind].has(id));
      if (stray !== undefined) {
        const record = `${SOURCE_NAMES[kind]} ${stray}`;
        return { kind, record, reason: `${record} has no audit leaf` };
      }
      if (ids.length < page) break;
      after = ids[ids.length - 1] as number;
    }
  }
  return undefined;
}

/** The failure with the lowest leaf index. */
function first(failures: readonly (IntegrityFailure | undefined)[]): IntegrityFailure | undefined {
  return failures
    .filter((f): f is IntegrityFailure => f !== undefined)
    .sort((a, b) => (a.index ?? 0) - (b.index ?? 0))[0];
}
