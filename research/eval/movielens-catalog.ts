// An in-memory catalog of MovieLens movies (movies.csv: movieId, "Title (Year)", genres), embedded with the real
// interest model from title + genres. Nothing is written to LanceDB: the evaluation only needs the flat arrays.
import { Catalog } from "../../src/catalog/catalog.ts";
import { embedItems } from "../../src/catalog/store.ts";
import type { InterestModel } from "../../src/interest/model.ts";
import type { Item } from "../../src/types.ts";
import { parseCsvObjects } from "../../src/util/csv.ts";
import { readText } from "../train/data.ts";

/** MovieLens genre names that differ from the model's labels. */
const GENRE_TO_LABEL: Record<string, string> = { children: "family" };

export function readMovielensMovies(
  moviesCsv: string,
  popularity: ReadonlyMap<string, number>,
): Item[] {
  return parseCsvObjects(readText(moviesCsv)).flatMap((row) => {
    if (!row.movieId || !row.title) return [];
    const m = /^(.*?)\s*\((\d{4})\)\s*$/.exec(row.title.trim());
    const categories = (row.genres ?? "")
      .split("|")
      .map((g) => g.trim().toLowerCase())
      .filter((g) => g && g !== "(no genres listed)")
      .map((g) => GENRE_TO_LABEL[g] ?? g);
    // "Matrix, The" -> "The Matrix"
    const title = (m ? m[1]! : row.title.trim()).replace(/^(.*), (The|A|An)$/, "$2 $1");
    const item: Item = {
      id: row.movieId,
      title,
      ...(m ? { year: Number(m[2]) } : {}),
      text: "",
      categories,
      extra: { popularity: popularity.get(row.movieId) ?? 0 },
    };
    return [item];
  });
}

export async function movielensCatalog(
  model: InterestModel,
  moviesCsv: string,
  popularity: ReadonlyMap<string, number>,
): Promise<Catalog> {
  const items = readMovielensMovies(moviesCsv, popularity);
  if (items.length === 0)
    throw new Error(`${moviesCsv}: no movies (expected columns movieId,title,genres)`);
  const { vectors, interests } = await embedItems(model, items);
  return new Catalog(
    { items, vectors, dim: model.dim, interests, labels: model.labels },
    new Map(),
  );
}
