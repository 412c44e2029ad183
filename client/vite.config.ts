import { fileURLToPath, URL } from 'node:url';
import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';

const api = process.env.GUP_API ?? 'http://localhost:3000';

// The client is served by the Express server in production (client/dist, SPA fallback);
// in development Vite proxies the API to it.
export default defineConfig({
  plugins: [
    vue(),
    // Offline field capture (walking diagnosis): the app shell is precached; the API's tiles and the two answers the
    // app needs to start (who is signed in, the territory) are read from the cache only when the network fails.
    // Registered by src/main.ts (no inline script: the server's Content-Security-Policy forbids them).
    VitePWA({
      injectRegister: null,
      registerType: 'autoUpdate',
      manifest: {
        name: 'GUP — gestion urbaine de proximité',
        short_name: 'GUP',
        lang: 'fr',
        start_url: '/',
        display: 'standalone',
        theme_color: '#1d3557',
        background_color: '#f6f7f9',
        icons: [{ src: '/favicon.svg', sizes: 'any', type: 'image/svg+xml' }],
      },
      workbox: {
        globPatterns: ['**/*.{js,css,html,svg}'],
        maximumFileSizeToCacheInBytes: 4 * 1024 * 1024, // MapLibre
        navigateFallback: '/index.html',
        navigateFallbackDenylist: [/^\/api\//, /^\/open311\//],
        clientsClaim: true,
        skipWaiting: true,
        runtimeCaching: [
          {
            urlPattern: ({ url, sameOrigin }) => sameOrigin && url.pathname.startsWith('/api/tiles/'),
            handler: 'NetworkFirst',
            options: { cacheName: 'gup-tiles', networkTimeoutSeconds: 5, expiration: { maxEntries: 5000 } },
          },
          {
            urlPattern: ({ url, sameOrigin }) => sameOrigin && (url.pathname === '/api/auth/me' || url.pathname === '/api/territory'),
            handler: 'NetworkFirst',
            options: { cacheName: 'gup-api', networkTimeoutSeconds: 5 },
          },
        ],
      },
    }),
  ],
  resolve: {
    alias: {
      // Pure rule modules shared with the server (DESIGN 5): one definition of the rules.
      '@gup/server/domain': fileURLToPath(new URL('../server/src/domain/index.ts', import.meta.url)),
    },
  },
  define: {
    __VUE_I18N_FULL_INSTALL__: true,
    __VUE_I18N_LEGACY_API__: false,
    __INTLIFY_PROD_DEVTOOLS__: false,
    __VUE_PROD_DEVTOOLS__: false,
  },
  server: {
    port: 5173,
    proxy: {
      '/api': { target: api, changeOrigin: true },
      '/open311': { target: api, changeOrigin: true },
    },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 1600, // MapLibre alone is ~1 MB
  },
});
