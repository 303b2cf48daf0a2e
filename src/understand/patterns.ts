// Word lists and patterns for reading a message. Kept apart so the parser stays readable.

export const ORDINALS: Record<string, number> = {
  first: 0, "1st": 0, one: 0, second: 1, "2nd": 1, two: 1, third: 2, "3rd": 2, three: 2, fourth: 3, "4th": 3, four: 3,
  fifth: 4, "5th": 4, five: 4, sixth: 5, "6th": 5, seventh: 6, "7th": 6, eighth: 7, "8th": 7, ninth: 8, "9th": 8, tenth: 9, "10th": 9,
  last: -1,
};

export const POSITIVE = /\b(lov(e|ed|es|ing)|lik(e|ed|es)|enjoy(ed|s)?|ador(e|ed)|favou?rites?|great|awesome|amazing|fantastic|brilliant|fan of|into|best|good|fun)\b/i;
export const NEGATIVE = /\b(hat(e|ed|es)|dislik(e|ed|es)|boring|awful|terrible|worst|bad|can'?t stand|not (a )?fan|didn'?t (like|enjoy|love)|don'?t (like|enjoy|love)|not into|meh|overrated|disappointing)\b/i;

/** Category synonyms people use, mapped to catalog category names (only those the catalog has are used). */
export const CATEGORY_SYNONYMS: Record<string, string> = {
  "science fiction": "sci-fi", "sci fi": "sci-fi", scifi: "sci-fi", "sci-fi": "sci-fi", "space": "sci-fi",
  scary: "horror", horror: "horror", horrors: "horror", slasher: "horror", gore: "horror",
  funny: "comedy", comedy: "comedy", comedies: "comedy", comedic: "comedy", hilarious: "comedy", laugh: "comedy",
  romantic: "romance", romance: "romance", "rom com": "romance", romcom: "romance", love: "romance",
  action: "action", thriller: "thriller", thrillers: "thriller", suspense: "thriller", drama: "drama", dramas: "drama", dramatic: "drama",
  animated: "animation", animation: "animation", cartoon: "animation", cartoons: "animation", anime: "animation",
  documentary: "documentary", documentaries: "documentary", docs: "documentary", family: "family", kids: "family", children: "family",
  fantasy: "fantasy", mystery: "mystery", mysteries: "mystery", crime: "crime", war: "war", western: "western", westerns: "western",
  musical: "musical", musicals: "musical", music: "music", biography: "biography", biopic: "biography", biopics: "biography",
  history: "history", historical: "history", sport: "sport", sports: "sport", adventure: "adventure", adventures: "adventure",
  noir: "film-noir", superhero: "action", superheroes: "action",
};
