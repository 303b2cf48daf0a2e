// The turn pipeline's stages, in order: load -> redelivery -> understand -> read -> event -> profile ->
// rank -> commit -> reasons -> reply. Every kind of turn (a message, a bare list request, a button) runs
// the same list; a stage with nothing to do for a kind returns at once.
import { unknownItem } from "../errors.ts";
import { popularReason, reasonsFor } from "../explain/reasons.ts";
import * as say from "../messages.ts";
import { applyEvent, topInterests, type Profile } from "../profile/profile.ts";
import type { RankedItem } from "../recommend/rank.ts";
import type { OutgoingReply, Recommendation } from "../types.ts";
import { need, type TurnContext } from "./context.ts";
import { eventStage } from "./event.ts";
import type { Parts } from "./parts.ts";
import { readOnlyReply, textReply } from "./read-only.ts";
import type { Stage } from "./run.ts";
import { parse, read, referencedItem, understand as understandMessage } from "./understand.ts";

const ACTIONS: OutgoingReply["actions"] = ["like", "dislike", "seen", "more"];
/** A quote longer than this would not read as a reason. */
const MAX_PHRASE = 80;

const load: Stage<Parts> = {
  name: "load",
  async run(parts, ctx) {
    if (ctx.input.kind === "message" && ctx.text.trim() === "") {
      ctx.reply = textReply(say.noText(parts.catalog.wording), "help");
      return;
    }
    ctx.state = await parts.store.load(ctx.key, parts.catalog, ctx.now);
  },
};

/** A message id already on record is answered with the reply it got, and changes nothing. */
const redelivery: Stage<Parts> = {
  name: "redelivery",
  async run(parts, ctx) {
    const { messageId } = ctx.input;
    const seq =
      messageId === undefined ? undefined : need(ctx.state, "state").messageIds.get(messageId);
    if (messageId === undefined || seq === undefined) return;
    const sent = parts.sentReply(ctx.key, messageId);
    // Not in memory any more (a restart): the items the event on record showed.
    ctx.reply =
      sent ?? shownAgain(parts, ctx, (await parts.store.eventAt(ctx.key, seq))?.shown ?? []);
  },
};

const understand: Stage<Parts> = {
  name: "understand",
  async run(parts, ctx) {
    const { input } = ctx;
    if (input.kind === "feedback") {
      if (!parts.catalog.item(input.itemId)) throw unknownItem(input.itemId);
      return;
    }
    if (input.kind !== "message") return;
    const { profile } = need(ctx.state, "state");
    const parsed = parse(parts, ctx.text, profile);
    ctx.parsed = parsed;
    ctx.referenced = referencedItem(profile, parsed);
    ctx.understanding = understandMessage(parts, parsed, ctx.text, ctx.referenced);
    if (parsed.intent === "forget") {
      await parts.store.forget(ctx.key);
      ctx.reply = textReply(say.forgotten(), "forget");
      return;
    }
    ctx.readOnly = await readOnlyReply(parts, parsed, profile, ctx.referenced);
  },
};

const readStage: Stage<Parts> = {
  name: "read",
  async run(parts, ctx) {
    if (ctx.input.kind !== "message" || ctx.readOnly) return;
    // Nothing understood: the model's reading of it would only be noise in the profile.
    if (ctx.understanding?.understood === false) return;
    ctx.reading = await read(parts, need(ctx.parsed, "parsed"), ctx.text);
  },
};

const event: Stage<Parts> = { name: "event", run: eventStage };

const profile: Stage<Parts> = {
  name: "profile",
  run(parts, ctx) {
    if (ctx.readOnly) return;
    // Applied first so the reply already reflects this turn; what is shown joins the same event.
    ctx.preview = applyEvent(
      need(ctx.state, "state").profile,
      need(ctx.event, "event"),
      parts.catalog,
    );
  },
};

const rank: Stage<Parts> = {
  name: "rank",
  async run(parts, ctx) {
    if (ctx.readOnly) return;
    const { message, anchor, popular } = need(ctx.list, "list");
    if (popular) {
      ctx.ranked = parts.ranker.popular({
        profile: need(ctx.preview, "preview"),
        limit: ctx.limit,
        mmrLambda: parts.config.mmrLambda,
      });
      return;
    }
    const request = {
      profile: need(ctx.preview, "preview"),
      ...message,
      ...(anchor ? { anchorItemId: anchor } : {}),
      limit: ctx.limit,
      mmrLambda: parts.config.mmrLambda,
    };
    ctx.ranked = parts.itemIndex
      ? parts.ranker.rankFrom(request, parts.itemIndex)
      : parts.ranker.rank(request);
  },
};

/** Starts the durable write; the reasons are written while it goes to disk. */
const commit: Stage<Parts> = {
  name: "commit",
  run(parts, ctx) {
    const event = need(ctx.event, "event");
    const listShown = ctx.input.kind !== "message" || ctx.input.listShown !== false;
    if (ctx.ranked && listShown)
      event.shown = ctx.ranked.map((r) => parts.catalog.items[r.row]!.id);
    ctx.committed = parts.store.commit(ctx.key, need(ctx.state, "state"), event, parts.catalog);
  },
};

const reasons: Stage<Parts> = {
  name: "reasons",
  run(parts, ctx) {
    if (ctx.readOnly) return;
    const { phrase, popular, message, anchors } = need(ctx.list, "list");
    const preview = need(ctx.preview, "preview");
    const bounds = ctx.parsed?.constraints;
    const asked = {
      requested: message.requested ?? [],
      yearsAsked: bounds?.minYear !== undefined || bounds?.maxYear !== undefined,
      anchors: anchors ?? [],
      ...(parts.ranker.attributes ? { attributes: parts.ranker.attributes } : {}),
    };
    ctx.recommendations = need(ctx.ranked, "ranked").map((r) =>
      popular
        ? popularRecommendation(parts, r)
        : toRecommendation(parts, r, preview, phrase, message.requestedPeople, asked),
    );
  },
};

const reply: Stage<Parts> = {
  name: "reply",
  async run(parts, ctx) {
    await ctx.committed;
    if (ctx.readOnly) {
      ctx.reply = ctx.readOnly;
      return;
    }
    const recommendations = need(ctx.recommendations, "recommendations");
    const { lead, popular } = need(ctx.list, "list");
    const { catalog } = parts;
    const heading = popular
      ? say.popularMeanwhile(catalog.wording, catalog.hasPopularity)
      : say.PICKS;
    const text = recommendations.length
      ? `${lead} ${heading}`
      : `${lead} ${popular ? "" : say.NOTHING_FITS}`;
    ctx.reply = {
      text: text.trim(),
      intent: need(ctx.event, "event").intent as OutgoingReply["intent"],
      recommendations,
      interests: topInterests(need(ctx.state, "state").profile, parts.catalog.interestLabels),
      actions: ACTIONS,
    };
  },
};

/** The stages that read the profile store: the main thread runs them even when workers run the rest. */
export const STORE_STAGES: ReadonlyArray<Stage<Parts>> = [load, redelivery];

/** The rest: pure work on the loaded person, whose writes (commit, forget) a turn worker hands back. */
export const WORK_STAGES: ReadonlyArray<Stage<Parts>> = [
  understand,
  readStage,
  event,
  profile,
  rank,
  commit,
  reasons,
  reply,
];

export const TURN_STAGES: ReadonlyArray<Stage<Parts>> = [...STORE_STAGES, ...WORK_STAGES];

function toRecommendation(
  parts: Parts,
  r: RankedItem,
  profile: Profile,
  phrase?: string,
  people?: readonly string[],
  asked?: Parameters<typeof reasonsFor>[5],
): Recommendation {
  const quote = phrase && phrase.length <= MAX_PHRASE ? phrase : undefined;
  return card(parts, r, reasonsFor(parts.catalog, r, profile, quote, people, asked));
}

/** An item of the list offered after a message that was not understood: popular, and said to be only that. */
function popularRecommendation(parts: Parts, r: RankedItem): Recommendation {
  return card(parts, r, [popularReason(r, parts.catalog.wording)]);
}

/** What a reply shows of a ranked item, with its reasons. */
function card(parts: Parts, r: RankedItem, reasons: Recommendation["reasons"]): Recommendation {
  const item = parts.catalog.items[r.row]!;
  return {
    id: item.id,
    title: item.title,
    ...(item.year ? { year: item.year } : {}),
    categories: item.categories,
    score: Math.round(r.score * 1000) / 1000,
    reasons,
  };
}

/**
 * A redelivery whose first reply is no longer in memory (after a restart): the items that reply showed,
 * from the event on record, with reasons as they stand now.
 */
function shownAgain(parts: Parts, ctx: TurnContext, shown: readonly string[]): OutgoingReply {
  const { profile } = need(ctx.state, "state");
  const request = { profile, limit: 1, mmrLambda: 1 };
  const recommendations = shown.flatMap((id) => {
    const row = parts.catalog.row(id);
    const ranked = row === undefined ? undefined : parts.ranker.featuresOf(request, row);
    return ranked ? [toRecommendation(parts, ranked, profile)] : [];
  });
  return {
    text: say.REDELIVERED,
    intent: ctx.input.kind === "feedback" ? "feedback" : "recommend",
    recommendations,
    interests: topInterests(profile, parts.catalog.interestLabels),
    actions: ACTIONS,
  };
}
