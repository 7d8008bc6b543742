import { describe, expect, it } from 'vitest'
import { keyPaths, leaves } from '../../shared/__tests__/messageTables'
import { boardMessages } from '../messages'

describe('board messages', () => {
  it('has the same keys in both languages, none empty', () => {
    expect(keyPaths(boardMessages.en).sort()).toEqual(keyPaths(boardMessages['zh-CN']).sort())
    for (const table of Object.values(boardMessages)) {
      for (const [key, text] of leaves(table)) expect(text, key).not.toBe('')
    }
  })
})
