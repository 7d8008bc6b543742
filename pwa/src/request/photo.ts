/**
 * The optional photo of a request: made small in the browser (a phone photo of 4-12 MB becomes
 * a JPEG of at most 1600 px and about 1 MB), then sent to the order just created, with its
 * tracking code, as `POST /api/v1/track/<code>/photos`. The server checks the bytes again.
 */
import { api } from '../shared/api'
import { compressToJpeg } from '../shared/photo'

/** What the picker offers; anything else is refused before compressing. */
export const PHOTO_ACCEPT = 'image/jpeg,image/png,image/webp,image/gif,image/heic,image/heif'

export interface UploadedPhoto {
  id: string
  url: string
}

/** True for a file a browser can decode as a photo (by its declared type; the server decides). */
export function looksLikeImage(file: Pick<File, 'type'>): boolean {
  return file.type.startsWith('image/')
}

/** The name the compressed copy is sent under: the original's stem with `.jpg`. */
export function jpegName(name: string): string {
  const stem = name.replace(/\\/g, '/').split('/').pop()?.replace(/\.[^.]*$/, '') ?? ''
  return `${stem || 'photo'}.jpg`
}

/** A JPEG of at most 1600 px on the longer side and about 1 MB, named after the original. */
export async function compressPhoto(file: File): Promise<File> {
  const compressed = await compressToJpeg(file, 1, 0.85)
  return new File([compressed], jpegName(file.name), { type: 'image/jpeg' })
}

export async function uploadPhoto(code: string, photo: File): Promise<UploadedPhoto> {
  const body = new FormData()
  body.append('file', photo, photo.name)
  return api<UploadedPhoto>(`/api/v1/track/${encodeURIComponent(code)}/photos`, {
    method: 'POST',
    body,
    auth: false,
  })
}
