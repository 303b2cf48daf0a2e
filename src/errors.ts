// The one error type of chatrec. Each failure a person or a client can cause, or that stops start-up, has
// a stable code; each transport maps the code once (HTTP status, chat wording) instead of telling error
// classes apart.

export const ERROR_CODES = {
  /** A feedback or "more like this" for an id that is not in the catalog. */
  UNKNOWN_ITEM: "UNKNOWN_ITEM",
  /** The person (or the client) is over the rate limit. */
  RATE_LIMITED: "RATE_LIMITED",
  /** A message longer than CHATREC_MAX_TEXT. */
  TOO_LONG: "TOO_LONG",
  /** A request body larger than its limit. */
  BODY_TOO_LARGE: "BODY_TOO_LARGE",
  /** A request that is not what the API accepts (shape, types, values). */
  BAD_REQUEST: "BAD_REQUEST",
  /** A person the store has never seen. */
  UNKNOWN_PERSON: "UNKNOWN_PERSON",
  /** Too many turns in progress at once. */
  BUSY: "BUSY",
  /** A setting that cannot work (read once, at start-up). */
  CONFIG: "CONFIG",
  /** A catalog file that cannot be loaded. */
  CATALOG_FORMAT: "CATALOG_FORMAT",
  /** A model file that is missing or does not fit the code. */
  MODEL: "MODEL",
  /** The data folder is used by another running chatrec. */
  FOLDER_IN_USE: "FOLDER_IN_USE",
  /** Listening where it is not safe (a public address without a secret), or where the port is taken. */
  LISTEN: "LISTEN",
  /** Anything else: a bug or a failing dependency. */
  INTERNAL: "INTERNAL",
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export class ChatrecError extends Error {
  override name = "ChatrecError";
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Facts a transport may show (the unknown id, the seconds to wait). */
    readonly details: Readonly<Record<string, string | number>> = {},
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** The code of any thrown value: a ChatrecError's own, else INTERNAL. */
export function errorCode(err: unknown): ErrorCode {
  return err instanceof ChatrecError ? err.code : "INTERNAL";
}

export const unknownItem = (itemId: string) =>
  new ChatrecError("UNKNOWN_ITEM", `unknown item ${itemId}`, { itemId });
