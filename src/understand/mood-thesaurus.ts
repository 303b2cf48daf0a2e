// Mood words people use that no data source here contains (MovieLens tags, TMDB keywords, the catalog's
// plots and the ReDial dialogues hold "cozy" and "wholesome" nowhere, "uplifting" once): each is mapped
// onto words the data does give films, and the data decides which films those are. Only words absent from
// the data belong here (test/mood-thesaurus.test.ts checks both sides), so this never overrides what the
// data itself says a word means.
export const MOOD_THESAURUS: Readonly<Record<string, readonly string[]>> = {
  cozy: ["heartwarming", "feel-good", "touching", "sweet"],
  cosy: ["heartwarming", "feel-good", "touching", "sweet"],
  wholesome: ["heartwarming", "feel-good", "touching", "children"],
  uplifting: ["inspirational", "inspiring", "feel-good", "heartwarming"],
  lighthearted: ["feel-good", "funny", "quirky"],
  comforting: ["heartwarming", "feel-good", "nostalgia"],
  cheerful: ["feel-good", "funny"],
  gentle: ["heartwarming", "touching"],
  chill: ["feel-good", "funny", "quirky"],
  relaxing: ["feel-good", "funny", "quirky"],
  tearjerker: ["sad", "touching", "heartbreaking"],
  tearjerkers: ["sad", "touching", "heartbreaking"],
};
