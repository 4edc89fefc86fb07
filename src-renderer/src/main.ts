import { createPinia } from 'pinia'
import { createApp } from 'vue'
import App from './App.vue'
import { router } from './router'
import './styles.css'

// The web host hands the token over once in the URL and keeps it as a cookie; drop it from
// the address bar so it is not bookmarked or shared by accident.
if (new URLSearchParams(location.search).has('token')) history.replaceState(null, '', location.pathname + location.hash)

createApp(App).use(createPinia()).use(router).mount('#app')
