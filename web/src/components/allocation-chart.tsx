// The portfolio's allocation as a donut: cash and each holding's market value, in paise.

import { percent, rupees } from '../money.ts';

const COLOURS = [
  '#58a6ff',
  '#3fb950',
  '#d29922',
  '#bc8cff',
  '#f778ba',
  '#39c5cf',
  '#ff7b72',
  '#a5d6ff',
];
const RADIUS = 60;
const CIRCUMFERENCE = 2 * Math.PI * RADIUS;

export interface Slice {
  label: string;
  paise: number;
}

export function AllocationChart({ slices }: { slices: Slice[] }) {
  const total = slices.reduce((n, s) => n + Math.max(0, s.paise), 0);
  let offset = 0;
  return (
    <figure className="flex flex-wrap items-center gap-4" aria-label="Allocation">
      <svg
        viewBox="0 0 160 160"
        className="h-40 w-40 shrink-0"
        role="img"
        aria-label="Allocation chart"
      >
        <circle cx="80" cy="80" r={RADIUS} fill="none" stroke="#243042" strokeWidth="24" />
        {total > 0 &&
          slices.map((slice, i) => {
            // Geometry only: the figures shown beside it are exact paise.
            const length = (Math.max(0, slice.paise) / total) * CIRCUMFERENCE;
            const arc = (
              <circle
                key={slice.label}
                cx="80"
                cy="80"
                r={RADIUS}
                fill="none"
                stroke={COLOURS[i % COLOURS.length]}
                strokeWidth="24"
                strokeDasharray={`${length} ${CIRCUMFERENCE - length}`}
                strokeDashoffset={-offset}
                transform="rotate(-90 80 80)"
              />
            );
            offset += length;
            return arc;
          })}
      </svg>
      <figcaption>
        <ul className="flex flex-col gap-1 text-sm">
          {slices.map((slice, i) => (
            <li key={slice.label} className="flex items-center gap-2">
              <span
                className="inline-block h-2.5 w-2.5 rounded-sm"
                style={{ background: COLOURS[i % COLOURS.length] }}
                aria-hidden="true"
              />
              <span className="w-16 font-semibold">{slice.label}</span>
              <span className="num w-28 text-right">{rupees(slice.paise)}</span>
              <span className="num w-14 text-right text-dim">
                {percent(slice.paise, total).replace('+', '')}
              </span>
            </li>
          ))}
        </ul>
      </figcaption>
    </figure>
  );
}
