/** A one-line progress bar on a TTY stream; silent when the stream is not a terminal. */
export class ProgressBar {
  readonly #stream: NodeJS.WriteStream;
  readonly #label: string;
  readonly #started = performance.now();
  #total: number | undefined;
  #lastDraw = 0;

  constructor(stream: NodeJS.WriteStream, label: string, total?: number) {
    this.#stream = stream;
    this.#label = label;
    this.#total = total;
  }

  /** Redraws at most ten times a second. */
  update(done: number, detail = ''): void {
    if (!this.#stream.isTTY) return;
    const now = performance.now();
    if (now - this.#lastDraw < 100 && done !== this.#total) return;
    this.#lastDraw = now;
    const seconds = (now - this.#started) / 1000;
    const rate = seconds > 0 ? done / seconds : 0;
    const width = 28;
    let bar = '';
    if (this.#total && this.#total > 0) {
      const filled = Math.min(width, Math.round((done / this.#total) * width));
      bar = `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${this.#total}`;
    } else {
      bar = `${done}`;
    }
    const columns = this.#stream.columns ?? 100;
    const line = `${this.#label} ${bar} ${rate.toFixed(1)}/s ${detail}`.slice(0, columns - 1);
    this.#stream.write(`\r\x1b[2K${line}`);
  }

  setTotal(total: number): void {
    this.#total = total;
  }

  /** Clears the bar so the summary starts on a clean line. */
  done(): void {
    if (this.#stream.isTTY) this.#stream.write('\r\x1b[2K');
  }
}
