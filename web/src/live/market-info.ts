// Slow-changing market facts for the ticket: the fee schedule and a symbol's tick size.

import { useEffect, useState } from 'react';
import { api } from '../api/client.ts';
import type { MarketRules } from '../api/types.ts';
import { paiseOf } from '../money.ts';

export function useRules(): MarketRules | undefined {
  const [rules, setRules] = useState<MarketRules>();
  useEffect(() => {
    void api.get<MarketRules>('/api/market/rules').then(setRules);
  }, []);
  return rules;
}

export function useTickSize(symbol: string): number | undefined {
  const [tick, setTick] = useState<{ symbol: string; paise: number }>();
  useEffect(() => {
    let cancelled = false;
    void api.get<{ tick_size: string }>(`/api/market/stock/${symbol}`).then((info) => {
      if (!cancelled) setTick({ symbol, paise: paiseOf(info.tick_size) });
    });
    return () => {
      cancelled = true;
    };
  }, [symbol]);
  return tick?.symbol === symbol ? tick.paise : undefined;
}
