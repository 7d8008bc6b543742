import { mountApp } from '../shared/mount'
import '../shared/forms.css'
import './board.css'
import { installBoardMessages } from './i18n'
import App from './App.vue'

installBoardMessages()
mountApp(App, 'apps.board.title')
