/**
 * Tracks the headings that enclose the current position while a document's blocks are read in
 * order, so each block can carry its `headingsPath`.
 */
export class HeadingPath {
  readonly #open: { level: number; text: string }[] = [];

  /**
   * Enters a heading of `level` (1-6), closing any open heading at the same or a deeper level.
   * Returns the path above the new heading, which is the heading block's own `headingsPath`.
   */
  enter(level: number, text: string): string[] {
    while ((this.#open.at(-1)?.level ?? 0) >= level) this.#open.pop();
    const above = this.current();
    this.#open.push({ level, text });
    return above;
  }

  /** Titles of the open headings, outermost first. */
  current(): string[] {
    return this.#open.map((heading) => heading.text);
  }
}
