import { createRouter, createWebHistory, type Router } from 'vue-router';
import type { Role } from './api/types';
import { adminRoutes } from './views/admin/routes';
import { useSessionStore } from './stores/session';

declare module 'vue-router' {
  interface RouteMeta {
    /** Only for signed-in users; others are sent to the login page and brought back after. */
    requiresAuth?: boolean;
    /** Only for this role (the server checks it too); others go back to the map. */
    requiresRole?: Role;
  }
}

export function createAppRouter(): Router {
  const router = createRouter({
    history: createWebHistory(),
    routes: [
      { path: '/', name: 'map', component: () => import('./views/MapView.vue'), meta: { requiresAuth: true } },
      { path: '/signalements', name: 'reports', component: () => import('./views/ReportsListView.vue'), meta: { requiresAuth: true } },
      { path: '/tableau-de-bord', name: 'dashboard', component: () => import('./views/DashboardView.vue'), meta: { requiresAuth: true } },
      { path: '/signalements/:id(\\d+)', name: 'report', component: () => import('./views/ReportView.vue'), meta: { requiresAuth: true } },
      { path: '/jetons', name: 'tokens', component: () => import('./views/TokensView.vue'), meta: { requiresAuth: true } },
      { path: '/diagnostics', name: 'diagnostics', component: () => import('./views/DiagnosticsListView.vue'), meta: { requiresAuth: true } },
      { path: '/diagnostics/:id(\\d+)', name: 'diagnostic', component: () => import('./views/DiagnosticView.vue'), meta: { requiresAuth: true } },
      { path: '/diagnostics/:id(\\d+)/terrain', name: 'field', component: () => import('./views/FieldView.vue'), meta: { requiresAuth: true } },
      { path: '/plan-actions', name: 'actions', component: () => import('./views/ActionPlanView.vue'), meta: { requiresAuth: true } },
      { path: '/annuaire', name: 'directory', component: () => import('./views/DirectoryView.vue'), meta: { requiresAuth: true } },
      { path: '/informations', name: 'broadcasts', component: () => import('./views/BroadcastsView.vue'), meta: { requiresAuth: true } },
      { path: '/login', name: 'login', component: () => import('./views/LoginView.vue') },
      { path: '/mot-de-passe', name: 'password', component: () => import('./views/PasswordView.vue') },
      adminRoutes,
      { path: '/:pathMatch(.*)*', redirect: { name: 'map' } },
    ],
  });

  router.beforeEach(async (to, from) => {
    const session = useSessionStore();
    await session.restore();
    if (to.meta.requiresAuth && !session.signedIn) return { name: 'login', query: { redirect: to.fullPath } };
    if (to.name === 'login' && session.signedIn) return { name: 'map' };
    // arriving on `/` (after login, a bookmark, a reload): a service agent lands on its queue; the map link still opens the map
    const arriving = from.name === undefined || from.name === 'login';
    if (arriving && to.name === 'map' && !Object.keys(to.query).length && session.user && landsOnQueue(session.user.role)) return { name: 'reports' };
    if (to.meta.requiresRole && session.user?.role !== to.meta.requiresRole) return { name: 'map' };
    return true;
  });
  return router;
}

/** Roles whose home is their work list rather than the map: a service agent deals with its queue first. */
export const landsOnQueue = (role: Role): boolean => role === 'service_agent';

/** Where to go after login: the page asked before, if it is one of ours. */
export function safeRedirect(value: unknown): string {
  return typeof value === 'string' && value.startsWith('/') && !value.startsWith('//') ? value : '/';
}
