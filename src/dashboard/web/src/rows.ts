// The search page's result rows: batches as the streamed query's worker hands them over — one
// string of the batch's rows' JSON texts and an Int32Array of where each ends (transferred, not
// copied) — or objects (the unstreamed "newest first" rows). A row is parsed the first time it
// is asked for (the table shows a few dozen at a time). 100,000 streamed rows are ~100 strings
// on the page's heap instead of 100,000: receiving them is a copy per batch, and they give the
// garbage collector's young generation nothing to scavenge and promote (issue 17: no task
// over 50 ms while 100,000 rows stream in).
// Not thread-safe: the page's main thread owns it.

export type Ev = Record<string, any>;

interface Batch {
  first: number; // index of its first row
  text: string | null; // the rows' JSON texts one after another (null: objects below)
  ends: Int32Array | null; // where row k's text ends in text (row k starts at ends[k-1] or 0)
  objects: Ev[] | null;
}

export class RowStore {
  length = 0;
  private batches: Batch[] = [];
  private parsed = new Map<number, Ev>();

  clear(): void {
    this.length = 0;
    this.batches = [];
    this.parsed.clear();
  }

  addText(text: string, ends: Int32Array): void {
    if (!ends.length) return;
    this.batches.push({ first: this.length, text, ends, objects: null });
    this.length += ends.length;
  }

  addObjects(objects: Ev[]): void {
    if (!objects.length) return;
    this.batches.push({ first: this.length, text: null, ends: null, objects });
    this.length += objects.length;
  }

  at(i: number): Ev {
    const have = this.parsed.get(i);
    if (have) return have;
    // The batch holding row i: the last whose first row is ≤ i.
    let lo = 0;
    let hi = this.batches.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.batches[mid]!.first <= i) lo = mid;
      else hi = mid - 1;
    }
    const b = this.batches[lo];
    if (!b || i < 0 || i >= this.length) throw new RangeError(`row ${i} of ${this.length}`);
    const k = i - b.first;
    if (b.objects) return b.objects[k]!;
    const ev = JSON.parse(b.text!.slice(k ? b.ends![k - 1]! : 0, b.ends![k]!)) as Ev;
    this.parsed.set(i, ev);
    return ev;
  }
}
