import { createRouter, createWebHistory, type Router } from 'vue-router';
import { useSessionStore } from './stores/session';

declare module 'vue-router' {
  interface RouteMeta {
    /** Only for signed-in users; others are sent to the login page and brought back after. */
    requiresAuth?: boolean;
  }
}

export function createAppRouter(): Router {
  const router = createRouter({
    history: createWebHistory(),
    routes: [
      { path: '/', name: 'map', component: () => import('./views/MapView.vue'), meta: { requiresAuth: true } },
      { path: '/signalements', name: 'reports', component: () => import('./views/ReportsListView.vue'), meta: { requiresAuth: true } },
      { path: '/signalements/:id(\\d+)', name: 'report', component: () => import('./views/ReportView.vue'), meta: { requiresAuth: true } },
      { path: '/annuaire', name: 'directory', component: () => import('./views/DirectoryView.vue'), meta: { requiresAuth: true } },
      { path: '/informations', name: 'broadcasts', component: () => import('./views/BroadcastsView.vue'), meta: { requiresAuth: true } },
      { path: '/login', name: 'login', component: () => import('./views/LoginView.vue') },
      { path: '/:pathMatch(.*)*', redirect: { name: 'map' } },
    ],
  });

  router.beforeEach(async (to) => {
    const session = useSessionStore();
    await session.restore();
    if (to.meta.requiresAuth && !session.signedIn) return { name: 'login', query: { redirect: to.fullPath } };
    if (to.name === 'login' && session.signedIn) return { name: 'map' };
    return true;
  });
  return router;
}

/** Where to go after login: the page asked before, if it is one of ours. */
export function safeRedirect(value: unknown): string {
  return typeof value === 'string' && value.startsWith('/') && !value.startsWith('//') ? value : '/';
}
