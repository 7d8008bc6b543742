import { describe, expect, it } from 'vitest'
import zhCN from '../messages/zh-CN'
import en from '../messages/en'
import { keyPaths, leaves } from './messageTables'

describe('message tables', () => {
  it('zh-CN and en have exactly the same keys', () => {
    expect(keyPaths(en).sort()).toEqual(keyPaths(zhCN).sort())
  })

  it('every message is a non-empty string', () => {
    for (const [path, value] of [...leaves(zhCN), ...leaves(en)]) {
      expect(typeof value, path).toBe('string')
      expect((value as string).trim(), path).not.toBe('')
    }
  })

  it('both tables use the same placeholders in each message', () => {
    const placeholders = (s: unknown) => [...String(s).matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort()
    const enByPath = new Map(leaves(en))
    for (const [path, value] of leaves(zhCN)) {
      expect(placeholders(enByPath.get(path)), path).toEqual(placeholders(value))
    }
  })

  it('has no stray vue-i18n syntax characters (@ | $) that would break message compilation', () => {
    for (const [path, value] of [...leaves(zhCN), ...leaves(en)]) {
      expect(String(value), path).not.toMatch(/[@|$]/)
    }
  })
})
