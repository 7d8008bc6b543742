/** Photos and signatures as the outbox keeps them: compressed JPEG or PNG bytes and their sha256. */
import { compressToJpeg } from '../shared/photo'

/** The photo scaled to at most 1600 px on its long side, as JPEG. */
export function compressPhoto(file: File): Promise<Blob> {
  return compressToJpeg(file, 1.5, 0.82)
}

export async function sha256Hex(blob: Blob): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', await blob.arrayBuffer())
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('')
}
