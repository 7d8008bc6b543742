import { describe, expect, it } from 'vitest'
import { boardMessages } from '../messages'

function keys(value: unknown, prefix = ''): string[] {
  if (typeof value === 'string') return [prefix]
  return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => keys(v, prefix ? `${prefix}.${k}` : k))
}

describe('board messages', () => {
  it('has the same keys in both languages, none empty', () => {
    expect(keys(boardMessages.en).sort()).toEqual(keys(boardMessages['zh-CN']).sort())
    for (const table of Object.values(boardMessages)) {
      for (const key of keys(table)) {
        const text = key.split('.').reduce<unknown>((v, k) => (v as Record<string, unknown>)[k], table)
        expect(text, key).not.toBe('')
      }
    }
  })
})
