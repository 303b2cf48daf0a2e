// Simulated people for the load test and the fault tests: each one chats in a loop over the HTTP API
// (messages with message ids, now and then feedback on a recommendation or a look at their profile) and
// every answer is reported, so callers can count acknowledgements, errors and latency. Every message, a
// question such as "why?" too, is stored as an event under its message id.

const TEXTS = [
  "I loved Inception and The Matrix, something like those but no horror",
  "funny animated movies for kids",
  "a slow romantic drama",
  "more like the second one",
  "not that one",
  "I've seen it",
  "space adventures with good effects",
  "crime thrillers from the 90s",
  "something scary for halloween",
  "a musical with great songs",
  "war movies based on true stories",
  "I liked Toy Story",
  "why?",
];

export interface Answer {
  person: string;
  kind: "message" | "feedback" | "profile";
  /** Set for messages and feedback: the id an acknowledged update is stored under. */
  messageId?: string;
  status: number;
  /** Network failure instead of an HTTP answer. */
  failure?: string;
  ms: number;
}

export interface SimulationOptions {
  base: string;
  people: number;
  /** Prefix for user ids, so several runs on one data folder do not collide. */
  prefix: string;
  /** Checked before each request: the loop ends when it returns true. */
  stop: () => boolean;
  onAnswer: (a: Answer) => void;
  /** Extra request headers. */
  headers?: Record<string, string>;
}

async function timed(
  person: string,
  kind: Answer["kind"],
  messageId: string | undefined,
  run: () => Promise<Response>,
): Promise<{ answer: Answer; body: unknown }> {
  const t0 = performance.now();
  try {
    const res = await run();
    const body: unknown = res.status === 200 ? await res.json() : await res.text();
    return {
      answer: {
        person,
        kind,
        ...(messageId ? { messageId } : {}),
        status: res.status,
        ms: performance.now() - t0,
      },
      body,
    };
  } catch (err) {
    return {
      answer: {
        person,
        kind,
        ...(messageId ? { messageId } : {}),
        status: 0,
        failure: err instanceof Error ? err.message : String(err),
        ms: performance.now() - t0,
      },
      body: undefined,
    };
  }
}

async function personLoop(index: number, o: SimulationOptions): Promise<void> {
  const person = `${o.prefix}-${index}`;
  const headers = { "content-type": "application/json", ...o.headers };
  let lastList: string[] = [];
  for (let turn = 0; !o.stop(); turn++) {
    const messageId = `${person}-m${turn}`;
    let result: { answer: Answer; body: unknown };
    if (turn % 4 === 3 && lastList.length > 0) {
      const itemId = lastList[turn % lastList.length]!;
      const body = JSON.stringify({
        user: { id: person },
        itemId,
        signal: turn % 8 === 3 ? "like" : "dislike",
        messageId,
      });
      result = await timed(person, "feedback", messageId, () =>
        fetch(`${o.base}/v1/feedback`, { method: "POST", headers, body }),
      );
    } else if (turn % 10 === 9) {
      result = await timed(person, "profile", undefined, () =>
        fetch(`${o.base}/v1/users/${person}/profile`, { headers: o.headers ?? {} }),
      );
    } else {
      const body = JSON.stringify({
        user: { id: person },
        text: TEXTS[(index + turn) % TEXTS.length],
        messageId,
      });
      result = await timed(person, "message", messageId, () =>
        fetch(`${o.base}/v1/messages`, { method: "POST", headers, body }),
      );
    }
    o.onAnswer(result.answer);
    const recs = (result.body as { recommendations?: Array<{ id: string }> } | undefined)
      ?.recommendations;
    if (recs && recs.length > 0) lastList = recs.map((r) => r.id);
    if (result.answer.failure) return; // the server went away (fault tests): this person stops
  }
}

/** Runs `people` loops concurrently until `stop()`; resolves when every loop has ended. */
export async function simulatePeople(o: SimulationOptions): Promise<void> {
  await Promise.all(Array.from({ length: o.people }, (_, i) => personLoop(i, o)));
}
