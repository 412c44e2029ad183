import { createPinia } from 'pinia';
import { createApp } from 'vue';
import App from './App.vue';
import { onUnauthorized } from './api/http';
import { i18n } from './i18n';
import { createAppRouter } from './router';
import { useFieldQueueStore } from './stores/fieldQueue';
import { useSessionStore } from './stores/session';
import './styles.css';
import './components/side-panel.css';

const app = createApp(App);
const pinia = createPinia();
const router = createAppRouter();
app.use(pinia).use(router).use(i18n);

// Any 401 (expired session): forget the user and go to the login page, coming back here afterwards.
onUnauthorized(() => {
  useSessionStore(pinia).forget();
  const current = router.currentRoute.value;
  if (current.name !== 'login') void router.replace({ name: 'login', query: { redirect: current.fullPath, expired: '1' } });
});

app.mount('#app');

// Offline field capture (walking diagnosis): the service worker caches the app and the prepared tiles; the queue of
// observations captured on this device is sent at start, on reconnection and every 30 s.
if ('serviceWorker' in navigator && import.meta.env.PROD) void navigator.serviceWorker.register('/sw.js').catch((err) => console.warn('[sw]', err));
useFieldQueueStore(pinia).start();

