/** Photos and signatures as the outbox keeps them: compressed JPEG or PNG bytes and their sha256. */

export const MAX_PHOTO_PX = 1600

/** The photo scaled to at most 1600 px on its long side, as JPEG (the compressor loads on first use). */
export async function compressPhoto(file: File): Promise<Blob> {
  const { default: imageCompression } = await import('browser-image-compression')
  return imageCompression(file, {
    maxWidthOrHeight: MAX_PHOTO_PX,
    maxSizeMB: 1.5,
    fileType: 'image/jpeg',
    initialQuality: 0.82,
    // The worker variant fetches its script from a CDN: no good in a basement.
    useWebWorker: false,
  })
}

export async function sha256Hex(blob: Blob): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', await blob.arrayBuffer())
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('')
}
