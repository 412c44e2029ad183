import { fileURLToPath, URL } from 'node:url';
import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vite';

const api = process.env.GUP_API ?? 'http://localhost:3000';

// The client is served by the Express server in production (client/dist, SPA fallback);
// in development Vite proxies the API to it.
export default defineConfig({
  plugins: [vue()],
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
