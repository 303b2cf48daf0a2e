// The model's reading of a message, corrected by the categories the message names: "something scary please"
// is a horror request even where the bag of words reads it as only partly horror.
import type { InterestPrediction } from "./model.ts";

/** Share of the interests that the named categories take over. */
export const REQUESTED_SHARE = 0.5;

export function withRequested(
  prediction: InterestPrediction,
  labels: readonly string[],
  requested: readonly string[],
): InterestPrediction {
  const hits = requested.map((c) => labels.indexOf(c)).filter((i) => i >= 0);
  if (hits.length === 0) return prediction;
  const interests = prediction.interests.map((p) => (1 - REQUESTED_SHARE) * p);
  for (const i of hits) interests[i]! += REQUESTED_SHARE / hits.length;
  return { ...prediction, interests };
}
