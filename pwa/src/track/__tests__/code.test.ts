import { describe, expect, it } from 'vitest'
import { trackingCodeFromPath } from '../code'

describe('trackingCodeFromPath', () => {
  it.each([
    ['/track/FL7K2M9Q', 'FL7K2M9Q'],
    ['/track/FL7K2M9Q/', 'FL7K2M9Q'],
    ['/track/ab%20cd', 'ab cd'],
  ])('%s -> %s', (path, code) => {
    expect(trackingCodeFromPath(path)).toBe(code)
  })

  it.each(['/track/', '/track', '/track/index.html', '/track/a/b', '/board/', '/track/%E0%A4%A'])(
    '%s has no code',
    (path) => {
      expect(trackingCodeFromPath(path)).toBeNull()
    },
  )
})
