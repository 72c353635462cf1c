/**
 * `npm run bench -- --rounds N`: the same cases N times over; per case the
 * median speed, the median and range of its ratio to the reference of the
 * same round (each ratio is paired: both ran minutes apart on one machine),
 * and the peak RSS, median and highest.
 */
import type { BenchResult } from './bench';

export interface RoundsSummary {
  case: string;
  rounds: number;
  medianRowsPerSec: number;
  /** Each round's rows/s over that same round's reference: median, lowest, highest. */
  medianRatioToReference: number | null;
  lowestRatio: number | null;
  highestRatio: number | null;
  medianPeakRssMb: number;
  highestPeakRssMb: number;
}

/** Per case over the rounds: medians, the range of the paired ratios, the highest peak RSS. */
export function summarizeRounds(rounds: BenchResult[][]): RoundsSummary[] {
  // Every round ran the same list in the same order: a case is its place in the list (a name may be listed twice).
  return rounds[0].map(({ case: name }, index) => {
    const runs = rounds.map((round) => round[index]);
    const ratios = runs.map((r) => r.ratioToReference).filter((r): r is number => r !== null);
    const rss = runs.map((r) => r.peakRssMb);
    return {
      case: name,
      rounds: runs.length,
      medianRowsPerSec: Math.round(median(runs.map((r) => r.rowsPerSec))),
      medianRatioToReference: ratios.length > 0 ? Math.round(median(ratios) * 100) / 100 : null,
      lowestRatio: ratios.length > 0 ? Math.min(...ratios) : null,
      highestRatio: ratios.length > 0 ? Math.max(...ratios) : null,
      medianPeakRssMb: Math.round(median(rss)),
      highestPeakRssMb: Math.max(...rss),
    };
  });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}
