// The slash commands, registered globally on every start (PUT /applications/:id/commands replaces the set,
// so renamed or removed commands disappear too). The /recommend hint gives an example from the catalog.
import type { Wording } from "../../src/catalog/wording.ts";
import { recommendOptionHint } from "../../src/messages.ts";

export const slashCommands = (wording: Wording) =>
  [
    {
      name: "recommend",
      description: "Recommend something, optionally from what you type",
      type: 1,
      options: [
        {
          type: 3,
          name: "what",
          description: recommendOptionHint(wording),
          required: false,
          max_length: 2000,
        },
      ],
    },
    { name: "profile", description: "What I think you like (only you see it)", type: 1 },
    {
      name: "forget",
      description: "Delete everything I know about you here (only you see it)",
      type: 1,
    },
  ] as const;

export type SlashCommandName = ReturnType<typeof slashCommands>[number]["name"];
