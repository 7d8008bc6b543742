import { mountApp } from '../shared/mount'
import '../shared/forms.css'
import './customer.css'
import App from './App.vue'

mountApp(App, 'apps.track.title')
