/** A stand-in for stdout or stderr that keeps what is written, for in-process CLI tests. */
export function captureStream(): { stream: NodeJS.WriteStream; text: () => string } {
  let text = '';
  const stream = {
    write: (chunk: string | Uint8Array) => {
      text += String(chunk);
      return true;
    },
    isTTY: false,
  } as unknown as NodeJS.WriteStream;
  return { stream, text: () => text };
}
