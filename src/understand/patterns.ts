// Word lists and patterns for reading a message. Kept apart so the parser stays readable.

export const ORDINALS: Record<string, number> = {
  first: 0,
  "1st": 0,
  one: 0,
  second: 1,
  "2nd": 1,
  two: 1,
  third: 2,
  "3rd": 2,
  three: 2,
  fourth: 3,
  "4th": 3,
  four: 3,
  fifth: 4,
  "5th": 4,
  five: 4,
  sixth: 5,
  "6th": 5,
  seventh: 6,
  "7th": 6,
  eighth: 7,
  "8th": 7,
  ninth: 8,
  "9th": 8,
  tenth: 9,
  "10th": 9,
  last: -1,
};

export const POSITIVE =
  /\b(lov(e|ed|es|ing)|lik(e|ed|es)|enjoy(ed|s)?|ador(e|ed)|favou?rites?|great|awesome|amazing|fantastic|brilliant|fan of|into|best|good|fun)\b/i;
export const NEGATIVE =
  /\b(hat(e|ed|es)|dislik(e|ed|es)|boring|awful|terrible|worst|bad|can'?t stand|not (a )?fan|didn'?t (like|enjoy|love)|don'?t (like|enjoy|love)|not into|meh|overrated|disappointing)\b/i;

/** Category synonyms people use, mapped to catalog category names (only those the catalog has are used). */
export const CATEGORY_SYNONYMS: Record<string, string> = {
  "science fiction": "sci-fi",
  "sci fi": "sci-fi",
  scifi: "sci-fi",
  "sci-fi": "sci-fi",
  space: "sci-fi",
  scary: "horror",
  horror: "horror",
  horrors: "horror",
  slasher: "horror",
  gore: "horror",
  funny: "comedy",
  comedy: "comedy",
  comedies: "comedy",
  comedic: "comedy",
  hilarious: "comedy",
  laugh: "comedy",
  romantic: "romance",
  romance: "romance",
  "rom com": "romance",
  romcom: "romance",
  love: "romance",
  action: "action",
  thriller: "thriller",
  thrillers: "thriller",
  suspense: "thriller",
  drama: "drama",
  dramas: "drama",
  dramatic: "drama",
  animated: "animation",
  animation: "animation",
  cartoon: "animation",
  cartoons: "animation",
  anime: "animation",
  documentary: "documentary",
  documentaries: "documentary",
  docs: "documentary",
  family: "family",
  kids: "family",
  children: "family",
  fantasy: "fantasy",
  mystery: "mystery",
  mysteries: "mystery",
  crime: "crime",
  war: "war",
  western: "western",
  westerns: "western",
  musical: "musical",
  musicals: "musical",
  music: "music",
  biography: "biography",
  biopic: "biography",
  biopics: "biography",
  history: "history",
  historical: "history",
  sport: "sport",
  sports: "sport",
  adventure: "adventure",
  adventures: "adventure",
  noir: "film-noir",
  superhero: "action",
  superheroes: "action",
};

/**
 * Words that ask for something to watch or read, or talk about the items: with one of them a message is
 * about the catalog even when nothing else in it is recognised ("can you recommend me something", "a
 * mystery novel" in a books catalog whose categories are authors).
 */
export const FILM_WORDS =
  /\b(?:movies?|films?|flicks?|cinema|books|(?:a|the|any|some|good|new) book|novels?|stor(?:y|ies)|articles?|(?:a|good) read|reads|reading|watch(?:ed|ing)?|recommend(?:ations?|ed)?|suggest(?:ions?|ed)?|picks?|surprise me|in the mood|something to see|trailers?|sequels?|prequels?|remakes?|actors?|actress(?:es)?|directors?|directed|starring|genres?|plots?|endings?|cast|something|anything)\b/i;

/**
 * How people describe what a film should be like, beyond category names: a message made of these says what
 * the person is in the mood for ("something dark and twisty", "feel-good stuff").
 */
export const MOOD_WORDS =
  /\b(?:dark|darker|light|lighter|light-?hearted|funny|funnier|sad|sadder|happy|uplifting|feel[- ]?good|heart-?warming|wholesome|cozy|cosy|chill|relaxing|intense|gritty|violent|gory|creepy|spooky|eerie|scary|scarier|romantic|epic|slow|slow-?burn|fast-?paced|thought-?provoking|mind-?bending|mind-?blowing|twisty|twists?|weird|quirky|whimsical|cheesy|campy|classic|classics|old|older|oldies|newer|recent|clever|smart|silly|goofy|emotional|tear-?jerkers?|inspiring|inspirational|cute|nostalgic|atmospheric|suspenseful|tense|disturbing|bleak|beautiful|stylish|artsy|arty|indie|foreign|underrated|hidden gems?|cult|acclaimed|oscars?|award-?winning|true stor(?:y|ies)|based on|date night|rainy day|binge|bingeable|short|long|easy|mindless|brainy|deep|moody|trippy|surreal|raunchy|dramatic|exciting|thrilling|action-?packed|adventurous|magical|animated|musical|bittersweet|melancholic|melancholy|heartbreaking|cheerful|cheer(?: me)? up|shorter|longer|fun)\b/i;

/**
 * Function words of other languages that are not English words too, for noticing a message written in
 * another language. Kept short and unambiguous ("die", "me", "a", "in" are left out).
 */
export const FOREIGN_FUNCTION_WORDS: Readonly<Record<string, ReadonlySet<string>>> = {
  german: new Set(
    "ich du mir mich dir dich wir ihr einen einem einer eine ein der das und oder nicht kein keine kannst kann können möchte möchten bitte ist sind mit für über auch noch etwas was wie welche welchen gibt empfehlen empfiehl lustigen lustig guten gut schön mag magst mögen gerne filme".split(
      " ",
    ),
  ),
  french: new Set(
    "je tu il nous vous une des les est sont avec pour pas mais aussi quelque chose quel quelle peux pouvez voudrais veux aimerais conseiller recommander drôle bien très moi toi merci".split(
      " ",
    ),
  ),
  spanish: new Set(
    "yo tú una unos unas los las el es son para pero también algo alguna algún puedes quiero quisiera recomendar recomiendas película películas divertida divertido buena bueno muy gracias qué cuál".split(
      " ",
    ),
  ),
  italian: new Set(
    "io tu una il lo gli della sono anche qualcosa puoi vorrei voglio consigliare consigli divertente bello molto grazie che cosa quale".split(
      " ",
    ),
  ),
  portuguese: new Set(
    "eu você uma os é são com para mas também algo alguma pode quero queria recomendar engraçado engraçada bom boa muito obrigado obrigada filmes".split(
      " ",
    ),
  ),
  dutch: new Set(
    "ik jij je mij een het de en niet kun kunt wil graag grappige leuke leuk goed heel bedankt iets welke aanraden".split(
      " ",
    ),
  ),
};
