import { describe, expect, it } from 'vitest';
import { ohlcLegend } from './ohlc-legend.ts';

const candle = { time: 1, open: '4100.00', high: '4125.50', low: '4090.05', close: '4104.10' };

describe('OHLC legend', () => {
  it('shows open, high, low, close and volume with en-IN grouping', () => {
    const legend = ohlcLegend({ ...candle, volume: 123_456 });
    expect(legend.items).toEqual([
      { label: 'O', value: '4,100.00' },
      { label: 'H', value: '4,125.50' },
      { label: 'L', value: '4,090.05' },
      { label: 'C', value: '4,104.10' },
      { label: 'V', value: '1,23,456' },
    ]);
    expect(legend.change).toBe('+4.10 (+0.10%)');
    expect(legend.direction).toBe('up');
  });

  it('signs a falling candle down and a flat one flat', () => {
    expect(ohlcLegend({ ...candle, close: '4090.05', volume: 1 })).toMatchObject({
      change: '−9.95 (−0.24%)',
      direction: 'down',
    });
    expect(ohlcLegend({ ...candle, close: '4100.00', volume: 0 })).toMatchObject({
      change: '0.00 (0.00%)',
      direction: 'flat',
    });
  });
});
