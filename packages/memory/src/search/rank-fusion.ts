import type { MemorySearchCandidate, MemorySearchPath, MemorySearchPathRank } from '@lightspeed/ports';

/*
 * Reciprocal rank fusion (Cormack, Clarke & Büttcher, SIGIR 2009): a hit's fused score is
 * Σ weight_p / (k + rank_p) over the paths that returned it. Ranks, not scores, are combined, so
 * paths whose scores mean different things (ts_rank_cd, cosine, evidence weight) fuse without
 * calibration; k = 60 damps the difference between the very top ranks.
 */

export const RRF_K = 60;

export interface FusedHit {
  eventId: string;
  score: number;
  paths: Partial<Record<MemorySearchPath, MemorySearchPathRank>>;
}

export function reciprocalRankFusion(lists: Partial<Record<MemorySearchPath, readonly MemorySearchCandidate[]>>, weights: Record<MemorySearchPath, number>, k: number = RRF_K): FusedHit[] {
  const fused = new Map<string, FusedHit>();
  for (const [path, candidates] of Object.entries(lists) as [MemorySearchPath, readonly MemorySearchCandidate[]][]) {
    const weight = weights[path];
    if (!(weight > 0)) continue;
    candidates.forEach((candidate, index) => {
      const rank = index + 1;
      const hit = fused.get(candidate.eventId) ?? { eventId: candidate.eventId, score: 0, paths: {} };
      hit.score += weight / (k + rank);
      hit.paths[path] = { rank, score: candidate.score };
      fused.set(candidate.eventId, hit);
    });
  }
  // Ties (same ranks on different paths) fall to the best single rank, then the id: a stable order for paging.
  const best = (hit: FusedHit) => Math.min(...Object.values(hit.paths).map((p) => p.rank));
  return [...fused.values()].sort((a, b) => b.score - a.score || best(a) - best(b) || (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0));
}
