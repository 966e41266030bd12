import path from 'node:path';
import { fileURLToPath } from 'node:url';
import tailwindcss from '@tailwindcss/vite';
import { tanstackRouter } from '@tanstack/router-plugin/vite';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const here = path.dirname(fileURLToPath(import.meta.url));
const webRoot = path.join(here, 'src/web');

/** The API the dev server proxies to (`npm start` listens on 3000 by default). */
const apiTarget = process.env.MOXORA_API_URL ?? 'http://localhost:3000';

export default defineConfig({
  root: webRoot,
  publicDir: path.join(webRoot, 'public'),
  plugins: [
    // The router plugin must run before the React plugin.
    tanstackRouter({
      target: 'react',
      autoCodeSplitting: true,
      routesDirectory: path.join(webRoot, 'routes'),
      generatedRouteTree: path.join(webRoot, 'routeTree.gen.ts'),
      quoteStyle: 'single',
      semicolons: true,
    }),
    react(),
    tailwindcss(),
  ],
  resolve: {
    alias: {
      '@common': path.join(here, 'src/common'),
      '@': webRoot,
    },
  },
  build: {
    outDir: path.join(here, 'dist/web'),
    emptyOutDir: true,
    sourcemap: true,
    // The server's CSP forbids inline scripts: never inline the module-preload polyfill.
    modulePreload: { polyfill: false },
  },
  server: {
    port: 5173,
    // `npm start` serves the built SPA itself; this is only for UI work with hot reload.
    proxy: {
      '/api': {
        target: apiTarget,
        // better-auth checks Origin against BASE_URL: present the API's own origin, as the built SPA does.
        configure: (proxy) => proxy.on('proxyReq', (req) => req.setHeader('origin', apiTarget)),
      },
      '/_dev': { target: apiTarget },
    },
  },
});
