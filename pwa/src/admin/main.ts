import { mountApp } from '../shared/mount'
import '../shared/forms.css'
import '../shared/staff.css'
import '../shared/tables.css'
import './admin.css'
import { installAdminMessages } from './i18n'
import App from './App.vue'

installAdminMessages()
mountApp(App, 'apps.admin.title')
