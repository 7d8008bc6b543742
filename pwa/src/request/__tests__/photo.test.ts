import { describe, expect, it } from 'vitest'
import { jpegName, looksLikeImage } from '../photo'

describe('photo helpers', () => {
  it.each([
    ['IMG_0001.HEIC', 'IMG_0001.jpg'],
    ['漏水.png', '漏水.jpg'],
    ['C:\\Users\\me\\photo.jpeg', 'photo.jpg'],
    ['no-extension', 'no-extension.jpg'],
    ['.jpg', 'photo.jpg'],
    ['', 'photo.jpg'],
  ])('%s is sent as %s', (name, sent) => {
    expect(jpegName(name)).toBe(sent)
  })

  it('takes images by their declared type only', () => {
    expect(looksLikeImage({ type: 'image/jpeg' })).toBe(true)
    expect(looksLikeImage({ type: 'image/heic' })).toBe(true)
    expect(looksLikeImage({ type: 'application/pdf' })).toBe(false)
    expect(looksLikeImage({ type: '' })).toBe(false)
  })
})
