/**
 * Simplified Chinese message table (the default locale). Every string a person reads in any
 * Fieldline web app is looked up here or in en.ts; both tables must have the same keys
 * (checked by src/shared/__tests__/messages.test.ts and by the MessageSchema type).
 */
const zhCN = {
  common: {
    brand: 'Fieldline',
    backHome: '返回首页',
    comingSoon: '该应用正在建设中，敬请期待。',
    language: '语言',
    skipToContent: '跳到主要内容',
  },
  locales: {
    'zh-CN': '简体中文',
    en: 'English',
  },
  landing: {
    pageTitle: 'Fieldline — 现场服务调度平台',
    tagline: '开源的现场服务调度平台：从客户报修到签字结单，派工、SLA 与备件一站管理。',
    appsHeading: '应用入口',
    links: {
      app: { title: '工程师应用', desc: '手机端，离线可用：今日工单、导航、检查单、拍照、备件、客户签字。' },
      board: { title: '调度看板', desc: '地图上的工程师与工单、待派队列、拖拽派工、一键优化。' },
      warehouse: { title: '仓库', desc: '库存、按工单预留、领料出库到工程车、退料入库。' },
      request: { title: '在线报修', desc: '客户提交服务请求，获得跟踪码。' },
      admin: { title: '系统管理', desc: '分类、规则、SLA 策略、日历、技能与用户。' },
      reports: { title: '报表', desc: '关键指标、图表与导出。' },
      apiDocs: { title: 'API 文档', desc: 'REST 与移动端接口的 OpenAPI 参考。' },
    },
  },
  apps: {
    app: { title: '工程师应用' },
    board: { title: '调度看板' },
    warehouse: { title: '仓库' },
    request: { title: '在线报修' },
    track: {
      title: '服务进度查询',
      code: '跟踪码：{code}',
      noCode: '链接中没有跟踪码，请使用报修后收到的完整链接。',
    },
    admin: { title: '系统管理' },
    reports: { title: '报表' },
  },
}

export default zhCN
export type MessageSchema = typeof zhCN
