import { useI18n } from 'vue-i18n'
import { formatDateTime, formatNumber, localName } from '../shared/format'
import type { LocationRef, PartRef } from './inventory'

/** The format helpers bound to the page's current language. */
export function useFormat() {
  const { t, te, locale } = useI18n()

  function unitLabel(unit: string): string {
    const key = `warehouse.units.${unit}`
    return te(key) ? t(key) : unit
  }

  return {
    qty: (value: string | number | null | undefined) => formatNumber(value, locale.value),
    qtyUnit: (value: string | number | null | undefined, unit: string) =>
      t('warehouse.qtyWithUnit', { qty: formatNumber(value, locale.value), unit: unitLabel(unit) }),
    unitLabel,
    when: (iso: string | null | undefined) => formatDateTime(iso, locale.value),
    partLabel: (part: PartRef) => `${part.sku} · ${localName(part.name, locale.value)}`,
    partName: (part: PartRef) => localName(part.name, locale.value),
    placeLabel: (place: Pick<LocationRef, 'code' | 'name'>) => `${place.code} · ${place.name}`,
    placeType: (type: string) => (type === 'van' ? t('warehouse.locationTypes.van') : t('warehouse.locationTypes.warehouse')),
  }
}
