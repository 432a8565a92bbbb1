/** A vector as the bytes SQLite stores (little-endian float32), without copying. */
export function vectorBytes(vector: Float32Array): Buffer {
  return Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength);
}

/** A stored float32 blob back as a vector (copied, so it outlives the row buffer). */
export function vectorFromBytes(bytes: Buffer): Float32Array {
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}
