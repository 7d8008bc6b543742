import { mountApp } from '../shared/mount'
import '../shared/forms.css'
import '../shared/staff.css'
import '../shared/tables.css'
import './warehouse.css'
import App from './App.vue'

mountApp(App, 'apps.warehouse.title')
