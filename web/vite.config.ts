import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The UI is served by `cairn serve` from web/dist; in development, `npx vite web` proxies the API.
export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true },
  server: { proxy: { '/v1': 'http://127.0.0.1:8787', '/healthz': 'http://127.0.0.1:8787' } },
});
