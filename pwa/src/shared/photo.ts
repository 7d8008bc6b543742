/** Photos made small in the browser before they are sent or queued. */

/** The longer side of a photo after compression, in pixels. */
export const PHOTO_MAX_PX = 1600

/**
 * The photo as a JPEG of at most PHOTO_MAX_PX on the longer side and about `maxSizeMB`,
 * upright and without metadata. The compressor is loaded on first use: most pages never need it.
 */
export async function compressToJpeg(file: File, maxSizeMB: number, initialQuality: number): Promise<Blob> {
  const { default: imageCompression } = await import('browser-image-compression')
  return imageCompression(file, {
    maxWidthOrHeight: PHOTO_MAX_PX,
    maxSizeMB,
    fileType: 'image/jpeg',
    initialQuality,
    // The worker variant loads its script from a CDN: no good in a basement or on a closed network.
    useWebWorker: false,
  })
}
