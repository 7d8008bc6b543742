import { mountApp } from '../shared/mount'
import '../shared/forms.css'
import '../track/customer.css'
import App from './App.vue'

mountApp(App, 'apps.request.title')
