import { describe, expect, it } from 'vitest'
import { DEFAULT_LOCALE, detectLocale, normalizeLocale } from '../i18n'

describe('normalizeLocale', () => {
  it.each([
    ['en', 'en'],
    ['EN', 'en'],
    ['en-US', 'en'],
    ['en_GB', 'en'],
    ['zh', 'zh-CN'],
    ['zh-CN', 'zh-CN'],
    ['zh-Hans-CN', 'zh-CN'],
    ['zh-TW', 'zh-CN'],
    [' zh-cn ', 'zh-CN'],
  ])('%s -> %s', (tag, locale) => {
    expect(normalizeLocale(tag)).toBe(locale)
  })

  it.each([null, undefined, '', 'fr', 'de-DE', 'english', 'enx'])('%s is not supported', (tag) => {
    expect(normalizeLocale(tag)).toBeNull()
  })
})

describe('detectLocale', () => {
  it('defaults to zh-CN', () => {
    expect(DEFAULT_LOCALE).toBe('zh-CN')
    expect(detectLocale({})).toBe('zh-CN')
    expect(detectLocale({ search: '', stored: null, navigatorLanguage: null })).toBe('zh-CN')
  })

  it('follows the browser only when it prefers English', () => {
    expect(detectLocale({ navigatorLanguage: 'en-US' })).toBe('en')
    expect(detectLocale({ navigatorLanguage: 'en' })).toBe('en')
    expect(detectLocale({ navigatorLanguage: 'zh-CN' })).toBe('zh-CN')
    expect(detectLocale({ navigatorLanguage: 'fr-FR' })).toBe('zh-CN')
    expect(detectLocale({ navigatorLanguage: 'de' })).toBe('zh-CN')
  })

  it('prefers the stored choice over the browser', () => {
    expect(detectLocale({ stored: 'en', navigatorLanguage: 'zh-CN' })).toBe('en')
    expect(detectLocale({ stored: 'zh-CN', navigatorLanguage: 'en-US' })).toBe('zh-CN')
  })

  it('ignores an unsupported stored value', () => {
    expect(detectLocale({ stored: 'fr', navigatorLanguage: 'en-GB' })).toBe('en')
    expect(detectLocale({ stored: 'garbage' })).toBe('zh-CN')
  })

  it('prefers ?lang= over everything', () => {
    expect(detectLocale({ search: '?lang=en', stored: 'zh-CN', navigatorLanguage: 'zh-CN' })).toBe('en')
    expect(detectLocale({ search: '?x=1&lang=zh-CN', stored: 'en', navigatorLanguage: 'en-US' })).toBe('zh-CN')
    expect(detectLocale({ search: '?lang=zh', navigatorLanguage: 'en-US' })).toBe('zh-CN')
  })

  it('ignores an unsupported ?lang=', () => {
    expect(detectLocale({ search: '?lang=fr', stored: 'en' })).toBe('en')
    expect(detectLocale({ search: '?lang=', navigatorLanguage: 'en-US' })).toBe('en')
  })
})
