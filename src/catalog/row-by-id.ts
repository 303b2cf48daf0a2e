// Each item id's row, in one typed array (open addressing, linear probing) rather than a Map: at a million
// items a Map's entries take about 50 MB for the collector to walk at every major collection, these 8 MB.
// The ids themselves stay where they are, in the items.

/** FNV-1a over the UTF-16 code units. */
function hash(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

export class RowById {
  /** Row + 1 of the id hashed near each slot; 0 for an empty slot. */
  private readonly slots: Int32Array;
  private readonly mask: number;

  /** `idOf(row)` for rows 0 .. rows - 1; of rows sharing an id, the last one is its row. */
  constructor(
    private readonly idOf: (row: number) => string,
    rows: number,
  ) {
    // At most half full, so a probe meets an empty slot soon.
    const size = 2 ** Math.ceil(Math.log2(Math.max(2, 2 * rows)));
    this.slots = new Int32Array(size);
    this.mask = size - 1;
    for (let row = 0; row < rows; row++) this.slots[this.slotOf(idOf(row))] = row + 1;
  }

  get(id: string): number | undefined {
    const row = this.slots[this.slotOf(id)]! - 1;
    return row < 0 ? undefined : row;
  }

  /** The slot holding `id`, else the empty slot where it would go. */
  private slotOf(id: string): number {
    const { slots, mask } = this;
    let s = hash(id) & mask;
    while (slots[s] !== 0 && this.idOf(slots[s]! - 1) !== id) s = (s + 1) & mask;
    return s;
  }
}
