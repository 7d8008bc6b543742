import { mountApp } from '../shared/mount'
import App from './App.vue'

mountApp(App, 'apps.request.title')
