/** A run placed on the cost-quality plane. */
export interface ParetoPoint {
  id: string;
  /** Lower is better (cost or latency). */
  cost: number;
  /** Higher is better. */
  quality: number;
}

/**
 * The ids of the points no other point dominates (at most the cost and at least the quality,
 * strictly better in one), ordered by cost.
 */
export function paretoFrontier(points: readonly ParetoPoint[]): string[] {
  const dominated = (point: ParetoPoint) =>
    points.some(
      (other) =>
        other !== point &&
        other.cost <= point.cost &&
        other.quality >= point.quality &&
        (other.cost < point.cost || other.quality > point.quality),
    );
  return points
    .filter((point) => !dominated(point))
    .sort((a, b) => a.cost - b.cost || b.quality - a.quality)
    .map((point) => point.id);
}
