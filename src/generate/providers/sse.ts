/** One Server-Sent Event. */
export interface ServerSentEvent {
  event?: string;
  data: string;
}

/**
 * Parses a byte stream of Server-Sent Events. Handles chunks that split lines or UTF-8
 * characters, CRLF line ends, comments, multi-line `data:` and named events.
 */
export async function* parseServerSentEvents(
  body: ReadableStream<Uint8Array>,
): AsyncGenerator<ServerSentEvent> {
  const decoder = new TextDecoder();
  let buffer = '';
  let data: string[] = [];
  let event: string | undefined;
  const reader = body.getReader();
  try {
    while (true) {
      const { value, done } = await reader.read();
      buffer += done ? decoder.decode() : decoder.decode(value, { stream: true });
      // The last line of a stream may lack its line break.
      if (done && buffer !== '' && !/[\r\n]$/.test(buffer)) buffer += '\n';
      let newline = buffer.search(/\r\n|\r|\n/);
      while (newline !== -1) {
        const line = buffer.slice(0, newline);
        const breakLength = buffer.startsWith('\r\n', newline) ? 2 : 1;
        // A lone \r at the end of a chunk may be the first half of \r\n: wait for more input.
        if (!done && buffer[newline] === '\r' && newline + 1 === buffer.length) break;
        buffer = buffer.slice(newline + breakLength);
        if (line === '') {
          if (data.length > 0) yield { ...(event ? { event } : {}), data: data.join('\n') };
          data = [];
          event = undefined;
        } else if (!line.startsWith(':')) {
          const colon = line.indexOf(':');
          const field = colon === -1 ? line : line.slice(0, colon);
          let value = colon === -1 ? '' : line.slice(colon + 1);
          if (value.startsWith(' ')) value = value.slice(1);
          if (field === 'data') data.push(value);
          else if (field === 'event') event = value;
        }
        newline = buffer.search(/\r\n|\r|\n/);
      }
      if (done) break;
    }
    if (data.length > 0) yield { ...(event ? { event } : {}), data: data.join('\n') };
  } finally {
    reader.releaseLock();
  }
}
