import type { MessageSchema } from './zh-CN'

/** English message table; same keys as zh-CN.ts. */
const en: MessageSchema = {
  common: {
    brand: 'Fieldline',
    backHome: 'Back to home',
    comingSoon: 'This app is under construction — coming soon.',
    language: 'Language',
    skipToContent: 'Skip to main content',
  },
  locales: {
    'zh-CN': '简体中文',
    en: 'English',
  },
  landing: {
    pageTitle: 'Fieldline — field-service dispatch',
    tagline: 'Open-source field-service dispatch: from service request to signed-off job, with SLAs, scheduling and spare parts.',
    appsHeading: 'Apps',
    links: {
      app: { title: 'Engineer app', desc: 'Phone app that works offline: today’s jobs, navigation, checklists, photos, parts, signature.' },
      board: { title: 'Dispatch board', desc: 'Live map of engineers and jobs, unassigned queue, drag to assign, optimize.' },
      warehouse: { title: 'Warehouse', desc: 'Stock, reservations by work order, issue to vans, returns.' },
      request: { title: 'Request service', desc: 'Customers submit a service request and get a tracking code.' },
      admin: { title: 'Administration', desc: 'Categories, rules, SLA policies, calendars, skills and users.' },
      reports: { title: 'Reports', desc: 'KPIs, charts and exports.' },
      apiDocs: { title: 'API docs', desc: 'OpenAPI reference for the REST and mobile APIs.' },
    },
  },
  apps: {
    app: { title: 'Engineer app' },
    board: { title: 'Dispatch board' },
    warehouse: { title: 'Warehouse' },
    request: { title: 'Request service' },
    track: {
      title: 'Track your service',
      code: 'Tracking code: {code}',
      noCode: 'This link has no tracking code. Please use the full link you received with your request.',
    },
    admin: { title: 'Administration' },
    reports: { title: 'Reports' },
  },
}

export default en
