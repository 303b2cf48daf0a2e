// Latency of the interest model: single messages (p50/p99), a batch of 64, and texts per second on one core.
import { percentile as pct } from "../../src/util/stats.ts";
import type { InterestModel } from "../../src/interest/model.ts";

const SAMPLES = [
  "I love space adventures with robots and aliens",
  "something funny to watch with my kids tonight",
  "a dark crime thriller like Se7en please",
  "I liked The Notebook, any romantic dramas?",
  "no horror, maybe a documentary about music",
  "Have you seen Star Wars? I want more sci-fi like that",
  "a classic western with a great soundtrack",
  "hi",
];

export async function benchInterestModel(
  model: InterestModel,
  opts: { iterations?: number } = {},
): Promise<{
  singleMs: { p50: number; p99: number };
  batch64Ms: number;
  perCoreTextsPerSec: number;
}> {
  const iterations = opts.iterations ?? 2000;
  for (let i = 0; i < 200; i++) await model.predict([SAMPLES[i % SAMPLES.length]!]);
  const single: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const t = performance.now();
    await model.predict([SAMPLES[i % SAMPLES.length]!]);
    single.push(performance.now() - t);
  }
  single.sort((a, b) => a - b);
  const batch = Array.from({ length: 64 }, (_, i) => SAMPLES[i % SAMPLES.length]!);
  const rounds = Math.max(20, Math.floor(iterations / 20));
  for (let i = 0; i < 10; i++) await model.predict(batch);
  const t0 = performance.now();
  for (let i = 0; i < rounds; i++) await model.predict(batch);
  const batch64Ms = (performance.now() - t0) / rounds;
  return {
    singleMs: { p50: pct(single, 0.5), p99: pct(single, 0.99) },
    batch64Ms,
    perCoreTextsPerSec: 64 / (batch64Ms / 1000),
  };
}
