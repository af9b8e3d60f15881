// Builds the trading terminal into web/dist, which the server serves at `/`. In development
// (`npx vite --config web/vite.config.ts`) the API and WebSockets are proxied to the exchange.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import tailwindcss from '@tailwindcss/vite';

const exchange = process.env.EXCHANGE_URL ?? 'http://127.0.0.1:8000';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  plugins: [react(), tailwindcss()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // No inline scripts or data: modules: the page runs under script-src 'self'.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    chunkSizeWarningLimit: 1024,
  },
  server: {
    proxy: {
      '/api': exchange,
      '/ws': { target: exchange.replace(/^http/, 'ws'), ws: true },
    },
  },
});
