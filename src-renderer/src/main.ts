import { createPinia } from 'pinia'
import { createApp } from 'vue'
import App from './App.vue'
import { api } from './api/client'
import { router } from './router'
import { setApiClient } from './shared/useApi'
import './styles.css'

// The web host hands the token over once in the URL and keeps it as a cookie; drop it from
// the address bar so it is not bookmarked or shared by accident.
if (new URLSearchParams(location.search).has('token')) history.replaceState(null, '', location.pathname + location.hash)

setApiClient(api)
createApp(App).use(createPinia()).use(router).mount('#app')
