// The model's reading of a message, corrected by the categories the message names: "something scary please"
// is a horror request even where the bag of words hesitates (the model gave it 25% horror, 48% comedy).
import type { InterestPrediction } from "./model.ts";

/** Share of the interests that the named categories take over. */
export const REQUESTED_SHARE = 0.5;

export function withRequested(prediction: InterestPrediction, labels: readonly string[], requested: readonly string[]): InterestPrediction {
  const hits = requested.map((c) => labels.indexOf(c)).filter((i) => i >= 0);
  if (hits.length === 0) return prediction;
  const interests = prediction.interests.map((p) => (1 - REQUESTED_SHARE) * p);
  for (const i of hits) interests[i]! += REQUESTED_SHARE / hits.length;
  return { ...prediction, interests };
}
