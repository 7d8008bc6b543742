/** Pure helpers of the warehouse screen (quantities, times and names: shared/format.ts). */

/**
 * The signed quantity of an adjustment from a direction and what was typed: the typed sign is
 * dropped (the direction decides), blanks stay blank so the server can say what is missing.
 */
export function signedQuantity(direction: 'add' | 'remove', typed: string): string {
  const magnitude = typed.trim().replace(/^[+-]\s*/, '')
  if (!magnitude) return ''
  return direction === 'remove' ? `-${magnitude}` : magnitude
}
