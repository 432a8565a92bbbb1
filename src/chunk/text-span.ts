/** A piece of a text with its offsets: `text === source.slice(start, end)`. */
export interface TextSpan {
  text: string;
  start: number;
  end: number;
}
