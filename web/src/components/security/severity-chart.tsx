// Events by severity over the last hour as stacked SVG bars (one per five minutes), drawn by
// React from counts; each bar's counts are also in its title and in the legend's words.

import { useEffect, useMemo, useState } from 'react';
import type { SecurityEvent } from '../../api/security-types.ts';
import { SEVERITIES } from '../../api/security-types.ts';
import { bucketBySeverity } from '../../security/timeline.ts';
import { SEVERITY_FILL, SEVERITY_TEXT } from './severity.ts';

const BUCKET_MS = 5 * 60_000;
const BUCKETS = 12;
const WIDTH = 480;
const HEIGHT = 140;
const AXIS = 18;

const clock = (ms: number) => new Date(ms).toISOString().slice(11, 16);

export function SeverityChart({ events }: { events: readonly SecurityEvent[] }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), 30_000);
    return () => window.clearInterval(timer);
  }, []);
  // A new event may be newer than the last tick: count up to the newest event too.
  const newest = events[0] === undefined ? 0 : Date.parse(events[0].timestamp);
  const buckets = useMemo(
    () => bucketBySeverity(events, Math.max(now, newest), BUCKET_MS, BUCKETS),
    [events, now, newest],
  );
  const top = Math.max(1, ...buckets.map((b) => b.total));
  const bar = WIDTH / BUCKETS;
  const scale = (HEIGHT - AXIS - 4) / top;
  return (
    <figure className="flex flex-col gap-1">
      <svg
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        className="h-36 w-full max-w-xl text-[10px]"
        role="img"
        aria-label={`security events by severity, last hour, at most ${top} per five minutes`}
        data-testid="severity-chart"
      >
        {buckets.map((b, i) => {
          let y = HEIGHT - AXIS;
          return (
            <g key={b.start}>
              <title>
                {`${clock(b.start)}–${clock(b.start + BUCKET_MS)} UTC: ${SEVERITIES.map(
                  (s) => `${b.counts[s]} ${s}`,
                ).join(', ')}`}
              </title>
              <rect
                x={i * bar}
                y={0}
                width={bar}
                height={HEIGHT - AXIS}
                className="fill-transparent"
              />
              {[...SEVERITIES].reverse().map((s) => {
                const h = b.counts[s] * scale;
                y -= h;
                return h === 0 ? null : (
                  <rect
                    key={s}
                    x={i * bar + 3}
                    y={y}
                    width={bar - 6}
                    height={h}
                    className={SEVERITY_FILL[s]}
                    data-severity={s}
                  />
                );
              })}
              {i % 3 === 0 && (
                <text x={i * bar + 3} y={HEIGHT - 4} className="fill-dim num">
                  {clock(b.start)}
                </text>
              )}
            </g>
          );
        })}
        <line x1={0} x2={WIDTH} y1={HEIGHT - AXIS} y2={HEIGHT - AXIS} className="stroke-edge" />
        <text x={2} y={10} className="fill-dim num">
          max {top}
        </text>
      </svg>
      <figcaption className="flex flex-wrap gap-3 text-xs">
        {SEVERITIES.map((s) => (
          <span key={s} className={SEVERITY_TEXT[s]}>
            ■ {s}
          </span>
        ))}
        <span className="text-dim">per 5 minutes, UTC</span>
      </figcaption>
    </figure>
  );
}
