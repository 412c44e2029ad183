import type { RouteRecordRaw } from 'vue-router';

/** The administration's pages (admins only; the server checks the role on every call too). */
export const adminRoutes: RouteRecordRaw = {
  path: '/admin',
  component: () => import('./AdminView.vue'),
  meta: { requiresAuth: true, requiresRole: 'admin' },
  children: [
    { path: '', redirect: { name: 'admin-users' } },
    { path: 'comptes', name: 'admin-users', component: () => import('../../components/admin/UsersPanel.vue') },
    { path: 'configuration', name: 'admin-config', component: () => import('../../components/admin/ConfigPanel.vue') },
    { path: 'imports', name: 'admin-imports', component: () => import('../../components/admin/ImportsPanel.vue') },
    { path: 'open311', name: 'admin-keys', component: () => import('../../components/admin/KeysPanel.vue') },
    { path: 'envois', name: 'admin-outbox', component: () => import('../../components/admin/OutboxPanel.vue') },
    { path: 'journal', name: 'admin-audit', component: () => import('../../components/admin/AuditPanel.vue') },
  ],
};
