import { CairnError } from '../../spec/index.ts';

/**
 * Parses RFC 4180 CSV: quoted fields may hold commas, quotes (doubled) and line breaks; CRLF and
 * LF both end records. Returns rows of cells; a blank final line is ignored.
 */
export function parseCsv(text: string, source: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  let line = 1;
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  for (let index = 0; index < body.length; index++) {
    const character = body[index];
    if (quoted) {
      if (character === '"' && body[index + 1] === '"') {
        cell += '"';
        index++;
      } else if (character === '"') {
        quoted = false;
      } else {
        if (character === '\n') line++;
        cell += character;
      }
    } else if (character === '"') {
      if (cell !== '')
        throw new CairnError(
          'dataset_invalid',
          `${source}:${line}: a quote inside an unquoted field; quote the whole field and double inner quotes`,
        );
      quoted = true;
    } else if (character === ',') {
      row.push(cell);
      cell = '';
    } else if (character === '\n' || character === '\r') {
      if (character === '\r' && body[index + 1] === '\n') index++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      line++;
    } else {
      cell += character;
    }
  }
  if (quoted) throw new CairnError('dataset_invalid', `${source}: a quoted field is never closed`);
  if (cell !== '' || row.length > 0) {
    row.push(cell);
    rows.push(row);
  }
  return rows.filter((cells) => !(cells.length === 1 && cells[0] === ''));
}

/** Rows of a CSV with a header line, as objects keyed by column name. */
export function parseCsvRecords(text: string, source: string): Record<string, string>[] {
  const [header, ...rows] = parseCsv(text, source);
  if (!header)
    throw new CairnError('dataset_invalid', `${source}: empty CSV; the first line must name the columns`);
  return rows.map((cells, index) => {
    if (cells.length !== header.length)
      throw new CairnError(
        'dataset_invalid',
        `${source}: record ${index + 2} has ${cells.length} fields, the header has ${header.length}`,
      );
    return Object.fromEntries(header.map((name, column) => [name, cells[column] ?? '']));
  });
}

/** Writes rows as CSV, quoting only the fields that need it. */
export function toCsv(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const field = (value: string) => (/[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);
  return `${[header, ...rows].map((cells) => cells.map(field).join(',')).join('\n')}\n`;
}
