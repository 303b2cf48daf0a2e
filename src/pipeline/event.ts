// The event stage: what this turn changes in the profile (one ProfileEvent) and what its list is made of.
import { confidence, topInterests, type Ask, type ProfileEvent } from "../profile/profile.ts";
import type { PersonState } from "../profile/store.ts";
import * as say from "../messages.ts";
import type { ParsedMention, ParsedMessage } from "../understand/parse.ts";
import type { Understanding } from "../understand/understood.ts";
import { need, type ListRequest, type MessageRequest, type TurnContext } from "./context.ts";
import type { Parts } from "./parts.ts";
import { messageRequest } from "./understand.ts";

type EventFields = Omit<ProfileEvent, "seq" | "at" | "messageId" | "text" | "shown" | "signals"> &
  Partial<Pick<ProfileEvent, "shown" | "signals">>;

/** The one way a profile event is made: the next sequence number, the turn's time, its message id. */
export function newEvent(
  state: PersonState,
  at: number,
  fields: EventFields,
  origin: { messageId?: string | undefined; text?: string | undefined } = {},
): ProfileEvent {
  const { kind, intent, signals = [], shown = [], ...rest } = fields;
  return {
    seq: state.profile.seq + 1,
    at,
    kind,
    intent,
    ...(origin.messageId ? { messageId: origin.messageId } : {}),
    ...(origin.text !== undefined ? { text: origin.text } : {}),
    signals,
    shown,
    ...rest,
  };
}

export function eventStage(parts: Parts, ctx: TurnContext): void {
  const state = need(ctx.state, "state");
  const { input } = ctx;
  const origin = {
    messageId: input.messageId,
    ...(input.kind === "message" && parts.config.storeMessageText ? { text: ctx.text } : {}),
  };
  if (ctx.readOnly) {
    // On record like every processed message (a redelivery is recognised); the profile stays as it was.
    const intent = need(ctx.parsed, "parsed").intent;
    ctx.event = newEvent(state, ctx.now, { kind: "message", intent, passive: true }, origin);
    return;
  }
  if (input.kind === "profile-only") {
    ctx.event = newEvent(state, ctx.now, { kind: "message", intent: "recommend" }, origin);
    ctx.list = { message: {}, lead: "" };
    return;
  }
  if (input.kind === "feedback") {
    const title = parts.catalog.item(input.itemId)!.title;
    const signal = input.signal === "more" ? "click" : input.signal;
    ctx.event = newEvent(
      state,
      ctx.now,
      {
        kind: "feedback",
        intent: "feedback",
        signals: [{ itemId: input.itemId, signal }],
      },
      origin,
    );
    ctx.list = {
      message: {},
      anchor: input.signal === "more" ? input.itemId : undefined,
      lead: say.feedbackNote[input.signal](title),
    };
    return;
  }
  messageEvent(parts, ctx, state, origin);
}

function messageEvent(
  parts: Parts,
  ctx: TurnContext,
  state: PersonState,
  origin: { messageId?: string | undefined; text?: string | undefined },
): void {
  const parsed = need(ctx.parsed, "parsed");
  const understanding = need(ctx.understanding, "understanding");
  if (!understanding.understood) {
    // On record (a redelivery is recognised, "more" continues the list); nothing is learnt from it.
    ctx.event = newEvent(state, ctx.now, { kind: "message", intent: parsed.intent }, origin);
    const lead =
      parsed.aboutTv && parts.catalog.wording.scopeNote && understanding.why === "nothing"
        ? say.notUnderstood["out-of-scope"](parts.catalog.wording)
        : notUnderstoodLead(parts, understanding);
    ctx.list = { message: {}, lead, popular: true };
    return;
  }
  const reading = need(ctx.reading, "reading");
  const { referenced } = ctx;
  // Asking for a category by name now overrides an earlier "no ..." of it.
  const lifted = parsed.requested.filter((c) =>
    state.profile.constraints.excludeCategories.includes(c),
  );
  const event = newEvent(
    state,
    ctx.now,
    {
      kind: "message",
      intent: parsed.intent,
      signals: parsed.mentions.flatMap((m) => [
        { itemId: m.itemId, signal: "mention" as const },
        ...(m.polarity === "neutral" ? [] : [{ itemId: m.itemId, signal: m.polarity }]),
      ]),
      ...(parsed.people.length ? { people: parsed.people } : {}),
      constraints: {
        ...parsed.constraints,
        ...(lifted.length ? { allowCategories: lifted } : {}),
      },
    },
    origin,
  );
  const message = messageRequest(parts, parsed, reading);
  const own = askOf(message);
  if (isFollowUp(parsed, message, own) && state.profile.lastAsk)
    keepAsking(message, state.profile.lastAsk);
  else if (parsed.intent === "recommend") event.ask = own;
  const held = heldCategory(parts, state, parsed, message);
  if (held && !message.requested) message.requested = [held];
  // A vague "newer" holds for its request and the "more" after it; a new request that says something else ends it.
  if (state.profile.constraints.minYearLapses && message.message && !parsed.asksForMore)
    event.constraints!.endVagueYear = true;
  if (message.message) {
    event.interests = Array.from(reading.prediction.interests);
    event.embedding = Array.from(message.message);
    event.confidence = confidence(reading.prediction.interests);
  }
  const several = referencedItems(state, parsed);
  if (several.length > 0) {
    // "seen the first three", "loved the first one, hated the second", "more like the last two".
    for (const { itemId, signal } of several)
      event.signals.push({ itemId, signal: signal ?? "click" });
  } else if (parsed.signal && referenced)
    event.signals.push({ itemId: referenced, signal: parsed.signal });
  else if (parsed.intent === "critique" && referenced)
    event.signals.push({ itemId: referenced, signal: "click" });
  const lead = [
    several.length > 0
      ? acknowledgeSeveral(parts, several)
      : acknowledge(parts, parsed, referenced),
    lifted.length ? say.allowedAgain(lifted) : "",
  ]
    .filter(Boolean)
    .join(" ");
  const anchor = parsed.intent === "critique" ? referenced : parsed.moreLike;
  const anchors =
    parsed.intent === "critique" && several.length > 1
      ? several.map((r) => r.itemId)
      : anchor
        ? [anchor]
        : [];
  // "more like the last two": the list is centred on all of them, not on the first alone.
  if (anchors.length > 1 && !message.message) message.message = meanVector(parts, anchors);
  ctx.event = event;
  ctx.list = {
    message,
    anchor,
    ...(anchors.length ? { anchors } : {}),
    lead,
    phrase: parsed.intent === "recommend" ? parsed.residual : undefined,
  } satisfies ListRequest;
}

/** What a message asks for by name. */
function askOf(message: MessageRequest): Ask {
  return {
    ...(message.requestedPeople?.length ? { people: [...message.requestedPeople] } : {}),
    ...(message.collections?.length ? { collections: [...message.collections] } : {}),
    ...(message.requested?.length ? { categories: [...message.requested] } : {}),
  };
}

/**
 * A follow-up refines the last request instead of making a new one ("older", "more please", "funnier",
 * "only after 2000"): no topic, title, name or reference of its own.
 */
function isFollowUp(parsed: ParsedMessage, message: MessageRequest, own: Ask): boolean {
  return (
    parsed.intent === "recommend" &&
    !message.message &&
    !message.moodText &&
    Object.keys(own).length === 0 &&
    parsed.mentions.length === 0 &&
    parsed.moreLike === undefined &&
    (parsed.references?.length ?? 0) === 0
  );
}

/** A follow-up keeps to the people, studios and series the last request asked for, and its categories. */
function keepAsking(message: MessageRequest, ask: Ask): void {
  if (ask.people) message.requestedPeople = ask.people;
  if (ask.collections) message.collections = ask.collections;
  // "darker", "funnier" move away from the categories asked for; "older", "shorter" keep to them.
  if (ask.categories && message.critique?.field !== "reading") message.requested = ask.categories;
}

/** The reply's first sentence when the message was not understood: what went wrong. */
function notUnderstoodLead(
  parts: Parts,
  understanding: Exclude<Understanding, { understood: true }>,
): string {
  switch (understanding.why) {
    case "unknown-name":
      return say.notUnderstood["unknown-name"](parts.catalog.wording, understanding.name);
    case "did-you-mean": {
      const item = parts.catalog.item(understanding.itemId)!;
      return say.notUnderstood["did-you-mean"](parts.catalog.wording, item.title, item.year);
    }
    default:
      return say.notUnderstood[understanding.why](parts.catalog.wording);
  }
}

/** The mean of items' content vectors, as a message embedding to centre a list on. */
function meanVector(parts: Parts, ids: readonly string[]): Float32Array {
  const out = new Float32Array(parts.catalog.dim);
  for (const id of ids) {
    const row = parts.catalog.row(id);
    if (row === undefined) continue;
    const v = parts.catalog.vector(row);
    for (let d = 0; d < out.length; d++) out[d]! += v[d]! / ids.length;
  }
  return out;
}

/** A leading category this strong (share of the blended interests) is what the person has been asking for. */
const HELD_SHARE = 0.5;

/**
 * A message that only narrows the request ("only ones made after 2000 though") keeps to the category the
 * person has been asking for, when one leads their interests clearly: it is no new request.
 */
function heldCategory(
  parts: Parts,
  state: PersonState,
  parsed: ParsedMessage,
  message: ReturnType<typeof messageRequest>,
): string | undefined {
  const { constraints } = parsed;
  const narrows =
    constraints.minYear !== undefined ||
    constraints.maxYear !== undefined ||
    (constraints.excludeCategories?.length ?? 0) > 0;
  if (
    parsed.intent !== "recommend" ||
    !narrows ||
    message.message ||
    parsed.requested.length ||
    parsed.mentions.length ||
    parsed.people.length ||
    parsed.moreLike
  )
    return undefined;
  const [top] = topInterests(state.profile, parts.catalog.interestLabels, 1);
  return top && top.weight >= HELD_SHARE && !constraints.excludeCategories?.includes(top.label)
    ? top.label
    : undefined;
}

/** The items of the last list a message names together, each with the feedback given on it. */
function referencedItems(
  state: PersonState,
  parsed: ParsedMessage,
): Array<{ itemId: string; signal?: ProfileEvent["signals"][number]["signal"] }> {
  return (parsed.references ?? []).flatMap(({ index, signal }) => {
    const itemId = state.profile.lastList[index];
    return itemId ? [{ itemId, ...(signal ? { signal } : {}) }] : [];
  });
}

/** The first sentence of a reply to feedback on several items: one clause per kind of feedback. */
function acknowledgeSeveral(parts: Parts, several: ReturnType<typeof referencedItems>): string {
  const titles = (signal: string | undefined) =>
    several.filter((r) => r.signal === signal).map((r) => parts.catalog.item(r.itemId)!.title);
  const out: string[] = [];
  const seen = titles("seen");
  const liked = titles("like");
  const disliked = titles("dislike");
  const more = titles(undefined);
  if (seen.length) out.push(say.spokenFeedback.seen(say.joinTitles(seen)));
  if (liked.length) out.push(say.spokenFeedback.like(say.joinTitles(liked)));
  if (disliked.length) out.push(say.spokenFeedback.dislike(say.joinTitles(disliked)));
  if (more.length) out.push(say.moreLike(say.joinTitles(more)));
  return out.join(" ");
}

/** The reply's first sentence: what the bot took from the message. */
function acknowledge(parts: Parts, parsed: ParsedMessage, referenced: string | undefined): string {
  const titleOf = (id: string) => parts.catalog.item(id)?.title;
  const title = referenced ? titleOf(referenced) : undefined;
  if (parsed.intent === "feedback" && title)
    return parsed.signal === "seen"
      ? say.spokenFeedback.seen(title)
      : parsed.signal === "dislike"
        ? say.spokenFeedback.dislike(title)
        : say.spokenFeedback.like(title);
  if (parsed.intent === "critique" && title) return say.moreLike(title);
  const withPolarity = (...p: ParsedMention["polarity"][]) =>
    parsed.mentions.filter((m) => p.includes(m.polarity)).map((m) => m.itemId);
  const liked = withPolarity("like", "neutral");
  const disliked = withPolarity("dislike");
  const seen = withPolarity("seen");
  const parts_ = [];
  if (liked.length) parts_.push(say.startingPoint(liked.map((id) => titleOf(id)!)));
  if (disliked.length) parts_.push(say.steerClear(disliked.map((id) => titleOf(id)!)));
  if (seen.length)
    parts_.push(say.spokenFeedback.seen(seen.map((id) => titleOf(id)!).join(" and ")));
  if (parsed.constraints.excludeCategories?.length)
    parts_.push(say.noCategories(parsed.constraints.excludeCategories));
  const unsure = parsed.didYouMean !== undefined && parts.catalog.item(parsed.didYouMean);
  if (unsure) parts_.push(say.didYouMean(unsure.title, unsure.year));
  if (parsed.datedSpan) parts_.push(say.noDates(parsed.datedSpan, parts.catalog.wording));
  if (parsed.aboutTv && parts.catalog.wording.scopeNote)
    parts_.unshift(say.scopeSaid(parts.catalog.wording));
  return parts_.join(" ");
}
