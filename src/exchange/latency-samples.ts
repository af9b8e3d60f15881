// The last N durations of something, for percentiles on the System page: bounded memory, and
// nothing computed until asked.

export interface LatencySummary {
  samples: number;
  p50: number | null;
  p99: number | null;
  max: number | null;
}

export class LatencySamples {
  private readonly samples: number[] = [];
  private next = 0;

  constructor(private readonly capacity = 1000) {}

  record(ms: number): void {
    if (this.samples.length < this.capacity) this.samples.push(ms);
    else this.samples[this.next] = ms;
    this.next = (this.next + 1) % this.capacity;
  }

  /** Percentiles in milliseconds, rounded to microseconds; null while there are no samples. */
  summary(): LatencySummary {
    const sorted = [...this.samples].sort((a, b) => a - b);
    const at = (p: number): number | null => {
      if (sorted.length === 0) return null;
      const index = Math.min(
        sorted.length - 1,
        Math.max(0, Math.ceil((p / 100) * sorted.length) - 1),
      );
      return round3(sorted[index] ?? 0);
    };
    return { samples: sorted.length, p50: at(50), p99: at(99), max: at(100) };
  }
}

const round3 = (ms: number): number => Math.round(ms * 1000) / 1000;
