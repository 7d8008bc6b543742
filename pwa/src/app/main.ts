import { mountApp } from '../shared/mount'
import '../shared/forms.css'
import './app.css'
import App from './App.vue'
import { installAppMessages } from './i18n'
import { registerServiceWorker } from './pwa'

installAppMessages()
mountApp(App, 'apps.app.title')
registerServiceWorker()
