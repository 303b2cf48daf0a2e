// Replays ReDial dialogues through the real engine (src/replay.ts): seeker messages are the person's messages,
// recommender messages are what the bot said (recordSuggestions). At each recommender message that
// mentions movies and is not the dialogue's first message, the caller gets an instance to rank, with the
// context before that message (Kostric & Balog's de-duplicated protocol: every movie not mentioned earlier in
// the dialogue is one ground truth).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Replay } from "../../src/replay.ts";
import { loadConfig } from "../../src/config.ts";
import type { Catalog } from "../../src/catalog/catalog.ts";
import { loadRedial, type RedialConversation } from "../train/data.ts";
import type { UserRef } from "../../src/types.ts";

export interface RedialInstance {
  dialogueId: string;
  /** Index of the recommender message in the dialogue. */
  messageIndex: number;
  user: UserRef;
  /** The seeker's latest turn before this message (their consecutive messages, joined). */
  seekerText: string;
  /** Movies mentioned earlier in the dialogue (by either side): never ranked, never ground truths. */
  mentionedBefore: ReadonlySet<string>;
  /** Movies of this message not mentioned earlier: the de-duplicated ground truths (may be empty). */
  groundTruth: string[];
  /** Every movie of this message (the protocol without de-duplication). */
  allMentioned: string[];
  /** When the message was sent on the replay's clock (ms): rank as of then. */
  at: number;
}

/** ReDial dialogues with `@id` written as the movie's "Title (Year)", as a person would type it. */
export function loadRedialDialogues(path: string, catalog: Catalog): RedialConversation[] {
  const titles = new Map(
    catalog.items.map((item) => [item.id, item.year ? `${item.title} (${item.year})` : item.title]),
  );
  return loadRedial(path, titles);
}

/** Per message: its movies (once each) and the movies mentioned before it, by either side. */
function mentionsByMessage(
  d: RedialConversation,
): Array<{ movies: string[]; mentionedBefore: ReadonlySet<string> }> {
  const mentioned = new Set<string>();
  return d.messages.map((m) => {
    const entry = { movies: [...new Set(m.movies)], mentionedBefore: new Set(mentioned) };
    for (const id of m.movies) mentioned.add(id);
    return entry;
  });
}

type ProtocolInstance = Omit<RedialInstance, "user" | "seekerText" | "at">;

/** The protocol's instances of one dialogue, without replaying anything (for counting and tests). */
export function dialogueInstances(d: RedialConversation): ProtocolInstance[] {
  return instancesOf(d, mentionsByMessage(d));
}

function instancesOf(
  d: RedialConversation,
  mentions: ReturnType<typeof mentionsByMessage>,
): ProtocolInstance[] {
  return mentions.flatMap(({ movies, mentionedBefore }, i) =>
    !d.messages[i]!.seeker && i > 0 && movies.length > 0
      ? [
          {
            dialogueId: d.id,
            messageIndex: i,
            mentionedBefore,
            groundTruth: movies.filter((id) => !mentionedBefore.has(id)),
            allMentioned: movies,
          },
        ]
      : [],
  );
}

/** A seeker message that brings up movies not mentioned before (training only: the protocol ranks at recommender messages). */
export interface SeekerMentionInstance {
  user: UserRef;
  /** The message without its movie mentions ("I love horror movies like"), read as the person's request. */
  text: string;
  /** The movies it brings up that were not mentioned earlier. */
  groundTruth: string[];
  mentionedBefore: ReadonlySet<string>;
  /** When the message was sent on the replay's clock (ms). */
  at: number;
}

export interface ReplayHooks {
  /** Called at each instance, before the recommender message is recorded. */
  instance(inst: RedialInstance): Promise<void>;
  /** Called before a seeker message that brings up new movies (not the dialogue's first message) is handled. */
  seekerMentions?(inst: SeekerMentionInstance): Promise<void>;
  /** Milliseconds the bot took for each seeker message (the per-turn path). */
  turnMs?(ms: number): void;
}

/**
 * Replays one dialogue on its own clock: each message is sent at the dialogue's start plus its timeOffset, so
 * time decay sees the real gaps between messages and a replay gives the same numbers however fast it runs.
 */
export async function replayDialogue(
  replay: Replay,
  d: RedialConversation,
  user: UserRef,
  hooks: ReplayHooks,
): Promise<void> {
  const start = Date.now();
  const mentions = mentionsByMessage(d);
  const instances = new Map(instancesOf(d, mentions).map((inst) => [inst.messageIndex, inst]));
  let seekerTurn: string[] = [];
  let previousWasSeeker = false;
  for (const [i, m] of d.messages.entries()) {
    const at = start + m.offsetSeconds * 1000;
    if (m.seeker) {
      if (!previousWasSeeker) seekerTurn = [];
      const { movies, mentionedBefore } = mentions[i]!;
      const fresh = movies.filter((id) => !mentionedBefore.has(id));
      if (hooks.seekerMentions && i > 0 && fresh.length > 0)
        await hooks.seekerMentions({
          user,
          text: m.withoutMovies,
          groundTruth: fresh,
          mentionedBefore,
          at,
        });
      if (m.text) {
        seekerTurn.push(m.text);
        const started = performance.now();
        // The seeker never saw the bot's list, only the recommender's next message (recordSuggestions).
        await replay.seekerMessage(user, m.text, at);
        hooks.turnMs?.(performance.now() - started);
      }
    } else {
      const inst = instances.get(i);
      if (inst) await hooks.instance({ ...inst, user, seekerText: seekerTurn.join(" "), at });
      if (m.movies.length > 0) await replay.recordSuggestions(user, m.movies, at);
    }
    previousWasSeeker = m.seeker;
  }
}

/**
 * A real engine (Replay) on a fresh temporary data folder (real LanceDB, the shipped model unless `modelDir` names
 * another, e.g. a cross-fitting fold's), closed and removed after `fn`.
 */
export async function withReplay<T>(
  fn: (replay: Replay) => Promise<T>,
  log: (s: string) => void = () => undefined,
  modelDir?: string,
): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), "chatrec-redial-"));
  // Commit interval 0: dialogues are replayed one message after another, nothing to group.
  const replay = await Replay.open(
    loadConfig(undefined, {
      dataDir: dir,
      dbUri: join(dir, "lancedb"),
      commitIntervalMs: 0,
      ...(modelDir ? { modelDir } : {}),
    }),
    log,
  );
  try {
    return await fn(replay);
  } finally {
    await replay.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
