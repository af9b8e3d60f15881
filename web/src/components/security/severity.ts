// One look per severity across the dashboard: a fill for the chart and a text colour, always
// shown beside the severity's name (never colour alone).

import type { Severity } from '../../api/security-types.ts';

export const SEVERITY_FILL: Record<Severity, string> = {
  CRITICAL: 'fill-red-500',
  HIGH: 'fill-orange-400',
  MEDIUM: 'fill-amber-300',
  LOW: 'fill-slate-400',
};

export const SEVERITY_TEXT: Record<Severity, string> = {
  CRITICAL: 'text-red-400 font-semibold',
  HIGH: 'text-orange-400',
  MEDIUM: 'text-amber-300',
  LOW: 'text-slate-300',
};
