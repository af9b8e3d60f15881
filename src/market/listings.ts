// The symbols a new exchange lists on its first start: name, tick size and an INR reference
// price, all in paise. Reference prices seed the market simulator and the price bands.

import type { NewSymbol } from '../store/schema.ts';

interface Listing {
  symbol: string;
  name: string;
  /** INR, in paise. */
  referencePrice: number;
}

const TICK_PAISE = 5;

const LISTINGS: readonly Listing[] = [
  { symbol: 'AAPL', name: 'Apple Inc.', referencePrice: 15_234_50 },
  { symbol: 'MSFT', name: 'Microsoft Corporation', referencePrice: 35_120_00 },
  { symbol: 'NVDA', name: 'NVIDIA Corporation', referencePrice: 11_480_25 },
  { symbol: 'GOOGL', name: 'Alphabet Inc. Class A', referencePrice: 14_205_75 },
  { symbol: 'AMZN', name: 'Amazon.com, Inc.', referencePrice: 15_860_00 },
  { symbol: 'RELIANCE', name: 'Reliance Industries Ltd.', referencePrice: 2_948_60 },
  { symbol: 'TCS', name: 'Tata Consultancy Services Ltd.', referencePrice: 4_105_35 },
  { symbol: 'INFY', name: 'Infosys Ltd.', referencePrice: 1_852_40 },
  { symbol: 'HDFCBANK', name: 'HDFC Bank Ltd.', referencePrice: 1_648_95 },
  { symbol: 'ITC', name: 'ITC Ltd.', referencePrice: 468_80 },
];

export function initialListings(now: number): NewSymbol[] {
  return LISTINGS.map((l) => ({
    symbol: l.symbol,
    name: l.name,
    tick_size: TICK_PAISE,
    reference_price: l.referencePrice,
    created_at: now,
  }));
}
