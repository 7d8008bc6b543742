import { mountApp } from '../shared/mount'
import App from './App.vue'

mountApp(App, 'landing.pageTitle', false)
