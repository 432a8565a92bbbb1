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
    const head = `${this.#label} ${bar} ${rate.toFixed(1)}/s`;
    // One column stays free so the cursor never wraps; a long path loses its start, not its file name.
    const room = columns - 1 - head.length - 1;
    const shown = detail === '' || room <= 0 ? '' : ` ${fitFromEnd(detail, room)}`;
    this.#stream.write(`\r\x1b[2K${`${head}${shown}`.slice(0, columns - 1)}`);
  }

  setTotal(total: number): void {
    this.#total = total;
  }

  /** Clears the bar so the summary starts on a clean line. */
  done(): void {
    if (this.#stream.isTTY) this.#stream.write('\r\x1b[2K');
  }
}

/** The end of `text` in at most `width` characters, with an ellipsis where the start was dropped. */
function fitFromEnd(text: string, width: number): string {
  const chars = [...text];
  if (chars.length <= width) return text;
  return width === 1 ? '…' : `…${chars.slice(chars.length - width + 1).join('')}`;
}
