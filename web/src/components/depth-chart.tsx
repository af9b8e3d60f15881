// The depth chart: cumulative shares by price from the same live book the ladder shows, bids
// green stepping out to the left, asks red stepping out to the right, the mid and spread marked,
// and a read-out of the level under the pointer. Drawn as SVG at the size its panel gives it.

import { useRef, useState, type PointerEvent } from 'react';
import { depthOf, stepAt, type Depth, type DepthStep } from '../live/depth.ts';
import type { LadderLevel } from '../live/local-book.ts';
import { price, rupees, shares } from '../money.ts';
import { useElementSize } from './element-size.ts';

const PAD = { left: 6, right: 6, top: 22, bottom: 18 };

interface Frame {
  x(paise: number): number;
  y(quantity: number): number;
  paiseAt(x: number): number;
  bottom: number;
}

function frameOf(depth: Depth, width: number, height: number): Frame {
  const plotWidth = Math.max(1, width - PAD.left - PAD.right);
  const plotHeight = Math.max(1, height - PAD.top - PAD.bottom);
  const span = depth.high - depth.low;
  // Headroom above the larger side, so its last step does not touch the read-out.
  const top = Math.max(1, depth.peak * 1.1);
  return {
    x: (paise) => PAD.left + ((paise - depth.low) / span) * plotWidth,
    y: (quantity) => PAD.top + plotHeight - (quantity / top) * plotHeight,
    paiseAt: (x) => depth.low + ((x - PAD.left) / plotWidth) * span,
    bottom: PAD.top + plotHeight,
  };
}

/** A closed step area from the best level out to the chart's edge at `edge` paise. */
function areaPath(steps: DepthStep[], edge: number, frame: Frame): string {
  const first = steps[0];
  if (first === undefined) return '';
  const parts = [`M${frame.x(first.paise)},${frame.bottom}`];
  for (const step of steps) parts.push(`H${frame.x(step.paise)}`, `V${frame.y(step.cumulative)}`);
  parts.push(`H${frame.x(edge)}`, `V${frame.bottom}`, 'Z');
  return parts.join(' ');
}

export function DepthChart(props: { symbol: string; bids: LadderLevel[]; asks: LadderLevel[] }) {
  const box = useRef<HTMLDivElement>(null);
  const { width, height } = useElementSize(box);
  const [pointer, setPointer] = useState<number>();
  const depth = depthOf(props.bids, props.asks);
  const frame = frameOf(depth, width, height);
  const hovered = pointer === undefined ? undefined : stepAt(depth, frame.paiseAt(pointer));
  const empty = depth.bids.length === 0 && depth.asks.length === 0;

  const move = (event: PointerEvent<SVGSVGElement>) =>
    setPointer(event.clientX - event.currentTarget.getBoundingClientRect().left);
  const bidTotal = depth.bids.at(-1)?.cumulative ?? 0;
  const askTotal = depth.asks.at(-1)?.cumulative ?? 0;
  const summary = `${props.symbol} depth: ${shares(bidTotal)} shares bid down to ${price(
    depth.bids.at(-1)?.price,
  )}, ${shares(askTotal)} offered up to ${price(depth.asks.at(-1)?.price)}`;

  return (
    <div ref={box} className="relative h-full min-h-24 w-full" data-testid="depth-chart">
      <p
        className="num pointer-events-none absolute inset-x-2 top-1 truncate text-xs"
        data-testid="depth-readout"
      >
        {hovered !== undefined ? (
          <span className={hovered.side === 'BUY' ? 'text-up' : 'text-down'}>
            {hovered.side === 'BUY' ? 'Bids ≥' : 'Asks ≤'} {price(hovered.step.price)}:{' '}
            {shares(hovered.step.cumulative)} shares
          </span>
        ) : empty ? (
          <span className="text-dim">no orders in the book</span>
        ) : (
          <span className="text-dim">
            {depth.mid === undefined
              ? 'one-sided book'
              : `mid ${rupees(Math.round(depth.mid), { symbol: false })}`}
            {depth.spread !== undefined && ` · spread ${rupees(depth.spread, { symbol: false })}`}
          </span>
        )}
      </p>
      {width > 0 && height > 0 && (
        <svg
          width={width}
          height={height}
          role="img"
          aria-label={summary}
          className="absolute inset-0 touch-none"
          onPointerMove={move}
          onPointerDown={move}
          onPointerLeave={() => setPointer(undefined)}
        >
          <line
            x1={PAD.left}
            x2={width - PAD.right}
            y1={frame.bottom}
            y2={frame.bottom}
            className="stroke-edge"
          />
          <path
            d={areaPath(depth.bids, depth.low, frame)}
            className="fill-up/20 stroke-up"
            strokeWidth={1.5}
            data-testid="depth-bids"
          />
          <path
            d={areaPath(depth.asks, depth.high, frame)}
            className="fill-down/20 stroke-down"
            strokeWidth={1.5}
            data-testid="depth-asks"
          />
          {depth.mid !== undefined && (
            <line
              x1={frame.x(depth.mid)}
              x2={frame.x(depth.mid)}
              y1={PAD.top}
              y2={frame.bottom}
              className="stroke-dim"
              strokeDasharray="3 3"
              data-testid="depth-mid"
            />
          )}
          {hovered !== undefined && (
            <g className={hovered.side === 'BUY' ? 'stroke-up' : 'stroke-down'}>
              <line
                x1={frame.x(hovered.step.paise)}
                x2={frame.x(hovered.step.paise)}
                y1={PAD.top}
                y2={frame.bottom}
                strokeDasharray="2 2"
              />
              <circle
                cx={frame.x(hovered.step.paise)}
                cy={frame.y(hovered.step.cumulative)}
                r={3.5}
                className="fill-panel"
                strokeWidth={2}
              />
            </g>
          )}
          {!empty && (
            <g className="num fill-dim text-[10px]">
              <text x={PAD.left} y={height - 4}>
                {rupees(Math.round(depth.low), { symbol: false })}
              </text>
              <text x={width - PAD.right} y={height - 4} textAnchor="end">
                {rupees(Math.round(depth.high), { symbol: false })}
              </text>
              <text x={width - PAD.right} y={frame.y(depth.peak) - 3} textAnchor="end">
                {shares(depth.peak)}
              </text>
            </g>
          )}
        </svg>
      )}
    </div>
  );
}
