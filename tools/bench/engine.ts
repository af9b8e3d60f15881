// Engine benchmark: one seeded workload run through src/engine and nodejs-order-book in the same
// process. Prints throughput, per-operation latency percentiles, heap for 1,000,000 resting
// orders, and the ratios between the two books. `--json` prints the same figures as JSON.
import os from 'node:os';
import { OrderBook as LobBook, Side as LobSide } from 'nodejs-order-book';
import { asOrderId, asOwnerId, asPrice, asQuantity, OrderBook } from '../../src/engine/index.ts';
import type { EngineEvent } from '../../src/engine/index.ts';
// The project's one seeded PRNG and normal sampler, the simulator's: the workload replays.
import { gaussian, mulberry32 } from '../../src/market/fair-value.ts';
import { settledHeap, withGc } from './heap.ts';

const SEED = 0x5eed_2024;
const RESTING_SEED_ORDERS = 2_000;
const OPERATIONS = 1_000_000;
const WARMUP_OPERATIONS = 200_000;
/** Throughput is the median of this many timed passes (the machine is a shared 2-core VM). */
const THROUGHPUT_PASSES = 3;
const HEAP_ORDERS = 1_000_000;
const MID = 150_000; // Rs 1,500.00 in paise
const SIGMA_TICKS = 40;
/**
 * Bids centre below the mid and asks above it, by a skew that leans against the book's size:
 * with this mix a fixed skew either drains the book (20 ticks) or grows it without bound
 * (30 ticks), so the generator steers it to hover near TARGET_DEPTH resting orders.
 */
const TARGET_DEPTH = Number(
  process.argv.find((a) => a.startsWith('--target-depth='))?.split('=')[1] ?? 2_000,
);
const skewTicks = (resting: number): number =>
  Math.min(50, Math.max(10, 30 + (20 * (TARGET_DEPTH - resting)) / TARGET_DEPTH));
const MAX_QTY = 100;
const OWNERS = 1_000;

const LIMIT = 0;
const CANCEL = 1;
const MARKET = 2;
const AMEND = 3;
const OP_NAMES = ['limit', 'cancel', 'market', 'amend'] as const;
type OpName = (typeof OP_NAMES)[number];

// ---------------------------------------------------------------------------------------------
// Seeded workload

/** Struct-of-arrays so the workload costs little memory and nothing to read while timing. */
interface Workload {
  readonly size: number;
  readonly kind: Uint8Array;
  readonly isBuy: Uint8Array;
  /** Limit: new order id. Cancel/amend: target id. */
  readonly id: Int32Array;
  readonly owner: Int32Array;
  /** Limit/amend price in ticks; 0 = unchanged (amend). */
  readonly price: Int32Array;
  /** Quantity; 0 = unchanged (amend). */
  readonly quantity: Int32Array;
  readonly maxId: number;
  /** Resting orders seen by the shadow book, sampled every 1,000 operations. */
  readonly depth: { min: number; mean: number; max: number; end: number };
}

/** Open order ids with O(1) insert, remove and uniform pick. */
class LiveOrders {
  private readonly ids: number[] = [];
  private readonly at = new Map<number, number>();

  get size(): number {
    return this.ids.length;
  }

  add(id: number): void {
    this.at.set(id, this.ids.length);
    this.ids.push(id);
  }

  remove(id: number): void {
    const index = this.at.get(id);
    if (index === undefined) return;
    const last = this.ids.pop()!;
    this.at.delete(id);
    if (last !== id) {
      this.ids[index] = last;
      this.at.set(last, index);
    }
  }

  pick(random: () => number): number {
    return this.ids[Math.floor(random() * this.ids.length)]!;
  }
}

/**
 * Builds the seeded workload. A shadow src/engine book follows the generated operations so
 * that cancels and amends aim at orders that are really open at that point, as a client's
 * would; both benchmarked books then receive exactly the same operations.
 */
function generate(): Workload {
  const random = mulberry32(SEED);
  const size = RESTING_SEED_ORDERS + OPERATIONS;
  const w = {
    size,
    kind: new Uint8Array(size),
    isBuy: new Uint8Array(size),
    id: new Int32Array(size),
    owner: new Int32Array(size),
    price: new Int32Array(size),
    quantity: new Int32Array(size),
    maxId: 0,
    depth: { min: Infinity, mean: 0, max: 0, end: 0 },
  };
  let depthSum = 0;
  let depthSamples = 0;
  const shadow = new EngineDriver();
  const live = new LiveOrders();
  let nextId = 1;
  const quantity = () => 1 + Math.floor(random() * MAX_QTY);
  const aroundMid = (buy: boolean) => {
    const skew = skewTicks(live.size);
    return MID + Math.round((buy ? -skew : skew) + gaussian(random) * SIGMA_TICKS);
  };
  for (let i = 0; i < size; i++) {
    const buy = random() < 0.5;
    w.isBuy[i] = buy ? 1 : 0;
    w.owner[i] = 1 + Math.floor(random() * OWNERS);
    const roll = i < RESTING_SEED_ORDERS ? -1 : random();
    if (roll < 0) {
      // The opening book: bids below the mid, asks above, so nothing crosses.
      const away = 1 + Math.abs(Math.round(gaussian(random) * SIGMA_TICKS));
      w.kind[i] = LIMIT;
      w.id[i] = nextId++;
      w.price[i] = buy ? MID - away : MID + away;
      w.quantity[i] = quantity();
    } else if (roll < 0.6 || live.size === 0) {
      w.kind[i] = LIMIT;
      w.id[i] = nextId++;
      w.price[i] = aroundMid(buy);
      w.quantity[i] = quantity();
    } else if (roll < 0.85) {
      w.kind[i] = CANCEL;
      w.id[i] = live.pick(random);
    } else if (roll < 0.95) {
      w.kind[i] = MARKET;
      w.id[i] = nextId++;
      w.quantity[i] = quantity();
    } else {
      w.kind[i] = AMEND;
      const target = live.pick(random);
      w.id[i] = target;
      // An amend keeps the order's side; re-price it around the mid on that side.
      w.isBuy[i] = shadow.book.getOrder(asOrderId(target))!.side === 'BUY' ? 1 : 0;
      if (random() < 0.5) w.price[i] = aroundMid(w.isBuy[i] === 1);
      else w.quantity[i] = quantity();
    }
    for (const e of shadow.run(w, i)) {
      if (e.type === 'CANCELLED' || e.type === 'EXPIRED') live.remove(e.orderId);
      else if (e.type === 'FILL') {
        if (e.makerRemaining === 0) live.remove(e.makerOrderId);
        if (e.takerRemaining === 0) live.remove(e.takerOrderId);
      }
    }
    if (w.kind[i] === LIMIT && shadow.book.getOrder(asOrderId(w.id[i]!)) !== undefined) {
      live.add(w.id[i]!);
    }
    if (i >= RESTING_SEED_ORDERS && i % 1_000 === 0) {
      w.depth.min = Math.min(w.depth.min, live.size);
      w.depth.max = Math.max(w.depth.max, live.size);
      depthSum += live.size;
      depthSamples++;
    }
  }
  w.depth.mean = Math.round(depthSum / depthSamples);
  w.depth.end = live.size;
  w.maxId = nextId;
  return w;
}

// ---------------------------------------------------------------------------------------------
// The two books behind one driver interface

interface Driver {
  readonly name: string;
  /** Creates a fresh book. */
  reset(): void;
  run(w: Workload, i: number): void;
  /** Adds one non-crossing resting order (heap measurement). */
  rest(id: number, isBuy: boolean, price: number, quantity: number): void;
}

class EngineDriver implements Driver {
  readonly name = 'src/engine';
  book = new OrderBook();

  reset(): void {
    this.book = new OrderBook();
  }

  run(w: Workload, i: number): EngineEvent[] {
    const book = this.book;
    const id = asOrderId(w.id[i]!);
    switch (w.kind[i]) {
      case LIMIT:
        return book.place({
          orderId: id,
          owner: asOwnerId(w.owner[i]!),
          side: w.isBuy[i] === 1 ? 'BUY' : 'SELL',
          orderType: 'LIMIT',
          price: asPrice(w.price[i]!),
          quantity: asQuantity(w.quantity[i]!),
        });
      case CANCEL:
        return book.cancel(id);
      case MARKET:
        return book.place({
          orderId: id,
          owner: asOwnerId(w.owner[i]!),
          side: w.isBuy[i] === 1 ? 'BUY' : 'SELL',
          orderType: 'MARKET',
          quantity: asQuantity(w.quantity[i]!),
        });
      default: {
        const price = w.price[i]!;
        return price !== 0
          ? book.amend({ orderId: id, price: asPrice(price) })
          : book.amend({ orderId: id, quantity: asQuantity(w.quantity[i]!) });
      }
    }
  }

  rest(id: number, isBuy: boolean, price: number, quantity: number): void {
    this.book.place({
      orderId: asOrderId(id),
      owner: asOwnerId(1 + (id % OWNERS)),
      side: isBuy ? 'BUY' : 'SELL',
      orderType: 'LIMIT',
      price: asPrice(price),
      quantity: asQuantity(quantity),
    });
  }

  /** Runs the workload once more (untimed), counting the events, for the report. */
  countOutcomes(w: Workload): Record<string, number> {
    this.reset();
    const outcome: Record<string, number> = {};
    for (let i = 0; i < w.size; i++) {
      for (const e of this.run(w, i)) {
        const key =
          e.type === 'CANCELLED'
            ? `CANCELLED_${e.reason}`
            : e.type === 'REJECTED'
              ? `REJECTED_${e.code}`
              : e.type;
        outcome[key] = (outcome[key] ?? 0) + 1;
      }
    }
    return outcome;
  }
}

class LobDriver implements Driver {
  readonly name = 'nodejs-order-book';
  book = new LobBook();
  private readonly ids: string[];

  constructor(maxId: number) {
    // String ids are the library's API; build them outside the timed loop.
    this.ids = Array.from({ length: Math.max(maxId, HEAP_ORDERS) + 1 }, (_v, i) => String(i));
  }

  reset(): void {
    this.book = new LobBook();
  }

  run(w: Workload, i: number): void {
    const book = this.book;
    const id = this.ids[w.id[i]!]!;
    switch (w.kind[i]) {
      case LIMIT:
        book.limit({
          id,
          side: w.isBuy[i] === 1 ? LobSide.BUY : LobSide.SELL,
          price: w.price[i]!,
          size: w.quantity[i]!,
        });
        return;
      case CANCEL:
        book.cancel(id);
        return;
      case MARKET:
        book.market({ side: w.isBuy[i] === 1 ? LobSide.BUY : LobSide.SELL, size: w.quantity[i]! });
        return;
      default: {
        const price = w.price[i]!;
        if (price !== 0) book.modify(id, { price });
        else book.modify(id, { size: w.quantity[i]! });
      }
    }
  }

  rest(id: number, isBuy: boolean, price: number, quantity: number): void {
    this.book.limit({
      id: this.ids[id]!,
      side: isBuy ? LobSide.BUY : LobSide.SELL,
      price,
      size: quantity,
    });
  }
}

// ---------------------------------------------------------------------------------------------
// Measurements

interface Percentiles {
  count: number;
  p50: number;
  p99: number;
  p999: number;
  max: number;
}

interface BookResult {
  name: string;
  /** Median over the timed passes. */
  opsPerSecond: number;
  passOpsPerSecond: number[];
  latencyNs: Record<OpName | 'all', Percentiles>;
  heapBytes: number;
  heapBytesPerOrder: number;
  heapUsedTotalBytes: number;
}

function seedBook(d: Driver, w: Workload): void {
  d.reset();
  for (let i = 0; i < RESTING_SEED_ORDERS; i++) d.run(w, i);
}

function throughput(d: Driver, w: Workload): number {
  seedBook(d, w);
  const start = process.hrtime.bigint();
  for (let i = RESTING_SEED_ORDERS; i < w.size; i++) d.run(w, i);
  return Number(process.hrtime.bigint() - start) / 1e9;
}

function latency(d: Driver, w: Workload): Record<OpName | 'all', Percentiles> {
  seedBook(d, w);
  const counts = [0, 0, 0, 0];
  for (let i = RESTING_SEED_ORDERS; i < w.size; i++) counts[w.kind[i]!]!++;
  const samples = counts.map((n) => new Float64Array(n));
  const filled = [0, 0, 0, 0];
  const all = new Float64Array(OPERATIONS);
  for (let i = RESTING_SEED_ORDERS; i < w.size; i++) {
    const t0 = process.hrtime.bigint();
    d.run(w, i);
    const ns = Number(process.hrtime.bigint() - t0);
    const kind = w.kind[i]!;
    samples[kind]![filled[kind]!++] = ns;
    all[i - RESTING_SEED_ORDERS] = ns;
  }
  const result = { all: percentiles(all) } as Record<OpName | 'all', Percentiles>;
  OP_NAMES.forEach((name, kind) => (result[name] = percentiles(samples[kind]!)));
  return result;
}

/** What one hrtime.bigint() pair costs, included in every latency sample. */
function timerOverhead(): Percentiles {
  const samples = new Float64Array(100_000);
  for (let i = 0; i < samples.length; i++) {
    const t0 = process.hrtime.bigint();
    samples[i] = Number(process.hrtime.bigint() - t0);
  }
  return percentiles(samples);
}

function percentiles(values: Float64Array): Percentiles {
  values.sort();
  const at = (q: number) => values[Math.min(values.length - 1, Math.floor(q * values.length))] ?? 0;
  return {
    count: values.length,
    p50: at(0.5),
    p99: at(0.99),
    p999: at(0.999),
    max: values[values.length - 1] ?? 0,
  };
}

/** Heap retained by a book holding HEAP_ORDERS resting orders (half bids, half asks). */
function heap(d: Driver): { bytes: number; total: number } {
  d.reset();
  const before = settledHeap();
  const perSide = HEAP_ORDERS / 2;
  for (let n = 0; n < perSide; n++) {
    const away = 1 + (n % 5_000); // 5,000 levels a side, 100 orders a level
    d.rest(2 * n + 1, true, MID - away, 1 + (n % MAX_QTY));
    d.rest(2 * n + 2, false, MID + away, 1 + (n % MAX_QTY));
  }
  const total = settledHeap();
  const bytes = total - before;
  d.reset();
  return { bytes, total };
}

/**
 * Measures every driver. Each phase runs the drivers back to back, and the throughput passes
 * alternate between them, so a noisy neighbour on the machine hits both books alike.
 */
function measure(drivers: Driver[], w: Workload): BookResult[] {
  // Warm the JIT on a throwaway book; every timed run starts from a fresh one.
  for (const d of drivers) {
    seedBook(d, w);
    for (let i = RESTING_SEED_ORDERS; i < RESTING_SEED_ORDERS + WARMUP_OPERATIONS; i++) {
      d.run(w, i);
    }
  }
  const passes = drivers.map((): number[] => []);
  for (let pass = 0; pass < THROUGHPUT_PASSES; pass++) {
    drivers.forEach((d, n) => {
      settledHeap();
      passes[n]!.push(throughput(d, w));
    });
  }
  const latencies = drivers.map((d) => {
    settledHeap();
    return latency(d, w);
  });
  const heaps = drivers.map((d) => heap(d));
  return drivers.map((d, n) => {
    const seconds = [...passes[n]!].sort((a, b) => a - b)[Math.floor(THROUGHPUT_PASSES / 2)]!;
    const memory = heaps[n]!;
    return {
      name: d.name,
      opsPerSecond: Math.round(OPERATIONS / seconds),
      passOpsPerSecond: passes[n]!.map((p) => Math.round(OPERATIONS / p)),
      latencyNs: latencies[n]!,
      heapBytes: memory.bytes,
      heapBytesPerOrder: Math.round(memory.bytes / HEAP_ORDERS),
      heapUsedTotalBytes: memory.total,
    };
  });
}

// ---------------------------------------------------------------------------------------------
// Report

const us = (ns: number) => (ns / 1_000).toFixed(2);
const mb = (bytes: number) => (bytes / 1_048_576).toFixed(1);

interface Report {
  node: string;
  cpus: number;
  cpuModel: string;
  workload: {
    seed: number;
    restingSeedOrders: number;
    operations: number;
    mix: Record<string, number>;
    restingOrders: Workload['depth'];
    targetDepth: number;
  };
  results: BookResult[];
  timerOverheadNs: Percentiles;
  ratio: { throughput: number; p99: number; heap: number };
  targets: Record<string, boolean>;
  engineOutcome: Record<string, number>;
}

function printTable(r: Report): void {
  const { workload, results, ratio } = r;
  const lines: string[] = [];
  lines.push(`Node ${r.node}, ${r.cpus} CPUs (${r.cpuModel})`);
  lines.push(
    `Workload: seed ${workload.seed}; ${workload.restingSeedOrders} resting orders, then ` +
      `${workload.operations} operations: ` +
      Object.entries(workload.mix)
        .map(([k, v]) => `${k} ${v}`)
        .join(', '),
  );
  lines.push(
    `  limit prices: bids N(mid - skew, ${SIGMA_TICKS}) and asks N(mid + skew, ${SIGMA_TICKS}) ` +
      `ticks, skew steering the book to ~${workload.targetDepth} orders ` +
      `(resting: mean ${workload.restingOrders.mean}, min ${workload.restingOrders.min}, ` +
      `max ${workload.restingOrders.max})`,
  );
  lines.push('');
  const head = ['', ...results.map((b) => b.name)];
  const rows: string[][] = [
    [
      `ops/s (median of ${THROUGHPUT_PASSES})`,
      ...results.map((b) => b.opsPerSecond.toLocaleString('en-US')),
    ],
    ['heap, 1M resting orders (MB)', ...results.map((b) => mb(b.heapBytes))],
    ['heap per resting order (bytes)', ...results.map((b) => String(b.heapBytesPerOrder))],
  ];
  for (const op of [...OP_NAMES, 'all'] as const) {
    rows.push([
      `${op} p50 / p99 / p99.9 (us)`,
      ...results.map((b) => {
        const p = b.latencyNs[op];
        return `${us(p.p50)} / ${us(p.p99)} / ${us(p.p999)}`;
      }),
    ]);
  }
  const widths = head.map((_h, c) => Math.max(...[head, ...rows].map((row) => row[c]!.length)));
  const fmt = (row: string[]) => row.map((cell, c) => cell.padEnd(widths[c]!)).join('  ');
  lines.push(fmt(head));
  lines.push(widths.map((n) => '-'.repeat(n)).join('  '));
  for (const row of rows) lines.push(fmt(row));
  lines.push(
    `(latencies include the timer: one hrtime.bigint() pair costs p50 ` +
      `${us(r.timerOverheadNs.p50)} us; passes: ` +
      results.map((b) => `${b.name} ${b.passOpsPerSecond.join(' / ')}`).join('; ') +
      ' ops/s)',
  );
  lines.push('');
  lines.push(
    `ratio src/engine : nodejs-order-book = throughput x${ratio.throughput.toFixed(1)}, ` +
      `p99 x${ratio.p99.toFixed(1)} lower, heap x${ratio.heap.toFixed(1)} smaller`,
  );
  lines.push(
    'targets: ' +
      Object.entries(r.targets)
        .map(([name, ok]) => `${name} ${ok ? 'met' : 'MISSED'}`)
        .join('; '),
  );
  lines.push(`src/engine events: ${JSON.stringify(r.engineOutcome)}`);
  console.log(lines.join('\n'));
}

function main(): void {
  const w = generate();
  if (process.argv.includes('--profile-engine')) {
    // For `node --cpu-prof --import tsx tools/bench/engine.ts --profile-engine`.
    const driver = new EngineDriver();
    for (let round = 0; round < 5; round++) {
      const seconds = throughput(driver, w);
      console.log(`src/engine: ${Math.round(OPERATIONS / seconds).toLocaleString('en-US')} ops/s`);
    }
    return;
  }
  const mix: Record<string, number> = { limit: 0, cancel: 0, market: 0, amend: 0 };
  for (let i = RESTING_SEED_ORDERS; i < w.size; i++) mix[OP_NAMES[w.kind[i]!]!]!++;
  const engine = new EngineDriver();
  const results = measure([engine, new LobDriver(w.maxId)], w);
  const [ours, theirs] = results as [BookResult, BookResult];
  const ratio = {
    throughput: ours.opsPerSecond / theirs.opsPerSecond,
    p99: theirs.latencyNs.all.p99 / ours.latencyNs.all.p99,
    heap: theirs.heapBytes / ours.heapBytes,
  };
  const report: Report = {
    node: process.version,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    workload: {
      seed: SEED,
      restingSeedOrders: RESTING_SEED_ORDERS,
      operations: OPERATIONS,
      mix,
      restingOrders: w.depth,
      targetDepth: TARGET_DEPTH,
    },
    results,
    timerOverheadNs: timerOverhead(),
    ratio,
    targets: {
      '>= 1,000,000 ops/s': ours.opsPerSecond >= 1_000_000,
      'p99 <= 5 us (every operation type)': OP_NAMES.every((op) => ours.latencyNs[op].p99 <= 5_000),
      '>= 10x nodejs-order-book': ratio.throughput >= 10,
      '< 300 MB heap for 1M resting orders': ours.heapBytes < 300 * 1_048_576,
    },
    engineOutcome: engine.countOutcomes(w),
  };
  if (process.argv.includes('--json')) console.log(JSON.stringify(report, null, 2));
  else printTable(report);
}

withGc(import.meta.url, main);
