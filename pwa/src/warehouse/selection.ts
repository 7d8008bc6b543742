import { reactive } from 'vue'
import type { PartRef } from './inventory'

/**
 * What one tab hands to another ("history of this part", "receive this part here"): set before
 * switching tabs, read by the tab when it opens.
 */
export const selection = reactive<{ part: PartRef | null; locationId: string }>({ part: null, locationId: '' })

export function select(part: PartRef | null, locationId = ''): void {
  selection.part = part
  selection.locationId = locationId
}
